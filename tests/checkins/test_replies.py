"""Replies to a check-in: one thread per check-in for the two partners, nobody else (not even
the coordinator); each reply emails the other partner once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import AlreadyDone
from checkins import limits, reminders
from checkins.models import CheckInReply, NotificationPreference, Reminder
from checkins.replies.selectors import REPLIES_PER_PAGE
from checkins.replies.services import checkin_reply_add
from matching.models import Pair
from tests.checkins.factories import checkin, past_meeting, signed_pair
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cohort, member, partner):
    return signed_pair(cohort, member, partner, goals=False)


@pytest.fixture
def members_checkin(pair, member):
    meeting = past_meeting(pair.pair, contract=pair.contract)
    return checkin(meeting, member, blockers="No time to practise", help_rating=4)


def thread_url(row):
    return reverse(
        "checkin_replies",
        kwargs={"org_slug": row.meeting.organization.slug, "checkin_id": row.pk},
    )


def replies():
    return Reminder.objects.filter(kind=Reminder.Kind.CHECKIN_REPLY)


def send_due():
    return reminders.reminders_send_due(now=timezone.now())


# The service ---------------------------------------------------------------------------------


def test_the_partner_replies_and_the_author_is_emailed_once(members_checkin, member, partner):
    reply = checkin_reply_add(
        checkin=members_checkin, author=partner, body="  Try ten minutes a day.  "
    )

    assert reply.body == "Try ten minutes a day."
    (row,) = replies()
    assert (row.recipient, row.checkin) == (member, members_checkin)
    first, second = send_due(), send_due()
    assert first[reminders.SENT] == 1 and second[reminders.SENT] == 0
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert message.subject == f"{partner.display_name} replied to your check-in"
    assert "Try ten minutes a day." in message.body
    assert thread_url(members_checkin) in message.body
    assert "your coordinator doesn't" in message.body


def test_the_author_can_answer_in_their_own_thread(members_checkin, member, partner):
    checkin_reply_add(checkin=members_checkin, author=member, body="Thanks, I will.")
    send_due()

    (message,) = mail.outbox
    assert message.to == [partner.email]
    assert message.subject == f"{member.display_name} replied about their check-in"


def test_a_burst_of_replies_makes_one_email_until_it_went_out(members_checkin, member, partner):
    checkin_reply_add(checkin=members_checkin, author=partner, body="One")
    checkin_reply_add(checkin=members_checkin, author=partner, body="Two")
    send_due()
    checkin_reply_add(checkin=members_checkin, author=partner, body="Three")
    send_due()

    assert replies().count() == 2
    assert len(mail.outbox) == 2
    assert "One" in mail.outbox[0].body and "Two" in mail.outbox[0].body
    assert "Three" in mail.outbox[1].body


def test_a_member_who_turned_reply_emails_off_gets_none(members_checkin, member, partner):
    NotificationPreference.objects.create(user=member, checkin_replies=False)
    checkin_reply_add(checkin=members_checkin, author=partner, body="Hello")

    assert send_due()[reminders.SKIPPED] == 1
    assert not mail.outbox


def test_the_same_reply_sent_twice_is_stored_once(members_checkin, partner):
    checkin_reply_add(checkin=members_checkin, author=partner, body="Well done!")

    with pytest.raises(AlreadyDone):
        checkin_reply_add(checkin=members_checkin, author=partner, body="Well done! ")

    assert CheckInReply.objects.count() == 1


def test_the_same_words_later_are_a_new_reply(members_checkin, partner):
    later = timezone.now() + datetime.timedelta(hours=1)
    checkin_reply_add(checkin=members_checkin, author=partner, body="Well done!")

    checkin_reply_add(checkin=members_checkin, author=partner, body="Well done!", now=later)

    assert CheckInReply.objects.count() == 2


def test_an_empty_reply_is_refused(members_checkin, partner):
    with pytest.raises(ValidationError):
        checkin_reply_add(checkin=members_checkin, author=partner, body="   ")

    assert not CheckInReply.objects.exists()


def test_a_reply_is_bounded(members_checkin, partner):
    with pytest.raises(ValidationError):
        checkin_reply_add(
            checkin=members_checkin, author=partner, body="x" * (limits.REPLY_BODY_MAX + 1)
        )

    assert not CheckInReply.objects.exists() and not replies().exists()


def test_a_full_thread_takes_no_more_replies(members_checkin, member, partner, settings):
    CheckInReply.objects.bulk_create(
        CheckInReply(
            organization=members_checkin.meeting.organization,
            checkin=members_checkin,
            author=member,
            body=f"Reply {n}",
        )
        for n in range(limits.REPLIES_PER_CHECKIN_MAX)
    )

    with pytest.raises(ValidationError, match="full"):
        checkin_reply_add(checkin=members_checkin, author=partner, body="One more")


def test_one_person_writes_a_bounded_number_of_replies_an_hour(members_checkin, partner):
    CheckInReply.objects.bulk_create(
        CheckInReply(
            organization=members_checkin.meeting.organization,
            checkin=members_checkin,
            author=partner,
            body=f"Reply {n}",
        )
        for n in range(limits.REPLIES_PER_HOUR_MAX)
    )

    with pytest.raises(ValidationError, match="last hour"):
        checkin_reply_add(checkin=members_checkin, author=partner, body="One more")
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    checkin_reply_add(checkin=members_checkin, author=partner, body="One more", now=later)


def test_only_partners_can_reply(members_checkin, coordinator):
    with pytest.raises(ValidationError, match="Only the partners"):
        checkin_reply_add(checkin=members_checkin, author=coordinator, body="Hi")


def test_an_ended_partnership_takes_no_replies(members_checkin, partner):
    Pair.objects.filter(pk=members_checkin.meeting.pair_id).update(status=Pair.Status.DISSOLVED)

    with pytest.raises(ValidationError, match="ended"):
        checkin_reply_add(checkin=members_checkin, author=partner, body="Hi")


# The page ------------------------------------------------------------------------------------


def test_the_partner_reads_the_check_in_and_replies_on_its_page(
    client_for, members_checkin, partner
):
    client = client_for(partner)
    page = client.get(thread_url(members_checkin))
    assert page.status_code == 200
    assert "No time to practise" in page.content.decode()

    response = client.post(thread_url(members_checkin), {"body": "Ten minutes a day?"}, follow=True)

    assert response.redirect_chain[-1][0].startswith(thread_url(members_checkin))
    html = response.content.decode()
    assert "Ten minutes a day?" in html
    assert "Reply sent. Your partner was told by email." in html


def test_an_empty_reply_comes_back_with_an_error(client_for, members_checkin, partner):
    response = client_for(partner).post(thread_url(members_checkin), {"body": ""})

    assert response.status_code == 200
    assert "Write a reply first." in response.content.decode()
    assert not CheckInReply.objects.exists()


def test_a_double_submit_is_told_the_reply_is_there(client_for, members_checkin, partner):
    client = client_for(partner)
    client.post(thread_url(members_checkin), {"body": "Same"})

    response = client.post(thread_url(members_checkin), {"body": "Same"}, follow=True)

    assert "Your reply is already in the thread." in response.content.decode()
    assert CheckInReply.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_coordinator_who_is_not_a_partner_gets_404(
    client_for, members_checkin, coordinator, method
):
    response = getattr(client_for(coordinator), method)(thread_url(members_checkin), {"body": "x"})

    assert response.status_code == 404
    assert not CheckInReply.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_member_of_the_cohort_gets_404(client_for, members_checkin, cohort, method):
    stranger = EnrolmentFactory(cohort=cohort).user

    response = getattr(client_for(stranger), method)(thread_url(members_checkin), {"body": "x"})

    assert response.status_code == 404


def test_an_outsider_gets_404(client_for, members_checkin, outsider):
    assert client_for(outsider).get(thread_url(members_checkin)).status_code == 404


def test_a_long_thread_is_paginated_and_opens_on_its_newest_page(
    client_for, members_checkin, member, partner
):
    CheckInReply.objects.bulk_create(
        CheckInReply(
            organization=members_checkin.meeting.organization,
            checkin=members_checkin,
            author=member if n % 2 else partner,
            body=f"Reply number {n:03}",
        )
        for n in range(REPLIES_PER_PAGE + 5)
    )
    client = client_for(partner)

    newest = client.get(thread_url(members_checkin)).content.decode()
    first = client.get(thread_url(members_checkin) + "?page=1").content.decode()

    assert "Reply number 024" in newest and "Reply number 000" not in newest
    assert "Reply number 000" in first and "Reply number 024" not in first
    assert "Page 2 of 2" in newest


def test_the_thread_page_takes_a_fixed_number_of_queries(
    client_for, members_checkin, member, partner
):
    client = client_for(partner)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(thread_url(members_checkin)).status_code == 200
        return len(captured)

    checkin_reply_add(checkin=members_checkin, author=partner, body="First")
    count()  # the first visit also stores the current organization in the session
    few = count()
    CheckInReply.objects.bulk_create(
        CheckInReply(
            organization=members_checkin.meeting.organization,
            checkin=members_checkin,
            author=member if n % 2 else partner,
            body=f"Reply {n}",
        )
        for n in range(15)
    )

    assert count() == few


def test_the_pair_page_links_each_check_in_to_its_thread_with_the_count(
    client_for, members_checkin, partner
):
    checkin_reply_add(checkin=members_checkin, author=partner, body="First")
    checkin_reply_add(checkin=members_checkin, author=partner, body="Second")
    url = reverse(
        "pair_detail",
        kwargs={
            "org_slug": members_checkin.meeting.organization.slug,
            "pair_id": members_checkin.meeting.pair_id,
        },
    )

    html = client_for(partner).get(url).content.decode()

    assert thread_url(members_checkin) in html
    assert "Read 2 replies" in html


def test_the_coordinators_pair_page_does_not_link_the_threads(
    client_for, members_checkin, partner, coordinator
):
    checkin_reply_add(checkin=members_checkin, author=partner, body="Private words")
    url = reverse(
        "pair_detail",
        kwargs={
            "org_slug": members_checkin.meeting.organization.slug,
            "pair_id": members_checkin.meeting.pair_id,
        },
    )

    html = client_for(coordinator).get(url).content.decode()

    assert thread_url(members_checkin) not in html and "Private words" not in html


def test_a_members_data_export_holds_their_replies_and_help_ratings(
    members_checkin, member, partner
):
    from checkins.privacy.selectors import member_data

    checkin_reply_add(checkin=members_checkin, author=partner, body="Keep going")
    checkin_reply_add(checkin=members_checkin, author=member, body="Thanks")

    mine = member_data(user=member)

    assert [reply["body"] for reply in mine["checkin_replies"]] == ["Thanks"]
    assert mine["checkins"][0]["help_rating"] == 4
