"""A real Celery worker on Redis delivers a due reminder once, even if its task comes twice.

Starts `celery -A peermentor worker` (two prefork processes, production settings: tasks go
through Redis, not in-process) against this test's database, which therefore has to be one
another process can open: PostgreSQL. Emails go to files in a temporary folder. Skips unless
REDIS_URL is set and a Redis server answers.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from checkins.models import Reminder
from tests.checkins.reminder_factories import reminder

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_answers() -> bool:
    if not REDIS_URL:
        return False
    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 0.5).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no broker for a worker"),
    pytest.mark.skipif(
        REDIS_URL and not redis_answers(), reason=f"no Redis answers at {REDIS_URL}"
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker process can't open the in-memory SQLite test database; "
        "run with DATABASE_URL=postgres://…",
    ),
    # The worker is another process: it only sees committed rows.
    pytest.mark.django_db(transaction=True),
]


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def broker_url() -> str:
    """A Redis database of its own, so a developer's worker can't take these tasks."""
    parts = urlsplit(REDIS_URL)
    return parts._replace(path="/13").geturl()


@pytest.fixture
def worker(tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peermentor.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker_url(),
        "EMAIL_URL": f"filemail:///{outbox}",  # four slashes: an absolute path
        "SITE_URL": settings.SITE_URL,
    }
    Celery(broker=broker_url()).connection_for_write().default_channel.client.flushdb()
    name = f"reminders-test-{uuid.uuid4().hex[:8]}@%h"
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "peermentor",
            "worker",
            "--concurrency=2",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-n",
            name,
            "--loglevel=INFO",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield outbox
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        Celery(broker=broker_url()).connection_for_write().default_channel.client.flushdb()


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def emails_in(outbox: Path) -> list[str]:
    return [
        line
        for path in sorted(outbox.iterdir())
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    ]


def test_a_worker_on_redis_sends_a_due_reminder_once(worker, member, cohort):
    row = reminder(member, cohort, data={"subject": "Hello from the worker", "body": "Hi."})
    broker = Celery(broker=broker_url())

    broker.send_task("checkins.tasks.scan_due_reminders")

    def sent():
        row.refresh_from_db()
        return row.status == Reminder.Status.SENT

    assert wait_for(sent), f"the reminder is still {row.status}: {row.last_error}"
    # The same send task delivered again, and another scan: nothing more goes out.
    broker.send_task("checkins.tasks.send_reminder", args=[row.pk])
    broker.send_task("checkins.tasks.scan_due_reminders")
    time.sleep(3)
    assert emails_in(worker) == ["Subject: Hello from the worker"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Reminder.Status.SENT, 1)
