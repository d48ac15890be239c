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
"""

import contextlib
import csv
import datetime
import functools
import hashlib
import io
import json
import re
import secrets
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lifecycle import cohort_lock_allowing, require_cohort_allows
from accounts.models import Cohort, Enrolment, Membership, Organization, Program, User
from accounts.services import audit

from .models import Need, Offer, Profile, Tag
from .services import normalize_languages, tags_resolve_or_create

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "department",
    "offers",
    "needs",
    "languages",
    "timezone",
)
ENTRY_SEPARATOR = ";"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Rows are read and written in batches: each batch costs a fixed number of queries.
BATCH_SIZE = 1000

MAX_LENGTHS = {
    "email": User._meta.get_field("email").max_length,
    "first_name": User._meta.get_field("first_name").max_length,
    "last_name": User._meta.get_field("last_name").max_length,
    "department": Profile._meta.get_field("department").max_length,
}
TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
LANGUAGE_MAX_LENGTH = 50
# Any single cell: generous for a dozen offers, small enough to refuse pasted documents.
CELL_MAX_LENGTH = 2000

STAGING_DIRECTORY = "member-imports"
STAGING_SALT = "peermentor.member-import"
STAGING_MAX_AGE = datetime.timedelta(hours=2)

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


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be imported, on one line of it."""

    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class MemberRow:
    """A valid row: cleaned values, tags as written (tidied), each tag once per cell."""

    line: int
    email: str
    first_name: str
    last_name: str
    department: str
    offers: tuple[tuple[str, int], ...]
    needs: tuple[tuple[str, int], ...]
    languages: tuple[str, ...]
    timezone: str


@dataclass
class ParsedFile:
    records: int = 0
    rows: list[MemberRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class MemberStatus:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class MemberOutcome:
    """What the import does (or would do) for one row."""

    line: int
    email: str
    status: str
    changes: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """What an import found, planned and (when `written`) did."""

    rows: int = 0
    outcomes: list[MemberOutcome] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str = ""
    written: bool = False

    def _with(self, status: str) -> list[MemberOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def created(self) -> list[MemberOutcome]:
        return self._with(MemberStatus.CREATED)

    @property
    def updated(self) -> list[MemberOutcome]:
        return self._with(MemberStatus.UPDATED)

    @property
    def unchanged(self) -> list[MemberOutcome]:
        return self._with(MemberStatus.UNCHANGED)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_tags) or any(
            outcome.status != MemberStatus.UNCHANGED for outcome in self.outcomes
        )

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "new_tags": len(self.new_tags),
        }


class ImportInvalid(ValidationError):
    """The file has problems; nothing was written. `report.problems` lists them by line."""

    def __init__(self, report: ImportReport):
        super().__init__([str(problem) for problem in report.problems], code="invalid_import")
        self.report = report


class ImportChanged(ValidationError):
    """The file or the database changed since the preview; `report` is the new preview."""

    def __init__(self, report: ImportReport):
        super().__init__(
            _("The import would now do something else than the preview showed."),
            code="import_changed",
        )
        self.report = report


# Parsing -------------------------------------------------------------------------------------


class _Problems(list):
    def add(self, line: int, message: str, **params) -> None:
        self.append(Problem(line, message % params if params else message))


@functools.cache
def _timezone_names() -> dict[str, str]:
    """Lower-cased IANA name → its canonical spelling (reading the tz database is slow)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _tidy(value: str) -> str:
    return " ".join(value.split())


def _read_header(cells: list[str], problems: _Problems) -> dict[str, int]:
    """Column name → position; tolerant of case, spaces and dashes ("First name")."""
    names = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in cells]
    if len(names) == 1 and ";" in names[0]:
        problems.add(1, _("the columns are separated by semicolons; separate them with commas."))
        return {}
    expected = ",".join(COLUMNS)
    unknown = [
        cell.strip() or _("(empty)")
        for cell, name in zip(cells, names, strict=True)
        if name not in COLUMNS
    ]
    if unknown:
        problems.add(
            1,
            _("unknown column(s): %(columns)s. The columns are: %(expected)s."),
            columns=", ".join(unknown),
            expected=expected,
        )
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        problems.add(
            1,
            _("missing column(s): %(columns)s. The columns are: %(expected)s."),
            columns=", ".join(missing),
            expected=expected,
        )
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        problems.add(1, _("column(s) named twice: %(columns)s."), columns=", ".join(repeated))
    return {name: names.index(name) for name in COLUMNS if name in names}


def _parse_entries(
    value: str, *, line: int, column: str, label: str, problems: _Problems
) -> tuple[tuple[str, int], ...]:
    """`Tag:number;Tag:number` → ((tag, number), ...); empty entries (a trailing ;) are fine."""
    entries: dict[str, tuple[str, int]] = {}
    for raw in value.split(ENTRY_SEPARATOR):
        entry = raw.strip()
        if not entry:
            continue
        name, colon, number = entry.rpartition(":")
        name, number = _tidy(name), number.strip()
        where = {"column": column, "entry": entry, "name": name, "label": label}
        if not colon:
            problems.add(
                line,
                _("%(column)s: “%(entry)s” is not written as Tag:%(label)s (e.g. Python:3)."),
                **where,
            )
        elif not name:
            problems.add(line, _("%(column)s: “%(entry)s” has no tag name."), **where)
        elif len(name) > TAG_NAME_MAX_LENGTH:
            problems.add(
                line,
                _("%(column)s: the tag name “%(short)s…” is too long (at most %(max)s)."),
                column=column,
                short=name[:30],
                max=TAG_NAME_MAX_LENGTH,
            )
        elif not re.fullmatch(r"[1-5]", number):
            problems.add(
                line,
                _(
                    "%(column)s: the %(label)s of “%(name)s” must be a number from 1 to 5, "
                    "not “%(number)s”."
                ),  # fmt: skip
                number=number,
                **where,
            )
        elif name.lower() in entries:
            problems.add(line, _("%(column)s: “%(name)s” is named twice."), **where)
        else:
            entries[name.lower()] = (name, int(number))
    return tuple(entries.values())


def _parse_row(cells: dict[str, str], line: int, problems: _Problems) -> MemberRow | None:
    """The row's clean values, or None after adding each of its problems to `problems`."""
    found = len(problems)
    for column, value in cells.items():
        if len(value) > CELL_MAX_LENGTH:
            problems.add(
                line,
                _("%(column)s is too long (%(length)s characters; at most %(max)s)."),
                column=column,
                length=len(value),
                max=CELL_MAX_LENGTH,
            )
    if len(problems) > found:
        return None
    values = {column: _tidy(cells[column]) for column in COLUMNS}
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            problems.add(
                line,
                _("%(column)s is too long (%(length)s characters; at most %(max)s)."),
                column=column,
                length=len(values[column]),
                max=limit,
            )

    email = values["email"].lower()
    if not email:
        problems.add(line, _("the email address is missing."))
    elif len(email) <= MAX_LENGTHS["email"]:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(
                line, _("“%(email)s” is not a valid email address."), email=values["email"]
            )

    time_zone = _timezone_names().get(values["timezone"].lower(), "")
    if values["timezone"] and not time_zone:
        problems.add(
            line,
            _("timezone: “%(value)s” is not a time zone name such as Europe/Copenhagen."),
            value=values["timezone"][:70],
        )

    languages = [_tidy(part) for part in cells["languages"].split(ENTRY_SEPARATOR)]
    for language in languages:
        if len(language) > LANGUAGE_MAX_LENGTH:
            problems.add(
                line,
                _("languages: “%(short)s…” is too long for a language (at most %(max)s)."),
                short=language[:30],
                max=LANGUAGE_MAX_LENGTH,
            )

    offers = _parse_entries(
        cells["offers"], line=line, column="offers", label=_("level"), problems=problems
    )
    needs = _parse_entries(
        cells["needs"], line=line, column="needs", label=_("priority"), problems=problems
    )
    if len(problems) > found:
        return None
    return MemberRow(
        line=line,
        email=email,
        first_name=values["first_name"],
        last_name=values["last_name"],
        department=values["department"],
        offers=offers,
        needs=needs,
        languages=tuple(normalize_languages(languages)),
        timezone=time_zone,
    )


class _CsvError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) for each CSV record, skipping blank lines.

    A quoted cell may span lines, so a record's line is where it starts, not a count of records.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _CsvError(line, str(error)) from error
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def parse_members_csv(data: bytes) -> ParsedFile:
    """Read and check the file row by row (everything that needs no database)."""
    parsed, problems = ParsedFile(), _Problems()
    parsed.problems = problems
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(
            data[: error.start].count(b"\n") + 1,
            _(
                "the file is not UTF-8 text (byte %(position)s cannot be read). "
                "Save it as “CSV UTF-8” and try again."
            ),  # fmt: skip
            position=error.start + 1,
        )
        return parsed
    if "\x00" in text:  # binary content; PostgreSQL can't store a NUL character either
        problems.add(
            text[: text.index("\x00")].count("\n") + 1,
            _("the file contains a NUL character, so it is not CSV text. Save it as “CSV UTF-8”."),
        )
        return parsed
    records = _records(text)
    try:
        header_line, header = next(records, (0, []))
        if not header:
            problems.add(
                1,
                _("the file is empty. Its first line must name the columns: %(columns)s."),
                columns=",".join(COLUMNS),
            )
            return parsed
        if header_line != 1:
            problems.add(1, _("the first line must name the columns, but it is empty."))
            return parsed
        positions = _read_header(header, problems)
        if problems:
            return parsed
        first_lines: dict[str, int] = {}
        for line, cells in records:
            parsed.records += 1
            if len(cells) != len(header):
                problems.add(
                    line,
                    _("expected %(expected)s values separated by commas, found %(found)s."),
                    expected=len(header),
                    found=len(cells),
                )
                continue
            row = _parse_row({c: cells[i] for c, i in positions.items()}, line, problems)
            email = _tidy(cells[positions["email"]]).lower()
            if email and email in first_lines:
                problems.add(
                    line,
                    _("%(email)s is also on line %(first)s; list each member once."),
                    email=email,
                    first=first_lines[email],
                )
                continue
            first_lines[email] = line
            if row is not None:
                parsed.rows.append(row)
    except _CsvError as error:
        problems.add(error.line, _("the line cannot be read as CSV (%(error)s)."), error=error)
    if not parsed.records and not problems:
        problems.add(1, _("the file has a header line but no members below it."))
    return parsed


# Planning ------------------------------------------------------------------------------------


def _chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _TagInfo:
    id: int
    name: str
    retired: bool
    merged_into_id: int | None


@dataclass
class _MemberPlan:
    row: MemberRow
    user: User | None
    rename: bool
    join_organization: bool
    enrol: bool
    profile: Profile | None
    profile_fields: list[str]
    # Tag keys are existing tag ids (int) or lower-cased names of tags to create (str).
    offers: dict[int | str, int]
    needs: dict[int | str, int]
    # What the profile has now: tag id → level (offers) or priority (needs).
    current_offers: dict[int, int] = field(default_factory=dict)
    current_needs: dict[int, int] = field(default_factory=dict)
    offers_changed: bool = False
    needs_changed: bool = False


@dataclass
class _Plan:
    cohort: Cohort
    report: ImportReport
    members: list[_MemberPlan] = field(default_factory=list)
    new_tags: dict[str, str] = field(default_factory=dict)
    existing_offers: dict[int, dict[int, Offer]] = field(default_factory=dict)
    existing_needs: dict[int, dict[int, Need]] = field(default_factory=dict)


def _existing_users(emails: list[str]) -> dict[str, User]:
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        for user in (
            User.objects.annotate(email_lower=Lower("email"))
            # SQLite lower-cases ASCII only; stored addresses are lower-cased already.
            .filter(Q(email_lower__in=chunk) | Q(email__in=chunk))
            .only("id", "email", "first_name", "last_name", "password", "last_login")
        ):
            users[user.email.lower()] = user
    return users


def _organization_tags(organization: Organization) -> dict[str, _TagInfo]:
    if organization.pk is None:
        return {}
    rows = Tag.objects.for_organization(organization).values_list(
        "id", "name", "retired_at", "merged_into_id"
    )
    return {
        name.lower(): _TagInfo(pk, name, retired_at is not None, merged_into)
        for pk, name, retired_at, merged_into in rows
    }


def _resolve(name: str, tags: dict[str, _TagInfo], by_id: dict[int, _TagInfo]) -> _TagInfo | None:
    """The tag a name stands for, following merges; None for a tag that doesn't exist yet."""
    tag = tags.get(name.lower())
    hops = 0
    while tag is not None and tag.merged_into_id and hops < 10:
        tag = by_id.get(tag.merged_into_id)
        hops += 1
    return tag


def _load_existing(plan: _Plan, rows: list[MemberRow]):
    cohort, organization = plan.cohort, plan.cohort.organization
    users = _existing_users([row.email for row in rows])
    user_ids = [user.pk for user in users.values()]
    members, enrolled, profiles = set(), set(), {}
    if organization.pk is not None:
        for chunk in _chunks(user_ids):
            members.update(
                Membership.objects.filter(organization=organization, user_id__in=chunk).values_list(
                    "user_id", flat=True
                )
            )
            for profile in Profile.objects.filter(organization=organization, user_id__in=chunk):
                profiles[profile.user_id] = profile
    if cohort.pk is not None:
        for chunk in _chunks(user_ids):
            enrolled.update(
                Enrolment.objects.filter(cohort=cohort, user_id__in=chunk).values_list(
                    "user_id", flat=True
                )
            )
    profile_ids = [profile.pk for profile in profiles.values()]
    for chunk in _chunks(profile_ids):
        for offer in Offer.objects.filter(profile_id__in=chunk):
            plan.existing_offers.setdefault(offer.profile_id, {})[offer.tag_id] = offer
        for need in Need.objects.filter(profile_id__in=chunk):
            plan.existing_needs.setdefault(need.profile_id, {})[need.tag_id] = need
    return users, members, enrolled, profiles


def _may_rename(user: User) -> bool:
    """Whether the file's names replace the account's.

    An account nobody has used yet (an earlier import made it) follows the file, and blank names
    are filled in; but anyone who has logged in or set a password owns their name.
    """
    unused = user.last_login is None and not user.has_usable_password()
    return unused or not (user.first_name or user.last_name)


def _describe_entries(current: dict, wanted: dict, names: dict) -> str:
    """ "+Python (4), SQL 2→3, −Budgeting": what replacing `current` by `wanted` does."""
    parts = [
        f"{names[key]} {current[key]}→{number}" if key in current else f"+{names[key]} ({number})"
        for key, number in wanted.items()
        if current.get(key) != number
    ]
    return ", ".join(parts + [f"−{names[key]}" for key in current if key not in wanted])


class _Planner:
    """Works out, row by row, what the import does; reads everything it needs up front."""

    def __init__(self, plan: _Plan, rows: list[MemberRow], problems: _Problems):
        self.plan, self.problems = plan, problems
        self.users, self.members, self.enrolled, self.profiles = _load_existing(plan, rows)
        self.tags = _organization_tags(plan.cohort.organization)
        self.tags_by_id = {tag.id: tag for tag in self.tags.values()}
        self.tag_names: dict[int | str, str] = {tag.id: tag.name for tag in self.tags.values()}

    def entries(self, row: MemberRow, column: str, held: set[int]) -> dict[int | str, int]:
        """The cell's entries keyed by tag id, or by lower-cased name for a new tag."""
        wanted: dict[int | str, int] = {}
        written_as: dict[int | str, str] = {}
        for name, number in getattr(row, column):
            tag = _resolve(name, self.tags, self.tags_by_id)
            key: int | str = name.lower() if tag is None else tag.id
            if tag is None:
                self.tag_names.setdefault(key, self.plan.new_tags.setdefault(key, name))
            elif tag.retired and tag.id not in held:
                self.problems.add(
                    row.line,
                    _("%(column)s: the tag “%(name)s” is retired and can no longer be chosen."),
                    column=column,
                    name=tag.name,
                )
            if key in wanted:
                self.problems.add(
                    row.line,
                    _(
                        "%(column)s: “%(name)s” and “%(other)s” are the same tag (one was "
                        "merged into the other)."
                    ),  # fmt: skip
                    column=column,
                    name=written_as[key],
                    other=name,
                )
            wanted[key], written_as[key] = number, name
        return wanted

    def member(self, row: MemberRow) -> _MemberPlan:
        user = self.users.get(row.email)
        profile = self.profiles.get(user.pk) if user else None
        offers = self.plan.existing_offers.get(getattr(profile, "pk", None), {})
        needs = self.plan.existing_needs.get(getattr(profile, "pk", None), {})
        held = set(offers) | set(needs)
        member = _MemberPlan(
            row=row,
            user=user,
            rename=bool(user)
            and (user.first_name, user.last_name) != (row.first_name, row.last_name)
            and _may_rename(user),
            join_organization=user is None or user.pk not in self.members,
            enrol=user is None or user.pk not in self.enrolled,
            profile=profile,
            profile_fields=[],
            offers=self.entries(row, "offers", held),
            needs=self.entries(row, "needs", held),
        )
        if profile is not None:
            member.profile_fields = [
                name
                for name in ("department", "languages", "timezone")
                if getattr(profile, name) != _profile_value(row, name)
            ]
        member.current_offers = {tag_id: offer.level for tag_id, offer in offers.items()}
        member.current_needs = {tag_id: need.priority for tag_id, need in needs.items()}
        member.offers_changed = member.current_offers != member.offers
        member.needs_changed = member.current_needs != member.needs
        return member

    def outcome(self, member: _MemberPlan) -> MemberOutcome:
        row, user, profile = member.row, member.user, member.profile
        if user is None:
            return MemberOutcome(row.line, row.email, MemberStatus.CREATED)
        changes = []
        if member.join_organization:
            changes.append(_("joins the organization"))
        if member.enrol:
            changes.append(_("joins the cohort"))
        if member.rename:
            new_name = f"{row.first_name} {row.last_name}".strip()
            changes.append(
                _("name: %(old)s → %(new)s")
                % {"old": user.get_full_name() or "—", "new": new_name or "—"}
            )
        if profile is None:
            changes.append(_("new profile"))
        for name in member.profile_fields:
            old, new = getattr(profile, name), _profile_value(row, name)
            if name == "languages":
                old, new = ", ".join(old), ", ".join(new)
            changes.append(f"{name}: {old or '—'} → {new or '—'}")
        if profile is not None and member.offers_changed:
            described = _describe_entries(member.current_offers, member.offers, self.tag_names)
            changes.append(_("offers: %(changes)s") % {"changes": described})
        if profile is not None and member.needs_changed:
            described = _describe_entries(member.current_needs, member.needs, self.tag_names)
            changes.append(_("needs: %(changes)s") % {"changes": described})
        status = MemberStatus.UPDATED if changes else MemberStatus.UNCHANGED
        return MemberOutcome(row.line, row.email, status, tuple(changes))


def _profile_value(row: MemberRow, name: str):
    value = getattr(row, name)
    return list(value) if name == "languages" else value


def _plan_import(*, cohort: Cohort, data: bytes) -> _Plan:
    parsed = parse_members_csv(data)
    report = ImportReport(rows=parsed.records)
    plan = _Plan(cohort=cohort, report=report)
    problems = _Problems(parsed.problems)
    if parsed.rows:
        planner = _Planner(plan, parsed.rows, problems)
        for row in parsed.rows:
            member = planner.member(row)
            plan.members.append(member)
            report.outcomes.append(planner.outcome(member))
    report.problems = sorted(problems, key=lambda problem: problem.line)
    if report.problems:
        report.outcomes, plan.members = [], []
        return plan
    report.new_tags = sorted(plan.new_tags.values(), key=str.lower)
    report.fingerprint = _fingerprint(data, report)
    return plan


def _fingerprint(data: bytes, report: ImportReport) -> str:
    """Identifies the file and what importing it would do, to confirm exactly a preview."""
    digest = hashlib.sha256(data)
    summary = [[o.line, o.email, o.status, list(o.changes)] for o in report.outcomes]
    digest.update(json.dumps([summary, report.new_tags], ensure_ascii=False).encode())
    return digest.hexdigest()


# Writing -------------------------------------------------------------------------------------


def _write(plan: _Plan, *, actor: User | None) -> None:
    organization, cohort = plan.cohort.organization, plan.cohort
    now = timezone.now()

    tag_ids: dict[int | str, int] = {}
    if plan.new_tags:
        created = tags_resolve_or_create(
            organization=organization, names=list(plan.new_tags.values()), actor=actor
        )
        tag_ids.update({key: created[key].pk for key in plan.new_tags})

    new_users = []
    for member in plan.members:
        if member.user is None:
            user = User(
                email=member.row.email,
                first_name=member.row.first_name,
                last_name=member.row.last_name,
            )
            # Imported people get no password: they set one through the password reset.
            user.set_unusable_password()
            new_users.append(user)
            member.user = user
    User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    if any(user.pk is None for user in new_users):  # backends that return no ids
        ids = {u.email: u.pk for u in _existing_users([u.email for u in new_users]).values()}
        for user in new_users:
            user.pk = ids[user.email]

    renamed = []
    for member in plan.members:
        if member.rename:
            member.user.first_name, member.user.last_name = (
                member.row.first_name,
                member.row.last_name,
            )
            renamed.append(member.user)
    User.objects.bulk_update(renamed, ["first_name", "last_name"], batch_size=BATCH_SIZE)

    # ignore_conflicts: someone may accept an invitation meanwhile; their row is as good.
    Membership.objects.bulk_create(
        [
            Membership(organization=organization, user=m.user, role=Membership.Role.MEMBER)
            for m in plan.members
            if m.join_organization
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    Enrolment.objects.bulk_create(
        [Enrolment(cohort=cohort, user=m.user, joined_at=now) for m in plan.members if m.enrol],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )

    new_profiles, changed_profiles = [], []
    for member in plan.members:
        row = member.row
        fields = {
            "department": row.department,
            "languages": list(row.languages),
            "timezone": row.timezone,
        }
        if member.profile is None:
            member.profile = Profile(organization=organization, user=member.user, **fields)
            new_profiles.append(member.profile)
        elif member.profile_fields or member.offers_changed or member.needs_changed:
            for name, value in fields.items():
                setattr(member.profile, name, value)
            member.profile.updated_at = now
            changed_profiles.append(member.profile)
    Profile.objects.bulk_create(new_profiles, batch_size=BATCH_SIZE)
    if any(profile.pk is None for profile in new_profiles):
        by_user = {}
        for chunk in _chunks([profile.user_id for profile in new_profiles]):
            by_user.update(
                Profile.objects.filter(organization=organization, user_id__in=chunk).values_list(
                    "user_id", "pk"
                )
            )
        for profile in new_profiles:
            profile.pk = by_user[profile.user_id]
    Profile.objects.bulk_update(
        changed_profiles,
        ["department", "languages", "timezone", "updated_at"],
        batch_size=BATCH_SIZE,
    )

    _write_entries(plan, Offer, "level", plan.existing_offers, "offers", tag_ids)
    _write_entries(plan, Need, "priority", plan.existing_needs, "needs", tag_ids)


def _write_entries(plan, model, number_field, existing, attribute, tag_ids):
    """Make each profile's offers (or needs) exactly the file's, keeping notes on kept rows."""
    stale, changed, new = [], [], []
    for member in plan.members:
        if not getattr(member, f"{attribute}_changed"):
            continue
        entries = getattr(member, attribute).items()
        wanted = {tag_ids.get(key, key): number for key, number in entries}
        current = existing.get(member.profile.pk, {})
        stale.extend(row.pk for tag_id, row in current.items() if tag_id not in wanted)
        for tag_id, number in wanted.items():
            row = current.get(tag_id)
            if row is None:
                new.append(model(profile=member.profile, tag_id=tag_id, **{number_field: number}))
            elif getattr(row, number_field) != number:
                setattr(row, number_field, number)
                changed.append(row)
    for chunk in _chunks(stale):
        model.objects.filter(pk__in=chunk).delete()
    model.objects.bulk_update(changed, [number_field], batch_size=BATCH_SIZE)
    model.objects.bulk_create(new, batch_size=BATCH_SIZE)


# Services ------------------------------------------------------------------------------------


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
) -> ImportReport:
    """Import the CSV `data` into `cohort`: all rows or, on any problem, nothing.

    Each row's person gets an account (without a password) if they have none, a membership of
    the cohort's organization (role member; existing roles are kept), an enrolment in the
    cohort, and a profile whose department, languages, time zone, offers and needs are exactly
    the file's. Unknown tags join the organization's taxonomy as skills.

    Raises ImportInvalid (listing each problem by line) when the file has problems, and
    ImportChanged when `expected_fingerprint` (from a preview) no longer matches. With
    `dry_run` it only plans. Returns the report; `written` says whether anything was saved.
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
    audit(
        organization=cohort.organization,
        actor=actor,
        action="members.imported",
        cohort=cohort.pk,
        source=source,
        **report.counts(),
    )
    return report


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
    csv.writer(buffer, lineterminator="\r\n").writerows(EXAMPLE_ROWS)
    return buffer.getvalue()


# Keeping an upload between the preview and the confirmation --------------------------------


class UploadExpired(Exception):
    """The previewed upload is gone, expired, or belongs to someone or somewhere else."""


@dataclass(frozen=True)
class StagedUpload:
    token: str
    data: bytes
    fingerprint: str


def _staging_path(token: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
        raise UploadExpired
    return Path(settings.MEDIA_ROOT) / STAGING_DIRECTORY / f"{token}.csv"


def upload_ticket(*, token: str, cohort: Cohort, user: User, fingerprint: str) -> str:
    """A signed ticket naming the staged file, valid only for this user and cohort."""
    payload = {"t": token, "c": cohort.pk, "u": user.pk, "f": fingerprint}
    return signing.dumps(payload, salt=STAGING_SALT)


def upload_stage(*, data: bytes, cohort: Cohort, user: User, fingerprint: str) -> str:
    """Keep `data` until it is confirmed (or expires); returns the ticket for the confirm form.

    The file lives under MEDIA_ROOT by a random name that only the signed ticket carries.
    """
    token = secrets.token_urlsafe(24)
    path = _staging_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    _discard_expired(path.parent)
    path.write_bytes(data)
    return upload_ticket(token=token, cohort=cohort, user=user, fingerprint=fingerprint)


def upload_load(*, ticket: str, cohort: Cohort, user: User) -> StagedUpload:
    try:
        payload = signing.loads(ticket, salt=STAGING_SALT, max_age=STAGING_MAX_AGE.total_seconds())
    except signing.BadSignature as error:  # includes SignatureExpired
        raise UploadExpired from error
    if payload.get("c") != cohort.pk or payload.get("u") != user.pk:
        raise UploadExpired
    path = _staging_path(str(payload.get("t", "")))
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise UploadExpired from error
    return StagedUpload(token=payload["t"], data=data, fingerprint=str(payload.get("f", "")))


def upload_discard(*, token: str) -> None:
    with contextlib.suppress(UploadExpired):
        _staging_path(token).unlink(missing_ok=True)


def _discard_expired(directory: Path) -> None:
    """Uploads nobody confirmed: remove them once no ticket can name them any more."""
    cutoff = timezone.now().timestamp() - STAGING_MAX_AGE.total_seconds()
    for path in directory.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
