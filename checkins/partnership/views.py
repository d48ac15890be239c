from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import AlreadyDone, report_refusal
from accounts.view_helpers import apply_errors
from contracts.models import Goal

from .. import access, schedule
from ..models import PartnershipEnding
from ..selectors import pair_timezone
from . import selectors, services
from .forms import EndPartnershipForm, GoalAchievedForm, ReviewChoiceForm


def _to_pair(pair):
    return redirect("pair_detail", org_slug=pair.organization.slug, pair_id=pair.pk)


@login_required
def partnership_end(request, org_slug, pair_id):
    """A partner, or a coordinator, ends an active partnership after a confirmation page."""
    pair, is_partner = access.get_pair_for_viewer(request, org_slug, pair_id)
    zone = schedule.zone(pair_timezone(pair=pair))
    form = EndPartnershipForm(
        request.POST or None, meetings=list(selectors.upcoming_meetings(pair=pair)), zone=zone
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_end(pair=pair, actor=request.user, **form.service_kwargs())
        except AlreadyDone as error:
            report_refusal(request, error)
            return _to_pair(pair)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The partnership has ended. Your partner and the coordinators were told.")
                if is_partner
                else _("The partnership has ended. Both partners were told."),
            )
            if is_partner:
                return redirect("my_partner", org_slug=org_slug, cohort_id=pair.cohort_id)
            return _to_pair(pair)
    context = {
        "organization": pair.organization,
        "cohort": pair.cohort,
        "pair": pair,
        "form": form,
        "is_partner": is_partner,
        "partners": [m.user for m in pair.members.select_related("user")],
        "ending": PartnershipEnding.objects.filter(pair=pair).first(),
    }
    return render(request, "checkins/partnership/end.html", context)


def _goal_of(pair, goal_id) -> Goal:
    return get_object_or_404(Goal, pk=goal_id, section__contract__pair=pair)


@login_required
@require_POST
def goal_achieved(request, org_slug, pair_id, goal_id):
    pair = access.get_pair_for_partner(request, org_slug, pair_id)
    goal = _goal_of(pair, goal_id)
    form = GoalAchievedForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _to_pair(pair)
    try:
        services.goal_mark_achieved(
            goal=goal, actor=request.user, achieved_on=form.cleaned_data["achieved_on"]
        )
    except ValidationError as error:
        report_refusal(request, error)
    else:
        messages.success(request, _("Congratulations on reaching your goal!"))
    return _to_pair(pair)


@login_required
@require_POST
def goal_achieved_undo(request, org_slug, pair_id, goal_id):
    pair = access.get_pair_for_partner(request, org_slug, pair_id)
    goal = _goal_of(pair, goal_id)
    try:
        services.goal_undo_achieved(goal=goal, actor=request.user)
    except ValidationError as error:
        report_refusal(request, error)
    else:
        messages.info(request, _("The goal is no longer marked achieved."))
    return _to_pair(pair)


@login_required
def partnership_review(request, org_slug, pair_id):
    """The review at the contract's review date: renew, continue in the next cohort, or end."""
    pair = access.get_pair_for_partner(request, org_slug, pair_id)
    form = ReviewChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_open(pair=pair)
            review = services.review_choose(
                review=review, actor=request.user, choice=form.cleaned_data["choice"]
            )
        except AlreadyDone as error:
            report_refusal(request, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _after_choice(request, review)
        if not form.errors:
            return redirect("partnership_review", org_slug=org_slug, pair_id=pair.pk)
    page = selectors.review_page(pair=pair, user=request.user)
    context = {"organization": pair.organization, "cohort": pair.cohort, "page": page, "form": form}
    return render(request, "checkins/partnership/review.html", context)


def _after_choice(request, review):
    org_slug = review.organization.slug
    if review.outcome == services.Choice.RENEW:
        messages.success(
            request,
            _("You both chose to renew: your amendment is ready. Set your new goals in it."),
        )
        return redirect("contract_detail", org_slug=org_slug, contract_id=review.new_contract_id)
    if review.outcome == services.Choice.CONTINUE:
        messages.success(
            request,
            _("You continue together in the next cohort, with your contract as the draft."),
        )
        return redirect("pair_detail", org_slug=org_slug, pair_id=review.new_pair_id)
    if review.outcome == services.Choice.END:
        messages.success(request, _("The partnership has ended. Thank you for mentoring!"))
        return redirect("my_partner", org_slug=org_slug, cohort_id=review.cohort_id)
    messages.success(request, _("Your choice is saved. We act on it once your partner agrees."))
    return redirect("partnership_review", org_slug=org_slug, pair_id=review.pair_id)
