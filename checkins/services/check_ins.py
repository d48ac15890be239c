"""Check-ins: after a meeting has started, each partner logs one check-in for it (how well the
time was used, their confidence, the help they received since the last meeting with one
example, what they learned, taught and are blocked by), with a rating
of each of their goals (`GoalRating`), readings of their indicators (`IndicatorReading`) and
next steps (`NextStepInput`), and may mark open next steps done; `checkin_save` creates the
check-in or updates the partner's own, validating everything before it writes.

The help rating carries out the contract's "how we will measure the help". The check-in form
asks for it every time; `help_rating=None` is accepted for callers that log no rating (check-ins
logged before it was asked stay without one). A saved check-in whose author's confidence keeps
dropping, or whose blocker is back (`checkins.nudges`), queues a gentle note to the other
partner, once per check-in (`reminders.partner_nudge_queue`).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.dates import validate_date_in_window
from accounts.idempotency import AlreadyDone
from accounts.lifecycle import cohort_lock_allowing
from accounts.models import User
from accounts.services import audit
from contracts.models import Goal, Indicator

from .. import schedule, selectors
from ..models import CheckIn, GoalProgress, IndicatorValue, Meeting, NextStep
from ..reminders.partners import partner_nudge_queue
from .common import _locked_meeting

ALREADY_CHECKED_IN = gettext_lazy(
    "You have already checked in for this meeting. Open it again to edit your check-in."
)

# Check-ins ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRating:
    goal: Goal
    rating: int
    note: str = ""


@dataclass(frozen=True)
class IndicatorReading:
    indicator: Indicator
    value: Decimal | None = None
    met: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class NextStepInput:
    description: str
    owner: User
    due_on: datetime.date


def _rating_error(value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        return _("Choose a rating from 1 to 5.")
    return None


def _validate_checkin(
    *,
    meeting: Meeting,
    user: User,
    time_effectiveness: int,
    confidence: int,
    help_rating: int | None,
    goals: Sequence[GoalRating],
    indicators: Sequence[IndicatorReading],
    next_steps: Sequence[NextStepInput],
    kept_steps: set,
    now: datetime.datetime,
) -> None:
    partner_ids = selectors.pair_user_ids(pair=meeting.pair)
    if user.pk not in partner_ids:
        raise ValidationError(_("Only the partners of this pair can check in for its meetings."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled, so there is nothing to check in for."))
    if meeting.starts_at > now:
        raise ValidationError(
            _("This meeting hasn't taken place yet. You can check in once it has started.")
        )

    errors = {}
    for name, value in (("time_effectiveness", time_effectiveness), ("confidence", confidence)):
        if message := _rating_error(value):
            errors[name] = message
    if help_rating is not None and (message := _rating_error(help_rating)):
        errors["help_rating"] = message
    contract = selectors.current_contract(pair=meeting.pair)
    own_goals = {
        goal.pk for goal in selectors.user_goals(pair=meeting.pair, user=user, contract=contract)
    }
    for item in goals:
        if item.goal.pk not in own_goals:
            errors.setdefault("goals", []).append(_("You can only rate your own goals."))
        elif message := _rating_error(item.rating):
            errors.setdefault("goals", []).append(
                _("%(goal)s: %(message)s") % {"goal": item.goal, "message": message}
            )
    for item in indicators:
        indicator = item.indicator
        if indicator.goal_id not in own_goals:
            errors.setdefault("indicators", []).append(_("You can only log your own indicators."))
        elif indicator.kind == Indicator.Kind.NUMBER and item.met is not None:
            errors.setdefault("indicators", []).append(
                _("%(what)s takes a number.") % {"what": indicator}
            )
        elif indicator.kind == Indicator.Kind.YES_NO and item.value is not None:
            errors.setdefault("indicators", []).append(
                _("%(what)s is a yes or no.") % {"what": indicator}
            )
    today = schedule.local_today(selectors.pair_timezone(pair=meeting.pair, contract=contract), now)
    for step in next_steps:
        if not step.description.strip():
            errors.setdefault("next_steps", []).append(_("Describe each next step."))
        if step.owner.pk not in partner_ids:
            errors.setdefault("next_steps", []).append(
                _("The owner of a next step must be one of the partners.")
            )
        key = (step.description.strip(), step.owner.pk, step.due_on)
        if step.due_on < today and key not in kept_steps:
            errors.setdefault("next_steps", []).append(
                _("The due date of “%(step)s” is in the past.") % {"step": step.description}
            )
        try:
            validate_date_in_window(step.due_on)
        except ValidationError as error:
            errors.setdefault("next_steps", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)


def _write_details(
    *,
    checkin: CheckIn,
    goals: Sequence[GoalRating],
    indicators: Sequence[IndicatorReading],
    next_steps: Sequence[NextStepInput],
    done_steps: Sequence[NextStep],
    now: datetime.datetime,
) -> None:
    checkin.goal_progress.all().delete()
    checkin.indicator_values.all().delete()
    for item in goals:
        progress = GoalProgress(checkin=checkin, goal=item.goal, rating=item.rating, note=item.note)
        progress.full_clean(validate_constraints=False)
        progress.save()
    for item in indicators:
        if item.value is None and item.met is None and not item.note.strip():
            continue
        value = IndicatorValue(
            checkin=checkin,
            indicator=item.indicator,
            value=item.value,
            met=item.met,
            note=item.note.strip(),
        )
        value.full_clean(validate_constraints=False)
        value.save()

    # The check-in's own next steps: those left as they were keep their row (and done date).
    existing = {
        (step.description, step.owner_id, step.due_on): step for step in checkin.next_steps.all()
    }
    keep = set()
    for item in next_steps:
        key = (item.description.strip(), item.owner.pk, item.due_on)
        if key in existing:
            keep.add(existing[key].pk)
            continue
        step = NextStep(
            pair_id=checkin.meeting.pair_id,
            checkin=checkin,
            description=item.description.strip(),
            owner=item.owner,
            due_on=item.due_on,
        )
        step.full_clean()
        step.save()
        keep.add(step.pk)
    checkin.next_steps.exclude(pk__in=keep).delete()
    done_ids = [step.pk for step in done_steps if step.pair_id == checkin.meeting.pair_id]
    NextStep.objects.filter(pk__in=done_ids, done_at__isnull=True).update(done_at=now)


@transaction.atomic
def checkin_create(
    *,
    meeting: Meeting,
    user: User,
    time_effectiveness: int,
    confidence: int,
    help_rating: int | None = None,
    help_example: str = "",
    learned: str = "",
    taught: str = "",
    blockers: str = "",
    goals: Sequence[GoalRating] = (),
    indicators: Sequence[IndicatorReading] = (),
    next_steps: Sequence[NextStepInput] = (),
    done_steps: Sequence[NextStep] = (),
    now: datetime.datetime | None = None,
) -> CheckIn:
    """One partner's check-in after a meeting: one per partner and meeting."""
    now = now or timezone.now()
    cohort_lock_allowing(cohort=meeting.cohort_id, action="log_checkins")
    meeting = _locked_meeting(meeting)
    _validate_checkin(
        meeting=meeting,
        user=user,
        time_effectiveness=time_effectiveness,
        confidence=confidence,
        help_rating=help_rating,
        goals=goals,
        indicators=indicators,
        next_steps=next_steps,
        kept_steps=set(),
        now=now,
    )
    if CheckIn.objects.filter(meeting=meeting, user=user).exists():
        raise AlreadyDone(ALREADY_CHECKED_IN)
    checkin = CheckIn(
        meeting=meeting,
        user=user,
        learned=learned.strip(),
        taught=taught.strip(),
        blockers=blockers.strip(),
        time_effectiveness=time_effectiveness,
        confidence=confidence,
        help_rating=help_rating,
        help_example=help_example.strip(),
    )
    checkin.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError as error:  # a double submission that raced the check above
        raise AlreadyDone(ALREADY_CHECKED_IN) from error
    _write_details(
        checkin=checkin,
        goals=goals,
        indicators=indicators,
        next_steps=next_steps,
        done_steps=done_steps,
        now=now,
    )
    partner_nudge_queue(checkin=checkin)
    audit(
        organization=meeting.organization,
        actor=user,
        action="checkin.created",
        meeting=meeting.pk,
        pair=meeting.pair_id,
    )
    return checkin


@transaction.atomic
def checkin_update(
    *,
    checkin: CheckIn,
    actor: User,
    time_effectiveness: int,
    confidence: int,
    help_rating: int | None = None,
    help_example: str = "",
    learned: str = "",
    taught: str = "",
    blockers: str = "",
    goals: Sequence[GoalRating] = (),
    indicators: Sequence[IndicatorReading] = (),
    next_steps: Sequence[NextStepInput] = (),
    done_steps: Sequence[NextStep] = (),
    now: datetime.datetime | None = None,
) -> CheckIn:
    """Edit one's own check-in. Next steps left unchanged may keep a due date now past."""
    now = now or timezone.now()
    cohort_id = CheckIn.objects.filter(pk=checkin.pk).values_list("meeting__cohort_id").get()[0]
    cohort_lock_allowing(cohort=cohort_id, action="log_checkins")
    checkin = (
        CheckIn.objects.select_for_update()
        .select_related("meeting__pair", "meeting__organization")
        .get(pk=checkin.pk)
    )
    if checkin.user_id != actor.pk:
        raise ValidationError(_("You can only edit your own check-in."))
    kept = {(s.description, s.owner_id, s.due_on) for s in checkin.next_steps.all()}
    _validate_checkin(
        meeting=checkin.meeting,
        user=actor,
        time_effectiveness=time_effectiveness,
        confidence=confidence,
        help_rating=help_rating,
        goals=goals,
        indicators=indicators,
        next_steps=next_steps,
        kept_steps=kept,
        now=now,
    )
    checkin.learned, checkin.taught = learned.strip(), taught.strip()
    checkin.blockers = blockers.strip()
    checkin.time_effectiveness, checkin.confidence = time_effectiveness, confidence
    checkin.help_rating, checkin.help_example = help_rating, help_example.strip()
    checkin.full_clean(validate_constraints=False)
    checkin.save()
    _write_details(
        checkin=checkin,
        goals=goals,
        indicators=indicators,
        next_steps=next_steps,
        done_steps=done_steps,
        now=now,
    )
    partner_nudge_queue(checkin=checkin)
    audit(
        organization=checkin.meeting.organization,
        actor=actor,
        action="checkin.updated",
        meeting=checkin.meeting_id,
        pair=checkin.meeting.pair_id,
    )
    return checkin


def checkin_save(*, meeting: Meeting, user: User, checkin: CheckIn | None, **fields) -> CheckIn:
    """Create the user's check-in, or update it when `checkin` (theirs) is given."""
    if checkin is None:
        return checkin_create(meeting=meeting, user=user, **fields)
    return checkin_update(checkin=checkin, actor=user, **fields)
