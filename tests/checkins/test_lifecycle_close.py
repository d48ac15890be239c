"""Closing a cohort: its future meetings and unsent reminders end, its members get the survey
once, and nothing of another cohort or organization is touched."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Cohort
from checkins.models import ClosingSurveyRequest, Meeting, Reminder
from checkins.oversight.lifecycle import cohort_close
from checkins.reminders import reminders_send_due, reminders_sync_for_meeting
from matching.models import Pair, PairMember
from tests.checkins.factories import active_pair, meeting_at
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def active(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.ACTIVE)
    cohort.refresh_from_db()
    return cohort


def meeting(pair, days):
    """A meeting `days` from now (negative: past) with its reminders, as scheduling makes them."""
    row = meeting_at(pair, timezone.now() + days * DAY)
    reminders_sync_for_meeting(meeting=row)
    return row


@pytest.fixture
def setting(cohort, member, partner, program, other_cohort):
    """The cohort (active) with a pair that has a past and two future meetings; a second cohort
    of the organization and a cohort of another organization, each with a future meeting."""
    active(cohort)
    pair = active_pair(cohort, [member, partner])
    sibling = active(CohortFactory(program=program, name="Spring 2027"))
    sibling_pair = active_pair(sibling, [EnrolmentFactory(cohort=sibling).user for _ in "ab"])
    foreign = active(other_cohort)
    foreign_pair = active_pair(foreign, [EnrolmentFactory(cohort=foreign).user for _ in "ab"])
    return {
        "pair": pair,
        "past": meeting(pair, -0.25),  # its check-in nudge is still pending
        "soon": meeting(pair, 3),
        "later": meeting(pair, 10),
        "sibling": meeting(sibling_pair, 3),
        "foreign": meeting(foreign_pair, 3),
        "sibling_cohort": sibling,
    }


def status(row):
    row.refresh_from_db()
    return row.status


def test_closing_cancels_exactly_the_cohorts_future_meetings(setting, cohort, coordinator):
    result = cohort_close(cohort=cohort, actor=coordinator)

    assert result.meetings_cancelled == 2
    assert status(setting["soon"]) == status(setting["later"]) == Meeting.Status.CANCELLED
    assert setting["soon"].revision == 1  # calendars see the change
    assert status(setting["past"]) == Meeting.Status.SCHEDULED
    assert status(setting["sibling"]) == Meeting.Status.SCHEDULED
    assert status(setting["foreign"]) == Meeting.Status.SCHEDULED


def test_closing_cancels_the_cohorts_unsent_reminders_and_nobody_elses(
    setting, cohort, coordinator
):
    ours = Reminder.objects.filter(cohort=cohort, status=Reminder.Status.PENDING)
    theirs = set(Reminder.objects.exclude(cohort=cohort).values_list("pk", flat=True))
    # Per partner: 24 h, 1 h and the nudge of each future meeting, the nudge of the past one.
    assert ours.count() == 14
    pending = set(ours.values_list("pk", flat=True))

    result = cohort_close(cohort=cohort, actor=coordinator)

    assert result.reminders_cancelled == 14
    cancelled = Reminder.objects.filter(pk__in=pending, status=Reminder.Status.CANCELLED)
    assert cancelled.count() == 14
    assert set(cancelled.values_list("last_error", flat=True)) == {"The cohort was closed."}
    assert theirs and set(
        Reminder.objects.filter(pk__in=theirs).values_list("status", flat=True)
    ) == {Reminder.Status.PENDING}


def test_a_reminder_already_being_sent_is_left_to_finish(setting, cohort, coordinator):
    soon = setting["soon"]
    claimed, in_flight, sent = Reminder.objects.filter(meeting=soon).order_by("pk")[:3]
    now = timezone.now()
    Reminder.objects.filter(pk=claimed.pk).update(status=Reminder.Status.SENDING)
    Reminder.objects.filter(pk=in_flight.pk).update(status=Reminder.Status.SENDING, sent_at=now)
    Reminder.objects.filter(pk=sent.pk).update(status=Reminder.Status.SENT, sent_at=now)

    cohort_close(cohort=cohort, actor=coordinator)

    assert status(claimed) == Reminder.Status.CANCELLED  # queued, not yet taken: stopped
    assert status(in_flight) == Reminder.Status.SENDING  # its email is going out
    assert status(sent) == Reminder.Status.SENT


def test_a_coordinators_message_still_goes_out(setting, cohort, coordinator, member):
    message = Reminder.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        kind=Reminder.Kind.PROGRAM_MESSAGE,
        recipient=member,
        subject_key="program:thanks",
        data={"subject": "Thanks", "body": "Thank you all.", "sender": "Cora"},
        due_at=timezone.now(),
    )

    cohort_close(cohort=cohort, actor=coordinator)

    assert status(message) == Reminder.Status.PENDING


def test_pairs_keep_their_status(setting, cohort, coordinator):
    cohort_close(cohort=cohort, actor=coordinator)

    assert status(setting["pair"]) == Pair.Status.ACTIVE


def test_the_members_of_active_pairs_are_asked_for_the_survey_by_email(
    setting, cohort, coordinator, member, partner, django_capture_on_commit_callbacks
):
    EnrolmentFactory(cohort=cohort)  # enrolled without a partner: not asked
    declined = Pair.objects.create(
        organization=cohort.organization, cohort=cohort, status=Pair.Status.DECLINED
    )
    PairMember.objects.create(pair=declined, user=EnrolmentFactory(cohort=cohort).user)

    with django_capture_on_commit_callbacks(execute=True):
        result = cohort_close(cohort=cohort, actor=coordinator)

    assert result.surveys_requested == 2
    asked = ClosingSurveyRequest.objects.filter(cohort=cohort)
    assert {request.user for request in asked} == {member, partner}
    survey_mail = [m for m in mail.outbox if "Three quick questions" in m.subject]
    assert sorted(m.to[0] for m in survey_mail) == [member.email, partner.email]
    link = reverse(
        "closing_survey", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    assert all(link in m.body and "anonymous" in m.body for m in survey_mail)
    assert survey_mail[0].subject == "How did “Autumn 2026” go? Three quick questions"


def test_closing_twice_is_harmless_and_sends_nothing_more(
    setting, cohort, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cohort_close(cohort=cohort, actor=coordinator)
    sent, rows = len(mail.outbox), Reminder.objects.count()
    events = AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        again = cohort_close(cohort=cohort, actor=coordinator)
    reminders_send_due()

    assert again.already_closed and again.surveys_requested == 0
    assert (len(mail.outbox), Reminder.objects.count()) == (sent, rows)
    assert AuditEvent.objects.count() == events
    assert ClosingSurveyRequest.objects.filter(cohort=cohort).count() == 2


def test_closing_is_in_the_audit_log_with_what_it_did(setting, cohort, coordinator):
    cohort_close(cohort=cohort, actor=coordinator)

    event = AuditEvent.objects.get(action="cohort.closed")
    assert event.actor == coordinator
    assert event.data == {
        "cohort": cohort.pk,
        "from": "active",
        "to": "closed",
        "meetings_cancelled": 2,
        "reminders_cancelled": 14,
        "surveys_requested": 2,
    }
    assert Cohort.objects.get(pk=cohort.pk).status == Cohort.Status.CLOSED


@pytest.mark.parametrize("state", [Cohort.Status.DRAFT, Cohort.Status.OPEN, Cohort.Status.MATCHING])
def test_only_an_active_cohort_can_be_closed(cohort, coordinator, state):
    Cohort.objects.filter(pk=cohort.pk).update(status=state)

    with pytest.raises(ValidationError, match="Only an active cohort can be closed"):
        cohort_close(cohort=cohort, actor=coordinator)

    assert Cohort.objects.get(pk=cohort.pk).status == state
    assert not ClosingSurveyRequest.objects.exists()


# The page ------------------------------------------------------------------------------------


def close_url(cohort):
    return reverse(
        "cohort_close", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )


def test_the_closing_page_says_exactly_what_will_happen(client_for, setting, cohort, coordinator):
    response = client_for(coordinator).get(close_url(cohort))

    page = response.content.decode()
    assert "2 future meetings of 1 pair will be cancelled" in page
    assert "14 reminders not yet sent" in page
    assert "2 members of the 1 active pair will get an email" in page
    assert "Pairs keep their status" in page
    assert status(setting["soon"]) == Meeting.Status.SCHEDULED  # looking changes nothing


def test_confirming_on_the_page_closes_the_cohort(client_for, setting, cohort, coordinator):
    response = client_for(coordinator).post(close_url(cohort), follow=True)

    assert "The cohort is closed: 2 future meetings cancelled, 14 reminders cancelled" in (
        response.content.decode()
    )
    assert Cohort.objects.get(pk=cohort.pk).status == Cohort.Status.CLOSED


def test_a_member_cannot_close_the_cohort(client_for, setting, cohort, member):
    assert client_for(member).post(close_url(cohort)).status_code == 403
    assert Cohort.objects.get(pk=cohort.pk).status == Cohort.Status.ACTIVE
    assert status(setting["soon"]) == Meeting.Status.SCHEDULED
