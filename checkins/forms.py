"""Forms for meetings and check-ins. They parse and check input; services do the writing."""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.dates import DateWindowFormMixin
from accounts.formsets import BoundedFormSet, bounded_formset_factory
from accounts.validators import TextRulesMixin
from contracts.models import Indicator

from . import charts, limits, schedule, services

RATINGS = [(value, str(value)) for value in range(1, 6)]
RATING_HELP = _("1 = not at all, 5 = fully")


def _rating(label, help_text=RATING_HELP, required=True):
    return forms.TypedChoiceField(
        label=label,
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=help_text,
        required=required,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )


# Meetings ----------------------------------------------------------------------------------


class MeetingForm(DateWindowFormMixin, TextRulesMixin, forms.Form):
    """A date and time in the pair's time zone, and a length."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=services.MIN_MINUTES,
        max_value=services.MAX_MINUTES,
        initial=60,
    )
    note = forms.CharField(
        label=_("Note for your partner"),
        max_length=limits.MEETING_NOTE_MAX,
        required=False,
        help_text=_("Optional. Sent with the email that tells your partner."),
    )

    def __init__(self, *args, timezone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone = timezone
        self.fields["time"].help_text = _("In the time zone %(zone)s.") % {"zone": timezone}

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            local = datetime.datetime.combine(data["date"], data["time"])
            data["starts_at"] = schedule.to_utc(local, schedule.zone(self.timezone))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"starts_at": data["starts_at"], "minutes": data["minutes"], "note": data["note"]}


class MeetingCancelForm(TextRulesMixin, forms.Form):
    note = forms.CharField(
        label=_("Message for your partner"),
        max_length=limits.MEETING_NOTE_MAX,
        required=False,
        help_text=_("Optional, e.g. why, or when you could meet instead."),
    )


# Check-ins ---------------------------------------------------------------------------------


class CheckInForm(TextRulesMixin, forms.Form):
    learned = forms.CharField(
        label=_("What I learned"),
        required=False,
        max_length=limits.CHECKIN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    taught = forms.CharField(
        label=_("What I taught"),
        required=False,
        max_length=limits.CHECKIN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    blockers = forms.CharField(
        label=_("Blockers"),
        required=False,
        max_length=limits.CHECKIN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fears, obstacles, procrastination: what stands in your way?"),
    )
    time_effectiveness = _rating(_("How effectively did we spend our time since the last meeting?"))
    confidence = _rating(_("How confident am I that I'll reach my goals?"))
    help_rating = _rating(
        _("How much did my partner's help since the last meeting help me?"),
        help_text=_("1 = not at all, 5 = a great deal"),
    )
    help_example = forms.CharField(
        label=_("One example of that help"),
        max_length=limits.HELP_EXAMPLE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Name one example, even a small one.")},
    )
    # Set on the form for a first check-in: sent again after the first one was saved (a
    # double-click, a second tab), it is refused as done already instead of read as an edit.
    is_new = forms.BooleanField(required=False, widget=forms.HiddenInput)


class GoalProgressForm(TextRulesMixin, forms.Form):
    rating = _rating(_("Progress"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=limits.GOAL_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal


class NumberField(forms.DecimalField):
    """A decimal typed with a point or a comma ("3.5" or "3,5").

    A text input with a decimal keyboard rather than <input type="number">, which some
    browsers silently turn "3,5" into 35.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {}  # no min/max/step: those are for number inputs


class IndicatorValueForm(TextRulesMixin, forms.Form):
    YES_NO = [("", _("Not measured")), ("yes", _("Yes, met")), ("no", _("Not yet"))]

    note = forms.CharField(label=_("Note"), max_length=limits.INDICATOR_NOTE_MAX, required=False)

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator.kind == Indicator.Kind.YES_NO:
            self.fields["met"] = forms.TypedChoiceField(
                label=_("Met?"),
                choices=self.YES_NO,
                coerce=lambda value: value == "yes",
                empty_value=None,
                required=False,
            )
        else:
            label = _("Current value")
            if indicator.unit:
                label = _("Current value (%(unit)s)") % {"unit": indicator.unit}
            self.fields["value"] = NumberField(
                label=label,
                max_digits=12,
                decimal_places=2,
                required=False,
                error_messages={"invalid": _("Enter a number, e.g. 12 or 3.5.")},
            )
        self.order_fields(["value", "met", "note"])

    def reading(self) -> services.IndicatorReading:
        data = self.cleaned_data
        return services.IndicatorReading(
            indicator=self.indicator,
            value=data.get("value"),
            met=data.get("met"),
            note=data.get("note", ""),
        )


class NextStepForm(DateWindowFormMixin, TextRulesMixin, forms.Form):
    description = forms.CharField(
        label=_("Next step"), max_length=limits.NEXT_STEP_MAX, required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args, partners, today: datetime.date, kept=frozenset(), owners=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = partners
        owner.empty_label = _("Who?")
        if owners is not None:
            # The partners read once for all the rows (`owners`, from `partners`): a
            # ModelChoiceField would query them again for each row it shows.
            owner.choices = [
                ("", owner.empty_label),
                *((user.pk, owner.label_from_instance(user)) for user in owners),
            ]
        self.today, self.kept = today, kept

    def clean(self):
        data = super().clean()
        if not data.get("description", "").strip():
            if data.get("owner") or data.get("due_on"):
                self.add_error("description", _("Describe the next step, or clear this row."))
            return data
        if not data.get("owner"):
            self.add_error("owner", _("Choose who will do it."))
        due_on = data.get("due_on")
        if not due_on:
            self.add_error("due_on", _("Give it a due date."))
        elif due_on < self.today and self._key(data) not in self.kept:
            self.add_error("due_on", _("The due date can't be in the past."))
        return data

    @staticmethod
    def _key(data):
        owner = data.get("owner")
        return (data.get("description", "").strip(), owner.pk if owner else None, data["due_on"])


class BaseNextStepFormSet(BoundedFormSet):
    def steps(self) -> list[services.NextStepInput]:
        return [
            services.NextStepInput(
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
            for form in self.forms
            if form.cleaned_data.get("description", "").strip()
        ]


MAX_NEXT_STEPS = 10

NextStepFormSet = bounded_formset_factory(
    NextStepForm, formset=BaseNextStepFormSet, extra=0, max_num=MAX_NEXT_STEPS
)


class NextStepChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(step)s (%(owner)s, due %(date)s)") % {
            "step": obj.description,
            "owner": obj.owner.display_name,
            "date": date_format(obj.due_on, "j M"),
        }


class DoneStepsForm(forms.Form):
    done = NextStepChoiceField(
        label=_("Next steps that are done"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, open_steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done"].queryset = open_steps


class CheckInForms:
    """The check-in page's forms, bound together: the check-in itself, a progress form per
    goal, a value form per indicator, the new next steps and the open ones marked done."""

    def __init__(
        self, data=None, *, goals, partners, open_steps, today, checkin=None, help_measure=""
    ):
        initial = _initial(checkin)
        kept = frozenset(initial["kept"])
        self.main = CheckInForm(data, initial=initial["main"] or {"is_new": True})
        if help_measure:
            # The contract's own words for how the pair measures the help.
            self.main.fields["help_rating"].help_text = _(
                "1 = not at all, 5 = a great deal. Your contract says: “%(measure)s”"
            ) % {"measure": help_measure}
        self.goals = [
            GoalProgressForm(
                data, goal=goal, prefix=f"goal-{goal.pk}", initial=initial["goals"].get(goal.pk)
            )
            for goal in goals
        ]
        self.indicators = {
            goal.pk: [
                IndicatorValueForm(
                    data,
                    indicator=indicator,
                    prefix=f"indicator-{indicator.pk}",
                    initial=initial["indicators"].get(indicator.pk),
                )
                for indicator in goal.indicators.all()
            ]
            for goal in goals
        }
        steps = initial["steps"]
        self.steps = NextStepFormSet(
            data,
            prefix="steps",
            initial=steps,
            # Every row is cleaned, also one left as it was when editing: an unchanged row
            # is still a next step to keep (a blank row is skipped by NextStepForm itself).
            form_kwargs={
                "partners": partners,
                "owners": list(partners),
                "today": today,
                "kept": kept,
                "empty_permitted": False,
            },
        )
        if data is None:
            self.steps.extra = max(2, 3 - len(steps))
        self.done = DoneStepsForm(data, open_steps=open_steps, prefix="open")

    def goal_rows(self):
        return [(form, self.indicators[form.goal.pk]) for form in self.goals]

    def all_forms(self):
        indicator_forms = [form for forms_ in self.indicators.values() for form in forms_]
        return [self.main, *self.goals, *indicator_forms, self.steps, self.done]

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all_forms()])

    def service_kwargs(self) -> dict:
        main = self.main.cleaned_data
        return {
            "learned": main["learned"],
            "taught": main["taught"],
            "blockers": main["blockers"],
            "time_effectiveness": main["time_effectiveness"],
            "confidence": main["confidence"],
            "help_rating": main["help_rating"],
            "help_example": main["help_example"],
            "goals": [
                services.GoalRating(
                    goal=form.goal,
                    rating=form.cleaned_data["rating"],
                    note=form.cleaned_data["note"],
                )
                for form in self.goals
            ],
            "indicators": [
                form.reading() for forms_ in self.indicators.values() for form in forms_
            ],
            "next_steps": self.steps.steps(),
            "done_steps": list(self.done.cleaned_data["done"]),
        }


def _initial(checkin) -> dict:
    """What an existing check-in said, as the forms' initial data (for editing it)."""
    empty = {"main": None, "goals": {}, "indicators": {}, "steps": [], "kept": []}
    if checkin is None:
        return empty
    yes_no = {True: "yes", False: "no", None: ""}
    steps = list(checkin.next_steps.all())
    return {
        "main": {
            "learned": checkin.learned,
            "taught": checkin.taught,
            "blockers": checkin.blockers,
            "time_effectiveness": checkin.time_effectiveness,
            "confidence": checkin.confidence,
            "help_rating": checkin.help_rating,
            "help_example": checkin.help_example,
        },
        "goals": {
            progress.goal_id: {"rating": progress.rating, "note": progress.note}
            for progress in checkin.goal_progress.all()
        },
        "indicators": {
            value.indicator_id: {
                "value": _plain(value.value),
                "met": yes_no[value.met],
                "note": value.note,
            }
            for value in checkin.indicator_values.all()
        },
        "steps": [
            {"description": step.description, "owner": step.owner, "due_on": step.due_on}
            for step in steps
        ],
        "kept": [(step.description, step.owner_id, step.due_on) for step in steps],
    }


def _plain(value):
    """12.50 as "12.5" and 100.00 as "100", for the number inputs."""
    return None if value is None else charts.number(value)
