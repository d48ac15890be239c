"""The coordinator's cockpit (a cohort's lifecycle and CSV exports) and the closing survey."""

from django.urls import path

from . import cockpit_views as views

COHORT = "o/<slug:org_slug>/cohorts/<int:cohort_id>/"

urlpatterns = [
    path(f"{COHORT}lifecycle/", views.cohort_lifecycle, name="cohort_lifecycle"),
    path(f"{COHORT}lifecycle/advance/", views.cohort_advance, name="cohort_advance"),
    path(f"{COHORT}lifecycle/back/", views.cohort_step_back, name="cohort_step_back"),
    path(f"{COHORT}lifecycle/close/", views.cohort_close, name="cohort_close"),
    path(f"{COHORT}survey/", views.closing_survey, name="closing_survey"),
    path(f"{COHORT}exports/", views.cohort_exports, name="cohort_exports"),
    path(f"{COHORT}exports/<str:kind>.csv", views.cohort_export, name="cohort_export"),
]
