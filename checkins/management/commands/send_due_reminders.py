"""Run one reminder scan in this process: claim the due reminders and send them now.

The same claim as the periodic `scan_due_reminders` task, so it is safe to run alongside the
workers; it sends synchronously instead of queuing. Running it twice sends nothing the second
time. With `--every SECONDS` it scans again and again, which stands in for Celery beat when
there is no Redis (`make run`).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from checkins import reminders


class Command(BaseCommand):
    help = "Send the reminders that are due now (one scan, in this process)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep scanning, once every SECONDS (at least 10); report only scans that send.",
        )

    def handle(self, *args, every=None, **options):
        if every is None:
            self.scan(report_empty=True)
            return
        if every < 10:
            raise CommandError("--every must be at least 10 seconds.")
        while True:
            self.scan(report_empty=False)
            time.sleep(every)

    def scan(self, *, report_empty):
        outcomes = reminders.reminders_send_due()
        sent = outcomes[reminders.SENT]
        if not report_empty and not any(outcomes.values()):
            return
        self.stdout.write(
            self.style.SUCCESS(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
            + f" Skipped {outcomes[reminders.SKIPPED]} (no longer wanted),"
            f" failed {outcomes[reminders.FAILED]},"
            f" to retry {outcomes[reminders.RETRY]}."
        )
