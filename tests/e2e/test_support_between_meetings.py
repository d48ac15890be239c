"""Support between meetings, in the browser: Ana logs a check-in with a help rating, Ben
replies to it from the pair page, Ana follows the email to the thread and reads the reply, and
the pair page charts the help. Ana also checks the thread and the pair page at phone width.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from checkins.models import CheckIn, CheckInReply, Reminder
from tests.e2e import arrange
from tests.e2e.arrange import ANA, BEN
from tests.e2e.test_journeys import log_in, rate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"'<>]+")
PHONE = {"width": 390, "height": 844}


def link_in(message, contains: str) -> str:
    for url in LINK.findall(message.body):
        if contains in url:
            return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no link containing {contains!r} in {message.subject!r}")


def fits_the_screen(person) -> bool:
    return person.page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_a_check_in_with_a_help_rating_gets_a_reply_that_its_author_reads(journey):
    cast = arrange.build(arrange.after_journey_3)
    meeting = arrange.build(arrange.held_meeting, cast)
    org = cast.organization.slug
    pair_page = reverse("pair_detail", kwargs={"org_slug": org, "pair_id": cast.pair.pk})
    trip = journey("support-between-meetings")
    ana, ben = trip.person("ana"), trip.person("ben")
    log_in(ana, ANA)
    log_in(ben, BEN)

    # Ana checks in, rating the help she got; the form quotes the contract's measure and
    # links the statement of what coordinators see.
    ana.goto(reverse("checkin_create", kwargs={"org_slug": org, "meeting_id": meeting.pk}))
    assert "Your contract says: “We rate the help from 1 to 5 each meeting.”" in ana.text()
    assert ana.page.get_by_role("link", name="What your coordinator sees").count() == 1
    rate(ana, "Progress", 3)
    rate(ana, "How effectively did we spend our time since the last meeting?", 4)
    rate(ana, "How confident am I that I'll reach my goals?", 3)
    rate(ana, "How much did my partner's help since the last meeting help me?", 5)
    ana.fill("One example of that help", "Ben showed me how he builds a forecast")
    ana.fill("Blockers", "Finding time to practise")
    ana.click("Log my check-in", shot="ana-checked-in")
    assert "Check-in saved. Thank you!" in ana.messages
    checkin = CheckIn.objects.get(meeting=meeting, user__email=ANA)
    assert (checkin.help_rating, checkin.help_example) == (
        5,
        "Ben showed me how he builds a forecast",
    )

    # Ben reads her check-in on the pair page and replies to it.
    ben.goto(pair_page)
    ben.page.get_by_text("Read Ana Silva's check-in").click()
    ben.click(ben.page.get_by_role("link", name="Reply", exact=True), shot="ben-thread")
    assert "Finding time to practise" in ben.text()
    ben.fill("Your reply", "Shall we book 20 minutes on Fridays for it?")
    ben.click("Send reply", shot="ben-replied")
    assert "Reply sent. Your partner was told by email." in ben.messages
    assert CheckInReply.objects.get().author.email == BEN

    # The reply email reaches Ana once, and its link opens the thread.
    (email,) = [
        message for message in mail.outbox if ANA in message.to and "replied" in message.subject
    ]
    assert email.subject == "Ben Okafor replied to your check-in"
    assert Reminder.objects.get(kind=Reminder.Kind.CHECKIN_REPLY).status == Reminder.Status.SENT
    ana.goto(link_in(email, "/replies/"), shot="ana-reads-the-reply")
    assert "Shall we book 20 minutes on Fridays for it?" in ana.text()
    assert "1 reply" in ana.text()
    ana.fill("Your reply", "Yes, Fridays at 8.")
    ana.click("Send reply")
    assert "Yes, Fridays at 8." in ana.text()

    # The pair page charts the help, with the table of ratings and examples.
    ana.goto(pair_page, shot="ana-pair-page")
    chart = ana.page.locator("#help-ratings svg[role=img]")
    assert chart.count() == 1
    assert "Ana Silva: 1 rating, latest 5 of 5." in chart.locator("desc").text_content()
    assert "Read 2 replies" in ana.page.locator("main").text_content()

    # At phone width the thread and the pair page fit the screen.
    ana.page.set_viewport_size(PHONE)
    ana.goto(pair_page, shot="ana-pair-page-phone")
    assert fits_the_screen(ana)
    ana.goto(link_in(email, "/replies/"), shot="ana-thread-phone")
    assert fits_the_screen(ana)
    trip.finish()


def test_the_statement_of_what_coordinators_see_is_linked_from_the_contract(journey):
    cast = arrange.build(arrange.after_journey_3)
    trip = journey("what-coordinators-see")
    ana = trip.person("ana")
    log_in(ana, ANA)

    ana.goto(
        reverse(
            "contract_detail",
            kwargs={"org_slug": cast.organization.slug, "contract_id": cast.contract.pk},
        )
    )
    ana.click(ana.page.get_by_role("link", name="What your coordinator sees"), shot="statement")
    text = ana.text()
    assert "time_effectiveness, confidence" in text
    assert "The help you rated since the last meeting, and your example of it" in text
    trip.finish()
