"""Members who arrive by the login page, "forgot password" or an emailed code: signed in,
never asked to verify an address an emailed link or code already proved, and greeted by the
product's and organization's name rather than the host's."""

import re
from pathlib import Path
from types import SimpleNamespace

import allauth
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern-Corvid-4711"


def imported_member(email="imported@example.org", organization=None):
    """An account as the import makes it: no password, no allauth address row."""
    user = User(email=email, first_name="Ida", last_name="Mørch")
    user.set_unusable_password()
    user.save()
    MembershipFactory(organization=organization or OrganizationFactory(), user=user)
    return user


def link(message, fragment):
    return next(
        re.sub(r"^https?://[^/]+", "", url)
        for url in re.findall(r"https?://\S+", message.body)
        if fragment in url
    )


def test_login_page_speaks_to_invited_members_not_to_sign_ups(client):
    response = client.get(reverse("account_login"))

    text = response.content.decode()
    assert "If you have not created an account yet" not in text
    assert "Invited to a program?" in text
    assert "Send me a sign-in code" in text


def test_forgot_password_signs_an_imported_member_in_without_a_verification_email(
    client, mailoutbox
):
    user = imported_member()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mailoutbox) == 1
    form_url = client.get(link(mailoutbox[0], "/password/reset/key/"))["Location"]

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1  # no "please verify" email


def test_after_a_reset_the_next_login_is_not_asked_to_verify(client, mailoutbox):
    user = imported_member()
    client.post(reverse("account_reset_password"), {"email": user.email})
    form_url = client.get(link(mailoutbox[0], "/password/reset/key/"))["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("account_logout"))

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD}
    )

    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert len(mailoutbox) == 1


def test_sign_in_code_signs_an_imported_member_in_and_verifies_the_address(client, mailoutbox):
    user = imported_member()
    client.post(reverse("account_request_login_code"), {"email": user.email})
    (message,) = mailoutbox
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1


def test_allauth_emails_greet_with_product_and_organization_not_the_host(client, mailoutbox):
    organization = OrganizationFactory(name="Ærø Library")
    user = imported_member(organization=organization)
    client.post(reverse("account_reset_password"), {"email": user.email})
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    client.post(reverse("account_request_login_code"), {"email": user.email})

    assert len(mailoutbox) == 3
    for message in mailoutbox:
        greeting = message.body.splitlines()[0]
        assert greeting.startswith("Hello from PeerMentor"), greeting
        assert "testserver" not in greeting  # the host the request came in on
        assert "Thank you for using testserver" not in message.body
    assert "Hello from PeerMentor at Ærø Library!" in mailoutbox[0].body


ALLAUTH_EMAILS = sorted(
    path.name
    for path in (Path(allauth.__file__).parent / "templates" / "account" / "email").glob(
        "*_message.txt"
    )
)


@pytest.mark.parametrize("name", ALLAUTH_EMAILS)
def test_no_allauth_email_names_the_raw_host(name):
    host = SimpleNamespace(name="127.0.0.1:8000", domain="127.0.0.1:8000")
    context = {
        "current_site": host,
        "site_url": "https://peermentor.example",
        "user": User(email="ida@example.org", first_name="Ida"),
        "email": "ida@example.org",
        "code": "ABCD-EFGH",
        "activate_url": "https://peermentor.example/confirm/",
        "password_reset_url": "https://peermentor.example/reset/",
        "signup_url": "https://peermentor.example/signup/",
    }

    text = render_to_string(f"account/email/{name}", context)

    assert "127.0.0.1:8000" not in text
    assert text.startswith("Hello from PeerMentor")


def test_sign_in_code_from_a_partner_email_lands_on_the_page_it_linked(
    client, mailoutbox, member, cohort
):
    partner_page = reverse(
        "my_partner", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    login_page = client.get(partner_page)["Location"]
    assert login_page.startswith(reverse("account_login"))

    code_page = client.get(login_page).context["request_login_code_url"]
    confirm_page = client.post(code_page, {"email": member.email})["Location"]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mailoutbox[0].body, re.MULTILINE)
    response = client.post(confirm_page, {"code": code.group(1)})

    assert response["Location"] == partner_page
    assert len(mailoutbox) == 1


def test_the_verification_page_does_not_speak_of_a_sign_up(client):
    response = client.get(reverse("account_email_verification_sent"))

    text = response.content.decode()
    assert "finalize the signup process" not in text
    assert "confirm that this address is yours" in text
