import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import get_cohort_for_coordinator
from accounts.adapters import client_ip
from accounts.idempotency import AlreadyDone, report_refusal
from accounts.lifecycle import cohort_allows, refusal_message
from accounts.view_helpers import apply_errors, paginate, refuse_unless_cohort_allows
from matching.models import Pair

from . import access, selectors, services
from .forms import GoalEditForms, SectionForm, SignForm, TermsForm
from .models import Contract


def _to_contract(contract):
    return redirect("contract_detail", org_slug=contract.organization.slug, contract_id=contract.pk)


def _to_section(contract):
    return redirect(
        "contract_section_edit", org_slug=contract.organization.slug, contract_id=contract.pk
    )


def _saved(request, contract: Contract) -> None:
    """Say when the change was saved, in the meetings' time zone once the partners set one."""
    zone = contract.timezone or "UTC"
    now = timezone.localtime(timezone=zoneinfo.ZoneInfo(zone))
    messages.success(
        request, _("Saved at %(time)s (%(zone)s).") % {"time": f"{now:%H:%M}", "zone": zone}
    )


def _refused(request, contract: Contract, action: str):
    """Back to the contract, saying why, when the cohort's state doesn't allow `action`."""
    back = reverse(
        "contract_detail",
        kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk},
    )
    return refuse_unless_cohort_allows(request, contract.cohort, action, back=back)


def _unless_draft(request, contract: Contract):
    """Editing pages of a version that is no longer a draft, or of a cohort whose state no
    longer allows writing contracts, send back to the contract."""
    if refused := _refused(request, contract, "write_contracts"):
        return refused
    if contract.status == Contract.Status.DRAFT:
        return None
    reasons = {
        Contract.Status.READY: services.LOCKED_MESSAGE,
        Contract.Status.SIGNED: services.SIGNED_MESSAGE,
        Contract.Status.SUPERSEDED: services.SUPERSEDED_MESSAGE,
    }
    messages.info(request, reasons[contract.status])
    return _to_contract(contract)


def _act(request, contract, service, success: str, failure: str = "%(reasons)s", **kwargs):
    """Run a one-click action (a POST without a form) and report how it went."""
    try:
        result = service(contract=contract, **kwargs)
    except ValidationError as error:
        report_refusal(request, error, failure)
        return _to_contract(contract)
    messages.success(request, success)
    return _to_contract(result if isinstance(result, Contract) else contract)


# Reading -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pair_contract(request, org_slug, pair_id):
    """The pair's current contract; without one, a partner starts the first draft with a POST
    (a GET never writes)."""
    pair = access.get_pair_for_viewer(request, org_slug, pair_id)
    contract = selectors.pair_current_contract(pair=pair)
    can_start = (
        contract is None
        and pair.viewer_is_partner
        and pair.status == Pair.Status.ACTIVE
        and cohort_allows(pair.cohort, "write_contracts")
    )
    if request.method == "POST" and can_start:
        try:
            contract = services.contract_start(pair=pair, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    if contract is not None:
        return _to_contract(contract)
    context = {
        "organization": pair.organization,
        "pair": pair,
        "partners": selectors.pair_partners(pair=pair),
        "can_start": can_start,
        "state_note": ""
        if cohort_allows(pair.cohort, "write_contracts")
        else refusal_message(pair.cohort, "write_contracts"),
    }
    return render(request, "contracts/pair_contract_empty.html", context)


@login_required
@require_GET
def contract_detail(request, org_slug, contract_id):
    contract = access.get_contract_for_viewer(request, org_slug, contract_id)
    context = selectors.contract_page(
        contract=contract, user=request.user, is_coordinator=request.membership.is_coordinator
    )
    return render(request, "contracts/contract_detail.html", context)


@login_required
@require_GET
def cohort_contracts(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "page": paginate(request, selectors.cohort_contract_pairs(cohort=cohort)),
        "counts": selectors.cohort_contract_counts(cohort=cohort),
    }
    return render(request, "contracts/cohort_contracts.html", context)


# Editing a draft -----------------------------------------------------------------------------


@login_required
def contract_section_edit(request, org_slug, contract_id):
    section = access.get_section_for_partner(request, org_slug, contract_id)
    if request.method == "GET" and (response := _unless_draft(request, section.contract)):
        return response
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_section_update(
                section=section, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            _saved(request, section.contract)
            return _to_section(section.contract)
    context = {**selectors.section_page(section=section), "form": form}
    return render(request, "contracts/section_edit.html", context)


def _goal_page(request, section, goal=None):
    forms = GoalEditForms(request.POST or None, section=section, goal=goal)
    if request.method == "POST" and forms.is_valid():
        try:
            services.goal_save(
                section=section, actor=request.user, goal=goal, **forms.service_kwargs()
            )
        except ValidationError as error:
            forms.add_error(error)
        else:
            _saved(request, section.contract)
            return _to_section(section.contract)
    context = {
        "contract": section.contract,
        "organization": section.contract.organization,
        "section": section,
        "goal": goal,
        "forms": forms,
    }
    return render(request, "contracts/goal_form.html", context)


@login_required
def contract_goal_add(request, org_slug, contract_id):
    section = access.get_section_for_partner(request, org_slug, contract_id)
    if request.method == "GET" and (response := _unless_draft(request, section.contract)):
        return response
    return _goal_page(request, section)


@login_required
def contract_goal_edit(request, org_slug, contract_id, goal_id):
    goal = access.get_goal_for_partner(request, org_slug, contract_id, goal_id)
    if request.method == "GET" and (response := _unless_draft(request, goal.section.contract)):
        return response
    return _goal_page(request, goal.section, goal)


@login_required
@require_POST
def contract_goal_delete(request, org_slug, contract_id, goal_id):
    goal = access.get_goal_for_partner(request, org_slug, contract_id, goal_id)
    contract = goal.section.contract
    try:
        services.goal_delete(goal=goal, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_contract(contract)
    messages.success(request, _("The goal was removed."))
    return _to_section(contract)


@login_required
def contract_terms_edit(request, org_slug, contract_id):
    contract = access.get_contract_for_partner(request, org_slug, contract_id)
    if request.method == "GET" and (response := _unless_draft(request, contract)):
        return response
    form = TermsForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_terms_update(
                contract=contract, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            _saved(request, contract)
            return _to_contract(contract)
    context = {"contract": contract, "organization": contract.organization, "form": form}
    return render(request, "contracts/terms_form.html", context)


# Locking, signing, amending ------------------------------------------------------------------


@login_required
@require_POST
def contract_ready(request, org_slug, contract_id):
    contract = access.get_contract_for_partner(request, org_slug, contract_id)
    return _act(
        request,
        contract,
        services.contract_mark_ready,
        _("The contract is locked and ready for signature. Your partner has been told."),
        _("The contract can't be marked ready yet. %(reasons)s"),
        actor=request.user,
    )


@login_required
@require_POST
def contract_reopen(request, org_slug, contract_id):
    contract = access.get_contract_for_partner(request, org_slug, contract_id)
    return _act(
        request,
        contract,
        services.contract_reopen,
        _("The contract is open for edits again. Mark it ready when you are both done."),
        actor=request.user,
    )


@login_required
def contract_sign(request, org_slug, contract_id):
    contract = access.get_contract_for_partner(request, org_slug, contract_id)
    if refused := _refused(request, contract, "sign_contracts"):
        return refused
    form = SignForm(request.POST or None, initial={"content_hash": contract.content_hash})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_sign_reauthenticate(
                contract=contract, user=request.user, password=data["password"]
            )
            services.contract_sign(
                contract=contract,
                user=request.user,
                typed_name=data["typed_name"],
                content_hash=data["content_hash"],
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except AlreadyDone as error:
            report_refusal(request, error)
            return _to_contract(contract)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("You signed the contract."))
            return _to_contract(contract)
    context = {
        **selectors.contract_page(contract=contract, user=request.user, is_coordinator=False),
        "form": form,
    }
    return render(request, "contracts/sign.html", context)


@login_required
@require_POST
def contract_withdraw(request, org_slug, contract_id):
    contract = access.get_contract_for_partner(request, org_slug, contract_id)
    return _act(
        request,
        contract,
        services.contract_withdraw_signature,
        _("Your signature was withdrawn."),
        user=request.user,
    )


@login_required
def contract_amend(request, org_slug, contract_id):
    contract = access.get_contract_for_partner(request, org_slug, contract_id)
    if request.method == "POST":
        return _act(
            request,
            contract,
            services.contract_amend,
            _(
                "Amendment started: a new draft version with the same content. The signed "
                "version stays in force until you have both signed the new one."
            ),
            actor=request.user,
        )
    context = {"contract": contract, "organization": contract.organization}
    return render(request, "contracts/amend_confirm.html", context)
