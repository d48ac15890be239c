"""The check-in routes: pair pages, meetings, check-ins and calendar feeds, then the routes of
the feature packages (oversight, partnership, privacy, reminders, replies)."""

from django.urls import include, path

from . import views

ORG = "o/<slug:org_slug>/"
MEETING = f"{ORG}meetings/<int:meeting_id>/"

urlpatterns = [
    path(f"{ORG}pairs/<int:pair_id>/", views.pair_detail, name="pair_detail"),
    path(f"{ORG}pairs/<int:pair_id>/meetings/new/", views.meeting_add, name="meeting_add"),
    path(f"{ORG}pairs/<int:pair_id>/meetings/record/", views.meeting_record, name="meeting_record"),
    path(f"{MEETING}reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path(f"{MEETING}cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(f"{MEETING}ics/", views.meeting_ics, name="meeting_ics"),
    path(f"{MEETING}checkin/", views.checkin_create, name="checkin_create"),
    # The calendar: not under an organization, since the feed holds all of a user's meetings.
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/reset/", views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # The features on top of the check-ins, each a package with its own routes.
    path("", include("checkins.oversight.urls")),
    path("", include("checkins.partnership.urls")),
    path("", include("checkins.privacy.urls")),
    path("", include("checkins.reminders.urls")),
    path("", include("checkins.replies.urls")),
]
