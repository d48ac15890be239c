"""The coordinators' dashboards. Every number comes from `checkins.dashboard`; coordinators see
statuses and dates, never what partners wrote in a check-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import get_cohort_for_coordinator, get_program_for_coordinator
from accounts.lifecycle import cohort_allows, refusal_message
from accounts.views import paginate

from . import dashboard, reminders
from .dashboard_forms import FunnelReminderForm, PairTableFilterForm

PAIRS_PER_PAGE = 25
PEOPLE_PER_PAGE = 50


@login_required
@require_GET
def cohort_dashboard(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    filters = PairTableFilterForm(request.GET)
    data = dashboard.cohort_dashboard(cohort=cohort, **filters.selector_kwargs())
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
