"""Danish next to English: the language switcher, emails in each recipient's language, contract
PDFs in the right language, and matching explanations in the language of whoever made them."""

import datetime
import io

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.emails import send_templated_email
from accounts.language import languages_for_addresses, supported_language
from accounts.models import Cohort
from checkins import reminders
from checkins import services as checkin_services
from checkins.models import Reminder
from contracts import documents
from contracts.models import Contract
from matching import engine, services
from matching.models import MatchRun, Pair
from matching.services import pair_active_email_send
from matching.wording import current_wording
from tests.checkins.reminder_factories import active_pair, meeting_for
from tests.contracts.pdf_factories import signed_contract, use_temporary_files
from tests.factories import UserFactory
from tests.matching.factories import cohort_of_four, make_pair

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def switch(client, language, next_url="/"):
    return client.post(reverse("language_set"), {"language": language, "next": next_url})


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# The switcher ----------------------------------------------------------------------------------


def test_every_page_has_a_switcher_with_a_button_per_language(client):
    html = client.get(reverse("home")).content.decode()

    assert f'action="{reverse("language_set")}"' in html
    assert 'name="language" value="en"' in html
    assert 'name="language" value="da"' in html
    assert 'aria-labelledby="language-switcher-label"' in html


def test_the_site_is_english_by_default(client):
    html = client.get(reverse("home")).content.decode()

    assert '<html lang="en">' in html
    assert "Peer mentoring where both people grow" in html


def test_switching_to_danish_goes_back_to_the_page_in_danish(client):
    response = switch(client, "da", next_url=reverse("account_login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert response.cookies[COOKIE].value == "da"
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="da">' in html
    assert "Peer mentoring, hvor begge vokser" in html
    assert "Opret konto" in html


def test_the_choice_is_remembered_beyond_the_browser_session(client):
    response = switch(client, "da")

    assert int(response.cookies[COOKIE]["max-age"]) >= 30 * 24 * 60 * 60


def test_switching_back_to_english(client):
    switch(client, "da")
    switch(client, "en")

    assert "Peer mentoring where both people grow" in client.get(reverse("home")).content.decode()


def test_a_signed_in_users_choice_is_saved_as_the_language_of_their_emails(client_for, member):
    client = client_for(member)

    switch(client, "da")
    member.refresh_from_db()
    assert member.language == "da"

    switch(client, "en")
    member.refresh_from_db()
    assert member.language == "en"


def test_the_saved_language_follows_the_user_to_another_browser(client_for, member):
    client_for(member).post(reverse("language_set"), {"language": "da", "next": "/"})

    elsewhere = client_for(member)  # no language cookie, an English browser
    page = elsewhere.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="da">' in page


def test_a_choice_made_in_this_browser_wins_over_the_saved_language(client_for, member):
    member.language = "da"
    member.save(update_fields=["language"])
    client = client_for(member)
    client.cookies[COOKIE] = "en"

    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_without_a_saved_choice_the_browser_decides(client_for, member):
    page = client_for(member).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="da").content.decode()

    assert member.language == "en"
    assert '<html lang="da">' in page


def test_an_unknown_language_changes_nothing(client_for, member):
    response = switch(client_for(member), "fr")

    member.refresh_from_db()
    assert response.status_code == 302
    assert member.language == "en"
    assert COOKIE not in response.cookies


def test_the_switcher_does_not_send_visitors_to_other_sites(client):
    response = switch(client, "da", next_url="https://evil.example/")

    assert response["Location"] == "/"


def test_the_switcher_only_accepts_post(client):
    assert client.get(reverse("language_set")).status_code == 405


def test_supported_language_falls_back_to_english():
    assert supported_language("da") == "da"
    assert supported_language("da-DK") == "da"
    assert supported_language("fr") == "en"
    assert supported_language(None) == "en"


# Emails ----------------------------------------------------------------------------------------


def test_each_member_gets_the_email_in_their_own_language(cohort, member, partner):
    member.language = "da"
    member.save(update_fields=["language"])
    pair = make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE)

    pair_active_email_send(pair=pair)

    by_address = {message.to[0]: message for message in mail.outbox}
    danish, english = by_address[member.email], by_address[partner.email]
    assert danish.subject == "Du og Ben Okafor er nu partnere"
    assert "Alle har sagt ja" in danish.body
    assert "Alle har sagt ja" in danish.alternatives[0][0]
    assert '<html lang="da">' in danish.alternatives[0][0]
    assert danish.extra_headers["Content-Language"] == "da"
    assert english.subject == "You and Ana Silva are now partners"
    assert "Everyone has accepted" in english.body
    assert english.extra_headers["Content-Language"] == "en"
    assert '<html lang="en">' in english.alternatives[0][0]


def test_recipients_sharing_a_language_share_one_message(member, partner, coordinator):
    member.language = partner.language = "da"
    member.save(update_fields=["language"])
    partner.save(update_fields=["language"])

    send_templated_email(
        template="accounts/emails/invitation",
        to=[member.email, partner.email, coordinator.email],
        context={"organization": {"name": "Northwind"}, "cohort": {"name": "Autumn"}},
    )

    recipients = sorted(sorted(message.to) for message in mail.outbox)
    assert recipients == sorted([[coordinator.email], sorted([member.email, partner.email])])
    danish = next(message for message in mail.outbox if member.email in message.to)
    assert danish.subject == "Northwind inviterer dig til Autumn"


def test_an_address_that_is_no_user_gets_the_current_language(db):
    with translation.override("da"):
        send_templated_email(
            template="accounts/emails/invitation",
            to=["new@example.org"],
            context={"organization": {"name": "Northwind"}, "cohort": {"name": "Autumn"}},
        )

    assert mail.outbox[0].subject == "Northwind inviterer dig til Autumn"


def test_an_explicit_language_wins(member):
    member.language = "da"
    member.save(update_fields=["language"])

    send_templated_email(
        template="accounts/emails/invitation",
        to=[member.email],
        context={"organization": {"name": "Northwind"}, "cohort": {"name": "Autumn"}},
        language="en",
    )

    assert mail.outbox[0].subject == "Northwind invites you to Autumn"


def test_the_languages_of_many_addresses_take_one_query(django_assert_num_queries, db):
    users = [UserFactory(language="da") for _ in range(5)]
    addresses = [user.email.upper() for user in users] + ["nobody@example.org"]

    with django_assert_num_queries(1):
        languages = languages_for_addresses(addresses)

    assert languages == {user.email.upper(): "da" for user in users}


def speaks_danish(user):
    user.language = "da"
    user.save(update_fields=["language"])
    return user


def test_a_reminder_is_in_its_recipients_language_labels_included(cohort, member, partner):
    speaks_danish(member)
    meeting = meeting_for(active_pair(cohort, member, partner), starts_in=30)
    reminders.reminders_sync_for_meeting(meeting=meeting)
    row = Reminder.objects.get(
        meeting=meeting, recipient=member, kind=Reminder.Kind.MEETING_DAY_BEFORE
    )

    reminders.reminder_email_send(reminder=row)

    (message,) = mail.outbox
    assert message.subject.startswith("Snart: dit møde med Ben Okafor")
    assert "“Møde i morgen”" in message.body


def test_a_moved_meeting_is_announced_with_dates_in_the_recipients_language(
    cohort, member, partner
):
    speaks_danish(partner)
    # A Tuesday, whatever the pair's time zone.
    starts_at = datetime.datetime(2027, 3, 30, 10, 0, tzinfo=datetime.UTC)
    meeting = meeting_for(active_pair(cohort, member, partner), starts_at=starts_at)

    with translation.override("en"):
        checkin_services.meeting_changed_email_send(
            meeting_id=meeting.pk, actor_id=member.pk, change="added"
        )

    (message,) = mail.outbox
    assert message.to == [partner.email]
    assert "har tilføjet et møde" in message.subject
    assert "Tirsdag 30 marts 2027" in message.body


def test_the_calendar_feed_speaks_its_owners_language(client, cohort, member, partner):
    speaks_danish(member)
    meeting_for(active_pair(cohort, member, partner), starts_in=48)
    token = checkin_services.calendar_feed_ensure(user=member).token

    response = client.get(reverse("calendar_feed", kwargs={"token": token}))

    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["Peer mentoring med Ben Okafor"]


# Contract PDFs ---------------------------------------------------------------------------------


@pytest.fixture
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


def test_a_danish_users_draft_preview_is_in_danish(client_for, cohort, member, partner):
    draft = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT, goals=1)
    client = client_for(member)
    switch(client, "da")

    response = client.get(
        reverse("contract_pdf", kwargs={"org_slug": "northwind", "contract_id": draft.pk})
    )

    text = text_of(response.content)
    assert "Peer mentoring-kontrakt" in text
    assert "Kladde – ikke underskrevet" in text
    assert PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/Lang"] == "da"


def test_an_english_users_draft_preview_stays_english(client_for, cohort, member, partner):
    draft = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT, goals=1)

    response = client_for(partner).get(
        reverse("contract_pdf", kwargs={"org_slug": "northwind", "contract_id": draft.pk})
    )

    assert "Peer-mentoring contract" in text_of(response.content)


@pytest.mark.usefixtures("_temporary_files")
def test_the_signed_pdf_is_in_the_language_of_the_first_partner(cohort, member, partner):
    first, second = sorted([member, partner], key=lambda user: user.pk)
    first.language = "da"
    first.save(update_fields=["language"])
    contract = signed_contract(cohort, [member, partner], goals=1)

    pdf = documents.signed_contract_pdf(contract=contract)

    assert "Peer mentoring-kontrakt" in text_of(pdf)
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "da"


@pytest.mark.usefixtures("_temporary_files")
def test_the_signed_pdf_ignores_the_language_of_the_requester(cohort, member, partner):
    first, second = sorted([member, partner], key=lambda user: user.pk)
    second.language = "da"
    second.save(update_fields=["language"])
    contract = signed_contract(cohort, [member, partner], goals=1)

    with translation.override("da"):
        pdf = documents.signed_contract_pdf(contract=contract)

    assert "Peer-mentoring contract" in text_of(pdf)
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en"


# Matching explanations -------------------------------------------------------------------------


def test_the_translatable_wording_is_the_engines_word_for_word_in_english():
    with translation.override("en"):
        assert current_wording() == engine.ENGLISH


def test_a_run_explains_the_pairs_in_the_language_of_the_coordinator_who_started_it(
    cohort, member, partner, coordinator
):
    four = cohort_of_four(cohort, member, partner)
    coordinator.language = "da"
    coordinator.save(update_fields=["language"])
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.MATCHING)

    run = services.matching_run_create(cohort=cohort, actor=coordinator)
    services.matching_run_execute(run=run)

    assert run.status == MatchRun.Status.DONE
    pair = Pair.objects.get(run=run, members__user=four.ana)
    assert pair.explanation == (
        "Ana Silva tilbyder Public speaking (ekspert), som Ben Okafor har mest brug for; "
        "Ben Okafor tilbyder Fundraising (avanceret), som Ana Silva har mest brug for."
    )
