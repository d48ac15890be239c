"""Reminder routes. Not under an organization: preferences and unsubscribing are per person."""

from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_preferences, name="notification_preferences"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.reminder_unsubscribe,
        name="reminder_unsubscribe",
    ),
]
