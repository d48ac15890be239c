"""Behind the TLS proxy every request comes from the proxy's address.

With TRUSTED_PROXY_COUNT=1 the login rate limit ("10 failed logins a minute per address")
counts the client the proxy names in X-Forwarded-For, so strangers' typos don't lock
everyone out; without it (the default, for a site reached directly) the header is ignored.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"


def log_in_through_the_proxy(client_address, email, password):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)
    client.post(reverse("account_login"), {"login": email, "password": password})
    return client.session.get("_auth_user_id")


def ten_strangers_fail_to_log_in():
    for n in range(10):
        log_in_through_the_proxy(f"198.51.100.{n + 1}", f"stranger{n}@example.org", "typo")


def test_with_a_trusted_proxy_failed_logins_count_per_client(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    ten_strangers_fail_to_log_in()

    assert log_in_through_the_proxy("203.0.113.7", user.email, PASSWORD) == str(user.pk)


def test_a_forged_header_counts_the_address_the_proxy_saw(settings):
    """The proxy appends the address it saw: the last entry is the one to trust."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for n in range(10):
        log_in_through_the_proxy(f"10.0.0.{n}, 198.51.100.1", f"stranger{n}@example.org", "x")

    assert log_in_through_the_proxy("198.51.100.1", user.email, PASSWORD) is None
    assert log_in_through_the_proxy("198.51.100.2", user.email, PASSWORD) == str(user.pk)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    user = UserFactory()
    ten_strangers_fail_to_log_in()

    assert log_in_through_the_proxy("203.0.113.7", user.email, PASSWORD) is None
