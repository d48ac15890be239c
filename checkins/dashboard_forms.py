"""Forms of the coordinators' dashboards: the pairs table's filters and the bulk reminder."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import TextRulesMixin

from . import dashboard, limits


class PairTableFilterForm(forms.Form):
    """The pairs table's sort and filters, from the query string. Invalid values fall back to
    the defaults rather than failing the page (a stale bookmark still opens)."""

    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=list(dashboard.SORTS.items())
    )
    health = forms.ChoiceField(
        label=_("Health"),
        required=False,
        choices=[("", _("Any health")), *dashboard.HEALTH_LABELS.items()],
    )
    contract = forms.ChoiceField(
        label=_("Contract"),
        required=False,
        choices=[("", _("Any contract status")), *dashboard.CONTRACT_LABELS.items()],
    )

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "sort": data.get("sort") or dashboard.DEFAULT_SORT,
            "health_filter": data.get("health", ""),
            "contract_filter": data.get("contract", ""),
        }


class FunnelReminderForm(TextRulesMixin, forms.Form):
    """A message to everyone stuck at a funnel step. Sent only once `confirmed` is set: the
    first submit shows who will get it."""

    subject = forms.CharField(label=_("Subject"), max_length=limits.MESSAGE_SUBJECT_MAX)
    body = forms.CharField(
        label=_("Message"),
        max_length=limits.MESSAGE_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
