"""Forms of the coordinator's oversight pages: the pairs table's filters, the bulk reminder, a
confirmed lifecycle move, and the members' closing survey.

They only read input; the rules live in `dashboard`, `lifecycle` and `survey`.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort
from accounts.validators import TextRulesMixin

from .. import limits
from ..models import ClosingSurvey
from . import dashboard
from .survey import WHAT_HELPED_MAX


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


class TransitionForm(forms.Form):
    """A confirmed move. `from_status` is the state the coordinator saw, so that a second click
    (or a second coordinator) can't move the cohort two steps."""

    from_status = forms.ChoiceField(choices=Cohort.Status.choices, widget=forms.HiddenInput)


def _yes(value: str) -> bool:
    return value == "yes"


class ClosingSurveyForm(TextRulesMixin, forms.Form):
    goal_reached = forms.ChoiceField(
        label=_("Did you reach the goal you set in your contract?"),
        choices=ClosingSurvey.GoalReached.choices,
        widget=forms.RadioSelect,
    )
    would_pair_again = forms.TypedChoiceField(
        label=_("Would you pair with your partner again?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=_yes,
        widget=forms.RadioSelect,
    )
    share_pair_again = forms.BooleanField(
        label=_("Tell the matching, with my name, that I would pair with my partner again"),
        required=False,
        help_text=_(
            "Only with a yes above. If your partner says so too, a later cohort may pair you "
            "again. This one answer is kept with your name, apart from the anonymous survey."
        ),
    )
    what_helped = forms.CharField(
        label=_("What helped?"),
        required=False,
        max_length=WHAT_HELPED_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Optional. Coordinators read this without your name; leave names out if you want "
            "to stay anonymous."
        ),
    )
