"""`docker-compose.yml` holds no traps for the operator who follows it.

Read with a YAML library (anchors and `<<` merge keys resolved the way compose does), so the
tests see each service as compose will run it. They cannot start the stack; they check the
structure that keeps it safe: the development `.env` cannot switch production into DEBUG,
only the TLS proxy on this machine reaches the app, beat keeps its schedule across
recreations, and nothing starts before the database is migrated.
"""

import shlex
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "worker", "beat"]
LONG_RUNNING = ["web", "worker", "beat"]


def environment(service: str) -> dict[str, str]:
    value = SERVICES[service].get("environment", {})
    if isinstance(value, list):
        value = dict(item.split("=", 1) for item in value)
    return value


def env_files(service: str) -> list[str]:
    value = SERVICES[service].get("env_file", [])
    items = [value] if isinstance(value, str | dict) else value
    return [item["path"] if isinstance(item, dict) else item for item in items]


def test_compose_interpolates_nothing_from_the_development_env_file():
    """Compose fills `${VAR}` from `.env`: with none, a copied .env.example changes nothing."""
    assert "$" not in COMPOSE_TEXT


@pytest.mark.parametrize("service", APP_SERVICES)
def test_debug_is_fixed_to_false_for_every_app_service(service):
    assert environment(service)["DEBUG"] == "false"
    # `environment:` wins over `env_file:`, and the development .env is never passed in.
    assert env_files(service) == [".env.production"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_the_app_runs_against_the_stack_s_own_database_and_redis(service):
    env = environment(service)

    assert env["DATABASE_URL"].startswith("postgres://") and "@db:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")


def published_ports():
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            yield name, port


def test_every_published_port_is_bound_to_loopback():
    ports = list(published_ports())

    assert ("web", "127.0.0.1:8000:8000") in ports
    assert [(name, port) for name, port in ports if not str(port).startswith("127.0.0.1:")] == []


def named_volume_mounts(service: str) -> dict[str, str]:
    """Container path -> named volume, for the service's volumes declared at the top level."""
    mounts = {}
    for entry in SERVICES[service].get("volumes", []):
        source, target = entry.split(":")[:2]
        if source in (COMPOSE.get("volumes") or {}):
            mounts[target] = source
    return mounts


def test_beat_keeps_its_schedule_on_a_named_volume():
    command = shlex.split(SERVICES["beat"]["command"])
    schedule = Path(command[command.index("--schedule") + 1])

    assert str(schedule.parent) in named_volume_mounts("beat")
    assert not str(schedule).startswith("/tmp")  # noqa: S108 - the trap being tested


def test_the_image_creates_the_beat_folder_for_its_user():
    """A new named volume copies the image folder's owner: beat (not root) must write there."""
    schedule_dir = "/var/lib/peermentor/beat"
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")

    assert schedule_dir in SERVICES["beat"]["command"]
    assert f"mkdir -p var/signing media {schedule_dir}" in dockerfile
    assert "chown -R peermentor /app /var/lib/peermentor" in dockerfile


def test_there_is_exactly_one_beat():
    beats = [name for name, s in SERVICES.items() if "beat" in shlex.split(s.get("command", ""))]

    assert beats == ["beat"]
    assert SERVICES["beat"]["deploy"]["replicas"] == 1


@pytest.mark.parametrize("service", ["web", "worker"])
def test_web_and_worker_share_the_signing_keys_and_media_volumes(service):
    mounts = named_volume_mounts(service)
    env = environment(service)

    assert mounts[env["CONTRACT_SIGNING_DIR"]] == "signing"
    assert mounts[env["MEDIA_ROOT"]] == "media"


def test_a_one_shot_service_migrates_the_database():
    migrate = SERVICES["migrate"]

    assert shlex.split(migrate["command"])[:3] == ["python", "manage.py", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_web_worker_and_beat_start_after_the_migration_completed(service):
    depends_on = SERVICES[service]["depends_on"]

    assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
    assert "migrate" not in SERVICES[service]["command"]


def test_the_health_check_probes_healthz_on_loopback():
    test = " ".join(SERVICES["web"]["healthcheck"]["test"])

    assert "http://127.0.0.1:8000/healthz" in test
