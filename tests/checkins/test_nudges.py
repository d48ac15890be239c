"""The nudge rules on plain data (`checkins/nudges.py`): confidence that fell twice in a row,
and a blocker that comes back."""

import pytest

from checkins.nudges import (
    BLOCKER_BACK,
    CONFIDENCE_DROPPING,
    CheckInFacts,
    blockers_back,
    blockers_of,
    confidence_dropping,
    normalised_blocker,
    nudge_reasons,
)


def confidences(*values):
    return [CheckInFacts(confidence=value) for value in values]


def blockers(*texts):
    return [CheckInFacts(confidence=3, blockers=text) for text in texts]


@pytest.mark.parametrize(
    ("values", "dropping"),
    [
        ((4, 3, 2), True),
        ((5, 5, 4, 3), True),  # only the last three count
        ((1, 5, 4, 3), True),
        ((4, 3, 3), False),  # a rating that stays the same breaks the run
        ((3, 3, 2), False),
        ((4, 2), False),  # two check-ins are one drop, not two
        ((4,), False),
        ((), False),
        ((2, 3, 4), False),
        ((4, 3, 2, 3), False),  # it went back up last time
    ],
)
def test_confidence_drops_only_when_it_fell_in_the_last_two_check_ins(values, dropping):
    assert confidence_dropping(confidences(*values)) is dropping


def test_a_blocker_is_compared_without_case_spaces_markers_or_final_dots():
    assert normalised_blocker("  - Fear of   Presenting. ") == "fear of presenting"
    assert normalised_blocker("2) fear of presenting") == "fear of presenting"
    assert normalised_blocker("• Fear of presenting...") == "fear of presenting"
    assert normalised_blocker("") == ""


def test_each_line_is_one_blocker_and_empty_lines_are_none():
    assert blockers_of("No time\n\n- Fear of presenting\nno time.") == {
        "no time",
        "fear of presenting",
    }


def test_a_blocker_named_in_any_earlier_check_in_is_back():
    history = blockers("Fear of presenting", "", "No time\nFEAR OF PRESENTING.")

    assert blockers_back(history) == ["fear of presenting"]
    assert nudge_reasons(history) == [BLOCKER_BACK]


def test_a_blocker_repeated_in_the_next_check_in_is_back_too():
    assert blockers_back(blockers("No time", "No time")) == ["no time"]


def test_a_longer_or_different_blocker_is_not_the_same():
    history = blockers("Fear of presenting", "Fear of presenting to the board")

    assert blockers_back(history) == []
    assert nudge_reasons(history) == []


def test_an_empty_blocker_never_comes_back():
    assert blockers_back(blockers("", "")) == []
    assert blockers_back([]) == []


def test_a_first_check_in_never_nudges():
    assert nudge_reasons([CheckInFacts(confidence=1, blockers="Everything")]) == []


def test_both_reasons_can_come_together():
    history = [
        CheckInFacts(confidence=4, blockers="No time"),
        CheckInFacts(confidence=3),
        CheckInFacts(confidence=2, blockers="no time"),
    ]

    assert nudge_reasons(history) == [CONFIDENCE_DROPPING, BLOCKER_BACK]


def test_only_the_latest_check_in_is_judged():
    """Earlier drops or repeats that the latest check-in doesn't continue don't nudge again."""
    history = [
        CheckInFacts(confidence=5, blockers="No time"),
        CheckInFacts(confidence=4, blockers="No time"),
        CheckInFacts(confidence=3),
        CheckInFacts(confidence=4, blockers="Something new"),
    ]

    assert nudge_reasons(history) == []
