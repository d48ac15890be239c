from django.urls import include, path

from . import views

urlpatterns = [
    path("o/<slug:org_slug>/profile/", views.profile_edit, name="profile_edit"),
    path("o/<slug:org_slug>/people/<int:user_id>/", views.profile_detail, name="profile_detail"),
    path(
        "o/<slug:org_slug>/people/<int:user_id>/department/",
        views.member_department,
        name="member_department",
    ),
    path(
        "o/<slug:org_slug>/cohorts/<int:cohort_id>/profiles/",
        views.cohort_profiles,
        name="cohort_profiles",
    ),
    path("o/<slug:org_slug>/tags/", views.tag_list, name="tag_list"),
    path("o/<slug:org_slug>/tags/<int:tag_id>/edit/", views.tag_edit, name="tag_edit"),
    path("o/<slug:org_slug>/tags/<int:tag_id>/merge/", views.tag_merge, name="tag_merge"),
    path("o/<slug:org_slug>/tags/<int:tag_id>/retire/", views.tag_retire, name="tag_retire"),
    # The coordinator's member import, a package of its own.
    path("", include("profiles.importing.urls")),
]
