"""The welcome link: one email takes an imported member in, proves the address, signs them in
and lands on their next step; it works once and for a limited time."""

import io
import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Cohort, User
from accounts.welcome import (
    WelcomeLinkError,
    welcome_accept,
    welcome_from_token,
    welcome_url,
)
from matching.models import Pair, PairMember
from matching.services import matching_publish
from profiles import importing
from tests.matching.factories import make_pair

pytestmark = pytest.mark.django_db

HEADER = ",".join(importing.COLUMNS)
ROW = "{email},{first},Member,Sales,Python:4,SQL:3,English,Europe/Copenhagen"
IDA, JENS = "ida@northwind.test", "jens@northwind.test"
NEW_PASSWORD = "Lantern-Corvid-4711"


def csv_for(*emails):
    rows = [ROW.format(email=email, first=email.split("@")[0].title()) for email in emails]
    return "\n".join([HEADER, *rows]).encode() + b"\n"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def import_in_browser(client_for, coordinator, cohort, django_capture_on_commit_callbacks):
    """`import_in_browser(welcome, *emails)`: the coordinator previews and confirms a file."""

    def run(welcome, *emails):
        client = client_for(coordinator)
        kwargs = {"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
        file = SimpleUploadedFile("members.csv", csv_for(*emails), content_type="text/csv")
        ticket = client.post(reverse("member_import", kwargs=kwargs), {"file": file}).context[
            "ticket"
        ]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("member_import_confirm", kwargs=kwargs),
                {"ticket": ticket, "welcome": welcome},
            )
        assert response.status_code == 302
        return response

    return run


def welcome_path(message):
    url = re.search(r"https?://\S+/welcome/\S+/", message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def to(mailoutbox, email):
    return [message for message in mailoutbox if email in message.to]


def test_import_can_welcome_new_members_now(import_in_browser, mailoutbox):
    import_in_browser("now", IDA, JENS)

    assert sorted(message.to[0] for message in mailoutbox) == [IDA, JENS]
    message = to(mailoutbox, IDA)[0]
    assert "Welcome to PeerMentor at Northwind" in message.subject
    assert "nothing to sign up for" in message.body
    assert welcome_path(message)


def test_welcome_link_signs_in_verifies_sets_the_password_and_lands_home(
    import_in_browser, mailoutbox, client
):
    import_in_browser("now", IDA)
    path = welcome_path(mailoutbox[0])
    assert client.get(path).status_code == 200

    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    ida = User.objects.get(email=IDA)
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(ida.pk)
    assert ida.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=ida, email=IDA).verified
    assert len(mailoutbox) == 1
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": IDA, "password": NEW_PASSWORD})
    assert client.session[SESSION_KEY] == str(ida.pk)  # no verification asked
    assert len(mailoutbox) == 1


def test_welcome_link_can_sign_in_without_choosing_a_password(
    import_in_browser, mailoutbox, client
):
    import_in_browser("now", IDA)

    response = client.post(welcome_path(mailoutbox[0]), {"skip": "1"})

    ida = User.objects.get(email=IDA)
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(ida.pk)
    assert not ida.has_usable_password()
    assert EmailAddress.objects.get(user=ida).verified


def test_welcome_link_works_once(import_in_browser, mailoutbox, client):
    import_in_browser("now", IDA)
    path = welcome_path(mailoutbox[0])
    client.post(path, {"skip": "1"})
    client.post(reverse("account_logout"))

    response = client.get(path)
    again = client.post(path, {"skip": "1"})

    assert response.status_code == 410
    assert "has been used already" in response.content.decode()
    assert "Email me a new link" in response.content.decode()
    assert again.status_code == 410
    assert SESSION_KEY not in client.session


def test_expired_welcome_link_says_so_and_offers_a_new_link_or_a_code(
    settings, coordinator, cohort, client
):
    settings.WELCOME_LINK_MAX_AGE_DAYS = 3
    ida = User.objects.create_user(email=IDA)
    ida.set_unusable_password()
    ida.save()
    with mock.patch("django.core.signing.time.time", return_value=1_000_000_000):
        url = welcome_url(user=ida)
    path = re.sub(r"^https?://[^/]+", "", url)

    response = client.get(path)

    text = response.content.decode()
    assert response.status_code == 410
    assert "This sign-in link has expired." in text
    assert reverse("account_reset_password") in text
    assert reverse("account_request_login_code") in text
    assert client.post(path, {"skip": "1"}).status_code == 410
    assert SESSION_KEY not in client.session


def test_a_tampered_welcome_link_is_refused(client):
    assert client.get(reverse("welcome", kwargs={"token": "nope:nope"})).status_code == 410


def test_import_with_the_matching_sends_nothing_then_publication_welcomes_each_member_once(
    import_in_browser, mailoutbox, coordinator, cohort, django_capture_on_commit_callbacks
):
    import_in_browser("with-matching", IDA, JENS)
    assert mailoutbox == []
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.MATCHING)
    cohort.refresh_from_db()
    make_pair(cohort, list(User.objects.filter(email__in=[IDA, JENS])))

    with django_capture_on_commit_callbacks(execute=True):
        matching_publish(cohort=cohort, actor=coordinator)

    assert len(to(mailoutbox, IDA)) == 1
    assert len(to(mailoutbox, JENS)) == 1
    assert all(welcome_path(message) for message in mailoutbox)


def test_an_imported_member_gets_one_email_before_having_an_accepted_partner(
    import_in_browser, mailoutbox, coordinator, cohort, django_capture_on_commit_callbacks
):
    import_in_browser("with-matching", IDA, JENS)
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.MATCHING)
    cohort.refresh_from_db()
    pair = make_pair(cohort, list(User.objects.filter(email__in=[IDA, JENS])))
    with django_capture_on_commit_callbacks(execute=True):
        matching_publish(cohort=cohort, actor=coordinator)
    ida, jens = User.objects.get(email=IDA), User.objects.get(email=JENS)
    partner_page = reverse(
        "my_partner", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    respond = reverse(
        "pair_respond", kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pk}
    )

    for email, user in ((IDA, ida), (JENS, jens)):
        client = Client()
        (message,) = to(mailoutbox, email)  # the publication email is the welcome
        landed = client.post(welcome_path(message), {"skip": "1"})
        assert landed["Location"] == partner_page
        assert client.get(partner_page).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            client.post(respond, {"response": "accept", "reason": ""})
        assert PairMember.objects.get(pair=pair, user=user).response == PairMember.Response.ACCEPTED
        if email == IDA:  # accepted, but her partner has not yet: still exactly one email
            assert len(to(mailoutbox, IDA)) == 1

    pair.refresh_from_db()
    assert pair.status == Pair.Status.ACTIVE
    for email in (IDA, JENS):
        received = to(mailoutbox, email)
        # The one email, then "your pair is active" once both have accepted.
        assert len(received) == 2
        assert "/welcome/" in received[0].body
        assert not any("/accounts/confirm-email/" in message.body for message in received)
        assert not EmailAddress.objects.filter(email=email, verified=False).exists()


def test_import_command_welcomes_now_when_asked(
    organization, cohort, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    file = tmp_path / "members.csv"
    file.write_bytes(csv_for(IDA))

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_members", organization.slug, cohort.slug, str(file), welcome="now", stdout=out
        )

    assert [message.to for message in mailoutbox] == [[IDA]]
    assert "welcome emails sent: 1" in out.getvalue()


def test_import_command_leaves_the_welcome_to_the_matching_by_default(
    organization, cohort, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    file = tmp_path / "members.csv"
    file.write_bytes(csv_for(IDA))

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_members", organization.slug, cohort.slug, str(file), stdout=io.StringIO()
        )

    assert mailoutbox == []


def test_welcome_emails_past_the_daily_limit_are_left_to_the_matching(
    settings, client_for, coordinator, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 1
    client = client_for(coordinator)
    kwargs = {"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    file = SimpleUploadedFile("members.csv", csv_for(IDA, JENS), content_type="text/csv")
    preview = client.post(reverse("member_import", kwargs=kwargs), {"file": file})
    assert 'name="welcome" id="welcome-now" value="now" checked' in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("member_import_confirm", kwargs=kwargs),
            {"ticket": preview.context["ticket"], "welcome": "now"},
            follow=True,
        )

    assert len(mailoutbox) == 1
    assert "1 welcome email was not sent" in response.content.decode()


def test_a_second_submit_with_the_link_as_first_loaded_is_refused():
    ida = User.objects.create_user(email=IDA)
    ida.set_unusable_password()
    ida.save()
    token = welcome_url(user=ida).rstrip("/").rsplit("/", 1)[1]
    first, _next = welcome_from_token(token)
    second, _next = welcome_from_token(token)  # both loaded before either is saved

    welcome_accept(user=first)

    with pytest.raises(WelcomeLinkError, match="used already"):
        welcome_accept(user=second)
