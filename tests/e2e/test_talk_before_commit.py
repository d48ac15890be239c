"""Talk before you commit: two proposed partners write to each other and agree on an intro
call while their pair awaits answers, then both accept, see each other's addresses, and keep
the same thread on their pair page."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checkins.oversight import lifecycle
from matching import services as matching_services
from tests.e2e import arrange
from tests.e2e.arrange import ANA, BEN, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"'<>]+")


def proposed_to_ana_and_ben() -> arrange.Cast:
    """Ana and Ben can sign in and complement each other; the matching that pairs them is
    published without its emails, and neither has answered yet."""
    cast = arrange.after_journey_1()
    for email in (ANA, BEN):
        arrange.can_log_in(cast.member(email))
        arrange.complete_profile(cast, email)
    lifecycle.cohort_advance(cohort=cast.cohort, actor=cast.coordinator)  # open → matching
    matching_services.matching_run_start(cohort=cast.cohort, actor=cast.coordinator)
    matching_services.matching_publish(cohort=cast.cohort, actor=cast.coordinator, notify=False)
    return cast


def log_in(person, email: str) -> None:
    person.goto(reverse("account_login"))
    person.fill("Email", email)
    person.fill("Password", PASSWORD)
    person.click("Sign In")


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def path_in(message, contains: str) -> str:
    for url in LINK.findall(message.body):
        if contains in url:
            return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no link containing {contains!r} in {message.subject!r}")


def test_proposed_partners_talk_agree_a_call_then_accept_and_keep_their_thread(journey):
    cast = arrange.build(proposed_to_ana_and_ben)
    org, cohort = cast.organization.slug, cast.cohort.pk
    pair = cast.pair
    partner_page = reverse("my_partner", kwargs={"org_slug": org, "cohort_id": cohort})
    thread = reverse("pair_conversation", kwargs={"org_slug": org, "pair_id": pair.pk})
    trip = journey("talk-before-commit")
    ana, ben = trip.person("ana"), trip.person("ben")

    # Ana reads her proposal and writes to Ben before answering.
    log_in(ana, ANA)
    ana.goto(partner_page)
    assert "What to discuss first" in ana.text()
    ana.click("Write to your proposed partner", shot="ana-thread-empty")
    assert ana.path == thread
    page = ana.text()
    assert "Only the two of you see these messages" in page
    assert "Boundaries." in page and "Confidentiality." in page
    assert BEN not in page
    ana.fill("Your message", "Hi Ben! I'd love to learn budgeting. Shall we talk first?")
    ana.click("Send")
    assert "Message sent." in ana.messages

    # She proposes an intro call in three days at 10:00, in her time zone.
    day = timezone.localdate() + datetime.timedelta(days=3)
    ana.page.locator("summary", has_text="Propose a time").click()
    ana.fill("Date", day.isoformat())
    ana.fill("Time", "10:00")
    ana.click("Propose", shot="ana-proposed-call")
    assert "Time proposed." in ana.messages

    # Ben gets her message and the proposed time by email, without her address, and answers
    # in the thread.
    email, call_email = emails_to(BEN)
    assert "Ana Silva proposes an intro call" in call_email.subject
    assert "10:00 (Europe/Copenhagen)" in call_email.body
    assert ANA not in call_email.body
    assert "Ana Silva wrote to you" in email.subject
    assert "Shall we talk first?" in email.body
    assert ANA not in email.body and ANA not in email.alternatives[0][0]
    log_in(ben, BEN)
    ben.goto(path_in(email, "/conversation/"))
    assert ben.path == thread
    assert "Shall we talk first?" in ben.text()
    assert ANA not in ben.text()
    ben.fill("Your message", "Gladly, Ana. Your time suits me.")
    ben.click("Send")
    ben.click("Accept this time", shot="ben-accepted-call")
    assert "Intro call agreed." in ben.messages
    assert "Agreed" in ben.text()
    answer, agreed = emails_to(ANA)
    assert "Ben Okafor wrote to you" in answer.subject and BEN not in answer.body
    assert "Ben Okafor agreed to your intro call" in agreed.subject and BEN not in agreed.body

    # Both accept the pairing: now they see each other's addresses, in the thread too.
    ben.goto(partner_page)
    ben.click("Accept")
    ana.goto(partner_page)
    ana.click("Accept", shot="ana-partners")
    assert BEN in ana.text()
    ana.goto(thread)
    assert BEN in ana.text()
    ben.goto(thread)
    assert ANA in ben.text()

    # The same thread stays their channel, linked from the pair page.
    ana.goto(reverse("pair_detail", kwargs={"org_slug": org, "pair_id": pair.pk}))
    ana.click("Your messages", shot="ana-thread-as-partners")
    assert ana.path == thread
    page = ana.text()
    assert "Shall we talk first?" in page and "Your time suits me." in page
    assert "Your email addresses stay hidden" not in page
    trip.finish()
