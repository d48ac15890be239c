from django.urls import include, path

from . import views

CONTRACT = "o/<slug:org_slug>/contracts/<int:contract_id>/"

urlpatterns = [
    path(
        "o/<slug:org_slug>/pairs/<int:pair_id>/contract/", views.pair_contract, name="pair_contract"
    ),
    path(
        "o/<slug:org_slug>/cohorts/<int:cohort_id>/contracts/",
        views.cohort_contracts,
        name="cohort_contracts",
    ),
    path(CONTRACT, views.contract_detail, name="contract_detail"),
    path(f"{CONTRACT}section/", views.contract_section_edit, name="contract_section_edit"),
    path(f"{CONTRACT}section/goals/new/", views.contract_goal_add, name="contract_goal_add"),
    path(
        f"{CONTRACT}section/goals/<int:goal_id>/",
        views.contract_goal_edit,
        name="contract_goal_edit",
    ),
    path(
        f"{CONTRACT}section/goals/<int:goal_id>/delete/",
        views.contract_goal_delete,
        name="contract_goal_delete",
    ),
    path(f"{CONTRACT}terms/", views.contract_terms_edit, name="contract_terms_edit"),
    path(f"{CONTRACT}ready/", views.contract_ready, name="contract_ready"),
    path(f"{CONTRACT}reopen/", views.contract_reopen, name="contract_reopen"),
    path(f"{CONTRACT}sign/", views.contract_sign, name="contract_sign"),
    path(f"{CONTRACT}withdraw/", views.contract_withdraw, name="contract_withdraw"),
    path(f"{CONTRACT}amend/", views.contract_amend, name="contract_amend"),
    # Contract PDFs, the public verification page and cohort exports, a package of their own.
    path("", include("contracts.documents.urls")),
]
