"""The engine's invariants on every cohort shape of the benchmark: maximum cardinality on the
full allowed graph, the rules, determinism, and the large-cohort method's closeness to the
exact optimum (no Django, no database)."""

import random

import numpy as np
import pytest
import rustworkx as rx

from benchmarks import shapes
from matching.engine import MemberInput, Rules, encode, match, score_matrix

SIZES = (60, 200, 400)


def cohort_and_rules(shape: str, members: int) -> tuple[list[MemberInput], Rules]:
    cohort, previous = shapes.cohort(shape, members, seed=members)
    return cohort, Rules(previous_pairs=previous)


def full_scores(cohort: list[MemberInput], rules: Rules) -> np.ndarray:
    return score_matrix(encode(sorted(cohort, key=lambda m: m.id)), rules)


def maximum_cardinality(scores: np.ndarray) -> int:
    """Members in a maximum matching of the full allowed graph (exact, unit weights)."""
    graph = rx.PyGraph()
    graph.add_nodes_from(range(len(scores)))
    graph.add_edges_from([(int(a), int(b), 1) for a, b in np.argwhere(np.triu(scores >= 0, 1))])
    return 2 * len(rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int))


def placed_by_pairs(result) -> int:
    """Members the matching itself placed: a trio is a pair plus a leftover."""
    return 2 * (result.stats["pairs"] + result.stats["trios"])


@pytest.mark.parametrize("members", SIZES)
@pytest.mark.parametrize("shape", shapes.SHAPES)
@pytest.mark.parametrize("exact_below", [500, 0], ids=["full-graph", "candidates"])
def test_every_shape_gets_maximum_cardinality_and_keeps_the_rules(shape, members, exact_below):
    cohort, rules = cohort_and_rules(shape, members)
    result = match(cohort, rules, exact_below=exact_below, candidates_per_member=8)
    scores = full_scores(cohort, rules)
    assert placed_by_pairs(result) == maximum_cardinality(scores)
    row = {member.id: i for i, member in enumerate(sorted(cohort, key=lambda m: m.id))}
    for pair in result.pairs:
        for i, a in enumerate(pair.members):
            for b in pair.members[i + 1 :]:
                assert scores[row[a], row[b]] >= 0, (a, b)


@pytest.mark.parametrize("shape", shapes.SHAPES)
def test_every_shape_gives_the_same_pairs_in_any_input_order(shape):
    cohort, rules = cohort_and_rules(shape, 300)
    expected = match(cohort, rules, exact_below=0, candidates_per_member=10)
    for seed in range(3):
        shuffled = list(cohort)
        random.Random(seed).shuffle(shuffled)  # noqa: S311 - reproducible order, not security
        result = match(shuffled, rules, exact_below=0, candidates_per_member=10)
        assert [pair.members for pair in result.pairs] == [pair.members for pair in expected.pairs]
        assert result.total_score == expected.total_score


@pytest.mark.parametrize("shape", shapes.SHAPES)
def test_candidate_method_stays_within_the_exact_optimum_and_the_relaxation_bound(shape):
    cohort, rules = cohort_and_rules(shape, 400)
    exact = match(cohort, rules)
    assert exact.stats["graph"] == "full"
    # Every allowed pair a candidate: the relaxation bounds the optimum from above.
    everything = match(cohort, rules, exact_below=0, candidates_per_member=399)
    assert everything.stats["relaxation_bound"] >= exact.stats["matching_score"] - 1e-6
    default = match(cohort, rules, exact_below=0)
    for result in (everything, default):
        assert placed_by_pairs(result) == placed_by_pairs(exact)
        assert result.stats["matching_score"] <= exact.stats["matching_score"] + 1e-6
        assert result.stats["matching_score"] >= 0.995 * exact.stats["matching_score"]


def test_planted_pairs_are_kept_on_the_candidate_graph():
    cohort, previous, planted = shapes.planted_cohort_with_pairs(400, seed=3)
    result = match(cohort, Rules(previous_pairs=previous), exact_below=0)
    chosen = {frozenset(pair.members) for pair in result.pairs}
    kept = sum(pair in chosen for pair in planted)
    assert kept >= 0.97 * len(planted)


def chain(weights: list[tuple[str, str]]) -> list[MemberInput]:
    """Members 1..n in a path: each shares a language with the next only."""
    members = []
    for i, (offer, need) in enumerate(weights, start=1):
        members.append(
            MemberInput(
                id=i,
                offers={1: 5} if offer == "strong" else {2: 1},
                needs={1: 5} if need == "strong" else {2: 1},
                languages=frozenset({f"l{i - 1}", f"l{i}"}),
            )
        )
    return members


def test_a_strong_pair_gives_way_so_that_both_ends_of_a_path_get_a_partner():
    # 1 – 2 = 3 – 4: the pair 2-3 scores far above 1-2 and 3-4, yet the only way to place
    # all four is 1-2 and 3-4; the weight-first pass takes 2-3 and the augmenting path
    # through it places everyone.
    members = chain(
        [("weak", "weak"), ("strong", "strong"), ("strong", "strong"), ("weak", "weak")]
    )
    result = match(members, Rules(), exact_below=0, candidates_per_member=1)
    assert [pair.members for pair in result.pairs] == [(1, 2), (3, 4)]
    assert result.unmatched == []


def test_a_longer_augmenting_path_is_found_by_the_exact_fallback():
    # 1 – 2 = 3 – 4 = 5 – 6: two strong pairs in the middle; placing all six takes a path
    # through both, longer than the augmenting step looks, so the fallback runs.
    members = chain([("weak", "weak")] + [("strong", "strong")] * 4 + [("weak", "weak")])
    result = match(members, Rules(), exact_below=0, candidates_per_member=1)
    assert [pair.members for pair in result.pairs] == [(1, 2), (3, 4), (5, 6)]
    assert result.stats["cardinality_fallback_members"] == 6
