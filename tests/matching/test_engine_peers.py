"""The engine treats partners as peers: career-stage distance, role bonus, wished pairs kept
when the rules allow them, and previous partners who would pair again (no Django)."""

import numpy as np
import pytest

from matching.engine import (
    ENGLISH,
    REASON_STAGE_TOO_FAR,
    ROLE_POINTS,
    MemberInput,
    Rules,
    encode,
    explain,
    match,
    score_matrix,
)

SPEAKING, FUNDRAISING, BUDGETING, WRITING = 1, 2, 3, 4
NAMES = {1: "Ana", 2: "Ben", 3: "Carl", 4: "Dina", 5: "Eva", 6: "Finn"}
TAGS = {SPEAKING: "Public speaking", FUNDRAISING: "Fundraising", BUDGETING: "Budgeting"}


def member(member_id, offers, needs, *, stage=None, role="", department="", languages=("en",)):
    return MemberInput(
        id=member_id,
        offers=offers,
        needs=needs,
        languages=frozenset(languages),
        department=department,
        career_stage=stage,
        role=role,
        name=NAMES.get(member_id, ""),
    )


def complementary(first_id, second_id, **fields):
    """Two members who cover each other's only need fully."""
    first = member(first_id, {SPEAKING: 5}, {FUNDRAISING: 5}, **fields.get("first", {}))
    second = member(second_id, {FUNDRAISING: 5}, {SPEAKING: 5}, **fields.get("second", {}))
    return first, second


def groups(result) -> set[tuple[int, ...]]:
    return {pair.members for pair in result.pairs}


# Career stage ------------------------------------------------------------------------------


def test_partners_more_stages_apart_than_the_rule_allows_are_not_paired():
    ana, ben = complementary(1, 2, first={"stage": 1}, second={"stage": 4})

    result = match([ana, ben], Rules(max_stage_distance=1))

    assert result.pairs == []
    assert {item.reason for item in result.unmatched} == {REASON_STAGE_TOO_FAR}


def test_partners_within_the_distance_or_with_an_unknown_stage_are_paired():
    within = complementary(1, 2, first={"stage": 2}, second={"stage": 3})
    unknown = complementary(3, 4, first={"stage": 1}, second={"stage": None})

    result = match([*within, *unknown], Rules(max_stage_distance=1))

    assert groups(result) == {(1, 2), (3, 4)}


def test_without_the_rule_any_stages_may_be_paired():
    ana, ben = complementary(1, 2, first={"stage": 1}, second={"stage": 5})

    assert groups(match([ana, ben], Rules(max_stage_distance=None))) == {(1, 2)}


def test_the_stage_rule_prefers_a_peer_over_a_better_complement_far_away():
    ana = member(1, {SPEAKING: 5}, {FUNDRAISING: 5}, stage=2)
    expert = member(2, {FUNDRAISING: 5}, {SPEAKING: 5}, stage=5)  # the perfect complement
    peer = member(3, {FUNDRAISING: 3}, {SPEAKING: 4}, stage=3)

    result = match([ana, expert, peer], Rules(max_stage_distance=1))

    assert (1, 3) in groups(result)
    assert 2 in {item.member_id for item in result.unmatched}


def test_the_stage_reason_is_named_among_the_combined_rules():
    ana = member(1, {SPEAKING: 5}, {FUNDRAISING: 5}, stage=1, department="sales")
    ben = member(2, {FUNDRAISING: 5}, {SPEAKING: 5}, stage=5)
    carl = member(3, {FUNDRAISING: 5}, {SPEAKING: 5}, stage=1, department="sales")

    result = match([ana, ben, carl], Rules(max_stage_distance=1))

    reason = {item.member_id: item.reason for item in result.unmatched}[1]
    assert "career stage too far apart: 1" in reason
    assert "same department: 1" in reason


def test_a_career_stage_outside_the_scale_is_refused():
    with pytest.raises(ValueError, match="career stage must be 1..5"):
        match([member(1, {}, {}, stage=6)], Rules())


# Role ----------------------------------------------------------------------------------------


def test_the_same_role_earns_the_role_points_and_nothing_else_changes():
    plain = complementary(1, 2)
    same_role = complementary(1, 2, first={"role": "team_lead"}, second={"role": "Team_Lead "})
    other_role = complementary(1, 2, first={"role": "team_lead"}, second={"role": "manager"})

    def score(pair):
        return match(list(pair), Rules()).pairs[0].score

    assert score(same_role) == pytest.approx(score(plain) + ROLE_POINTS, abs=1e-4)
    assert score(other_role) == pytest.approx(score(plain), abs=1e-4)


def test_scores_stay_within_100_points_with_every_bonus():
    ana = member(1, {SPEAKING: 5}, {FUNDRAISING: 5}, role="founder")
    ben = member(2, {FUNDRAISING: 5}, {SPEAKING: 5}, role="founder")
    ana = MemberInput(**{**ana.__dict__, "utc_offset_minutes": 60, "cadence": "weekly"})
    ben = MemberInput(**{**ben.__dict__, "utc_offset_minutes": 60, "cadence": "weekly"})

    assert match([ana, ben], Rules()).pairs[0].score == pytest.approx(100, abs=1e-3)


def test_the_score_matrix_with_roles_and_stages_is_symmetric_by_blocks():
    rng = np.random.default_rng(7)
    members = [
        member(
            i,
            {int(t): int(rng.integers(1, 6)) for t in rng.choice(6, 2, replace=False)},
            {int(t): int(rng.integers(1, 6)) for t in rng.choice(6, 2, replace=False)},
            stage=int(rng.integers(1, 6)) if i % 4 else None,
            role=["team_lead", "manager", ""][i % 3],
        )
        for i in range(1, 60)
    ]
    scores = score_matrix(encode(members), Rules(max_stage_distance=1))

    assert np.array_equal(scores, scores.T)
    stages = np.array([m.career_stage or -1 for m in members])
    far = (np.abs(stages[:, None] - stages[None, :]) > 1) & (stages[:, None] > 0)
    far &= stages[None, :] > 0
    assert (scores[far] < 0).all()


# Explanations ------------------------------------------------------------------------------


def test_the_explanation_says_what_makes_them_peers():
    ana, ben = complementary(
        1, 2, first={"role": "team_lead", "stage": 3}, second={"role": "team_lead", "stage": 3}
    )
    pair = match([ana, ben], Rules()).pairs[0]

    text = explain(pair, NAMES, TAGS)

    assert text.endswith("Both lead small teams and are at the same career stage.")


def test_the_explanation_names_neighbouring_stages_and_is_silent_without_common_ground():
    near = match(list(complementary(1, 2, first={"stage": 2}, second={"stage": 3})), Rules())
    apart = match(list(complementary(1, 2, first={"stage": 1}, second={"stage": 4})), Rules())

    assert explain(near.pairs[0], NAMES, TAGS).endswith("Both are one career stage apart.")
    assert "Both" not in explain(apart.pairs[0], NAMES, TAGS)


def test_the_peer_sentence_uses_the_wording_given():
    ana, ben = complementary(1, 2, first={"role": "team_lead"}, second={"role": "team_lead"})
    pair = match([ana, ben], Rules()).pairs[0]
    wording = ENGLISH.__class__(
        role_phrases={"team_lead": "leder små teams"}, peer_sentence="Begge {items}."
    )

    assert explain(pair, NAMES, TAGS, wording).endswith("Begge leder små teams.")


# Wished partners -----------------------------------------------------------------------------


def four_members(**fields):
    """Ana-Ben and Carl-Dina complement each other best; Ana and Carl wish each other."""
    ana, ben = complementary(1, 2, **fields)
    carl = member(3, {BUDGETING: 3}, {SPEAKING: 2})
    dina = member(4, {SPEAKING: 3}, {BUDGETING: 2})
    return [ana, ben, carl, dina]


def test_a_mutual_wish_the_rules_allow_is_kept_together():
    result = match(four_members(), Rules(preferred_pairs=frozenset({frozenset({1, 3})})))

    assert groups(result) == {(1, 3), (2, 4)}
    kept = next(pair for pair in result.pairs if pair.members == (1, 3))
    assert kept.wished and not kept.locked
    assert result.stats["wished_pairs"] == 1
    assert explain(kept, NAMES, TAGS).endswith("They named each other as wished partners.")


def test_a_wish_the_rules_forbid_is_not_kept():
    members = four_members()
    members[2] = member(3, {BUDGETING: 3}, {SPEAKING: 2}, stage=5)
    members[0] = member(1, {SPEAKING: 5}, {FUNDRAISING: 5}, stage=1)
    wish = frozenset({frozenset({1, 3})})

    for rules in (
        Rules(preferred_pairs=wish, max_stage_distance=1),
        Rules(preferred_pairs=wish, forbidden_pairs=wish),
        Rules(preferred_pairs=wish, previous_pairs=wish),
    ):
        result = match(members, rules)
        assert (1, 3) not in groups(result), rules
        assert result.stats["wished_pairs"] == 0


def test_a_wish_across_departments_is_kept_only_when_departments_differ():
    members = four_members()
    members[0] = member(1, {SPEAKING: 5}, {FUNDRAISING: 5}, department="sales")
    members[2] = member(3, {BUDGETING: 3}, {SPEAKING: 2}, department="sales")

    result = match(members, Rules(preferred_pairs=frozenset({frozenset({1, 3})})))

    assert (1, 3) not in groups(result)


def test_a_wish_naming_someone_outside_the_pool_is_ignored():
    result = match(four_members(), Rules(preferred_pairs=frozenset({frozenset({1, 99})})))

    assert groups(result) == {(1, 2), (3, 4)}


def test_a_member_in_two_preferred_pairs_is_refused():
    wishes = frozenset({frozenset({1, 3}), frozenset({1, 2})})

    with pytest.raises(ValueError, match="more than one preferred pair"):
        match(four_members(), Rules(preferred_pairs=wishes))


def test_a_locked_pair_wins_over_a_wish():
    rules = Rules(locked_pairs=((1, 2),), preferred_pairs=frozenset({frozenset({1, 3})}))

    result = match(four_members(), rules)

    assert groups(result) == {(1, 2), (3, 4)}
    assert result.stats["wished_pairs"] == 0


# Pairing again -------------------------------------------------------------------------------


def test_previous_partners_who_would_pair_again_may_be_paired_again():
    ana, ben = complementary(1, 2)
    before = frozenset({frozenset({1, 2})})

    assert match([ana, ben], Rules(previous_pairs=before)).pairs == []
    again = match([ana, ben], Rules(previous_pairs=before, pair_again=before))
    assert groups(again) == {(1, 2)}


def test_pairing_again_applies_only_to_the_two_who_both_said_so():
    trio_before = frozenset({frozenset({1, 2, 3})})
    ana, ben = complementary(1, 2)
    carl = member(3, {FUNDRAISING: 5}, {SPEAKING: 5})

    result = match(
        [ana, ben, carl],
        Rules(previous_pairs=trio_before, pair_again=frozenset({frozenset({2, 3})})),
    )

    assert groups(result) == {(2, 3)}


# Determinism -------------------------------------------------------------------------------


def test_the_result_does_not_depend_on_the_input_order_with_the_new_rules():
    members = four_members(first={"role": "team_lead", "stage": 2}, second={"stage": 3})
    rules = Rules(max_stage_distance=1, preferred_pairs=frozenset({frozenset({1, 3})}))

    first = match(members, rules)
    second = match(list(reversed(members)), rules)

    assert [(p.members, p.score, p.wished) for p in first.pairs] == [
        (p.members, p.score, p.wished) for p in second.pairs
    ]
