"""The goal first, a career stage, a role and a wished partner on a member's profile."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from profiles import selectors, services
from profiles.forms import ProfileForm
from profiles.models import CareerStage, Profile, Role
from tests.factories import EnrolmentFactory, UserFactory
from tests.matching.factories import give_profile
from tests.profiles.test_profile_views import detail_url, edit_url, profile_data

pytestmark = pytest.mark.django_db


def save(profile, **fields):
    values = {
        "about": "",
        "goal": "Lead a team",
        "languages": ["English"],
        "timezone": "Europe/Copenhagen",
        "cadence": "",
        "medium": "",
        **fields,
    }
    return services.profile_update(profile=profile, actor=profile.user, **values)


@pytest.fixture
def profile(organization, member):
    return services.profile_get_or_create(organization=organization, user=member)


def test_the_goal_is_the_first_field_then_stage_and_role():
    assert list(ProfileForm().fields)[:3] == ["goal", "career_stage", "role"]


def test_a_member_saves_a_career_stage_and_a_role(client_for, organization, member):
    response = client_for(member).post(
        edit_url(organization),
        profile_data(career_stage=str(CareerStage.SENIOR), role=Role.TEAM_LEAD),
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert (profile.career_stage, profile.role) == (CareerStage.SENIOR, Role.TEAM_LEAD)


def test_a_stage_off_the_scale_or_an_unknown_role_is_refused(client_for, organization, member):
    response = client_for(member).post(
        edit_url(organization), profile_data(career_stage="7", role="pilot")
    )

    assert response.status_code == 200
    errors = response.context["forms"].profile.errors
    assert {"career_stage", "role"} <= set(errors)
    assert not Profile.objects.filter(user=member, goal__gt="").exists()  # nothing saved


def test_others_in_the_cohort_see_the_stage_and_role(client_for, organization, member, partner):
    give_profile(member, organization, career_stage=CareerStage.EXPERIENCED, role=Role.TEAM_LEAD)

    content = client_for(partner).get(detail_url(organization, member)).content.decode()

    assert "Career stage: Experienced" in content
    assert "Role: Leads a small team" in content


def test_a_member_names_a_cohort_mate_as_wished_partner(profile, partner):
    save(profile, wished_partner_email="  BEN@northwind.test ")

    profile.refresh_from_db()
    assert profile.wished_partner == partner
    event = AuditEvent.objects.filter(action="profile.updated").latest("created_at")
    assert event.data["wished_partner"] == partner.pk


def test_someone_outside_the_members_cohorts_cannot_be_named(profile, organization, outsider):
    stranger = UserFactory(email="cleo@northwind.test")  # same organization, other cohort

    for email in (outsider.email, stranger.email, "nobody@northwind.test"):
        with pytest.raises(ValidationError) as error:
            save(profile, wished_partner_email=email)
        assert "Name a member of your own cohort" in str(error.value)

    profile.refresh_from_db()
    assert profile.wished_partner is None


def test_a_member_cannot_name_themselves(profile, member):
    with pytest.raises(ValidationError):
        save(profile, wished_partner_email=member.email)


def test_the_edit_page_suggests_only_cohort_mates(client_for, organization, member, partner):
    EnrolmentFactory(user__email="zed@elsewhere.test")  # another organization's cohort

    content = client_for(member).get(edit_url(organization)).content.decode()

    assert 'value="ben@northwind.test"' in content
    assert "zed@elsewhere.test" not in content
    assert "ana@northwind.test</option>" not in content


def test_the_wished_partner_is_shown_to_the_member_only(client_for, organization, member, partner):
    give_profile(member, organization, wished_partner=partner)

    own = client_for(member).get(detail_url(organization, member)).content.decode()
    theirs = client_for(partner).get(detail_url(organization, member)).content.decode()

    assert "Wished partner: Ben Okafor" in own
    assert "Wished partner" not in theirs


def test_cohort_mates_are_listed_in_a_bounded_number_of_queries(
    organization, member, cohort, django_assert_max_num_queries
):
    for number in range(5):
        EnrolmentFactory(cohort=cohort, user__email=f"mate{number}@northwind.test")

    with django_assert_max_num_queries(1):
        mates = list(selectors.cohort_mates(organization=organization, user=member))

    assert len(mates) == 5


def test_the_edit_page_in_danish_names_the_new_fields(client_for, organization, member):
    member.language = "da"
    member.save(update_fields=["language"])

    content = client_for(member).get(edit_url(organization)).content.decode()

    assert "Vælg dit karrieretrin" in content
    assert "Leder et lille team" in content
    assert "Start her:" in content
