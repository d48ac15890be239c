"""The demo's meetings and check-ins: history for the pair page, made once."""

from unittest import mock

import pytest
from django.utils import timezone

from checkins import selectors
from checkins.demo import seed_meetings_and_checkins
from checkins.health import Status
from checkins.models import CheckIn, Meeting, NextStep
from tests.checkins.factories import signed_pair
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_reminders():
    with mock.patch("checkins.reminders.reminders_sync_for_meeting"):
        yield


@pytest.fixture
def three_pairs(cohort):
    def new_pair():
        one, two = EnrolmentFactory(cohort=cohort).user, EnrolmentFactory(cohort=cohort).user
        return signed_pair(cohort, one, two, cadence="biweekly")

    return [new_pair() for _ in range(3)]


def test_the_demo_gives_pairs_past_meetings_with_check_ins_and_upcoming_ones(cohort, three_pairs):
    made = seed_meetings_and_checkins(cohort=cohort)

    now = timezone.now()
    assert made == 9  # three past meetings per biweekly pair
    for world in three_pairs:
        assert Meeting.objects.filter(pair=world.pair, starts_at__gt=now).count() > 3
    health = selectors.pairs_health(pairs=[world.pair for world in three_pairs])
    statuses = [health[world.pair.pk].status for world in three_pairs]
    assert statuses == [Status.ON_TRACK, Status.AT_RISK, Status.ON_TRACK]
    assert CheckIn.objects.filter(meeting__pair=three_pairs[0].pair).count() == 6
    assert NextStep.objects.filter(pair=three_pairs[0].pair, done_at__isnull=True).exists()


def test_the_demo_is_idempotent(cohort, three_pairs):
    seed_meetings_and_checkins(cohort=cohort)
    before = (Meeting.objects.count(), CheckIn.objects.count(), NextStep.objects.count())

    assert seed_meetings_and_checkins(cohort=cohort) == 0
    assert (Meeting.objects.count(), CheckIn.objects.count(), NextStep.objects.count()) == before
