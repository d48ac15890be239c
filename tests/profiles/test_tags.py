"""Coordinators curate the taxonomy: add, rename, merge duplicates, retire and restore."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from profiles import services
from profiles.models import Need, Offer, Tag
from tests.profiles.factories import NeedFactory, OfferFactory, ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db


def url(name, organization, tag=None):
    kwargs = {"org_slug": organization.slug}
    if tag is not None:
        kwargs["tag_id"] = tag.pk
    return reverse(name, kwargs=kwargs)


# The list and adding -----------------------------------------------------------------------


def test_coordinator_sees_tags_with_offer_and_need_counts(client_for, organization, coordinator):
    tag = TagFactory(organization=organization, name="Facilitation")
    OfferFactory.create_batch(3, tag=tag, profile__organization=organization)
    NeedFactory(tag=tag, profile__organization=organization)
    TagFactory(organization=organization, name="Unused")

    response = client_for(coordinator).get(url("tag_list", organization))

    rows = {row.name: row for row in response.context["page"]}
    assert (rows["Facilitation"].offer_count, rows["Facilitation"].need_count) == (3, 1)
    assert (rows["Unused"].offer_count, rows["Unused"].need_count) == (0, 0)


def test_tag_list_filters_by_kind_status_and_search(client_for, organization, coordinator):
    TagFactory(organization=organization, name="Budgeting", kind="skill")
    TagFactory(organization=organization, name="Budget templates", kind="resource")
    TagFactory(organization=organization, name="Fax", retired_at=timezone.now())
    target = TagFactory(organization=organization, name="JavaScript")
    TagFactory(organization=organization, name="JS", merged_into=target)
    client = client_for(coordinator)

    def names(**query):
        response = client.get(url("tag_list", organization), query)
        return [tag.name for tag in response.context["page"]]

    assert names(q="budget") == ["Budget templates", "Budgeting"]
    assert names(kind="resource") == ["Budget templates"]
    assert names(status="retired") == ["Fax"]
    assert names(status="merged") == ["JS"]
    assert names(status="active") == ["Budget templates", "Budgeting", "JavaScript"]


def test_coordinator_adds_a_tag(client_for, organization, coordinator):
    response = client_for(coordinator).post(
        url("tag_list", organization), {"name": "Public speaking", "kind": "expertise"}
    )

    assert response.status_code == 302
    tag = Tag.objects.get(organization=organization)
    assert (tag.name, tag.kind, tag.created_by) == ("Public speaking", "expertise", coordinator)
    assert AuditEvent.objects.filter(action="tag.created", actor=coordinator).exists()


def test_adding_an_existing_name_in_other_case_is_a_clear_error(
    client_for, organization, coordinator
):
    TagFactory(organization=organization, name="Budgeting")

    response = client_for(coordinator).post(
        url("tag_list", organization), {"name": "BUDGETING", "kind": "skill"}
    )

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    assert Tag.objects.count() == 1


def test_member_gets_403_on_the_tag_list(client_for, organization, member):
    assert client_for(member).get(url("tag_list", organization)).status_code == 403
    response = client_for(member).post(url("tag_list", organization), {"name": "X"})
    assert response.status_code == 403
    assert not Tag.objects.exists()


def test_tag_list_queries_do_not_grow_from_5_to_50_tags(
    client_for, organization, coordinator, django_assert_max_num_queries
):
    def add_tags(count):
        for tag in TagFactory.create_batch(
            count, organization=organization, created_by=coordinator
        ):
            OfferFactory(tag=tag, profile__organization=organization)
            NeedFactory(tag=tag, profile__organization=organization)

    client = client_for(coordinator)
    add_tags(5)
    TagFactory(organization=organization, merged_into=Tag.objects.first())
    client.get(url("tag_list", organization))
    with CaptureQueriesContext(connection) as context:
        client.get(url("tag_list", organization))
    few = len(context.captured_queries)

    add_tags(45)
    TagFactory.create_batch(
        3, organization=organization, merged_into=Tag.objects.last(), created_by=coordinator
    )
    with django_assert_max_num_queries(few):
        response = client.get(url("tag_list", organization))
    assert len(response.context["page"]) == 50


# Renaming ----------------------------------------------------------------------------------


def test_coordinator_renames_a_tag_and_changes_its_kind(client_for, organization, coordinator):
    tag = TagFactory(organization=organization, name="Excell", kind="skill")
    offer = OfferFactory(tag=tag, profile__organization=organization)

    response = client_for(coordinator).post(
        url("tag_edit", organization, tag), {"name": "Excel", "kind": "expertise"}
    )

    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.kind) == ("Excel", "expertise")
    assert Offer.objects.get(pk=offer.pk).tag == tag
    event = AuditEvent.objects.get(action="tag.updated")
    assert event.data["changed"]["name"] == ["Excell", "Excel"]


def test_renaming_to_a_name_taken_in_other_case_is_a_clear_error(
    client_for, organization, coordinator
):
    TagFactory(organization=organization, name="Budgeting")
    tag = TagFactory(organization=organization, name="Budget")

    response = client_for(coordinator).post(
        url("tag_edit", organization, tag), {"name": "budgeting", "kind": "skill"}
    )

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    tag.refresh_from_db()
    assert tag.name == "Budget"


def test_renaming_only_the_case_of_a_tag_is_allowed(organization, coordinator):
    tag = TagFactory(organization=organization, name="javascript")

    services.tag_update(tag=tag, actor=coordinator, name="JavaScript", kind="skill")

    assert Tag.objects.get(pk=tag.pk).name == "JavaScript"


# Merging -----------------------------------------------------------------------------------


@pytest.fixture
def duplicates(organization):
    """'JS' and 'JavaScript': three people, one of whom has both."""
    source = TagFactory(organization=organization, name="JS")
    target = TagFactory(organization=organization, name="JavaScript")
    only_source = ProfileFactory(organization=organization)
    OfferFactory(profile=only_source, tag=source, level=2)
    NeedFactory(profile=only_source, tag=source, priority=4)
    both = ProfileFactory(organization=organization)
    OfferFactory(profile=both, tag=source, level=5, note="ten years")
    OfferFactory(profile=both, tag=target, level=3)
    NeedFactory(profile=both, tag=source, priority=1)
    NeedFactory(profile=both, tag=target, priority=4, note="frameworks")
    only_target = ProfileFactory(organization=organization)
    OfferFactory(profile=only_target, tag=target, level=1)
    return source, target, only_source, both


def test_merge_page_previews_what_will_move(client_for, organization, coordinator, duplicates):
    source, target, *_ = duplicates

    response = client_for(coordinator).get(
        url("tag_merge", organization, source), {"target": target.pk}
    )

    assert response.context["preview"] == {
        "offers": 1,
        "needs": 1,
        "offer_duplicates": 1,
        "need_duplicates": 1,
        "merged_names": 0,
    }
    assert Offer.objects.filter(tag=source).count() == 2  # nothing moved yet


def test_merging_moves_offers_and_needs_and_keeps_the_higher_of_duplicates(
    client_for, organization, coordinator, duplicates
):
    source, target, only_source, both = duplicates

    response = client_for(coordinator).post(
        url("tag_merge", organization, source), {"target": target.pk}
    )

    assert response.status_code == 302
    assert not Offer.objects.filter(tag=source).exists()
    assert not Need.objects.filter(tag=source).exists()
    assert only_source.offers.get().tag == target
    assert only_source.needs.get().priority == 4
    both_offer = both.offers.get()
    assert (both_offer.tag, both_offer.level, both_offer.note) == (target, 5, "ten years")
    both_need = both.needs.get()
    assert (both_need.tag, both_need.priority, both_need.note) == (target, 4, "frameworks")
    source.refresh_from_db()
    assert source.merged_into == target
    event = AuditEvent.objects.get(action="tag.merged")
    assert event.actor == coordinator
    assert event.data["offers"] == {"moved": 1, "duplicates": 1}


def test_a_merged_name_resolves_to_the_target_afterwards(organization, coordinator, duplicates):
    source, target, *_ = duplicates
    services.tag_merge(source=source, target=target, actor=coordinator)

    tag = services.tag_resolve_or_create(organization=organization, name="js", actor=coordinator)

    assert tag == target


def test_merging_again_flattens_earlier_merges(organization, coordinator):
    first = TagFactory(organization=organization, name="JS")
    middle = TagFactory(organization=organization, name="Javascript")
    last = TagFactory(organization=organization, name="ECMAScript")
    services.tag_merge(source=first, target=middle, actor=coordinator)

    services.tag_merge(source=middle, target=last, actor=coordinator)

    first.refresh_from_db()
    assert first.merged_into == last


def test_merge_target_must_be_another_active_tag_of_the_organization(
    client_for, organization, coordinator, other_organization
):
    source = TagFactory(organization=organization, name="JS")
    retired = TagFactory(organization=organization, name="Old", retired_at=timezone.now())
    theirs = TagFactory(organization=other_organization, name="JavaScript")
    client = client_for(coordinator)

    for target in (source, retired, theirs):
        response = client.post(url("tag_merge", organization, source), {"target": target.pk})
        assert response.status_code == 200
        assert response.context["form"].errors["target"]
    source.refresh_from_db()
    assert source.merged_into is None


def test_member_cannot_merge(client_for, organization, member, duplicates):
    source, target, *_ = duplicates

    response = client_for(member).post(
        url("tag_merge", organization, source), {"target": target.pk}
    )

    assert response.status_code == 403
    assert Tag.objects.get(pk=source.pk).merged_into is None


# Retiring and restoring --------------------------------------------------------------------


def test_retiring_asks_first_then_keeps_existing_offers(client_for, organization, coordinator):
    tag = TagFactory(organization=organization, name="Fax")
    offer = OfferFactory(tag=tag, profile__organization=organization)
    client = client_for(coordinator)

    confirmation = client.get(url("tag_retire", organization, tag))
    assert confirmation.status_code == 200
    assert Tag.objects.get(pk=tag.pk).retired_at is None

    response = client.post(url("tag_retire", organization, tag))

    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.retired_at is not None
    assert Offer.objects.get(pk=offer.pk).tag == tag
    assert AuditEvent.objects.filter(action="tag.retired", actor=coordinator).exists()


def test_restoring_a_retired_tag_makes_it_choosable_again(client_for, organization, coordinator):
    tag = TagFactory(organization=organization, name="Fax", retired_at=timezone.now())

    response = client_for(coordinator).post(url("tag_retire", organization, tag), {"restore": "1"})

    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.retired_at is None
    assert AuditEvent.objects.filter(action="tag.restored", actor=coordinator).exists()
    assert (
        services.tag_resolve_or_create(organization=organization, name="fax", actor=coordinator)
        == tag
    )


def test_member_cannot_retire(client_for, organization, member):
    tag = TagFactory(organization=organization)

    assert client_for(member).post(url("tag_retire", organization, tag)).status_code == 403
    assert Tag.objects.get(pk=tag.pk).retired_at is None


def test_another_organizations_tag_is_404_even_for_a_coordinator(
    client_for, organization, coordinator, other_organization
):
    theirs = TagFactory(organization=other_organization)
    client = client_for(coordinator)

    for name in ("tag_edit", "tag_merge", "tag_retire"):
        assert client.get(url(name, organization, theirs)).status_code == 404
        assert client.post(url(name, organization, theirs)).status_code == 404
    assert Tag.objects.get(pk=theirs.pk).retired_at is None
