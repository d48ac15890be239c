"""The weekly coordinator digest: one row per coordinator, cohort and ISO week."""

import datetime

import pytest
from django.core import mail

from accounts.models import Cohort, Membership
from checkins import reminders, tasks
from checkins.models import NotificationPreference, Reminder
from tests.checkins.reminder_factories import (
    active_pair,
)
from tests.factories import CohortFactory, MembershipFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.datetime(2026, 10, 14, 15, 30, tzinfo=datetime.UTC)  # ISO week 2026-W42
MONDAY_7AM = datetime.datetime(2026, 10, 12, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


def digests():
    return Reminder.objects.filter(kind=Reminder.Kind.COORDINATOR_DIGEST)


def test_each_coordinator_gets_one_digest_per_cohort_due_on_monday_morning(pair, coordinator):
    second = MembershipFactory(organization=pair.organization, coordinator=True).user

    assert reminders.coordinator_digests_queue(now=WEDNESDAY) == 2

    assert {row.recipient for row in digests()} == {coordinator, second}
    row = digests().get(recipient=coordinator)
    assert (row.cohort, row.organization, row.due_at) == (
        pair.cohort,
        pair.organization,
        MONDAY_7AM,
    )
    assert row.subject_key == f"digest:{pair.cohort_id}:2026-W42"


def test_queuing_again_in_the_same_week_adds_nothing(pair, coordinator):
    reminders.coordinator_digests_queue(now=WEDNESDAY)

    assert reminders.coordinator_digests_queue(now=WEDNESDAY + datetime.timedelta(days=3)) == 0
    assert digests().count() == 1


def test_next_week_brings_a_new_digest(pair, coordinator):
    reminders.coordinator_digests_queue(now=WEDNESDAY)

    assert reminders.coordinator_digests_queue(now=WEDNESDAY + datetime.timedelta(days=7)) == 1
    assert sorted(digests().values_list("subject_key", flat=True)) == [
        f"digest:{pair.cohort_id}:2026-W42",
        f"digest:{pair.cohort_id}:2026-W43",
    ]


def test_only_cohorts_under_way_with_active_pairs_get_digests(pair, coordinator, program):
    CohortFactory(program=program)  # no pairs
    closed = CohortFactory(program=program, status=Cohort.Status.CLOSED)
    active_pair(closed)

    reminders.coordinator_digests_queue(now=WEDNESDAY)

    assert {row.cohort for row in digests()} == {pair.cohort}


def test_members_and_other_organizations_coordinators_get_no_digest(pair, coordinator, outsider):
    reminders.coordinator_digests_queue(now=WEDNESDAY)

    assert list(digests().values_list("recipient", flat=True)) == [coordinator.pk]


def test_the_hourly_beat_task_queues_the_weeks_digests(pair, coordinator):
    assert tasks.queue_coordinator_digests() == 1
    assert tasks.queue_coordinator_digests() == 0


def test_a_coordinator_who_turned_the_digest_off_gets_none(pair, coordinator):
    NotificationPreference.objects.create(user=coordinator, coordinator_digest=False)
    reminders.coordinator_digests_queue(now=WEDNESDAY)

    assert reminders.reminders_send_due() == {reminders.SKIPPED: 1}
    assert mail.outbox == []


def test_someone_no_longer_coordinator_gets_no_digest(pair, coordinator):
    reminders.coordinator_digests_queue(now=WEDNESDAY)
    Membership.objects.filter(user=coordinator).update(role=Membership.Role.MEMBER)

    assert reminders.reminders_send_due() == {reminders.SKIPPED: 1}
    assert "no longer coordinates" in digests().get().last_error
