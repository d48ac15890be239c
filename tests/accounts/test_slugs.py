"""Slugs and file names transliterate every letter instead of dropping the non-ASCII ones."""

import pytest

from accounts.models import Organization
from accounts.services import organization_create
from accounts.slugs import ascii_slug
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Ærø", "aeroe"),
        ("Ida Mørch", "ida-moerch"),
        ("Jens Ålund", "jens-aalund"),
        ("ÆØÅ æøå", "aeoeaa-aeoeaa"),
        ("Łódź Straße", "lodz-strasse"),
        ("Zoë Çelik", "zoe-celik"),
        ("北京", "beijing"),
        ("  Peer  Mentor 2026! ", "peer-mentor-2026"),
    ],
)
def test_names_become_ascii_slugs_with_every_letter_kept(name, slug):
    assert ascii_slug(name) == slug


@pytest.mark.django_db
def test_an_organization_named_with_danish_letters_gets_a_readable_address():
    organization = organization_create(user=UserFactory(), name="Ærø Frivilligcenter")

    assert organization.slug == "aeroe-frivilligcenter"
    assert Organization.objects.filter(slug="aeroe-frivilligcenter").exists()
