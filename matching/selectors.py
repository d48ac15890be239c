"""Reads for matching: the engine's input, the review page, a member's partner and suggestions.

Who is matched
--------------
A run's pool is the cohort's enrolled members with a complete profile (an offer, a need, a
language and a time zone), minus those the run must not touch:

* scope "cohort": members of published or active pairs are left out; locked proposals are
  passed to the engine as locked groups (their members join the input even when their
  profile is incomplete, since a coordinator paired them by hand); the other proposals are
  replaced.
* scope "unpaired": members of any current pair (proposed, published or active) are left out.

Previous partners
-----------------
Two members count as previous partners when they were in one pair, in an earlier cohort
(one that starts before this one) of the same organization, that became active: status
active, or dissolved after it had been active (``activated_at`` set). A pair that was only
proposed, published or declined never mentored together, so it does not stop a new pairing.
A partnership that ended within this cohort (dissolved after it had been active) counts too, so
that re-matching the members without a partner gives both of its partners someone new.
"""

import datetime
import math
import zoneinfo
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Case, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, When

from accounts.models import Cohort, Enrolment, Membership, User
from profiles.models import Need, Offer, Profile

from . import engine
from .models import (
    MatchRun,
    MatchSettings,
    Pair,
    PairAgain,
    PairMember,
    PairRule,
    PartnerRequest,
    SuggestedPartners,
    UnmatchedMember,
)
from .wording import current_wording

CURRENT_STATUSES = (Pair.Status.PROPOSED, Pair.Status.PUBLISHED, Pair.Status.ACTIVE)
FIXED_STATUSES = (Pair.Status.PUBLISHED, Pair.Status.ACTIVE)
# A proposal is "weak" when it scores below this many points (out of 100) or is among the
# weakest tenth of the cohort's proposals: the ones a coordinator should look at first.
WEAK_SCORE = 20.0
WEAK_SHARE = 0.10
SUGGESTION_COUNT = 5
# How many best partners a run keeps per member for the suggestions (see SuggestedPartners).
SUGGESTIONS_KEPT = 20
# Without a run, a member's suggestions are scored on the spot only in a cohort this small.
FRESH_SCORING_LIMIT = 500
# The most members one search of the coordinator's member pickers returns.
SEARCH_LIMIT = 20


@dataclass
class MatchingInput:
    """Everything a run needs from the database, as plain engine data."""

    members: list[engine.MemberInput]
    rules: engine.Rules
    names: dict[int, str]
    tag_names: dict[int, str]
    emails: dict[int, str]
    # Locked proposals kept by a whole-cohort run: sorted member ids -> pair id.
    locked_pair_ids: dict[tuple[int, ...], int] = field(default_factory=dict)
    # Enrolled members left out because their profile is incomplete (and not otherwise paired).
    incomplete_user_ids: list[int] = field(default_factory=list)


# Settings --------------------------------------------------------------------------------


def match_settings_for(*, cohort: Cohort) -> MatchSettings:
    """The cohort's rules; the defaults (unsaved) until a coordinator saves them."""
    return MatchSettings.objects.filter(cohort=cohort).first() or MatchSettings(cohort=cohort)


# Engine input ----------------------------------------------------------------------------


def utc_offset_minutes(timezone_name: str, on: datetime.date) -> int | None:
    """The zone's UTC offset at noon on `on` (e.g. the cohort's start), or None if unknown."""
    if not timezone_name:
        return None
    try:
        zone = zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    offset = datetime.datetime.combine(on, datetime.time(12), tzinfo=zone).utcoffset()
    return int(offset.total_seconds() // 60)


def _tag_key(tag) -> int:
    # A merged tag counts as the tag that replaced it, so old offers still meet new needs.
    return tag.merged_into_id or tag.pk


def _profiles_with_tags(queryset: QuerySet[Profile]) -> QuerySet[Profile]:
    return queryset.select_related("user").prefetch_related(
        Prefetch("offers", queryset=Offer.objects.select_related("tag__merged_into")),
        Prefetch("needs", queryset=Need.objects.select_related("tag__merged_into")),
    )


def _member_input(profile: Profile | None, user: User, starts_on: datetime.date):
    if profile is None:
        return engine.MemberInput(
            id=user.pk, offers={}, needs={}, languages=frozenset(), name=user.display_name
        )
    offers: dict[int, int] = {}
    for offer in profile.offers.all():
        key = _tag_key(offer.tag)
        offers[key] = max(offers.get(key, 0), offer.level)
    needs: dict[int, int] = {}
    for need in profile.needs.all():
        key = _tag_key(need.tag)
        needs[key] = max(needs.get(key, 0), need.priority)
    return engine.MemberInput(
        id=user.pk,
        offers=offers,
        needs=needs,
        languages=frozenset(
            str(language).strip().casefold() for language in profile.languages if language
        ),
        department=profile.department.strip().casefold(),
        utc_offset_minutes=utc_offset_minutes(profile.timezone, starts_on),
        cadence=profile.cadence,
        name=user.display_name,
        career_stage=profile.career_stage,
        role=profile.role,
    )


def _tag_names(profiles) -> dict[int, str]:
    names = {}
    for profile in profiles:
        for item in [*profile.offers.all(), *profile.needs.all()]:
            tag = item.tag.merged_into or item.tag
            names[tag.pk] = tag.name
    return names


def _enrolled_user_ids(cohort: Cohort):
    return Enrolment.objects.filter(cohort=cohort).values("user_id")


def _paired_user_ids(cohort: Cohort, statuses):
    return PairMember.objects.filter(pair__cohort=cohort, pair__status__in=statuses).values(
        "user_id"
    )


def complete_profiles(*, cohort: Cohort) -> QuerySet[Profile]:
    """Complete profiles of the cohort's enrolled members."""
    return (
        Profile.objects.for_organization(cohort.organization)
        .filter(user_id__in=_enrolled_user_ids(cohort))
        .complete()
    )


def _previous_pair_rows(cohort: Cohort) -> QuerySet[PairMember]:
    """Members of this cohort who were active partners in an earlier cohort, or whose
    partnership ended in this one (its partners are re-matched with others)."""
    mentored = Q(pair__status=Pair.Status.ACTIVE) | Q(
        pair__status=Pair.Status.DISSOLVED, pair__activated_at__isnull=False
    )
    earlier = Q(pair__cohort__starts_on__lt=cohort.starts_on)
    ended_here = Q(
        pair__cohort=cohort, pair__status=Pair.Status.DISSOLVED, pair__activated_at__isnull=False
    )
    return PairMember.objects.filter(
        mentored & (earlier | ended_here),
        pair__organization_id=cohort.organization_id,
        user_id__in=_enrolled_user_ids(cohort),
    )


def previous_partner_groups(*, cohort: Cohort) -> frozenset[frozenset[int]]:
    """Groups of this cohort's members who were active partners in an earlier cohort, or whose
    partnership ended in this one."""
    groups: dict[int, set[int]] = {}
    for pair_id, user_id in _previous_pair_rows(cohort).values_list("pair_id", "user_id"):
        groups.setdefault(pair_id, set()).add(user_id)
    return frozenset(frozenset(group) for group in groups.values() if len(group) > 1)


def pair_again_groups(*, cohort: Cohort) -> frozenset[frozenset[int]]:
    """Two of this cohort's members who were partners in an earlier cohort and both said, in
    that cohort's closing survey, that they would pair again (two queries)."""
    rows = _previous_pair_rows(cohort).values_list("pair_id", "pair__cohort_id", "user_id")
    said = set(
        PairAgain.objects.filter(
            cohort__organization_id=cohort.organization_id,
            user_id__in=_enrolled_user_ids(cohort),
        ).values_list("cohort_id", "user_id")
    )
    willing: dict[int, set[int]] = {}
    for pair_id, pair_cohort_id, user_id in rows:
        if (pair_cohort_id, user_id) in said:
            willing.setdefault(pair_id, set()).add(user_id)
    return frozenset(
        frozenset(two) for group in willing.values() for two in combinations(sorted(group), 2)
    )


def _wishes(cohort: Cohort) -> set[tuple[int, int]]:
    """(member, wished partner) of this cohort's members who named another member of it."""
    enrolled = _enrolled_user_ids(cohort)
    return set(
        Profile.objects.for_organization(cohort.organization)
        .filter(user_id__in=enrolled, wished_partner_id__in=enrolled)
        .values_list("user_id", "wished_partner_id")
    )


def mutual_wish_pairs(*, cohort: Cohort) -> frozenset[frozenset[int]]:
    """Two members of the cohort who named each other as wished partners."""
    wishes = _wishes(cohort)
    return frozenset(frozenset(wish) for wish in wishes if wish[::-1] in wishes)


def ignored_wish_pairs(*, cohort: Cohort) -> frozenset[frozenset[int]]:
    """Mutual wishes a coordinator chose not to keep together."""
    rows = PairRule.objects.filter(cohort=cohort, kind=PairRule.Kind.IGNORE_WISH).values_list(
        "user_a_id", "user_b_id"
    )
    return frozenset(frozenset(row) for row in rows)


@dataclass(frozen=True)
class MutualWish:
    first: User
    second: User
    ignored: bool  # a coordinator chose not to keep them together
    forbidden: bool  # a coordinator forbade the pair, so no run keeps them together


def cohort_mutual_wishes(*, cohort: Cohort) -> list[MutualWish]:
    """The cohort's mutual wishes for the matching page, by the first member's name (a fixed
    number of queries). A member names one colleague, so a cohort has at most half as many
    mutual wishes as members."""
    pairs = mutual_wish_pairs(cohort=cohort)
    users = User.objects.in_bulk({user_id for pair in pairs for user_id in pair})
    ignored, forbidden = ignored_wish_pairs(cohort=cohort), forbidden_pairs(cohort=cohort)
    wishes = []
    for pair in pairs:
        first, second = sorted((users[user_id] for user_id in pair), key=_person_order)
        wishes.append(MutualWish(first, second, pair in ignored, pair in forbidden))
    return sorted(wishes, key=lambda wish: (_person_order(wish.first), wish.second.pk))


def _person_order(user: User) -> tuple:
    return (user.first_name.casefold(), user.last_name.casefold(), user.email, user.pk)


def forbidden_pairs(*, cohort: Cohort) -> frozenset[frozenset[int]]:
    rows = PairRule.objects.filter(cohort=cohort, kind=PairRule.Kind.FORBID).values_list(
        "user_a_id", "user_b_id"
    )
    return frozenset(frozenset(row) for row in rows)


def locked_proposals(*, cohort: Cohort) -> dict[tuple[int, ...], int]:
    """The cohort's locked proposals: sorted member ids -> pair id."""
    rows = PairMember.objects.filter(
        pair__cohort=cohort, pair__status=Pair.Status.PROPOSED, pair__locked=True
    ).values_list("pair_id", "user_id")
    groups: dict[int, list[int]] = {}
    for pair_id, user_id in rows:
        groups.setdefault(pair_id, []).append(user_id)
    return {tuple(sorted(users)): pair_id for pair_id, users in groups.items() if len(users) > 1}


def rules_for(*, cohort: Cohort, locked=()) -> engine.Rules:
    settings = match_settings_for(cohort=cohort)
    preferred = frozenset()
    if settings.honour_wishes:
        preferred = mutual_wish_pairs(cohort=cohort) - ignored_wish_pairs(cohort=cohort)
    return engine.Rules(
        share_language=settings.share_language,
        different_department=settings.different_department,
        exclude_previous_partners=settings.exclude_previous_partners,
        previous_pairs=previous_partner_groups(cohort=cohort),
        forbidden_pairs=forbidden_pairs(cohort=cohort),
        locked_pairs=tuple(locked),
        max_stage_distance=settings.stage_distance,
        preferred_pairs=preferred,
        pair_again=pair_again_groups(cohort=cohort) if settings.allow_pair_again else frozenset(),
    )


def matching_input(*, cohort: Cohort, scope: str = MatchRun.Scope.COHORT) -> MatchingInput:
    """The engine's members and rules for a run on `cohort` (a constant number of queries)."""
    whole_cohort = scope == MatchRun.Scope.COHORT
    locked = locked_proposals(cohort=cohort) if whole_cohort else {}
    locked_user_ids = {user_id for group in locked for user_id in group}
    excluded = _paired_user_ids(cohort, FIXED_STATUSES if whole_cohort else CURRENT_STATUSES)
    complete = complete_profiles(cohort=cohort).exclude(user_id__in=excluded)
    profiles = list(
        _profiles_with_tags(
            Profile.objects.for_organization(cohort.organization).filter(
                Q(pk__in=complete.values("pk")) | Q(user_id__in=locked_user_ids)
            )
        )
    )
    with_profile = {profile.user_id for profile in profiles}
    without_profile = list(User.objects.filter(pk__in=locked_user_ids - with_profile))
    members = [_member_input(p, p.user, cohort.starts_on) for p in profiles]
    members += [_member_input(None, user, cohort.starts_on) for user in without_profile]
    users = [p.user for p in profiles] + without_profile
    incomplete = (
        Enrolment.objects.filter(cohort=cohort)
        .exclude(user_id__in=excluded)
        .exclude(user_id__in=complete.values("user_id"))
        .exclude(user_id__in=locked_user_ids)
        .values_list("user_id", flat=True)
    )
    return MatchingInput(
        members=sorted(members, key=lambda member: member.id),
        rules=rules_for(cohort=cohort, locked=sorted(locked)),
        names={user.pk: user.display_name for user in users},
        tag_names=_tag_names(profiles),
        emails={user.pk: user.email for user in users},
        locked_pair_ids=locked,
        incomplete_user_ids=sorted(incomplete),
    )


def members_input(*, cohort: Cohort, users: list[User]) -> MatchingInput:
    """Engine members for the given users whatever their profile (for pairs made by hand)."""
    profiles = _profiles_with_tags(
        Profile.objects.for_organization(cohort.organization).filter(user__in=users)
    )
    by_user = {profile.user_id: profile for profile in profiles}
    members = [_member_input(by_user.get(user.pk), user, cohort.starts_on) for user in users]
    return MatchingInput(
        members=members,
        rules=engine.Rules(
            share_language=False, different_department=False, exclude_previous_partners=False
        ),
        names={user.pk: user.display_name for user in users},
        tag_names=_tag_names(by_user.values()),
        emails={user.pk: user.email for user in users},
    )


def group_result(data: MatchingInput, member_ids) -> engine.PairResult:
    """The engine's score and reasons for a given group, ignoring the rules.

    A locked group is kept exactly as given and scored, which is what a group that a
    coordinator or the members themselves chose needs.
    """
    ids = tuple(sorted(member_ids))
    chosen = [member for member in data.members if member.id in ids]
    rules = engine.Rules(
        share_language=False,
        different_department=False,
        exclude_previous_partners=False,
        locked_pairs=(ids,),
    )
    (pair,) = engine.match(chosen, rules).pairs
    return pair


# Coordinator's review page ---------------------------------------------------------------


def _with_members(queryset: QuerySet[Pair]) -> QuerySet[Pair]:
    return queryset.prefetch_related(
        Prefetch("members", queryset=PairMember.objects.select_related("user"))
    )


def cohort_proposals(*, cohort: Cohort, weakest_first: bool = True) -> QuerySet[Pair]:
    order = ["score", "pk"] if weakest_first else ["-score", "pk"]
    return _with_members(
        Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED).order_by(*order)
    )


def cohort_published_pairs(*, cohort: Cohort) -> QuerySet[Pair]:
    """Pairs members have seen: declined first (they need a new partner), then those
    awaiting answers, active, and dissolved."""
    order = Case(
        When(status=Pair.Status.DECLINED, then=0),
        When(status=Pair.Status.PUBLISHED, then=1),
        When(status=Pair.Status.ACTIVE, then=2),
        default=3,
    )
    return _with_members(
        Pair.objects.filter(cohort=cohort)
        .exclude(status=Pair.Status.PROPOSED)
        .exclude(status=Pair.Status.DISSOLVED, published_at__isnull=True)
        .order_by(order, "score", "pk")
    )


def mark_weak(*, cohort: Cohort, pairs) -> None:
    """Set `is_weak` on each proposal: below WEAK_SCORE, or among the cohort's weakest tenth.

    The tenth is only taken once there are ten proposals, so that a small cohort's best
    proposal is never flagged just for being last.
    """
    proposals = Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED)
    count = proposals.count()
    cutoff = None
    if count >= 1 / WEAK_SHARE:
        position = math.ceil(count * WEAK_SHARE) - 1
        cutoff = proposals.order_by("score", "pk").values_list("score", flat=True)[position]
    for pair in pairs:
        pair.is_weak = pair.score < WEAK_SCORE or (cutoff is not None and pair.score <= cutoff)


# The publish page lists at most this many weak proposals, weakest first.
WEAK_LISTED = 10


def weak_proposals(*, cohort: Cohort) -> list[Pair]:
    """The cohort's weak proposals (see `mark_weak`), weakest first, at most WEAK_LISTED."""
    weakest = list(cohort_proposals(cohort=cohort, weakest_first=True)[:WEAK_LISTED])
    mark_weak(cohort=cohort, pairs=weakest)
    return [pair for pair in weakest if pair.is_weak]


def latest_run(*, cohort: Cohort) -> MatchRun | None:
    return MatchRun.objects.filter(cohort=cohort).select_related("started_by").first()


def run_in_progress(*, cohort: Cohort) -> MatchRun | None:
    return (
        MatchRun.objects.filter(
            cohort=cohort, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
        )
        .order_by("-created_at")
        .first()
    )


def unpaired_members(*, cohort: Cohort) -> QuerySet[User]:
    """Enrolled members who are not in a current pair (whatever their profile), each with
    `unmatched_reason` (why the latest finished run left them out, if it did) and
    `last_pair_status` (of their latest pair in the cohort: declined, dissolved, or None)."""
    latest_finished = MatchRun.objects.filter(
        cohort=cohort, status__in=[MatchRun.Status.DONE, MatchRun.Status.PUBLISHED]
    ).values("pk")[:1]
    reason = UnmatchedMember.objects.filter(
        run_id=Subquery(latest_finished), user_id=OuterRef("pk")
    ).values("reason")[:1]
    last_pair_status = (
        PairMember.objects.filter(pair__cohort=cohort, user_id=OuterRef("pk"))
        .order_by("-pair__created_at", "-pair_id")
        .values("pair__status")[:1]
    )
    return (
        User.objects.filter(pk__in=_enrolled_user_ids(cohort))
        .exclude(pk__in=_paired_user_ids(cohort, CURRENT_STATUSES))
        .annotate(unmatched_reason=Subquery(reason), last_pair_status=Subquery(last_pair_status))
        .order_by("first_name", "last_name", "email")
    )


def unpaired_member_search(*, cohort: Cohort, query: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """At most `limit` enrolled members without a partner whose name or email address contains
    every word of `query`, for the coordinator's member pickers."""
    words = query.split()[:5]
    if not words:
        return []
    members = User.objects.filter(pk__in=_enrolled_user_ids(cohort)).exclude(
        pk__in=_paired_user_ids(cohort, CURRENT_STATUSES)
    )
    for word in words:
        members = members.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    members = members.order_by("first_name", "last_name", "email")[:limit]
    return [
        {"id": user.pk, "name": user.display_name, "email": user.email}
        for user in members.only("pk", "first_name", "last_name", "email", "is_active")
    ]


def cohort_members(*, cohort: Cohort) -> QuerySet[User]:
    return User.objects.filter(pk__in=_enrolled_user_ids(cohort))


def run_status(*, run: MatchRun) -> dict:
    """What the matching page's poller needs to know about a run."""
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "progress": run.progress,
        "note": run.progress_note,
        "finished": run.is_finished,
        "error": run.error,
    }


def matching_counts(*, cohort: Cohort) -> dict[str, int]:
    """Headline figures of the matching page."""
    pairs = Pair.objects.filter(cohort=cohort).aggregate(
        proposed=Count("pk", filter=Q(status=Pair.Status.PROPOSED)),
        published=Count("pk", filter=Q(status=Pair.Status.PUBLISHED)),
        active=Count("pk", filter=Q(status=Pair.Status.ACTIVE)),
        declined=Count("pk", filter=Q(status=Pair.Status.DECLINED)),
    )
    # Both profile counts in one pass: each reads every profile of the cohort.
    profiles = complete_profiles(cohort=cohort).aggregate(
        complete=Count("pk"),
        unpaired_complete=Count(
            "pk", filter=~Q(user_id__in=_paired_user_ids(cohort, CURRENT_STATUSES))
        ),
    )
    return {
        "enrolled": Enrolment.objects.filter(cohort=cohort).count(),
        **profiles,
        **pairs,
    }


def cohort_coordinators(*, cohort: Cohort) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organization=cohort.organization,
        memberships__role=Membership.Role.COORDINATOR,
    )


# A member's own pair ---------------------------------------------------------------------


def member_pair(*, cohort: Cohort, user: User) -> Pair | None:
    """The member's pair in the cohort that they can see: awaiting answers, active, or the
    latest declined one (so they know what happened). Proposals are not shown before
    publication."""
    pairs = _with_members(
        Pair.objects.filter(cohort=cohort, members__user=user).exclude(status=Pair.Status.PROPOSED)
    ).exclude(status=Pair.Status.DISSOLVED, published_at__isnull=True)
    pair = pairs.filter(status__in=FIXED_STATUSES).order_by("-created_at").first()
    pair = pair or pairs.order_by("-created_at").first()
    if pair is not None:
        pair.me = next(member for member in pair.members.all() if member.user_id == user.pk)
    return pair


def matching_in_progress(*, cohort: Cohort) -> bool:
    """Whether the coordinators are working on a matching members haven't seen yet."""
    return (
        Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED).exists()
        or run_in_progress(cohort=cohort) is not None
    )


def partner_profiles(*, pair: Pair, user: User) -> list[tuple[PairMember, Profile | None]]:
    """The other members of `pair` with their profiles in the pair's organization."""
    others = [member for member in pair.members.all() if member.user_id != user.pk]
    profiles = Profile.objects.for_organization(pair.organization_id).filter(
        user_id__in=[member.user_id for member in others]
    )
    profiles = profiles.prefetch_related(
        Prefetch("offers", queryset=Offer.objects.select_related("tag")),
        Prefetch("needs", queryset=Need.objects.select_related("tag")),
    )
    by_user = {profile.user_id: profile for profile in profiles}
    return [(member, by_user.get(member.user_id)) for member in others]


# Suggestions and requests ----------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    user: User
    score: float
    explanation: str


def is_paired(*, cohort: Cohort, user: User) -> bool:
    return PairMember.objects.filter(
        pair__cohort=cohort, pair__status__in=CURRENT_STATUSES, user=user
    ).exists()


def _ranked_candidates(*, cohort: Cohort, user: User):
    """(engine input, [(score, member id)] best first), or None when `user` can't be suggested
    partners: no complete profile, or a partner already.

    Scores come from the engine's score matrix on the cohort's unpaired members with a
    complete profile, with the cohort's rules; pairs the rules forbid are left out.
    """
    data = matching_input(cohort=cohort, scope=MatchRun.Scope.UNPAIRED)
    ids = [member.id for member in data.members]
    if user.pk not in ids:
        return None
    row = ids.index(user.pk)
    scores = engine.score_matrix(engine.encode(data.members), data.rules)[row]
    ranked = sorted(
        ((-float(score), member_id) for member_id, score in zip(ids, scores, strict=True)),
    )
    return data, [(-negative, member_id) for negative, member_id in ranked if negative <= 0]


class SuggestionList(list):
    """Suggestions, and whether the cohort is too big to score without a matching run."""

    waiting_for_run = False


def _free_to_pair(cohort: Cohort, user_ids) -> set[int]:
    """Those of `user_ids` who can be suggested: enrolled, a complete profile, no current pair."""
    return set(
        complete_profiles(cohort=cohort)
        .filter(user_id__in=list(user_ids))
        .exclude(user_id__in=_paired_user_ids(cohort, CURRENT_STATUSES))
        .values_list("user_id", flat=True)
    )


def stored_partners(*, cohort: Cohort, user: User) -> list[tuple[int, float]] | None:
    """The member's best partners as the latest run that scored them kept them, or None."""
    partners = (
        SuggestedPartners.objects.filter(run__cohort=cohort, user=user)
        .order_by("-run__created_at", "-run_id")
        .values_list("partners", flat=True)
        .first()
    )
    return None if partners is None else [(int(pk), float(score)) for pk, score in partners]


def member_suggestions(
    *, cohort: Cohort, user: User, limit: int = SUGGESTION_COUNT
) -> SuggestionList | None:
    """The member's best partners among the unpaired, with the engine's explanation; None
    when the member can't be suggested partners (no complete profile, or a partner already).

    The candidates come from the latest matching run that scored the member (see
    `SuggestedPartners`), less those who have found a partner since or were forbidden since;
    only the few shown are scored again, for their explanation. Without a run, a cohort of at
    most FRESH_SCORING_LIMIT members is scored on the spot; a bigger one waits for a run.
    """
    if not _free_to_pair(cohort, [user.pk]):
        return None
    stored = stored_partners(cohort=cohort, user=user)
    if stored is None:
        # More than the limit? Reads at most one row past it, not the whole cohort.
        if complete_profiles(cohort=cohort)[FRESH_SCORING_LIMIT:].exists():
            waiting = SuggestionList()
            waiting.waiting_for_run = True
            return waiting
        ranked = _ranked_candidates(cohort=cohort, user=user)
        stored = [(member_id, score) for score, member_id in ranked[1]] if ranked else []
    order = [member_id for member_id, _score in stored if member_id != user.pk]
    free = _free_to_pair(cohort, order)
    forbidden = {pk for rule in forbidden_pairs_of(cohort=cohort, user=user) for pk in rule}
    chosen = [pk for pk in order if pk in free and pk not in forbidden][:limit]
    if not chosen:
        return SuggestionList()
    users = User.objects.in_bulk([user.pk, *chosen])
    data = members_input(cohort=cohort, users=[users[pk] for pk in [user.pk, *chosen]])
    wording = current_wording()
    suggestions = []
    for member_id in chosen:
        pair = group_result(data, (user.pk, member_id))
        explanation = engine.explain(pair, data.names, data.tag_names, wording)
        suggestions.append(Suggestion(users[member_id], pair.score, explanation))
    # Scored again on today's profiles: the order follows these scores (stable for ties).
    return SuggestionList(sorted(suggestions, key=lambda suggestion: -suggestion.score))


def forbidden_pairs_of(*, cohort: Cohort, user: User) -> list[tuple[int, int]]:
    return list(
        PairRule.objects.filter(cohort=cohort, kind=PairRule.Kind.FORBID)
        .filter(Q(user_a=user) | Q(user_b=user))
        .values_list("user_a_id", "user_b_id")
    )


def may_request(*, cohort: Cohort, from_user: User, to_user: User) -> bool:
    """Whether the rules allow the two (both unpaired, complete profiles) to pair up.

    Only the two members are scored, with the cohort's rules, whatever the cohort's size.
    """
    if from_user.pk == to_user.pk or _free_to_pair(cohort, [from_user.pk, to_user.pk]) != {
        from_user.pk,
        to_user.pk,
    }:
        return False
    members = members_input(cohort=cohort, users=[from_user, to_user]).members
    scores = engine.score_matrix(engine.encode(members), rules_for(cohort=cohort))
    return bool(scores[0, 1] >= 0)


def incoming_requests(*, cohort: Cohort, user: User) -> QuerySet[PartnerRequest]:
    return PartnerRequest.objects.filter(
        cohort=cohort, to_user=user, status=PartnerRequest.Status.PENDING
    ).select_related("from_user")


def outgoing_requests(*, cohort: Cohort, user: User) -> QuerySet[PartnerRequest]:
    return PartnerRequest.objects.filter(cohort=cohort, from_user=user).select_related("to_user")
