"""The demo matching: published pairs, a few already accepted, and nothing twice."""

import pytest

from accounts.demo import seed_accounts
from matching.demo import ACCEPTED_PAIRS, seed_matching
from matching.models import MatchRun, Pair, PairMember
from profiles.demo import seed_profiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    # Enough members for the accepted pairs, the half-accepted one and the unanswered one.
    accounts = seed_accounts(members=24)
    seed_profiles(
        organization=accounts.organization, members=accounts.members, actor=accounts.coordinator
    )
    return accounts


def test_seed_matching_publishes_the_pairs_and_has_a_few_accept(demo, mailoutbox):
    run = seed_matching(cohort=demo.cohort, actor=demo.coordinator)

    assert run.status == MatchRun.Status.PUBLISHED
    pairs = Pair.objects.filter(cohort=demo.cohort)
    assert not pairs.filter(status=Pair.Status.PROPOSED).exists()
    assert pairs.filter(status=Pair.Status.ACTIVE).count() == ACCEPTED_PAIRS
    assert PairMember.objects.filter(
        pair__status=Pair.Status.PUBLISHED, response=PairMember.Response.ACCEPTED
    ).exists()
    first = min(demo.members, key=lambda user: user.email)
    assert pairs.get(members__user=first).status == Pair.Status.PUBLISHED
    assert not mailoutbox


def test_seed_matching_does_nothing_the_second_time(demo):
    seed_matching(cohort=demo.cohort, actor=demo.coordinator)
    before = list(Pair.objects.values("pk", "status"))

    assert seed_matching(cohort=demo.cohort, actor=demo.coordinator) is None
    assert list(Pair.objects.values("pk", "status")) == before
    assert MatchRun.objects.count() == 1
