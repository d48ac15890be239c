"""Sessions: a new key at login, none left after logout, and a password change ends the others."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-pass-789"


def log_in(client, user, password=PASSWORD):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def with_session(key):
    """A client that presents the session cookie `key`, as a stolen cookie would."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def reaches_private_page(client, organization):
    response = client.get(organization.get_absolute_url())
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))
        return False
    assert response.status_code == 200
    return True


def test_logging_in_gives_a_new_session_key_and_the_old_one_stops_existing(
    client, member, organization
):
    client.session.save()  # the visitor's session before logging in, as a fixation attack plants
    before = session_key(client)

    log_in(client, member)

    assert session_key(client) != before
    assert not SessionStore().exists(before)
    assert not reaches_private_page(with_session(before), organization)
    assert reaches_private_page(client, organization)


def test_after_logout_the_old_session_cookie_reaches_nothing(client, member, organization):
    log_in(client, member)
    key = session_key(client)
    assert reaches_private_page(with_session(key), organization)

    client.post(reverse("account_logout"))

    assert not reaches_private_page(with_session(key), organization)
    assert not reaches_private_page(client, organization)
    assert not SessionStore().exists(key)


def test_changing_the_password_logs_out_the_other_sessions_but_not_this_one(member, organization):
    laptop, phone = Client(), Client()
    log_in(laptop, member)
    log_in(phone, member)
    assert reaches_private_page(phone, organization)

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert reaches_private_page(laptop, organization)
    assert not reaches_private_page(phone, organization)
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_ends_no_session(member, organization):
    laptop, phone = Client(), Client()
    log_in(laptop, member)
    log_in(phone, member)

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert reaches_private_page(phone, organization)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
