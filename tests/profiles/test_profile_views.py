"""A member edits their own profile; others see it only when they may."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership
from profiles.models import Profile, Tag
from tests.factories import CohortFactory, EnrolmentFactory, MembershipFactory, UserFactory
from tests.profiles.factories import OfferFactory, ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db


def edit_url(organization):
    return reverse("profile_edit", kwargs={"org_slug": organization.slug})


def detail_url(organization, user):
    return reverse("profile_detail", kwargs={"org_slug": organization.slug, "user_id": user.pk})


def department_url(organization, user):
    return reverse("member_department", kwargs={"org_slug": organization.slug, "user_id": user.pk})


def profile_data(*, offers=(), needs=(), initial_offers=0, initial_needs=0, **fields):
    """POST data for the profile edit page: fields plus offers and needs formset rows."""
    data = {
        "goal": "Lead my first team with confidence",
        "about": "Engineer turned team lead.",
        "languages": "en, da",
        "timezone": "Europe/Copenhagen",
        "cadence": "biweekly",
        "medium": "video",
        **fields,
    }
    for prefix, rows, initial, value in (
        ("offers", offers, initial_offers, "level"),
        ("needs", needs, initial_needs, "priority"),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(initial)
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "30"
        for index, row in enumerate(rows):
            tag, number, *rest = row
            data[f"{prefix}-{index}-tag"] = tag
            data[f"{prefix}-{index}-{value}"] = str(number)
            data[f"{prefix}-{index}-kind"] = rest[0] if rest else "skill"
            data[f"{prefix}-{index}-note"] = rest[1] if len(rest) > 1 else ""
    return data


# Editing one's own profile -----------------------------------------------------------------


def test_first_visit_shows_an_empty_profile_and_writes_nothing(client_for, organization, member):
    response = client_for(member).get(edit_url(organization))

    assert response.status_code == 200
    assert not Profile.objects.filter(organization=organization, user=member).exists()
    assert response.context["completeness"].percent == 0


def test_edit_page_offers_the_active_tags_and_labelled_levels(client_for, organization, member):
    TagFactory(organization=organization, name="Facilitation")
    TagFactory(organization=organization, name="Fax", retired_at=timezone.now())

    response = client_for(member).get(edit_url(organization))

    content = response.content.decode()
    assert '<option value="Facilitation">' in content
    assert '<option value="Fax">' not in content
    assert 'list="tag-options"' in content
    assert "5 – expert" in content and "1 – basic" in content
    assert "5 – most important" in content
    assert '<option value="Europe/Copenhagen">' in content


def test_member_saves_profile_with_offers_and_needs(client_for, organization, member):
    TagFactory(organization=organization, name="Facilitation")

    response = client_for(member).post(
        edit_url(organization),
        profile_data(
            offers=[("facilitation", 4), ("Budget planning", 3, "resource", "templates")],
            needs=[("Investor contacts", 5, "contact")],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(organization, member)
    profile = Profile.objects.get(organization=organization, user=member)
    assert profile.languages == ["English", "Danish"]
    assert (profile.timezone, profile.cadence, profile.medium) == (
        "Europe/Copenhagen",
        "biweekly",
        "video",
    )
    offers = {o.tag.name: o for o in profile.offers.select_related("tag")}
    assert set(offers) == {"Facilitation", "Budget planning"}
    assert offers["Facilitation"].level == 4
    assert (offers["Budget planning"].tag.kind, offers["Budget planning"].note) == (
        "resource",
        "templates",
    )
    need = profile.needs.select_related("tag").get()
    assert (need.tag.name, need.tag.kind, need.priority) == ("Investor contacts", "contact", 5)


def test_member_created_tags_join_the_taxonomy(client_for, organization, member):
    client_for(member).post(edit_url(organization), profile_data(offers=[("Pottery", 2)]))

    tag = Tag.objects.get(organization=organization, name="Pottery")
    assert (tag.kind, tag.created_by, tag.is_active) == ("skill", member, True)
    assert AuditEvent.objects.filter(action="tag.created", actor=member).exists()


def test_editing_shows_existing_rows_and_removes_the_ones_marked(client_for, organization, member):
    profile = ProfileFactory(organization=organization, user=member)
    OfferFactory(profile=profile, tag__name="Excel", level=2)
    OfferFactory(profile=profile, tag__name="Coaching", level=5)
    client = client_for(member)

    page = client.get(edit_url(organization))
    assert page.context["forms"].offers.initial_form_count() == 2

    data = profile_data(offers=[("Coaching", 5), ("Excel", 2)], initial_offers=2)
    data["offers-1-DELETE"] = "on"
    client.post(edit_url(organization), data)

    assert [o.tag.name for o in profile.offers.select_related("tag")] == ["Coaching"]


def test_duplicate_tags_in_offers_are_a_clear_error_and_nothing_is_lost(
    client_for, organization, member
):
    response = client_for(member).post(
        edit_url(organization),
        profile_data(
            goal="Ship the platform rewrite",
            offers=[("Hiring", 3), ("hiring ", 4, "skill", "second row")],
            needs=[("Public speaking", 5)],
        ),
    )

    assert response.status_code == 200
    forms = response.context["forms"]
    assert "Each tag can be listed only once" in " ".join(forms.offers.non_form_errors())
    assert forms.offers.forms[1].errors["tag"]
    content = response.content.decode()
    assert 'value="Ship the platform rewrite"' in content
    assert 'value="second row"' in content
    assert 'value="Public speaking"' in content
    assert not Tag.objects.filter(name__iexact="hiring").exists()
    assert not Profile.objects.get(user=member).goal


def test_a_merged_name_and_its_replacement_count_as_duplicates(client_for, organization, member):
    target = TagFactory(organization=organization, name="JavaScript")
    TagFactory(organization=organization, name="JS", merged_into=target)

    response = client_for(member).post(
        edit_url(organization), profile_data(needs=[("JavaScript", 3), ("js", 2)])
    )

    assert response.status_code == 200
    assert response.context["forms"].needs.non_form_errors()


def test_a_retired_tag_cannot_be_chosen_anew(client_for, organization, member):
    TagFactory(organization=organization, name="Fax", retired_at=timezone.now())

    response = client_for(member).post(edit_url(organization), profile_data(offers=[("fax", 3)]))

    assert response.status_code == 200
    assert "retired" in response.context["forms"].offers.forms[0].errors["tag"][0]
    assert not Profile.objects.get(user=member).offers.exists()


def test_a_retired_tag_already_on_the_profile_can_stay(client_for, organization, member):
    profile = ProfileFactory(organization=organization, user=member)
    OfferFactory(profile=profile, tag__name="Fax", tag__retired_at=timezone.now(), level=1)

    response = client_for(member).post(
        edit_url(organization), profile_data(offers=[("Fax", 2)], initial_offers=1)
    )

    assert response.status_code == 302
    assert profile.offers.get().level == 2


def test_a_merged_name_typed_in_the_form_resolves_to_its_replacement(
    client_for, organization, member
):
    target = TagFactory(organization=organization, name="JavaScript")
    TagFactory(organization=organization, name="JS", merged_into=target)

    client_for(member).post(edit_url(organization), profile_data(offers=[("js", 4)]))

    assert Profile.objects.get(user=member).offers.get().tag == target


def test_unknown_time_zone_and_bad_level_are_form_errors(client_for, organization, member):
    response = client_for(member).post(
        edit_url(organization), profile_data(timezone="Mars/Olympus", offers=[("Hiring", 9)])
    )

    assert response.status_code == 200
    forms = response.context["forms"]
    assert "timezone" in forms.profile.errors
    assert "level" in forms.offers.forms[0].errors


def test_members_cannot_set_their_own_department(client_for, organization, member):
    ProfileFactory(organization=organization, user=member, department="Finance")

    client_for(member).post(edit_url(organization), profile_data(department="Board"))

    assert Profile.objects.get(user=member).department == "Finance"


def test_coordinator_has_a_profile_too(client_for, organization, coordinator):
    response = client_for(coordinator).post(
        edit_url(organization), profile_data(offers=[("Strategy", 5)])
    )

    assert response.status_code == 302
    assert Profile.objects.get(user=coordinator).offers.count() == 1


# Seeing a profile --------------------------------------------------------------------------


def test_member_sees_a_cohort_partners_profile(client_for, organization, member, partner):
    ProfileFactory(organization=organization, user=partner, goal="Run a marathon team")

    response = client_for(member).get(detail_url(organization, partner))

    assert response.status_code == 200
    assert "Run a marathon team" in response.content.decode()
    assert "department_form" not in response.context
    assert not response.context["show_completeness"]


def test_profile_page_shows_offers_needs_and_practicalities(client_for, organization, member):
    profile = ProfileFactory(
        organization=organization,
        user=member,
        languages=["English", "Danish"],
        timezone="Europe/Copenhagen",
        cadence="weekly",
        medium="in_person",
        department="Finance",
    )
    OfferFactory(profile=profile, tag__name="Facilitation", level=5, note="workshops")

    content = client_for(member).get(detail_url(organization, member)).content.decode()

    for text in ("Facilitation", "expert", "workshops", "English, Danish", "Europe/Copenhagen"):
        assert text in content
    for text in ("Weekly", "In person", "Finance"):
        assert text in content


def test_member_of_the_organization_without_a_shared_cohort_gets_404(
    client_for, organization, program, member
):
    stranger = EnrolmentFactory(cohort=CohortFactory(program=program)).user

    response = client_for(stranger).get(detail_url(organization, member))

    assert response.status_code == 404


def test_sharing_a_cohort_of_another_organization_does_not_open_the_profile(
    client_for, organization, member, other_cohort
):
    """Both are in a Southwind cohort, but only `member` belongs to Northwind."""
    stranger = MembershipFactory(organization=organization).user
    EnrolmentFactory(cohort=other_cohort, user=member)
    EnrolmentFactory(cohort=other_cohort, user=stranger)

    response = client_for(stranger).get(detail_url(organization, member))

    assert response.status_code == 404


def test_outsider_gets_404_for_a_profile(client_for, organization, member, outsider):
    assert client_for(outsider).get(detail_url(organization, member)).status_code == 404


def test_a_user_of_another_organization_under_ones_own_slug_gets_404(
    client_for, organization, coordinator, outsider
):
    assert client_for(coordinator).get(detail_url(organization, outsider)).status_code == 404


def test_coordinator_sees_any_member_with_completeness_and_department_form(
    client_for, organization, coordinator, member
):
    response = client_for(coordinator).get(detail_url(organization, member))

    assert response.status_code == 200
    assert response.context["show_completeness"]
    assert "department_form" in response.context
    assert response.context["profile"] is None


# Department --------------------------------------------------------------------------------


def test_coordinator_sets_a_members_department(client_for, organization, coordinator, member):
    response = client_for(coordinator).post(
        department_url(organization, member), {"department": "Finance"}
    )

    assert response.status_code == 302
    assert Profile.objects.get(organization=organization, user=member).department == "Finance"
    assert AuditEvent.objects.filter(action="profile.department_changed", actor=coordinator)


def test_member_cannot_set_a_department(client_for, organization, member, partner):
    for target in (member, partner):
        response = client_for(member).post(
            department_url(organization, target), {"department": "Board"}
        )
        assert response.status_code == 403
    assert not Profile.objects.exclude(department="").exists()


def test_department_route_accepts_only_post(client_for, organization, coordinator, member):
    assert client_for(coordinator).get(department_url(organization, member)).status_code == 405


def test_department_of_someone_outside_the_organization_is_404(
    client_for, organization, coordinator
):
    elsewhere = UserFactory()

    response = client_for(coordinator).post(
        department_url(organization, elsewhere), {"department": "Finance"}
    )

    assert response.status_code == 404
    assert not Membership.objects.filter(user=elsewhere).exists()
