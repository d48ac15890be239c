from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .audit import AuditFilters
from .dates import DateWindowFormMixin
from .validators import TextRulesMixin

INPUT = "form-control form-control-sm"


class AuditFilterForm(DateWindowFormMixin, TextRulesMixin, forms.Form):
    """The audit log's filters, read from the query string; every field is optional."""

    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=60,
        help_text=_("The start of an action, e.g. invitation. or pair.locked"),
        widget=forms.TextInput(
            attrs={
                "class": INPUT,
                "list": "audit-actions",
                "placeholder": "invitation.",
                "autocomplete": "off",
            }
        ),
    )
    actor = forms.CharField(
        label=_("Who (email contains)"),
        required=False,
        max_length=254,
        widget=forms.TextInput(
            attrs={"class": INPUT, "type": "search", "placeholder": "@example.org"}
        ),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"class": INPUT, "type": "date"}),
    )
    date_to = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"class": INPUT, "type": "date"}),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The end date is before the start date."))
        return cleaned

    def filters(self) -> AuditFilters:
        """What to filter by: nothing while the form is invalid (its errors are shown)."""
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            action=data["action"].strip(),
            actor=data["actor"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
