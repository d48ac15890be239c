"""Is a pair on track? The rules, on plain data: no Django in here.

A pair is **at risk** when
  * no check-in has been logged for twice its cadence (weekly: 14 days, every two weeks:
    28 days, monthly: 61 days), counted from its last check-in, or from the start of its
    mentoring when it has none yet; the moment the window is reached it is at risk; or
  * one of its indicators is past its due date (the day after it) and not met: a number
    whose latest value is below the target (or that was never measured), a yes/no that is
    not "yes".
It is **too early** to tell during its first cadence period (7, 14 or 31 days from the
start: the first meeting, or the contract's start date before any meeting), unless an
indicator is already overdue. Otherwise it is **on track**.
"""

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

NUMBER = "number"
YES_NO = "yes_no"

AT_RISK_AFTER_DAYS = {"weekly": 14, "biweekly": 28, "monthly": 61}
FIRST_PERIOD_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 31}

# Reasons, as codes that the templates put into words.
NO_RECENT_CHECKIN = "no_recent_checkin"
INDICATOR_OVERDUE = "indicator_overdue"


class Status(enum.StrEnum):
    AT_RISK = "at_risk"
    NO_CONTRACT = "no_contract"
    TOO_EARLY = "too_early"
    ON_TRACK = "on_track"


# Coordinators look at the pairs that need them first.
ORDER = {Status.AT_RISK: 0, Status.NO_CONTRACT: 1, Status.TOO_EARLY: 2, Status.ON_TRACK: 3}


@dataclass(frozen=True)
class IndicatorState:
    kind: str  # NUMBER or YES_NO
    due_on: datetime.date | None
    target: Decimal | None = None
    latest_value: Decimal | None = None
    latest_met: bool | None = None
    description: str = ""

    @property
    def is_met(self) -> bool:
        if self.kind == YES_NO:
            return self.latest_met is True
        if self.latest_value is None or self.target is None:
            return False
        return self.latest_value >= self.target

    def is_overdue_unmet(self, today: datetime.date) -> bool:
        return self.due_on is not None and today > self.due_on and not self.is_met


@dataclass(frozen=True)
class Assessment:
    status: Status
    reasons: tuple[str, ...] = ()
    overdue: tuple[IndicatorState, ...] = field(default=())
    # When the pair becomes at risk if nobody checks in before (None when already at risk).
    checkin_due_by: datetime.datetime | None = None


def assess(
    *,
    now: datetime.datetime,
    cadence: str | None,
    started_at: datetime.datetime | None,
    last_checkin_at: datetime.datetime | None,
    indicators: Iterable[IndicatorState] = (),
) -> Assessment:
    """The pair's health at `now`. `cadence` None means there is no signed contract yet."""
    if cadence is None:
        return Assessment(Status.NO_CONTRACT)
    today = now.date()
    overdue = tuple(state for state in indicators if state.is_overdue_unmet(today))
    reasons = [INDICATOR_OVERDUE] if overdue else []

    reference = last_checkin_at or started_at
    window = datetime.timedelta(days=AT_RISK_AFTER_DAYS[cadence])
    due_by = reference + window if reference else None
    if due_by is not None and now >= due_by:
        reasons.insert(0, NO_RECENT_CHECKIN)
        due_by = None
    if reasons:
        return Assessment(Status.AT_RISK, tuple(reasons), overdue, due_by)

    first_period = datetime.timedelta(days=FIRST_PERIOD_DAYS[cadence])
    if started_at is None or now < started_at + first_period:
        return Assessment(Status.TOO_EARLY, checkin_due_by=due_by)
    return Assessment(Status.ON_TRACK, checkin_due_by=due_by)
