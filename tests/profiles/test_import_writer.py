"""The import service itself: previews that write nothing, and queries that don't grow per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, User
from profiles import importing
from profiles.models import Offer, Profile, Tag
from tests.profiles.factories import TagFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(importing.COLUMNS)


def members_csv(count, *, start=0, level=3, tags=("Python", "SQL", "Coaching")):
    """`count` members, each offering and needing some shared tags and one of their own."""
    lines = [HEADER]
    for n in range(start, start + count):
        offers = f"{tags[n % len(tags)]}:{level};Own tag {n}:2"
        needs = f"{tags[(n + 1) % len(tags)]}:4"
        lines.append(
            f"person{n}@example.org,Person,{n},Dept {n % 5},{offers},{needs},en;fr,Europe/Paris"
        )
    return ("\n".join(lines) + "\n").encode()


def queries_to_import(cohort, data):
    with CaptureQueriesContext(connection) as captured:
        importing.members_import(cohort=cohort, actor=None, data=data)
    return len(captured)


def test_the_preview_plans_without_writing(cohort, coordinator):
    data = members_csv(3)
    users_before, tags_before = User.objects.count(), Tag.objects.count()

    report = importing.members_import_preview(cohort=cohort, data=data)

    assert report.is_valid
    assert [outcome.email for outcome in report.created] == [
        "person0@example.org", "person1@example.org", "person2@example.org",
    ]  # fmt: skip
    assert report.new_tags == ["Coaching", "Own tag 0", "Own tag 1", "Own tag 2", "Python", "SQL"]
    assert (User.objects.count(), Tag.objects.count()) == (users_before, tags_before)


def test_importing_writes_exactly_what_the_preview_showed(cohort, coordinator):
    data = members_csv(3)
    preview = importing.members_import_preview(cohort=cohort, data=data)

    report = importing.members_import(
        cohort=cohort, actor=coordinator, data=data, expected_fingerprint=preview.fingerprint
    )

    assert report.written and report.outcomes == preview.outcomes
    assert Profile.objects.filter(organization=cohort.organization).count() == 3
    assert AuditEvent.objects.get(action="members.imported").actor == coordinator
    assert Tag.objects.get(name="Own tag 1").created_by == coordinator


def test_a_preview_that_no_longer_matches_raises_and_writes_nothing(cohort, coordinator):
    preview = importing.members_import_preview(cohort=cohort, data=members_csv(3))
    importing.members_import(cohort=cohort, actor=coordinator, data=members_csv(1))
    profiles_before = list(Profile.objects.values())

    with pytest.raises(importing.ImportChanged) as raised:
        importing.members_import(
            cohort=cohort,
            actor=coordinator,
            data=members_csv(3),
            expected_fingerprint=preview.fingerprint,
        )

    assert len(raised.value.report.created) == 2  # person0 exists now
    assert list(Profile.objects.values()) == profiles_before


def test_an_invalid_file_raises_with_its_problems(cohort):
    data = f"{HEADER}\nnobody,,,,,,,\n".encode()

    with pytest.raises(importing.ImportInvalid) as raised:
        importing.members_import(cohort=cohort, actor=None, data=data)

    assert raised.value.messages == ["Line 2: “nobody” is not a valid email address."]


def test_writer_queries_do_not_grow_with_the_number_of_new_members(cohort):
    TagFactory(organization=cohort.organization, name="Python")
    small = queries_to_import(cohort, members_csv(10))

    large = queries_to_import(cohort, members_csv(100, start=10))

    assert Offer.objects.count() == 220
    assert large - small <= 2, (small, large)


def test_writer_queries_do_not_grow_with_the_number_of_updated_members(cohort):
    importing.members_import(cohort=cohort, actor=None, data=members_csv(110))
    small = queries_to_import(cohort, members_csv(10, level=5))

    large = queries_to_import(cohort, members_csv(100, start=10, level=5))

    assert set(Offer.objects.filter(tag__name="SQL").values_list("level", flat=True)) == {5}
    assert large - small <= 2, (small, large)
