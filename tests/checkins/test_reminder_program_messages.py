"""`program_message_queue`: a coordinator's message to members, once per person."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from checkins.models import Reminder
from checkins.reminders import program_message_queue

pytestmark = pytest.mark.django_db


def queue(cohort, recipients, actor, subject="Complete your profile", body="Two fields left."):
    return program_message_queue(
        cohort=cohort, recipients=recipients, subject=subject, body=body, actor=actor
    )


def test_queuing_makes_one_due_row_per_recipient(cohort, member, partner, coordinator):
    assert queue(cohort, [member, partner], coordinator) == 2

    rows = Reminder.objects.filter(kind=Reminder.Kind.PROGRAM_MESSAGE)
    assert {row.recipient for row in rows} == {member, partner}
    assert {row.cohort for row in rows} == {cohort}
    assert rows[0].data == {
        "subject": "Complete your profile",
        "body": "Two fields left.",
        "sender": "Cora Lindqvist",
    }


def test_the_same_message_queued_again_goes_to_each_person_once(
    cohort, member, partner, coordinator
):
    queue(cohort, [member], coordinator)

    assert queue(cohort, [member, partner], coordinator) == 1
    assert Reminder.objects.filter(recipient=member).count() == 1


def test_a_different_message_is_a_new_row(cohort, member, coordinator):
    queue(cohort, [member], coordinator)

    assert queue(cohort, [member], coordinator, body="One field left.") == 1


def test_queued_messages_are_sent_after_commit_when_tasks_run_in_process(
    cohort, member, partner, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(cohort, [member, partner], coordinator)

    assert sorted(message.to[0] for message in mail.outbox) == [member.email, partner.email]
    assert {message.subject for message in mail.outbox} == {"Complete your profile"}


def test_messages_only_go_to_members_of_the_cohort(cohort, member, coordinator, outsider):
    with pytest.raises(ValidationError, match="members of the cohort"):
        queue(cohort, [member, outsider], coordinator)

    assert not Reminder.objects.exists()


@pytest.mark.parametrize(("subject", "body"), [("", "Text"), ("Subject", "  "), ("x" * 201, "T")])
def test_a_message_needs_a_short_subject_and_a_text(cohort, member, coordinator, subject, body):
    with pytest.raises(ValidationError):
        queue(cohort, [member], coordinator, subject=subject, body=body)


def test_queuing_is_recorded_in_the_audit_log(cohort, member, coordinator):
    queue(cohort, [member], coordinator)

    event = AuditEvent.objects.get(action="reminder.program_message_queued")
    assert (event.organization, event.actor) == (cohort.organization, coordinator)
    assert event.data["recipients"] == 1
