"""Organizations, programs, cohorts, roles, the home page and the organization switcher."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEvent, Cohort, Membership, Organization, Program
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, organization, **kwargs):
    return reverse(name, kwargs={"org_slug": organization.slug, **kwargs})


def cohort_data(**overrides):
    return {
        "name": "Spring 2027",
        "slug": "",
        "starts_on": "2027-03-01",
        "ends_on": "2027-12-15",
        "status": Cohort.Status.DRAFT,
        **overrides,
    }


# Organizations -------------------------------------------------------------------------------


def test_any_signed_in_user_creates_an_organization_and_coordinates_it(client_for):
    user = UserFactory()

    response = client_for(user).post(
        reverse("organization_create"), {"name": "Acme Mentors", "slug": ""}
    )

    organization = Organization.objects.get(name="Acme Mentors")
    assert organization.slug == "acme-mentors"
    assert response.status_code == 302
    assert response["Location"] == organization.get_absolute_url()
    membership = Membership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (user, Membership.Role.COORDINATOR)
    assert AuditEvent.objects.filter(
        organization=organization, actor=user, action="organization.created"
    ).exists()


def test_organization_form_is_shown_to_signed_in_users(client_for):
    response = client_for(UserFactory()).get(reverse("organization_create"))

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"name", "slug"}


def test_anonymous_visitor_is_sent_to_login_to_create_an_organization(client):
    response = client.post(reverse("organization_create"), {"name": "Acme", "slug": ""})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Organization.objects.exists()


def test_a_taken_slug_is_a_form_error(client_for, organization):
    response = client_for(UserFactory()).post(
        reverse("organization_create"), {"name": "Another", "slug": organization.slug}
    )

    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert Organization.objects.count() == 1


def test_a_derived_slug_avoids_taken_ones(client_for):
    OrganizationFactory(name="Acme", slug="acme")
    client = client_for(UserFactory())

    client.post(reverse("organization_create"), {"name": "Acme", "slug": ""})
    client.post(reverse("organization_create"), {"name": "ACME!", "slug": ""})

    assert set(Organization.objects.values_list("slug", flat=True)) == {
        "acme",
        "acme-2",
        "acme-3",
    }


def test_member_sees_their_cohorts_but_not_the_programs(client_for, organization, member, cohort):
    response = client_for(member).get(organization.get_absolute_url())

    assert response.status_code == 200
    assert "programs" not in response.context
    assert [e.cohort for e in response.context["enrolments"]] == [cohort]
    assert reverse("program_create", kwargs={"org_slug": organization.slug}) not in (
        response.content.decode()
    )


def test_coordinator_sees_programs_with_their_cohorts(client_for, organization, coordinator):
    first = ProgramFactory(organization=organization, name="Alpha circle")
    second = ProgramFactory(organization=organization, name="Beta circle")
    cohort = CohortFactory(program=first)
    EnrolmentFactory(cohort=cohort)
    ProgramFactory()  # another organization's program

    response = client_for(coordinator).get(organization.get_absolute_url())

    programs = list(response.context["programs"])
    assert programs == [first, second]
    assert [c.member_count for c in programs[0].cohorts.all()] == [1]
    assert cohort.name in response.content.decode()


# Programs ------------------------------------------------------------------------------------


def test_coordinator_creates_a_program(client_for, organization, coordinator):
    response = client_for(coordinator).post(
        url("program_create", organization),
        {"name": "Founders circle", "description": "Founders helping founders."},
    )

    program = Program.objects.get(name="Founders circle")
    assert program.organization == organization
    assert response.status_code == 302
    assert response["Location"] == program.get_absolute_url()


def test_program_names_are_unique_within_an_organization(
    client_for, organization, coordinator, program
):
    response = client_for(coordinator).post(
        url("program_create", organization), {"name": program.name, "description": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Program.objects.filter(organization=organization).count() == 1


def test_coordinator_edits_a_program(client_for, organization, coordinator, program):
    response = client_for(coordinator).post(
        url("program_edit", organization, program_id=program.pk),
        {"name": "Renamed", "description": "New words."},
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.description) == ("Renamed", "New words.")


def test_program_page_lists_its_cohorts_with_counts(
    client_for, organization, coordinator, program, cohort, member, partner
):
    InvitationFactory(cohort=cohort)

    response = client_for(coordinator).get(program.get_absolute_url())

    assert response.status_code == 200
    (listed,) = response.context["cohorts"]
    assert (listed, listed.member_count, listed.pending_count) == (cohort, 2, 1)


# Cohorts -------------------------------------------------------------------------------------


def test_coordinator_creates_a_cohort_in_the_programs_organization(
    client_for, organization, coordinator, program
):
    response = client_for(coordinator).post(
        url("cohort_create", organization, program_id=program.pk), cohort_data()
    )

    cohort = Cohort.objects.get(name="Spring 2027")
    assert response.status_code == 302
    assert response["Location"] == cohort.get_absolute_url()
    assert (cohort.program, cohort.organization, cohort.slug) == (
        program,
        organization,
        "spring-2027",
    )
    assert cohort.starts_on == datetime.date(2027, 3, 1)


@pytest.mark.parametrize("ends_on", ["2027-02-01", "2027-03-01"])
def test_cohort_ending_before_or_on_its_start_is_a_form_error(
    client_for, organization, coordinator, program, ends_on
):
    response = client_for(coordinator).post(
        url("cohort_create", organization, program_id=program.pk), cohort_data(ends_on=ends_on)
    )

    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert not Cohort.objects.exists()
    assert not AuditEvent.objects.filter(action="cohort.created").exists()


def test_cohort_slugs_are_unique_within_an_organization(
    client_for, organization, coordinator, program, cohort
):
    response = client_for(coordinator).post(
        url("cohort_create", organization, program_id=program.pk),
        cohort_data(slug=cohort.slug),
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Cohort.objects.count() == 1


def test_the_same_cohort_slug_may_exist_in_two_organizations(
    client_for, organization, coordinator, program, other_cohort
):
    client_for(coordinator).post(
        url("cohort_create", organization, program_id=program.pk),
        cohort_data(slug=other_cohort.slug),
    )

    assert Cohort.objects.filter(slug=other_cohort.slug).count() == 2


def test_coordinator_edits_a_cohort_but_not_into_ending_before_it_starts(
    client_for, organization, coordinator, cohort
):
    client = client_for(coordinator)
    edit = url("cohort_edit", organization, cohort_id=cohort.pk)

    refused = client.post(edit, cohort_data(slug=cohort.slug, ends_on="2027-01-01"))
    saved = client.post(edit, cohort_data(slug=cohort.slug, status=Cohort.Status.OPEN))

    assert "ends_on" in refused.context["form"].errors
    assert saved.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.status) == ("Spring 2027", Cohort.Status.OPEN)


def test_cohort_page_lists_joined_members_and_open_invitations(
    client_for, coordinator, cohort, member, partner
):
    pending = InvitationFactory(cohort=cohort, email="dina@example.org")
    InvitationFactory(
        cohort=cohort, email=member.email, accepted_by=member, accepted_at=pending.sent_at
    )

    response = client_for(coordinator).get(cohort.get_absolute_url())

    assert response.status_code == 200
    assert {e.user for e in response.context["members"]} == {member, partner}
    assert [i.status for i in response.context["invitations"]] == ["pending"]
    html = response.content.decode()
    assert member.email in html and partner.email in html and pending.email in html
    assert "Joined" in html and "Invited" in html


def test_member_sees_their_cohort_without_the_coordinator_tables(
    client_for, cohort, member, partner
):
    InvitationFactory(cohort=cohort, email="dina@example.org")

    response = client_for(member).get(cohort.get_absolute_url())

    assert response.status_code == 200
    assert "members" not in response.context
    assert "invitations" not in response.context
    html = response.content.decode()
    assert partner.email not in html
    assert "dina@example.org" not in html


def test_member_of_the_organization_not_in_the_cohort_gets_404(client_for, organization, cohort):
    outsider_member = MembershipFactory(organization=organization).user

    response = client_for(outsider_member).get(cohort.get_absolute_url())

    assert response.status_code == 404


# Roles ---------------------------------------------------------------------------------------


def set_role(client, organization, membership, role):
    return client.post(
        url("membership_role", organization, membership_id=membership.pk), {"role": role}
    )


def test_coordinator_promotes_a_member(client_for, organization, coordinator, member):
    membership = Membership.objects.get(user=member, organization=organization)

    response = set_role(client_for(coordinator), organization, membership, "coordinator")

    assert response.status_code == 302
    assert response["Location"] == url("organization_members", organization)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.COORDINATOR


def test_the_last_coordinator_cannot_be_demoted(client_for, organization, coordinator):
    membership = Membership.objects.get(user=coordinator, organization=organization)

    response = set_role(client_for(coordinator), organization, membership, "member")

    membership.refresh_from_db()
    assert membership.role == Membership.Role.COORDINATOR
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("at least one coordinator" in text for text in messages)


def test_a_coordinator_can_be_demoted_while_another_remains(client_for, organization, coordinator):
    colleague = MembershipFactory(organization=organization, coordinator=True)

    set_role(client_for(coordinator), organization, colleague, "member")

    colleague.refresh_from_db()
    assert colleague.role == Membership.Role.MEMBER


def test_unknown_role_changes_nothing(client_for, organization, coordinator, member):
    membership = Membership.objects.get(user=member, organization=organization)

    set_role(client_for(coordinator), organization, membership, "owner")

    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


def test_members_page_lists_people_with_their_cohort_counts(
    client_for, organization, coordinator, member, partner, other_cohort
):
    EnrolmentFactory(cohort=other_cohort, user=member)  # counts only in the other organization

    response = client_for(coordinator).get(url("organization_members", organization))

    assert response.status_code == 200
    counts = {m.user: m.cohort_count for m in response.context["page"]}
    assert counts == {coordinator: 0, member: 1, partner: 1}


# Home page and organization switcher -----------------------------------------------------------


def test_home_page_for_visitors_invites_them_to_sign_up(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert reverse("account_signup") in response.content.decode()
    assert "memberships" not in response.context


def test_home_page_lists_a_members_organizations_and_cohorts(client_for, member, cohort):
    response = client_for(member).get(reverse("home"))

    assert response.status_code == 200
    assert [m.organization for m in response.context["memberships"]] == [cohort.organization]
    assert [e.cohort for e in response.context["enrolments"]] == [cohort]
    assert response.context["next_step"] is None
    html = response.content.decode()
    assert cohort.name in html and cohort.organization.name in html


def test_home_page_suggests_creating_an_organization_first(client_for):
    response = client_for(UserFactory()).get(reverse("home"))

    assert response.context["next_step"]["url"] == reverse("organization_create")


def test_home_page_walks_a_coordinator_through_setting_up(client_for, coordinator, organization):
    client = client_for(coordinator)

    def next_url():
        return client.get(reverse("home")).context["next_step"]["url"]

    assert next_url() == url("program_create", organization)
    program = ProgramFactory(organization=organization)
    assert next_url() == url("cohort_create", organization, program_id=program.pk)
    cohort = CohortFactory(program=program)
    assert next_url() == url("cohort_invite", organization, cohort_id=cohort.pk)
    InvitationFactory(cohort=cohort)
    assert client.get(reverse("home")).context["next_step"] is None


def test_organization_switcher_lists_the_users_organizations(
    client_for, organization, member, other_organization
):
    MembershipFactory(organization=other_organization, user=member)
    OrganizationFactory(name="Not mine")

    response = client_for(member).get(organization.get_absolute_url())

    switcher = [m.organization for m in response.context["user_memberships"]]
    assert switcher == [organization, other_organization]
    assert response.context["current_organization"] == organization
    html = response.content.decode()
    assert other_organization.get_absolute_url() in html
    assert "Not mine" not in html


def test_switcher_remembers_the_organization_last_visited(
    client_for, member, organization, other_organization
):
    MembershipFactory(organization=other_organization, user=member)
    client = client_for(member)

    client.get(other_organization.get_absolute_url())
    response = client.get(reverse("home"))

    assert response.context["current_organization"] == other_organization
