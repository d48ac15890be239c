"""A check-in's texts are bounded, its one-line texts free of hidden characters, and a tampered
count of next steps can't erase the steps already agreed: the form says why, nothing changes."""

from unittest import mock

import pytest

from checkins import limits
from checkins.models import CheckIn, GoalProgress, IndicatorValue, NextStep
from contracts.models import Indicator
from tests.checkins.factories import past_meeting, signed_pair
from tests.checkins.test_checkins import full_post, url_for

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000


@pytest.fixture(autouse=True)
def _no_reminders():
    with mock.patch("checkins.reminders.reminders_sync_for_meeting"):
        yield


@pytest.fixture
def ana_and_ben(cohort, member, partner):
    return signed_pair(cohort, member, partner)


@pytest.fixture
def meeting(ana_and_ben):
    return past_meeting(ana_and_ben.pair, days_ago=1, contract=ana_and_ben.contract)


@pytest.fixture
def logged(client_for, member, ana_and_ben, meeting):
    """Ana's check-in, with one next step, as the page saved it."""
    response = client_for(member).post(url_for(meeting), full_post(ana_and_ben, member))
    assert response.status_code == 302
    return CheckIn.objects.get()


def snapshot() -> tuple:
    return (
        list(CheckIn.objects.values_list("learned", "taught", "blockers", "confidence")),
        list(GoalProgress.objects.values_list("rating", "note")),
        list(IndicatorValue.objects.values_list("value", "met", "note")),
        list(NextStep.objects.values_list("description", "owner", "due_on", "done_at")),
    )


def too_long(limit: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {len(HUGE)})."


def keys(world, user) -> dict[str, str]:
    return {
        "goal note": f"goal-{world.goal_of(user).pk}-note",
        "indicator note": f"indicator-{world.indicator_of(user, Indicator.Kind.NUMBER).pk}-note",
    }


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        ("learned", limits.CHECKIN_TEXT_MAX),
        ("taught", limits.CHECKIN_TEXT_MAX),
        ("blockers", limits.CHECKIN_TEXT_MAX),
        ("goal note", limits.GOAL_NOTE_MAX),
        ("indicator note", limits.INDICATOR_NOTE_MAX),
        ("steps-0-description", limits.NEXT_STEP_MAX),
    ],
)
def test_an_over_long_check_in_text_is_refused_with_the_count(
    client_for, member, ana_and_ben, meeting, logged, key, limit
):
    before = snapshot()
    key = keys(ana_and_ben, member).get(key, key)

    response = client_for(member).post(
        url_for(meeting), {**full_post(ana_and_ben, member), key: HUGE}
    )

    assert response.status_code == 200
    assert too_long(limit) in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("steps-0-description", "Send Ben my \u202edraft"),
        ("steps-0-description", "Send\u200b Ben my draft"),
        ("indicator note", "on track\u2066"),
        ("learned", "Budgets\x1b[31m"),
    ],
    ids=["step-bidi", "step-zero-width", "note-isolate", "learned-escape"],
)
def test_hidden_characters_in_a_check_in_are_refused(
    client_for, member, ana_and_ben, meeting, logged, key, text
):
    before = snapshot()
    key = keys(ana_and_ben, member).get(key, key)

    response = client_for(member).post(
        url_for(meeting), {**full_post(ana_and_ben, member), key: text}
    )

    assert response.status_code == 200
    assert "Remove the" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("total", ["-1", "100000"])
def test_a_tampered_count_of_next_steps_is_refused_and_erases_nothing(
    client_for, member, ana_and_ben, meeting, logged, total
):
    before = snapshot()
    assert NextStep.objects.count() == 1

    response = client_for(member).post(
        url_for(meeting), {**full_post(ana_and_ben, member), "steps-TOTAL_FORMS": total}
    )

    assert response.status_code == 200
    assert response.context["forms"].steps.non_form_errors()
    assert snapshot() == before


def test_a_missing_count_of_next_steps_is_refused_with_a_clear_message(
    client_for, member, ana_and_ben, meeting, logged
):
    before = snapshot()
    data = full_post(ana_and_ben, member)
    del data["steps-TOTAL_FORMS"], data["steps-INITIAL_FORMS"]

    response = client_for(member).post(url_for(meeting), data)

    assert "The form arrived incomplete or altered" in response.content.decode()
    assert snapshot() == before
