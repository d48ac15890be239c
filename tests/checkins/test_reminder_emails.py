"""Every reminder email: a subject, a text part, an HTML part, and links to manage them."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checkins import reminders
from checkins.models import Reminder
from checkins.reminders import claim_due_reminders, reminder_deliver, reminders_sync_for_meeting
from contracts.models import Contract
from tests.checkins.reminder_factories import (
    active_pair,
    meeting_for,
    reminder,
)
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

Kind = Reminder.Kind
UNSUBSCRIBE = re.compile(r"/notifications/unsubscribe/[^/\s\"]+/")


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


def send_now(row):
    Reminder.objects.filter(pk=row.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert row.pk in claim_due_reminders()
    assert reminder_deliver(reminder_id=row.pk) == reminders.SENT
    (message,) = mail.outbox
    return message


def meeting_reminder(pair, member, kind, starts_in=30):
    meeting = meeting_for(pair, starts_in=starts_in)
    reminders_sync_for_meeting(meeting=meeting)
    return Reminder.objects.get(meeting=meeting, recipient=member, kind=kind)


@pytest.fixture
def at_risk_pair(cohort):
    """Weekly meetings, the first 30 days ago, and never a check-in."""
    pair = active_pair(cohort, *EnrolmentFactory.create_batch(2, cohort=cohort))
    Contract.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        pair=pair,
        status=Contract.Status.SIGNED,
        cadence=Contract.Cadence.WEEKLY,
    )
    meeting_for(pair, starts_in=-30 * 24)
    return pair


def build(kind, *, pair, member, coordinator, cohort):
    if kind in (Kind.MEETING_DAY_BEFORE, Kind.MEETING_HOUR_BEFORE):
        return meeting_reminder(pair, member, kind)
    if kind == Kind.CHECKIN_MISSING:
        return meeting_reminder(pair, member, kind, starts_in=-3)
    if kind == Kind.COORDINATOR_DIGEST:
        reminders.coordinator_digests_queue(cohorts=[cohort])
        return Reminder.objects.get(kind=kind, recipient=coordinator)
    return reminder(member, cohort)


@pytest.mark.parametrize("kind", Kind.values)
def test_every_reminder_email_has_a_text_and_an_html_part(kind, pair, member, coordinator, cohort):
    row = build(kind, pair=pair, member=member, coordinator=coordinator, cohort=cohort)

    message = send_now(row)

    assert message.to == [row.recipient.email]
    assert message.subject.strip() and "\n" not in message.subject
    assert message.body.strip()
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert html.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("kind", Kind.values)
def test_every_reminder_email_links_to_the_preferences_and_to_unsubscribe(
    kind, pair, member, coordinator, cohort, links_in
):
    row = build(kind, pair=pair, member=member, coordinator=coordinator, cohort=cohort)

    message = send_now(row)

    paths = links_in(message)
    assert reverse("notification_preferences") in paths
    assert any(UNSUBSCRIBE.fullmatch(path) for path in paths)
    html = message.alternatives[0][0]
    assert reverse("notification_preferences") in html
    assert UNSUBSCRIBE.search(html)


def test_the_unsubscribe_link_in_an_email_turns_off_that_kind_only(client, pair, member, links_in):
    message = send_now(meeting_reminder(pair, member, Kind.MEETING_HOUR_BEFORE))
    (link,) = [path for path in links_in(message) if UNSUBSCRIBE.fullmatch(path)]

    client.post(link)

    preference = member.notification_preference
    assert preference.meeting_hour_before is False
    assert preference.meeting_day_before is True


def test_the_meeting_reminder_names_the_partner_and_the_time(pair, member, partner):
    row = meeting_reminder(pair, member, Kind.MEETING_DAY_BEFORE)

    message = send_now(row)

    when = row.meeting.starts_at.astimezone(datetime.UTC).strftime("%H:%M")
    assert partner.display_name in message.subject
    assert when in message.subject
    assert partner.display_name in message.body and when in message.body
    assert member.display_name not in message.subject


def test_the_meeting_time_is_shown_in_the_contracts_time_zone(pair, member):
    contract = Contract.objects.create(
        organization=pair.organization,
        cohort=pair.cohort,
        pair=pair,
        status=Contract.Status.SIGNED,
        timezone="Asia/Tokyo",
    )
    meeting = meeting_for(pair, starts_in=30, contract=contract)
    reminders_sync_for_meeting(meeting=meeting)
    row = Reminder.objects.get(meeting=meeting, recipient=member, kind=Kind.MEETING_HOUR_BEFORE)

    message = send_now(row)

    tokyo = meeting.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    assert f"{tokyo:%H:%M} (Asia/Tokyo)" in message.body


def test_the_checkin_nudge_links_to_the_check_in_form(pair, member, partner, links_in):
    row = meeting_reminder(pair, member, Kind.CHECKIN_MISSING, starts_in=-3)

    message = send_now(row)

    assert "check-in" in message.subject.lower()
    assert partner.display_name in message.body
    checkin = reverse(
        "checkin_create", kwargs={"org_slug": pair.organization.slug, "meeting_id": row.meeting_id}
    )
    assert checkin in links_in(message)


def test_meeting_reminders_link_to_the_pair_page(pair, member, links_in):
    message = send_now(meeting_reminder(pair, member, Kind.MEETING_HOUR_BEFORE))

    page = reverse("pair_detail", kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk})
    assert page in links_in(message)


def test_the_digest_lists_the_cohorts_at_risk_pairs(pair, at_risk_pair, coordinator, cohort):
    reminders.coordinator_digests_queue(cohorts=[cohort])
    row = Reminder.objects.get(kind=Kind.COORDINATOR_DIGEST, recipient=coordinator)

    message = send_now(row)

    names = [m.user.display_name for m in at_risk_pair.members.all()]
    assert message.subject == f"{cohort.name}: 1 pair at risk this week"
    assert " & ".join(names) in message.body
    assert "No check-in yet." in message.body
    assert str(pair) not in message.body  # no signed contract yet: not "at risk"
    assert cohort.get_absolute_url() in message.body
    assert f"{names[0]} &amp; {names[1]}" in message.alternatives[0][0]


def test_a_digest_with_nothing_at_risk_says_so(pair, coordinator, cohort):
    reminders.coordinator_digests_queue(cohorts=[cohort])

    message = send_now(Reminder.objects.get(kind=Kind.COORDINATOR_DIGEST))

    assert message.subject == f"{cohort.name}: 0 pairs at risk this week"
    assert "All 1 active pair is on track." in message.body


def test_a_program_message_carries_the_coordinators_subject_and_text(member, cohort):
    row = reminder(
        member,
        cohort,
        data={"subject": "Finish your profile", "body": "Two <fields> left.", "sender": "Cora"},
    )

    message = send_now(row)

    assert message.subject == "Finish your profile"
    assert "Two <fields> left." in message.body
    assert "Two &lt;fields&gt; left." in message.alternatives[0][0]
    assert "Cora, coordinator of" in message.body
