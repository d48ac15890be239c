"""The profiles services: languages, resolving tags by name, saving a profile, departments."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from profiles import services
from profiles.models import Need, Offer, Profile, Tag
from tests.profiles.factories import NeedFactory, OfferFactory, ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db

# Languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("en", "English"),
        ("English", "English"),
        ("english", "English"),
        ("  EN ", "English"),
        ("da", "Danish"),
        ("Danish", "Danish"),
        ("dansk", "Danish"),
        ("Deutsch", "German"),
        ("en-GB", "English"),
        ("en_US", "English"),
        ("British English", "English"),
        ("pt-br", "Portuguese"),
        ("zh-hant", "Traditional Chinese"),
        ("zh-tw", "Traditional Chinese"),
        ("old  norse", "Old Norse"),
        ("klingon", "Klingon"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_language_gives_the_english_name(given, expected):
    assert services.normalize_language(given) == expected


def test_normalize_languages_drops_blanks_and_repeats_keeping_order():
    assert services.normalize_languages(["da", "English", "", "en", "Danish", "fr"]) == [
        "Danish",
        "English",
        "French",
    ]


# Resolving tags by name --------------------------------------------------------------------


def test_resolving_an_unknown_name_creates_a_tag_of_the_given_kind(organization, member):
    tag = services.tag_resolve_or_create(
        organization=organization, name="  Public  speaking ", actor=member, kind="expertise"
    )

    assert (tag.name, tag.kind, tag.organization, tag.created_by) == (
        "Public speaking",
        "expertise",
        organization,
        member,
    )
    assert AuditEvent.objects.filter(action="tag.created", actor=member).count() == 1


def test_resolving_ignores_case_and_reuses_the_existing_tag(organization, member):
    existing = TagFactory(organization=organization, name="Budgeting")

    tag = services.tag_resolve_or_create(organization=organization, name="BUDGETING", actor=member)

    assert tag == existing
    assert Tag.objects.count() == 1


def test_resolving_a_merged_name_gives_its_replacement(organization, member):
    target = TagFactory(organization=organization, name="JavaScript")
    TagFactory(organization=organization, name="JS", merged_into=target)

    assert services.tag_resolve_or_create(organization=organization, name="js", actor=member) == (
        target
    )


def test_resolving_a_retired_name_is_refused(organization, member):
    TagFactory(organization=organization, name="Fax", retired_at=timezone.now())

    with pytest.raises(ValidationError) as raised:
        services.tag_resolve_or_create(organization=organization, name="fax", actor=member)

    assert raised.value.error_list[0].code == "retired_tag"
    assert "Fax" in raised.value.messages[0]


def test_a_name_in_another_organization_is_a_new_tag_here(organization, other_organization, member):
    theirs = TagFactory(organization=other_organization, name="Budgeting")

    tag = services.tag_resolve_or_create(organization=organization, name="Budgeting", actor=member)

    assert tag != theirs
    assert tag.organization == organization


def test_resolving_rejects_names_too_long_or_empty(organization, member):
    with pytest.raises(ValidationError):
        services.tag_resolve_or_create(organization=organization, name="x" * 81, actor=member)
    with pytest.raises(ValidationError):
        services.tag_resolve_or_create(organization=organization, name="   ", actor=member)


def test_bulk_resolving_maps_lower_cased_names_to_tags(organization, coordinator):
    budgeting = TagFactory(organization=organization, name="Budgeting")
    js = TagFactory(organization=organization, name="JavaScript")
    TagFactory(organization=organization, name="JS", merged_into=js)

    tags = services.tags_resolve_or_create(
        organization=organization,
        names=["budgeting", "JS", "Hiring", "hiring", "Mentoring"],
        actor=coordinator,
        kinds={"mentoring": "expertise"},
    )

    assert set(tags) == {"budgeting", "js", "hiring", "mentoring"}
    assert tags["budgeting"] == budgeting
    assert tags["js"] == js
    assert tags["hiring"].kind == "skill"
    assert tags["mentoring"].kind == "expertise"
    assert Tag.objects.filter(organization=organization).count() == 5


def test_bulk_resolving_runs_the_same_number_of_queries_for_5_or_50_names(
    organization, coordinator
):
    def queries(names):
        with CaptureQueriesContext(connection) as context:
            services.tags_resolve_or_create(
                organization=organization, names=names, actor=coordinator
            )
        return len(context.captured_queries)

    TagFactory.create_batch(3, organization=organization)
    few = queries([f"few {n}" for n in range(5)] + ["Tag 0"])
    many = queries([f"many {n}" for n in range(50)] + ["Tag 1"])

    assert many == few


def test_bulk_resolving_names_every_retired_tag(organization, coordinator):
    for name in ("Fax", "Telex"):
        TagFactory(organization=organization, name=name, retired_at=timezone.now())

    with pytest.raises(ValidationError) as raised:
        services.tags_resolve_or_create(
            organization=organization, names=["fax", "telex", "email"], actor=coordinator
        )

    assert len(raised.value.messages) == 2
    assert not Tag.objects.filter(name="email").exists()


# Saving a profile --------------------------------------------------------------------------


def save(profile, actor=None, **overrides):
    fields = {
        "about": "",
        "goal": "",
        "languages": [],
        "timezone": "",
        "cadence": "",
        "medium": "",
        "offers": [],
        "needs": [],
    }
    fields.update(overrides)
    return services.profile_update(profile=profile, actor=actor or profile.user, **fields)


def test_saving_a_profile_creates_new_tags_members_typed(organization, member):
    profile = ProfileFactory(organization=organization, user=member)

    save(
        profile,
        languages=["en", "dansk"],
        timezone="Europe/Copenhagen",
        offers=[{"tag": "Facilitation", "level": 4, "note": "", "kind": "skill"}],
        needs=[{"tag": "Industry contacts", "priority": 5, "note": "fintech", "kind": "contact"}],
    )

    profile.refresh_from_db()
    assert profile.languages == ["English", "Danish"]
    offer, need = profile.offers.get(), profile.needs.get()
    assert (offer.tag.name, offer.level, offer.tag.created_by) == ("Facilitation", 4, member)
    assert (need.tag.name, need.tag.kind, need.priority, need.note) == (
        "Industry contacts",
        "contact",
        5,
        "fintech",
    )
    assert AuditEvent.objects.filter(action="profile.updated", actor=member).exists()


def test_saving_replaces_offers_and_keeps_unchanged_rows(organization, member):
    profile = ProfileFactory(organization=organization, user=member)
    kept = OfferFactory(profile=profile, tag__name="Coaching", level=2)
    OfferFactory(profile=profile, tag__name="Excel")

    save(
        profile,
        offers=[
            {"tag": "coaching", "level": 5, "note": "ten years"},
            {"tag": "Negotiation", "level": 3, "note": ""},
        ],
    )

    offers = {offer.tag.name: offer for offer in profile.offers.select_related("tag")}
    assert set(offers) == {"Coaching", "Negotiation"}
    assert offers["Coaching"].pk == kept.pk
    assert (offers["Coaching"].level, offers["Coaching"].note) == (5, "ten years")


def test_saving_refuses_a_retired_tag_not_on_the_profile(organization, member):
    TagFactory(organization=organization, name="Fax", retired_at=timezone.now())
    profile = ProfileFactory(organization=organization, user=member)

    with pytest.raises(ValidationError):
        save(profile, offers=[{"tag": "Fax", "level": 3, "note": ""}])

    assert not profile.offers.exists()


def test_saving_keeps_a_retired_tag_the_profile_already_had(organization, member):
    profile = ProfileFactory(organization=organization, user=member)
    offer = OfferFactory(profile=profile, tag__name="Fax", level=2)
    offer.tag.retired_at = timezone.now()
    offer.tag.save()

    save(profile, offers=[{"tag": "Fax", "level": 4, "note": ""}])

    assert profile.offers.get().level == 4


def test_saving_two_names_of_one_merged_tag_is_an_error(organization, member):
    target = TagFactory(organization=organization, name="JavaScript")
    TagFactory(organization=organization, name="JS", merged_into=target)
    profile = ProfileFactory(organization=organization, user=member)

    with pytest.raises(ValidationError) as raised:
        save(
            profile,
            offers=[{"tag": "JS", "level": 3, "note": ""}, {"tag": "javascript", "level": 4}],
        )

    assert "offers" in raised.value.message_dict


def test_saving_a_merged_name_stores_the_replacement(organization, member):
    target = TagFactory(organization=organization, name="JavaScript")
    TagFactory(organization=organization, name="JS", merged_into=target)
    profile = ProfileFactory(organization=organization, user=member)

    save(profile, needs=[{"tag": "js", "priority": 2, "note": ""}])

    assert profile.needs.get().tag == target


def test_saving_refuses_an_unknown_time_zone(organization, member):
    profile = ProfileFactory(organization=organization, user=member)

    with pytest.raises(ValidationError) as raised:
        save(profile, timezone="Mars/Olympus")

    assert "timezone" in raised.value.message_dict


def test_saving_a_profile_leaves_the_department_alone(organization, member):
    profile = ProfileFactory(organization=organization, user=member, department="Finance")

    save(profile, goal="Lead a team")

    profile.refresh_from_db()
    assert profile.department == "Finance"


# Departments -------------------------------------------------------------------------------


def test_setting_a_department_creates_the_profile_and_records_who(
    organization, coordinator, member
):
    profile = services.member_department_set(
        organization=organization, user=member, actor=coordinator, department=" Sales  Ops "
    )

    assert profile.department == "Sales Ops"
    assert Profile.objects.get(organization=organization, user=member).department == "Sales Ops"
    event = AuditEvent.objects.get(action="profile.department_changed")
    assert (event.actor, event.data["department"]) == (coordinator, "Sales Ops")


# Offers and needs stay unique per tag in the database too ----------------------------------


def test_the_database_refuses_two_needs_with_one_tag(organization, member):
    need = NeedFactory(profile__organization=organization, profile__user=member)

    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.create(profile=need.profile, tag=need.tag, priority=1)
    assert Offer.objects.count() == 0
