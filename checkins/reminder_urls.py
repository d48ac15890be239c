"""Reminder routes. Not under an organization: preferences and unsubscribing are per person."""

from django.urls import path

from . import reminder_views

urlpatterns = [
    path(
        "notifications/", reminder_views.notification_preferences, name="notification_preferences"
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        reminder_views.reminder_unsubscribe,
        name="reminder_unsubscribe",
    ),
]
