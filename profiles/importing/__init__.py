"""Import a cohort's members from a CSV file: parse, validate, plan, write.

The `import_members` command and the coordinator's browser import share this one code path:

1. `parse_members_csv(data)` reads the bytes (UTF-8, optionally with a BOM) and checks every
   row on its own: columns, emails, names, `Tag:number` cells, languages, time zones.
2. `members_import_preview(cohort=, data=)` adds what needs the database (retired tags, tags
   merged into one another) and plans the import: who would be created, updated or left
   unchanged, and which tags are new. It writes nothing.
3. `members_import(cohort=, actor=, data=)` runs the same plan inside one transaction and
   writes it with bulk operations: a constant number of queries per batch of rows, however
   many rows. Any problem raises `ImportInvalid` and nothing is written.

Line numbers in problems are physical lines of the file (the header is line 1), so they match
what a spreadsheet or text editor shows.

Between the preview and the confirmation, the browser import keeps the upload on the server
(`upload_stage`, `upload_load`, `upload_discard`), named by a signed ticket.

This package holds the services; the steps live in submodules by role: `results` (the
columns, the limits and what an import reports), `parsing` (step 1), `planning` (step 2),
`writing` (the bulk writes of step 3) and `uploads` (keeping an upload). Callers import from
`profiles.importing`: every public name is re-exported here. The coordinator's pages for the
browser import (upload, preview, confirm, the example file) sit beside them in `views`, `forms`
and `urls`.
"""

import datetime
import io

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lifecycle import cohort_lock_allowing, require_cohort_allows
from accounts.models import Cohort, Organization, Program, User
from accounts.services import audit, email_quota_remaining, email_quota_take
from accounts.spreadsheet import csv_writer
from accounts.welcome import welcome_emails_queue

from .parsing import parse_members_csv
from .planning import _plan_import
from .results import (
    BATCH_SIZE,
    CELL_MAX_LENGTH,
    COLUMNS,
    ENTRY_SEPARATOR,
    LANGUAGE_MAX_LENGTH,
    MAX_LENGTHS,
    MAX_UPLOAD_BYTES,
    TAG_NAME_MAX_LENGTH,
    ImportChanged,
    ImportInvalid,
    ImportReport,
    MemberOutcome,
    MemberRow,
    MemberStatus,
    ParsedFile,
    Problem,
)
from .uploads import (
    STAGING_DIRECTORY,
    STAGING_MAX_AGE,
    STAGING_SALT,
    StagedUpload,
    UploadExpired,
    upload_discard,
    upload_load,
    upload_stage,
    upload_ticket,
)
from .writing import _write

__all__ = [
    # Services
    "members_import_preview",
    "members_import",
    "import_cohort_get_or_create",
    "example_csv",
    "EXAMPLE_ROWS",
    # Parsing
    "parse_members_csv",
    # Columns and limits
    "COLUMNS",
    "ENTRY_SEPARATOR",
    "MAX_UPLOAD_BYTES",
    "BATCH_SIZE",
    "MAX_LENGTHS",
    "TAG_NAME_MAX_LENGTH",
    "LANGUAGE_MAX_LENGTH",
    "CELL_MAX_LENGTH",
    # Results
    "Problem",
    "MemberRow",
    "ParsedFile",
    "MemberStatus",
    "MemberOutcome",
    "ImportReport",
    "ImportInvalid",
    "ImportChanged",
    # Keeping an upload between the preview and the confirmation
    "STAGING_DIRECTORY",
    "STAGING_SALT",
    "STAGING_MAX_AGE",
    "UploadExpired",
    "StagedUpload",
    "upload_ticket",
    "upload_stage",
    "upload_load",
    "upload_discard",
]

EXAMPLE_ROWS = [
    COLUMNS,
    (
        "ana.silva@example.org",
        "Ana",
        "Silva",
        "Engineering",
        "Python:4;Public speaking:2",
        "Negotiation:5;Budgeting:3",
        "English;Portuguese",
        "Europe/Lisbon",
    ),
    (
        "ben.okafor@example.org",
        "Ben",
        "Okafor",
        "Sales",
        "Negotiation:4;Storytelling:3",
        "Python:4",
        "English",
        "Europe/London",
    ),
    (
        "chloe.martin@example.org",
        "Chloé",
        "Martin",
        "Finance",
        "Budgeting:5",
        "Public speaking:5;Storytelling:2",
        "French;English",
        "Europe/Paris",
    ),
]


def members_import_preview(*, cohort: Cohort, data: bytes) -> ImportReport:
    """What importing `data` into `cohort` would do, or its problems. Writes nothing."""
    return _plan_import(cohort=cohort, data=data).report


@transaction.atomic
def members_import(
    *,
    cohort: Cohort,
    actor: User | None,
    data: bytes,
    dry_run: bool = False,
    expected_fingerprint: str = "",
    source: str = "command",
    welcome_now: bool = False,
) -> ImportReport:
    """Import the CSV `data` into `cohort`: all rows or, on any problem, nothing.

    Each row's person gets an account (without a password) if they have none, a membership of
    the cohort's organization (role member; existing roles are kept), an enrolment in the
    cohort, and a profile whose department, languages, time zone, offers and needs are exactly
    the file's. Unknown tags join the organization's taxonomy as skills.

    Nobody joins an organization without saying yes: an address whose account is not a member
    of the organization yet is only invited to the cohort (the usual signed, expiring email,
    counted against the daily email limit; past it, the invitation is held unsent and
    `report.invitations_held` counts it), and its row is applied when the invitation is
    accepted (`profiles.receivers`). The report counts it as created, like a new person, so
    that a preview never tells whether an address has an account.

    Raises ImportInvalid (listing each problem by line) when the file has problems, and
    ImportChanged when `expected_fingerprint` (from a preview) no longer matches. With
    `dry_run` it only plans. Returns the report; `written` says whether anything was saved.

    The accounts the import makes get their welcome email (a one-time sign-in link) now when
    `welcome_now`, within the daily email limit; otherwise, or past the limit, the email that
    publishes the matching carries it.
    A cohort whose state doesn't take members (draft, closed) is a ValidationError.
    """
    if cohort.pk is None:  # a cohort a dry run would create: it would be created open
        require_cohort_allows(cohort=cohort, action="invite_members")
    else:
        cohort = cohort_lock_allowing(cohort=cohort, action="invite_members")
    plan = _plan_import(cohort=cohort, data=data)
    report = plan.report
    if report.problems:
        raise ImportInvalid(report)
    if expected_fingerprint and expected_fingerprint != report.fingerprint:
        raise ImportChanged(report)
    if dry_run or not report.changes_anything:
        return report
    _write(plan, actor=actor)
    report.written = True
    if welcome_now:
        _welcome(plan, report)
    audit(
        organization=cohort.organization,
        actor=actor,
        action="members.imported",
        cohort=cohort.pk,
        source=source,
        invited=sum(1 for member in plan.members if member.invite_changed),
        welcomed=report.welcomes_sent,
        **report.counts(),
    )
    return report


def _welcome(plan, report: ImportReport) -> None:
    organization = plan.cohort.organization
    ids = plan.created_user_ids
    allowed = min(len(ids), email_quota_remaining(organization=organization))
    email_quota_take(organization=organization, count=allowed)
    welcome_emails_queue(user_ids=ids[:allowed])
    report.welcomes_sent, report.welcomes_held = allowed, len(ids) - allowed


def _title_from_slug(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-") if part) or slug


@transaction.atomic
def import_cohort_get_or_create(
    *,
    org_slug: str,
    cohort_slug: str,
    create: bool = False,
    dry_run: bool = False,
    program_name: str = "Peer mentoring",
) -> tuple[Cohort, list[str]]:
    """The cohort an import goes into, and a sentence for each thing created to hold it.

    Without `create`, a missing organization or cohort is a ValidationError. With `create`,
    they (and the program named `program_name`, if missing) are created; with `dry_run` too,
    they are only built in memory, unsaved, and the sentences say what would be created.
    """
    for slug in (org_slug, cohort_slug):
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise ValidationError(
                _("“%(slug)s” is not a short name: use letters, numbers, - and _.") % {"slug": slug}
            ) from error
    notes: list[str] = []
    verb = _("Would create") if dry_run else _("Created")

    organization = Organization.objects.filter(slug=org_slug).first()
    if organization is None:
        if not create:
            raise ValidationError(
                _("There is no organization “%(slug)s”. Add --create to create it.")
                % {"slug": org_slug}
            )
        organization = Organization(name=_title_from_slug(org_slug), slug=org_slug)
        organization.full_clean()
        if not dry_run:
            organization.save()
            audit(
                organization=organization,
                actor=None,
                action="organization.created",
                name=organization.name,
                source="import",
            )
        notes.append(
            _("%(verb)s organization “%(name)s” (%(slug)s).")
            % {"verb": verb, "name": organization.name, "slug": org_slug}
        )

    cohort = None
    if organization.pk is not None:
        cohort = (
            Cohort.objects.for_organization(organization)
            .select_related("organization", "program")
            .filter(slug=cohort_slug)
            .first()
        )
    if cohort is not None:
        return cohort, notes
    if not create:
        raise ValidationError(
            _("%(organization)s has no cohort “%(slug)s”. Add --create to create it.")
            % {"organization": organization.name, "slug": cohort_slug}
        )

    program = None
    if organization.pk is not None:
        program = Program.objects.for_organization(organization).filter(name=program_name).first()
    if program is None:
        program = Program(organization=organization, name=program_name)
        if not dry_run:
            program.full_clean()
            program.save()
            audit(
                organization=organization,
                actor=None,
                action="program.created",
                program=program.pk,
                source="import",
            )
        notes.append(_("%(verb)s program “%(name)s”.") % {"verb": verb, "name": program_name})

    starts_on = timezone.localdate()
    cohort = Cohort(
        organization=organization,
        program=program,
        name=_title_from_slug(cohort_slug),
        slug=cohort_slug,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=365),
        status=Cohort.Status.OPEN,  # created to take the file's members
    )
    if not dry_run:
        cohort.full_clean()
        cohort.save()
        audit(
            organization=organization,
            actor=None,
            action="cohort.created",
            cohort=cohort.pk,
            source="import",
        )
    notes.append(
        _("%(verb)s cohort “%(name)s” (%(slug)s), %(start)s to %(end)s, open for profiles.")
        % {
            "verb": verb,
            "name": cohort.name,
            "slug": cohort_slug,
            "start": cohort.starts_on,
            "end": cohort.ends_on,
        }
    )
    return cohort, notes


def example_csv() -> str:
    """A small, valid file to start from."""
    buffer = io.StringIO()
    csv_writer(buffer, lineterminator="\r\n").writerows(EXAMPLE_ROWS)
    return buffer.getvalue()
