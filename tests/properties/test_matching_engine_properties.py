"""Invariants of the matching engine (`matching.engine.match`) on small generated cohorts.

Whatever the cohort and the rules: every member ends up in exactly one group or in the
unmatched list, groups have 2 or 3 members, no rule is broken except by the locked groups the
coordinator kept, no two unmatched members could have been paired, and the scores and the
result don't depend on the order the members come in.
"""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import MemberInput, Rules, encode, match, score_matrix

# Reproducible in CI: the same examples every run, and no example database in the project.
PROPERTIES = settings(max_examples=60, derandomize=True, database=None, deadline=None)

TAGS = range(6)
LANGUAGES = ["en", "da", "de"]
# The full graph (exact), and a candidate graph small enough to leave members for the second pass.
MODES = {"exact": {}, "candidates": {"exact_below": 3, "candidates_per_member": 2}}

tag_values = st.dictionaries(st.sampled_from(TAGS), st.integers(1, 5), max_size=3)


@st.composite
def cohorts(draw):
    ids = draw(st.lists(st.integers(1, 400), min_size=2, max_size=11, unique=True))
    members = [
        MemberInput(
            id=member_id,
            offers=draw(tag_values),
            needs=draw(tag_values),
            languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES), max_size=2))),
            department=draw(st.sampled_from(["", "", "ops", "sales"])),
            utc_offset_minutes=draw(st.sampled_from([None, 0, 60, -300, 330, 600])),
            cadence=draw(st.sampled_from(["", "weekly", "monthly"])),
        )
        for member_id in ids
    ]
    groups = st.lists(
        st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True).map(frozenset),
        max_size=4,
    ).map(frozenset)
    order = draw(st.permutations(ids))
    locked, start = [], 0
    for size in draw(st.lists(st.sampled_from([2, 2, 3]), max_size=2)):
        if start + size <= len(order):
            locked.append(tuple(order[start : start + size]))
            start += size
    rules = Rules(
        share_language=draw(st.booleans()),
        different_department=draw(st.booleans()),
        exclude_previous_partners=draw(st.booleans()),
        previous_pairs=draw(groups),
        forbidden_pairs=draw(groups),
        locked_pairs=tuple(locked),
    )
    return members, rules


def allowed(a: MemberInput, b: MemberInput, rules: Rules) -> bool:
    """The rules as the README states them, written independently of the engine."""
    pair = {a.id, b.id}
    if rules.share_language and not a.languages & b.languages:
        return False
    if rules.different_department and a.department and a.department == b.department:
        return False
    if rules.exclude_previous_partners and any(pair <= group for group in rules.previous_pairs):
        return False
    return not any(pair <= group for group in rules.forbidden_pairs)


@pytest.mark.parametrize("mode", MODES)
@PROPERTIES
@given(cohorts())
def test_groups_partition_the_cohort_and_keep_the_rules(mode, cohort):
    members, rules = cohort
    by_id = {member.id: member for member in members}

    result = match(members, rules, **MODES[mode])

    grouped = [member_id for pair in result.pairs for member_id in pair.members]
    unmatched = [item.member_id for item in result.unmatched]
    assert len(grouped) == len(set(grouped)), "a member is in two groups"
    assert not set(grouped) & set(unmatched)
    assert sorted(grouped + unmatched) == sorted(by_id)
    assert all(len(pair.members) in (2, 3) for pair in result.pairs)
    assert all(item.reason for item in result.unmatched)

    locked = {tuple(sorted(group)) for group in rules.locked_pairs}
    assert {pair.members for pair in result.pairs if pair.locked} == locked
    for pair in result.pairs:
        if pair.locked:
            continue
        for a, b in combinations(pair.members, 2):
            assert allowed(by_id[a], by_id[b], rules), f"{a} and {b} break a rule"


@pytest.mark.parametrize("mode", MODES)
@PROPERTIES
@given(cohorts())
def test_no_two_unmatched_members_could_have_been_paired(mode, cohort):
    members, rules = cohort
    by_id = {member.id: member for member in members}

    result = match(members, rules, **MODES[mode])

    left = [item.member_id for item in result.unmatched]
    assert not [(a, b) for a, b in combinations(left, 2) if allowed(by_id[a], by_id[b], rules)]


@PROPERTIES
@given(cohorts())
def test_scores_are_symmetric_and_independent_of_the_order(cohort):
    members, rules = cohort
    in_order = score_matrix(encode(members), rules)
    swapped = score_matrix(encode(members[::-1]), rules)[::-1, ::-1]

    assert np.array_equal(in_order, in_order.T)
    assert np.allclose(in_order, swapped, rtol=0, atol=1e-6)
    for i, j in combinations(range(len(members)), 2):
        assert (in_order[i, j] >= 0) == allowed(members[i], members[j], rules)


@PROPERTIES
@given(cohorts(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_members(cohort, random):
    members, rules = cohort
    shuffled = list(members)
    random.shuffle(shuffled)

    first, second = match(members, rules), match(shuffled, rules)

    assert [pair.members for pair in first.pairs] == [pair.members for pair in second.pairs]
    assert first.unmatched == second.unmatched
    assert first.total_score == pytest.approx(second.total_score, abs=1e-6)
