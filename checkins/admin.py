"""Admin for meetings, check-ins and calendar feeds.

Check-ins are private to the partners: the admin lists them (who, which meeting, when) but
does not show what they wrote. Reminders and notification preferences are the reminders
module's to register.
"""

from django.contrib import admin

from accounts.dates import DateWindowAdminMixin

from .models import CalendarFeed, CheckIn, Meeting, NextStep


@admin.register(Meeting)
class MeetingAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "pair_id",
        "starts_at",
        "ends_at",
        "status",
        "origin",
        "sequence",
        "revision",
    ]
    list_filter = ["status", "origin", "organization"]
    raw_id_fields = ["organization", "cohort", "pair", "contract", "updated_by"]
    date_hierarchy = "starts_at"


@admin.register(CheckIn)
class CheckInAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["meeting", "user", "created_at"]
    list_select_related = ["meeting", "user"]
    raw_id_fields = ["meeting", "user"]
    # The private content (learned, taught, blockers) is left out on purpose.
    fields = ["meeting", "user", "time_effectiveness", "confidence", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(NextStep)
class NextStepAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "pair_id", "owner", "due_on", "done_at"]
    list_select_related = ["owner"]
    raw_id_fields = ["pair", "checkin", "owner"]
    fields = ["pair", "checkin", "owner", "due_on", "done_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # The token is a credential: not shown.
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
