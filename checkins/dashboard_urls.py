"""The coordinators' dashboards: a cohort's funnel, pairs and charts, and a program's cohorts."""

from django.urls import path

from . import dashboard_views

ORG = "o/<slug:org_slug>/"
COHORT = f"{ORG}cohorts/<int:cohort_id>/"

urlpatterns = [
    path(f"{COHORT}dashboard/", dashboard_views.cohort_dashboard, name="cohort_dashboard"),
    path(
        f"{COHORT}dashboard/<str:step>/",
        dashboard_views.cohort_funnel_step,
        name="cohort_funnel_step",
    ),
    path(
        f"{ORG}programs/<int:program_id>/dashboard/",
        dashboard_views.program_dashboard,
        name="program_dashboard",
    ),
]
