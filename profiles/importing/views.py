"""The coordinator's member import: upload a CSV, preview it, confirm it.

Nothing is written until the coordinator confirms a preview. The uploaded bytes wait on the
server (profiles.importing.upload_stage) under a random name carried by a signed ticket bound
to the user and the cohort; confirming re-validates the file against the database as it is then,
and writes only if the result is exactly what the preview showed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_cohort_for_coordinator
from accounts.view_helpers import refuse_unless_cohort_allows
from profiles import importing

from .forms import MemberImportForm

# Long lists are cut on the page; the command line lists everything.
SHOWN = 200


def _preview(request, cohort, report, *, ticket="", changed=False):
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "report": report,
        "ticket": ticket,
        "changed": changed,
        "shown": SHOWN,
        "problems": [str(problem) for problem in report.problems[:SHOWN]],
        "hidden_problems": max(0, len(report.problems) - SHOWN),
        "read": report.read[:SHOWN],
        "hidden_read": max(0, len(report.read) - SHOWN),
    }
    return render(request, "profiles/import_preview.html", context)


@login_required
def member_import(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if refused := refuse_unless_cohort_allows(request, cohort, "invite_members"):
        return refused
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        report = importing.members_import_preview(cohort=cohort, data=data)
        ticket = ""
        if report.is_valid:
            ticket = importing.upload_stage(
                data=data, cohort=cohort, user=request.user, fingerprint=report.fingerprint
            )
        return _preview(request, cohort, report, ticket=ticket)
    context = {"organization": cohort.organization, "cohort": cohort, "form": form}
    return render(request, "profiles/import_form.html", context)


@login_required
@require_POST
def member_import_confirm(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    try:
        staged = importing.upload_load(
            ticket=request.POST.get("ticket", ""), cohort=cohort, user=request.user
        )
    except importing.UploadExpired:
        messages.error(request, _("That preview has expired. Upload the file again."))
        return redirect("member_import", org_slug=org_slug, cohort_id=cohort.pk)
    try:
        report = importing.members_import(
            cohort=cohort,
            actor=request.user,
            data=staged.data,
            expected_fingerprint=staged.fingerprint,
            source="browser",
            welcome_now=request.POST.get("welcome") != "with-matching",
        )
    except importing.ImportInvalid as error:
        importing.upload_discard(token=staged.token)
        return _preview(request, cohort, error.report)
    except importing.ImportChanged as error:
        ticket = importing.upload_ticket(
            token=staged.token,
            cohort=cohort,
            user=request.user,
            fingerprint=error.report.fingerprint,
        )
        return _preview(request, cohort, error.report, ticket=ticket, changed=True)
    except ValidationError as error:  # the cohort's state no longer takes members
        importing.upload_discard(token=staged.token)
        messages.error(request, " ".join(error.messages))
        return redirect(cohort)
    importing.upload_discard(token=staged.token)
    if report.invitations_held:
        messages.warning(
            request,
            ngettext(
                "%(count)s invitation was not emailed: %(organization)s reached its daily "
                "email limit. Resend it from the cohort's page tomorrow.",
                "%(count)s invitations were not emailed: %(organization)s reached its daily "
                "email limit. Resend them from the cohort's page tomorrow.",
                report.invitations_held,
            )
            % {"count": report.invitations_held, "organization": cohort.organization.name},
        )
    if report.welcomes_held:
        messages.warning(
            request,
            ngettext(
                "%(count)s welcome email was not sent: %(organization)s reached its daily "
                "email limit. The email that publishes the matching will welcome them.",
                "%(count)s welcome emails were not sent: %(organization)s reached its daily "
                "email limit. The email that publishes the matching will welcome them.",
                report.welcomes_held,
            )
            % {"count": report.welcomes_held, "organization": cohort.organization.name},
        )
    messages.success(
        request,
        _(
            "Import done: %(created)s new to the organization (added or invited), "
            "%(updated)s updated, %(unchanged)s unchanged."
        )
        % report.counts(),
    )
    return redirect(cohort)


@login_required
@require_GET
def member_import_example(request, org_slug, cohort_id):
    get_cohort_for_coordinator(request, org_slug, cohort_id)
    response = HttpResponse(importing.example_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="members-example.csv"'
    return response
