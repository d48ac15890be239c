"""Working out what importing a parsed file into a cohort would do, writing nothing.

`_plan_import` parses the file, reads what the database already holds for its rows in batches
(accounts, memberships, enrolments, profiles, offers, needs and the organization's tags), adds
the problems only the database can reveal (retired tags, tags merged into one another), and
returns a `_Plan`: each member's `_MemberPlan`, the tags to create, and the `ImportReport`
with its `_fingerprint`, which a confirmation must match.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import Cohort, Enrolment, Membership, Organization, User

from ..models import Need, Offer, Profile, Tag
from .parsing import _Problems, parse_members_csv
from .results import BATCH_SIZE, ImportReport, MemberOutcome, MemberRow, MemberStatus


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
