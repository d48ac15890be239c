"""Reads for profiles and the organization's tag taxonomy."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, Enrolment, Organization, User

from .models import Need, Offer, Profile, Tag

# Tags --------------------------------------------------------------------------------------

TAG_STATUSES = {
    "active": Q(retired_at__isnull=True, merged_into__isnull=True),
    "retired": Q(retired_at__isnull=False, merged_into__isnull=True),
    "merged": Q(merged_into__isnull=False),
}


def tags_by_name(*, organization: Organization, names: Iterable[str]) -> dict[str, Tag]:
    """Existing tags for the given names, keyed by lower-cased name, following `merged_into`.

    One query (plus one per extra hop of an old merge chain, which merging flattens anyway).
    Names nobody has used yet are simply absent from the result.
    """
    names = {" ".join(str(name).split()) for name in names} - {""}
    if not names:
        return {}
    lowered = {name.lower() for name in names}
    rows = (
        Tag.objects.for_organization(organization)
        .annotate(lower_name=Lower("name"))
        # SQLite lower-cases ASCII only: also match the names exactly as given.
        .filter(Q(lower_name__in=lowered) | Q(name__in=names))
        .select_related("merged_into")
        .order_by("pk")
    )
    found: dict[str, Tag] = {}
    for tag in rows:
        key = tag.name.lower()
        if key in lowered and (key not in found or tag.is_active):
            found[key] = tag
    for key, tag in found.items():
        seen = {tag.pk}
        # The first hop was loaded with the row; older chains cost a query per extra hop.
        while tag.merged_into_id and tag.merged_into_id not in seen:
            tag = tag.merged_into
            seen.add(tag.pk)
        found[key] = tag
    return found


def active_tag_names(*, organization: Organization) -> list[str]:
    """Names members may choose from: the organization's tags not retired or merged."""
    return list(Tag.objects.for_organization(organization).active().values_list("name", flat=True))


def _count_per_tag(model) -> Coalesce:
    counts = (
        model.objects.filter(tag=OuterRef("pk"))
        .order_by()
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def tag_list(
    *, organization: Organization, kind: str = "", status: str = "", search: str = ""
) -> QuerySet[Tag]:
    """The taxonomy with each tag's number of offers and needs, for coordinators."""
    tags = (
        Tag.objects.for_organization(organization)
        .select_related("merged_into", "created_by")
        .annotate(offer_count=_count_per_tag(Offer), need_count=_count_per_tag(Need))
        .order_by(Lower("name"), "pk")
    )
    if kind:
        tags = tags.filter(kind=kind)
    if status in TAG_STATUSES:
        tags = tags.filter(TAG_STATUSES[status])
    if search:
        tags = tags.filter(name__icontains=search.strip())
    return tags


def tag_merge_targets(*, source: Tag) -> QuerySet[Tag]:
    return Tag.objects.for_organization(source.organization).active().exclude(pk=source.pk)


def tag_merge_preview(*, source: Tag, target: Tag) -> dict[str, int]:
    """What merging `source` into `target` would do: rows moved, duplicates folded."""
    offers = Offer.objects.filter(tag=source)
    needs = Need.objects.filter(tag=source)
    offer_duplicates = offers.filter(profile__offers__tag=target).count()
    need_duplicates = needs.filter(profile__needs__tag=target).count()
    return {
        "offers": offers.count() - offer_duplicates,
        "needs": needs.count() - need_duplicates,
        "offer_duplicates": offer_duplicates,
        "need_duplicates": need_duplicates,
        "merged_names": Tag.objects.filter(merged_into=source).count(),
    }


# Profiles ----------------------------------------------------------------------------------

REQUIRED_ITEMS = {
    "goal": _("your one-year goal"),
    "offer": _("at least one thing you offer"),
    "need": _("at least one thing you need"),
    "language": _("a language"),
    "timezone": _("your time zone"),
}
OPTIONAL_ITEMS = {
    "career_stage": _("your career stage"),
    "role": _("your role"),
    "about": _("a few words about you"),
    "cadence": _("how often you want to meet"),
    "medium": _("how you want to meet"),
}


@dataclass(frozen=True)
class Completeness:
    """How far a profile is filled in. `missing` lists what a cohort still needs before matching
    (a one-year goal, an offer, a need, a language, a time zone); `suggestions` what would help
    a partner."""

    missing: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing

    @property
    def percent(self) -> int:
        done = len(REQUIRED_ITEMS) - len(self.missing)
        return round(100 * done / len(REQUIRED_ITEMS))


def completeness_from_flags(**present: bool) -> Completeness:
    """Completeness from flags named like the items: offer=True, need=False, language=…"""
    return Completeness(
        missing=[label for key, label in REQUIRED_ITEMS.items() if not present.get(key)],
        suggestions=[label for key, label in OPTIONAL_ITEMS.items() if not present.get(key)],
    )


def profile_completeness(profile: Profile | None) -> Completeness:
    """Uses prefetched offers and needs when there are any (no query), else two queries."""
    if profile is None:
        return completeness_from_flags()
    return completeness_from_flags(
        offer=bool(profile.pk and profile.offers.all()),
        need=bool(profile.pk and profile.needs.all()),
        language=bool(profile.languages),
        timezone=bool(profile.timezone),
        goal=bool(profile.goal),
        career_stage=profile.career_stage is not None,
        role=bool(profile.role),
        about=bool(profile.about),
        cadence=bool(profile.cadence),
        medium=bool(profile.medium),
    )


def profile_is_complete(profile: Profile | None) -> bool:
    """A cohort counts a profile as complete with a one-year goal, an offer, a need, a language
    and a time zone."""
    return profile_completeness(profile).is_complete


def profile_for_user(*, organization: Organization, user: User) -> Profile | None:
    """A profile with its offers and needs (and their tags) loaded, or None if never started."""
    return (
        Profile.objects.for_organization(organization)
        .filter(user=user)
        .select_related("user", "organization", "wished_partner")
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.select_related("tag")),
            Prefetch("needs", queryset=Need.objects.select_related("tag")),
        )
        .first()
    )


COMPLETE = Q(has_goal=True, has_offer=True, has_need=True, has_language=True, has_timezone=True)


def cohort_profile_statuses(*, cohort: Cohort, status: str = "") -> QuerySet[Enrolment]:
    """The cohort's enrolments, each annotated with its member's profile completeness.

    Annotations: has_profile, has_goal, has_offer, has_need, has_language, has_timezone,
    is_complete.
    `status` "complete" or "incomplete" filters. One query, however many members.
    """
    profiles = Profile.objects.filter(organization=cohort.organization_id, user=OuterRef("user"))
    in_profile = {
        "profile__organization": cohort.organization_id,
        "profile__user": OuterRef("user"),
    }
    rows = (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("user")
        .annotate(
            has_profile=Exists(profiles),
            has_goal=Exists(profiles.exclude(goal="")),
            has_offer=Exists(Offer.objects.filter(**in_profile)),
            has_need=Exists(Need.objects.filter(**in_profile)),
            has_language=Exists(profiles.exclude(languages=[])),
            has_timezone=Exists(profiles.exclude(timezone="")),
        )
        .annotate(is_complete=ExpressionWrapper(COMPLETE, output_field=BooleanField()))
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    if status == "complete":
        rows = rows.filter(COMPLETE)
    elif status == "incomplete":
        rows = rows.exclude(COMPLETE)
    return rows


def cohort_profile_counts(*, cohort: Cohort) -> dict[str, int]:
    """{"total": enrolled members, "complete": those whose profile is complete}."""
    return cohort_profile_statuses(cohort=cohort).aggregate(
        total=Count("pk"), complete=Count("pk", filter=COMPLETE)
    )


def completeness_of_row(row: Enrolment) -> Completeness:
    """Completeness of a row of `cohort_profile_statuses` (no query)."""
    return completeness_from_flags(
        goal=row.has_goal,
        offer=row.has_offer,
        need=row.has_need,
        language=row.has_language,
        timezone=row.has_timezone,
        career_stage=True,
        role=True,
        about=True,
        cadence=True,
        medium=True,
    )


# Wished partners ---------------------------------------------------------------------------

# The profile form suggests at most this many cohort mates; any other one can still be typed.
COHORT_MATES_LISTED = 300


def cohort_mates(*, organization: Organization, user: User) -> QuerySet[User]:
    """The other members enrolled in a cohort of `organization` that `user` is enrolled in:
    the only people a member may name as their wished partner."""
    cohorts = Enrolment.objects.filter(user=user, cohort__organization=organization).values(
        "cohort_id"
    )
    return (
        User.objects.filter(enrolments__cohort_id__in=cohorts)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )
