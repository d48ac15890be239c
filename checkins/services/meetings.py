"""Meetings changed by a partner: a partner of an active pair adds a meeting outside the
contract's cadence, moves one or cancels one (in the future, between `MIN_MINUTES` and
`MAX_MINUTES` long), or records one that already took place (in the past, within the contract's
window, so that the partners can check in on it at once), under the cohort's lock and the
pair's or the meeting's; the reminders follow in the same transaction, and after the commit
`meeting_changed_email_send` tells the other partners what changed, with the times in the
pair's time zone and in each recipient's language.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from accounts.dates import date_window
from accounts.emails import send_templated_email
from accounts.lifecycle import cohort_lock_allowing
from accounts.models import User
from accounts.services import audit
from contracts.models import Contract
from matching.models import Pair

from .. import schedule, selectors
from ..models import Meeting
from .common import _locked_meeting, _sync_reminders

MIN_MINUTES, MAX_MINUTES = 5, 480
# How far before its contract's start or after its end a meeting may still be placed (a
# first meeting the week before, a closing one just after the review date).
MEETING_MARGIN_DAYS = 14


# Meetings changed by a partner -------------------------------------------------------------


def _require_partner(pair: Pair, user: User) -> None:
    if user.pk not in selectors.pair_user_ids(pair=pair):
        raise ValidationError(_("Only the partners of this pair can change its meetings."))


def _window(pair: Pair, contract: Contract | None) -> tuple[datetime.date, datetime.date]:
    """The days a meeting of the pair may fall on: its contract's dates (else its cohort's),
    widened by `MEETING_MARGIN_DAYS` on each side."""
    cohort = pair.cohort
    first = (contract.starts_on if contract else None) or cohort.starts_on
    last = (contract.ends_on if contract else None) or cohort.ends_on
    margin = datetime.timedelta(days=MEETING_MARGIN_DAYS)
    earliest, latest = date_window()
    # Clamped first: old data may hold a contract that runs to 9999-12-31.
    return max(first, earliest) - margin, min(last, latest) + margin


def _utc_day(moment: datetime.datetime) -> datetime.date:
    try:
        return moment.astimezone(datetime.UTC).date()
    except OverflowError:  # a moment at the very edge of what Python can hold
        return datetime.date.max if moment.year > 1 else datetime.date.min


def _validate_time(
    starts_at: datetime.datetime,
    minutes: int,
    now: datetime.datetime,
    window: tuple[datetime.date, datetime.date],
    *,
    held: bool = False,
) -> None:
    """A planned meeting starts in the future; a `held` one (recorded afterwards) has started."""
    errors = {}
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware")
    first, last = window
    if not held and starts_at <= now:
        errors["starts_at"] = _("Choose a time in the future.")
    elif held and starts_at > now:
        errors["starts_at"] = _(
            "A meeting you record has already taken place: choose a time in the past."
        )
    elif not first <= _utc_day(starts_at) <= last:
        errors["starts_at"] = _(
            "Choose a day during your contract, between %(first)s and %(last)s."
        ) % {"first": date_format(first, "DATE_FORMAT"), "last": date_format(last, "DATE_FORMAT")}
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["minutes"] = _("A meeting lasts between %(min)s and %(max)s minutes.") % {
            "min": MIN_MINUTES,
            "max": MAX_MINUTES,
        }
    if errors:
        raise ValidationError(errors)


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


def _partner_meeting_save(
    *,
    pair: Pair,
    actor: User,
    contract,
    starts_at: datetime.datetime,
    minutes: int,
    note: str,
    change: str,
) -> Meeting:
    """Save a meeting a partner added or recorded (times validated already): its reminders,
    the other partners' email and the audit entry `meeting.<change>`."""
    meeting = Meeting(
        organization_id=pair.organization_id,
        cohort_id=pair.cohort_id,
        pair=pair,
        contract=contract,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        origin=Meeting.Origin.MANUAL,
        note=note.strip(),
        updated_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    _sync_reminders(meeting)
    _notify_other_partners(meeting, actor, change)
    audit(
        organization=meeting.organization,
        actor=actor,
        action=f"meeting.{change}",
        meeting=meeting.pk,
        pair=pair.pk,
        starts_at=meeting.starts_at.isoformat(),
    )
    return meeting


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
    contract = selectors.current_contract(pair=pair)
    _validate_time(starts_at, minutes, now, _window(pair, contract))
    return _partner_meeting_save(
        pair=pair,
        actor=actor,
        contract=contract,
        starts_at=starts_at,
        minutes=minutes,
        note=note,
        change="added",
    )


@transaction.atomic
def meeting_record_held(
    *,
    pair: Pair,
    actor: User,
    starts_at: datetime.datetime,
    minutes: int,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """A meeting that already took place, recorded by one partner so both can check in on it.

    It must have started, fall within the contract's window (as any meeting), and not repeat a
    meeting of the pair at the same time (that one is checked in on instead).
    """
    now = now or timezone.now()
    cohort_lock_allowing(cohort=pair.cohort_id, action="schedule_meetings")
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    _require_partner(pair, actor)
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("Meetings can only be recorded for an active pair."))
    contract = selectors.current_contract(pair=pair)
    _validate_time(starts_at, minutes, now, _window(pair, contract), held=True)
    same_time = Meeting.objects.filter(
        pair=pair, starts_at=starts_at, status=Meeting.Status.SCHEDULED
    )
    if same_time.exists():
        raise ValidationError(
            {
                "starts_at": _(
                    "Your meeting at this time is already on your list: check in on it there."
                )
            }
        )
    # Only the check-in nudge of a meeting already held can still be ahead.
    return _partner_meeting_save(
        pair=pair,
        actor=actor,
        contract=contract,
        starts_at=starts_at,
        minutes=minutes,
        note=note,
        change="recorded",
    )


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
    contract = meeting.contract or selectors.current_contract(pair=meeting.pair)
    _validate_time(starts_at, minutes, now, _window(meeting.pair, contract))
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
        "checkin_url": _site_url("checkin_create", meeting_id=meeting.pk, **kwargs),
    }
    for user in users:
        if user.pk != actor_id:
            send_templated_email(
                template="checkins/emails/meeting_changed",
                to=[user.email],
                context={**context, "user": user},
            )
