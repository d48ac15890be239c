from django.urls import include, path

from . import views

COHORT = "o/<slug:org_slug>/cohorts/<int:cohort_id>/"

urlpatterns = [
    path(f"{COHORT}matching/", views.matching_cohort, name="matching_cohort"),
    path(f"{COHORT}matching/settings/", views.matching_settings, name="matching_settings"),
    path(f"{COHORT}matching/run/", views.matching_run_start, name="matching_run_start"),
    path(f"{COHORT}matching/members/", views.matching_member_search, name="matching_member_search"),
    path(f"{COHORT}matching/pairs/new/", views.matching_pair_manual, name="matching_pair_manual"),
    path(f"{COHORT}matching/publish/", views.matching_publish, name="matching_publish"),
    path(f"{COHORT}matching/wishes/", views.matching_wish, name="matching_wish"),
    path(f"{COHORT}partner/", views.my_partner, name="my_partner"),
    path(f"{COHORT}suggestions/", views.matching_suggestions, name="matching_suggestions"),
    path(f"{COHORT}requests/new/", views.partner_request_create, name="partner_request_create"),
    path(
        "o/<slug:org_slug>/matching/runs/<int:run_id>/status/",
        views.matching_run_status,
        name="matching_run_status",
    ),
    path("o/<slug:org_slug>/pairs/<int:pair_id>/lock/", views.pair_lock, name="pair_lock"),
    path("o/<slug:org_slug>/pairs/<int:pair_id>/forbid/", views.pair_forbid, name="pair_forbid"),
    path("o/<slug:org_slug>/pairs/<int:pair_id>/respond/", views.pair_respond, name="pair_respond"),
    path(
        "o/<slug:org_slug>/requests/<int:request_id>/answer/",
        views.partner_request_answer,
        name="partner_request_answer",
    ),
    # The partners' thread, a feature package with its own routes.
    path("", include("matching.conversation.urls")),
]
