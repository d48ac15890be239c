"""Builders for matching tests: members with profiles, and pairs in any state.

`cohort_of_four(cohort, member, partner)` gives the shared `member` (Ana) and `partner` (Ben)
profiles that complement each other, and enrols Carl and Dina who complement each other: the
matching pairs Ana with Ben and Carl with Dina.
"""

from types import SimpleNamespace

from django.utils import timezone

from matching.models import MatchRun, Pair, PairMember
from profiles.models import Need, Offer, Profile, Tag
from tests.factories import EnrolmentFactory
from tests.profiles.factories import ProfileFactory


def tag(organization, name: str) -> Tag:
    found, _created = Tag.objects.get_or_create(
        organization=organization, name=name, defaults={"kind": Tag.Kind.SKILL}
    )
    return found


def give_profile(
    user,
    organization,
    *,
    offers: dict[str, int] | None = None,
    needs: dict[str, int] | None = None,
    languages=("English",),
    timezone_name="Europe/Copenhagen",
    **fields,
) -> Profile:
    """A profile with offers and needs given as {tag name: level or priority}."""
    profile = ProfileFactory(
        organization=organization,
        user=user,
        languages=list(languages),
        timezone=timezone_name,
        **fields,
    )
    for name, level in (offers or {}).items():
        Offer.objects.create(profile=profile, tag=tag(organization, name), level=level)
    for name, priority in (needs or {}).items():
        Need.objects.create(profile=profile, tag=tag(organization, name), priority=priority)
    return profile


def enrol(cohort, first_name: str, **profile):
    """A member enrolled in `cohort`; with a profile when offers/needs are given."""
    user = EnrolmentFactory(
        cohort=cohort,
        user__first_name=first_name,
        user__last_name="Tester",
        user__email=f"{first_name.lower()}@northwind.test",
    ).user
    if profile:
        give_profile(user, cohort.organization, **profile)
    return user


def cohort_of_four(cohort, member, partner) -> SimpleNamespace:
    give_profile(
        member, cohort.organization, offers={"Public speaking": 5}, needs={"Fundraising": 5}
    )
    give_profile(
        partner, cohort.organization, offers={"Fundraising": 4}, needs={"Public speaking": 5}
    )
    carl = enrol(cohort, "Carl", offers={"Budgeting": 5}, needs={"Writing": 4})
    dina = enrol(cohort, "Dina", offers={"Writing": 5}, needs={"Budgeting": 5})
    return SimpleNamespace(ana=member, ben=partner, carl=carl, dina=dina)


def make_pair(
    cohort,
    users,
    *,
    status=Pair.Status.PROPOSED,
    locked=False,
    score=50.0,
    origin=Pair.Origin.MATCHING,
    run=None,
    explanation="They complement each other.",
) -> Pair:
    now = timezone.now()
    published = status != Pair.Status.PROPOSED
    pair = Pair.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        run=run,
        status=status,
        origin=origin,
        score=score,
        explanation=explanation,
        locked=locked,
        published_at=now if published else None,
        activated_at=now if status == Pair.Status.ACTIVE else None,
    )
    response = (
        PairMember.Response.ACCEPTED
        if status == Pair.Status.ACTIVE
        else PairMember.Response.PENDING
    )
    for user in users:
        PairMember.objects.create(pair=pair, user=user, response=response)
    return pair


def member_sets(pairs) -> set[frozenset[int]]:
    return {frozenset(m.user_id for m in pair.members.all()) for pair in pairs}


def ids(*users) -> frozenset[int]:
    return frozenset(user.pk for user in users)


def finished_run(cohort, **fields) -> MatchRun:
    fields.setdefault("status", MatchRun.Status.DONE)
    return MatchRun.objects.create(organization=cohort.organization, cohort=cohort, **fields)
