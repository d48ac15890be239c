"""A partner's change racing the cohort's closing: it waits for the close, then is refused.

Needs PostgreSQL: the services lock the cohort's row (SELECT … FOR NO KEY UPDATE) before they
read its state, and the close holds the same row until it commits. SQLite runs one writer at a
time, so there is no race to test there. Each thread has its own connection, and the test
commits for real (`transaction=True`) so the threads see each other's work.
"""

import datetime
import threading
import time

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Cohort
from checkins import services as checkin_services
from checkins.models import CheckIn, Meeting
from checkins.oversight import lifecycle
from tests.checkins.factories import past_meeting, signed_pair
from tests.postgres import needs_postgres

pytestmark = needs_postgres("row locks between connections")

HOLD_SECONDS = 0.5


def close_while(cohort, coordinator, change):
    """Close the cohort in one thread and, while its transaction is still open, run `change`
    in another. Returns what `change` raised (or None) and how long it waited."""
    closing = threading.Event()
    outcome = {}

    def close():
        try:
            with transaction.atomic():
                lifecycle.cohort_close(cohort=cohort, actor=coordinator)
                closing.set()
                time.sleep(HOLD_SECONDS)  # still holding the cohort's row
        finally:
            closing.set()
            connection.close()

    def race():
        closing.wait(timeout=30)
        started = time.perf_counter()
        try:
            change()
        except ValidationError as error:
            outcome["error"] = error
        finally:
            outcome["waited"] = time.perf_counter() - started
            connection.close()

    threads = [threading.Thread(target=close), threading.Thread(target=race)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome.get("error"), outcome["waited"]


def test_a_meeting_added_while_the_cohort_closes_is_refused(cohort, coordinator, member, partner):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.ACTIVE)
    signed = signed_pair(cohort, member, partner)
    when = timezone.now() + datetime.timedelta(days=3)

    error, waited = close_while(
        cohort,
        coordinator,
        lambda: checkin_services.meeting_add(
            pair=signed.pair, actor=member, starts_at=when, minutes=60
        ),
    )

    assert waited >= HOLD_SECONDS * 0.8  # it waited for the close to commit
    assert error is not None
    assert "is closed: you can schedule, move and cancel meetings only" in error.messages[0]
    assert not Meeting.objects.filter(starts_at=when).exists()


def test_a_check_in_logged_while_the_cohort_closes_is_refused(cohort, coordinator, member, partner):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.ACTIVE)
    signed = signed_pair(cohort, member, partner)
    meeting = past_meeting(signed.pair, contract=signed.contract)

    error, _waited = close_while(
        cohort,
        coordinator,
        lambda: checkin_services.checkin_create(
            meeting=meeting, user=member, time_effectiveness=4, confidence=4
        ),
    )

    assert error is not None
    assert "is closed: you can log check-ins only while it is active" in error.messages[0]
    assert not CheckIn.objects.exists()
