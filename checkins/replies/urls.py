"""The thread of replies to one check-in."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "o/<slug:org_slug>/checkins/<int:checkin_id>/replies/",
        views.checkin_replies,
        name="checkin_replies",
    ),
]
