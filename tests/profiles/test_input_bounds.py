"""The profile's and the taxonomy's texts are bounded and free of hidden characters, and the
lists of offers and needs can't be emptied by a tampered row count."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from profiles import limits
from profiles.models import Need, Offer, Profile, Tag
from tests.profiles.factories import ProfileFactory, TagFactory
from tests.profiles.test_profile_views import edit_url, profile_data

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000


def too_long(limit: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {len(HUGE)})."


@pytest.fixture
def profile(organization, member):
    profile = ProfileFactory(
        organization=organization, user=member, goal="Lead a team", about="Engineer."
    )
    Offer.objects.create(
        profile=profile, tag=TagFactory(organization=organization, name="Budgeting"), level=4
    )
    Need.objects.create(
        profile=profile, tag=TagFactory(organization=organization, name="Speaking"), priority=5
    )
    return profile


def snapshot(profile) -> tuple:
    profile = Profile.objects.get(pk=profile.pk)
    return (
        profile.goal,
        profile.about,
        profile.languages,
        list(profile.offers.values_list("tag__name", "level", "note")),
        list(profile.needs.values_list("tag__name", "priority", "note")),
        Tag.objects.count(),
    )


def kept_rows(**overrides):
    """The page as posted when nothing changes, with some values replaced."""
    data = profile_data(
        offers=[("Budgeting", 4)], needs=[("Speaking", 5)], initial_offers=1, initial_needs=1
    )
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        ("goal", limits.GOAL_MAX),
        ("about", limits.ABOUT_MAX),
        ("languages", limits.LANGUAGES_INPUT_MAX),
        ("offers-0-tag", limits.TAG_NAME_MAX),
        ("offers-0-note", limits.ENTRY_NOTE_MAX),
        ("needs-0-note", limits.ENTRY_NOTE_MAX),
    ],
)
def test_an_over_long_profile_text_is_refused_with_the_count(
    client_for, organization, member, profile, key, limit
):
    before = snapshot(profile)

    response = client_for(member).post(edit_url(organization), kept_rows(**{key: HUGE}))

    assert response.status_code == 200
    assert too_long(limit) in response.content.decode()
    assert snapshot(profile) == before
    assert not AuditEvent.objects.filter(action__startswith="profile.").exists()


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("goal", "Lead a \u202eteam"),
        ("offers-0-tag", "Budget\u200bing"),
        ("needs-0-note", "Soon\u2067"),
        ("about", "Engineer\x00"),
    ],
    ids=["goal-bidi", "tag-zero-width", "note-isolate", "about-nul"],
)
def test_hidden_characters_in_a_profile_are_refused(
    client_for, organization, member, profile, key, text
):
    before = snapshot(profile)

    response = client_for(member).post(edit_url(organization), kept_rows(**{key: text}))

    assert response.status_code == 200
    assert response.context["forms"].is_valid() is False
    assert snapshot(profile) == before


@pytest.mark.parametrize("prefix", ["offers", "needs"])
@pytest.mark.parametrize("total", ["-1", "100000"])
def test_a_tampered_row_count_is_refused_and_removes_nothing(
    client_for, organization, member, profile, prefix, total
):
    before = snapshot(profile)

    response = client_for(member).post(
        edit_url(organization), kept_rows(**{f"{prefix}-TOTAL_FORMS": total})
    )

    assert response.status_code == 200
    assert getattr(response.context["forms"], prefix).non_form_errors()
    assert snapshot(profile) == before


def test_a_missing_row_count_is_refused_with_a_clear_message(
    client_for, organization, member, profile
):
    before = snapshot(profile)
    data = kept_rows()
    del data["offers-TOTAL_FORMS"], data["offers-INITIAL_FORMS"]

    response = client_for(member).post(edit_url(organization), data)

    assert "The form arrived incomplete or altered" in response.content.decode()
    assert snapshot(profile) == before


@pytest.mark.parametrize(
    "name", ["Budget\u200bing", "\u202egnitegduB", "Budgeting\u2060", "Budget\ting", "\ufeffX"]
)
def test_a_tag_name_with_hidden_characters_is_refused(client_for, organization, coordinator, name):
    response = client_for(coordinator).post(
        reverse("tag_list", kwargs={"org_slug": organization.slug}),
        {"name": name, "kind": "skill"},
    )

    assert response.status_code == 200
    assert "Remove the" in response.context["form"].errors["name"][0]
    assert not Tag.objects.exists()


def test_an_over_long_tag_name_is_refused_with_the_count(client_for, organization, coordinator):
    response = client_for(coordinator).post(
        reverse("tag_list", kwargs={"org_slug": organization.slug}),
        {"name": HUGE, "kind": "skill"},
    )

    assert response.context["form"].errors["name"] == [too_long(limits.TAG_NAME_MAX)]
    assert not Tag.objects.exists()


def test_a_department_with_a_direction_override_is_refused(
    client_for, organization, coordinator, member, profile
):
    response = client_for(coordinator).post(
        reverse("member_department", kwargs={"org_slug": organization.slug, "user_id": member.pk}),
        {"department": "Sales\u202e"},
        follow=True,
    )

    assert "U+202E" in response.content.decode()
    assert Profile.objects.get(pk=profile.pk).department == ""


def test_the_unchanged_page_posted_with_a_new_goal_saves(client_for, organization, member, profile):
    """The control for the tests above: the same post, valid, is saved."""
    response = client_for(member).post(edit_url(organization), kept_rows(goal="Lead two teams"))

    assert response.status_code == 302
    assert Profile.objects.get(pk=profile.pk).goal == "Lead two teams"
    assert profile.offers.count() == 1 and profile.needs.count() == 1
