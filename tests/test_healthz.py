"""/healthz answers load balancers: 200 when the database (and Redis, if used) answer."""

import socket

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCAL_REDIS = ("127.0.0.1", 6379)


def redis_answers():
    try:
        socket.create_connection(LOCAL_REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


def test_healthz_reports_the_database_ok(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "redis": "not configured", "status": "ok"}


def test_healthz_is_not_cached(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_login_and_only_answers_get(client, settings):
    settings.REDIS_URL = ""

    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


def test_healthz_answers_plain_http_when_https_is_enforced(client, settings):
    """Load balancers probe over plain HTTP behind the TLS proxy; they must not get a 301."""
    settings.REDIS_URL = ""
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("home")).status_code == 301


@pytest.mark.redis
@pytest.mark.skipif(not redis_answers(), reason="no Redis server answers at 127.0.0.1:6379")
def test_healthz_reports_redis_ok_when_it_answers(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "status": "ok"}


def test_healthz_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")
    assert body["status"] == "error"
