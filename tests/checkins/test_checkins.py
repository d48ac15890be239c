"""Logging a check-in after a meeting: the rules, the form, and what it leaves for next time."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from checkins import selectors, services
from checkins.models import CheckIn, GoalProgress, IndicatorValue, Meeting, NextStep
from contracts.models import Indicator
from tests.checkins.factories import (
    checkin,
    checkin_post,
    future_meeting,
    next_step,
    past_meeting,
    signed_pair,
)

pytestmark = pytest.mark.django_db


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


def url_for(meeting):
    return reverse("checkin_create", kwargs={"org_slug": "northwind", "meeting_id": meeting.pk})


def in_a_week():
    return timezone.now().date() + datetime.timedelta(days=7)


def full_post(world, user, done=(), **extra):
    goal = world.goal_of(user)
    texts = {
        "learned": "How to frame a budget request",
        "taught": "My onboarding checklist",
        "blockers": "Two deadlines this month",
    }
    return checkin_post(
        goals=[(goal, 4)],
        indicators={
            world.indicator_of(user): "6.5",
            world.indicator_of(user, Indicator.Kind.YES_NO): "no",
        },
        steps=[("Send Ben my draft", user, in_a_week())],
        done=done,
        **{**texts, **extra},
    )


def test_a_partner_logs_a_check_in_with_goals_indicators_and_next_steps(
    client_for, member, ana_and_ben, meeting
):
    response = client_for(member).post(url_for(meeting), full_post(ana_and_ben, member))

    assert response.status_code == 302
    row = CheckIn.objects.get(meeting=meeting, user=member)
    assert (row.time_effectiveness, row.confidence) == (4, 3)
    assert row.learned == "How to frame a budget request"
    assert GoalProgress.objects.get(checkin=row).rating == 4
    values = {v.indicator.kind: v for v in IndicatorValue.objects.filter(checkin=row)}
    assert values["number"].value == Decimal("6.5") and values["number"].met is None
    assert values["yes_no"].met is False and values["yes_no"].value is None
    step = NextStep.objects.get(checkin=row)
    assert (step.owner, step.pair, step.due_on) == (member, ana_and_ben.pair, in_a_week())
    assert AuditEvent.objects.filter(action="checkin.created", actor=member).exists()


def test_the_form_asks_only_for_the_users_own_goals(client_for, member, ana_and_ben, meeting):
    response = client_for(member).get(url_for(meeting))

    content = response.content.decode()
    assert "Goal 1 of Ana" in content
    assert "Goal 2 of Ben" not in content
    assert "Ana&#x27;s sessions" in content and "Ben&#x27;s sessions" not in content


@pytest.mark.parametrize(
    ("field", "value"),
    [("time_effectiveness", "0"), ("time_effectiveness", "6"), ("confidence", "")],
)
def test_ratings_must_be_from_1_to_5(client_for, member, ana_and_ben, meeting, field, value):
    data = full_post(ana_and_ben, member, **{field: value})

    response = client_for(member).post(url_for(meeting), data)

    assert response.status_code == 200
    assert response.context["forms"].main.errors[field]
    assert not CheckIn.objects.exists()


def test_each_goal_needs_a_progress_rating(client_for, member, ana_and_ben, meeting):
    data = full_post(ana_and_ben, member)
    del data[f"goal-{ana_and_ben.goal_of(member).pk}-rating"]

    response = client_for(member).post(url_for(meeting), data)

    assert response.status_code == 200
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_indicator_values_must_be_numbers(client_for, member, ana_and_ben, meeting):
    data = full_post(ana_and_ben, member)
    data[f"indicator-{ana_and_ben.indicator_of(member).pk}-value"] = "about six"

    response = client_for(member).post(url_for(meeting), data)

    assert response.status_code == 200
    assert "Enter a number, e.g. 12 or 3.5." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_next_steps_cannot_be_due_in_the_past(client_for, member, ana_and_ben, meeting):
    yesterday = timezone.now().date() - datetime.timedelta(days=2)
    data = full_post(ana_and_ben, member)
    data["steps-0-due_on"] = yesterday.isoformat()

    response = client_for(member).post(url_for(meeting), data)

    assert response.status_code == 200
    assert "The due date can&#x27;t be in the past." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_next_step_needs_an_owner_and_a_date(client_for, member, ana_and_ben, meeting):
    data = full_post(ana_and_ben, member)
    data["steps-0-owner"] = ""
    data["steps-0-due_on"] = ""

    response = client_for(member).post(url_for(meeting), data)

    errors = response.context["forms"].steps.errors[0]
    assert set(errors) == {"owner", "due_on"}


def test_a_next_step_owner_must_be_a_partner(client_for, member, coordinator, ana_and_ben, meeting):
    data = full_post(ana_and_ben, member)
    data["steps-0-owner"] = str(coordinator.pk)

    response = client_for(member).post(url_for(meeting), data)

    assert "owner" in response.context["forms"].steps.errors[0]


def test_nothing_typed_is_lost_when_the_form_comes_back_with_errors(
    client_for, member, ana_and_ben, meeting
):
    data = full_post(ana_and_ben, member, confidence="9")

    response = client_for(member).post(url_for(meeting), data)

    content = response.content.decode()
    assert "How to frame a budget request" in content
    assert "Two deadlines this month" in content
    assert 'value="6.5"' in content
    assert 'value="Send Ben my draft"' in content
    assert f'value="{in_a_week().isoformat()}"' in content
    assert response.context["forms"].goals[0]["rating"].value() == "4"


def test_a_second_check_in_edits_the_first(client_for, member, ana_and_ben, meeting):
    client = client_for(member)
    client.post(url_for(meeting), full_post(ana_and_ben, member))

    page = client.get(url_for(meeting))
    assert "Edit my check-in" in page.content.decode()
    assert page.context["forms"].main.initial["learned"] == "How to frame a budget request"

    response = client.post(url_for(meeting), full_post(ana_and_ben, member, learned="Edited"))

    assert response.status_code == 302
    row = CheckIn.objects.get()
    assert row.learned == "Edited"
    assert NextStep.objects.count() == 1  # the unchanged next step was kept, not doubled
    assert AuditEvent.objects.filter(action="checkin.updated").exists()


def test_the_service_refuses_a_second_check_in_clearly(member, meeting):
    checkin(meeting, member)

    with pytest.raises(ValidationError, match="already checked in for this meeting"):
        services.checkin_create(meeting=meeting, user=member, time_effectiveness=3, confidence=3)


def test_each_partner_checks_in_for_themselves(client_for, member, partner, ana_and_ben, meeting):
    client_for(member).post(url_for(meeting), full_post(ana_and_ben, member))

    response = client_for(partner).post(url_for(meeting), full_post(ana_and_ben, partner))

    assert response.status_code == 302
    assert set(CheckIn.objects.values_list("user", flat=True)) == {member.pk, partner.pk}


def test_no_check_in_for_a_meeting_still_ahead(client_for, member, ana_and_ben):
    upcoming = future_meeting(ana_and_ben.pair)

    response = client_for(member).post(url_for(upcoming), full_post(ana_and_ben, member))

    assert response.status_code == 200
    assert "hasn&#x27;t taken place yet" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_no_check_in_for_a_cancelled_meeting(client_for, member, ana_and_ben, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)

    response = client_for(member).post(url_for(meeting), full_post(ana_and_ben, member))

    assert "was cancelled" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_only_own_goals_can_be_rated(member, partner, ana_and_ben, meeting):
    bens_goal = ana_and_ben.goal_of(partner)

    with pytest.raises(ValidationError, match="your own goals"):
        services.checkin_create(
            meeting=meeting,
            user=member,
            time_effectiveness=3,
            confidence=3,
            goals=[services.GoalRating(goal=bens_goal, rating=3)],
        )


def test_the_service_checks_ratings_too(member, meeting):
    with pytest.raises(ValidationError) as error:
        services.checkin_create(meeting=meeting, user=member, time_effectiveness=7, confidence=0)

    assert set(error.value.message_dict) == {"time_effectiveness", "confidence"}


# Next steps carry over ---------------------------------------------------------------------


def test_next_steps_appear_on_the_next_meetings_agenda(client_for, member, ana_and_ben, meeting):
    client = client_for(member)
    client.post(url_for(meeting), full_post(ana_and_ben, member))
    future_meeting(ana_and_ben.pair)
    pair_url = reverse(
        "pair_detail", kwargs={"org_slug": "northwind", "pair_id": ana_and_ben.pair.pk}
    )

    page = client.get(pair_url).context["page"]

    assert [step.description for step in page.next_steps] == ["Send Ben my draft"]
    assert page.agenda[0] == "Review of short- and long-term goals"
    assert page.next_meeting is not None


def test_steps_ticked_off_in_the_next_check_in_leave_the_agenda(
    client_for, member, partner, ana_and_ben, meeting
):
    earlier = checkin(past_meeting(ana_and_ben.pair, days_ago=8), partner)
    step = next_step(earlier, member, "Read the book")
    data = full_post(ana_and_ben, member, done=[step])

    client_for(member).post(url_for(meeting), data)

    step.refresh_from_db()
    assert step.done_at is not None
    assert list(
        selectors.open_next_steps(pair=ana_and_ben.pair).values_list("description", flat=True)
    ) == ["Send Ben my draft"]


def test_an_unchanged_step_may_keep_a_due_date_that_has_passed_when_editing(
    member, ana_and_ben, meeting
):
    row = checkin(meeting, member)
    old = next_step(row, member, "Call the bank", due_in_days=-3)

    services.checkin_update(
        checkin=row,
        actor=member,
        time_effectiveness=4,
        confidence=4,
        next_steps=[services.NextStepInput(old.description, member, old.due_on)],
    )

    assert NextStep.objects.get().pk == old.pk


def test_a_decimal_comma_is_read_as_a_decimal_point(client_for, member, ana_and_ben, meeting):
    data = full_post(ana_and_ben, member)
    data[f"indicator-{ana_and_ben.indicator_of(member).pk}-value"] = "12,5"

    client_for(member).post(url_for(meeting), data)

    value = IndicatorValue.objects.get(indicator=ana_and_ben.indicator_of(member))
    assert value.value == Decimal("12.5")
