"""`seed_reminders`: the demo has reminders due at once, and seeding again adds none."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from checkins import reminders
from checkins.models import CheckIn, Reminder
from checkins.reminders.demo import seed_reminders
from tests.checkins.reminder_factories import (
    active_pair,
    meeting_for,
)

pytestmark = pytest.mark.django_db

Kind = Reminder.Kind


@pytest.fixture
def demo(cohort, member, partner, coordinator):
    pair = active_pair(cohort, member, partner)
    ended = meeting_for(pair, starts_in=-4)  # ended 3 hours ago
    CheckIn.objects.create(meeting=ended, user=partner, time_effectiveness=4, confidence=4)
    soon = meeting_for(pair, starts_in=0.5)
    later = meeting_for(pair, starts_in=72)
    return ended, soon, later


def sent():
    return sorted((row.kind, row.recipient.email) for row in Reminder.objects.filter(status="sent"))


def test_the_first_scan_after_seeding_sends_mail(demo, member, partner, coordinator):
    assert seed_reminders(cohort=demo[0].cohort) == 4

    assert reminders.reminders_send_due() == {reminders.SENT: 4}
    assert sent() == [
        (Kind.CHECKIN_MISSING, member.email),  # the partner has checked in already
        (Kind.COORDINATOR_DIGEST, coordinator.email),
        (Kind.MEETING_HOUR_BEFORE, member.email),
        (Kind.MEETING_HOUR_BEFORE, partner.email),
    ]
    assert len(mail.outbox) == 4


def test_seeding_also_plans_the_future_meetings_reminders(demo):
    seed_reminders(cohort=demo[0].cohort)

    later = demo[2]
    day, hour = datetime.timedelta(days=1), datetime.timedelta(hours=1)
    assert {(row.status, row.due_at) for row in later.reminders.all()} == {
        ("pending", later.starts_at - day),
        ("pending", later.starts_at - hour),
        ("pending", later.ends_at + day),
    }
    assert later.reminders.count() == 6


def test_seeding_again_makes_nothing_new_due(demo):
    cohort = demo[0].cohort
    seed_reminders(cohort=cohort)
    reminders.reminders_send_due()
    rows = list(Reminder.objects.order_by("pk").values())

    assert seed_reminders(cohort=cohort) == 0
    assert reminders.reminders_send_due() == {}
    assert list(Reminder.objects.order_by("pk").values()) == rows


def test_seeding_an_empty_cohort_does_nothing(cohort):
    assert seed_reminders(cohort=cohort) == 0
    assert not Reminder.objects.exists()


def test_meetings_later_today_and_earlier_this_week_get_reminders_due_now(cohort, member, partner):
    pair = active_pair(cohort, member, partner)
    tonight = meeting_for(pair, starts_in=10)
    three_days_ago = meeting_for(pair, starts_in=-72)
    last_month = meeting_for(pair, starts_in=-30 * 24)

    assert seed_reminders(cohort=cohort) == 4

    due = {
        (row.meeting, row.kind)
        for row in Reminder.objects.filter(status="pending")
        if row.due_at <= timezone.now()
    }
    assert due == {(tonight, Kind.MEETING_DAY_BEFORE), (three_days_ago, Kind.CHECKIN_MISSING)}
    assert not last_month.reminders.exists()
