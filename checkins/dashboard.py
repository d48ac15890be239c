"""Reads for the coordinators' cockpit: the cohort dashboard and the program dashboard.

Every number the dashboards show is computed here, with a fixed number of queries however
many members, pairs and check-ins a cohort has: aggregates (`Count` with filters, `Exists`
subqueries, window functions) in the database, and `selectors.pairs_health` (constant-query)
for the pairs' health. Nothing here loads what partners write in a check-in: only dates,
statuses, and whether each indicator's latest reading meets its target.

The funnel
----------
The funnel follows people through the cohort. Each step counts the people who meet its
condition *and every earlier step's*, so a step never counts more people than the one before
and every invited person is "stuck" at exactly one step (or has reached the last one).

1. **invited** — everyone invited to or enrolled in the cohort: the enrolled members, plus the
   open invitations (pending or expired; not accepted, not revoked) whose address belongs to
   nobody enrolled yet.
2. **joined** — enrolled in the cohort (by accepting an invitation or by an import).
3. **profile complete** — joined, and the member's profile in the organization has at least
   one offer, one need, a language and a time zone (the rule matching uses).
4. **matched** — profile complete, and in an *active* pair of this cohort (every partner
   accepted). Proposed or published pairs awaiting answers don't count yet.
5. **contract signed** — matched, and that pair has a signed contract in force (a signed
   version; amendments in progress don't undo it).
6. **meeting regularly** — contract signed, and the pair's health is *on track*
   (`checkins/health.py`), or either partner logged a check-in within one cadence period of
   the pair's contract (7, 14 or 31 days: weekly, every two weeks, monthly), which covers pairs
   that already meet but are "too early to tell" or at risk only for an overdue indicator.

Percentages are of the invited (rounded half up); each step also gives its share of the step
before. "Stuck at" a step means reached it but not the next one.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lag, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Cohort, Enrolment, Invitation, Program
from contracts.models import Contract, Indicator
from matching.models import Pair, PairMember
from profiles.models import Profile
from profiles.selectors import cohort_profile_statuses

from . import charts, health, selectors, survey
from .models import CheckIn, IndicatorValue

# The funnel ----------------------------------------------------------------------------------

INVITED = "invited"
JOINED = "joined"
PROFILE_COMPLETE = "profile_complete"
MATCHED = "matched"
CONTRACT_SIGNED = "contract_signed"
MEETING_REGULARLY = "meeting_regularly"
STEPS = (INVITED, JOINED, PROFILE_COMPLETE, MATCHED, CONTRACT_SIGNED, MEETING_REGULARLY)

STEP_LABELS = {
    INVITED: gettext_lazy("Invited"),
    JOINED: gettext_lazy("Joined"),
    PROFILE_COMPLETE: gettext_lazy("Profile complete"),
    MATCHED: gettext_lazy("Matched"),
    CONTRACT_SIGNED: gettext_lazy("Contract signed"),
    MEETING_REGULARLY: gettext_lazy("Meeting regularly"),
}
STEP_HELP = {
    INVITED: gettext_lazy(
        "Everyone invited to the cohort or enrolled in it (open invitations, pending or "
        "expired, count until they are accepted or revoked)."
    ),
    JOINED: gettext_lazy("Enrolled in the cohort: accepted an invitation or imported."),
    PROFILE_COMPLETE: gettext_lazy(
        "Joined, with at least one offer, one need, a language and a time zone."
    ),
    MATCHED: gettext_lazy("Profile complete, and in an active pair (every partner accepted)."),
    CONTRACT_SIGNED: gettext_lazy("Matched, and the pair's contract is signed."),
    MEETING_REGULARLY: gettext_lazy(
        "Contract signed, and the pair is on track or logged a check-in within its cadence "
        "(7, 14 or 31 days)."
    ),
}
# The heading of the list of people stuck at a step: reached it, not the next one.
STUCK_LABELS = {
    INVITED: gettext_lazy("Invited, not joined yet"),
    JOINED: gettext_lazy("Joined, profile not complete"),
    PROFILE_COMPLETE: gettext_lazy("Profile complete, not in an active pair"),
    MATCHED: gettext_lazy("Matched, no signed contract"),
    CONTRACT_SIGNED: gettext_lazy("Contract signed, not meeting regularly"),
    MEETING_REGULARLY: gettext_lazy("Meeting regularly"),
}

# What each step adds to the one before, on the rows of `_member_progress`.
COMPLETE = Q(is_complete=True)
MATCHED_Q = COMPLETE & Q(in_active_pair=True)
SIGNED_Q = MATCHED_Q & Q(has_signed_contract=True)
MEETING_Q = SIGNED_Q & Q(meets_regularly=True)
REACHED = {
    JOINED: Q(),
    PROFILE_COMPLETE: COMPLETE,
    MATCHED: MATCHED_Q,
    CONTRACT_SIGNED: SIGNED_Q,
    MEETING_REGULARLY: MEETING_Q,
}
STUCK = {
    JOINED: ~COMPLETE,
    PROFILE_COMPLETE: COMPLETE & Q(in_active_pair=False),
    MATCHED: MATCHED_Q & Q(has_signed_contract=False),
    CONTRACT_SIGNED: SIGNED_Q & Q(meets_regularly=False),
    MEETING_REGULARLY: MEETING_Q,
}
# Steps whose people are members (they can get a message): all but the invitations.
MEMBER_STEPS = STEPS[1:]
NEEDS_HEALTH = (CONTRACT_SIGNED, MEETING_REGULARLY)


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole percent, rounded half up; None when `whole` is 0."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    count: int
    percent: int | None  # of the invited
    of_previous: int | None  # of the step before (None for the first)
    stuck: int  # reached this step, not the next

    @property
    def label(self) -> str:
        return STEP_LABELS[self.key]

    @property
    def help(self) -> str:
        return STEP_HELP[self.key]

    @property
    def stuck_label(self) -> str:
        return STUCK_LABELS[self.key]

    @property
    def meter(self) -> SafeString:
        return charts.meter(percent=self.percent)


def meets_regularly(pair_health: selectors.PairHealth, now: datetime.datetime) -> bool:
    """On track, or a check-in within one cadence period of the pair's contract."""
    contract = pair_health.contract
    if contract is None:
        return False
    if pair_health.status == health.Status.ON_TRACK:
        return True
    period = datetime.timedelta(days=health.FIRST_PERIOD_DAYS[contract.cadence])
    last = pair_health.last_checkin_at
    return last is not None and now - last <= period


def _users_in(pair_members: QuerySet[PairMember]) -> ExpressionWrapper:
    """True for the enrolments whose user is among `pair_members`' users.

    An uncorrelated `user_id IN (SELECT …)`: the database reads the list once per query. (A
    per-member `EXISTS` joined to the cohort's pairs made SQLite walk all of them for every
    member: seconds on a 2,000-member cohort.)
    """
    return ExpressionWrapper(
        Q(user_id__in=pair_members.values("user_id")), output_field=BooleanField()
    )


def _active_members(cohort: Cohort) -> QuerySet[PairMember]:
    return PairMember.objects.filter(pair__cohort=cohort, pair__status=Pair.Status.ACTIVE)


def _member_progress(
    *, cohort: Cohort, regular_pair_ids: list[int] | None = None
) -> QuerySet[Enrolment]:
    """The cohort's enrolments (with their users, in name order) annotated with how far each
    member got: is_complete (`Profile.objects.complete()`, the rule matching uses),
    in_active_pair, has_signed_contract and, when `regular_pair_ids` is given, meets_regularly.

    Each flag is an uncorrelated `user_id IN (…)`, read once per query: one query, however
    many members.
    """
    active = _active_members(cohort)
    complete = Profile.objects.for_organization(cohort.organization_id).complete()
    rows = (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("user")
        .annotate(
            is_complete=_users_in(complete),
            in_active_pair=_users_in(active),
            has_signed_contract=_users_in(
                active.filter(pair__contracts__status=Contract.Status.SIGNED)
            ),
        )
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )
    if regular_pair_ids is not None:
        rows = rows.annotate(
            # The ids are the cohort's active pairs already: no join to the pairs needed.
            meets_regularly=_users_in(PairMember.objects.filter(pair_id__in=regular_pair_ids))
            if regular_pair_ids
            else Value(False, output_field=BooleanField())
        )
    return rows


def _not_enrolled(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Leave out invitations to an address already enrolled in the invitation's cohort."""
    enrolled = Enrolment.objects.filter(cohort=OuterRef("cohort")).annotate(
        email=Lower("user__email")
    )
    return invitations.annotate(email_lower=Lower("email")).exclude(
        Exists(enrolled.filter(email=OuterRef("email_lower")))
    )


def _open_invitations(cohort: Cohort) -> QuerySet[Invitation]:
    """Open invitations (pending or expired) to addresses nobody enrolled in the cohort has."""
    return (
        _not_enrolled(Invitation.objects.filter(cohort=cohort).pending())
        .select_related("invited_by")
        .order_by("email_lower", "pk")
    )


def _regular_pair_ids(healths: dict, now: datetime.datetime) -> list[int]:
    return sorted(pk for pk, row in healths.items() if meets_regularly(row, now))


def cohort_funnel(
    *, cohort: Cohort, healths: dict | None = None, now: datetime.datetime | None = None
) -> list[FunnelStep]:
    """The six steps with their counts and percentages (see the module docstring).

    Two aggregate queries, plus `pairs_health` when `healths` (of the cohort's active pairs) is
    not given.
    """
    now = now or timezone.now()
    if healths is None:
        healths = selectors.pairs_health(pairs=_active_pair_ids(cohort), now=now)
    counts = _member_progress(
        cohort=cohort, regular_pair_ids=_regular_pair_ids(healths, now)
    ).aggregate(**{step: Count("pk", filter=REACHED[step] or None) for step in MEMBER_STEPS})
    counts[INVITED] = counts[JOINED] + _open_invitations(cohort).count()
    invited = counts[INVITED]
    funnel = []
    for index, step in enumerate(STEPS):
        following = counts[STEPS[index + 1]] if index + 1 < len(STEPS) else 0
        previous = counts[STEPS[index - 1]] if index else None
        funnel.append(
            FunnelStep(
                key=step,
                count=counts[step],
                percent=percent(counts[step], invited),
                of_previous=None if previous is None else percent(counts[step], previous),
                stuck=counts[step] - following,
            )
        )
    return funnel


# The people stuck at a step --------------------------------------------------------------------


@dataclass
class StuckList:
    cohort: Cohort
    step: str
    rows: QuerySet  # Enrolments (annotated), or Invitations for the first step
    healths: dict = field(default_factory=dict)  # of the active pairs, for the last two steps

    @property
    def label(self) -> str:
        return STUCK_LABELS[self.step]

    @property
    def help(self) -> str:
        return STEP_HELP[self.step]

    @property
    def reached_label(self) -> str:
        return STEP_LABELS[self.step]

    @property
    def next_label(self) -> str:
        """The step they haven't reached ("" for the last one)."""
        index = STEPS.index(self.step)
        return STEP_LABELS[STEPS[index + 1]] if index + 1 < len(STEPS) else ""

    @property
    def can_message(self) -> bool:
        return self.step in MEMBER_STEPS

    def recipients(self) -> list:
        """The members on the whole list (not just one page), for a bulk message."""
        return [row.user for row in self.rows.select_related("user").order_by("pk")]

    def describe(self, rows) -> None:
        """Add to these rows (one page of `rows`) what the step's list shows, in at most two
        queries: `pair_id` (their active pair, or None), and what the profile lacks
        (`has_offer`, … for "joined"), `awaiting_answer` (in a published pair: "profile
        complete"), `contract_status` (their pair's latest contract version: "matched"), or
        `health_status` and `last_checkin_at` (their pair's: the last two steps). Statuses
        and dates only, never check-in content."""
        rows = list(rows)
        if self.step == INVITED or not rows:
            return
        user_ids = [row.user_id for row in rows]
        pair_of = dict(
            _active_members(self.cohort)
            .filter(user_id__in=user_ids)
            .order_by("-pair_id")
            .values_list("user_id", "pair_id")
        )
        awaiting, contract_of, profiles = set(), {}, {}
        if self.step == JOINED:  # what each profile lacks
            profiles = {
                status.pk: status
                for status in cohort_profile_statuses(cohort=self.cohort).filter(
                    pk__in=[row.pk for row in rows]
                )
            }
        elif self.step == PROFILE_COMPLETE:
            awaiting = set(
                PairMember.objects.filter(
                    user_id__in=user_ids,
                    pair__cohort=self.cohort,
                    pair__status=Pair.Status.PUBLISHED,
                ).values_list("user_id", flat=True)
            )
        elif self.step == MATCHED:
            for pair_id, status in (
                Contract.objects.filter(pair_id__in=set(pair_of.values()))
                .order_by("pair_id", "version")
                .values_list("pair_id", "status")
            ):
                contract_of[pair_id] = status  # the latest version comes last
        for row in rows:
            status = profiles.get(row.pk)
            for flag in ("has_profile", "has_offer", "has_need", "has_language", "has_timezone"):
                setattr(row, flag, getattr(status, flag, True))
            row.pair_id = pair_of.get(row.user_id)
            row.awaiting_answer = row.user_id in awaiting
            row.contract_status = contract_of.get(row.pair_id, NO_CONTRACT)
            pair_health = self.healths.get(row.pair_id)
            row.health_status = pair_health.status.value if pair_health else ""
            row.last_checkin_at = pair_health.last_checkin_at if pair_health else None


def funnel_step_people(
    *, cohort: Cohort, step: str, now: datetime.datetime | None = None
) -> StuckList:
    """The people stuck at `step` (one of STEPS), in name order: reached it, not the next.

    For "invited": the open invitations (not the enrolled). Otherwise the enrolments of those
    members, annotated as in `_member_progress`; `StuckList.describe` adds the rest for the
    rows shown. One query for the list (a count and a page when paginated), plus
    `pairs_health` for the last two steps.
    """
    if step not in STEPS:
        raise ValueError(f"Unknown funnel step: {step}")
    if step == INVITED:
        return StuckList(cohort, step, _open_invitations(cohort))
    now = now or timezone.now()
    healths, regular = {}, None
    if step in NEEDS_HEALTH:
        healths = selectors.pairs_health(pairs=_active_pair_ids(cohort), now=now)
        regular = _regular_pair_ids(healths, now)
    rows = _member_progress(cohort=cohort, regular_pair_ids=regular).filter(STUCK[step])
    return StuckList(cohort, step, rows, healths)


def default_message(*, cohort: Cohort, step: str) -> dict[str, str]:
    """The suggested subject and body of a reminder to the people stuck at `step`.

    The body links to the page where the member takes the next step. Coordinators edit both.
    """
    org = cohort.organization.slug
    profile_url = settings.SITE_URL + reverse("profile_edit", kwargs={"org_slug": org})
    partner_url = settings.SITE_URL + reverse(
        "my_partner", kwargs={"org_slug": org, "cohort_id": cohort.pk}
    )
    names = {"cohort": cohort.name, "profile_url": profile_url, "partner_url": partner_url}
    messages = {
        JOINED: (
            _("Complete your profile for %(cohort)s"),
            _(
                "Your profile for %(cohort)s is not complete yet. Please add at least one "
                "thing you offer, one thing you need, a language and your time zone, so that "
                "we can find you a partner:\n%(profile_url)s"
            ),
        ),
        PROFILE_COMPLETE: (
            _("Your partner in %(cohort)s"),
            _(
                "Thank you for completing your profile. If you have been proposed a partner, "
                "please read their profile and accept or decline:\n%(partner_url)s\n\n"
                "If not, we will let you know as soon as the matching is done."
            ),
        ),
        MATCHED: (
            _("Write and sign your contract (%(cohort)s)"),
            _(
                "You have a partner: the next step is your written contract. Agree on your "
                "goals, what each of you brings and needs, and how often you will meet; then "
                "both sign it:\n%(partner_url)s"
            ),
        ),
        CONTRACT_SIGNED: (
            _("Time to meet and check in (%(cohort)s)"),
            _(
                "Your contract is signed. Meet your partner as you agreed, and after each "
                "meeting log a short check-in against your goals and indicators:\n"
                "%(partner_url)s"
            ),
        ),
        MEETING_REGULARLY: (
            _("Keep it up (%(cohort)s)"),
            _(
                "You and your partner are meeting regularly: thank you! Keep logging your "
                "check-ins after each meeting:\n%(partner_url)s"
            ),
        ),
    }
    subject, body = messages.get(step, ("", ""))
    return {"subject": subject % names if subject else "", "body": body % names if body else ""}


# The pairs table -------------------------------------------------------------------------------

NO_CONTRACT = "none"
CONTRACT_LABELS = {
    Contract.Status.SIGNED.value: gettext_lazy("Signed"),
    Contract.Status.READY.value: gettext_lazy("Ready for signature"),
    Contract.Status.DRAFT.value: gettext_lazy("Draft"),
    NO_CONTRACT: gettext_lazy("Not started"),
}
HEALTH_LABELS = {
    health.Status.AT_RISK.value: gettext_lazy("At risk"),
    health.Status.NO_CONTRACT.value: gettext_lazy("No signed contract"),
    health.Status.TOO_EARLY.value: gettext_lazy("Too early to tell"),
    health.Status.ON_TRACK.value: gettext_lazy("On track"),
}
DEFAULT_SORT = "health"
SORTS = {
    "health": gettext_lazy("Health (at risk first)"),
    "score": gettext_lazy("Score (lowest first)"),
    "-score": gettext_lazy("Score (highest first)"),
    "last_checkin": gettext_lazy("Last check-in (oldest first)"),
    "-last_checkin": gettext_lazy("Last check-in (newest first)"),
}
_NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


@dataclass
class ActivePair:
    """What the table needs of an active pair before its page is picked (no model instance)."""

    pk: int
    score: float
    latest_contract_status: str | None  # of its latest contract version, if any


@dataclass
class PairTableRow:
    pair_id: int
    score: float
    health: selectors.PairHealth
    contract_status: str  # a key of CONTRACT_LABELS
    partners: list = field(default_factory=list)  # filled for one page by `pair_rows_load_partners`

    @property
    def contract_label(self) -> str:
        return CONTRACT_LABELS[self.contract_status]


def _sort_key(sort: str):
    def by_health(row):
        return (health.ORDER[row.health.status], row.health.last_checkin_at or _NEVER, row.pair_id)

    def by_score(row):
        return (row.score, row.pair_id)

    def by_last(row):
        return (row.health.last_checkin_at or _NEVER, row.pair_id)

    return {"health": by_health, "score": by_score, "last_checkin": by_last}[sort.lstrip("-")]


def _active_pairs(cohort: Cohort) -> list[ActivePair]:
    latest = Contract.objects.filter(pair=OuterRef("pk")).order_by("-version")
    return [
        ActivePair(*row)
        for row in Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE)
        .annotate(latest_contract_status=Subquery(latest.values("status")[:1]))
        .order_by("pk")
        .values_list("pk", "score", "latest_contract_status")
    ]


def _active_pair_ids(cohort: Cohort) -> list[int]:
    return list(
        Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def pair_table_rows(
    *,
    pairs: list[ActivePair],
    healths: dict,
    sort: str = DEFAULT_SORT,
    health_filter: str = "",
    contract_filter: str = "",
) -> list[PairTableRow]:
    """The active pairs as table rows, filtered and sorted (no query: pairs from
    `_active_pairs`, healths from `pairs_health`). Unknown sorts and filters are ignored."""
    rows = []
    for pair in pairs:
        pair_health = healths[pair.pk]
        if pair_health.contract is not None:
            status = Contract.Status.SIGNED.value
        else:
            status = pair.latest_contract_status or NO_CONTRACT
            if status not in CONTRACT_LABELS:  # only superseded versions: none in force
                status = NO_CONTRACT
        if health_filter in HEALTH_LABELS and pair_health.status.value != health_filter:
            continue
        if contract_filter in CONTRACT_LABELS and status != contract_filter:
            continue
        rows.append(PairTableRow(pair.pk, pair.score, pair_health, status))
    sort = sort if sort in SORTS else DEFAULT_SORT
    rows.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    return rows


def pair_rows_load_partners(*, rows: list[PairTableRow]) -> None:
    """Fill `partners` (users, by name) of these rows (one page of the table) in one query."""
    by_pair = {row.pair_id: row for row in rows}
    if not by_pair:
        return
    for member in (
        PairMember.objects.filter(pair_id__in=by_pair)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    ):
        by_pair[member.pair_id].partners.append(member.user)


# Charts -------------------------------------------------------------------------------------

MAX_WEEKS = 52
SCORE_BINS = 10  # 0–9, 10–19, …, 90–100


@dataclass
class Chart:
    """A chart's SVG and the same numbers as a table, for screen readers and for reading."""

    chart_id: str
    title: str
    description: str
    svg: SafeString
    headers: tuple[str, str]
    rows: list[tuple[str, str]] = field(default_factory=list)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _week_start(week: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(week, datetime.time(), datetime.UTC)


def _week_label(week: datetime.date) -> str:
    return date_format(week, "j M")


def cohort_weeks(*, cohort: Cohort, now: datetime.datetime | None = None) -> list[datetime.date]:
    """The Mondays (weeks in UTC) the cohort's charts show: from the cohort's start, or its
    first check-in, to this week (or the cohort's end, or its last check-in), at most the
    latest MAX_WEEKS. Empty before the first check-in. One aggregate query."""
    today = (now or timezone.now()).date()
    span = CheckIn.objects.filter(meeting__cohort=cohort).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    if span["first"] is None:
        return []
    first = min(cohort.starts_on, span["first"].astimezone(datetime.UTC).date())
    last = max(min(today, cohort.ends_on), span["last"].astimezone(datetime.UTC).date())
    weeks, week = [], _monday(first)
    while week <= last:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    return weeks[-MAX_WEEKS:]


def _week_index(field_name: str, weeks: list[datetime.date]) -> Case:
    """Which of `weeks` the datetime `field_name` falls in, as an SQL CASE of comparisons:
    -1 before the first, len(weeks) after the last. (A date function per row would run in
    Python on SQLite; comparisons stay in the database on both.)"""
    bounds = [_week_start(week) for week in weeks]
    bounds.append(_week_start(weeks[-1] + datetime.timedelta(days=7)))
    return Case(
        *(
            When(**{f"{field_name}__lt": bound}, then=Value(index - 1))
            for index, bound in enumerate(bounds)
        ),
        default=Value(len(weeks)),
        output_field=IntegerField(),
    )


def checkins_per_week(
    *,
    cohort: Cohort,
    weeks: list[datetime.date] | None = None,
    now: datetime.datetime | None = None,
) -> Chart:
    """Check-ins logged per week (Monday to Sunday, UTC) by the cohort's members. One query
    (two without `weeks` from `cohort_weeks`)."""
    if weeks is None:
        weeks = cohort_weeks(cohort=cohort, now=now)
    counts = {}
    if weeks:
        counts = dict(
            CheckIn.objects.filter(meeting__cohort=cohort)
            .annotate(week=_week_index("created_at", weeks))
            .values("week")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("week", "n")
        )
    labels = [_week_label(week) for week in weeks]
    values = [counts.get(index, 0) for index in range(len(weeks))]
    total = sum(values)
    description = _("%(total)s check-ins in %(weeks)s weeks; the busiest week had %(most)s.") % {
        "total": total,
        "weeks": len(weeks),
        "most": max(values, default=0),
    }
    title = _("Check-ins per week")
    return Chart(
        chart_id="chart-checkins",
        title=title,
        description=description,
        svg=charts.bar_chart(
            chart_id="chart-checkins",
            title=title,
            description=description,
            labels=labels,
            values=values,
            value_label=_("check-ins"),
        ),
        headers=(_("Week of"), _("Check-ins")),
        rows=[(label, str(value)) for label, value in zip(labels, values, strict=True)],
    )


def _current_contracts(cohort: Cohort) -> QuerySet[Contract]:
    """The contracts in force of the cohort's active pairs: their latest signed versions."""
    newer = Contract.objects.filter(
        pair=OuterRef("pair"), status=Contract.Status.SIGNED, version__gt=OuterRef("version")
    )
    return Contract.objects.filter(
        cohort=cohort, status=Contract.Status.SIGNED, pair__status=Pair.Status.ACTIVE
    ).exclude(Exists(newer))


def indicators_met_per_week(
    *,
    cohort: Cohort,
    weeks: list[datetime.date] | None = None,
    now: datetime.datetime | None = None,
) -> Chart:
    """Per week: of the indicators with a reading by the end of that week, the share whose
    latest reading meets its target (a number at or above it; a yes/no "yes").

    Indicators are those of the active pairs' contracts in force (readings logged against an
    earlier version of an amended contract are left out). One query (two without `weeks`): a
    window function keeps, per indicator, only its first reading and the readings that change
    whether it is met, each as (week index, met, met before); the weekly shares are running
    sums of those changes.
    """
    if weeks is None:
        weeks = cohort_weeks(cohort=cohort, now=now)
    read = [0] * (len(weeks) + 2)  # first readings per week; [0] is "before the first week"
    met = [0] * (len(weeks) + 2)  # change in how many are met, per week
    if weeks:
        readings = (
            IndicatorValue.objects.filter(
                indicator__goal__section__contract__in=_current_contracts(cohort)
            )
            .filter(
                Q(indicator__kind=Indicator.Kind.YES_NO, met__isnull=False)
                | Q(indicator__kind=Indicator.Kind.NUMBER, value__isnull=False)
            )
            .annotate(
                is_met=Case(
                    When(indicator__kind=Indicator.Kind.YES_NO, met=True, then=Value(1)),
                    When(
                        indicator__kind=Indicator.Kind.NUMBER,
                        value__gte=F("indicator__target_value"),
                        then=Value(1),
                    ),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                week=_week_index("checkin__created_at", weeks),
            )
            .annotate(
                previous=Window(
                    Lag("is_met", default=Value(-1)),
                    partition_by=[F("indicator_id")],
                    order_by=[F("checkin__created_at").asc(), F("pk").asc()],
                )
            )
            .filter(~Q(previous=F("is_met")))
            .values_list("week", "is_met", "previous")
        )
        for week, is_met, previous in readings:
            if previous == -1:  # the indicator's first reading
                read[week + 1] += 1
                met[week + 1] += is_met
            else:
                met[week + 1] += is_met - previous
    shares: list[int | None] = []
    with_reading, met_count = read[0], met[0]
    for index in range(len(weeks)):
        with_reading += read[index + 1]
        met_count += met[index + 1]
        shares.append(percent(met_count, with_reading))
    labels = [_week_label(week) for week in weeks]
    latest = next((share for share in reversed(shares) if share is not None), None)
    title = _("Indicators met")
    if latest is None:
        description = _("No indicator has a reading yet.")
        shares = [None] * len(weeks)
    else:
        description = _(
            "Share of the indicators with a reading whose latest reading meets its target, "
            "week by week; now %(latest)s%% of %(count)s indicators."
        ) % {"latest": latest, "count": with_reading}
    return Chart(
        chart_id="chart-indicators",
        title=title,
        description=description,
        svg=charts.share_chart(
            chart_id="chart-indicators",
            title=title,
            description=description,
            labels=labels,
            shares=shares,
        ),
        headers=(_("Week of"), _("Indicators met")),
        rows=[
            (label, "—" if share is None else f"{share}%")
            for label, share in zip(labels, shares, strict=True)
        ]
        if latest is not None
        else [],
    )


def score_distribution(*, cohort: Cohort) -> Chart:
    """How many active or published pairs have a match score in each tenth (0–9 … 90–100).

    One aggregate query.
    """
    bins = {}
    for index in range(SCORE_BINS):
        low = index * 100 // SCORE_BINS
        condition = Q(score__gte=low) if index else Q()
        if index < SCORE_BINS - 1:
            condition &= Q(score__lt=low + 100 // SCORE_BINS)
        bins[f"bin{index}"] = Count("pk", filter=condition)
    counts = Pair.objects.filter(
        cohort=cohort, status__in=[Pair.Status.ACTIVE, Pair.Status.PUBLISHED]
    ).aggregate(**bins)
    labels = [
        f"{index * 10}–{index * 10 + 9}" if index < SCORE_BINS - 1 else "90–100"
        for index in range(SCORE_BINS)
    ]
    values = [counts[f"bin{index}"] for index in range(SCORE_BINS)]
    total = sum(values)
    title = _("Match scores")
    description = _("Scores of %(count)s active or published pairs, out of 100, in tens.") % {
        "count": total
    }
    return Chart(
        chart_id="chart-scores",
        title=title,
        description=description,
        svg=charts.bar_chart(
            chart_id="chart-scores",
            title=title,
            description=description,
            labels=labels,
            values=values,
            value_label=_("pairs"),
            axis_labels=[str(index * 10) for index in range(SCORE_BINS)],
        )
        if total
        else SafeString(""),
        headers=(_("Score"), _("Pairs")),
        rows=[(label, str(value)) for label, value in zip(labels, values, strict=True)]
        if total
        else [],
    )


# The cohort dashboard --------------------------------------------------------------------------


@dataclass
class CohortDashboard:
    cohort: Cohort
    funnel: list[FunnelStep]
    pairs: list[PairTableRow]  # filtered and sorted
    pair_count: int  # active pairs, before filtering
    health_counts: dict[str, int]  # active pairs per health status
    charts: list[Chart]
    sort: str
    health_filter: str
    contract_filter: str
    # The closing survey's anonymous results (`survey.cohort_survey_summary`); shown once
    # anyone was asked, i.e. after the cohort closed.
    survey: dict = field(default_factory=dict)


def cohort_dashboard(
    *,
    cohort: Cohort,
    sort: str = DEFAULT_SORT,
    health_filter: str = "",
    contract_filter: str = "",
    now: datetime.datetime | None = None,
) -> CohortDashboard:
    """Everything the cohort dashboard shows, in a fixed number of queries (about a dozen)."""
    now = now or timezone.now()
    pairs = _active_pairs(cohort)
    healths = selectors.pairs_health(pairs=[pair.pk for pair in pairs], now=now)
    weeks = cohort_weeks(cohort=cohort, now=now)
    health_counts = {status.value: 0 for status in health.Status}
    for row in healths.values():
        health_counts[row.status.value] += 1
    return CohortDashboard(
        cohort=cohort,
        funnel=cohort_funnel(cohort=cohort, healths=healths, now=now),
        pairs=pair_table_rows(
            pairs=pairs,
            healths=healths,
            sort=sort,
            health_filter=health_filter,
            contract_filter=contract_filter,
        ),
        pair_count=len(pairs),
        health_counts=health_counts,
        charts=[
            checkins_per_week(cohort=cohort, weeks=weeks),
            indicators_met_per_week(cohort=cohort, weeks=weeks),
            score_distribution(cohort=cohort),
        ],
        sort=sort if sort in SORTS else DEFAULT_SORT,
        health_filter=health_filter if health_filter in HEALTH_LABELS else "",
        contract_filter=contract_filter if contract_filter in CONTRACT_LABELS else "",
        survey=survey.cohort_survey_summary(cohort=cohort),
    )


# The program dashboard -------------------------------------------------------------------------


def _count_per_cohort(queryset: QuerySet) -> Coalesce:
    counts = (
        queryset.filter(cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


@dataclass
class ProgramCohortRow:
    cohort: Cohort
    at_risk: int


def program_cohorts_overview(
    *, program: Program, now: datetime.datetime | None = None
) -> list[ProgramCohortRow]:
    """Each cohort of the program (newest first), annotated with `member_count` (enrolled),
    `invited_count` (open invitations to people not enrolled), `pair_count` (active pairs) and
    `signed_count` (active pairs with a signed contract), with its number of pairs at risk.
    Constant queries, however many cohorts and pairs."""
    active = Pair.objects.filter(status=Pair.Status.ACTIVE)
    cohorts = list(
        program.cohorts.select_related("organization")
        .annotate(
            member_count=_count_per_cohort(Enrolment.objects.all()),
            invited_count=_count_per_cohort(_not_enrolled(Invitation.objects.pending())),
            pair_count=_count_per_cohort(active),
            signed_count=_count_per_cohort(active.filter(contracts__status=Contract.Status.SIGNED)),
        )
        .order_by("-starts_on", "name")
    )
    pairs = dict(
        active.filter(cohort__program=program).order_by("pk").values_list("pk", "cohort_id")
    )
    at_risk: dict[int, int] = {}
    for pk, row in selectors.pairs_health(pairs=list(pairs), now=now).items():
        if row.at_risk:
            at_risk[pairs[pk]] = at_risk.get(pairs[pk], 0) + 1
    return [ProgramCohortRow(cohort, at_risk.get(cohort.pk, 0)) for cohort in cohorts]
