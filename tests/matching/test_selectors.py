"""The engine's input, built from the database: who is matched, with what, under which rules."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import selectors
from matching.models import MatchRun, MatchSettings, Pair, PairRule
from profiles.models import Tag
from tests.factories import CohortFactory, EnrolmentFactory
from tests.matching.factories import cohort_of_four, enrol, give_profile, ids, make_pair, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    return cohort_of_four(cohort, member, partner)


def member_ids(data):
    return {member.id for member in data.members}


def test_input_holds_only_enrolled_members_with_complete_profiles(cohort, four):
    no_need = enrol(cohort, "Eve", offers={"Budgeting": 3})
    no_language = enrol(cohort, "Fay", offers={"Budgeting": 3}, needs={"Writing": 2}, languages=())
    no_profile = enrol(cohort, "Gus")
    elsewhere = EnrolmentFactory(cohort=CohortFactory(program=cohort.program)).user
    give_profile(elsewhere, cohort.organization, offers={"Writing": 5}, needs={"Budgeting": 5})

    data = selectors.matching_input(cohort=cohort)

    assert member_ids(data) == ids(four.ana, four.ben, four.carl, four.dina)
    assert set(data.incomplete_user_ids) == ids(no_need, no_language, no_profile)


def test_input_carries_offers_needs_languages_department_cadence_and_names(cohort, four):
    give_profile(
        enrol(cohort, "Eve"),
        cohort.organization,
        offers={"Writing": 2, "Budgeting": 4},
        needs={"Public speaking": 3},
        languages=("English", " Danish"),
        department="Finance ",
        cadence="weekly",
    )

    data = selectors.matching_input(cohort=cohort)

    eve = next(member for member in data.members if member.name == "Eve Tester")
    organization = cohort.organization
    assert dict(eve.offers) == {
        tag(organization, "Writing").pk: 2,
        tag(organization, "Budgeting").pk: 4,
    }
    assert dict(eve.needs) == {tag(organization, "Public speaking").pk: 3}
    assert eve.languages == frozenset({"english", "danish"})
    assert (eve.department, eve.cadence) == ("finance", "weekly")
    assert data.tag_names[tag(organization, "Writing").pk] == "Writing"


@pytest.mark.parametrize(
    ("zone", "starts_on", "minutes"),
    [
        ("Europe/Copenhagen", datetime.date(2026, 9, 1), 120),  # summer time
        ("Europe/Copenhagen", datetime.date(2027, 1, 10), 60),
        ("America/New_York", datetime.date(2026, 9, 1), -240),
        ("Asia/Kolkata", datetime.date(2026, 9, 1), 330),
        ("", datetime.date(2026, 9, 1), None),
        ("Not/AZone", datetime.date(2026, 9, 1), None),
    ],
)
def test_utc_offset_is_taken_at_the_cohorts_start(zone, starts_on, minutes):
    assert selectors.utc_offset_minutes(zone, starts_on) == minutes


def test_a_merged_tag_counts_as_the_tag_that_replaced_it(cohort, four):
    old = Tag.objects.create(organization=cohort.organization, name="Speaking in public")
    old.merged_into = tag(cohort.organization, "Public speaking")
    old.save()
    give_profile(
        enrol(cohort, "Eve"),
        cohort.organization,
        offers={"Speaking in public": 4},
        needs={"Writing": 2},
    )

    data = selectors.matching_input(cohort=cohort)

    eve = next(member for member in data.members if member.name == "Eve Tester")
    assert dict(eve.offers) == {old.merged_into_id: 4}


def test_rules_follow_the_cohorts_settings(cohort, four):
    MatchSettings.objects.create(
        cohort=cohort,
        share_language=False,
        different_department=True,
        exclude_previous_partners=False,
    )

    rules = selectors.matching_input(cohort=cohort).rules

    assert (rules.share_language, rules.different_department, rules.exclude_previous_partners) == (
        False,
        True,
        False,
    )


def test_previous_partners_are_pairs_that_were_active_in_an_earlier_cohort(cohort, four):
    earlier = CohortFactory(
        program=cohort.program,
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    later = CohortFactory(
        program=cohort.program,
        starts_on=datetime.date(2027, 9, 1),
        ends_on=datetime.date(2028, 6, 30),
    )
    make_pair(earlier, [four.ana, four.ben], status=Pair.Status.ACTIVE)
    once_active = make_pair(earlier, [four.carl, four.dina], status=Pair.Status.DISSOLVED)
    once_active.activated_at = once_active.published_at
    once_active.save()
    make_pair(earlier, [four.ana, four.carl], status=Pair.Status.DECLINED)
    make_pair(earlier, [four.ben, four.dina], status=Pair.Status.PUBLISHED)
    make_pair(later, [four.ana, four.dina], status=Pair.Status.ACTIVE)

    rules = selectors.matching_input(cohort=cohort).rules

    assert rules.previous_pairs == {ids(four.ana, four.ben), ids(four.carl, four.dina)}


def test_previous_partners_of_another_organization_do_not_count(cohort, four, other_cohort):
    other_cohort.starts_on = datetime.date(2020, 1, 1)
    other_cohort.save()
    make_pair(other_cohort, [four.ana, four.ben], status=Pair.Status.ACTIVE)

    assert selectors.matching_input(cohort=cohort).rules.previous_pairs == frozenset()


def test_forbidden_pairs_come_from_the_cohorts_rules(cohort, four, other_cohort):
    a, b = sorted([four.ana, four.carl], key=lambda user: user.pk)
    PairRule.objects.create(cohort=cohort, user_a=a, user_b=b)
    c, d = sorted([four.ben, four.dina], key=lambda user: user.pk)
    PairRule.objects.create(cohort=other_cohort, user_a=c, user_b=d)

    rules = selectors.matching_input(cohort=cohort).rules

    assert rules.forbidden_pairs == {ids(four.ana, four.carl)}


def test_locked_proposals_are_locked_groups_even_with_an_incomplete_profile(cohort, four):
    newcomer = enrol(cohort, "Eve")
    pair = make_pair(cohort, [four.carl, newcomer], locked=True, origin=Pair.Origin.MANUAL)
    make_pair(cohort, [four.ana, four.ben])  # unlocked: replaced by the run

    data = selectors.matching_input(cohort=cohort)

    locked = tuple(sorted([four.carl.pk, newcomer.pk]))
    assert data.rules.locked_pairs == (locked,)
    assert data.locked_pair_ids == {locked: pair.pk}
    assert member_ids(data) == ids(four.ana, four.ben, four.carl, four.dina, newcomer)
    assert newcomer.pk not in data.incomplete_user_ids


def test_members_of_published_and_active_pairs_are_left_out(cohort, four):
    make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)
    make_pair(cohort, [four.carl, four.dina], status=Pair.Status.ACTIVE)
    eve = enrol(cohort, "Eve", offers={"Writing": 3}, needs={"Budgeting": 3})

    assert member_ids(selectors.matching_input(cohort=cohort)) == {eve.pk}


def test_unpaired_scope_leaves_out_every_current_pair(cohort, four):
    make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)
    make_pair(cohort, [four.carl, four.dina], locked=True)
    declined = make_pair(cohort, [four.carl, four.ana], status=Pair.Status.DECLINED)
    eve = enrol(cohort, "Eve", offers={"Writing": 3}, needs={"Budgeting": 3})

    data = selectors.matching_input(cohort=cohort, scope=MatchRun.Scope.UNPAIRED)

    assert member_ids(data) == {eve.pk}
    assert data.rules.locked_pairs == ()
    assert declined.status == Pair.Status.DECLINED


def test_building_the_input_takes_the_same_queries_for_any_cohort_size(cohort, four):
    make_pair(cohort, [enrol(cohort, "Eve"), enrol(cohort, "Fay")], locked=True)
    with CaptureQueriesContext(connection) as small:
        selectors.matching_input(cohort=cohort)

    for index in range(6):
        enrol(
            cohort, f"Extra{index}", offers={"Writing": 3, "Budgeting": 2}, needs={"Fundraising": 4}
        )
    with CaptureQueriesContext(connection) as large:
        data = selectors.matching_input(cohort=cohort)

    assert len(data.members) == 12
    assert len(large) == len(small)
