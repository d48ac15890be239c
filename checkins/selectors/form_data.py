"""Forms' data: the counts of a cohort's pairs per health status, the reschedule form's
initial values in the pair's time zone (`meeting_form_initial`) and what the check-in page
needs (`checkin_setup`: the meeting's partners, the user's goals, the open next steps, the
pair's local date and the user's check-in, if any).
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from contracts.models import Contract, Goal

from .. import schedule
from ..models import CheckIn, Meeting
from .meetings import checkin_of, open_next_steps, user_goals
from .terms import current_contract, pair_timezone

# Forms' data -------------------------------------------------------------------------------


def meeting_form_initial(*, meeting: Meeting) -> dict:
    """The meeting's date and time in the pair's time zone, for the reschedule form."""
    tz = schedule.zone(pair_timezone(pair=meeting.pair))
    local = meeting.starts_at.astimezone(tz)
    return {
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "note": meeting.note,
    }


@dataclass
class CheckInSetup:
    """What the check-in page needs: the meeting, the user's goals, the open next steps."""

    meeting: Meeting
    partners: QuerySet
    goals: list[Goal]
    open_steps: QuerySet
    today: datetime.date
    timezone: str
    checkin: CheckIn | None
    contract: Contract | None

    def form_kwargs(self) -> dict:
        return {
            "goals": self.goals,
            "partners": self.partners,
            "open_steps": self.open_steps,
            "today": self.today,
            "checkin": self.checkin,
            "help_measure": str(self.contract.help_measure) if self.contract else "",
        }


def checkin_setup(
    *, meeting: Meeting, user: User, now: datetime.datetime | None = None
) -> CheckInSetup:
    contract = current_contract(pair=meeting.pair)
    zone_name = pair_timezone(pair=meeting.pair, contract=contract)
    checkin = checkin_of(meeting=meeting, user=user)
    open_steps = open_next_steps(pair=meeting.pair)
    if checkin is not None:
        open_steps = open_steps.exclude(checkin=checkin)
    return CheckInSetup(
        meeting=meeting,
        partners=User.objects.filter(pair_memberships__pair=meeting.pair).order_by(
            "first_name", "last_name", "email"
        ),
        goals=user_goals(pair=meeting.pair, user=user, contract=contract),
        open_steps=open_steps,
        today=schedule.local_today(zone_name, now or timezone.now()),
        timezone=zone_name,
        checkin=checkin,
        contract=contract,
    )
