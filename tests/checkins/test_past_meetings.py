"""A meeting that already took place is recorded afterwards, within the contract's window,
and checked in on at once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Cohort
from checkins import schedule, services
from checkins.models import CheckIn, Meeting, Reminder
from contracts.models import Indicator
from tests.checkins.factories import (
    COPENHAGEN,
    checkin_post,
    in_state,
    past_meeting,
    signed_pair,
)
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def pair_signed_a_month_ago(cohort, member, partner):
    starts_on = timezone.now().date() - 30 * DAY
    return signed_pair(cohort, member, partner, starts_on=starts_on)


def record(signed, actor, *, days_ago=3, minutes=45, note=""):
    return services.meeting_record_held(
        pair=signed.pair,
        actor=actor,
        starts_at=timezone.now() - days_ago * DAY,
        minutes=minutes,
        note=note,
    )


def record_url(pair):
    return reverse("meeting_record", kwargs={"org_slug": "northwind", "pair_id": pair.pk})


# The service -------------------------------------------------------------------------------


def test_a_partner_records_a_meeting_that_already_took_place(
    pair_signed_a_month_ago, member, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = record(pair_signed_a_month_ago, member, note="Coffee by the river")

    assert meeting.starts_at < timezone.now()
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(minutes=45)
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting.origin == Meeting.Origin.MANUAL
    assert meeting.contract == pair_signed_a_month_ago.contract
    assert AuditEvent.objects.filter(action="meeting.recorded", actor=member).exists()
    [email] = mail.outbox
    assert email.to == [partner.email]
    assert "recorded your meeting" in email.subject
    assert reverse("checkin_create", args=["northwind", meeting.pk]) in email.body


def test_a_recorded_meeting_gets_no_reminder_about_a_time_already_past(
    pair_signed_a_month_ago, member
):
    meeting = record(pair_signed_a_month_ago, member, days_ago=5)

    kinds = set(Reminder.objects.filter(meeting=meeting).values_list("kind", flat=True))
    assert not kinds & {"meeting_24h", "meeting_1h"}


def test_a_recorded_meeting_must_lie_in_the_past(pair_signed_a_month_ago, member):
    with pytest.raises(ValidationError) as error:
        record(pair_signed_a_month_ago, member, days_ago=-1)

    assert error.value.message_dict == {
        "starts_at": ["A meeting you record has already taken place: choose a time in the past."]
    }
    assert not Meeting.objects.exists()


def test_a_recorded_meeting_must_fall_within_the_contracts_window(pair_signed_a_month_ago, member):
    # The contract started 30 days ago; meetings may fall up to 14 days before it.
    with pytest.raises(ValidationError) as error:
        record(pair_signed_a_month_ago, member, days_ago=60)

    assert list(error.value.message_dict) == ["starts_at"]
    assert "Choose a day during your contract" in error.value.message_dict["starts_at"][0]
    assert not Meeting.objects.exists()


def test_a_meeting_already_on_the_list_is_not_recorded_twice(pair_signed_a_month_ago, member):
    existing = past_meeting(pair_signed_a_month_ago.pair, days_ago=2)

    with pytest.raises(ValidationError, match="already on your list"):
        services.meeting_record_held(
            pair=pair_signed_a_month_ago.pair,
            actor=member,
            starts_at=existing.starts_at,
            minutes=60,
        )
    assert Meeting.objects.count() == 1


def test_only_the_partners_record_a_meeting(pair_signed_a_month_ago, coordinator):
    with pytest.raises(ValidationError, match="Only the partners"):
        record(pair_signed_a_month_ago, coordinator)


def test_a_meeting_is_recorded_only_while_the_cohort_is_active(
    cohort, pair_signed_a_month_ago, member
):
    in_state(cohort, Cohort.Status.CLOSED)

    with pytest.raises(ValidationError, match="closed"):
        record(pair_signed_a_month_ago, member)
    assert not Meeting.objects.exists()


def test_planning_a_meeting_still_needs_a_time_in_the_future(pair_signed_a_month_ago, member):
    with pytest.raises(ValidationError) as error:
        services.meeting_add(
            pair=pair_signed_a_month_ago.pair,
            actor=member,
            starts_at=timezone.now() - DAY,
            minutes=60,
        )

    assert error.value.message_dict == {"starts_at": ["Choose a time in the future."]}


def test_both_partners_check_in_on_a_recorded_meeting(pair_signed_a_month_ago, member, partner):
    meeting = record(pair_signed_a_month_ago, member)

    for user in (member, partner):
        services.checkin_create(meeting=meeting, user=user, time_effectiveness=4, confidence=3)

    assert CheckIn.objects.filter(meeting=meeting).count() == 2


# The pages ---------------------------------------------------------------------------------


def test_the_pair_page_offers_to_record_a_past_meeting(client_for, member, pair_signed_a_month_ago):
    pair = pair_signed_a_month_ago.pair
    url = reverse("pair_detail", kwargs={"org_slug": "northwind", "pair_id": pair.pk})

    html = client_for(member).get(url).content.decode()

    assert record_url(pair) in html
    assert "Record a past meeting" in html


def test_recording_takes_the_pairs_local_time_and_leads_to_the_check_in(
    client_for, member, pair_signed_a_month_ago
):
    client = client_for(member)
    day = timezone.now().date() - 4 * DAY

    response = client.post(
        record_url(pair_signed_a_month_ago.pair),
        {"date": day.isoformat(), "time": "17:30", "minutes": "60", "note": ""},
    )

    meeting = Meeting.objects.get()
    local = meeting.starts_at.astimezone(schedule.zone(COPENHAGEN))
    assert local.strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 17:30"
    assert response.status_code == 302
    assert response.url == reverse("checkin_create", args=["northwind", meeting.pk])

    signed = pair_signed_a_month_ago
    post = checkin_post(
        goals=[(signed.goal_of(member), 4)],
        indicators={
            signed.indicator_of(member): "3",
            signed.indicator_of(member, Indicator.Kind.YES_NO): "yes",
        },
    )
    checked_in = client.post(response.url, post)
    assert checked_in.status_code == 302
    assert CheckIn.objects.filter(meeting=meeting, user=member).exists()


def test_a_future_time_is_shown_again_with_the_error(client_for, member, pair_signed_a_month_ago):
    day = timezone.now().date() + 3 * DAY

    response = client_for(member).post(
        record_url(pair_signed_a_month_ago.pair),
        {"date": day.isoformat(), "time": "09:00", "minutes": "60", "note": "Kept"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "choose a time in the past" in content
    assert 'value="Kept"' in content
    assert not Meeting.objects.exists()


def test_a_member_of_another_organization_gets_404(
    client_for, other_cohort, pair_signed_a_month_ago
):
    stranger = EnrolmentFactory(cohort=other_cohort).user
    client = client_for(stranger)
    url = record_url(pair_signed_a_month_ago.pair)
    day = (timezone.now().date() - 2 * DAY).isoformat()

    assert client.get(url).status_code == 404
    assert client.post(url, {"date": day, "time": "09:00", "minutes": "60"}).status_code == 404
    assert not Meeting.objects.exists()


def test_the_coordinator_cannot_record_a_pairs_meeting(
    client_for, coordinator, pair_signed_a_month_ago
):
    response = client_for(coordinator).get(record_url(pair_signed_a_month_ago.pair))

    assert response.status_code in (403, 404)
