"""Forms of the coordinator's cockpit (lifecycle, exports) and the members' closing survey.

They only read input; the rules live in `lifecycle` and `survey`.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort
from accounts.validators import TextRulesMixin

from .models import ClosingSurvey
from .survey import WHAT_HELPED_MAX


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
