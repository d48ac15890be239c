"""Ending, reviewing and renewing a partnership, and marking goals achieved."""

from django.urls import path

from . import views

PAIR = "o/<slug:org_slug>/pairs/<int:pair_id>/"

urlpatterns = [
    path(f"{PAIR}end/", views.partnership_end, name="partnership_end"),
    path(f"{PAIR}review/", views.partnership_review, name="partnership_review"),
    path(f"{PAIR}goals/<int:goal_id>/achieved/", views.goal_achieved, name="goal_achieved"),
    path(
        f"{PAIR}goals/<int:goal_id>/achieved/undo/",
        views.goal_achieved_undo,
        name="goal_achieved_undo",
    ),
]
