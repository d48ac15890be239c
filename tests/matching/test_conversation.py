"""The partners' thread: who may read and write it, its bounds, its emails, the intro call,
and the page (contact details hidden until everyone accepts, a fixed number of queries)."""

import datetime
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import AlreadyDone
from accounts.models import AuditEvent, Cohort, OutgoingEmailDay
from checkins.privacy import selectors as privacy_selectors
from checkins.privacy import services as privacy
from matching import limits, services
from matching.conversation import services as talk
from matching.models import IntroCall, Pair, PairMessage
from tests.factories import EnrolmentFactory, MembershipFactory
from tests.matching.factories import cohort_of_four, make_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.MATCHING)
    cohort.refresh_from_db()
    return cohort_of_four(cohort, member, partner)


@pytest.fixture
def proposed(cohort, four):
    return make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)


def thread_url(pair, org_slug="northwind"):
    return reverse("pair_conversation", kwargs={"org_slug": org_slug, "pair_id": pair.pk})


def send_url(pair):
    return reverse("pair_message_send", kwargs={"org_slug": "northwind", "pair_id": pair.pk})


def call_url(pair, accept=False):
    name = "intro_call_accept" if accept else "intro_call_propose"
    return reverse(name, kwargs={"org_slug": "northwind", "pair_id": pair.pk})


def notes(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def send(pair, author, body="Hello! When suits you for a first talk?", **kwargs):
    return talk.pair_message_send(pair=pair, author=author, body=body, **kwargs)


# Who may write, and when -------------------------------------------------------------------


@pytest.mark.parametrize("status", [Pair.Status.PUBLISHED, Pair.Status.ACTIVE])
def test_members_of_a_published_or_active_pair_write_to_each_other(cohort, four, status):
    pair = make_pair(cohort, [four.ana, four.ben], status=status)

    send(pair, four.ana, "Hi Ben")
    send(pair, four.ben, "Hi Ana")

    assert [m.body for m in PairMessage.objects.filter(pair=pair)] == ["Hi Ana", "Hi Ben"]
    assert AuditEvent.objects.filter(action="pair.message_sent").count() == 2


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Pair.Status.PROPOSED, "not in this pair"),  # unreachable: refused before status
        (Pair.Status.DECLINED, "This pairing has ended"),
        (Pair.Status.DISSOLVED, "This pairing has ended"),
    ],
)
def test_no_one_writes_in_a_pair_that_is_not_published_or_active(cohort, four, status, words):
    pair = make_pair(cohort, [four.ana, four.ben], status=status)
    author = four.carl if status == Pair.Status.PROPOSED else four.ana

    with pytest.raises(ValidationError, match=words):
        send(pair, author)

    assert not PairMessage.objects.exists()


def test_a_member_outside_the_pair_cannot_write_in_it(proposed, four):
    with pytest.raises(ValidationError, match="You are not in this pair"):
        send(proposed, four.carl)


def test_a_closed_cohort_keeps_the_thread_readable_but_not_writable(cohort, proposed, four):
    send(proposed, four.ana)
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CLOSED)

    with pytest.raises(ValidationError, match="The cohort is closed"):
        send(proposed, four.ben, "Still there?")


def test_an_empty_message_is_refused(proposed, four):
    with pytest.raises(ValidationError, match="Write your message first"):
        send(proposed, four.ana, "   \n ")


def test_a_message_longer_than_the_limit_is_refused(proposed, four):
    with pytest.raises(ValidationError, match="at most 2000 characters"):
        send(proposed, four.ana, "x" * (limits.MESSAGE_MAX + 1))

    assert not PairMessage.objects.exists()


# Bounds and double submits ------------------------------------------------------------------


def test_the_same_text_sent_twice_within_seconds_is_one_message(proposed, four):
    send(proposed, four.ana, "See you Tuesday")

    with pytest.raises(AlreadyDone):
        send(proposed, four.ana, "See you Tuesday")

    later = timezone.now() + datetime.timedelta(seconds=limits.DUPLICATE_MESSAGE_SECONDS + 1)
    send(proposed, four.ana, "See you Tuesday", now=later)
    assert PairMessage.objects.count() == 2


def test_a_pair_writes_at_most_so_many_messages_a_day(proposed, four, settings):
    now = timezone.now()
    for n in range(limits.MESSAGES_PER_PAIR_PER_DAY):
        send(proposed, (four.ana, four.ben)[n % 2], f"Message {n}", now=now)

    with pytest.raises(ValidationError, match="in the last 24 hours, the most a day allows"):
        send(proposed, four.ana, "One more", now=now)

    send(proposed, four.ana, "The next day", now=now + datetime.timedelta(days=1, seconds=1))
    assert PairMessage.objects.count() == limits.MESSAGES_PER_PAIR_PER_DAY + 1


def test_a_pair_writes_at_most_so_many_messages_in_all(proposed, four, monkeypatch):
    monkeypatch.setattr(limits, "MESSAGES_PER_PAIR_TOTAL", 3)
    start = timezone.now() - datetime.timedelta(days=10)
    for day in range(3):
        send(proposed, four.ana, f"Day {day}", now=start + datetime.timedelta(days=day))

    with pytest.raises(ValidationError, match="the most one pair can write"):
        send(proposed, four.ben, "And another")


# Emails -------------------------------------------------------------------------------------


def test_each_message_is_emailed_to_the_partner_without_the_authors_address(
    proposed, four, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(proposed, four.ana, "Shall we talk on Thursday?")

    assert message.emailed
    (email,) = mail.outbox
    assert email.to == [four.ben.email]
    assert "Ana Silva wrote to you" in email.subject
    assert "Shall we talk on Thursday?" in email.body
    assert thread_url(proposed) in email.body
    assert four.ana.email not in email.body
    assert four.ana.email not in email.alternatives[0][0]
    assert "Reply-To" not in email.extra_headers
    assert "stay hidden until you have all accepted" in email.body


def test_once_partners_the_email_no_longer_speaks_of_hidden_addresses(
    cohort, four, django_capture_on_commit_callbacks
):
    pair = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.ACTIVE)

    with django_capture_on_commit_callbacks(execute=True):
        send(pair, four.ben, "Agenda for Monday")

    (email,) = mail.outbox
    assert email.to == [four.ana.email]
    assert "your partner in" in email.body
    assert "stay hidden" not in email.body


def test_messages_count_against_the_organizations_daily_email_limit(
    proposed, four, settings, django_capture_on_commit_callbacks
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        first = send(proposed, four.ana, "First")
        second = send(proposed, four.ben, "Second")

    assert first.emailed and not second.emailed
    assert [email.to for email in mail.outbox] == [[four.ben.email]]
    assert PairMessage.objects.count() == 2  # the second is saved, just not emailed
    assert OutgoingEmailDay.objects.get().count == 1


def test_the_page_says_when_the_limit_kept_the_email_from_being_sent(
    client_for, proposed, four, settings
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 0

    response = client_for(four.ana).post(send_url(proposed), {"body": "Hello"})

    assert response.status_code == 302
    assert any("not emailed" in note for note in notes(response))
    assert "not emailed" in client_for(four.ana).get(thread_url(proposed)).content.decode()


# The intro call -----------------------------------------------------------------------------


def in_days(days, hour=14):
    local = datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=days), datetime.time(hour)
    )
    return timezone.make_aware(local, zoneinfo.ZoneInfo("Europe/Copenhagen"))


def test_one_member_proposes_an_intro_call_and_the_other_accepts(proposed, four):
    talk.intro_call_propose(pair=proposed, user=four.ana, starts_at=in_days(3))

    with pytest.raises(ValidationError, match="your partner accepts it"):
        talk.intro_call_accept(pair=proposed, user=four.ana, starts_at=in_days(3))
    call = talk.intro_call_accept(pair=proposed, user=four.ben, starts_at=in_days(3))

    assert call.status == IntroCall.Status.ACCEPTED
    with pytest.raises(AlreadyDone):
        talk.intro_call_accept(pair=proposed, user=four.ben, starts_at=in_days(3))


def test_another_time_replaces_the_proposal_and_an_old_one_cannot_be_accepted(proposed, four):
    talk.intro_call_propose(pair=proposed, user=four.ana, starts_at=in_days(3))
    talk.intro_call_propose(pair=proposed, user=four.ben, starts_at=in_days(4))

    with pytest.raises(ValidationError, match="has changed meanwhile"):
        talk.intro_call_accept(pair=proposed, user=four.ana, starts_at=in_days(3))
    talk.intro_call_accept(pair=proposed, user=four.ana, starts_at=in_days(4))

    call = IntroCall.objects.get()
    assert (call.starts_at, call.proposed_by, call.status) == (in_days(4), four.ben, "accepted")


@pytest.mark.parametrize(
    ("days", "words"), [(-1, "still ahead"), (limits.INTRO_CALL_DAYS_AHEAD + 1, "within the next")]
)
def test_an_intro_call_is_in_the_coming_weeks(proposed, four, days, words):
    with pytest.raises(ValidationError, match=words):
        talk.intro_call_propose(pair=proposed, user=four.ana, starts_at=in_days(days))

    assert not IntroCall.objects.exists()


def test_the_intro_call_time_is_typed_in_the_members_time_zone(client_for, proposed, four):
    day = timezone.localdate() + datetime.timedelta(days=5)

    response = client_for(four.ana).post(
        call_url(proposed), {"date": day.isoformat(), "time": "09:30"}
    )

    assert response.status_code == 302
    expected = datetime.datetime.combine(day, datetime.time(9, 30))
    zone = zoneinfo.ZoneInfo("Europe/Copenhagen")  # Ana's profile's zone
    assert IntroCall.objects.get().starts_at == timezone.make_aware(expected, zone)


def test_accepting_on_the_page_agrees_the_time(client_for, proposed, four):
    talk.intro_call_propose(pair=proposed, user=four.ana, starts_at=in_days(3))
    page = client_for(four.ben).get(thread_url(proposed)).content.decode()
    assert "Accept this time" in page

    response = client_for(four.ben).post(
        call_url(proposed, accept=True), {"starts_at": in_days(3).isoformat()}
    )

    assert response.status_code == 302
    assert IntroCall.objects.get().status == IntroCall.Status.ACCEPTED
    assert "Agreed" in client_for(four.ana).get(thread_url(proposed)).content.decode()


def test_a_proposed_and_an_accepted_time_are_emailed_in_the_recipients_time_zone(
    proposed, four, django_capture_on_commit_callbacks
):
    four.ben.profiles.update(timezone="America/New_York")
    starts_at = in_days(3)  # 14:00 in Copenhagen, 08:00 in New York

    with django_capture_on_commit_callbacks(execute=True):
        talk.intro_call_propose(pair=proposed, user=four.ana, starts_at=starts_at)
    with django_capture_on_commit_callbacks(execute=True):
        talk.intro_call_accept(pair=proposed, user=four.ben, starts_at=starts_at)

    to_ben, to_ana = mail.outbox
    assert to_ben.to == [four.ben.email] and "Ana Silva proposes an intro call" in to_ben.subject
    assert "08:00 (America/New_York)" in to_ben.body
    assert to_ana.to == [four.ana.email] and "Ben Okafor agreed" in to_ana.subject
    assert "14:00 (Europe/Copenhagen)" in to_ana.body
    assert four.ana.email not in to_ben.body and four.ben.email not in to_ana.body


def test_a_proposal_replaced_before_its_email_went_sends_only_the_newer_one(
    proposed, four, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        talk.intro_call_propose(pair=proposed, user=four.ana, starts_at=in_days(3))
    talk.intro_call_propose(pair=proposed, user=four.ben, starts_at=in_days(4))
    for callback in callbacks:  # the first email's task runs after the second proposal
        callback()

    assert mail.outbox == []


def test_the_page_says_when_the_limit_kept_the_call_from_being_emailed(
    client_for, proposed, four, settings
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 0
    day = timezone.localdate() + datetime.timedelta(days=2)

    response = client_for(four.ana).post(
        call_url(proposed), {"date": day.isoformat(), "time": "09:00"}
    )

    assert IntroCall.objects.exists()
    assert any("was not emailed" in note for note in notes(response))


# The page -----------------------------------------------------------------------------------


def test_the_page_says_only_the_two_of_them_read_it_and_what_to_discuss_first(
    client_for, proposed, four
):
    page = client_for(four.ana).get(thread_url(proposed)).content.decode()

    assert "Only the two of you see these messages" in page
    assert "What to discuss first" in page
    for words in ("brings and needs", "Time and effort", "Boundaries", "Confidentiality"):
        assert words in page
    # Both profiles' offers and needs.
    assert "Public speaking" in page and "Fundraising" in page


def test_contact_details_stay_hidden_until_both_accept(client_for, proposed, four):
    ana, ben = client_for(four.ana), client_for(four.ben)
    send(proposed, four.ana, "Hello Ben")

    page = ben.get(thread_url(proposed)).content.decode()
    assert four.ana.email not in page
    assert "stay hidden until you have all accepted" in page

    services.pair_respond(pair=proposed, user=four.ana, accept=True, notify=False)
    assert four.ana.email not in ben.get(thread_url(proposed)).content.decode()
    services.pair_respond(pair=proposed, user=four.ben, accept=True, notify=False)

    assert four.ana.email in ben.get(thread_url(proposed)).content.decode()
    assert four.ben.email in ana.get(thread_url(proposed)).content.decode()
    assert "Hello Ben" in ana.get(thread_url(proposed)).content.decode()


def test_a_proposal_not_yet_published_has_no_thread(client_for, cohort, four):
    pair = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PROPOSED)

    assert client_for(four.ana).get(thread_url(pair)).status_code == 404


def test_a_declined_pairs_thread_stays_readable_to_its_members_only(client_for, proposed, four):
    send(proposed, four.ana, "Nice to meet you")
    services.pair_respond(pair=proposed, user=four.ben, accept=False, reason="Busy", notify=False)

    page = client_for(four.ana).get(thread_url(proposed)).content.decode()
    assert "Nice to meet you" in page
    assert "you can read the messages, but not write new ones" in page
    assert 'name="body"' not in page
    response = client_for(four.ana).post(send_url(proposed), {"body": "Why?"})
    assert response.status_code == 200
    assert "This pairing has ended" in response.content.decode()
    assert PairMessage.objects.count() == 1


def test_coordinators_do_not_read_the_thread_and_other_members_do_not_find_it(
    client_for, organization, proposed, four, coordinator, outsider
):
    send(proposed, four.ana, "Private words")

    assert client_for(coordinator).get(thread_url(proposed)).status_code == 403
    assert client_for(four.carl).get(thread_url(proposed)).status_code == 404
    assert client_for(outsider).get(thread_url(proposed)).status_code == 404
    MembershipFactory(organization=outsider.memberships.get().organization, user=four.ana)
    assert client_for(four.ana).get(thread_url(proposed, "southwind")).status_code == 404


def test_a_long_thread_is_paginated_in_a_fixed_number_of_queries(
    client_for, proposed, four, django_assert_max_num_queries
):
    client = client_for(four.ana)
    start = timezone.now() - datetime.timedelta(days=30)
    for n in range(3):
        send(proposed, four.ana, f"Early {n}", now=start + datetime.timedelta(hours=n))
    client.get(thread_url(proposed))  # warm the session
    with django_assert_max_num_queries(20) as few:
        client.get(thread_url(proposed))
    for n in range(limits.MESSAGES_PAGE_SIZE * 2):
        PairMessage.objects.create(
            pair=proposed,
            author=four.ben,
            body=f"Before {n}",
            created_at=start - datetime.timedelta(hours=1),
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(thread_url(proposed)).content.decode()

    assert page.count("pm-thread") == 1
    assert "Older messages" in page
    assert "Early 2" in page and "Early 0" in page  # newest first
    older = client.get(thread_url(proposed) + "?page=3").content.decode()
    assert "Before 0" in older and "Early" not in older and "Newer messages" in older


def test_the_answer_page_links_the_thread_and_shows_what_to_discuss_first(
    client_for, cohort, proposed, four
):
    url = reverse("my_partner", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})
    page = client_for(four.ana).get(url).content.decode()

    assert thread_url(proposed) in page
    assert "Write to your proposed partner" in page
    assert "What to discuss first" in page


def test_a_third_member_of_a_trio_reads_along(cohort, four, django_capture_on_commit_callbacks):
    third = EnrolmentFactory(cohort=cohort).user
    pair = make_pair(cohort, [four.ana, four.ben, third], status=Pair.Status.PUBLISHED)

    with django_capture_on_commit_callbacks(execute=True):
        send(pair, four.ana, "Hello both")

    assert sorted(email.to[0] for email in mail.outbox) == sorted([four.ben.email, third.email])
    assert OutgoingEmailDay.objects.get().count == 2


def test_the_active_pair_page_links_the_thread_for_the_partners_only(
    client_for, cohort, four, coordinator
):
    pair = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.ACTIVE)
    url = reverse("pair_detail", kwargs={"org_slug": "northwind", "pair_id": pair.pk})

    assert thread_url(pair) in client_for(four.ana).get(url).content.decode()
    assert thread_url(pair) not in client_for(coordinator).get(url).content.decode()


def test_a_members_export_holds_what_they_wrote_and_deleting_the_account_removes_it(
    proposed, four, settings, tmp_path
):
    send(proposed, four.ana, "Mine to keep")
    send(proposed, four.ben, "Ben's words")

    data = privacy_selectors.member_data(user=four.ana)
    assert [m["body"] for m in data["messages_i_wrote"]] == ["Mine to keep"]

    privacy.member_account_delete(user=four.ana, actor=four.ana)
    assert list(PairMessage.objects.values_list("body", flat=True)) == ["Ben's words"]
