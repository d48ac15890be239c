"""Expand a contract's meeting terms into concrete meeting times. No Django in here.

The recurrence is computed on *wall-clock* times in the pair's time zone and only then turned
into UTC, so a 09:00 Copenhagen meeting stays at 09:00 local time all year: 08:00 UTC in
winter (CET, +01:00) and 07:00 UTC in summer (CEST, +02:00).

Rules
-----
* The first meeting is on the first `weekday` on or after `starts_on`, at `time`.
* weekly: every week on that weekday; biweekly: every other week.
* monthly: on the same *week of the month* as the first meeting, e.g. "the first Tuesday"
  or "the third Thursday" of every month. A first meeting in the fifth week (the 29th–31st)
  means "the last <weekday> of the month", since not every month has a fifth one.
* `ends_on` is inclusive: a meeting on the end date itself is part of the plan.
* Each occurrence has a `sequence` (0, 1, 2, …), its position in the recurrence, so that
  planning the same terms again gives the same numbers and re-planning is idempotent.
* Wall times that fall in a daylight-saving gap (02:30 on the spring-forward night) move
  forward by the gap, as clocks do (03:30 local); ambiguous times (the repeated hour in
  autumn) take the first occurrence (summer time).
"""

import datetime
import itertools
import zoneinfo
from dataclasses import dataclass

from dateutil import rrule

WEEKLY = "weekly"
BIWEEKLY = "biweekly"
MONTHLY = "monthly"

# The most meetings one contract's terms ever plan: a weekly contract of the longest span
# contracts may have (two years) has about 105. Old data with a far larger window is cut off
# here rather than filling the calendar with thousands of meetings and their reminders.
MAX_OCCURRENCES = 110

# How long a cadence period lasts, in days: used by the at-risk rules too.
PERIOD_DAYS = {WEEKLY: 7, BIWEEKLY: 14, MONTHLY: 30}

_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
UTC = datetime.UTC


@dataclass(frozen=True)
class Terms:
    """The shared terms of a contract that decide when the partners meet."""

    cadence: str  # weekly, biweekly or monthly
    weekday: int  # 0 = Monday … 6 = Sunday
    time: datetime.time  # local wall-clock time
    minutes: int
    timezone: str  # an IANA name such as "Europe/Copenhagen"
    starts_on: datetime.date
    ends_on: datetime.date  # inclusive


@dataclass(frozen=True)
class Occurrence:
    sequence: int
    starts_at: datetime.datetime  # aware, UTC
    ends_at: datetime.datetime  # aware, UTC


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The named time zone, or UTC when the name is empty or unknown."""
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo("UTC")


def to_utc(local: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """A naive wall-clock time in `tz`, as an aware UTC datetime (see the gap rule above)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def first_meeting_day(starts_on: datetime.date, weekday: int) -> datetime.date:
    return starts_on + datetime.timedelta(days=(weekday - starts_on.weekday()) % 7)


def week_of_month(day: datetime.date) -> int:
    """1 for the first <weekday> of the month … 4; -1 for a fifth one ("the last")."""
    week = (day.day - 1) // 7 + 1
    return -1 if week == 5 else week


def _rule(terms: Terms, first: datetime.datetime, until: datetime.datetime) -> rrule.rrule:
    weekday = _WEEKDAYS[terms.weekday]
    if terms.cadence == MONTHLY:
        nth = week_of_month(first.date())
        return rrule.rrule(rrule.MONTHLY, dtstart=first, until=until, byweekday=weekday(nth))
    if terms.cadence == BIWEEKLY:
        return rrule.rrule(rrule.WEEKLY, interval=2, dtstart=first, until=until, byweekday=weekday)
    if terms.cadence == WEEKLY:
        return rrule.rrule(rrule.WEEKLY, dtstart=first, until=until, byweekday=weekday)
    raise ValueError(f"Unknown cadence: {terms.cadence!r}")


def expand(terms: Terms) -> list[Occurrence]:
    """Every meeting of the terms, from the start date to the end date inclusive, at most the
    first `MAX_OCCURRENCES` of them. Times Python can't hold (past year 9999 in UTC) end the
    plan there."""
    if terms.ends_on < terms.starts_on:
        return []
    tz = zone(terms.timezone)
    length = datetime.timedelta(minutes=terms.minutes)
    try:
        first_day = first_meeting_day(terms.starts_on, terms.weekday)
    except OverflowError:  # the first meeting would fall after 9999-12-31
        return []
    first = datetime.datetime.combine(first_day, terms.time)
    until = datetime.datetime.combine(terms.ends_on, datetime.time.max)
    rule = _rule(terms, first, until)
    occurrences = []
    try:
        for sequence, local in enumerate(itertools.islice(rule, MAX_OCCURRENCES)):
            starts_at = to_utc(local, tz)
            occurrences.append(Occurrence(sequence, starts_at, starts_at + length))
    except (OverflowError, ValueError):
        pass  # the recurrence ran past the largest date Python holds
    return occurrences


def upcoming(terms: Terms, *, after: datetime.datetime) -> list[Occurrence]:
    """The occurrences that start after `after` (an aware datetime)."""
    return [occurrence for occurrence in expand(terms) if occurrence.starts_at > after]


def local_today(timezone: str | None, now: datetime.datetime) -> datetime.date:
    return now.astimezone(zone(timezone)).date()
