"""A partner edits their own goals only; the other partner's goal is a 404."""

import pytest
from django.urls import reverse

from contracts.models import Goal
from tests.contracts.routes import goal_in
from tests.isolation import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(organization, program, cohort, coordinator, member):
    return World(organization, program, cohort, coordinator, member, None, None)


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("contract_goal_edit", "get"),
        ("contract_goal_edit", "post"),
        ("contract_goal_delete", "post"),
    ],
)
def test_a_partner_cannot_reach_the_other_partners_goal(client_for, world, name, method):
    goal = goal_in(world)  # in the coordinator's section; the member is the other partner
    url = reverse(
        name,
        kwargs={
            "org_slug": world.organization.slug,
            "contract_id": goal.section.contract_id,
            "goal_id": goal.pk,
        },
    )

    response = getattr(client_for(world.enrolled_member), method)(url)

    assert response.status_code == 404
    assert list(Goal.objects.values_list("statement", flat=True)) == ["Lead quarterly planning"]
