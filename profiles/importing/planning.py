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

from accounts.models import Cohort, Enrolment, Invitation, Membership, Organization, User

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
    # An account that is not a member of the organization: it is invited, never enrolled, and
    # what the file says about it waits on the invitation (`invite_data`) until it accepts.
    invite: bool = False
    invite_data: dict = field(default_factory=dict)
    invite_changed: bool = False  # a new invitation, or new details for an open one


@dataclass
class _Plan:
    cohort: Cohort
    report: ImportReport
    members: list[_MemberPlan] = field(default_factory=list)
    new_tags: dict[str, str] = field(default_factory=dict)
    existing_offers: dict[int, dict[int, Offer]] = field(default_factory=dict)
    existing_needs: dict[int, dict[int, Need]] = field(default_factory=dict)
    # Filled by the writer: the accounts this import made (they have never signed in).
    created_user_ids: list[int] = field(default_factory=list)


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
    members, enrolled, profiles, invitations = set(), set(), {}, {}
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
        # Accounts that are not members yet may hold an invitation from an earlier import.
        outsiders = [email for email, user in users.items() if user.pk not in members]
        for chunk in _chunks(outsiders):
            for invitation in (
                Invitation.objects.filter(cohort=cohort, email__in=chunk)
                .filter(accepted_at__isnull=True, revoked_at__isnull=True)
                .order_by("created_at")
            ):
                invitations[invitation.email.lower()] = invitation
    profile_ids = [profile.pk for profile in profiles.values()]
    for chunk in _chunks(profile_ids):
        for offer in Offer.objects.filter(profile_id__in=chunk):
            plan.existing_offers.setdefault(offer.profile_id, {})[offer.tag_id] = offer
        for need in Need.objects.filter(profile_id__in=chunk):
            plan.existing_needs.setdefault(need.profile_id, {})[need.tag_id] = need
    return users, members, enrolled, profiles, invitations


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
        loaded = _load_existing(plan, rows)
        self.users, self.members, self.enrolled, self.profiles, self.invitations = loaded
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
        if user is not None and user.pk not in self.members:
            return self.invited(row, user)
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
            join_organization=user is None,  # members only past this point
            enrol=user is None or user.pk not in self.enrolled,
            profile=profile,
            profile_fields=[],
            offers=self.entries(row, "offers", held),
            needs=self.entries(row, "needs", held),
        )
        if profile is not None:
            member.profile_fields = [
                name
                for name in ("department", "languages", "timezone", *row.given)
                if getattr(profile, name) != _profile_value(row, name)
            ]
        member.current_offers = {tag_id: offer.level for tag_id, offer in offers.items()}
        member.current_needs = {tag_id: need.priority for tag_id, need in needs.items()}
        member.offers_changed = member.current_offers != member.offers
        member.needs_changed = member.current_needs != member.needs
        return member

    def invited(self, row: MemberRow, user: User) -> _MemberPlan:
        """An account that is not a member: it is invited, and the row waits for its answer.

        The tags are checked as for someone new (and new names join the taxonomy), so that the
        preview reads the same whether or not the address has an account.
        """
        offers, needs = self.entries(row, "offers", set()), self.entries(row, "needs", set())
        return _MemberPlan(
            row=row,
            user=user,
            rename=False,
            join_organization=False,
            enrol=False,
            profile=None,
            profile_fields=[],
            offers=offers,
            needs=needs,
            invite=True,
            invite_data={
                "first_name": row.first_name,
                "last_name": row.last_name,
                "department": row.department,
                "languages": list(row.languages),
                "timezone": row.timezone,
                **{name: getattr(row, name) for name in row.given},
                "offers": [[name, number] for name, number in row.offers],
                "needs": [[name, number] for name, number in row.needs],
            },
        )

    def outcome(self, member: _MemberPlan) -> MemberOutcome:
        row, user, profile = member.row, member.user, member.profile
        if member.invite:
            return self.invited_outcome(member)
        if user is None:
            return MemberOutcome(row.line, row.email, MemberStatus.CREATED)
        changes = []
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

    def invited_outcome(self, member: _MemberPlan) -> MemberOutcome:
        """Reads as "created" (as for a new person) the first time: whether an address has an
        account is not the importer's to learn. Once invited, the cohort's page shows them as
        invited, so a later import may say what changes for the invitation."""
        row = member.row
        invitation = self.invitations.get(row.email)
        if invitation is None:
            member.invite_changed = True
            return MemberOutcome(row.line, row.email, MemberStatus.CREATED)
        if invitation.declined_at is not None or invitation.import_data == member.invite_data:
            return MemberOutcome(row.line, row.email, MemberStatus.UNCHANGED)
        member.invite_changed = True
        change = _("invited: the new details wait for their answer")
        return MemberOutcome(row.line, row.email, MemberStatus.UPDATED, (change,))


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
    report.read = list(parsed.rows)
    report.fingerprint = _fingerprint(data, report)
    return plan


def _fingerprint(data: bytes, report: ImportReport) -> str:
    """Identifies the file and what importing it would do, to confirm exactly a preview."""
    digest = hashlib.sha256(data)
    summary = [[o.line, o.email, o.status, list(o.changes)] for o in report.outcomes]
    digest.update(json.dumps([summary, report.new_tags], ensure_ascii=False).encode())
    return digest.hexdigest()
