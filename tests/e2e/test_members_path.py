"""The members' path in one journey: two imported members from their first email to an active
pair, a signed contract, a recorded past meeting and their check-ins.

Each member moves on with the button of their cohort's next step on their home page, as a member
would. The journey counts the emails each member receives and the pages each one loads, and
prints the figures (run pytest with -s to see them).
"""

import datetime
import re
import time
from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, Meeting
from checkins.oversight import lifecycle
from contracts.models import Contract, Signature
from matching.models import Pair
from tests.e2e import arrange, steps
from tests.e2e.arrange import ANA, BEN, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"'<>]+")
VERIFICATION = "/accounts/confirm-email/"


def received(email: str) -> list:
    return [message for message in mail.outbox if email in message.to]


def link_in(message, contains: str) -> str:
    for url in LINK.findall(message.body):
        if contains in url:
            return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no link containing {contains!r} in {message.subject!r}")


def next_step(person, label, *, shot: str = "") -> None:
    """From the home page, the button `label` (a string or a pattern) of the cohort's next
    step."""
    person.goto("/")
    card = person.page.get_by_role("region", name="Your cohorts")
    exact = True if isinstance(label, str) else None
    person.click(card.get_by_role("link", name=label, exact=exact), shot=shot)


def write_my_part(person, email: str) -> None:
    """On the section form: one goal with a strategy and a number indicator."""
    first = email.split("@")[0]
    steps.write_one_goal(person, email, shot=f"{first}-part")


def rate(person, legend: str, value: int) -> None:
    group = person.page.locator(f"fieldset:has(> legend:text-is({legend!r}))")
    group.get_by_label(str(value), exact=True).check()


def log_checkin(person, cast, email: str) -> None:
    first = email.split("@")[0]
    rate(person, "Progress", 4)
    person.fill("Current value (parts)", "2")
    person.fill("What I learned", "How my partner prepares a talk")
    person.fill("What I taught", "How I read a budget")
    rate(person, "How effectively did we spend our time since the last meeting?", 4)
    rate(person, "How confident am I that I'll reach my goals?", 5)
    rate(person, "How much did my partner's help since the last meeting help me?", 4)
    person.fill("One example of that help", "My partner walked me through a budget")
    step = person.page.locator("fieldset:has(> legend:text-is('Next step 1'))")
    person.fill("Next step", f"{first.title()}: draft the next part", within=step)
    person.field("Owner", within=step).select_option(label=cast.member(email).display_name)
    person.fill("Due date", arrange.cohort_dates()[1].isoformat(), within=step)
    person.click("Log my check-in", shot=f"{first}-checked-in")
    assert "Check-in saved. Thank you!" in person.messages


def test_two_imported_members_go_from_their_first_email_to_a_check_in(journey):
    cast = arrange.build(arrange.published_to_newcomers)
    org, cohort = cast.organization.slug, cast.cohort.pk
    trip = journey("members-path")
    ana, ben = trip.person("ana"), trip.person("ben")
    people = {ANA: ana, BEN: ben}
    loads = Counter()  # pages each member loaded
    for email, person in people.items():
        person.page.on("load", lambda _page, email=email: loads.update([email]))
    stages = []  # (stage, seconds since the start, {email: (emails so far, page loads so far)})
    started = time.monotonic()

    def reached(stage: str) -> None:
        figures = {email: (len(received(email)), loads[email]) for email in people}
        stages.append((stage, time.monotonic() - started, figures))

    partner_page = reverse("my_partner", kwargs={"org_slug": org, "cohort_id": cohort})

    # The first email, the welcome link, a password, the partner page: accept.
    for email, person in people.items():
        first = email.split("@")[0]
        assert len(received(email)) == 1, [m.subject for m in received(email)]
        assert "/welcome/" in received(email)[0].body
        person.goto(link_in(received(email)[0], "/welcome/"), shot=f"{first}-welcome")
        person.fill("Choose a password", PASSWORD)
        person.fill("Password (again)", PASSWORD)
        person.click("Save the password and continue")
        assert person.path == partner_page
        person.click("Accept", shot=f"{first}-accepted")
        if email == ANA:  # accepted, her partner not yet: still the one email
            assert len(received(ANA)) == 1, [m.subject for m in received(ANA)]
            reached("ana accepted")
    reached("active pair")
    assert "You are now partners" in ben.messages
    assert cast.pair.status == Pair.Status.ACTIVE
    assert cast.cohort.status == "matching"  # the coordinator has not started the cohort

    # The contract: each writes their part, Ben fills the terms and marks it ready.
    next_step(ana, "Write your part", shot="ana-home-write")
    # With no contract yet, the button leads to the pair's contract page: she starts the first
    # draft there, and her section is one click away.
    if ana.page.get_by_role("button", name="Start our contract").count():
        ana.click("Start our contract")
    if ana.page.get_by_role("link", name="Edit my section").count():
        ana.click("Edit my section")
    write_my_part(ana, ANA)
    next_step(ben, "Write your part")
    write_my_part(ben, BEN)
    next_step(ben, "Review the contract", shot="ben-home-review")
    ben.click("Edit the shared terms")
    # From the cohort's first day, so a meeting already held lies within the contract.
    ben.fill("Start date", cast.cohort.starts_on.isoformat())
    ben.select("Meeting cadence", "weekly")
    ben.select("Usual day", "3")
    ben.fill("Usual time", "09:00")
    ben.select("Time zone of the meetings", "Europe/Copenhagen")
    ben.fill("Boundaries (topics off limits)", "No salaries.")
    ben.click("Save the terms", shot="terms")
    assert "Everything needed is in place" in ben.text()
    ben.click("Mark ready for signature", shot="ready")
    contract = Contract.objects.get(pair=cast.pair)
    assert contract.status == Contract.Status.READY

    # Both sign, the cohort still in matching.
    for email, person in people.items():
        first = email.split("@")[0]
        next_step(person, "Sign the contract", shot=f"{first}-home-sign")
        person.fill("Your full name", cast.member(email).get_full_name())
        person.fill("Your password", PASSWORD)
        person.click("Sign the contract", shot=f"{first}-signed")
        assert "You signed the contract." in person.messages
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert Signature.objects.filter(contract=contract, withdrawn_at=None).count() == 2
    reached("signed contract")

    # Meetings are for an active cohort: the coordinator starts it.
    arrange.build(lifecycle.cohort_advance, cohort=cast.cohort, actor=cast.coordinator)

    # Ana records the meeting they held a week ago and checks in; then Ben checks in.
    # Starting the cohort planned the contract's meetings: the next one is to prepare.
    next_step(ana, re.compile("^(Prepare the meeting|Plan a meeting)$"), shot="ana-home-meeting")
    ana.click("Record a past meeting")
    held = timezone.localdate() - datetime.timedelta(days=7)
    ana.fill("Date", held.isoformat())
    ana.fill("Time", "18:00")
    ana.fill("Length (minutes)", "45")
    ana.click("Record the meeting", shot="meeting-recorded")
    assert "Meeting recorded" in ana.messages
    log_checkin(ana, cast, ANA)
    next_step(ben, "Log your check-in", shot="ben-home-checkin")
    log_checkin(ben, cast, BEN)
    meeting = Meeting.objects.get(pair=cast.pair, origin=Meeting.Origin.MANUAL)
    assert meeting.starts_at.date() == held
    assert CheckIn.objects.filter(meeting=meeting).count() == 2
    reached("both checked in")

    print(f"\nThe members' path, {len(mail.outbox)} emails sent in all:")
    for stage, seconds, figures in stages:
        counts = "; ".join(
            f"{email.split('@')[0]} {sent} emails, {loaded} page loads"
            for email, (sent, loaded) in figures.items()
        )
        print(f"  {stage:<16} at {seconds:5.1f} s: {counts}")
    for email in people:
        subjects = "; ".join(message.subject for message in received(email))
        print(f"  {email}: {subjects}")
    for email in people:
        assert not any(VERIFICATION in message.body for message in received(email)), email
    assert not ana.server_errors and not ben.server_errors
    trip.finish()
