"""Writes for ending, reviewing and renewing a partnership, and for achieved goals.

`partnership_end` ends an active pair (by a partner or a coordinator): the pair is dissolved,
its future meetings (but the wrap-up meeting the ender kept) and its unsent reminders are
cancelled, a `PartnershipEnding` keeps the reason for the coordinators, and after the commit
the partners and the coordinators are told. Both members are then without a partner, so the
coordinators' re-run for members without a partner matches them again, each with someone new
(`matching.selectors.previous_partner_groups`).

`partnership_reviews_queue` (a periodic task) opens a `PartnershipReview` for each active pair
whose signed contract reached its review date and queues one review email per partner through
the exactly-once reminder rows. `review_choose` records a partner's choice and acts when both
agree to renew or to continue, or as soon as one chooses to end.
"""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idempotency import AlreadyDone
from accounts.models import Cohort, Enrolment, Membership, User
from accounts.services import audit
from contracts import services as contract_services
from contracts.dates import CONTRACT_MAX_SPAN_DAYS
from contracts.models import Contract, Goal
from matching.models import Pair, PairMember

from ..models import (
    GoalAchievement,
    Meeting,
    PartnershipEnding,
    PartnershipReview,
    Reminder,
    ReviewChoice,
)
from . import emails, selectors

Reason = PartnershipEnding.Reason
Kind = PartnershipEnding.Kind
Choice = PartnershipReview.Choice
# The reasons a person picks; "completed" is the review's own.
CHOSEN_REASONS = [r for r in Reason if r != Reason.COMPLETED]
ALREADY_ENDED = _("This partnership has already ended; nothing was changed.")
# A renewal runs as long as the contract it renews, within the cohort; this long without dates.
DEFAULT_RENEWAL_DAYS = 90


# Ending ------------------------------------------------------------------------------------


def _locked_pair(pair: Pair) -> Pair:
    return (
        Pair.objects.select_for_update(of=("self",))
        .select_related("organization", "cohort")
        .get(pk=pair.pk)
    )


def _partner_ids(pair: Pair) -> list[int]:
    return list(PairMember.objects.filter(pair=pair).values_list("user_id", flat=True))


def _is_coordinator(pair: Pair, user: User) -> bool:
    return Membership.objects.filter(
        organization_id=pair.organization_id, user=user, role=Membership.Role.COORDINATOR
    ).exists()


def _cancel_future(pair: Pair, *, keep: Meeting | None, now: datetime.datetime, why: str):
    """Cancel the pair's future meetings (but `keep`) and every reminder of the pair not sent
    yet (but those of `keep`): (meetings, reminders) cancelled."""
    meetings = Meeting.objects.filter(pair=pair, status=Meeting.Status.SCHEDULED, starts_at__gt=now)
    reminders = Reminder.objects.filter(Q(pair=pair) | Q(meeting__pair=pair)).filter(
        Q(status=Reminder.Status.PENDING) | Q(status=Reminder.Status.SENDING, sent_at__isnull=True)
    )
    if keep is not None:
        meetings = meetings.exclude(pk=keep.pk)
        reminders = reminders.exclude(meeting=keep)
    cancelled_meetings = meetings.update(
        status=Meeting.Status.CANCELLED, revision=F("revision") + 1, updated_at=now
    )
    cancelled_reminders = Reminder.objects.filter(
        pk__in=list(reminders.values_list("pk", flat=True))
    ).update(status=Reminder.Status.CANCELLED, lease_until=None, last_error=why)
    return cancelled_meetings, cancelled_reminders


def _end(
    pair: Pair,
    *,
    actor: User,
    kind: str,
    reason: str,
    note: str = "",
    wrap_up: Meeting | None = None,
    by_coordinator: bool = False,
    now: datetime.datetime,
) -> PartnershipEnding:
    """End the locked, active `pair` (callers check who may)."""
    ending = PartnershipEnding(
        organization=pair.organization,
        cohort=pair.cohort,
        pair=pair,
        kind=kind,
        reason=reason,
        note=note.strip(),
        ended_by=actor,
        by_coordinator=by_coordinator,
        wrap_up=wrap_up,
        ended_at=now,
    )
    ending.full_clean()
    ending.save()
    meetings, reminders = _cancel_future(pair, keep=wrap_up, now=now, why="The partnership ended.")
    pair.status = Pair.Status.DISSOLVED
    pair.save(update_fields=["status"])
    PartnershipReview.objects.filter(pair=pair, outcome="").update(
        outcome=Choice.END if kind != Kind.CONTINUED else Choice.CONTINUE, decided_at=now
    )
    audit(
        organization=pair.organization,
        actor=actor,
        action="pair.ended",
        pair=pair.pk,
        cohort=pair.cohort_id,
        kind=kind,
        reason=reason,
        by_coordinator=by_coordinator,
        wrap_up=wrap_up.pk if wrap_up else None,
        meetings_cancelled=meetings,
        reminders_cancelled=reminders,
    )
    return ending


@transaction.atomic
def partnership_end(
    *,
    pair: Pair,
    actor: User,
    reason: str,
    note: str = "",
    wrap_up: Meeting | None = None,
    now: datetime.datetime | None = None,
) -> PartnershipEnding:
    """A partner or a coordinator ends an active partnership, no fault (see module doc).

    A second submit raises AlreadyDone and changes nothing.
    """
    now = now or timezone.now()
    pair = _locked_pair(pair)
    partner = actor.pk in _partner_ids(pair)
    coordinator = not partner and _is_coordinator(pair, actor)
    if not partner and not coordinator:
        raise ValidationError(_("Only the partners or a coordinator can end a partnership."))
    if PartnershipEnding.objects.filter(pair=pair).exists():
        raise AlreadyDone(ALREADY_ENDED)
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("Only an active partnership can be ended."))
    if reason not in CHOSEN_REASONS:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    if wrap_up is not None and not (
        wrap_up.pair_id == pair.pk
        and wrap_up.status == Meeting.Status.SCHEDULED
        and wrap_up.starts_at > now
    ):
        raise ValidationError({"wrap_up": _("Choose one of your upcoming meetings.")})
    ending = _end(
        pair,
        actor=actor,
        kind=Kind.EARLY,
        reason=reason,
        note=note,
        wrap_up=wrap_up,
        by_coordinator=coordinator,
        now=now,
    )
    transaction.on_commit(partial(emails.partnership_ended_email_send, ending_id=ending.pk))
    return ending


# Goals achieved ----------------------------------------------------------------------------


def _own_goal(goal: Goal, actor: User) -> Goal:
    goal = Goal.objects.select_related(
        "section__contract__pair", "section__contract__organization"
    ).get(pk=goal.pk)
    if goal.section.user_id != actor.pk:
        raise ValidationError(_("You can only mark your own goals."))
    if goal.section.contract.status != Contract.Status.SIGNED:
        raise ValidationError(_("Goals of a signed contract in force can be marked achieved."))
    if goal.section.contract.pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This partnership has ended; its goals can't change."))
    return goal


@transaction.atomic
def goal_mark_achieved(
    *, goal: Goal, actor: User, achieved_on: datetime.date, today: datetime.date | None = None
) -> GoalAchievement:
    """The goal's owner marks it achieved on a date within the contract's window (or today).
    Marking it again moves the date."""
    goal = _own_goal(goal, actor)
    contract = goal.section.contract
    today = today or timezone.localdate()
    earliest = contract.starts_on or contract.signed_at.date()
    latest = max(today, contract.ends_on or today)
    if not earliest <= achieved_on <= min(latest, today):
        raise ValidationError(
            {
                "achieved_on": _("Choose a date between %(start)s and %(end)s.")
                % {"start": earliest.isoformat(), "end": min(latest, today).isoformat()}
            }
        )
    achievement, created = GoalAchievement.objects.update_or_create(
        goal=goal,
        defaults={
            "organization": contract.organization,
            "cohort_id": contract.cohort_id,
            "pair": contract.pair,
            "achieved_on": achieved_on,
            "marked_by": actor,
        },
    )
    audit(
        organization=contract.organization,
        actor=actor,
        action="goal.achieved",
        goal=goal.pk,
        pair=contract.pair_id,
        achieved_on=achieved_on.isoformat(),
    )
    return achievement


@transaction.atomic
def goal_undo_achieved(*, goal: Goal, actor: User) -> None:
    goal = _own_goal(goal, actor)
    deleted, _rows = GoalAchievement.objects.filter(goal=goal).delete()
    if deleted:
        audit(
            organization=goal.section.contract.organization,
            actor=actor,
            action="goal.achieved_undone",
            goal=goal.pk,
            pair=goal.section.contract.pair_id,
        )


# Reviews -----------------------------------------------------------------------------------


@transaction.atomic
def partnership_reviews_queue(*, now: datetime.datetime | None = None) -> int:
    """Open the review of every active pair whose signed contract reached its review date, and
    queue one review email per partner (idempotent: each review and email once). Returns how
    many emails were queued."""
    now = now or timezone.now()
    queued = 0
    for contract in selectors.contracts_due_for_review(today=timezone.localdate(now)):
        review, _created = PartnershipReview.objects.get_or_create(
            contract=contract,
            defaults={
                "organization_id": contract.organization_id,
                "cohort_id": contract.cohort_id,
                "pair_id": contract.pair_id,
                "due_on": contract.ends_on,
            },
        )
        if review.outcome:
            continue
        rows = [
            Reminder(
                organization_id=contract.organization_id,
                kind=Reminder.Kind.PARTNERSHIP_REVIEW,
                recipient_id=user_id,
                subject_key=f"review:{contract.pk}",
                pair_id=contract.pair_id,
                cohort_id=contract.cohort_id,
                data={"contract": contract.pk, "due_on": contract.ends_on.isoformat()},
                due_at=now,
            )
            for user_id in _partner_ids(contract.pair)
        ]
        before = Reminder.objects.filter(
            kind=Reminder.Kind.PARTNERSHIP_REVIEW, subject_key=f"review:{contract.pk}"
        ).count()
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        queued += (
            Reminder.objects.filter(
                kind=Reminder.Kind.PARTNERSHIP_REVIEW, subject_key=f"review:{contract.pk}"
            ).count()
            - before
        )
    return queued


def next_cohort(cohort: Cohort) -> Cohort | None:
    """The program's next cohort by start date."""
    return (
        Cohort.objects.filter(program_id=cohort.program_id, starts_on__gt=cohort.starts_on)
        .select_related("organization")
        .order_by("starts_on", "pk")
        .first()
    )


def continue_problem(cohort: Cohort) -> str:
    """Why the partners can't continue in the program's next cohort, or ""."""
    following = next_cohort(cohort)
    if following is None:
        return _("The program has no next cohort yet. Ask your coordinator to plan one.")
    if following.status not in (Cohort.Status.OPEN, Cohort.Status.MATCHING):
        return _(
            "The next cohort, %(name)s, is not taking members now: it must be open for "
            "profiles or matching."
        ) % {"name": following.name}
    return ""


def _span(contract: Contract) -> int:
    """How many days a renewal or a continuation runs: as long as `contract`, at most as long
    as any contract may."""
    if contract.starts_on and contract.ends_on:
        days = (contract.ends_on - contract.starts_on).days
    else:
        days = DEFAULT_RENEWAL_DAYS
    return max(1, min(days, CONTRACT_MAX_SPAN_DAYS))


def renewal_dates(contract: Contract, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The renewal's start (today) and review date: as long as the contract it renews, within
    the cohort. ValidationError when the cohort leaves no time."""
    ends_on = min(contract.cohort.ends_on, today + datetime.timedelta(days=_span(contract)))
    if ends_on <= today:
        raise ValidationError(
            _(
                "The cohort ends on %(date)s, so there is no time left to renew in it: choose "
                "to continue in the next cohort, or to end."
            )
            % {"date": contract.cohort.ends_on.isoformat()}
        )
    return today, ends_on


def _renew(review: PartnershipReview, actor: User, today: datetime.date) -> Contract:
    contract = review.contract
    starts_on, ends_on = renewal_dates(contract, today)
    amendment = contract_services.contract_amend(contract=contract, actor=actor)
    Contract.objects.filter(pk=amendment.pk).update(starts_on=starts_on, ends_on=ends_on)
    return amendment


def _continue(review: PartnershipReview, actor: User, now: datetime.datetime) -> Pair:
    old = review.pair
    problem = continue_problem(old.cohort)
    if problem:
        raise ValidationError(problem)
    following = next_cohort(old.cohort)
    user_ids = _partner_ids(old)
    members = set(
        Membership.objects.filter(
            organization_id=old.organization_id, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )
    if members != set(user_ids):
        raise ValidationError(
            _("Both partners must still be members of the organization to continue.")
        )
    if PairMember.objects.filter(
        pair__cohort=following,
        user_id__in=user_ids,
        pair__status__in=[Pair.Status.PROPOSED, Pair.Status.PUBLISHED, Pair.Status.ACTIVE],
    ).exists():
        raise ValidationError(
            _("One of you already has a partner in the next cohort; ask your coordinator.")
        )
    for user_id in user_ids:
        Enrolment.objects.get_or_create(cohort=following, user_id=user_id)
    pair = Pair(
        organization=old.organization,
        cohort=following,
        status=Pair.Status.ACTIVE,
        origin=Pair.Origin.MANUAL,
        score=old.score,
        explanation=_("Continued together from %(cohort)s.") % {"cohort": old.cohort.name},
        locked=True,
        published_at=now,
        activated_at=now,
    )
    pair.full_clean()
    pair.save()
    PairMember.objects.bulk_create(
        PairMember(
            pair=pair, user_id=user_id, response=PairMember.Response.ACCEPTED, responded_at=now
        )
        for user_id in user_ids
    )
    starts_on = max(following.starts_on, timezone.localdate(now))
    ends_on = min(following.ends_on, starts_on + datetime.timedelta(days=_span(review.contract)))
    if ends_on <= starts_on:
        starts_on = ends_on = None
    contract_services.contract_carry_over(
        contract=review.contract, pair=pair, actor=actor, starts_on=starts_on, ends_on=ends_on
    )
    _end(
        _locked_pair(old),
        actor=actor,
        kind=Kind.CONTINUED,
        reason=Reason.COMPLETED,
        now=now,
    )
    return pair


@transaction.atomic
def review_choose(
    *, review: PartnershipReview, actor: User, choice: str, now: datetime.datetime | None = None
) -> PartnershipReview:
    """Record a partner's choice at the review; act once both chose to renew or to continue,
    or as soon as one chooses to end. A decided review changes no more (AlreadyDone)."""
    now = now or timezone.now()
    review = (
        PartnershipReview.objects.select_for_update(of=("self",))
        .select_related("pair__organization", "pair__cohort", "contract__cohort", "organization")
        .get(pk=review.pk)
    )
    _locked_pair(review.pair)
    partners = _partner_ids(review.pair)
    if actor.pk not in partners:
        raise ValidationError(_("Only the partners can answer their review."))
    if review.outcome:
        raise AlreadyDone(_("Your review is decided already; nothing was changed."))
    if review.pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This partnership is no longer active."))
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Choose renew, continue or end.")})
    if choice == Choice.CONTINUE and (problem := continue_problem(review.pair.cohort)):
        raise ValidationError({"choice": problem})
    if choice == Choice.RENEW:
        renewal_dates(review.contract, timezone.localdate(now))  # refuse early if no time left
    ReviewChoice.objects.update_or_create(
        review=review, user=actor, defaults={"choice": choice, "chosen_at": now}
    )
    audit(
        organization=review.organization,
        actor=actor,
        action="pair.review_chosen",
        pair=review.pair_id,
        review=review.pk,
        choice=choice,
    )
    chosen = dict(ReviewChoice.objects.filter(review=review).values_list("user_id", "choice"))
    agreed = len(set(chosen.values())) == 1 and set(chosen) >= set(partners)
    if choice == Choice.END:
        ending = _end(
            review.pair, actor=actor, kind=Kind.AT_REVIEW, reason=Reason.COMPLETED, now=now
        )
        transaction.on_commit(partial(emails.partnership_ended_email_send, ending_id=ending.pk))
    elif agreed and choice == Choice.RENEW:
        review.new_contract = _renew(review, actor, timezone.localdate(now))
    elif agreed and choice == Choice.CONTINUE:
        review.new_pair = _continue(review, actor, now)
        review.new_contract = Contract.objects.filter(pair=review.new_pair).first()
    else:
        return review
    review.outcome = choice
    review.decided_at = now
    review.save(update_fields=["outcome", "decided_at", "new_contract", "new_pair"])
    audit(
        organization=review.organization,
        actor=actor,
        action="pair.review_decided",
        pair=review.pair_id,
        review=review.pk,
        outcome=choice,
    )
    return review


@transaction.atomic
def review_open(*, pair: Pair, today: datetime.date | None = None) -> PartnershipReview:
    """The open (or decided) review of the pair's signed contract once its review date came;
    ValidationError before that. Called by the POST that records a choice, so that a partner
    can answer before the periodic task opened the review."""
    today = today or timezone.localdate()
    contract = selectors.contract_in_force(pair=pair)
    if contract is None or contract.ends_on is None or contract.ends_on > today:
        raise ValidationError(_("Your partnership's review date has not come yet."))
    review, _created = PartnershipReview.objects.get_or_create(
        contract=contract,
        defaults={
            "organization_id": pair.organization_id,
            "cohort_id": pair.cohort_id,
            "pair": pair,
            "due_on": contract.ends_on,
        },
    )
    return review


__all__ = [
    "CHOSEN_REASONS",
    "partnership_end",
    "goal_mark_achieved",
    "goal_undo_achieved",
    "partnership_reviews_queue",
    "review_choose",
    "review_open",
    "next_cohort",
    "continue_problem",
    "renewal_dates",
]
