from django.urls import path

from . import views

urlpatterns = [
    # Public: anyone holding a contract PDF (or its hash) can check it.
    path("verify/", views.contract_verify, name="contract_verify"),
    path(
        "o/<slug:org_slug>/contracts/<int:contract_id>/pdf/",
        views.contract_pdf,
        name="contract_pdf",
    ),
    path(
        "o/<slug:org_slug>/cohorts/<int:cohort_id>/contracts/export/",
        views.cohort_contracts_export,
        name="cohort_contracts_export",
    ),
    path(
        "o/<slug:org_slug>/exports/<int:export_id>/",
        views.contract_export_status,
        name="contract_export_status",
    ),
    path(
        "o/<slug:org_slug>/exports/<int:export_id>/status/",
        views.contract_export_status_json,
        name="contract_export_status_json",
    ),
    path(
        "o/<slug:org_slug>/exports/<int:export_id>/download/",
        views.contract_export_download,
        name="contract_export_download",
    ),
]
