"""The periodic tasks and their beat schedule."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from checkins import selectors, services, tasks
from peermentor.celery import app

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_beat_runs_the_scan_every_minute_and_the_hourly_jobs():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["scan-due-reminders"]["task"] == "checkins.tasks.scan_due_reminders"
    assert schedule["scan-due-reminders"]["schedule"] == 60.0
    assert schedule["queue-coordinator-digests"]["schedule"] == 3600.0
    assert schedule["schedule-meetings-for-signed-contracts"]["schedule"] == 3600.0


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_the_broker_redelivers_only_after_the_longest_retry_wait():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert (
        visibility > settings.REMINDER_LEASE_SECONDS + settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS
    )


def test_a_send_cannot_outlive_its_lease():
    assert tasks.send_reminder.time_limit < settings.REMINDER_LEASE_SECONDS
    assert tasks.send_reminder.time_limit > settings.EMAIL_TIMEOUT


def test_scheduling_task_plans_meetings_for_each_signed_contract():
    contracts = [mock.Mock(pk=1), mock.Mock(pk=2)]
    with (
        mock.patch.object(selectors, "contracts_needing_schedule", return_value=contracts),
        mock.patch.object(services, "meetings_ensure_scheduled") as ensure,
    ):
        assert tasks.schedule_meetings_for_signed_contracts() == 2

    assert [call.kwargs["contract"] for call in ensure.call_args_list] == contracts


def test_one_contract_failing_to_schedule_does_not_stop_the_others():
    contracts = [mock.Mock(pk=1), mock.Mock(pk=2)]
    with (
        mock.patch.object(selectors, "contracts_needing_schedule", return_value=contracts),
        mock.patch.object(
            services, "meetings_ensure_scheduled", side_effect=[ValueError("bad"), []]
        ) as ensure,
    ):
        assert tasks.schedule_meetings_for_signed_contracts() == 1

    assert ensure.call_count == 2


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REMINDER_LEASE_SECONDS", "ten minutes"),
        ("REMINDER_LEASE_SECONDS", "30"),
        ("REMINDER_MAX_ATTEMPTS", "0"),
        ("CELERY_VISIBILITY_TIMEOUT_SECONDS", "600"),
    ],
)
def test_a_malformed_reminder_setting_stops_startup_naming_it(tmp_path, variable, value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peermentor.settings", variable: value}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'throwaway.sqlite3'}"

    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert variable in result.stderr
