"""Factories for profiles and tags. Tags and profiles stay in the organization they are given."""

import factory
from factory.django import DjangoModelFactory

from profiles.models import Need, Offer, Profile, Tag
from tests.factories import OrganizationFactory, UserFactory


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")
    kind = Tag.Kind.SKILL


class ProfileFactory(DjangoModelFactory):
    class Meta:
        model = Profile

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    goal = "Lead my first team of five with confidence"


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = Offer

    profile = factory.SubFactory(ProfileFactory)
    tag = factory.SubFactory(
        TagFactory, organization=factory.SelfAttribute("..profile.organization")
    )
    level = 3


class NeedFactory(DjangoModelFactory):
    class Meta:
        model = Need

    profile = factory.SubFactory(ProfileFactory)
    tag = factory.SubFactory(
        TagFactory, organization=factory.SelfAttribute("..profile.organization")
    )
    priority = 3


def complete_profile(**kwargs) -> Profile:
    """A profile with what a cohort counts as complete: a one-year goal (the factory's), an
    offer, a need, a language, a zone."""
    kwargs.setdefault("languages", ["English"])
    kwargs.setdefault("timezone", "Europe/Copenhagen")
    profile = ProfileFactory(**kwargs)
    OfferFactory(profile=profile)
    NeedFactory(profile=profile)
    return profile
