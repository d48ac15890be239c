import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.dates import DateWindowFormMixin
from accounts.validators import TextRulesMixin

from .. import limits


class MessageForm(TextRulesMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=limits.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class IntroCallForm(DateWindowFormMixin, forms.Form):
    """A time for the intro call, typed in the member's own time zone (the one the page is
    shown in)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        latest = today + datetime.timedelta(days=limits.INTRO_CALL_DAYS_AHEAD)
        self.fields["date"].widget.attrs.update(min=today.isoformat(), max=latest.isoformat())
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        local = datetime.datetime.combine(data["date"], data["time"])
        return timezone.make_aware(local, timezone.get_current_timezone())


class IntroCallAcceptForm(forms.Form):
    """The time the member saw when they accepted, so that a changed proposal isn't accepted."""

    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
