"""The factories and named fixtures keep each world inside one organization."""

import pytest

from accounts.models import Membership
from tests.factories import PASSWORD, CohortFactory, EnrolmentFactory, InvitationFactory

pytestmark = pytest.mark.django_db


def test_related_objects_share_one_organization():
    invitation = InvitationFactory()
    enrolment = EnrolmentFactory(cohort=invitation.cohort)

    organization = invitation.cohort.program.organization
    assert invitation.organization == invitation.cohort.organization == organization
    assert Membership.objects.get(user=enrolment.user).organization == organization


def test_cohort_follows_the_organization_given_for_its_program(other_organization):
    cohort = CohortFactory(program__organization=other_organization)

    assert cohort.organization == cohort.program.organization == other_organization


def test_named_people_have_the_roles_their_names_say(
    organization, cohort, coordinator, member, partner, outsider
):
    def role(user):
        return dict(Membership.objects.filter(user=user).values_list("organization", "role"))

    assert role(coordinator) == {organization.pk: "coordinator"}
    assert role(member) == role(partner) == {organization.pk: "member"}
    assert set(cohort.enrolments.values_list("user", flat=True)) == {member.pk, partner.pk}
    assert organization.pk not in role(outsider)
    assert set(role(outsider).values()) == {"coordinator"}
    assert all(u.check_password(PASSWORD) for u in (coordinator, member, partner, outsider))
    assert all(u.emailaddress_set.get().verified for u in (coordinator, member, outsider))
