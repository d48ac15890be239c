from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.dates import DateWindowFormMixin
from accounts.formsets import BoundedFormSet, bounded_formset_factory
from accounts.validators import TextRulesMixin
from profiles.forms import timezone_choices

from . import limits, selectors
from .dates import contract_dates_errors
from .models import Contract, ContractSection, Goal, Indicator
from .services import MAX_ROWS_PER_GOAL, IndicatorInput, StrategyInput

TERMS_FIELDS = [
    "starts_on",
    "ends_on",
    "cadence",
    "medium",
    "meeting_minutes",
    "meeting_weekday",
    "meeting_time",
    "timezone",
    "agenda",
    "help_measure",
    "boundaries",
    "confidentiality",
    "why",
]


class TermsForm(DateWindowFormMixin, TextRulesMixin, forms.ModelForm):
    """The shared terms. Saved by `services.contract_terms_update`, never by `save()`."""

    timezone = forms.ChoiceField(label=_("Time zone of the meetings"), required=False)

    class Meta:
        model = Contract
        fields = TERMS_FIELDS
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "meeting_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "meeting_minutes": forms.NumberInput(attrs={"min": 5, "max": 480, "step": 5}),
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "help_measure": forms.Textarea(attrs={"rows": 3}),
            "boundaries": forms.Textarea(attrs={"rows": 3}),
            "confidentiality": forms.Textarea(attrs={"rows": 3}),
            "why": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "ends_on": _("When you review the contract together; by default the cohort's end."),
            "agenda": _("The format of every meeting. Edit it to suit you both."),
            "help_measure": _(
                "E.g. “At each meeting we each rate the last period's help from 1 to 5 and "
                "name one example.”"
            ),
            "boundaries": _("Topics that are off limits, and how either of you can say “pass”."),
            "confidentiality": _(
                "What stays between you. Your coordinators can read this contract."
            ),
            "why": _("In a sentence or two, what you both want from this partnership."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [("", _("Choose a time zone")), *timezone_choices()]
        self.fields["starts_on"].required = True
        self.fields["ends_on"].required = True

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The review / end date must come after the start date."))
        for field, message in contract_dates_errors(
            cohort=self.instance.cohort, starts_on=starts_on, ends_on=ends_on
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def _post_clean(self):
        """No model validation here: the service validates the whole contract."""


class SectionForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = ContractSection
        fields = ["assets", "needs", "will_help_with"]
        widgets = {
            "assets": forms.Textarea(attrs={"rows": 5}),
            "needs": forms.Textarea(attrs={"rows": 4}),
            "will_help_with": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "assets": _(
                "Skills, resources, contacts and expertise you already have for your goals."
            ),
            "needs": _("What you are missing that your partner can offer."),
            "will_help_with": _("What you commit to help your partner with."),
        }

    def _post_clean(self):
        """No model validation here: the service validates and saves."""


class GoalForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["horizon", "statement", "serves"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "horizon": _(
                "A one-year goal, shorter steps toward it (e.g. one month), and if you like a "
                "vision three to five years ahead."
            ),
            "serves": _("For a one-, three- or six-month step: the one-year goal it leads to."),
            "statement": _(
                "The what, clearly enough that your partner knows what you mean: e.g. “Lead "
                "my team's quarterly planning on my own by June.”"
            ),
        }

    def __init__(self, *args, section=None, **kwargs):
        super().__init__(*args, **kwargs)
        goals = selectors.one_year_goals(section=section) if section else Goal.objects.none()
        if self.instance.pk:
            goals = goals.exclude(pk=self.instance.pk)
        self.fields["serves"].queryset = goals
        self.fields["serves"].required = False
        self.fields["serves"].empty_label = _("No one-year goal")

    def clean(self):
        data = super().clean()
        if data.get("serves") and data.get("horizon") not in Goal.SHORT_TERM:
            self.add_error(
                "serves", _("Only a one-, three- or six-month goal serves a one-year goal.")
            )
        return data

    def _post_clean(self):
        """No model validation here: the service validates and saves."""


class _RowForm(TextRulesMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StrategyForm(_RowForm):
    description = forms.CharField(
        label=_("Strategy (the how)"),
        required=False,
        max_length=limits.STRATEGY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IndicatorForm(DateWindowFormMixin, _RowForm):
    description = forms.CharField(
        label=_("Success indicator"),
        required=False,
        max_length=limits.INDICATOR_MAX,
        help_text=_("How will I know when I'm there?"),
    )
    kind = forms.ChoiceField(
        label=_("Measured as"),
        choices=Indicator.Kind.choices,
        initial=Indicator.Kind.NUMBER,
        widget=forms.Select(attrs={"data-indicator-kind": ""}),
    )
    target_value = forms.DecimalField(
        label=_("Target"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=limits.UNIT_MAX)
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        filled = data.get("target_value") is not None or data.get("unit") or data.get("due_on")
        if not data.get("description") and filled and "description" not in self.errors:
            self.add_error("description", _("Describe this indicator, or remove the row."))
        if (
            data.get("description")
            and data.get("kind") == Indicator.Kind.NUMBER
            and data.get("target_value") is None
            and "target_value" not in self.errors
        ):
            self.add_error("target_value", _("Give a target number, or measure it as yes or no."))
        return data


class _RowFormSet(BoundedFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def kept(self):
        """Cleaned rows in page order, without removed and blank ones."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data
            and not self._should_delete_form(form)
            and form.cleaned_data.get("description", "").strip()
        ]


def _formset(form):
    return bounded_formset_factory(
        form, formset=_RowFormSet, extra=1, can_delete=True, max_num=MAX_ROWS_PER_GOAL
    )


StrategyFormSet = _formset(StrategyForm)
IndicatorFormSet = _formset(IndicatorForm)


class GoalEditForms:
    """The goal page's three forms, validated and read together."""

    def __init__(self, data=None, *, section, goal: Goal | None = None):
        self.goal = GoalForm(data, instance=goal, prefix="goal", section=section)
        strategies = list(goal.strategies.all()) if goal else []
        indicators = list(goal.indicators.all()) if goal else []
        self.strategies = StrategyFormSet(
            data,
            prefix="strategies",
            initial=[{"id": s.pk, "description": s.description} for s in strategies],
        )
        self.indicators = IndicatorFormSet(
            data,
            prefix="indicators",
            initial=[
                {
                    "id": i.pk,
                    "description": i.description,
                    "kind": i.kind,
                    "target_value": i.target_value,
                    "unit": i.unit,
                    "due_on": i.due_on,
                }
                for i in indicators
            ],
        )

    def is_valid(self) -> bool:
        return all([self.goal.is_valid(), self.strategies.is_valid(), self.indicators.is_valid()])

    def has_errors(self) -> bool:
        return bool(
            self.goal.errors
            or self.strategies.total_error_count()
            or self.indicators.total_error_count()
        )

    def service_kwargs(self) -> dict:
        return {
            "horizon": self.goal.cleaned_data["horizon"],
            "statement": self.goal.cleaned_data["statement"],
            "serves": self.goal.cleaned_data.get("serves"),
            "strategies": [
                StrategyInput(description=row["description"], id=row.get("id"))
                for row in self.strategies.kept()
            ],
            "indicators": [
                IndicatorInput(
                    description=row["description"],
                    kind=row["kind"],
                    target_value=row.get("target_value"),
                    unit=row.get("unit", ""),
                    due_on=row.get("due_on"),
                    id=row.get("id"),
                )
                for row in self.indicators.kept()
            ],
        }

    def add_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to what it concerns."""
        if not hasattr(error, "error_dict"):
            self.goal.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            if field == "strategies":
                self.strategies.non_form_errors().extend(errors)
            elif field == "indicators":
                self.indicators.non_form_errors().extend(errors)
            else:
                self.goal.add_error(field if field in self.goal.fields else None, errors)


class SignForm(TextRulesMixin, forms.Form):
    """Typed name and password; the view checks the password, the service the name."""

    typed_name = forms.CharField(
        label=_("Your full name"),
        max_length=limits.TYPED_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Type it as it appears on your account; it is your signature."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm it is really you signing."),
    )
    content_hash = forms.CharField(max_length=64, widget=forms.HiddenInput)
