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


# A production host list names only the public host; probes come from the machine itself.
PUBLIC_ONLY = ["peermentor.example.org"]


@pytest.fixture
def strict_hosts(settings):
    settings.REDIS_URL = ""
    settings.ALLOWED_HOSTS = PUBLIC_ONLY
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.parametrize("remote_addr", ["127.0.0.1", "::1", "127.0.0.11"])
@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "web:8000"])
def test_healthz_answers_a_local_probe_whatever_the_host_list(
    client, strict_hosts, remote_addr, host
):
    response = client.get("/healthz", HTTP_HOST=host, REMOTE_ADDR=remote_addr)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_head_from_a_local_probe(client, strict_hosts):
    response = client.head("/healthz", HTTP_HOST="127.0.0.1:8000", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200


def test_healthz_from_another_address_still_needs_an_allowed_host(client, strict_hosts):
    assert (
        client.get("/healthz", HTTP_HOST="127.0.0.1", REMOTE_ADDR="203.0.113.9").status_code == 400
    )
    assert client.get("/healthz", HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.0.0.5").status_code == 400
    allowed = client.get("/healthz", HTTP_HOST=PUBLIC_ONLY[0], REMOTE_ADDR="203.0.113.9")
    assert allowed.status_code == 200


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"])
def test_a_request_a_local_proxy_forwarded_goes_through_the_host_check(
    client, strict_hosts, header
):
    """A TLS proxy on the same machine connects from loopback too, but says whom it forwards."""
    response = client.get(
        "/healthz",
        HTTP_HOST="evil.example.net",
        REMOTE_ADDR="127.0.0.1",
        **{header: "198.51.100.4"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/", "/healthz/", "/healthzz", "/accounts/login/", "/admin/"])
def test_only_the_health_path_skips_the_host_check(client, strict_hosts, path):
    assert client.get(path, HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1").status_code == 400


def test_only_reading_the_health_path_skips_the_host_check(client, strict_hosts):
    response = client.post("/healthz", HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 400
