"""Tests of the pure matching engine (no Django, no database)."""

import random
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pytest

from matching.engine import (
    LEVEL_LABELS,
    REASON_ALL_FORBIDDEN,
    REASON_ALL_PREVIOUS,
    REASON_ALONE,
    REASON_NO_LANGUAGE_LISTED,
    REASON_NO_SHARED_LANGUAGE,
    REASON_PARTNERS_TAKEN,
    REASON_RULES_COMBINED,
    REASON_SAME_DEPARTMENT,
    Direction,
    MatchResult,
    MemberInput,
    PairResult,
    Rules,
    TagMatch,
    encode,
    explain,
    match,
    score_matrix,
)

# Tags of the hand-made cohorts.
SPEAKING, FUNDRAISING, BUDGETING, WRITING = 1, 2, 3, 4
TAG_NAMES = {
    SPEAKING: "Public speaking",
    FUNDRAISING: "Fundraising",
    BUDGETING: "Budgeting",
    WRITING: "Writing",
}


def member(
    member_id: int,
    offers: dict[int, int] | None = None,
    needs: dict[int, int] | None = None,
    *,
    languages: Sequence[str] = ("en",),
    department: str = "",
    utc: int | None = None,
    cadence: str = "",
    name: str = "",
) -> MemberInput:
    return MemberInput(
        id=member_id,
        offers=offers or {},
        needs=needs or {},
        languages=frozenset(languages),
        department=department,
        utc_offset_minutes=utc,
        cadence=cadence,
        name=name or f"M{member_id}",
    )


def reference_score(a: MemberInput, b: MemberInput) -> float:
    """The documented formula, written plainly, on the 0..100 scale."""

    def coverage(giver: MemberInput, receiver: MemberInput) -> float:
        total = sum(receiver.needs.values())
        if not total:
            return 0.0
        given = sum(p * giver.offers.get(t, 0) / 5 for t, p in receiver.needs.items())
        return given / total

    x, y = coverage(a, b), coverage(b, a)
    mutual = 2 * x * y / (x + y) if x and y else 0.0
    overlap = 0.0
    if a.utc_offset_minutes is not None and b.utc_offset_minutes is not None:
        gap = abs(a.utc_offset_minutes - b.utc_offset_minutes) % 1440
        overlap = max(0.0, 1 - min(gap, 1440 - gap) / 480)
    same_cadence = bool(a.cadence) and a.cadence == b.cadence
    return 90 * mutual + 5 * overlap + 2 * same_cadence


def reference_allowed(a: MemberInput, b: MemberInput, rules: Rules) -> bool:
    pair = frozenset({a.id, b.id})
    if rules.share_language and not a.languages & b.languages:
        return False
    if rules.different_department and a.department and a.department == b.department:
        return False
    if rules.exclude_previous_partners and any(pair <= group for group in rules.previous_pairs):
        return False
    return not any(pair <= group for group in rules.forbidden_pairs)


def groups(result: MatchResult) -> list[tuple[int, ...]]:
    return [pair.members for pair in result.pairs]


def reasons(result: MatchResult) -> dict[int, str]:
    return {item.member_id: item.reason for item in result.unmatched}


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible test data, not security


def random_cohort(rng: random.Random, size: int, tags: int = 8) -> list[MemberInput]:
    ids = rng.sample(range(1, 20 * size + 1), size)
    return [
        member(
            member_id,
            offers={t: rng.randint(1, 5) for t in rng.sample(range(tags), rng.randint(1, 3))},
            needs={t: rng.randint(1, 5) for t in rng.sample(range(tags), rng.randint(1, 3))},
            languages=rng.sample(["en", "fr", "de"], rng.randint(1, 2)),
            department=rng.choice(["", "ops", "sales", "hr"]),
            utc=rng.choice([None, 0, 60, -300, 330, 600, -600]),
            cadence=rng.choice(["", "weekly", "monthly"]),
        )
        for member_id in ids
    ]


def random_pairs(rng: random.Random, ids: list[int], count: int) -> frozenset[frozenset[int]]:
    return frozenset(frozenset(rng.sample(ids, 2)) for _ in range(count))


def square(**changes: dict) -> list[MemberInput]:
    """1-2 complement each other fully, 3-4 partly; 1-4 and 2-3 are the runners-up.

    Best matching: (1, 2) + (3, 4) = 90 + 54 points; next (1, 4) + (2, 3) = 2 · 67.5;
    1-3 and 2-4 have nothing to exchange. ``changes`` maps "m<id>" to fields to override.
    """
    cohort = {
        1: ({SPEAKING: 5}, {FUNDRAISING: 5}),
        2: ({FUNDRAISING: 5}, {SPEAKING: 5}),
        3: ({SPEAKING: 3}, {FUNDRAISING: 3}),
        4: ({FUNDRAISING: 3}, {SPEAKING: 3}),
    }
    return [
        member(member_id, offers, needs, **changes.get(f"m{member_id}", {}))
        for member_id, (offers, needs) in cohort.items()
    ]


BEST = [(1, 2), (3, 4)]
RUNNER_UP = [(1, 4), (2, 3)]


# --- Score. ---


def test_mutual_pair_beats_one_sided_pair_of_larger_one_way_value():
    a = member(1, {SPEAKING: 5}, {BUDGETING: 5, WRITING: 5})
    b = member(2, {BUDGETING: 1}, {SPEAKING: 5})  # a gives b 1.0, b gives a 0.1
    c = member(3, {FUNDRAISING: 2}, {WRITING: 5})
    d = member(4, {WRITING: 2}, {FUNDRAISING: 5})  # 0.4 each way
    one_sided = match([a, b], Rules()).pairs[0].score
    mutual = match([c, d], Rules()).pairs[0].score
    assert one_sided == pytest.approx(90 * 2 * 1.0 * 0.1 / 1.1)
    assert mutual == pytest.approx(90 * 0.4)
    assert mutual > 2 * one_sided


def test_pair_with_nothing_to_give_one_way_scores_zero():
    a = member(1, {SPEAKING: 5}, {BUDGETING: 5})
    gives_all_gets_nothing = member(2, {BUDGETING: 5}, {WRITING: 5})
    assert match([a, gives_all_gets_nothing], Rules()).pairs[0].score == 0


def test_matcher_prefers_the_mutual_partner():
    a = member(1, {SPEAKING: 5, FUNDRAISING: 2}, {BUDGETING: 5, WRITING: 5})
    one_sided = member(2, {BUDGETING: 1}, {SPEAKING: 5})  # 1.0 one way, 0.1 back
    mutual = member(3, {BUDGETING: 2, WRITING: 2}, {FUNDRAISING: 5})  # 0.4 each way
    filler = member(4)  # may not pair with 1, scores 0 with 2 and 3
    rules = Rules(forbidden_pairs=frozenset({frozenset({1, 4})}))
    assert groups(match([a, one_sided, mutual, filler], rules)) == [(1, 3), (2, 4)]


def test_score_matches_the_documented_formula():
    cohort = sorted(random_cohort(seeded(7), 40), key=lambda m: m.id)
    rules = Rules(share_language=False, different_department=False)
    scores = score_matrix(encode(cohort), rules)
    for i, j in combinations(range(len(cohort)), 2):
        expected = reference_score(cohort[i], cohort[j])
        assert 100 * scores[i, j] == pytest.approx(expected, abs=1e-4)
    assert (np.diag(scores) < 0).all()


def test_score_is_symmetric():
    cohort = random_cohort(seeded(11), 300)
    scores = score_matrix(encode(cohort), Rules())
    assert np.array_equal(scores, scores.T)
    a, b = cohort[0], cohort[1]
    rules = Rules(share_language=False, different_department=False)
    assert match([a, b], rules).pairs[0].score == match([b, a], rules).pairs[0].score


def test_time_zone_and_cadence_bonuses():
    same = match(
        [member(1, utc=60, cadence="weekly"), member(2, utc=60, cadence="weekly")], Rules()
    )
    assert same.pairs[0].score == pytest.approx(7.0)
    # 4 h apart on the clock (UTC+10 and UTC-10): half the time-zone points.
    apart = match([member(1, utc=600), member(2, utc=-600)], Rules())
    assert apart.pairs[0].score == pytest.approx(2.5)
    unknown = match([member(1, utc=None, cadence="weekly"), member(2, utc=0)], Rules())
    assert unknown.pairs[0].score == 0


# --- Rules. ---


def test_square_pairs_best_complements_without_rules_in_the_way():
    assert groups(match(square(), Rules())) == BEST


def test_members_sharing_no_language_are_not_paired():
    cohort = square(
        m1={"languages": ["en"]},
        m2={"languages": ["fr"]},
        m3={"languages": ["en", "fr"]},
        m4={"languages": ["en", "fr"]},
    )
    assert groups(match(cohort, Rules())) == RUNNER_UP
    assert groups(match(cohort, Rules(share_language=False))) == BEST


def test_members_of_the_same_department_are_not_paired():
    cohort = square(m1={"department": "ops"}, m2={"department": "ops"})
    assert groups(match(cohort, Rules())) == RUNNER_UP
    assert groups(match(cohort, Rules(different_department=False))) == BEST


def test_empty_department_is_not_a_shared_department():
    cohort = square(m1={"department": ""}, m2={"department": ""})
    assert groups(match(cohort, Rules())) == BEST


def test_previous_partners_are_not_paired_again():
    rules = Rules(previous_pairs=frozenset({frozenset({1, 2})}))
    assert groups(match(square(), rules)) == RUNNER_UP
    rules_off = Rules(exclude_previous_partners=False, previous_pairs=rules.previous_pairs)
    assert groups(match(square(), rules_off)) == BEST


def test_previous_trio_excludes_every_two_of_its_members():
    result = match(square(), Rules(previous_pairs=frozenset({frozenset({1, 2, 3})})))
    # Only 4 may pair with 1, 2 or 3; 1-4 scores best, and 2 and 3 can't join it.
    assert groups(result) == [(1, 4)]
    assert reasons(result) == {2: REASON_PARTNERS_TAKEN, 3: REASON_PARTNERS_TAKEN}


def test_forbidden_pairs_are_never_paired_even_with_the_rules_switched_off():
    forbidden = frozenset({frozenset({1, 2})})
    assert groups(match(square(), Rules(forbidden_pairs=forbidden))) == RUNNER_UP
    all_off = Rules(
        share_language=False,
        different_department=False,
        exclude_previous_partners=False,
        forbidden_pairs=forbidden,
    )
    assert groups(match(square(), all_off)) == RUNNER_UP


def test_rules_switched_off_allow_every_pair():
    cohort = square(
        m1={"languages": ["en"], "department": "ops"},
        m2={"languages": ["fr"], "department": "ops"},
        m3={"languages": ["en", "fr"]},
        m4={"languages": ["en", "fr"]},
    )
    previous = frozenset({frozenset({1, 2})})
    assert groups(match(cohort, Rules(previous_pairs=previous))) == RUNNER_UP
    all_off = Rules(
        share_language=False,
        different_department=False,
        exclude_previous_partners=False,
        previous_pairs=previous,
    )
    assert groups(match(cohort, all_off)) == BEST


# --- Locked pairs. ---


def test_locked_pair_is_kept_even_when_it_breaks_a_rule():
    rules = Rules(forbidden_pairs=frozenset({frozenset({1, 3})}), locked_pairs=((3, 1),))
    result = match(square(), rules)
    assert groups(result) == [(1, 3), (2, 4)]
    locked = result.pairs[0]
    assert locked.locked
    assert not result.pairs[1].locked
    cohort = square()
    assert locked.score == pytest.approx(reference_score(cohort[0], cohort[2]))
    assert result.stats["locked_members"] == 2


def test_locked_trio_is_kept_and_scores_the_mean_of_its_pairs():
    cohort = square()
    result = match(cohort, Rules(locked_pairs=((2, 3, 1),)))
    assert groups(result) == [(1, 2, 3)]
    trio = result.pairs[0]
    assert trio.locked
    expected = [reference_score(a, b) for a, b in combinations(cohort[:3], 2)]
    assert trio.score == pytest.approx(sum(expected) / 3)
    assert reasons(result) == {4: REASON_ALONE}
    assert result.total_score == pytest.approx(trio.score)


@pytest.mark.parametrize(
    "locked",
    [((1, 2), (2, 3)), ((1, 2, 3, 4),), ((1,),), ((1, 1),), ((1, 99),)],
    ids=["overlapping", "four", "one", "repeated", "unknown"],
)
def test_invalid_locked_groups_are_rejected(locked):
    with pytest.raises(ValueError):
        match(square(), Rules(locked_pairs=locked))


# --- Odd counts and unmatched members. ---


def test_odd_count_makes_a_trio_with_the_pair_the_leftover_adds_most_to():
    # 5 adds 31 points with 1-2 (only with 2) and 27.9 with 3-4 (only with 4).
    cohort = [*square(), member(5, {SPEAKING: 1}, {FUNDRAISING: 1})]
    result = match(cohort, Rules())
    assert groups(result) == [(1, 2, 5), (3, 4)]
    gains = {
        (1, 2): reference_score(cohort[4], cohort[0]) + reference_score(cohort[4], cohort[1]),
        (3, 4): reference_score(cohort[4], cohort[2]) + reference_score(cohort[4], cohort[3]),
    }
    assert gains[1, 2] > gains[3, 4]
    trio = result.pairs[0]
    expected = [reference_score(a, b) for a, b in combinations([*cohort[:2], cohort[4]], 2)]
    assert trio.score == pytest.approx(sum(expected) / 3)
    assert not trio.locked
    assert result.stats["trios"] == 1
    assert result.unmatched == []


def test_leftover_only_joins_a_pair_allowed_with_both_members():
    forbidden = frozenset({frozenset({5, 2})})
    cohort = [*square(), member(5, {SPEAKING: 1}, {FUNDRAISING: 1})]
    assert groups(match(cohort, Rules(forbidden_pairs=forbidden))) == [(1, 2), (3, 4, 5)]


def test_leftover_whose_partners_are_all_taken_is_unmatched():
    cohort = [*square()[:2], member(3, {SPEAKING: 1}, {FUNDRAISING: 1})]
    result = match(cohort, Rules(forbidden_pairs=frozenset({frozenset({1, 3})})))
    assert groups(result) == [(1, 2)]
    assert reasons(result) == {3: REASON_PARTNERS_TAKEN}


def test_unmatched_reason_names_the_rule_that_excluded_the_member():
    base = square()[:2]
    both_forbidden = frozenset({frozenset({1, 3}), frozenset({2, 3})})
    cases = [
        ([*base, member(3, languages=["de"])], Rules(), REASON_NO_SHARED_LANGUAGE),
        ([*base, member(3, languages=[])], Rules(), REASON_NO_LANGUAGE_LISTED),
        ([*base, member(3)], Rules(previous_pairs=both_forbidden), REASON_ALL_PREVIOUS),
        ([*base, member(3)], Rules(forbidden_pairs=both_forbidden), REASON_ALL_FORBIDDEN),
        ([*base, member(3)], Rules(locked_pairs=((1, 2),)), REASON_ALONE),
    ]
    for cohort, rules, expected in cases:
        assert reasons(match(cohort, rules)) == {3: expected}


def test_members_left_in_one_department_are_unmatched_with_the_reason():
    cohort = [*square()[:2], member(3, department="ops"), member(4, department="ops")]
    result = match(cohort, Rules(locked_pairs=((1, 2),)))
    assert groups(result) == [(1, 2)]
    assert reasons(result) == {3: REASON_SAME_DEPARTMENT, 4: REASON_SAME_DEPARTMENT}


def test_unmatched_reason_lists_each_rule_when_no_single_rule_excluded_everyone():
    cohort = [*square()[:2], member(3), member(4, languages=["fr"])]
    rules = Rules(
        previous_pairs=frozenset({frozenset({1, 3})}),
        forbidden_pairs=frozenset({frozenset({2, 3})}),
    )
    result = match(cohort, rules)
    expected = REASON_RULES_COMBINED.format(
        details="no shared language: 1, previous partner: 1, forbidden pair: 1"
    )
    assert reasons(result)[3] == expected


def test_duplicate_ids_and_out_of_range_levels_are_rejected():
    with pytest.raises(ValueError):
        match([member(1), member(1)], Rules())
    with pytest.raises(ValueError):
        match([member(1, {SPEAKING: 6}), member(2)], Rules())
    with pytest.raises(ValueError):
        match([member(1, needs={SPEAKING: 0}), member(2)], Rules())


def test_empty_and_single_member_cohorts():
    empty = match([], Rules())
    assert (empty.pairs, empty.unmatched, empty.total_score) == ([], [], 0)
    assert reasons(match([member(1)], Rules())) == {1: REASON_ALONE}


# --- Determinism and optimality. ---


@pytest.mark.parametrize("exact_below", [500, 40], ids=["full-graph", "candidates"])
def test_same_input_in_any_order_gives_the_same_pairs(exact_below):
    rng = seeded(3)
    cohort = random_cohort(rng, 121)
    rules = Rules(previous_pairs=random_pairs(rng, [m.id for m in cohort], 30))
    expected = match(cohort, rules, exact_below=exact_below)
    assert expected.stats["graph"] == ("full" if exact_below == 500 else "candidates")
    for _ in range(3):
        shuffled = list(cohort)
        rng.shuffle(shuffled)
        result = match(shuffled, rules, exact_below=exact_below)
        assert result.pairs == expected.pairs
        assert result.unmatched == expected.unmatched
    assert [pair.members for pair in expected.pairs] == sorted(groups(expected))
    assert all(list(pair.members) == sorted(pair.members) for pair in expected.pairs)


def best_matching(cohort: list[MemberInput], rules: Rules) -> tuple[int, float]:
    """(cardinality, total score) of the best maximum-cardinality matching, by brute force."""
    n = len(cohort)
    weight = {
        (i, j): reference_score(cohort[i], cohort[j])
        for i, j in combinations(range(n), 2)
        if reference_allowed(cohort[i], cohort[j], rules)
    }
    best = (0, 0.0)

    def extend(i: int, used: frozenset[int], size: int, total: float) -> None:
        nonlocal best
        if i == n:
            best = max(best, (size, total))
            return
        extend(i + 1, used, size, total)
        if i in used:
            return
        for j in range(i + 1, n):
            if j not in used and (i, j) in weight:
                extend(i + 1, used | {i, j}, size + 1, total + weight[i, j])

    extend(0, frozenset(), 0, 0.0)
    return best


def test_matching_is_optimal_against_brute_force_on_small_cohorts():
    rng = seeded(2024)
    for _ in range(50):
        cohort = random_cohort(rng, rng.randint(4, 10), tags=5)
        ids = [m.id for m in cohort]
        rules = Rules(
            share_language=rng.random() < 0.7,
            different_department=rng.random() < 0.7,
            previous_pairs=random_pairs(rng, ids, rng.randint(0, 4)),
            forbidden_pairs=random_pairs(rng, ids, rng.randint(0, 2)),
        )
        result = match(cohort, rules)
        size, total = best_matching(cohort, rules)
        matched_pairs = sum(len(pair.members) == 2 for pair in result.pairs)
        assert matched_pairs + result.stats["trios"] == size
        assert result.stats["matching_score"] == pytest.approx(total, abs=2e-3)
        by_id = {m.id: m for m in cohort}
        for pair in result.pairs:
            for a, b in combinations(pair.members, 2):
                assert reference_allowed(by_id[a], by_id[b], rules)


def test_candidate_graph_reaches_the_full_graph_optimum_on_a_large_cohort():
    rng = seeded(5)
    cohort = random_cohort(rng, 400, tags=40)
    rules = Rules(previous_pairs=random_pairs(rng, [m.id for m in cohort], 200))
    full = match(cohort, rules)
    candidates = match(cohort, rules, exact_below=100, candidates_per_member=30)
    assert full.stats["graph"] == "full"
    assert candidates.stats["graph"] == "candidates"
    assert candidates.stats["candidate_edges"] < full.stats["candidate_edges"] / 4
    assert len(candidates.unmatched) == len(full.unmatched)
    assert candidates.stats["pairs"] == full.stats["pairs"]
    assert candidates.stats["matching_score"] >= 0.995 * full.stats["matching_score"]


def test_candidate_path_pairs_members_the_candidate_graph_left_out():
    # With one candidate each, 1 and 2 list each other and 3 and 4 both list 1 (they have
    # nothing for each other or for 2): the candidate graph is a star around 1, yet 3 and 4
    # may pair with each other.
    cohort = [
        member(1, {SPEAKING: 5}, {FUNDRAISING: 5}),
        member(2, {FUNDRAISING: 5}, {SPEAKING: 5}),
        member(3, {FUNDRAISING: 3}, {SPEAKING: 3}),
        member(4, {FUNDRAISING: 3}, {SPEAKING: 3}),
    ]
    result = match(cohort, Rules(), candidates_per_member=1, exact_below=0)
    assert result.stats["graph"] == "candidates"
    assert result.stats["candidate_edges"] == 3
    assert result.stats["second_pass_pairs"] == 1
    assert groups(result) == [(1, 2), (3, 4)]


# --- Explanations. ---


def test_explanation_names_what_each_member_offers_the_other():
    ana = member(1, {SPEAKING: 5}, {FUNDRAISING: 2}, name="Ana")
    ben = member(2, {FUNDRAISING: 4}, {SPEAKING: 5}, name="Ben")
    pair = match([ben, ana], Rules()).pairs[0]
    assert pair.reasons == (
        Direction(giver=1, receiver=2, coverage=1.0, tags=(TagMatch(SPEAKING, 5, 5),)),
        Direction(giver=2, receiver=1, coverage=0.8, tags=(TagMatch(FUNDRAISING, 4, 2),)),
    )
    names = {m.id: m.name for m in (ana, ben)}
    assert explain(pair, names, TAG_NAMES) == (
        "Ana offers Public speaking (expert), which Ben needs most; "
        "Ben offers Fundraising (advanced), which Ana needs."
    )


def test_explanation_lists_up_to_three_tags_by_contribution_and_says_when_nothing_is_offered():
    ana = member(1, {SPEAKING: 2, BUDGETING: 5, WRITING: 3, FUNDRAISING: 1}, {}, name="Ana")
    ben = member(2, {}, {SPEAKING: 5, BUDGETING: 4, WRITING: 1, FUNDRAISING: 1}, name="Ben")
    pair = match([ana, ben], Rules()).pairs[0]
    assert pair.score == 0
    assert explain(pair, {1: "Ana", 2: "Ben"}, TAG_NAMES) == (
        "Ana offers Budgeting (expert), which Ben needs a lot, "
        "Public speaking (developing), which Ben needs most, "
        "and Writing (proficient), which Ben needs; "
        "Ben has nothing Ana asked for."
    )


def test_trio_explanation_has_one_sentence_per_two_members():
    trio = PairResult(
        members=(1, 2, 3),
        score=50.0,
        locked=True,
        reasons=(
            Direction(1, 2, 0.2, (TagMatch(SPEAKING, 1, 3),)),
            Direction(2, 1, 0.0, ()),
            Direction(1, 3, 0.0, ()),
            Direction(3, 1, 0.0, ()),
            Direction(2, 3, 0.0, ()),
            Direction(3, 2, 0.6, (TagMatch(WRITING, 3, 4),)),
        ),
    )
    assert explain(trio, {1: "Ana", 2: "Ben", 3: "Cy"}, TAG_NAMES) == (
        "Ana offers Public speaking (basic), which Ben needs; Ben has nothing Ana asked for. "
        "Ana has nothing Cy asked for; Cy has nothing Ana asked for. "
        "Ben has nothing Cy asked for; Cy offers Writing (proficient), which Ben needs a lot."
    )


def test_level_labels_cover_every_level():
    assert LEVEL_LABELS == {
        1: "basic",
        2: "developing",
        3: "proficient",
        4: "advanced",
        5: "expert",
    }


def test_a_large_cohort_where_no_pair_is_allowed_matches_nobody_and_says_why():
    # Above `exact_below`, so the candidate graph is built, and it has no edge at all.
    cohort = [member(i, {SPEAKING: 4}, {WRITING: 3}, department="Sales") for i in range(1, 7)]

    result = match(cohort, Rules(different_department=True), exact_below=3)

    assert result.pairs == []
    assert {row.member_id: row.reason for row in result.unmatched} == dict.fromkeys(
        range(1, 7), REASON_SAME_DEPARTMENT
    )
