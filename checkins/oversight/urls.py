"""The coordinator's oversight pages: a cohort's dashboard, funnel steps, lifecycle, exports and
closing survey, and a program's dashboard."""

from django.urls import path

from . import views

ORG = "o/<slug:org_slug>/"
COHORT = f"{ORG}cohorts/<int:cohort_id>/"

urlpatterns = [
    path(f"{COHORT}dashboard/", views.cohort_dashboard, name="cohort_dashboard"),
    path(f"{COHORT}dashboard/<str:step>/", views.cohort_funnel_step, name="cohort_funnel_step"),
    path(f"{COHORT}pairs/", views.cohort_pairs_health, name="cohort_pairs_health"),
    path(
        f"{ORG}programs/<int:program_id>/dashboard/",
        views.program_dashboard,
        name="program_dashboard",
    ),
    path(f"{COHORT}lifecycle/", views.cohort_lifecycle, name="cohort_lifecycle"),
    path(f"{COHORT}lifecycle/advance/", views.cohort_advance, name="cohort_advance"),
    path(f"{COHORT}lifecycle/back/", views.cohort_step_back, name="cohort_step_back"),
    path(f"{COHORT}lifecycle/close/", views.cohort_close, name="cohort_close"),
    path(f"{COHORT}survey/", views.closing_survey, name="closing_survey"),
    path(f"{COHORT}exports/", views.cohort_exports, name="cohort_exports"),
    path(f"{COHORT}exports/<str:kind>.csv", views.cohort_export, name="cohort_export"),
]
