"""The engine's plain data: what it takes (members and the rules) and what it returns (pairs
and trios with the reasons of each direction, unmatched members with their reason, stats).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

# --- Input and output. ---


@dataclass(frozen=True)
class MemberInput:
    """One cohort member. ``name`` is only carried for display (e.g. explain's names)."""

    id: int
    offers: Mapping[int, int]  # tag id -> level 1..5
    needs: Mapping[int, int]  # tag id -> priority 1..5
    languages: frozenset[str]
    department: str = ""
    utc_offset_minutes: int | None = None
    cadence: str = ""
    name: str = ""
    career_stage: int | None = None  # 1 (early career) .. 5 (expert); None when unknown
    role: str = ""  # a role code such as "team_lead"; equal roles earn ROLE_POINTS


@dataclass(frozen=True)
class Rules:
    share_language: bool = True
    different_department: bool = True
    exclude_previous_partners: bool = True
    # Each entry is a set of member ids that were grouped together (2, or 3 for a trio).
    previous_pairs: frozenset[frozenset[int]] = frozenset()
    forbidden_pairs: frozenset[frozenset[int]] = frozenset()
    locked_pairs: tuple[tuple[int, ...], ...] = ()
    # Partners' career stages may differ by at most this many steps (None: no limit). A
    # member whose stage is unknown is not limited.
    max_stage_distance: int | None = None
    # Two members who each named the other: kept together when every rule allows the pair.
    preferred_pairs: frozenset[frozenset[int]] = frozenset()
    # Previous partners who both said they would pair again: the previous-partner rule does
    # not separate them.
    pair_again: frozenset[frozenset[int]] = frozenset()


@dataclass(frozen=True)
class TagMatch:
    """A tag the giver offers and the receiver needs."""

    tag_id: int
    level: int  # giver's offer level, 1..5
    priority: int  # receiver's need priority, 1..5


@dataclass(frozen=True)
class Direction:
    """What ``giver`` can do for ``receiver``."""

    giver: int
    receiver: int
    coverage: float  # 0..1, see the package docstring
    tags: tuple[TagMatch, ...]  # up to 3, largest priority·level first


@dataclass(frozen=True)
class PairResult:
    members: tuple[int, ...]  # 2, rarely 3 member ids, sorted
    score: float  # 0..100; a trio's is the mean of its three pairwise scores
    locked: bool
    reasons: tuple[Direction, ...]  # both directions for every two members of the group
    # What makes the members peers: their common role code ("" if they differ or one is
    # unknown) and how many career stages apart they are at most (None if one is unknown).
    shared_role: str = ""
    stage_gap: int | None = None
    wished: bool = False  # a preferred pair the rules allowed, kept together


@dataclass(frozen=True)
class Unmatched:
    member_id: int
    reason: str


@dataclass
class MatchResult:
    pairs: list[PairResult]
    unmatched: list[Unmatched]
    total_score: float  # sum of the pairs' scores, 0..100 each
    # members, locked_members, pool, graph ("full" or "candidates"), candidate_edges,
    # second_pass_pairs, matching_score (sum of the scores of the pairs the matcher chose,
    # before leftovers join them, locked pairs excluded), pairs, trios, unmatched,
    # and the seconds spent in each phase: score_seconds (validating, encoding and
    # scoring), candidates_seconds, matching_seconds, total_seconds.
    stats: dict = field(default_factory=dict)
    # With `suggestions_per_member`: member id -> ((partner id, score 0..100), ...) best first
    # (see `suggestions.best_partners`); members of locked groups have none.
    suggestions: dict[int, tuple[tuple[int, float], ...]] = field(default_factory=dict)
