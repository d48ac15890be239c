"""Pure matching engine: pairs the members of a peer-mentoring cohort.

Every member is both a mentor and a protégé, so this is not a bipartite mentor→mentee
assignment: pairs are chosen by a maximum-weight matching on the general graph of the
whole cohort. The module imports no Django: plain dataclasses in, plain dataclasses out.

Score
-----
What member A can do for member B, over B's needs (tag t with priority p_t in 1..5) and
A's offer level on each of them (level_A(t) in 1..5, 0 when A does not offer t)::

    coverage(A→B) = Σ_t p_t · level_A(t)/5  /  Σ_t p_t        (0..1; 0 when B needs nothing)

Both directions are combined with their harmonic mean, so a pair only scores well when
each member can do something for the other; a one-sided pair scores far below a mutual
one even when its one-way value is larger::

    mutual(A, B) = 2·x·y / (x + y),   x = coverage(A→B), y = coverage(B→A)   (0 if x or y is 0)

The pair score is out of 100 points::

    score(A, B) = 93 · mutual(A, B)
                +  5 · max(0, 1 − Δtz / 8 h)      Δtz: clock distance between the two UTC
                                                   offsets, modulo 24 h; 0 if either unknown
                +  2 · [same preferred cadence]   both set and equal

The score is symmetric. A trio scores the mean of its three pairwise scores.

Rules
-----
A pair is not allowed when the two members share no language (``share_language``), are in
the same non-empty department (``different_department``), were partners before
(``exclude_previous_partners``), or are a forbidden pair. Locked pairs and trios are kept
exactly as given, even when they break a rule, and their members take no further part.

Matching
--------
Maximum cardinality first (as many members as possible get a partner), then maximum total
score, with rustworkx's exact blossom algorithm on integer weights
(``round(score / 100 · 10⁶) + 1``, so an allowed pair of score 0 is still an edge).

* A pool of at most ``exact_below`` members is matched on the full graph of allowed pairs:
  the result is optimal.
* A larger pool is matched on a candidate graph: every member keeps its ``k`` best partners
  ranked by the normalised score ``w_ab / sqrt(t_a · t_b)``, where ``t`` is each member's own
  k-th best score. Raw top-k lists fill up with the same few popular members in big cohorts
  and leave others without candidates; the normalisation ranks partners by how good the pair
  is for both of them relative to their own prospects. The matcher still optimises the raw
  scores. Members left unmatched who still have allowed partners among themselves are then
  matched on their full allowed graph, so nobody stays alone while another leftover could
  still be their partner.

A member left over (odd counts, or partners all taken) who is allowed with both members of
an unlocked pair joins the pair where ``score(x, a) + score(x, b)`` is highest, making a
trio; each pair takes at most one extra member. Members no rule allows to pair are reported
with the reason.

The result only depends on the input set, not its order: members are sorted by id and ties
are broken by id.
"""

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import rustworkx as rx

# --- Wording. Kept together so the Django layer can wrap each string for translation. ---

LEVEL_LABELS = {1: "basic", 2: "developing", 3: "proficient", 4: "advanced", 5: "expert"}
PRIORITY_PHRASES = {5: "needs most", 4: "needs a lot"}
PRIORITY_PHRASE_DEFAULT = "needs"

OFFER_CLAUSE = "{giver} offers {items}"
OFFER_ITEM = "{tag} ({level}), which {receiver} {need}"
NOTHING_OFFERED_CLAUSE = "{giver} has nothing {receiver} asked for"
PAIR_SENTENCE = "{first}; {second}."
LIST_SEPARATOR = ", "
LIST_LAST_SEPARATOR = ", and "

REASON_ALONE = "no other member is available to pair with"
REASON_NO_LANGUAGE_LISTED = "has no language listed, so shares none with any other member"
REASON_NO_SHARED_LANGUAGE = "shares no language with any other member"
REASON_SAME_DEPARTMENT = "every possible partner is in the same department"
REASON_ALL_PREVIOUS = "has already been paired with every possible partner"
REASON_ALL_FORBIDDEN = "every possible partner is in a forbidden pair with them"
REASON_RULES_COMBINED = "no partner allowed by the rules is left ({details})"
REASON_RULE_COUNT = "{rule}: {count}"
RULE_LABELS = {
    "language": "no shared language",
    "department": "same department",
    "previous": "previous partner",
    "forbidden": "forbidden pair",
}
REASON_PARTNERS_TAKEN = (
    "every partner the rules allow is already paired, and no pair can take them as a third member"
)


@dataclass(frozen=True)
class Wording:
    """The phrases above, as explain() and the unmatched reasons use them. English by default;
    the Django layer passes a translated copy (`matching.wording.current_wording`)."""

    level_labels: Mapping[int, str] = field(default_factory=lambda: dict(LEVEL_LABELS))
    priority_phrases: Mapping[int, str] = field(default_factory=lambda: dict(PRIORITY_PHRASES))
    priority_phrase_default: str = PRIORITY_PHRASE_DEFAULT
    offer_clause: str = OFFER_CLAUSE
    offer_item: str = OFFER_ITEM
    nothing_offered_clause: str = NOTHING_OFFERED_CLAUSE
    pair_sentence: str = PAIR_SENTENCE
    list_separator: str = LIST_SEPARATOR
    list_last_separator: str = LIST_LAST_SEPARATOR
    reason_alone: str = REASON_ALONE
    reason_no_language_listed: str = REASON_NO_LANGUAGE_LISTED
    reason_no_shared_language: str = REASON_NO_SHARED_LANGUAGE
    reason_same_department: str = REASON_SAME_DEPARTMENT
    reason_all_previous: str = REASON_ALL_PREVIOUS
    reason_all_forbidden: str = REASON_ALL_FORBIDDEN
    reason_rules_combined: str = REASON_RULES_COMBINED
    reason_rule_count: str = REASON_RULE_COUNT
    rule_labels: Mapping[str, str] = field(default_factory=lambda: dict(RULE_LABELS))
    reason_partners_taken: str = REASON_PARTNERS_TAKEN


ENGLISH = Wording()

# --- Score and matching parameters. ---

COMPLEMENTARITY_POINTS = 93.0
TIMEZONE_POINTS = 5.0
CADENCE_POINTS = 2.0
TIMEZONE_ZERO_AT_MINUTES = 8 * 60
MAX_LEVEL = 5
MAX_REASON_TAGS = 3

DEFAULT_CANDIDATES_PER_MEMBER = 30
# The full graph of 500 members is solved exactly in about 0.25 s; beyond that the
# blossom algorithm's cost grows quickly while the candidate graph stays within 0.1 %.
DEFAULT_EXACT_BELOW = 500

NOT_ALLOWED = np.float32(-1.0)
WEIGHT_SCALE = 1_000_000
# Bounds the float32 temporaries of one row block (elements, i.e. 16 MB each).
BLOCK_ELEMENTS = 1 << 22
# A member whose k-th best score is 0 would divide by zero when normalising; this floor
# (0.01 points) instead puts them high in the lists of everyone they score above 0 with,
# which is what a member with few good partners needs.
NORMALISATION_FLOOR = 1e-4
MINUTES_PER_DAY = 24 * 60


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


@dataclass(frozen=True)
class Rules:
    share_language: bool = True
    different_department: bool = True
    exclude_previous_partners: bool = True
    # Each entry is a set of member ids that were grouped together (2, or 3 for a trio).
    previous_pairs: frozenset[frozenset[int]] = frozenset()
    forbidden_pairs: frozenset[frozenset[int]] = frozenset()
    locked_pairs: tuple[tuple[int, ...], ...] = ()


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
    coverage: float  # 0..1, see the module docstring
    tags: tuple[TagMatch, ...]  # up to 3, largest priority·level first


@dataclass(frozen=True)
class PairResult:
    members: tuple[int, ...]  # 2, rarely 3 member ids, sorted
    score: float  # 0..100; a trio's is the mean of its three pairwise scores
    locked: bool
    reasons: tuple[Direction, ...]  # both directions for every two members of the group


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


# --- Phases. match() runs them in order; they are public so they can be timed. ---


@dataclass(frozen=True, eq=False)
class CohortArrays:
    """Members as arrays, one row per member, in the order given to encode()."""

    ids: np.ndarray  # (n,) int64
    needs: np.ndarray  # (n, tags) float32: priority / sum of the member's priorities
    offers: np.ndarray  # (n, tags) float32: level / 5
    languages: np.ndarray  # (n, words) uint64 bitmask of languages
    departments: np.ndarray  # (n,) int64 code, -1 when empty
    utc_offsets: np.ndarray  # (n,) float32 minutes, NaN when unknown
    cadences: np.ndarray  # (n,) int64 code, -1 when empty

    def take(self, rows: np.ndarray) -> "CohortArrays":
        return CohortArrays(
            ids=self.ids[rows],
            needs=self.needs[rows],
            offers=self.offers[rows],
            languages=self.languages[rows],
            departments=self.departments[rows],
            utc_offsets=self.utc_offsets[rows],
            cadences=self.cadences[rows],
        )


def encode(members: Sequence[MemberInput]) -> CohortArrays:
    """Turn members into the arrays the score is computed on (rows in the given order)."""
    for member in members:
        _check_scale(member, member.offers, "offer level")
        _check_scale(member, member.needs, "need priority")
    n = len(members)
    # Only tags somebody offers and somebody needs can contribute to a coverage; the other
    # needs still count in each member's total priority.
    offered = {tag for member in members for tag in member.offers}
    needed = {tag for member in members for tag in member.needs}
    column = {tag: i for i, tag in enumerate(sorted(offered & needed))}
    needs = np.zeros((n, len(column)), dtype=np.float32)
    offers = np.zeros((n, len(column)), dtype=np.float32)
    for row, member in enumerate(members):
        total_priority = sum(member.needs.values())
        for tag, priority in member.needs.items():
            if tag in column:
                needs[row, column[tag]] = priority / total_priority
        for tag, level in member.offers.items():
            if tag in column:
                offers[row, column[tag]] = level / MAX_LEVEL

    bit = {
        lang: i for i, lang in enumerate(sorted({lang for m in members for lang in m.languages}))
    }
    words = max(1, -(-len(bit) // 64))
    languages = np.zeros((n, words), dtype=np.uint64)
    for row, member in enumerate(members):
        mask = sum(1 << bit[lang] for lang in member.languages)
        for word in range(words):
            languages[row, word] = (mask >> (64 * word)) & 0xFFFF_FFFF_FFFF_FFFF

    return CohortArrays(
        ids=np.array([member.id for member in members], dtype=np.int64),
        needs=needs,
        offers=offers,
        languages=languages,
        departments=_codes([member.department for member in members]),
        utc_offsets=np.array(
            [np.nan if m.utc_offset_minutes is None else m.utc_offset_minutes for m in members],
            dtype=np.float32,
        ),
        cadences=_codes([member.cadence for member in members]),
    )


def score_matrix(cohort: CohortArrays, rules: Rules) -> np.ndarray:
    """All pair scores as an (n, n) float32 matrix on the 0..1 scale (points / 100).

    Pairs the rules do not allow, and the diagonal, hold NOT_ALLOWED (-1). The matrix is
    filled by row blocks over its upper triangle and mirrored, so it is exactly symmetric
    and the temporaries stay bounded whatever the cohort size.
    """
    n = len(cohort.ids)
    scores = np.empty((n, n), dtype=np.float32)
    for rows in _row_blocks(n):
        cols = slice(rows.start, n)
        tile = _pair_scores(cohort, rows, cols)
        tile[~_rule_mask(cohort, rules, rows, cols)] = NOT_ALLOWED
        scores[rows, cols] = tile
        size = rows.stop - rows.start
        scores[rows.stop :, rows] = tile[:, size:].T
        # Both triangles of the diagonal block were computed, and the two directions of a
        # pair come from different products that may round differently: keep the upper one.
        diagonal = scores[rows, rows]
        upper, lower = np.triu_indices(size, 1)
        diagonal[lower, upper] = diagonal[upper, lower]
    np.fill_diagonal(scores, NOT_ALLOWED)
    for first, second in _pair_rules(cohort, rules).values():
        scores[first, second] = NOT_ALLOWED
        scores[second, first] = NOT_ALLOWED
    return scores


def full_graph_edges(scores: np.ndarray) -> np.ndarray:
    """Every allowed pair (i < j) as rows of an (edges, 2) array."""
    return np.argwhere(np.triu(scores >= 0, 1))


def candidate_edges(scores: np.ndarray, per_member: int) -> np.ndarray:
    """Union of every member's top ``per_member`` partners by normalised score, (edges, 2).

    See the module docstring for why the ranking is normalised.
    """
    n = len(scores)
    k = min(per_member, n - 1)
    if k < 1:
        return np.empty((0, 2), dtype=np.intp)
    kth_best = np.empty(n, dtype=np.float32)
    for rows in _row_blocks(n):
        tile = scores[rows]
        kth = np.partition(tile, n - k, axis=1)[:, n - k]
        # With fewer than k allowed partners all of them are candidates anyway; the weakest
        # one stands for the member's own scale.
        short = kth < 0
        if short.any():
            kth[short] = np.where(tile[short] >= 0, tile[short], np.inf).min(axis=1)
        kth_best[rows] = kth
    # Members without any allowed partner get 1: their column is never a candidate anyway.
    kth_best[~np.isfinite(kth_best)] = 1.0
    scale = np.sqrt(np.maximum(kth_best, NORMALISATION_FLOOR))

    codes = []
    for rows in _row_blocks(n):
        tile = scores[rows]
        normalised = np.where(tile >= 0, tile / np.outer(scale[rows], scale), -np.inf)
        top = np.argpartition(normalised, n - k, axis=1)[:, n - k :]
        first = np.repeat(np.arange(rows.start, rows.stop), k)
        second = top.ravel()
        allowed = scores[first, second] >= 0
        low = np.minimum(first, second)[allowed]
        high = np.maximum(first, second)[allowed]
        codes.append(low.astype(np.int64) * n + high)
    unique = np.unique(np.concatenate(codes))
    return np.column_stack((unique // n, unique % n)).astype(np.intp)


def solve(scores: np.ndarray, edges: np.ndarray) -> tuple[list[tuple[int, int]], int]:
    """Maximum-cardinality, maximum-score matching on ``edges``; rows of ``scores``.

    Returns the sorted pairs (i < j) and how many of them the second pass added: members the
    candidate graph left unmatched are matched on their full allowed graph among themselves.
    """
    pairs = _blossom(scores, edges)
    matched = np.zeros(len(scores), dtype=bool)
    matched[np.array(pairs, dtype=np.intp).ravel()] = True
    left = np.flatnonzero(~matched)
    extra: list[tuple[int, int]] = []
    if len(left) > 1:
        among_left = np.argwhere(np.triu(scores[np.ix_(left, left)] >= 0, 1))
        if len(among_left):
            extra = _blossom(scores, left[among_left])
    return sorted(pairs + extra), len(extra)


def match(
    members: Sequence[MemberInput],
    rules: Rules,
    *,
    candidates_per_member: int = DEFAULT_CANDIDATES_PER_MEMBER,
    exact_below: int = DEFAULT_EXACT_BELOW,
    wording: Wording | None = None,
) -> MatchResult:
    """Pair the cohort; see the module docstring for the score and the method."""
    if candidates_per_member < 1:
        raise ValueError("candidates_per_member must be at least 1")
    started = time.perf_counter()
    ordered = sorted(members, key=lambda member: member.id)
    ids = [member.id for member in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("member ids must be unique")
    position = {member_id: row for row, member_id in enumerate(ids)}
    locked_groups = _locked_groups(rules.locked_pairs, position)
    cohort = encode(ordered)

    in_locked = {row for group in locked_groups for row in group}
    pool_rows = np.array(
        [row for row in range(len(ordered)) if row not in in_locked], dtype=np.intp
    )
    pool = cohort.take(pool_rows)

    scores = score_matrix(pool, rules)
    scored = time.perf_counter()
    exact = len(pool_rows) <= exact_below
    edges = full_graph_edges(scores) if exact else candidate_edges(scores, candidates_per_member)
    candidates_built = time.perf_counter()
    matched, second_pass_pairs = solve(scores, edges)
    solved = time.perf_counter()
    groups, leftovers = _attach_leftovers(scores, matched)

    results = [
        _pair_result(
            ordered, tuple(int(row) for row in group), _group_score(cohort, group), locked=True
        )
        for group in locked_groups
    ]
    for group in groups:
        pair_scores = [float(scores[a, b]) for a, b in combinations(group, 2)]
        results.append(
            _pair_result(
                ordered,
                tuple(int(pool_rows[i]) for i in group),
                sum(pair_scores) / len(pair_scores),
                locked=False,
            )
        )
    results.sort(key=lambda pair: pair.members)
    unmatched = _unmatched(pool, rules, scores, leftovers, wording or ENGLISH)

    finished = time.perf_counter()
    return MatchResult(
        pairs=results,
        unmatched=unmatched,
        total_score=sum(pair.score for pair in results),
        stats={
            "members": len(ordered),
            "locked_members": len(in_locked),
            "pool": len(pool_rows),
            "graph": "full" if exact else "candidates",
            "candidate_edges": len(edges),
            "second_pass_pairs": second_pass_pairs,
            "matching_score": 100 * sum(float(scores[a, b]) for a, b in matched),
            "pairs": sum(len(pair.members) == 2 for pair in results),
            "trios": sum(len(pair.members) == 3 for pair in results),
            "unmatched": len(unmatched),
            "score_seconds": scored - started,
            "candidates_seconds": candidates_built - scored,
            "matching_seconds": solved - candidates_built,
            "total_seconds": finished - started,
        },
    )


def explain(
    pair: PairResult,
    names: Mapping[int, str],
    tag_names: Mapping[int, str],
    wording: Wording | None = None,
) -> str:
    """One sentence per two members of the group, covering both directions.

    e.g. "Ana offers Public speaking (expert), which Ben needs most; Ben offers Fundraising
    (advanced), which Ana needs." Unknown ids are shown as "#<id>".
    """
    w = wording or ENGLISH
    directions = {(d.giver, d.receiver): d for d in pair.reasons}

    def name(member_id: int) -> str:
        return names.get(member_id, f"#{member_id}")

    def clause(direction: Direction) -> str:
        giver, receiver = name(direction.giver), name(direction.receiver)
        if not direction.tags:
            return w.nothing_offered_clause.format(giver=giver, receiver=receiver)
        items = [
            w.offer_item.format(
                tag=tag_names.get(tag.tag_id, f"#{tag.tag_id}"),
                level=w.level_labels[tag.level],
                receiver=receiver,
                need=w.priority_phrases.get(tag.priority, w.priority_phrase_default),
            )
            for tag in direction.tags
        ]
        if len(items) > 1:
            listed = w.list_separator.join(items[:-1]) + w.list_last_separator + items[-1]
        else:
            listed = items[0]
        return w.offer_clause.format(giver=giver, items=listed)

    return " ".join(
        w.pair_sentence.format(first=clause(directions[a, b]), second=clause(directions[b, a]))
        for a, b in combinations(pair.members, 2)
    )


# --- Helpers. ---


def _check_scale(member: MemberInput, values: Mapping[int, int], what: str) -> None:
    for tag, value in values.items():
        if not 1 <= value <= MAX_LEVEL:
            raise ValueError(f"member {member.id}: {what} for tag {tag} must be 1..5, not {value}")


def _codes(labels: list[str]) -> np.ndarray:
    """Integer code per label in sorted-label order; -1 for an empty label."""
    code = {label: i for i, label in enumerate(sorted(set(labels) - {""}))}
    return np.array([code.get(label, -1) for label in labels], dtype=np.int64)


def _row_blocks(n: int) -> Iterable[slice]:
    size = max(1, BLOCK_ELEMENTS // max(n, 1))
    return (slice(start, min(start + size, n)) for start in range(0, n, size))


def _pair_scores(cohort: CohortArrays, rows: slice | np.ndarray, cols: slice) -> np.ndarray:
    """Scores (0..1) of rows × cols, ignoring the rules."""
    # gets[r, c] = coverage(c → r); gives[r, c] = coverage(r → c).
    gets = cohort.needs[rows] @ cohort.offers[cols].T
    gives = cohort.offers[rows] @ cohort.needs[cols].T
    total = gets + gives
    mutual = np.divide(2 * gets * gives, total, out=np.zeros_like(total), where=total > 0)

    gap = np.abs(cohort.utc_offsets[rows][:, None] - cohort.utc_offsets[cols][None, :])
    gap %= MINUTES_PER_DAY
    gap = np.minimum(gap, MINUTES_PER_DAY - gap)
    overlap = np.nan_to_num(np.clip(1 - gap / TIMEZONE_ZERO_AT_MINUTES, 0, 1), nan=0.0)

    row_cadence = cohort.cadences[rows][:, None]
    same_cadence = (row_cadence == cohort.cadences[cols][None, :]) & (row_cadence >= 0)

    points = COMPLEMENTARITY_POINTS * mutual + TIMEZONE_POINTS * overlap
    points += CADENCE_POINTS * same_cadence
    return (points / 100).astype(np.float32)


def _shares_language(cohort: CohortArrays, rows: slice | np.ndarray, cols: slice) -> np.ndarray:
    common = cohort.languages[rows][:, None, :] & cohort.languages[cols][None, :, :]
    return (common != 0).any(axis=2)


def _other_department(cohort: CohortArrays, rows: slice | np.ndarray, cols: slice) -> np.ndarray:
    row_department = cohort.departments[rows][:, None]
    return (row_department != cohort.departments[cols][None, :]) | (row_department < 0)


def _rule_mask(cohort: CohortArrays, rules: Rules, rows: slice, cols: slice) -> np.ndarray:
    """Pairs of rows × cols allowed by the language and department rules."""
    allowed = np.ones((rows.stop - rows.start, len(cohort.ids) - cols.start), dtype=bool)
    if rules.share_language:
        allowed &= _shares_language(cohort, rows, cols)
    if rules.different_department:
        allowed &= _other_department(cohort, rows, cols)
    return allowed


def _pair_rules(cohort: CohortArrays, rules: Rules) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Row indices (first, second) of the pairs excluded by each pair rule that applies.

    A previous trio excludes each two of its members. Ids that are not in the cohort (e.g.
    members of a locked pair, or who left the programme) are ignored.
    """
    named = {"forbidden": rules.forbidden_pairs}
    if rules.exclude_previous_partners:
        named["previous"] = rules.previous_pairs
    row_of = {int(member_id): row for row, member_id in enumerate(cohort.ids)}
    excluded = {}
    for rule, groups in named.items():
        pairs = [
            (row_of[a], row_of[b])
            for group in groups
            for a, b in combinations(sorted(group), 2)
            if a in row_of and b in row_of
        ]
        indices = np.array(pairs, dtype=np.intp).reshape(-1, 2)
        excluded[rule] = (indices[:, 0], indices[:, 1])
    return excluded


def _locked_groups(
    locked: tuple[tuple[int, ...], ...], position: Mapping[int, int]
) -> list[tuple[int, ...]]:
    """Locked groups as sorted row tuples, validated."""
    seen: set[int] = set()
    groups = []
    for group in locked:
        if len(group) not in (2, 3) or len(set(group)) != len(group):
            raise ValueError(f"a locked group needs 2 or 3 different members, not {group}")
        for member_id in group:
            if member_id not in position:
                raise ValueError(f"locked member {member_id} is not in the cohort")
            if member_id in seen:
                raise ValueError(f"member {member_id} is in more than one locked group")
            seen.add(member_id)
        groups.append(tuple(sorted(position[member_id] for member_id in group)))
    return sorted(groups)


def _group_score(cohort: CohortArrays, rows: tuple[int, ...]) -> float:
    """Mean pairwise score of a group, ignoring the rules (used for locked groups)."""
    index = np.array(rows, dtype=np.intp)
    group = cohort.take(index)
    tile = _pair_scores(group, slice(0, len(rows)), slice(0, len(rows)))
    pair_scores = [float(tile[a, b]) for a, b in combinations(range(len(rows)), 2)]
    return sum(pair_scores) / len(pair_scores)


def _blossom(scores: np.ndarray, edges: np.ndarray) -> list[tuple[int, int]]:
    """Exact maximum-cardinality, maximum-weight matching on the given edges."""
    if len(edges) == 0:
        return []
    # rustworkx wants integer weights; +1 keeps a zero-score allowed pair an edge.
    weights = np.rint(scores[edges[:, 0], edges[:, 1]].astype(np.float64) * WEIGHT_SCALE)
    weights = weights.astype(np.int64) + 1
    # Only the members on some edge become nodes: isolated nodes still cost the algorithm.
    nodes, local = np.unique(edges, return_inverse=True)
    local = local.reshape(edges.shape)
    # A default PyGraph (multigraph) builds fast; the edges are already unique.
    graph = rx.PyGraph()
    graph.add_nodes_from([None] * len(nodes))
    graph.add_edges_from(
        list(zip(local[:, 0].tolist(), local[:, 1].tolist(), weights.tolist(), strict=True))
    )
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    pairs = [(int(nodes[a]), int(nodes[b])) for a, b in matching]
    return [(min(a, b), max(a, b)) for a, b in pairs]


def _attach_leftovers(
    scores: np.ndarray, pairs: list[tuple[int, int]]
) -> tuple[list[tuple[int, ...]], list[int]]:
    """Let unmatched members join the pair where they add the most, one per pair.

    Returns the groups (pairs and trios, sorted rows) and the members still unmatched.
    """
    matched = {row for pair in pairs for row in pair}
    leftovers = [row for row in range(len(scores)) if row not in matched]
    groups: list[tuple[int, ...]] = list(pairs)
    if not pairs or not leftovers:
        return groups, leftovers
    first = np.array([a for a, _ in pairs], dtype=np.intp)
    second = np.array([b for _, b in pairs], dtype=np.intp)
    gains, members, targets = [], [], []
    for row in leftovers:
        with_first, with_second = scores[row, first], scores[row, second]
        fits = np.flatnonzero((with_first >= 0) & (with_second >= 0))
        gains.append(with_first[fits].astype(np.float64) + with_second[fits])
        members.append(np.full(len(fits), row))
        targets.append(fits)
    gain, member, target = (np.concatenate(parts) for parts in (gains, members, targets))
    # Best gain first; ties go to the smaller member row, then the earlier pair.
    placed: set[int] = set()
    taken: set[int] = set()
    for option in np.lexsort((target, member, -gain)):
        row, pair = int(member[option]), int(target[option])
        if row in placed or pair in taken:
            continue
        placed.add(row)
        taken.add(pair)
        groups[pair] = tuple(sorted((*pairs[pair], row)))
    return groups, [row for row in leftovers if row not in placed]


def _unmatched(
    cohort: CohortArrays, rules: Rules, scores: np.ndarray, rows: list[int], wording: Wording
) -> list[Unmatched]:
    """Why each pool member at ``rows`` has no partner, naming the rule that excluded them."""
    n = len(cohort.ids)
    pair_rules = _pair_rules(cohort, rules)
    everyone = slice(0, n)
    result = []
    for row in rows:
        if n == 1:
            reason = wording.reason_alone
        elif (scores[row] >= 0).any():
            reason = wording.reason_partners_taken
        elif rules.share_language and not cohort.languages[row].any():
            reason = wording.reason_no_language_listed
        else:
            # For each rule, which of the other members it excludes.
            here = np.array([row], dtype=np.intp)
            excluded: dict[str, np.ndarray] = {}
            if rules.share_language:
                excluded["language"] = ~_shares_language(cohort, here, everyone)[0]
            if rules.different_department:
                excluded["department"] = ~_other_department(cohort, here, everyone)[0]
            for rule, (first, second) in pair_rules.items():
                partner = np.zeros(n, dtype=bool)
                partner[second[first == row]] = True
                partner[first[second == row]] = True
                excluded[rule] = partner
            others = np.arange(n) != row
            reason = _rule_reason({rule: mask[others] for rule, mask in excluded.items()}, wording)
        result.append(Unmatched(int(cohort.ids[row]), reason))
    return result


def _rule_reason(excluded: Mapping[str, np.ndarray], wording: Wording) -> str:
    """The reason for a member every other member is excluded from by at least one rule."""
    order = ("language", "department", "previous", "forbidden")
    sole_reason = {
        "language": wording.reason_no_shared_language,
        "department": wording.reason_same_department,
        "previous": wording.reason_all_previous,
        "forbidden": wording.reason_all_forbidden,
    }
    for rule in order:
        if rule in excluded and excluded[rule].all():
            return sole_reason[rule]
    details = wording.list_separator.join(
        wording.reason_rule_count.format(
            rule=wording.rule_labels[rule], count=int(excluded[rule].sum())
        )
        for rule in order
        if rule in excluded and excluded[rule].any()
    )
    return wording.reason_rules_combined.format(details=details)


def _pair_result(
    members: Sequence[MemberInput], rows: tuple[int, ...], score: float, *, locked: bool
) -> PairResult:
    group = [members[row] for row in sorted(rows)]
    reasons = []
    for a, b in combinations(group, 2):
        reasons.append(_direction(a, b))
        reasons.append(_direction(b, a))
    return PairResult(
        members=tuple(member.id for member in group),
        score=100 * score,
        locked=locked,
        reasons=tuple(reasons),
    )


def _direction(giver: MemberInput, receiver: MemberInput) -> Direction:
    matches = [
        TagMatch(tag_id=tag, level=giver.offers[tag], priority=priority)
        for tag, priority in receiver.needs.items()
        if tag in giver.offers
    ]
    total_priority = sum(receiver.needs.values())
    covered = sum(m.priority * m.level / MAX_LEVEL for m in matches)
    matches.sort(key=lambda m: (-m.priority * m.level, -m.priority, m.tag_id))
    return Direction(
        giver=giver.id,
        receiver=receiver.id,
        coverage=covered / total_priority if total_priority else 0.0,
        tags=tuple(matches[:MAX_REASON_TAGS]),
    )
