"""Coordinators' texts reach only people who joined the organization, say who wrote them, and
count against the organization's daily email limit."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, Enrolment, Membership
from checkins.models import Reminder
from checkins.reminders import program_message_queue
from profiles import importing

pytestmark = pytest.mark.django_db

BODY = "Please add your time zone: https://example.org/profile"


def step_url(cohort, step):
    return reverse(
        "cohort_funnel_step",
        kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk, "step": step},
    )


def remind(client, cohort, step="joined"):
    data = {"subject": "Complete your profile", "body": BODY, "confirmed": "True"}
    return client.post(step_url(cohort, step), data, follow=True)


def test_bulk_reminder_skips_invited_people(
    client_for, coordinator, cohort, member, outsider, django_capture_on_commit_callbacks
):
    header = ",".join(importing.COLUMNS)
    data = f"{header}\n{outsider.email},Olu,Bakare,,,,,\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        importing.members_import(cohort=cohort, actor=coordinator, data=data)
    mail.outbox.clear()  # the invitation

    with django_capture_on_commit_callbacks(execute=True):
        response = remind(client_for(coordinator), cohort)

    assert "Message queued for 1 member." in response.content.decode()
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert not Reminder.objects.filter(recipient=outsider).exists()


def test_bulk_reminder_leaves_out_an_enrolment_without_membership(
    client_for, coordinator, cohort, member, partner
):
    Membership.objects.filter(user=partner).delete()  # left the organization; enrolment stayed

    remind(client_for(coordinator), cohort)

    assert [row.recipient for row in Reminder.objects.all()] == [member]


def test_a_program_message_to_someone_who_is_not_a_member_is_refused(
    cohort, member, coordinator, outsider
):
    Enrolment.objects.create(cohort=cohort, user=outsider)  # enrolled, never joined

    with pytest.raises(ValidationError, match="members of the cohort"):
        program_message_queue(
            cohort=cohort, recipients=[member, outsider], subject="Hi", body=BODY, actor=coordinator
        )

    assert not Reminder.objects.exists()


def test_a_queued_message_is_not_sent_to_someone_who_left_the_organization(
    cohort, member, coordinator, django_capture_on_commit_callbacks
):
    program_message_queue(
        cohort=cohort, recipients=[member], subject="Hi", body=BODY, actor=coordinator
    )
    Membership.objects.filter(user=member).delete()

    with django_capture_on_commit_callbacks(execute=True):
        from checkins.reminders import reminders_send_due

        reminders_send_due()

    assert mail.outbox == []
    assert Reminder.objects.get().last_error == "The recipient is not a member of the organization."


def test_each_message_is_marked_as_written_by_the_coordinator_of_the_organization(
    cohort, member, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        program_message_queue(
            cohort=cohort, recipients=[member], subject="Hi", body=BODY, actor=coordinator
        )

    (message,) = mail.outbox
    signature = "Written by Cora Lindqvist, coordinator of Northwind Collective"
    assert signature in message.body
    assert signature in message.alternatives[0][0]


def test_daily_email_limit_refuses_bulk_reminder_with_message(
    client_for, coordinator, cohort, member, partner, settings
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 1

    response = remind(client_for(coordinator), cohort)

    page = response.content.decode()
    assert "may send at most 1 emails a day and has 1 left today; this would send 2" in page
    assert not Reminder.objects.exists()
    assert not AuditEvent.objects.filter(action="reminder.program_message_queued").exists()


def test_within_the_limit_the_bulk_message_is_audited(
    client_for, coordinator, cohort, member, partner, settings
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 2

    remind(client_for(coordinator), cohort)

    event = AuditEvent.objects.get(action="reminder.program_message_queued")
    assert (event.actor, event.data["recipients"]) == (coordinator, 2)
    assert Reminder.objects.count() == 2
