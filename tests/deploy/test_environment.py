"""The settings an operator sets: the DEBUG guard, MEDIA_ROOT, and the two example files.

Settings are read once, at startup, so the tests that change the environment start
`manage.py` in a fresh process (the helpers of tests/test_settings.py).
"""

import re
import secrets
from pathlib import Path

import pytest

from peermentor.hosts import is_local_host, is_loopback_address, public_hosts
from tests.test_settings import SETTINGS_VARIABLES, manage

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = (REPO_ROOT / "peermentor" / "settings.py").read_text(encoding="utf-8")
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
PRODUCTION_EXAMPLE = REPO_ROOT / ".env.production.example"
DEVELOPMENT_EXAMPLE = REPO_ROOT / ".env.example"
PRINT_SETTINGS = "from django.conf import settings; print(settings.{})"


def read_env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


@pytest.fixture
def development_env(production_env):
    production_env.update(DEBUG="true", SECRET_KEY="", SITE_URL="http://127.0.0.1:8000")
    return production_env


# --- DEBUG only on local host names --------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "127.0.0.1",
        "[::1]",
        "api.localhost",
        "demo.peermentor.test",
        "laptop.local",
        "192.168.1.20",
        "10.0.0.7",
        "172.16.4.1",
        "[fd00::5]",
        "web",
    ],
)
def test_local_hosts(host):
    assert is_local_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "peermentor.example.org",
        ".example.org",
        "*",
        "93.184.215.14",
        "8.8.8.8",
        "[2001:4860:4860::8888]",
        "",
    ],
)
def test_public_hosts(host):
    assert not is_local_host(host)


def test_public_hosts_lists_only_the_public_entries():
    hosts = ["localhost", "peermentor.example.org", "127.0.0.1", "*"]

    assert public_hosts(hosts) == ["peermentor.example.org", "*"]


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.1", False),
        ("", False),
        (None, False),
        ("unix:/run/gunicorn.sock", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert is_loopback_address(address) is loopback


def test_debug_with_a_public_host_refuses_to_start(development_env):
    development_env["ALLOWED_HOSTS"] = "peermentor.example.org,localhost"

    result = manage(development_env, "check")

    assert result.returncode != 0, result.stdout
    assert "DEBUG is true but ALLOWED_HOSTS names peermentor.example.org" in result.stderr


def test_debug_with_any_host_refuses_to_start(development_env):
    development_env["ALLOWED_HOSTS"] = "*"

    result = manage(development_env, "check")

    assert result.returncode != 0, result.stdout
    assert "ALLOWED_HOSTS names *" in result.stderr


def test_debug_on_local_and_private_network_hosts_starts(development_env):
    development_env["ALLOWED_HOSTS"] = "localhost,127.0.0.1,[::1],192.168.1.20,demo.peermentor.test"

    result = manage(development_env, "check")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_with_the_default_hosts_starts(development_env):
    del development_env["ALLOWED_HOSTS"]

    result = manage(
        development_env, "shell", "--no-imports", "-c", PRINT_SETTINGS.format("ALLOWED_HOSTS")
    )

    assert result.returncode == 0, result.stderr


# --- MEDIA_ROOT --------------------------------------------------------------------------


def test_media_root_comes_from_the_environment(production_env, tmp_path):
    production_env["MEDIA_ROOT"] = str(tmp_path / "uploads")

    result = manage(
        production_env, "shell", "--no-imports", "-c", PRINT_SETTINGS.format("MEDIA_ROOT")
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "uploads")


def test_a_relative_media_root_starts_at_the_project_folder(production_env):
    production_env["MEDIA_ROOT"] = "var/media"

    result = manage(
        production_env, "shell", "--no-imports", "-c", PRINT_SETTINGS.format("MEDIA_ROOT")
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(REPO_ROOT / "var" / "media")


def test_media_root_defaults_to_the_media_folder(production_env):
    production_env.pop("MEDIA_ROOT", None)

    result = manage(
        production_env, "shell", "--no-imports", "-c", PRINT_SETTINGS.format("MEDIA_ROOT")
    )

    assert result.stdout.strip() == str(REPO_ROOT / "media")


# --- The example files and the README -----------------------------------------------------

VARIABLES = re.findall(r'_read\(\s*"([A-Z_]+)"', SETTINGS_SOURCE)


def test_the_settings_tests_clear_every_variable_the_settings_read():
    assert "MEDIA_ROOT" in VARIABLES
    assert [name for name in VARIABLES if name not in SETTINGS_VARIABLES] == []


def test_the_readme_table_explains_every_variable():
    assert [name for name in VARIABLES if f"| `{name}` |" not in README] == []


def test_the_development_example_lists_every_variable_and_says_it_is_for_development():
    example = read_env_file(DEVELOPMENT_EXAMPLE)
    text = DEVELOPMENT_EXAMPLE.read_text(encoding="utf-8")

    assert [name for name in VARIABLES if name not in example] == []
    assert "DEVELOPMENT" in text.splitlines()[0]
    assert ".env.production.example" in text


def test_the_production_example_turns_debug_off():
    example = read_env_file(PRODUCTION_EXAMPLE)

    assert example["DEBUG"] == "false"
    assert example["SITE_URL"].startswith("https://")
    assert example["EMAIL_URL"].startswith("smtp")
    assert example["SECRET_KEY"] == ""  # the site refuses to start until it is set
    assert set(example) <= set(VARIABLES)


def test_the_production_example_passes_the_deployment_checks(production_env):
    """Its values with a real key: no warning (a database connection isn't needed)."""
    production_env.update(read_env_file(PRODUCTION_EXAMPLE))
    production_env["SECRET_KEY"] = secrets.token_urlsafe(64)

    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_example_as_copied_refuses_to_start_without_a_key(production_env):
    production_env.update(read_env_file(PRODUCTION_EXAMPLE))

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
