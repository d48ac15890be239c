"""What checkins does when a lower app reports an event (connected in `CheckinsConfig.ready`)."""

import logging

from contracts.models import Contract

from . import services
from .member_home.selectors import member_next_steps

logger = logging.getLogger(__name__)


def schedule_meetings_on_signing(sender, *, contract: Contract, **kwargs) -> None:
    """Plan a newly signed contract's meetings inside the signing transaction.

    `meetings_ensure_scheduled` runs in a savepoint of its own, so a failure here rolls back
    only the meetings, never the signature; the hourly `schedule_meetings_for_signed_contracts`
    plans them later.
    """
    try:
        services.meetings_ensure_scheduled(contract=contract)
    except Exception:
        logger.exception("Could not schedule the meetings of contract %s on signing", contract.pk)


def home_next_steps_receiver(sender, *, user, enrolments: list, **kwargs) -> dict:
    """Answer the home page's `accounts.signals.home_next_steps`: each cohort's next step for
    the member (`checkins.member_home`). Only reads."""
    return member_next_steps(user=user, enrolments=enrolments)
