"""The entry point: `match` validates the input, keeps the locked groups and the preferred pairs
the rules allow, and runs the phases in order (scores, graph, matching, trios, unmatched
reasons, explanations), timing each.
"""

import time
from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

from .data import MatchResult, MemberInput, Rules
from .explanations import _pair_result
from .graph import candidate_edges, full_graph_edges, solve
from .parameters import DEFAULT_CANDIDATES_PER_MEMBER, DEFAULT_EXACT_BELOW
from .phrases import ENGLISH, Wording
from .scores import _allowed_pairs, _group_score, encode, score_matrix
from .suggestions import best_partners
from .trios import _attach_leftovers
from .unmatched import _unmatched


def match(
    members: Sequence[MemberInput],
    rules: Rules,
    *,
    candidates_per_member: int = DEFAULT_CANDIDATES_PER_MEMBER,
    exact_below: int = DEFAULT_EXACT_BELOW,
    wording: Wording | None = None,
    suggestions_per_member: int = 0,
) -> MatchResult:
    """Pair the cohort; see the package docstring for the score and the method."""
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
    wished_groups = _wished_groups(cohort, rules, position, in_locked)
    kept = in_locked | {row for group in wished_groups for row in group}
    pool_rows = np.array([row for row in range(len(ordered)) if row not in kept], dtype=np.intp)
    locked_scores = [_group_score(cohort, group) for group in locked_groups]
    wished_scores = [_group_score(cohort, group) for group in wished_groups]
    pool = cohort.take(pool_rows)
    # The rest reads the pool alone: freeing the whole cohort's arrays before the score matrix
    # lowers the peak (at 20,000 members and 600 tags its needs and offers take 92 MiB).
    del cohort

    scores = score_matrix(pool, rules)
    scored = time.perf_counter()
    exact = len(pool_rows) <= exact_below
    edges = full_graph_edges(scores) if exact else candidate_edges(scores, candidates_per_member)
    candidates_built = time.perf_counter()
    matched, steps = solve(scores, edges, exact=exact)
    solved = time.perf_counter()
    groups, leftovers = _attach_leftovers(scores, matched)

    results = [
        _pair_result(ordered, tuple(int(row) for row in group), score, locked=True)
        for group, score in zip(locked_groups, locked_scores, strict=True)
    ]
    results += [
        _pair_result(ordered, group, score, locked=False, wished=True)
        for group, score in zip(wished_groups, wished_scores, strict=True)
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
    suggestions = (
        best_partners(
            scores, pool.ids, suggestions_per_member, leftover_rows=[int(r) for r in leftovers]
        )
        if suggestions_per_member
        else {}
    )

    finished = time.perf_counter()
    return MatchResult(
        pairs=results,
        unmatched=unmatched,
        total_score=sum(pair.score for pair in results),
        suggestions=suggestions,
        stats={
            "members": len(ordered),
            "locked_members": len(in_locked),
            "wished_pairs": len(wished_groups),
            "pool": len(pool_rows),
            "graph": "full" if exact else "candidates",
            "candidate_edges": len(edges),
            "second_pass_pairs": steps.get("second_pass_pairs", 0),
            **{name: value for name, value in steps.items() if name != "second_pass_pairs"},
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


# --- Helpers. ---


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


def _wished_groups(
    cohort, rules: Rules, position: Mapping[int, int], taken: set[int]
) -> list[tuple[int, int]]:
    """The preferred pairs kept together, as sorted row tuples: both members are in the cohort
    and in no locked group, and every rule allows the pair. The others are matched as usual."""
    pairs: list[tuple[int, int]] = []
    seen: set[int] = set()
    for group in sorted(rules.preferred_pairs, key=sorted):
        if len(group) != 2:
            raise ValueError(f"a preferred pair needs 2 different members, not {sorted(group)}")
        for member_id in group:
            if member_id in seen:
                raise ValueError(f"member {member_id} is in more than one preferred pair")
            seen.add(member_id)
        if all(member_id in position for member_id in group):
            rows = tuple(sorted(position[member_id] for member_id in group))
            if not taken.intersection(rows):
                pairs.append(rows)
    if not pairs:
        return []
    allowed = _allowed_pairs(cohort, rules, np.array(pairs, dtype=np.intp))
    return [pair for pair, ok in zip(pairs, allowed, strict=True) if ok]
