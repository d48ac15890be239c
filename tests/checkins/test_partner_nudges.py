"""The gentle nudge: a check-in whose author's confidence fell twice in a row, or whose blocker
is back, emails the other partner once, through the reminders' exactly-once sending, and never
the coordinator."""

import pytest
from django.core import mail
from django.utils import timezone

from checkins import reminders, services
from checkins.models import NotificationPreference, Reminder
from matching.models import Pair
from tests.checkins.factories import checkin, past_meeting, signed_pair

pytestmark = pytest.mark.django_db

Kind = Reminder.Kind


@pytest.fixture
def pair(cohort, member, partner):
    return signed_pair(cohort, member, partner, goals=False)


def log(pair, user, *, days_ago, confidence, blockers="", help_rating=3):
    meeting = past_meeting(pair.pair, days_ago=days_ago, contract=pair.contract)
    return services.checkin_create(
        meeting=meeting,
        user=user,
        time_effectiveness=3,
        confidence=confidence,
        blockers=blockers,
        help_rating=help_rating,
        help_example="A talk",
    )


def nudges():
    return Reminder.objects.filter(kind=Kind.PARTNER_NUDGE)


def send_due():
    return reminders.reminders_send_due(now=timezone.now())


def test_confidence_falling_twice_in_a_row_nudges_the_other_partner(pair, member, partner):
    log(pair, member, days_ago=21, confidence=4)
    log(pair, member, days_ago=14, confidence=3)
    assert not nudges().exists()

    third = log(pair, member, days_ago=7, confidence=2)

    (row,) = nudges()
    assert (row.recipient, row.checkin, row.pair) == (partner, third, pair.pair)
    assert row.data["reasons"] == ["confidence_dropping"]
    assert row.subject_key == f"nudge:{third.pk}"


def test_a_blocker_that_comes_back_nudges_the_other_partner(pair, member, partner):
    log(pair, member, days_ago=14, confidence=3, blockers="Fear of presenting")
    log(pair, member, days_ago=7, confidence=4, blockers="- fear of presenting.")

    (row,) = nudges()
    assert row.recipient == partner
    assert row.data["reasons"] == ["blocker_back"]


def test_the_other_partners_check_ins_do_not_count(pair, member, partner):
    log(pair, member, days_ago=21, confidence=4, blockers="No time")
    log(pair, partner, days_ago=14, confidence=3, blockers="No time")
    log(pair, member, days_ago=7, confidence=2)

    assert not nudges().exists()


def test_history_follows_the_meetings_not_the_order_of_logging(pair, member):
    """A check-in logged late for an earlier meeting is judged at its place."""
    log(pair, member, days_ago=7, confidence=2)
    log(pair, member, days_ago=21, confidence=4)
    log(pair, member, days_ago=14, confidence=3)

    # Judged at its place, the 3 of day 14 follows only the 4 of day 21: one drop, not two.
    assert nudges().count() == 0


def test_the_nudge_is_sent_once_however_often_the_scan_runs(pair, member, partner):
    log(pair, member, days_ago=14, confidence=3, blockers="No time")
    log(pair, member, days_ago=7, confidence=3, blockers="No time")

    first, second = send_due(), send_due()

    assert first[reminders.SENT] == 1 and second[reminders.SENT] == 0
    (message,) = mail.outbox
    assert message.to == [partner.email]
    assert f"{member.display_name} might welcome a word from you" in message.subject
    assert "A blocker" in message.body and "not to your coordinator" in message.body
    assert f"/checkins/{nudges().get().checkin_id}/replies/" in message.body
    assert nudges().get().status == Reminder.Status.SENT


def test_editing_the_check_in_does_not_nudge_again(pair, member):
    log(pair, member, days_ago=14, confidence=3, blockers="No time")
    row = log(pair, member, days_ago=7, confidence=3, blockers="No time")
    send_due()

    services.checkin_update(
        checkin=row,
        actor=member,
        time_effectiveness=4,
        confidence=1,
        blockers="No time",
        help_rating=2,
        help_example="A call",
    )
    send_due()

    assert nudges().count() == 1
    assert len(mail.outbox) == 1


def test_the_coordinator_is_never_nudged(pair, member, partner, coordinator):
    log(pair, member, days_ago=21, confidence=5)
    log(pair, member, days_ago=14, confidence=4)
    log(pair, member, days_ago=7, confidence=3)
    send_due()

    assert set(nudges().values_list("recipient", flat=True)) == {partner.pk}
    assert [message.to for message in mail.outbox] == [[partner.email]]


def test_a_partner_who_turned_nudges_off_gets_none(pair, member, partner):
    NotificationPreference.objects.create(user=partner, partner_nudges=False)
    log(pair, member, days_ago=14, confidence=3, blockers="No time")
    log(pair, member, days_ago=7, confidence=3, blockers="No time")

    outcome = send_due()

    assert outcome[reminders.SKIPPED] == 1
    assert not mail.outbox
    assert "preferences" in nudges().get().last_error


def test_no_nudge_goes_out_once_the_pair_has_ended(pair, member):
    log(pair, member, days_ago=14, confidence=3, blockers="No time")
    log(pair, member, days_ago=7, confidence=3, blockers="No time")
    Pair.objects.filter(pk=pair.pair.pk).update(status=Pair.Status.DISSOLVED)

    send_due()

    assert not mail.outbox
    assert nudges().get().status == Reminder.Status.CANCELLED


def test_the_history_helper_ends_with_the_check_in_judged(pair, member):
    first = checkin(past_meeting(pair.pair, days_ago=14), member, confidence=5)
    second = checkin(past_meeting(pair.pair, days_ago=7), member, confidence=1)

    history = reminders.partner_history(checkin=second)

    assert [facts.confidence for facts in history] == [first.confidence, second.confidence]
