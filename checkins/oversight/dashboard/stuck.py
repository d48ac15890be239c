"""The people stuck at a funnel step, and the reminder a coordinator can send them.

`funnel_step_people` lists who reached a step but not the next one (open invitations for the
first step, enrolments otherwise) as a `StuckList`, whose `describe` adds what the list shows
for one page of rows in at most two queries; `default_message` suggests the subject and body
of a reminder to them.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Cohort
from contracts.models import Contract
from matching.models import Pair, PairMember
from profiles.selectors import cohort_profile_statuses

from ... import selectors
from .funnel import (
    CONTRACT_SIGNED,
    INVITED,
    JOINED,
    MATCHED,
    MEETING_REGULARLY,
    MEMBER_STEPS,
    NEEDS_HEALTH,
    PROFILE_COMPLETE,
    STEP_HELP,
    STEP_LABELS,
    STEPS,
    STUCK,
    STUCK_LABELS,
    _active_members,
    _active_pair_ids,
    _member_progress,
    _open_invitations,
    _regular_pair_ids,
)
from .pairs import NO_CONTRACT


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
        """The members on the whole list (not just one page), for a bulk message: only people
        who joined the organization, never someone who is only invited."""
        rows = self.rows.filter(user__memberships__organization_id=self.cohort.organization_id)
        return [row.user for row in rows.select_related("user").order_by("pk")]

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
