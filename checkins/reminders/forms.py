from django import forms

from ..models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm):
    """The switches; saving goes through `reminders.notification_preferences_update`."""

    class Meta:
        model = NotificationPreference
        fields = [
            "meeting_day_before",
            "meeting_hour_before",
            "checkin_nudge",
            "coordinator_digest",
            "program_messages",
            "checkin_replies",
            "partner_nudges",
        ]
