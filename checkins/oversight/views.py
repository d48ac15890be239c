"""The coordinator's oversight pages: the cohort and program dashboards (every number comes from
`oversight.dashboard`; coordinators see statuses and dates, never what partners wrote in a
check-in), a cohort's lifecycle and CSV exports, and the members' closing survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import (
    get_cohort_for_coordinator,
    get_cohort_for_member,
    get_program_for_coordinator,
)
from accounts.idempotency import report_refusal
from accounts.lifecycle import (
    cohort_allows,
    next_status,
    previous_status,
    refusal_message,
    status_label,
)
from accounts.view_helpers import apply_errors, paginate

from .. import reminders
from . import dashboard, exports, lifecycle, survey
from .forms import ClosingSurveyForm, FunnelReminderForm, PairTableFilterForm, TransitionForm

PAIRS_PER_PAGE = 25
PEOPLE_PER_PAGE = 50


@login_required
@require_GET
def cohort_dashboard(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    filters = PairTableFilterForm(request.GET)
    data = dashboard.cohort_dashboard(cohort=cohort, cached=True, **filters.selector_kwargs())
    page = paginate(request, data.pairs, per_page=PAIRS_PER_PAGE)
    dashboard.pair_rows_load_partners(rows=page.object_list)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "data": data,
        "filters": filters,
        "page": page,
    }
    return render(request, "checkins/dashboard/cohort.html", context)


@login_required
@require_GET
def cohort_pairs_health(request, org_slug, cohort_id):
    """The cohort's pairs page: the dashboard's pairs table on a page of its own."""
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    filters = PairTableFilterForm(request.GET)
    table = dashboard.cohort_pair_table(cohort=cohort, **filters.selector_kwargs())
    page = paginate(request, table.pairs, per_page=PAIRS_PER_PAGE)
    dashboard.pair_rows_load_partners(rows=page.object_list)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "table": table,
        "filters": filters,
        "page": page,
    }
    return render(request, "checkins/cohort_pairs_health.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_funnel_step(request, org_slug, cohort_id, step):
    """The people stuck at a funnel step, and a reminder to all of them (confirmed first)."""
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if step not in dashboard.STEPS:
        raise Http404
    people = dashboard.funnel_step_people(cohort=cohort, step=step)
    initial = dashboard.default_message(cohort=cohort, step=step)
    form = FunnelReminderForm(request.POST or None, initial=initial)
    may_message = people.can_message and cohort_allows(cohort, "message_members")
    if request.method == "POST" and may_message and form.is_valid():
        response = _remind(request, cohort, people, form)
        if response is not None:
            return response
    page = paginate(request, people.rows, per_page=PEOPLE_PER_PAGE)
    people.describe(page.object_list)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "people": people,
        "form": form if may_message else None,
        "state_note": refusal_message(cohort, "message_members")
        if people.can_message and not may_message
        else "",
        "page": page,
    }
    return render(request, "checkins/dashboard/funnel_step.html", context)


def _remind(request, cohort, people, form):
    """Confirm, then queue the message through the reminder machinery (which audits it)."""
    recipients = people.recipients()
    back = redirect(
        "cohort_funnel_step",
        org_slug=cohort.organization.slug,
        cohort_id=cohort.pk,
        step=people.step,
    )
    if not recipients:
        messages.info(request, _("Nobody is at this step any more: no message was sent."))
        return back
    if not form.cleaned_data["confirmed"]:
        context = {
            "organization": cohort.organization,
            "cohort": cohort,
            "people": people,
            "form": form,
            "count": len(recipients),
        }
        return render(request, "checkins/dashboard/funnel_step_confirm.html", context)
    try:
        queued = reminders.program_message_queue(
            cohort=cohort,
            recipients=recipients,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            actor=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if not queued:
        messages.info(
            request,
            _("Everyone on this list had already been sent this message: nothing new was queued."),
        )
        return back
    text = ngettext(
        "Message queued for %(count)s member.", "Message queued for %(count)s members.", queued
    ) % {"count": queued}
    if len(recipients) > queued:
        skipped = len(recipients) - queued
        text += " " + ngettext(
            "%(count)s had already been sent this message.",
            "%(count)s had already been sent this message.",
            skipped,
        ) % {"count": skipped}
    messages.success(request, text)
    return back


@login_required
@require_GET
def program_dashboard(request, org_slug, program_id):
    program = get_program_for_coordinator(request, org_slug, program_id)
    context = {
        "organization": program.organization,
        "program": program,
        "rows": dashboard.program_cohorts_overview(program=program),
    }
    return render(request, "checkins/dashboard/program.html", context)


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
            messages.success(request, done % {"status": status_label(cohort.status)})
        return _to_lifecycle(cohort)
    to = to_of(cohort.status)
    if to == lifecycle.Status.CLOSED:  # closing has its own page, which says what it ends
        return redirect("cohort_close", org_slug=org_slug, cohort_id=cohort.pk)
    if to is None:
        status = status_label(cohort.status)
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
        to_of=next_status,
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
        to_of=previous_status,
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
    # Three counts, three plural choices: each clause is translated on its own.
    meetings = ngettext(
        "%(n)s future meeting cancelled",
        "%(n)s future meetings cancelled",
        result.meetings_cancelled,
    ) % {"n": result.meetings_cancelled}
    reminders = ngettext(
        "%(n)s reminder cancelled", "%(n)s reminders cancelled", result.reminders_cancelled
    ) % {"n": result.reminders_cancelled}
    surveys = ngettext(
        "%(n)s member asked for the closing survey",
        "%(n)s members asked for the closing survey",
        result.surveys_requested,
    ) % {"n": result.surveys_requested}
    return _("The cohort is closed: %(meetings)s, %(reminders)s, %(surveys)s.") % {
        "meetings": meetings,
        "reminders": reminders,
        "surveys": surveys,
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
@require_POST  # the export is audited: a GET never writes
@never_cache
def cohort_export(request, org_slug, cohort_id, kind):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if kind not in exports.KINDS:
        raise Http404
    csv_file = exports.cohort_export(cohort=cohort, kind=kind, actor=request.user)
    response = HttpResponse(csv_file.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_file.filename}"'
    return response
