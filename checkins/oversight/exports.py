"""A cohort's data as CSV files for its coordinators: members, pairs, check-ins, survey.

Each file holds exactly the cohort's rows (every query filters by the cohort and its
organization), takes a fixed number of queries however many rows there are, and is built in
memory (cohorts are at most a few thousand rows). Nothing private is exported: the check-ins
file has dates and the two 1–5 ratings only, never what partners wrote (learned, taught,
blockers, notes); the survey file has no names (answers carry none).

Cells are guarded against formula injection by `accounts.spreadsheet` (every field quoted, an
apostrophe before any = + - @ tab or carriage return that starts a cell or follows a `,` or `;`),
so a spreadsheet shows such text instead of running it. Files start with a byte-order mark so
that Excel reads them as UTF-8.

Times are UTC, written `YYYY-MM-DD HH:MM` in columns ending `_utc`; codes (statuses, yes/no,
health) are the stable values, not translated labels, so files compare across languages.
"""

import datetime
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Cohort, User
from accounts.services import audit
from accounts.spreadsheet import csv_writer, formula_safe
from contracts.models import Contract
from matching.models import Pair, PairMember
from profiles.models import Profile
from profiles.selectors import cohort_profile_statuses, completeness_of_row

from .. import selectors
from ..models import CheckIn
from . import survey

BOM = "\ufeff"
# The statuses a pair's members have seen: proposals under review are the coordinator's draft.
EXPORTED_PAIR_STATUSES = [
    Pair.Status.PUBLISHED,
    Pair.Status.ACTIVE,
    Pair.Status.DECLINED,
    Pair.Status.DISSOLVED,
]


def safe_cell(value) -> str | int | float:
    """A cell as the CSV writer should see it; text that a spreadsheet would run is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return formula_safe(value)


def _name(user: User) -> str:
    return user.get_full_name() or user.email


# Members -------------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "department",
    "joined_at_utc",
    "profile_complete",
    "missing",
    "pair_status",
)


def _pair_status_of_member(cohort: Cohort) -> Subquery:
    """The status of the member's pair in the cohort: the current one if any, else the latest."""
    rank = Case(
        When(pair__status=Pair.Status.ACTIVE, then=Value(0)),
        When(pair__status=Pair.Status.PUBLISHED, then=Value(1)),
        When(pair__status=Pair.Status.PROPOSED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return Subquery(
        PairMember.objects.filter(pair__cohort=cohort, user=OuterRef("user"))
        .order_by(rank, "-pair_id")
        .values("pair__status")[:1]
    )


def member_rows(*, cohort: Cohort) -> Iterable[list]:
    """One row per enrolled member. One query."""
    department = Profile.objects.filter(
        organization_id=cohort.organization_id, user=OuterRef("user")
    ).values("department")[:1]
    rows = cohort_profile_statuses(cohort=cohort).annotate(
        department=Subquery(department), pair_status=_pair_status_of_member(cohort)
    )
    for row in rows:
        completeness = completeness_of_row(row)
        yield [
            row.user.email,
            row.user.first_name,
            row.user.last_name,
            row.department or "",
            row.joined_at,
            completeness.is_complete,
            "; ".join(str(item) for item in completeness.missing),
            row.pair_status or "none",
        ]


# Pairs ---------------------------------------------------------------------------------------

PAIR_COLUMNS = (
    "pair_id",
    "partners",
    "emails",
    "score",
    "status",
    "contract_version",
    "contract_status",
    "contract_signed_at_utc",
    "last_checkin_at_utc",
    "next_meeting_at_utc",
    "health",
    "health_reason",
)


def pair_rows(*, cohort: Cohort, now: datetime.datetime | None = None) -> Iterable[list]:
    """One row per pair the members have seen. Seven queries (three without active pairs).

    The contract columns describe the latest version (a draft amendment shows as such);
    `contract_signed_at_utc` is when the version in force was signed. Health is given for
    active pairs only.
    """
    members = PairMember.objects.select_related("user").order_by("user__first_name", "pk")
    pairs = list(
        Pair.objects.filter(
            organization_id=cohort.organization_id,
            cohort=cohort,
            status__in=EXPORTED_PAIR_STATUSES,
        )
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("pk")
    )
    latest: dict[int, Contract] = {}
    for contract in Contract.objects.filter(
        cohort=cohort, pair_id__in=[pair.pk for pair in pairs]
    ).order_by("pair_id", "-version"):
        latest.setdefault(contract.pair_id, contract)
    healths = selectors.pairs_health(
        pairs=[pair for pair in pairs if pair.status == Pair.Status.ACTIVE], now=now
    )
    for pair in pairs:
        users = [member.user for member in pair.members.all()]
        contract = latest.get(pair.pk)
        health = healths.get(pair.pk)
        in_force = health.contract if health else None
        yield [
            pair.pk,
            " & ".join(_name(user) for user in users),
            "; ".join(user.email for user in users),
            round(pair.score, 1),
            pair.status,
            contract.version if contract else "",
            contract.status if contract else "",
            in_force.signed_at if in_force else None,
            health.last_checkin_at if health else None,
            health.next_meeting_at if health else None,
            health.status.value if health else "",
            health.reason if health else "",
        ]


# Check-ins -----------------------------------------------------------------------------------

CHECKIN_COLUMNS = (
    "logged_at_utc",
    "meeting_starts_at_utc",
    "pair_id",
    "pair",
    "logged_by",
    "logged_by_email",
    "time_effectiveness",
    "confidence",
)


def checkin_rows(*, cohort: Cohort) -> Iterable[list]:
    """One row per check-in of the cohort's meetings: dates and ratings, nothing written.

    Two queries. The private fields are never selected (`values_list` names what is read).
    """
    names = defaultdict(list)
    for member in (
        PairMember.objects.filter(pair__cohort=cohort)
        .select_related("user")
        .order_by("user__first_name", "pk")
    ):
        names[member.pair_id].append(_name(member.user))
    rows = (
        CheckIn.objects.filter(
            meeting__organization_id=cohort.organization_id, meeting__cohort=cohort
        )
        .order_by("meeting__starts_at", "created_at", "pk")
        .values_list(
            "created_at",
            "meeting__starts_at",
            "meeting__pair_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "time_effectiveness",
            "confidence",
        )
    )
    for created_at, starts_at, pair_id, first, last, email, effectiveness, confidence in rows:
        yield [
            created_at,
            starts_at,
            pair_id,
            " & ".join(names[pair_id]),
            f"{first} {last}".strip() or email,
            email,
            effectiveness,
            confidence,
        ]


# Survey --------------------------------------------------------------------------------------

SURVEY_COLUMNS = ("submitted_on", "goal_reached", "would_pair_again", "what_helped")


def survey_rows(*, cohort: Cohort) -> Iterable[list]:
    """One row per answer, without names (answers have none). One query."""
    for submitted_on, goal_reached, would_pair_again, what_helped in survey.cohort_survey_answers(
        cohort=cohort
    ):
        yield [submitted_on, goal_reached, would_pair_again, what_helped]


# The files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    columns: tuple[str, ...]
    rows: Callable[..., Iterable[list]]


KINDS: dict[str, Kind] = {
    "members": Kind(MEMBER_COLUMNS, member_rows),
    "pairs": Kind(PAIR_COLUMNS, pair_rows),
    "checkins": Kind(CHECKIN_COLUMNS, checkin_rows),
    "survey": Kind(SURVEY_COLUMNS, survey_rows),
}


@dataclass(frozen=True)
class CsvFile:
    filename: str
    content: str
    rows: int


def build_csv(columns: Iterable[str], rows: Iterable[list]) -> tuple[str, int]:
    """(CSV text with a byte-order mark, number of data rows)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    return BOM + buffer.getvalue(), count


def export_filename(*, cohort: Cohort, kind: str, today: datetime.date) -> str:
    return f"{cohort.organization.slug}-{cohort.slug}-{kind}-{today.isoformat()}.csv"


@transaction.atomic
def cohort_export(
    *, cohort: Cohort, kind: str, actor: User, now: datetime.datetime | None = None
) -> CsvFile:
    """Build one of the cohort's CSV files and record who downloaded it."""
    if kind not in KINDS:
        raise ValidationError(
            _("Unknown export “%(kind)s”; choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    now = now or timezone.now()
    content, count = build_csv(KINDS[kind].columns, KINDS[kind].rows(cohort=cohort))
    audit(
        organization=cohort.organization,
        actor=actor,
        action="cohort.exported",
        cohort=cohort.pk,
        kind=kind,
        rows=count,
    )
    return CsvFile(
        filename=export_filename(cohort=cohort, kind=kind, today=now.date()),
        content=content,
        rows=count,
    )
