"""Coordinator pages for a cohort's lifecycle and exports, and the members' closing survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import get_cohort_for_coordinator, get_cohort_for_member
from accounts.idempotency import report_refusal
from accounts.views import apply_errors

from . import exports, lifecycle, survey
from .cockpit_forms import ClosingSurveyForm, TransitionForm


def _to_lifecycle(cohort):
    return redirect("cohort_lifecycle", org_slug=cohort.organization.slug, cohort_id=cohort.pk)


def _error(request, error: ValidationError) -> None:
    report_refusal(request, error)


# The lifecycle ---------------------------------------------------------------------------------


@login_required
@require_GET
def cohort_lifecycle(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "overview": lifecycle.lifecycle_overview(cohort=cohort),
        "summary": (
            survey.cohort_survey_summary(cohort=cohort)
            if cohort.status == lifecycle.Status.CLOSED
            else None
        ),
    }
    return render(request, "checkins/lifecycle/lifecycle.html", context)


def _transition(request, org_slug, cohort_id, *, to_of, service, done: str):
    """GET: the confirmation page of a move; POST: the move, then back to the lifecycle page."""
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    form = TransitionForm(request.POST or None, initial={"from_status": cohort.status})
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(_("The form was incomplete; nothing was changed."))
            service(cohort=cohort, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, done % {"status": lifecycle.status_label(cohort.status)})
        return _to_lifecycle(cohort)
    to = to_of(cohort.status)
    if to == lifecycle.Status.CLOSED:  # closing has its own page, which says what it ends
        return redirect("cohort_close", org_slug=org_slug, cohort_id=cohort.pk)
    if to is None:
        status = lifecycle.status_label(cohort.status)
        messages.info(request, _("There is no such step from “%(status)s”.") % {"status": status})
        return _to_lifecycle(cohort)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "plan": lifecycle.transition_plan(cohort=cohort, to=to),
        "form": form,
        "action_url": request.path,
    }
    return render(request, "checkins/lifecycle/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_advance(request, org_slug, cohort_id):
    return _transition(
        request,
        org_slug,
        cohort_id,
        to_of=lifecycle.next_status,
        service=lifecycle.cohort_advance,
        done=_("The cohort is now “%(status)s”."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_step_back(request, org_slug, cohort_id):
    return _transition(
        request,
        org_slug,
        cohort_id,
        to_of=lifecycle.previous_status,
        service=lifecycle.cohort_step_back,
        done=_("The cohort is back to “%(status)s”."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_close(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if request.method == "POST":
        try:
            result = lifecycle.cohort_close(cohort=cohort, actor=request.user)
        except ValidationError as error:
            _error(request, error)
        else:
            level = messages.INFO if result.already_closed else messages.SUCCESS
            messages.add_message(request, level, _close_message(result))
        return _to_lifecycle(cohort)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "preview": lifecycle.cohort_close_preview(cohort=cohort),
    }
    return render(request, "checkins/lifecycle/close.html", context)


def _close_message(result: lifecycle.CloseResult) -> str:
    if result.already_closed:
        return _("The cohort was already closed; nothing more was done.")
    return _(
        "The cohort is closed: %(meetings)s future meeting(s) and %(reminders)s reminder(s) "
        "cancelled, %(surveys)s member(s) asked for the closing survey."
    ) % {
        "meetings": result.meetings_cancelled,
        "reminders": result.reminders_cancelled,
        "surveys": result.surveys_requested,
    }


# The closing survey ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def closing_survey(request, org_slug, cohort_id):
    cohort = get_cohort_for_member(request, org_slug, cohort_id)
    form = ClosingSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey.closing_survey_submit(cohort=cohort, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):  # about an answer: shown on the form
                apply_errors(form, error)
            else:  # about the person or the cohort (answered already, not asked, not closed)
                _error(request, error)
                return redirect("closing_survey", org_slug=org_slug, cohort_id=cohort.pk)
        else:
            messages.success(request, _("Thank you! Your answers were recorded."))
            return redirect("closing_survey", org_slug=org_slug, cohort_id=cohort.pk)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "state": survey.closing_survey_state(cohort=cohort, user=request.user),
        "form": form,
    }
    return render(request, "checkins/survey/survey.html", context)


# Exports ---------------------------------------------------------------------------------------


@login_required
@require_GET
def cohort_exports(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    context = {"organization": cohort.organization, "cohort": cohort}
    return render(request, "checkins/exports/exports.html", context)


@login_required
@require_GET
@never_cache
def cohort_export(request, org_slug, cohort_id, kind):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if kind not in exports.KINDS:
        raise Http404
    csv_file = exports.cohort_export(cohort=cohort, kind=kind, actor=request.user)
    response = HttpResponse(csv_file.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_file.filename}"'
    return response
