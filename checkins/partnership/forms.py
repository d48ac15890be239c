from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.dates import DateWindowFormMixin
from accounts.validators import TextRulesMixin

from .. import limits
from ..models import PartnershipReview
from .services import CHOSEN_REASONS


class EndPartnershipForm(TextRulesMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does the partnership end?"),
        choices=[(r.value, r.label) for r in CHOSEN_REASONS],
        widget=forms.RadioSelect,
        help_text=_("Only your coordinators see the reason; your partner doesn't."),
    )
    note = forms.CharField(
        label=_("Anything your coordinators should know?"),
        max_length=limits.ENDING_NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional, and only your coordinators see it."),
    )
    wrap_up = forms.TypedChoiceField(
        label=_("Keep one meeting to wrap up"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Optional. A last meeting to look back together and say goodbye; every other "
            "planned meeting is cancelled."
        ),
    )

    def __init__(self, *args, meetings, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {meeting.pk: meeting for meeting in meetings}
        choices = [("", _("No wrap-up meeting"))]
        zone_note = _("Times in %(zone)s.") % {"zone": zone.key}
        self.fields["wrap_up"].help_text = f"{self.fields['wrap_up'].help_text} {zone_note}"
        for meeting in meetings:
            local = timezone.localtime(meeting.starts_at, zone)
            choices.append((meeting.pk, date_format(local, "D j M Y, H:i")))
        self.fields["wrap_up"].choices = choices
        if len(choices) == 1:
            del self.fields["wrap_up"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "note": data["note"],
            "wrap_up": self.meetings.get(data.get("wrap_up")),
        }


class GoalAchievedForm(DateWindowFormMixin, forms.Form):
    achieved_on = forms.DateField(
        label=_("Achieved on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"achieved_on": timezone.localdate})
        super().__init__(*args, **kwargs)


class ReviewChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("How do you want to go on?"),
        choices=PartnershipReview.Choice.choices,
        widget=forms.RadioSelect,
    )
