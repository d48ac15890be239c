"""Scheduling meetings from a signed contract, and partners adding, moving and cancelling them."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from checkins import schedule, selectors, services
from checkins.models import Meeting
from contracts.models import Contract
from matching.models import Pair
from tests.checkins.factories import (
    COPENHAGEN,
    future_meeting,
    meeting_at,
    past_meeting,
    signed_contract,
    signed_pair,
)
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

HOOK = "checkins.reminders.reminders_sync_for_meeting"


@pytest.fixture
def hook():
    with mock.patch(HOOK) as patched:
        yield patched


@pytest.fixture
def ana_and_ben(cohort, member, partner):
    return signed_pair(cohort, member, partner, starts_on=timezone.now().date())


def plan_of(contract):
    return list(
        Meeting.objects.filter(contract=contract, sequence__isnull=False).order_by("sequence")
    )


def local(moment, zone=COPENHAGEN):
    return moment.astimezone(schedule.zone(zone))


# Scheduling from the contract --------------------------------------------------------------


def test_signing_schedules_the_meetings_until_the_end_date(ana_and_ben, hook):
    contract = ana_and_ben.contract

    created = services.meetings_ensure_scheduled(contract=contract)

    meetings = plan_of(contract)
    assert len(created) == len(meetings) == 13  # weekly over 90 days
    assert all(local(m.starts_at).strftime("%a %H:%M") == "Tue 09:00" for m in meetings)
    assert all(m.ends_at - m.starts_at == datetime.timedelta(minutes=60) for m in meetings)
    assert all(m.starts_at > timezone.now() for m in meetings)
    assert local(meetings[-1].starts_at).date() <= contract.ends_on
    assert {m.origin for m in meetings} == {Meeting.Origin.SCHEDULE}
    assert {(m.organization_id, m.cohort_id, m.pair_id) for m in meetings} == {
        (contract.organization_id, contract.cohort_id, contract.pair_id)
    }
    assert hook.call_count == 13


def test_scheduling_twice_gives_the_same_meetings(ana_and_ben, hook):
    services.meetings_ensure_scheduled(contract=ana_and_ben.contract)
    first = list(Meeting.objects.values_list("pk", "starts_at", "sequence"))

    again = services.meetings_ensure_scheduled(contract=ana_and_ben.contract)

    assert again == []
    assert list(Meeting.objects.values_list("pk", "starts_at", "sequence")) == first
    assert AuditEvent.objects.filter(action="meetings.scheduled").count() == 1


def test_a_cancelled_or_moved_meeting_is_not_scheduled_again(ana_and_ben, member, hook):
    services.meetings_ensure_scheduled(contract=ana_and_ben.contract)
    first, second = plan_of(ana_and_ben.contract)[:2]
    services.meeting_cancel(meeting=first, actor=member)
    services.meeting_reschedule(
        meeting=second,
        actor=member,
        starts_at=second.starts_at + datetime.timedelta(hours=2),
        minutes=30,
    )

    assert services.meetings_ensure_scheduled(contract=ana_and_ben.contract) == []
    assert Meeting.objects.count() == 13


def test_only_meetings_still_ahead_are_scheduled(cohort, member, partner, hook):
    started = timezone.now().date() - datetime.timedelta(days=21)
    world = signed_pair(cohort, member, partner, starts_on=started)

    services.meetings_ensure_scheduled(contract=world.contract)

    meetings = plan_of(world.contract)
    assert meetings[0].starts_at > timezone.now()
    assert meetings[0].sequence >= 3  # the recurrence keeps counting from the start


def test_a_contract_not_yet_signed_schedules_nothing(cohort, member, partner, hook):
    world = signed_pair(cohort, member, partner, status=Contract.Status.READY)

    assert services.meetings_ensure_scheduled(contract=world.contract) == []
    assert not Meeting.objects.exists()


def test_an_inactive_pair_gets_no_meetings(ana_and_ben, hook):
    Pair.objects.filter(pk=ana_and_ben.pair.pk).update(status=Pair.Status.DISSOLVED)

    assert services.meetings_ensure_scheduled(contract=ana_and_ben.contract) == []


def test_a_contract_without_a_meeting_time_schedules_nothing(cohort, member, partner, hook):
    world = signed_pair(cohort, member, partner, time=None)

    assert services.meetings_ensure_scheduled(contract=world.contract) == []


def test_without_a_contract_time_zone_the_first_partners_profile_decides(
    cohort, member, partner, hook
):
    world = signed_pair(cohort, member, partner, timezone_name="")
    ProfileFactory(organization=cohort.organization, user=member, timezone="America/New_York")
    ProfileFactory(organization=cohort.organization, user=partner, timezone="Asia/Tokyo")

    services.meetings_ensure_scheduled(contract=world.contract)

    first = plan_of(world.contract)[0]
    assert local(first.starts_at, "America/New_York").strftime("%H:%M") == "09:00"


def test_without_any_time_zone_meetings_are_in_utc(ana_and_ben, hook):
    Contract.objects.filter(pk=ana_and_ben.contract.pk).update(timezone="")
    ana_and_ben.contract.refresh_from_db()

    services.meetings_ensure_scheduled(contract=ana_and_ben.contract)

    assert plan_of(ana_and_ben.contract)[0].starts_at.astimezone(datetime.UTC).hour == 9


def amend(world, **terms):
    """Sign a second version with new terms; the first is superseded."""
    Contract.objects.filter(pk=world.contract.pk).update(status=Contract.Status.SUPERSEDED)
    world.contract.refresh_from_db()
    return signed_contract(
        world.pair,
        version=2,
        previous=world.contract,
        starts_on=world.contract.starts_on,
        ends_on=world.contract.ends_on,
        **terms,
    )


def test_an_amendment_replans_the_meetings_nobody_touched(ana_and_ben, member, partner, hook):
    services.meetings_ensure_scheduled(contract=ana_and_ben.contract)
    old = plan_of(ana_and_ben.contract)
    moved = services.meeting_reschedule(
        meeting=old[1],
        actor=partner,
        starts_at=old[1].starts_at + datetime.timedelta(days=1),
        minutes=60,
    )
    added = services.meeting_add(
        pair=ana_and_ben.pair,
        actor=member,
        starts_at=old[2].starts_at + datetime.timedelta(days=2),
        minutes=45,
    )
    past = meeting_at(
        ana_and_ben.pair,
        timezone.now() - datetime.timedelta(days=7),
        contract=ana_and_ben.contract,
        origin=Meeting.Origin.SCHEDULE,
    )

    amendment = amend(
        ana_and_ben,
        cadence=Contract.Cadence.BIWEEKLY,
        weekday=Contract.Weekday.THURSDAY,
        time=datetime.time(10, 30),
    )
    changed = services.meetings_ensure_scheduled(contract=amendment)

    new_plan = plan_of(amendment)
    assert all(local(m.starts_at).strftime("%a %H:%M") == "Thu 10:30" for m in new_plan)
    assert len(new_plan) == 7  # every other week over 90 days
    # The untouched meetings were moved onto the new plan, the rest cancelled.
    reused = {m.pk for m in new_plan} & {m.pk for m in old}
    assert len(reused) == 7
    assert all(m.revision == 1 for m in new_plan)
    cancelled = Meeting.objects.filter(contract=ana_and_ben.contract, status="cancelled")
    assert cancelled.count() == 13 - 1 - 7
    assert len(changed) == 12
    # What the partners did, and the past, stay as they were.
    for meeting in (moved, added, past):
        kept = Meeting.objects.get(pk=meeting.pk)
        assert (kept.starts_at, kept.status, kept.contract_id) == (
            meeting.starts_at,
            Meeting.Status.SCHEDULED,
            meeting.contract_id,
        )
    assert services.meetings_ensure_scheduled(contract=amendment) == []


def test_an_amendment_with_the_same_times_keeps_the_meetings_as_they_were(ana_and_ben, hook):
    services.meetings_ensure_scheduled(contract=ana_and_ben.contract)
    before = {m.pk: m.starts_at for m in plan_of(ana_and_ben.contract)}

    amendment = amend(ana_and_ben)
    services.meetings_ensure_scheduled(contract=amendment)

    after = plan_of(amendment)
    assert {m.pk: m.starts_at for m in after} == before
    assert {m.revision for m in after} == {0}


def test_a_superseded_version_schedules_nothing_more(ana_and_ben, hook):
    amendment = amend(ana_and_ben)
    services.meetings_ensure_scheduled(contract=amendment)

    assert services.meetings_ensure_scheduled(contract=ana_and_ben.contract) == []
    assert not plan_of(ana_and_ben.contract)


def test_contracts_needing_schedule_lists_signed_contracts_without_meetings(
    cohort, member, partner, hook
):
    world = signed_pair(cohort, member, partner)
    unsigned = signed_pair(cohort, *_two_more(cohort), status=Contract.Status.READY)
    ended = signed_pair(
        cohort,
        *_two_more(cohort),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 1),
    )

    assert list(selectors.contracts_needing_schedule()) == [world.contract]

    services.meetings_ensure_scheduled(contract=world.contract)
    assert list(selectors.contracts_needing_schedule()) == []

    amendment = amend(world)
    assert list(selectors.contracts_needing_schedule()) == [amendment]
    assert unsigned.contract.pk and ended.contract.pk


def _two_more(cohort):
    from tests.factories import EnrolmentFactory

    return EnrolmentFactory(cohort=cohort).user, EnrolmentFactory(cohort=cohort).user


def test_the_pair_page_shows_the_meetings_planned_for_a_signed_contract(
    client_for, member, ana_and_ben, hook
):
    services.meetings_ensure_scheduled(contract=ana_and_ben.contract)  # as signing does
    url = reverse("pair_detail", kwargs={"org_slug": "northwind", "pair_id": ana_and_ben.pair.pk})

    response = client_for(member).get(url)

    assert response.status_code == 200
    assert len(plan_of(ana_and_ben.contract)) == 13
    assert len(response.context["page"].upcoming) == 13


# Partners change meetings ------------------------------------------------------------------


@pytest.fixture
def meeting(ana_and_ben):
    return future_meeting(ana_and_ben.pair, days_ahead=5, contract=ana_and_ben.contract)


def test_rescheduling_moves_the_meeting_and_tells_the_other_partner(
    meeting, member, partner, hook, django_capture_on_commit_callbacks
):
    new_time = meeting.starts_at + datetime.timedelta(days=1, hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        moved = services.meeting_reschedule(
            meeting=meeting, actor=member, starts_at=new_time, minutes=45, note="Train strike"
        )

    assert (moved.starts_at, moved.ends_at - moved.starts_at) == (
        new_time,
        datetime.timedelta(minutes=45),
    )
    assert (moved.revision, moved.updated_by) == (1, member)
    hook.assert_called_once_with(meeting=moved)
    [email] = mail.outbox
    assert email.to == [partner.email]
    assert "Ana Silva moved your meeting" in email.subject
    assert "Train strike" in email.body
    assert local(new_time).strftime("%H:%M") in email.body
    assert email.alternatives[0][1] == "text/html"
    assert AuditEvent.objects.filter(action="meeting.rescheduled", actor=member).exists()


def test_cancelling_tells_the_other_partner(
    meeting, partner, member, hook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.meeting_cancel(meeting=meeting, actor=partner, note="Sick")

    assert (cancelled.status, cancelled.revision) == (Meeting.Status.CANCELLED, 1)
    hook.assert_called_once_with(meeting=cancelled)
    [email] = mail.outbox
    assert email.to == [member.email]
    assert "Ben Okafor cancelled your meeting" in email.subject
    assert AuditEvent.objects.filter(action="meeting.cancelled", actor=partner).exists()


def test_adding_a_meeting_tells_the_other_partner(
    ana_and_ben, member, partner, hook, django_capture_on_commit_callbacks
):
    starts_at = timezone.now() + datetime.timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        added = services.meeting_add(
            pair=ana_and_ben.pair, actor=member, starts_at=starts_at, minutes=30
        )

    assert (added.origin, added.sequence, added.contract) == (
        Meeting.Origin.MANUAL,
        None,
        ana_and_ben.contract,
    )
    hook.assert_called_once_with(meeting=added)
    [email] = mail.outbox
    assert email.to == [partner.email]
    assert "added a meeting" in email.subject
    assert AuditEvent.objects.filter(action="meeting.added", actor=member).exists()


def test_a_meeting_cannot_move_into_the_past(meeting, member, hook):
    with pytest.raises(ValidationError) as error:
        services.meeting_reschedule(
            meeting=meeting,
            actor=member,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            minutes=60,
        )

    assert error.value.message_dict == {"starts_at": ["Choose a time in the future."]}
    hook.assert_not_called()


def test_a_meeting_that_took_place_cannot_be_moved_or_cancelled(ana_and_ben, member, hook):
    past = past_meeting(ana_and_ben.pair)

    with pytest.raises(ValidationError, match="already started"):
        services.meeting_cancel(meeting=past, actor=member)


def test_a_cancelled_meeting_cannot_be_moved(meeting, member, hook):
    services.meeting_cancel(meeting=meeting, actor=member)

    with pytest.raises(ValidationError, match="was cancelled"):
        services.meeting_reschedule(
            meeting=meeting, actor=member, starts_at=meeting.starts_at, minutes=60
        )


def test_only_partners_change_meetings(meeting, coordinator, hook):
    with pytest.raises(ValidationError, match="Only the partners"):
        services.meeting_cancel(meeting=meeting, actor=coordinator)


def test_meetings_last_between_five_minutes_and_eight_hours(ana_and_ben, member, hook):
    with pytest.raises(ValidationError) as error:
        services.meeting_add(
            pair=ana_and_ben.pair,
            actor=member,
            starts_at=timezone.now() + datetime.timedelta(days=1),
            minutes=600,
        )

    assert list(error.value.message_dict) == ["minutes"]


# The pages ---------------------------------------------------------------------------------


def test_adding_a_meeting_takes_the_time_in_the_pairs_time_zone(
    client_for, member, ana_and_ben, hook
):
    day = timezone.now().date() + datetime.timedelta(days=10)
    url = reverse("meeting_add", kwargs={"org_slug": "northwind", "pair_id": ana_and_ben.pair.pk})

    response = client_for(member).post(
        url, {"date": day.isoformat(), "time": "18:15", "minutes": "50", "note": ""}
    )

    assert response.status_code == 302
    added = Meeting.objects.get(origin=Meeting.Origin.MANUAL)
    assert local(added.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 18:15"
    assert added.ends_at - added.starts_at == datetime.timedelta(minutes=50)


def test_a_time_in_the_past_is_shown_again_with_the_error(client_for, member, ana_and_ben, hook):
    url = reverse("meeting_add", kwargs={"org_slug": "northwind", "pair_id": ana_and_ben.pair.pk})

    response = client_for(member).post(
        url, {"date": "2020-01-07", "time": "08:00", "minutes": "60", "note": "Kept"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose a time in the future." in content
    assert 'value="Kept"' in content and 'value="2020-01-07"' in content
    assert not Meeting.objects.exists()


def test_the_reschedule_form_starts_from_the_meetings_local_time(client_for, member, meeting):
    url = reverse("meeting_reschedule", kwargs={"org_slug": "northwind", "meeting_id": meeting.pk})

    response = client_for(member).get(url)

    form = response.context["form"]
    assert form.initial["time"] == local(meeting.starts_at).time().replace(second=0, microsecond=0)
    assert form.initial["minutes"] == 60


def test_cancelling_asks_for_confirmation_first(client_for, member, meeting, hook):
    url = reverse("meeting_cancel", kwargs={"org_slug": "northwind", "meeting_id": meeting.pk})
    client = client_for(member)

    page = client.get(url)
    assert page.status_code == 200
    assert "Cancel this meeting?" in page.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED

    assert client.post(url, {"note": ""}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_coordinators_cannot_change_meetings(client_for, coordinator, meeting, hook):
    url = reverse("meeting_cancel", kwargs={"org_slug": "northwind", "meeting_id": meeting.pk})

    assert client_for(coordinator).post(url).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_scheduled_and_moved_meetings_get_their_reminders_from_the_reminders_module(
    ana_and_ben, member
):
    from checkins.models import Reminder

    services.meetings_ensure_scheduled(contract=ana_and_ben.contract)
    second = plan_of(ana_and_ben.contract)[1]  # a week ahead: all its reminders are to come
    reminders = Reminder.objects.filter(meeting=second)
    assert reminders.count() == 6  # 24 h, 1 h and the check-in nudge, for each partner

    services.meeting_cancel(meeting=second, actor=member)

    assert set(reminders.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}


def test_a_mail_server_failure_does_not_undo_the_change(
    meeting, member, hook, django_capture_on_commit_callbacks
):
    failing = mock.patch(
        "checkins.services.meetings.send_templated_email",
        side_effect=ConnectionError("mail is down"),
    )
    with failing, django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, actor=member)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
