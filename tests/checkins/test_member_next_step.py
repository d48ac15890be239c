"""The member's home shows, per cohort, the one thing to do next, with a button."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cohort
from checkins.member_home import rules
from checkins.member_home.rules import CohortFacts, next_step
from checkins.member_home.selectors import member_next_steps
from matching.models import Pair, PairMember
from tests.checkins.factories import (
    checkin,
    in_state,
    meeting_at,
    signed_contract,
)
from tests.contracts.factories import ready, sign, started
from tests.factories import CohortFactory, EnrolmentFactory
from tests.matching.factories import give_profile, make_pair

pytestmark = pytest.mark.django_db

Status = Cohort.Status
DAY = datetime.timedelta(days=1)


# The rule, case by case, on plain data ------------------------------------------------------


def facts(**overrides):
    values = {"cohort_status": "active", "profile_complete": True}
    return CohortFacts(**{**values, **overrides})


ACTIVE_PAIR = {"pair_status": "active", "my_answer": "accepted"}
SIGNED = {**ACTIVE_PAIR, "contract_status": "signed", "has_signed_contract": True}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"cohort_status": "draft"}, None),
        ({"cohort_status": "closed", **SIGNED}, None),
        ({"cohort_status": "open", "profile_complete": False}, rules.COMPLETE_PROFILE),
        ({"cohort_status": "open"}, rules.WAIT_MATCHING),
        ({"cohort_status": "matching", "profile_complete": False}, rules.COMPLETE_PROFILE),
        (
            {"cohort_status": "matching", "pair_status": "published", "my_answer": "pending"},
            rules.ANSWER_PARTNER,
        ),
        (
            {"cohort_status": "matching", "pair_status": "published", "my_answer": "accepted"},
            rules.WAIT_PARTNER_ANSWER,
        ),
        ({"cohort_status": "matching", **ACTIVE_PAIR}, rules.WRITE_CONTRACT),
        ({**ACTIVE_PAIR, "contract_status": "draft"}, rules.WRITE_CONTRACT),
        ({**ACTIVE_PAIR, "contract_status": "draft", "my_part_written": True}, rules.MARK_READY),
        ({"cohort_status": "matching", **ACTIVE_PAIR, "contract_status": "ready"}, rules.SIGN),
        (
            {**ACTIVE_PAIR, "contract_status": "ready", "i_signed": True},
            rules.WAIT_PARTNER_SIGNATURE,
        ),
        ({"cohort_status": "matching", **SIGNED}, rules.WAIT_COHORT_ACTIVE),
        ({**SIGNED, "meeting_to_check_in": True, "has_next_meeting": True}, rules.LOG_CHECKIN),
        ({**SIGNED, "has_next_meeting": True}, rules.PREPARE_MEETING),
        (SIGNED, rules.ADD_MEETING),
        # An amendment waiting for their signature comes before the meetings.
        ({**SIGNED, "contract_status": "ready", "meeting_to_check_in": True}, rules.SIGN),
        ({**SIGNED, "contract_status": "draft", "has_next_meeting": True}, rules.PREPARE_MEETING),
    ],
)
def test_the_next_step_follows_the_members_path(case, expected):
    assert next_step(facts(**case)) == expected


# The facts, read from the database ----------------------------------------------------------


def complete_profile(user, organization):
    give_profile(user, organization, offers={"Budgeting": 4}, needs={"Writing": 3})


@pytest.fixture
def pair_of_two(cohort, member, partner):
    for user in (member, partner):
        complete_profile(user, cohort.organization)
    return cohort


def step_of(user, cohort):
    enrolments = list(user.enrolments.select_related("cohort__organization"))
    return member_next_steps(user=user, enrolments=enrolments).get(cohort.pk)


def test_an_incomplete_profile_comes_first(cohort, member):
    step = step_of(member, cohort)

    assert step.key == rules.COMPLETE_PROFILE
    assert step.url == reverse("profile_edit", args=[cohort.organization.slug])


def test_a_proposed_partner_waits_for_an_answer(pair_of_two, member, partner):
    cohort = in_state(pair_of_two, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)

    step = step_of(member, cohort)

    assert step.key == rules.ANSWER_PARTNER
    assert step.url == reverse("my_partner", args=[cohort.organization.slug, cohort.pk])
    assert step.label == "Answer the proposed partner"


def test_having_accepted_the_member_is_invited_to_write_to_the_proposed_partner(
    pair_of_two, member, partner
):
    cohort = in_state(pair_of_two, Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)
    PairMember.objects.filter(pair=pair, user=member).update(response=PairMember.Response.ACCEPTED)

    step = step_of(member, cohort)

    assert step.key == rules.WAIT_PARTNER_ANSWER
    assert step.url == reverse("pair_conversation", args=[cohort.organization.slug, pair.pk])
    assert step.label == "Write to your proposed partner"


def test_an_active_pair_writes_then_signs_its_contract(pair_of_two, member, partner):
    cohort = in_state(pair_of_two, Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE)
    assert step_of(member, cohort).key == rules.WRITE_CONTRACT

    contract = started(pair, member)
    step = step_of(member, cohort)
    assert step.key == rules.WRITE_CONTRACT
    assert step.url == reverse("contract_section_edit", args=["northwind", contract.pk])

    contract = ready(pair)
    step = step_of(member, cohort)
    assert step.key == rules.SIGN
    assert step.url == reverse("contract_sign", args=["northwind", contract.pk])

    sign(contract, member, notify=False)
    assert step_of(member, cohort).key == rules.WAIT_PARTNER_SIGNATURE
    assert step_of(partner, cohort).key == rules.SIGN

    sign(contract, partner, notify=False)
    assert step_of(member, cohort).key == rules.WAIT_COHORT_ACTIVE


def test_a_signed_pair_checks_in_then_prepares_the_next_meeting(pair_of_two, member, partner):
    cohort = in_state(pair_of_two, Status.ACTIVE)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE)
    contract = signed_contract(pair, starts_on=timezone.now().date() - 20 * DAY)
    assert step_of(member, cohort).key == rules.ADD_MEETING

    meeting_at(pair, timezone.now() + 3 * DAY, contract=contract)
    assert step_of(member, cohort).key == rules.PREPARE_MEETING

    # An earlier meeting both checked in on: only the last meeting counts.
    earlier = meeting_at(pair, timezone.now() - 9 * DAY, contract=contract)
    checkin(earlier, partner)
    checkin(earlier, member)
    assert step_of(member, cohort).key == rules.PREPARE_MEETING

    held = meeting_at(pair, timezone.now() - 2 * DAY, contract=contract)
    step = step_of(member, cohort)
    assert step.key == rules.LOG_CHECKIN
    assert step.url == reverse("checkin_create", args=["northwind", held.pk])

    checkin(held, member)
    assert step_of(member, cohort).key == rules.PREPARE_MEETING
    assert step_of(partner, cohort).key == rules.LOG_CHECKIN


def test_a_pair_of_another_cohort_is_not_mixed_in(pair_of_two, member, partner, program):
    cohort = in_state(pair_of_two, Status.MATCHING)
    other = in_state(CohortFactory(program=program), Status.MATCHING)
    EnrolmentFactory(cohort=other, user=member)
    make_pair(other, [member, partner], status=Pair.Status.PUBLISHED)

    assert step_of(member, cohort).key == rules.WAIT_MATCHING
    assert step_of(member, other).key == rules.ANSWER_PARTNER


# The home page ------------------------------------------------------------------------------


def test_the_home_page_shows_the_proposal_waiting_for_an_answer(
    client_for, pair_of_two, member, partner
):
    cohort = in_state(pair_of_two, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)

    html = client_for(member).get(reverse("home")).content.decode()

    partner_url = reverse("my_partner", args=[cohort.organization.slug, cohort.pk])
    assert 'data-next-step="answer_partner"' in html
    assert f'href="{partner_url}">Answer the proposed partner</a>' in html


def test_the_home_page_shows_one_step_per_cohort(client_for, cohort, member, program):
    in_state(cohort, Status.OPEN)
    closed = in_state(CohortFactory(program=program), Status.CLOSED)
    EnrolmentFactory(cohort=closed, user=member)

    html = client_for(member).get(reverse("home")).content.decode()

    assert html.count("data-next-step=") == 1
    assert 'data-next-step="complete_profile"' in html


def test_another_organizations_pairs_do_not_show(client_for, member, partner, other_cohort):
    stranger = EnrolmentFactory(cohort=other_cohort).user
    in_state(other_cohort, Status.MATCHING)
    make_pair(other_cohort, [stranger, partner], status=Pair.Status.PUBLISHED)

    html = client_for(member).get(reverse("home")).content.decode()

    assert "answer_partner" not in html
    assert reverse("my_partner", args=["southwind", other_cohort.pk]) not in html


def _signed_cohort(program, member, index):
    cohort = in_state(CohortFactory(program=program), Status.ACTIVE)
    partner = EnrolmentFactory(cohort=cohort, user__email=f"p{index}@northwind.test").user
    EnrolmentFactory(cohort=cohort, user=member)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE)
    contract = signed_contract(pair, starts_on=timezone.now().date() - 20 * DAY)
    meeting_at(pair, timezone.now() - 2 * DAY, contract=contract)
    meeting_at(pair, timezone.now() + 5 * DAY, contract=contract)
    draft = in_state(CohortFactory(program=program), Status.MATCHING)
    EnrolmentFactory(cohort=draft, user=member)
    other = EnrolmentFactory(cohort=draft, user__email=f"q{index}@northwind.test").user
    started(make_pair(draft, [member, other], status=Pair.Status.ACTIVE), member)
    published = in_state(CohortFactory(program=program), Status.MATCHING)
    EnrolmentFactory(cohort=published, user=member)
    third = EnrolmentFactory(cohort=published, user__email=f"r{index}@northwind.test").user
    make_pair(published, [member, third], status=Pair.Status.PUBLISHED)


def test_the_home_pages_queries_do_not_grow_with_cohorts_and_pairs(
    client_for, member, program, django_assert_max_num_queries
):
    complete_profile(member, program.organization)
    _signed_cohort(program, member, 0)
    client = client_for(member)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))

    for index in range(1, 5):
        _signed_cohort(program, member, index)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    keys = [e.next_step.key for e in response.context["enrolments"] if e.next_step]
    assert keys.count(rules.LOG_CHECKIN) == 5
    assert keys.count(rules.WRITE_CONTRACT) == 5
    assert keys.count(rules.ANSWER_PARTNER) == 5


def test_the_steps_take_at_most_seven_queries(member, program, django_assert_max_num_queries):
    complete_profile(member, program.organization)
    for index in range(3):
        _signed_cohort(program, member, index)
    enrolments = list(member.enrolments.select_related("cohort__organization"))

    with django_assert_max_num_queries(7):
        steps = member_next_steps(user=member, enrolments=enrolments)
    assert len(steps) == 10  # and the open cohort the member fixture is enrolled in
