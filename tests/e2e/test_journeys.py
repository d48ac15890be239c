"""End-to-end journeys: real pages in Chromium against a live server.

Each journey starts where the previous one ends (see `arrange`), fails on any server error,
browser console error or serious accessibility violation, and saves screenshots of its key
pages in `e2e-screenshots/<journey>/`.
"""

import contextlib
import io
import re
import zipfile

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader

from accounts.models import Cohort, Enrolment, Organization, User
from checkins.models import CheckIn
from contracts.models import Contract, ContractExport, Signature
from matching.models import MatchRun, Pair, PairMember
from tests.e2e import arrange, steps
from tests.e2e.arrange import ANA, BEN, PASSWORD, WRONG_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"'<>]+")


def emailed_link(to: str, contains: str) -> str:
    """The path of the newest emailed link to `to` that contains `contains`."""
    for message in reversed(mail.outbox):
        if to in message.to:
            for url in LINK.findall(message.body):
                if contains in url:
                    return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no email to {to} with a link containing {contains!r}")


def upload(person, name: str, content: str) -> None:
    person.page.get_by_label("CSV file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}]
    )


def log_in(person, email: str, password: str = PASSWORD, *, shot: str = "") -> None:
    person.goto(reverse("account_login"))
    person.fill("Email", email)
    person.fill("Password", password)
    person.click("Sign In", shot=shot)


def path(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


# Journey 1 -----------------------------------------------------------------------------------


def move_cohort(person, to: str, *, shot: str = "") -> None:
    """On the cohort's Lifecycle page: move it on to `to`, through the confirmation page."""
    person.click(person.page.get_by_role("link", name=f"Move to “{to}”…"))
    person.click(f"Move to “{to}”", shot=shot)
    assert f"Now: {to}" in person.text()


def test_journey_1_a_visitor_sets_up_a_program_and_imports_its_members(journey):
    trip = journey("journey-1-set-up")
    cora = trip.person("cora")

    cora.goto("/", shot="home")
    cora.click(cora.page.get_by_role("link", name="Sign up").first)
    cora.fill("Email", arrange.COORDINATOR["email"])
    cora.fill("First name", arrange.COORDINATOR["first_name"])
    cora.fill("Last name", arrange.COORDINATOR["last_name"])
    cora.fill("Password", PASSWORD)
    cora.fill("Password (again)", PASSWORD)
    cora.click("Sign Up", shot="verification-sent")

    cora.goto(emailed_link(arrange.COORDINATOR["email"], "/accounts/confirm-email/"))
    cora.click("Confirm", shot="signed-in")
    assert User.objects.get(email=arrange.COORDINATOR["email"]).emailaddress_set.get().verified

    cora.click(cora.page.get_by_role("link", name="Create an organization").first)
    cora.fill("Name", arrange.ORGANIZATION["name"])
    cora.click("Create organization", shot="organization")
    organization = Organization.objects.get(name=arrange.ORGANIZATION["name"])

    cora.click("New program")
    cora.fill("Name", arrange.PROGRAM["name"])
    cora.fill("Description", arrange.PROGRAM["description"])
    cora.click("Save", shot="program")

    cora.click("New cohort")
    starts_on, ends_on = arrange.cohort_dates()
    cora.fill("Name", arrange.COHORT["name"])
    cora.fill("Start date", starts_on.isoformat())
    cora.fill("End date", ends_on.isoformat())
    cora.click("Save", shot="cohort")
    cohort = organization.cohorts.get()
    assert cohort.status == Cohort.Status.DRAFT
    assert not cora.page.get_by_role("link", name="Import", exact=True).count()

    cora.click(cora.page.get_by_role("link", name="open it for profiles"))
    move_cohort(cora, "Open for profiles", shot="cohort-opened")
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.OPEN

    cora.click(cora.page.get_by_role("link", name="Import", exact=True))
    upload(cora, "members.csv", arrange.BAD_MEMBERS_CSV)
    cora.click("Preview the import", shot="import-refused")
    problems = cora.page.get_by_role("list", name="Problems").inner_text()
    assert f"Line {arrange.BAD_LINE}: offers: the level of “Python” must be" in problems
    assert "Nothing was imported" in cora.page.get_by_role("alert").inner_text()
    assert not Enrolment.objects.filter(cohort=cohort).exists()

    cora.click("Upload a file")
    upload(cora, "members.csv", arrange.MEMBERS_CSV)
    cora.click("Preview the import", shot="import-preview")
    assert not Enrolment.objects.filter(cohort=cohort).exists()
    cora.click("Confirm the import", shot="imported")
    assert "Import done: 6 new to the organization" in cora.messages
    assert Enrolment.objects.filter(cohort=cohort).count() == len(arrange.ROWS)
    assert cora.page.get_by_role("heading", name="6 members").is_visible()
    trip.finish()


# Journey 2 -----------------------------------------------------------------------------------


def set_password_and_verify(person, email: str) -> None:
    """An imported member has no password: "Forgot your password?" sets one and signs them in;
    the reset link proved the address, so nothing asks them to verify it."""
    person.goto(reverse("account_login"))
    person.click(person.page.get_by_role("link", name="Forgot your password?"))
    person.fill("Email", email)
    person.click("Reset My Password", shot=f"{email.split('@')[0]}-reset-sent")
    person.goto(emailed_link(email, "/accounts/password/reset/key/"))
    person.fill("New Password", PASSWORD)
    person.fill("New Password (again)", PASSWORD)
    person.click("Change Password")
    assert person.path == reverse("home")
    assert person.page.get_by_role("button", name="Account:").is_visible()


def complete_profile(person, cast, email: str) -> None:
    additions = arrange.PROFILE_ADDITIONS[email]
    person.goto(path("cohort_detail", org_slug=cast.organization.slug, cohort_id=cast.cohort.pk))
    person.click(person.page.get_by_role("link", name="My profile"))
    person.fill("One-year goal", additions["goal"])
    person.select("Preferred meeting cadence", "weekly")
    row = person.page.locator("#needs-rows [data-formset-row]").last
    person.fill("Tag", additions["need"], within=row)
    person.select("Priority", "5", within=row)
    person.click("Save profile", shot=f"{email.split('@')[0]}-profile")
    assert "Your profile is saved." in person.messages


def proposal_row(person, name: str):
    rows = person.page.locator("section[aria-labelledby=proposals-heading] tbody tr")
    return rows.filter(has_text=name)


def test_journey_2_members_complete_profiles_and_accept_their_match(journey):
    cast = arrange.build(arrange.after_journey_1)
    org, cohort = cast.organization.slug, cast.cohort.pk
    trip = journey("journey-2-matching")
    ana, ben, cora = trip.person("ana"), trip.person("ben"), trip.person("cora")

    for person, email in ((ana, ANA), (ben, BEN)):
        set_password_and_verify(person, email)
        complete_profile(person, cast, email)

    log_in(cora, arrange.COORDINATOR["email"])
    cora.goto(path("cohort_detail", org_slug=org, cohort_id=cohort))
    cora.click(cora.page.get_by_role("link", name="Matching", exact=True))
    assert "only while it is matching" in cora.text()  # still open for profiles
    cora.click(cora.page.get_by_role("link", name="Lifecycle", exact=True))
    move_cohort(cora, "Matching", shot="cohort-matching")
    cora.click(cora.page.get_by_role("link", name="Matching", exact=True))
    cora.click("Run matching", shot="first-run")
    assert cora.page.get_by_role("heading", name="3 proposals").is_visible()
    ana_and_ben = proposal_row(cora, "Ana Silva")
    assert "Ben Okafor" in ana_and_ben.inner_text()
    cora.click(ana_and_ben.get_by_role("button", name="Lock"), shot="locked")
    assert proposal_row(cora, "Ana Silva").get_by_text("Locked").is_visible()

    cora.click("Re-run matching", shot="second-run")
    assert MatchRun.objects.filter(cohort=cast.cohort).count() == 2
    assert proposal_row(cora, "Ana Silva").get_by_text("Locked").is_visible()
    cora.click(cora.page.get_by_role("link", name="Publish 3 proposals…"))
    cora.click("Publish and email the members", shot="published")
    assert "3 pairs published" in cora.messages

    for person, email in ((ana, ANA), (ben, BEN)):
        person.goto(emailed_link(email, f"/cohorts/{cohort}/partner/"))
        person.click("Accept", shot=f"{email.split('@')[0]}-accepted")
    assert "You are now partners" in ben.messages
    ana.page.reload()
    ana.check(shot="ana-partner")
    assert "You have been partners since" in ana.text()

    pair = cast.pair
    assert pair.status == Pair.Status.ACTIVE
    assert pair.locked
    assert set(pair.members.values_list("response", flat=True)) == {PairMember.Response.ACCEPTED}

    cora.goto(path("cohort_lifecycle", org_slug=org, cohort_id=cohort))
    move_cohort(cora, "Active", shot="cohort-active")
    trip.finish()


def test_imported_members_get_in_and_accept_with_one_email_each(journey):
    cast = arrange.build(arrange.published_to_newcomers)
    org, cohort = cast.organization.slug, cast.cohort.pk
    trip = journey("getting-in")
    ana, ben = trip.person("ana"), trip.person("ben")
    partner_page = path("my_partner", org_slug=org, cohort_id=cohort)

    def received(email):
        return [message for message in mail.outbox if email in message.to]

    for person, email in ((ana, ANA), (ben, BEN)):
        assert len(received(email)) == 1  # the matching's email is the welcome
        first = email.split("@")[0]
        person.goto(emailed_link(email, "/welcome/"), shot=f"{first}-welcome")
        person.click("Continue without a password")
        assert person.path == partner_page
        person.click("Accept", shot=f"{first}-accepted")
        if email == ANA:  # accepted; her partner has not yet
            assert len(received(ANA)) == 1

    assert "You are now partners" in ben.messages
    for email in (ANA, BEN):
        assert not any("/accounts/confirm-email/" in message.body for message in received(email))
    assert cast.pair.status == Pair.Status.ACTIVE
    trip.finish()


# Journey 3 -----------------------------------------------------------------------------------


def write_section(person, cast, email: str) -> None:
    """From the partner page to a saved goal with a strategy and an indicator."""
    first = email.split("@")[0]
    person.goto(path("my_partner", org_slug=cast.organization.slug, cohort_id=cast.cohort.pk))
    person.click("Open our contract")
    if person.page.get_by_role("button", name="Start our contract").count():
        person.click("Start our contract", shot=f"{first}-contract-draft")
    person.click("Edit my section")
    steps.write_one_goal(person, email, shot=f"{first}-section")
    person.click("Back to the contract")


def sign(person, name: str, password: str, *, shot: str = ""):
    person.fill("Your full name", name)
    person.fill("Your password", password)
    return person.click("Sign the contract", shot=shot)


def test_journey_3_partners_write_sign_and_download_their_contract(journey):
    cast = arrange.build(arrange.after_journey_2)
    trip = journey("journey-3-contract")
    ana, ben = trip.person("ana"), trip.person("ben")
    log_in(ana, ANA)
    log_in(ben, BEN)

    write_section(ana, cast, ANA)
    write_section(ben, cast, BEN)
    ben.click("Edit the shared terms")
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

    ben.click("Read and sign", shot="sign")
    sign(ben, "Ben Okafor", WRONG_PASSWORD, shot="wrong-password")
    assert "password" in ben.page.locator("form .invalid-feedback, form .alert").first.inner_text()
    assert not Signature.objects.exists()
    sign(ben, "Ben Okafor", PASSWORD)
    assert "You signed the contract." in ben.messages

    ana.goto(emailed_link(ANA, f"/contracts/{contract.pk}/"))
    ana.click("Read and sign")
    sign(ana, "Ana Silva", PASSWORD, shot="signed")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert Signature.objects.filter(contract=contract, withdrawn_at=None).count() == 2

    pdf = ana.download("Download the signed PDF")
    (trip.directory / "contract.pdf").write_bytes(pdf)
    document = PdfReader(io.BytesIO(pdf))
    assert document.trailer["/Root"].get("/Lang"), "the PDF has no document language"
    assert document.metadata and document.metadata.title, "the PDF has no title"
    assert "Ana Silva" in document.pages[0].extract_text()
    trip.finish()


# Journey 4 -----------------------------------------------------------------------------------


def rate(person, legend: str, value: int, *, within=None) -> None:
    group = (within or person.page).locator(f"fieldset:has(> legend:text-is({legend!r}))")
    group.get_by_label(str(value), exact=True).check()


def pair_health(person) -> str:
    return (
        person.page.get_by_role("heading", name="How the pair is doing").locator("..").inner_text()
    )


def check_in(person, cast, email: str) -> None:
    first = email.split("@")[0]
    person.goto(path("my_partner", org_slug=cast.organization.slug, cohort_id=cast.cohort.pk))
    person.click("Meetings and check-ins")
    person.click("Log my check-in", shot=f"{first}-checkin-form")
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
    person.click("Log my check-in")
    assert "Check-in saved. Thank you!" in person.messages


def test_journey_4_a_pair_meets_checks_in_and_is_on_track(journey):
    cast = arrange.build(arrange.after_journey_3)
    arrange.build(arrange.held_meeting, cast)
    org, cohort = cast.organization.slug, cast.cohort.pk
    trip = journey("journey-4-check-ins")
    ana, ben, cora = trip.person("ana"), trip.person("ben"), trip.person("cora")

    log_in(ana, ANA)
    log_in(ben, BEN)
    # The meeting was 15 days ago and nobody checked in: more than twice the weekly cadence.
    ana.goto(path("pair_detail", org_slug=org, pair_id=cast.pair.pk), shot="pair-at-risk")
    assert "At risk" in pair_health(ana)
    check_in(ana, cast, ANA)
    check_in(ben, cast, BEN)
    assert CheckIn.objects.filter(meeting__pair=cast.pair).count() == 2
    assert "On track" in pair_health(ben)
    ana.page.reload()
    ana.check(shot="pair-on-track")
    assert "On track" in pair_health(ana)

    log_in(cora, arrange.COORDINATOR["email"])
    cora.goto(path("cohort_detail", org_slug=org, cohort_id=cohort))
    cora.click(cora.page.get_by_role("link", name="Pairs", exact=True), shot="pairs-health")
    row = cora.page.locator("tbody tr").filter(has_text="Ana Silva")
    assert "On track" in row.inner_text()

    cora.click(cora.page.get_by_role("link", name="Contracts", exact=True), shot="contracts")
    cora.click("Export the signed contracts")
    cora.click("Build the ZIP", shot="export-ready")
    archive = zipfile.ZipFile(io.BytesIO(cora.download("Download the ZIP")))
    names = archive.namelist()
    assert "index.csv" in names
    assert len([name for name in names if name.endswith(".pdf")]) == 1
    assert ContractExport.objects.get().status == ContractExport.Status.DONE
    trip.finish()


def dashboard_path(cast) -> str:
    try:
        return path("cohort_dashboard", org_slug=cast.organization.slug, cohort_id=cast.cohort.pk)
    except NoReverseMatch:
        pytest.skip("the coordinator dashboard (URL name cohort_dashboard) is not built yet")


def test_journey_4_the_coordinator_dashboard_shows_the_funnel_and_the_zip(journey):
    cast, _meeting = arrange.build(arrange.after_journey_4)
    org, cohort = cast.organization.slug, cast.cohort.pk
    dashboard = dashboard_path(cast)
    trip = journey("journey-4-dashboard")
    cora = trip.person("cora")
    log_in(cora, arrange.COORDINATOR["email"])
    cora.goto(path("cohort_detail", org_slug=org, cohort_id=cohort))
    cora.click(cora.page.get_by_role("link", name="Dashboard", exact=True), shot="dashboard")
    assert cora.path == dashboard

    # Six enrolled (imported, no open invitation), all with complete profiles; Ana and Ben
    # are the one active pair, with a signed contract, on track after their check-ins.
    counts = cora.page.locator(".pm-funnel-count")
    funnel = {
        counts.nth(n).get_attribute("data-step"): counts.nth(n).inner_text()
        for n in range(counts.count())
    }
    assert funnel == {
        "invited": "6",
        "joined": "6",
        "profile_complete": "6",
        "matched": "2",
        "contract_signed": "2",
        "meeting_regularly": "2",
    }

    cora.click(cora.page.get_by_role("link", name="Contracts", exact=True))
    cora.click("Export the signed contracts", shot="exports")
    archive = zipfile.ZipFile(io.BytesIO(cora.download("Download")))
    assert sorted(name.rsplit(".", 1)[-1] for name in archive.namelist()) == ["csv", "pdf"]
    trip.finish()


# Journey 5 -----------------------------------------------------------------------------------


def test_journey_5_a_member_of_another_organization_gets_404_everywhere(journey):
    cast, meeting = arrange.build(arrange.after_journey_4)
    arrange.build(arrange.outsider)
    org, cohort = cast.organization.slug, cast.cohort.pk
    pair, contract = cast.pair, cast.contract
    export = ContractExport.objects.get()
    ana = cast.member(ANA)
    trip = journey("journey-5-outsider")
    olu = trip.person("olu")
    log_in(olu, arrange.OUTSIDER["email"], shot="own-home")
    assert "Southwind Guild" in olu.text()

    pages = {
        # Journey 2: profiles and matching.
        "cohort": path("cohort_detail", org_slug=org, cohort_id=cohort),
        "profile-form": path("profile_edit", org_slug=org),
        "profile": path("profile_detail", org_slug=org, user_id=ana.pk),
        "profiles": path("cohort_profiles", org_slug=org, cohort_id=cohort),
        "import": path("member_import", org_slug=org, cohort_id=cohort),
        "matching": path("matching_cohort", org_slug=org, cohort_id=cohort),
        "publish": path("matching_publish", org_slug=org, cohort_id=cohort),
        "partner": path("my_partner", org_slug=org, cohort_id=cohort),
        # Journey 3: the contract.
        "pair-contract": path("pair_contract", org_slug=org, pair_id=pair.pk),
        "contract": path("contract_detail", org_slug=org, contract_id=contract.pk),
        "section": path("contract_section_edit", org_slug=org, contract_id=contract.pk),
        "terms": path("contract_terms_edit", org_slug=org, contract_id=contract.pk),
        "sign": path("contract_sign", org_slug=org, contract_id=contract.pk),
        "pdf": path("contract_pdf", org_slug=org, contract_id=contract.pk),
        # Journey 4: meetings, check-ins, the coordinator's views and the export.
        "pair": path("pair_detail", org_slug=org, pair_id=pair.pk),
        "meeting-new": path("meeting_add", org_slug=org, pair_id=pair.pk),
        "checkin": path("checkin_create", org_slug=org, meeting_id=meeting.pk),
        "meeting-ics": path("meeting_ics", org_slug=org, meeting_id=meeting.pk),
        "pairs": path("cohort_pairs_health", org_slug=org, cohort_id=cohort),
        "contracts": path("cohort_contracts", org_slug=org, cohort_id=cohort),
        "export": path("cohort_contracts_export", org_slug=org, cohort_id=cohort),
        "export-status": path("contract_export_status", org_slug=org, export_id=export.pk),
        "export-zip": path("contract_export_download", org_slug=org, export_id=export.pk),
    }
    with contextlib.suppress(NoReverseMatch):
        pages["dashboard"] = path("cohort_dashboard", org_slug=org, cohort_id=cohort)
    shots = {"partner", "contract", "pair"}
    for name, url in pages.items():
        olu.goto(url, status=404, shot=f"404-{name}" if name in shots else "")
        assert olu.page.get_by_role("heading", name="Page not found").is_visible(), name

    # The forms of those pages, posted by hand: 404 too, and nothing changes.
    forms = {
        path("pair_respond", org_slug=org, pair_id=pair.pk): {"response": "decline"},
        path("pair_lock", org_slug=org, pair_id=pair.pk): {"locked": "0"},
        path("matching_run_start", org_slug=org, cohort_id=cohort): {"scope": "cohort"},
        path("contract_amend", org_slug=org, contract_id=contract.pk): {},
        path("checkin_create", org_slug=org, meeting_id=meeting.pk): {"confidence": "1"},
    }
    olu.goto("/")  # a page of the site, for the CSRF cookie
    for url, data in forms.items():
        assert olu.post(url, data).status == 404, url
    assert cast.pair.status == Pair.Status.ACTIVE and cast.pair.locked
    assert MatchRun.objects.filter(cohort=cast.cohort).count() == 2
    assert Contract.objects.filter(pair=pair).count() == 1
    assert CheckIn.objects.filter(meeting=meeting).count() == 2
    trip.finish()
