"""Production settings pass Django's deployment checks; malformed environments fail loudly.

Each test starts `manage.py` in a fresh process, because settings are read once, at startup.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# Every variable settings.py reads: cleared first so the developer's shell or CI can't leak in
# (tests/deploy/test_environment.py checks the list against settings.py).
SETTINGS_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "TRUSTED_PROXY_COUNT",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "INVITATION_MAX_AGE_DAYS",
    "WELCOME_LINK_MAX_AGE_DAYS",
    "ORGANIZATION_DAILY_EMAIL_LIMIT",
    "DASHBOARD_CACHE_SECONDS",
    "MEDIA_ROOT",
    "CONTRACT_SIGNING_DIR",
    "CONTRACT_SIGNING_KEY_PASSPHRASE",
    "CONTRACT_VERIFY_MAX_UPLOAD_MB",
    "CONTRACT_EXPORT_KEEP_DAYS",
    "CONTRACT_PDF_RENDER_SECONDS",
    "REMINDER_LEASE_SECONDS",
    "REMINDER_MAX_ATTEMPTS",
    "REMINDER_RETRY_BACKOFF_SECONDS",
    "REMINDER_BATCH_SIZE",
    "CELERY_VISIBILITY_TIMEOUT_SECONDS",
]


@pytest.fixture
def production_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="peermentor.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.org",
        SITE_URL="https://example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'throwaway.sqlite3'}",
        # Set (even empty) so that a developer's .env file can't fill them in.
        REDIS_URL="",
        EMAIL_URL="smtp://mail.example.org:587",
        DEFAULT_FROM_EMAIL="PeerMentor <noreply@example.org>",
        INVITATION_MAX_AGE_DAYS="14",
    )
    return env


def manage(env, *args):
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_false_without_secret_key_fails_at_startup(production_env):
    del production_env["SECRET_KEY"]

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_false_with_an_empty_secret_key_fails_at_startup(production_env):
    """`.env.example` has `SECRET_KEY=`: copied as is, the key is empty, not missing."""
    production_env["SECRET_KEY"] = ""

    result = manage(production_env, "check")

    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nonsense://x"),
        ("DATABASE_URL", "nonsense"),
        ("REDIS_URL", "http://x"),
        ("INVITATION_MAX_AGE_DAYS", "abc"),
        ("INVITATION_MAX_AGE_DAYS", "0"),
        ("ORGANIZATION_DAILY_EMAIL_LIMIT", "lots"),
        ("ORGANIZATION_DAILY_EMAIL_LIMIT", "-1"),
        ("SITE_URL", "example.org"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("TRUSTED_PROXY_COUNT", "one"),
        ("EMAIL_URL", "bogus://x"),
        ("CONTRACT_VERIFY_MAX_UPLOAD_MB", "0"),
        ("CONTRACT_EXPORT_KEEP_DAYS", "0"),
        ("CONTRACT_EXPORT_KEEP_DAYS", "a week"),
        ("REMINDER_LEASE_SECONDS", "30"),
        ("REMINDER_MAX_ATTEMPTS", "many"),
        ("CELERY_VISIBILITY_TIMEOUT_SECONDS", "60"),
    ],
)
def test_malformed_value_fails_at_startup_naming_the_variable(production_env, variable, value):
    production_env[variable] = value

    result = manage(production_env, "check")

    assert result.returncode != 0, f"{variable}={value!r} was accepted: {result.stdout}"
    assert f"Environment variable {variable}" in result.stderr, result.stderr[-2000:]
