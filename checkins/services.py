"""Writes for meetings, check-ins and calendar feeds.

Every function is keyword-only, runs in a transaction, validates before it writes and records
who did it in the audit log.

Meetings and the contract
-------------------------
A contract lives in the layer below; when one is signed, this layer schedules its meetings
through `meetings_ensure_scheduled(contract=...)`, which the pair page calls on every visit and
a periodic task calls for `selectors.contracts_needing_schedule()`. It is idempotent: each
planned meeting carries its position in the recurrence (`sequence`), so planning again only
adds what is missing. A signed amendment re-plans: the future meetings that the previous
version planned and that nobody moved or cancelled are moved onto the new plan (or cancelled
when the new plan has fewer); past meetings and those partners added, moved or cancelled stay.

Reminders are another module's work: every meeting that is created, moved or cancelled is
handed to `reminders.reminders_sync_for_meeting`, in the same transaction.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from accounts.emails import send_templated_email
from accounts.lifecycle import cohort_allows, cohort_lock, cohort_lock_allowing
from accounts.models import User
from accounts.services import audit
from contracts.models import Contract, Goal, Indicator
from matching.models import Pair

from . import schedule, selectors
from .models import CalendarFeed, CheckIn, GoalProgress, IndicatorValue, Meeting, NextStep

MIN_MINUTES, MAX_MINUTES = 5, 480


def _sync_reminders(meeting: Meeting) -> None:
    # Imported here: the reminders module is built alongside this one and reads our models.
    from . import reminders

    reminders.reminders_sync_for_meeting(meeting=meeting)


# Scheduling --------------------------------------------------------------------------------


def _plan(contract: Contract, now: datetime.datetime):
    """(occurrences still missing, meetings of earlier versions that may be replaced)."""
    terms = selectors.contract_terms(contract=contract)
    if terms is None:
        return [], selectors.replaceable_meetings(contract=contract, now=now).none()
    planned = set(
        Meeting.objects.filter(contract=contract, sequence__isnull=False).values_list(
            "sequence", flat=True
        )
    )
    missing = [o for o in schedule.upcoming(terms, after=now) if o.sequence not in planned]
    return missing, selectors.replaceable_meetings(contract=contract, now=now)


@transaction.atomic
def meetings_ensure_scheduled(
    *, contract: Contract, now: datetime.datetime | None = None
) -> list[Meeting]:
    """Make sure a signed contract's future meetings exist. Cheap when they do.

    Returns the meetings it created, moved or cancelled (empty when there was nothing to do).
    Only future meetings are planned: occurrences before `now` never took place.
    """
    now = now or timezone.now()
    if contract.status != Contract.Status.SIGNED:
        return []
    missing, replaceable = _plan(contract, now)
    if not missing and not replaceable.exists():
        return []
    # Serialise with a concurrent call (a page visit and the periodic task) and with a move of
    # the cohort: lock the cohort, then the pair, then plan again with what the other call may
    # have written. A cohort whose state doesn't allow meetings (closed) gets none.
    if not cohort_allows(cohort_lock(contract.cohort_id), "schedule_meetings"):
        return []
    pair = Pair.objects.select_for_update().get(pk=contract.pair_id)
    if pair.status != Pair.Status.ACTIVE:
        return []
    newer = Contract.objects.filter(
        pair_id=pair.pk, status=Contract.Status.SIGNED, version__gt=contract.version
    )
    if newer.exists():
        return []
    missing, replaceable = _plan(contract, now)
    old = list(replaceable.order_by("starts_at"))
    if not missing and not old:  # a concurrent call did it while we waited for the lock
        return []

    created, changed = [], []
    for occurrence in missing:
        if old:
            meeting = old.pop(0)
            if (meeting.starts_at, meeting.ends_at) != (occurrence.starts_at, occurrence.ends_at):
                meeting.revision += 1
            meeting.contract = contract
            meeting.sequence = occurrence.sequence
            meeting.starts_at, meeting.ends_at = occurrence.starts_at, occurrence.ends_at
            changed.append(meeting)
        else:
            created.append(
                Meeting(
                    organization_id=contract.organization_id,
                    cohort_id=contract.cohort_id,
                    pair_id=pair.pk,
                    contract=contract,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    origin=Meeting.Origin.SCHEDULE,
                    sequence=occurrence.sequence,
                )
            )
    for meeting in old:  # the amended plan has fewer meetings
        meeting.status = Meeting.Status.CANCELLED
        meeting.revision += 1
        meeting.note = _("Replaced by the amended contract.")
        changed.append(meeting)

    for meeting in created + changed:
        # The plan guarantees the constraints (unique sequence, end after start) and the
        # database enforces them; skipping their per-row queries keeps a year of weekly
        # meetings to a handful of queries.
        meeting.full_clean(validate_constraints=False)
    Meeting.objects.bulk_create(created)
    for meeting in changed:
        meeting.save()
    for meeting in created + changed:
        _sync_reminders(meeting)
    audit(
        organization=contract.organization,
        actor=None,
        action="meetings.scheduled",
        contract=contract.pk,
        version=contract.version,
        created=len(created),
        replanned=len(changed),
    )
    return created + changed


# Meetings changed by a partner -------------------------------------------------------------


def _require_partner(pair: Pair, user: User) -> None:
    if user.pk not in selectors.pair_user_ids(pair=pair):
        raise ValidationError(_("Only the partners of this pair can change its meetings."))


def _validate_time(starts_at: datetime.datetime, minutes: int, now: datetime.datetime) -> None:
    errors = {}
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware")
    if starts_at <= now:
        errors["starts_at"] = _("Choose a time in the future.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["minutes"] = _("A meeting lasts between %(min)s and %(max)s minutes.") % {
            "min": MIN_MINUTES,
            "max": MAX_MINUTES,
        }
    if errors:
        raise ValidationError(errors)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("pair", "organization")
        .get(pk=meeting.pk)
    )


def _require_changeable(meeting: Meeting, now: datetime.datetime) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled. Add a new meeting instead."))
    if meeting.starts_at <= now:
        raise ValidationError(_("This meeting has already started, so it can't be changed."))


def _notify_other_partners(
    meeting: Meeting, actor: User, change: str, previous: datetime.datetime | None = None
) -> None:
    """Email after the commit, so nobody hears of a change that was rolled back; a failing
    mail server is logged (robust) rather than turning a saved change into an error page."""
    meeting_id, actor_id = meeting.pk, actor.pk

    # A named function, not a partial: Django names the callback when it logs a failure.
    def send_meeting_changed_email():
        meeting_changed_email_send(
            meeting_id=meeting_id, actor_id=actor_id, change=change, previous_starts_at=previous
        )

    transaction.on_commit(send_meeting_changed_email, robust=True)


@transaction.atomic
def meeting_add(
    *,
    pair: Pair,
    actor: User,
    starts_at: datetime.datetime,
    minutes: int,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """A meeting one partner adds outside the contract's cadence."""
    now = now or timezone.now()
    cohort_lock_allowing(cohort=pair.cohort_id, action="schedule_meetings")
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    _require_partner(pair, actor)
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("Meetings can only be added for an active pair."))
    _validate_time(starts_at, minutes, now)
    meeting = Meeting(
        organization_id=pair.organization_id,
        cohort_id=pair.cohort_id,
        pair=pair,
        contract=selectors.current_contract(pair=pair),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        origin=Meeting.Origin.MANUAL,
        note=note.strip(),
        updated_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    _sync_reminders(meeting)
    _notify_other_partners(meeting, actor, "added")
    audit(
        organization=meeting.organization,
        actor=actor,
        action="meeting.added",
        meeting=meeting.pk,
        pair=pair.pk,
        starts_at=meeting.starts_at.isoformat(),
    )
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    actor: User,
    starts_at: datetime.datetime,
    minutes: int,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    now = now or timezone.now()
    cohort_lock_allowing(cohort=meeting.cohort_id, action="schedule_meetings")
    meeting = _locked_meeting(meeting)
    _require_partner(meeting.pair, actor)
    _require_changeable(meeting, now)
    _validate_time(starts_at, minutes, now)
    previous = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.ends_at = starts_at + datetime.timedelta(minutes=minutes)
    meeting.note = note.strip()
    meeting.updated_by = actor
    meeting.revision += 1
    meeting.full_clean()
    meeting.save()
    _sync_reminders(meeting)
    _notify_other_partners(meeting, actor, "rescheduled", previous)
    audit(
        organization=meeting.organization,
        actor=actor,
        action="meeting.rescheduled",
        meeting=meeting.pk,
        pair=meeting.pair_id,
        previous=previous.isoformat(),
        starts_at=meeting.starts_at.isoformat(),
    )
    return meeting


@transaction.atomic
def meeting_cancel(
    *, meeting: Meeting, actor: User, note: str = "", now: datetime.datetime | None = None
) -> Meeting:
    now = now or timezone.now()
    cohort_lock_allowing(cohort=meeting.cohort_id, action="schedule_meetings")
    meeting = _locked_meeting(meeting)
    _require_partner(meeting.pair, actor)
    _require_changeable(meeting, now)
    meeting.status = Meeting.Status.CANCELLED
    meeting.note = note.strip()
    meeting.updated_by = actor
    meeting.revision += 1
    meeting.full_clean()
    meeting.save()
    _sync_reminders(meeting)
    _notify_other_partners(meeting, actor, "cancelled")
    audit(
        organization=meeting.organization,
        actor=actor,
        action="meeting.cancelled",
        meeting=meeting.pk,
        pair=meeting.pair_id,
    )
    return meeting


def _site_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def meeting_changed_email_send(
    *,
    meeting_id: int,
    actor_id: int,
    change: str,
    previous_starts_at: datetime.datetime | None = None,
) -> None:
    """Tell the partners other than `actor` that the meeting was added, moved or cancelled."""
    meeting = selectors.meeting_with_members(meeting_id=meeting_id)
    if meeting is None:
        return
    users = [member.user for member in meeting.pair.members.all()]
    actor = next((user for user in users if user.pk == actor_id), None)
    tz = schedule.zone(selectors.pair_timezone(pair=meeting.pair))

    def when(moment):
        local = timezone.localtime(moment, tz)
        return f"{date_format(local, 'l j F Y, H:i')} ({tz.key})"

    kwargs = {"org_slug": meeting.organization.slug}
    context = {
        "meeting": meeting,
        "actor": actor,
        "change": change,
        "organization": meeting.organization,
        # Lazy: formatted when each email renders, in its recipient's language.
        "starts": lazy(when, str)(meeting.starts_at),
        "starts_short": lazy(date_format, str)(
            timezone.localtime(meeting.starts_at, tz), "D j M, H:i"
        ),
        "previous": lazy(when, str)(previous_starts_at) if previous_starts_at else "",
        "minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "pair_url": _site_url("pair_detail", pair_id=meeting.pair_id, **kwargs),
        "ics_url": _site_url("meeting_ics", meeting_id=meeting.pk, **kwargs),
    }
    for user in users:
        if user.pk != actor_id:
            send_templated_email(
                template="meeting_changed", to=[user.email], context={**context, "user": user}
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
        goals=goals,
        indicators=indicators,
        next_steps=next_steps,
        kept_steps=set(),
        now=now,
    )
    if CheckIn.objects.filter(meeting=meeting, user=user).exists():
        raise ValidationError(
            _("You have already checked in for this meeting. Open it again to edit your check-in.")
        )
    checkin = CheckIn(
        meeting=meeting,
        user=user,
        learned=learned.strip(),
        taught=taught.strip(),
        blockers=blockers.strip(),
        time_effectiveness=time_effectiveness,
        confidence=confidence,
    )
    checkin.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError as error:  # a double submission that raced the check above
        raise ValidationError(
            _("You have already checked in for this meeting. Open it again to edit your check-in.")
        ) from error
    _write_details(
        checkin=checkin,
        goals=goals,
        indicators=indicators,
        next_steps=next_steps,
        done_steps=done_steps,
        now=now,
    )
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
        goals=goals,
        indicators=indicators,
        next_steps=next_steps,
        kept_steps=kept,
        now=now,
    )
    checkin.learned, checkin.taught = learned.strip(), taught.strip()
    checkin.blockers = blockers.strip()
    checkin.time_effectiveness, checkin.confidence = time_effectiveness, confidence
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


# Calendar feeds ----------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    """The user's feed, created with a fresh secret token the first time."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        audit(organization=None, actor=user, action="calendar_feed.created")
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """Give the feed a new token: the old URL stops working at once."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.full_clean()
    feed.save(update_fields=["token"])
    audit(organization=None, actor=user, action="calendar_feed.reset")
    return feed
