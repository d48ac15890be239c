"""Scores: the members encoded as arrays (`encode`), and every pair's score with the rules
applied (`score_matrix`), computed by row blocks so that memory stays bounded.

The rule masks (`_shares_language`, `_other_department`, `_close_stage`, `_pair_rules`) also
tell the unmatched reasons which rule excluded whom, `_allowed_pairs` checks a few given pairs
against every rule (for the preferred pairs), and `_row_blocks` also bounds the candidate
graph's work.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .data import MemberInput, Rules
from .parameters import (
    BLOCK_ELEMENTS,
    CADENCE_POINTS,
    COMPLEMENTARITY_POINTS,
    MAX_LEVEL,
    MINUTES_PER_DAY,
    NOT_ALLOWED,
    ROLE_POINTS,
    TIMEZONE_POINTS,
    TIMEZONE_ZERO_AT_MINUTES,
)

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
    stages: np.ndarray  # (n,) int64 career stage 1..5, -1 when unknown
    roles: np.ndarray  # (n,) int64 code, -1 when empty

    def take(self, rows: np.ndarray) -> "CohortArrays":
        return CohortArrays(
            ids=self.ids[rows],
            needs=self.needs[rows],
            offers=self.offers[rows],
            languages=self.languages[rows],
            departments=self.departments[rows],
            utc_offsets=self.utc_offsets[rows],
            cadences=self.cadences[rows],
            stages=self.stages[rows],
            roles=self.roles[rows],
        )


def encode(members: Sequence[MemberInput]) -> CohortArrays:
    """Turn members into the arrays the score is computed on (rows in the given order)."""
    for member in members:
        _check_scale(member, member.offers, "offer level")
        _check_scale(member, member.needs, "need priority")
        if member.career_stage is not None and not 1 <= member.career_stage <= MAX_LEVEL:
            raise ValueError(
                f"member {member.id}: career stage must be 1..5, not {member.career_stage}"
            )
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
        stages=np.array(
            [-1 if m.career_stage is None else m.career_stage for m in members], dtype=np.int64
        ),
        roles=_codes([_role_key(member.role) for member in members]),
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


# --- Helpers. ---


def _check_scale(member: MemberInput, values: Mapping[int, int], what: str) -> None:
    for tag, value in values.items():
        if not 1 <= value <= MAX_LEVEL:
            raise ValueError(f"member {member.id}: {what} for tag {tag} must be 1..5, not {value}")


def _role_key(role: str) -> str:
    """Roles are similar when equal after tidying case and spaces ("Team lead" = "team  lead")."""
    return " ".join(role.split()).casefold()


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

    row_role = cohort.roles[rows][:, None]
    same_role = (row_role == cohort.roles[cols][None, :]) & (row_role >= 0)

    points = COMPLEMENTARITY_POINTS * mutual + TIMEZONE_POINTS * overlap
    points += CADENCE_POINTS * same_cadence
    points += ROLE_POINTS * same_role
    return (points / 100).astype(np.float32)


def _shares_language(cohort: CohortArrays, rows: slice | np.ndarray, cols: slice) -> np.ndarray:
    common = cohort.languages[rows][:, None, :] & cohort.languages[cols][None, :, :]
    return (common != 0).any(axis=2)


def _other_department(cohort: CohortArrays, rows: slice | np.ndarray, cols: slice) -> np.ndarray:
    row_department = cohort.departments[rows][:, None]
    return (row_department != cohort.departments[cols][None, :]) | (row_department < 0)


def _close_stage(
    cohort: CohortArrays, rows: slice | np.ndarray, cols: slice, distance: int
) -> np.ndarray:
    """Pairs at most `distance` career stages apart, or with a stage unknown."""
    row_stage = cohort.stages[rows][:, None]
    col_stage = cohort.stages[cols][None, :]
    return (np.abs(row_stage - col_stage) <= distance) | (row_stage < 0) | (col_stage < 0)


def _rule_mask(cohort: CohortArrays, rules: Rules, rows: slice, cols: slice) -> np.ndarray:
    """Pairs of rows × cols allowed by the language, department and career stage rules."""
    allowed = np.ones((rows.stop - rows.start, len(cohort.ids) - cols.start), dtype=bool)
    if rules.share_language:
        allowed &= _shares_language(cohort, rows, cols)
    if rules.different_department:
        allowed &= _other_department(cohort, rows, cols)
    if rules.max_stage_distance is not None:
        allowed &= _close_stage(cohort, rows, cols, rules.max_stage_distance)
    return allowed


def _allowed_pairs(cohort: CohortArrays, rules: Rules, pairs: np.ndarray) -> np.ndarray:
    """Whether each given pair of rows, shape (pairs, 2), is allowed by every rule."""
    first, second = pairs[:, 0], pairs[:, 1]
    allowed = first != second
    if rules.share_language:
        allowed &= (cohort.languages[first] & cohort.languages[second] != 0).any(axis=1)
    if rules.different_department:
        departments = cohort.departments
        allowed &= (departments[first] != departments[second]) | (departments[first] < 0)
    if rules.max_stage_distance is not None:
        stages_a, stages_b = cohort.stages[first], cohort.stages[second]
        allowed &= (
            (np.abs(stages_a - stages_b) <= rules.max_stage_distance)
            | (stages_a < 0)
            | (stages_b < 0)
        )
    excluded = {
        frozenset((int(a), int(b)))
        for rows_a, rows_b in _pair_rules(cohort, rules).values()
        for a, b in zip(rows_a, rows_b, strict=True)
    }
    if excluded:
        allowed &= np.array(
            [frozenset((int(a), int(b))) not in excluded for a, b in pairs], dtype=bool
        ).reshape(-1)
    return allowed


def _pair_rules(cohort: CohortArrays, rules: Rules) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Row indices (first, second) of the pairs excluded by each pair rule that applies.

    A previous trio excludes each two of its members, except two who both would pair again
    (``rules.pair_again``). Ids that are not in the cohort (e.g. members of a locked pair, or
    who left the programme) are ignored.
    """
    named = {"forbidden": rules.forbidden_pairs}
    if rules.exclude_previous_partners:
        named["previous"] = rules.previous_pairs
    row_of = {int(member_id): row for row, member_id in enumerate(cohort.ids)}
    excluded = {}
    for rule, groups in named.items():
        exempt = rules.pair_again if rule == "previous" else frozenset()
        pairs = [
            (row_of[a], row_of[b])
            for group in groups
            for a, b in combinations(sorted(group), 2)
            if a in row_of and b in row_of and frozenset((a, b)) not in exempt
        ]
        indices = np.array(pairs, dtype=np.intp).reshape(-1, 2)
        excluded[rule] = (indices[:, 0], indices[:, 1])
    return excluded


def _group_score(cohort: CohortArrays, rows: tuple[int, ...]) -> float:
    """Mean pairwise score of a group, ignoring the rules (used for locked groups)."""
    index = np.array(rows, dtype=np.intp)
    group = cohort.take(index)
    tile = _pair_scores(group, slice(0, len(rows)), slice(0, len(rows)))
    pair_scores = [float(tile[a, b]) for a, b in combinations(range(len(rows)), 2)]
    return sum(pair_scores) / len(pair_scores)
