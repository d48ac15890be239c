from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.language_set, name="language_set"),
    path("orgs/new/", views.organization_create, name="organization_create"),
    path("", include("accounts.welcome.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/decline/", views.invitation_decline, name="invitation_decline"),
    path("o/<slug:org_slug>/", views.organization_detail, name="organization_detail"),
    path("o/<slug:org_slug>/members/", views.organization_members, name="organization_members"),
    path(
        "o/<slug:org_slug>/members/<int:membership_id>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path("o/<slug:org_slug>/programs/new/", views.program_create, name="program_create"),
    path(
        "o/<slug:org_slug>/programs/<int:program_id>/",
        views.program_detail,
        name="program_detail",
    ),
    path(
        "o/<slug:org_slug>/programs/<int:program_id>/edit/",
        views.program_edit,
        name="program_edit",
    ),
    path(
        "o/<slug:org_slug>/programs/<int:program_id>/cohorts/new/",
        views.cohort_create,
        name="cohort_create",
    ),
    path("o/<slug:org_slug>/cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort_detail"),
    path("o/<slug:org_slug>/cohorts/<int:cohort_id>/edit/", views.cohort_edit, name="cohort_edit"),
    path(
        "o/<slug:org_slug>/cohorts/<int:cohort_id>/invite/",
        views.cohort_invite,
        name="cohort_invite",
    ),
    path(
        "o/<slug:org_slug>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "o/<slug:org_slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("o/<slug:org_slug>/audit/", views.audit_log, name="audit_log"),
    path(
        "o/<slug:org_slug>/security/",
        views.organization_security,
        name="organization_security",
    ),
]
