"""Sign-up, email verification, login, logout and password reset through allauth."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern-Corvid-4711"


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def sign_up(client, email="dina@example.org"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "first_name": "Dina",
            "last_name": "Ali",
        },
    )


def reset_password_form_url(client, mailoutbox, links_in):
    """Follow the emailed reset link; allauth moves the key into the session and redirects."""
    link = next(path for path in links_in(mailoutbox[-1]) if "/password/reset/key/" in path)
    response = client.get(link)
    assert response.status_code == 302
    return response["Location"]


def confirmation_path(links):
    return next(link for link in links if "/accounts/confirm-email/" in link)


def test_sign_up_sends_one_verification_email(client, mailoutbox, links_in):
    response = sign_up(client)

    assert response.status_code == 302
    user = User.objects.get(email="dina@example.org")
    assert (user.first_name, user.last_name) == ("Dina", "Ali")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dina@example.org"]
    assert confirmation_path(links_in(mailoutbox[0]))


def test_confirmation_link_shows_a_page_on_get_and_verifies_on_post(client, mailoutbox, links_in):
    sign_up(client)
    link = confirmation_path(links_in(mailoutbox[0]))

    page = client.get(link)
    assert page.status_code == 200
    assert not EmailAddress.objects.get(email="dina@example.org").verified

    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="dina@example.org").verified


def test_login_is_refused_before_verification_and_works_after(mailoutbox, links_in):
    sign_up(Client())
    link = confirmation_path(links_in(mailoutbox[0]))
    client = Client()

    log_in(client, "dina@example.org", NEW_PASSWORD)
    assert logged_in_user_id(client) is None

    client.post(link)
    client.logout()
    response = log_in(client, "dina@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(User.objects.get(email="dina@example.org").pk)


def test_login_before_verification_sends_the_verification_email_again(client, mailoutbox):
    UserFactory(email="eve@example.org", verified_email=False)

    log_in(client, "eve@example.org", PASSWORD)

    assert logged_in_user_id(client) is None
    assert [message.to for message in mailoutbox] == [["eve@example.org"]]


def test_verified_user_logs_in_with_their_password(client):
    user = UserFactory()

    response = log_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_login_with_wrong_password_is_refused(client):
    user = UserFactory()

    response = log_in(client, user.email, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_user_id(client) is None


def test_logout_by_post_ends_the_session(client_for):
    client = client_for(UserFactory())

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_password_reset_link_sets_a_new_password_and_signs_in(client, mailoutbox, links_in):
    user = UserFactory()

    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[user.email]]

    form_url = reset_password_form_url(client, mailoutbox, links_in)
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert logged_in_user_id(client) == str(user.pk)  # ACCOUNT_LOGIN_ON_PASSWORD_RESET
    client.post(reverse("account_logout"))
    log_in(client, user.email, NEW_PASSWORD)
    assert logged_in_user_id(client) == str(user.pk)


def test_old_password_stops_working_after_a_reset(client, mailoutbox, links_in):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    form_url = reset_password_form_url(client, mailoutbox, links_in)
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("account_logout"))

    log_in(client, user.email, PASSWORD)

    assert logged_in_user_id(client) is None


def test_after_five_failed_logins_the_right_password_is_refused_too(client):
    user = UserFactory()
    for _attempt in range(5):
        log_in(client, user.email, "wrong-password")

    response = log_in(client, user.email, PASSWORD)

    assert logged_in_user_id(client) is None
    assert response.status_code == 200
    assert "Too many failed login attempts" in str(response.context["form"].non_field_errors())


def test_four_failed_logins_still_let_the_right_password_in(client):
    user = UserFactory()
    for _attempt in range(4):
        log_in(client, user.email, "wrong-password")

    log_in(client, user.email, PASSWORD)

    assert logged_in_user_id(client) == str(user.pk)


def test_login_limit_is_per_account(client):
    attacked, bystander = UserFactory(), UserFactory()
    for _attempt in range(5):
        log_in(client, attacked.email, "wrong-password")

    log_in(client, bystander.email, PASSWORD)

    assert logged_in_user_id(client) == str(bystander.pk)


def test_admin_login_redirects_anonymous_visitors_to_allauth_login(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_is_refused_to_signed_in_non_staff(client_for):
    response = client_for(UserFactory()).get("/admin/login/")

    assert response.status_code == 403
