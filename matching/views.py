from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_cohort_for_coordinator, get_cohort_for_member
from accounts.idempotency import AlreadyDone, report_refusal
from accounts.lifecycle import cohort_allows, refusal_message
from accounts.view_helpers import apply_errors, paginate, refuse_unless_cohort_allows

from . import access, selectors, services
from .forms import (
    ManualPairForm,
    MatchSettingsForm,
    PairForbidForm,
    PairLockForm,
    PairResponseForm,
    PartnerRequestAnswerForm,
    PartnerRequestForm,
    RunStartForm,
    WishForm,
)
from .models import Pair


def _error(request, error: ValidationError) -> None:
    report_refusal(request, error)


def _refused(request, cohort, action: str):
    back = reverse(
        "matching_cohort", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    return refuse_unless_cohort_allows(request, cohort, action, back=back)


def _to_matching(cohort_or_pair):
    cohort = getattr(cohort_or_pair, "cohort", cohort_or_pair)
    return redirect("matching_cohort", org_slug=cohort.organization.slug, cohort_id=cohort.pk)


_RESPONSE_MESSAGES = {
    Pair.Status.PUBLISHED: gettext_lazy(
        "Thank you! We'll let you know as soon as your partner accepts too."
    ),
    Pair.Status.ACTIVE: gettext_lazy("You are now partners. Time to agree on your goals and meet!"),
    Pair.Status.DECLINED: gettext_lazy(
        "You declined this proposal. Your coordinator will look for another partner."
    ),
}


def _search_url(cohort) -> str:
    return reverse(
        "matching_member_search",
        kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk},
    )


# Coordinators ----------------------------------------------------------------------------


@login_required
@require_GET
def matching_cohort(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    weakest_first = request.GET.get("sort") != "best"
    proposals = paginate(
        request, selectors.cohort_proposals(cohort=cohort, weakest_first=weakest_first)
    )
    selectors.mark_weak(cohort=cohort, pairs=proposals)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "settings_form": MatchSettingsForm(instance=selectors.match_settings_for(cohort=cohort)),
        "counts": selectors.matching_counts(cohort=cohort),
        "run": selectors.latest_run(cohort=cohort),
        "proposals": proposals,
        "weakest_first": weakest_first,
        "published": paginate(
            request, selectors.cohort_published_pairs(cohort=cohort), param="ppage"
        ),
        "unpaired": paginate(request, selectors.unpaired_members(cohort=cohort), param="upage"),
        "wishes": selectors.cohort_mutual_wishes(cohort=cohort),
        "manual_form": ManualPairForm(
            members=selectors.unpaired_members(cohort=cohort), search_url=_search_url(cohort)
        ),
        "state_note": ""
        if cohort_allows(cohort, "run_matching") or cohort_allows(cohort, "rematch_unpaired")
        else refusal_message(cohort, "run_matching"),
    }
    return render(request, "matching/cohort.html", context)


@login_required
@require_GET
@never_cache
def matching_member_search(request, org_slug, cohort_id):
    """The member pickers' suggestions: members without a partner matching `q`, as JSON."""
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    query = request.GET.get("q", "")[:100]
    return JsonResponse({"results": selectors.unpaired_member_search(cohort=cohort, query=query)})


@login_required
@require_POST
def matching_settings(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    form = MatchSettingsForm(request.POST, instance=selectors.match_settings_for(cohort=cohort))
    if form.is_valid():
        try:
            services.match_settings_update(cohort=cohort, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Matching rules saved. They apply from the next run."))
    else:
        messages.error(request, _("The rules could not be saved."))
    return _to_matching(cohort)


@login_required
@require_POST
def matching_wish(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    form = WishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a wish from the list."))
        return _to_matching(cohort)
    data = form.cleaned_data
    try:
        services.wish_set_honoured(
            cohort=cohort,
            actor=request.user,
            user_ids=(data["first"], data["second"]),
            honoured=data["honoured"],
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Saved. It applies from the next run."))
    return _to_matching(cohort)


@login_required
@require_POST
def matching_run_start(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    form = RunStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown matching scope."))
        return _to_matching(cohort)
    try:
        services.matching_run_start(cohort=cohort, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Matching started."))
    except ValidationError as error:
        _error(request, error)
    return _to_matching(cohort)


@login_required
@require_GET
@never_cache
def matching_run_status(request, org_slug, run_id):
    run = access.get_run_for_coordinator(request, org_slug, run_id)
    return JsonResponse(selectors.run_status(run=run))


@login_required
@require_POST
def pair_lock(request, org_slug, pair_id):
    pair = access.get_pair_for_coordinator(request, org_slug, pair_id)
    form = PairLockForm(request.POST)
    if form.is_valid():
        try:
            services.pair_set_locked(pair=pair, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
    return _to_matching(pair)


@login_required
def pair_forbid(request, org_slug, pair_id):
    pair = access.get_pair_for_coordinator(request, org_slug, pair_id)
    if refused := _refused(request, pair.cohort, "review_proposals"):
        return refused
    form = PairForbidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pair_forbid(pair=pair, actor=request.user, **form.cleaned_data)
            messages.success(
                request, _("The proposal was dissolved; these members won't be paired again.")
            )
        except ValidationError as error:
            _error(request, error)
        return _to_matching(pair)
    context = {"organization": pair.organization, "cohort": pair.cohort, "pair": pair, "form": form}
    return render(request, "matching/pair_forbid.html", context)


@login_required
def matching_pair_manual(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if refused := _refused(request, cohort, "review_proposals"):
        return refused
    form = ManualPairForm(
        request.POST or None,
        members=selectors.unpaired_members(cohort=cohort),
        search_url=_search_url(cohort),
    )
    if request.method == "POST" and form.is_valid():
        users = [form.cleaned_data["first"], form.cleaned_data["second"]]
        try:
            services.pair_create_manual(cohort=cohort, actor=request.user, users=users)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Pair created and locked."))
            return _to_matching(cohort)
    context = {"organization": cohort.organization, "cohort": cohort, "form": form}
    return render(request, "matching/pair_manual.html", context)


@login_required
def matching_publish(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if refused := _refused(request, cohort, "review_proposals"):
        return refused
    if request.method == "POST":
        try:
            pairs = services.matching_publish(cohort=cohort, actor=request.user)
            messages.success(
                request,
                ngettext(
                    "%(n)s pair published; its members were emailed.",
                    "%(n)s pairs published; their members were emailed.",
                    len(pairs),
                )
                % {"n": len(pairs)},
            )
        except ValidationError as error:
            _error(request, error)
        return _to_matching(cohort)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "counts": selectors.matching_counts(cohort=cohort),
        "weak": selectors.weak_proposals(cohort=cohort),
    }
    return render(request, "matching/publish.html", context)


# Members ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_partner(request, org_slug, cohort_id):
    cohort = get_cohort_for_member(request, org_slug, cohort_id)
    return _my_partner_page(request, cohort, PairResponseForm())


def _my_partner_page(request, cohort, form):
    pair = selectors.member_pair(cohort=cohort, user=request.user)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "pair": pair,
        "partners": selectors.partner_profiles(pair=pair, user=request.user) if pair else [],
        "in_progress": pair is None and selectors.matching_in_progress(cohort=cohort),
        "allow_requests": selectors.match_settings_for(cohort=cohort).allow_requests
        and cohort_allows(cohort, "answer_pairing"),
        "answer_note": ""
        if cohort_allows(cohort, "answer_pairing")
        else refusal_message(cohort, "answer_pairing"),
        "form": form,
    }
    return render(request, "matching/my_partner.html", context)


@login_required
@require_POST
def pair_respond(request, org_slug, pair_id):
    pair = access.get_pair_for_member(request, org_slug, pair_id)
    form = PairResponseForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["response"] == PairResponseForm.ACCEPT
        try:
            pair = services.pair_respond(
                pair=pair, user=request.user, accept=accept, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _RESPONSE_MESSAGES[pair.status])
        except ValidationError as error:
            _error(request, error)
        return redirect("my_partner", org_slug=org_slug, cohort_id=pair.cohort_id)
    if "reason" in form.errors:
        # A reason too long, or with characters it can't hold, is shown with the error.
        return _my_partner_page(request, pair.cohort, form)
    messages.error(request, _("Choose to accept or to decline."))
    return redirect("my_partner", org_slug=org_slug, cohort_id=pair.cohort_id)


@login_required
@require_GET
def matching_suggestions(request, org_slug, cohort_id):
    cohort = get_cohort_for_member(request, org_slug, cohort_id)
    in_state = cohort_allows(cohort, "answer_pairing")
    allowed = selectors.match_settings_for(cohort=cohort).allow_requests and in_state
    outgoing = list(selectors.outgoing_requests(cohort=cohort, user=request.user))
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "allowed": allowed,
        "state_note": "" if in_state else refusal_message(cohort, "answer_pairing"),
        "paired": selectors.is_paired(cohort=cohort, user=request.user),
        "suggestions": selectors.member_suggestions(cohort=cohort, user=request.user)
        if allowed
        else None,
        "incoming": selectors.incoming_requests(cohort=cohort, user=request.user),
        "outgoing": outgoing,
        "requested_ids": {r.to_user_id for r in outgoing if r.status == r.Status.PENDING},
    }
    return render(request, "matching/suggestions.html", context)


@login_required
@require_POST
def partner_request_create(request, org_slug, cohort_id):
    cohort = get_cohort_for_member(request, org_slug, cohort_id)
    form = PartnerRequestForm(request.POST, members=selectors.cohort_members(cohort=cohort))
    if form.is_valid():
        try:
            services.partner_request_create(
                cohort=cohort, from_user=request.user, **form.cleaned_data
            )
            messages.success(request, _("Request sent. You'll get an email when they answer."))
        except ValidationError as error:
            _error(request, error)
    elif "message" in form.errors:
        messages.error(request, " ".join(form.errors["message"]))
    else:
        messages.error(request, _("This member can't be asked."))
    return redirect("matching_suggestions", org_slug=org_slug, cohort_id=cohort.pk)


@login_required
@require_POST
def partner_request_answer(request, org_slug, request_id):
    partner_request = access.get_partner_request_for_member(request, org_slug, request_id)
    form = PartnerRequestAnswerForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["answer"] == PartnerRequestAnswerForm.ACCEPT
        try:
            services.partner_request_answer(
                partner_request=partner_request, user=request.user, accept=accept
            )
        except AlreadyDone as error:
            _error(request, error)
        except ValidationError as error:
            _error(request, error)
            return redirect(
                "matching_suggestions", org_slug=org_slug, cohort_id=partner_request.cohort_id
            )
        else:
            messages.success(
                request, _("You are now partners.") if accept else _("Request declined.")
            )
        if accept:
            return redirect("my_partner", org_slug=org_slug, cohort_id=partner_request.cohort_id)
    return redirect("matching_suggestions", org_slug=org_slug, cohort_id=partner_request.cohort_id)
