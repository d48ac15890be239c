from django.urls import path

from . import views

urlpatterns = [
    path(
        "o/<slug:org_slug>/cohorts/<int:cohort_id>/import/",
        views.member_import,
        name="member_import",
    ),
    path(
        "o/<slug:org_slug>/cohorts/<int:cohort_id>/import/confirm/",
        views.member_import_confirm,
        name="member_import_confirm",
    ),
    path(
        "o/<slug:org_slug>/cohorts/<int:cohort_id>/import/example.csv",
        views.member_import_example,
        name="member_import_example",
    ),
]
