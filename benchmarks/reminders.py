"""Benchmark the reminder scan: 100,000 meetings, 600,000 reminder rows, 1,000 of them due.

Run from the repository root:

    python benchmarks/reminders.py
    DATABASE_URL=postgres://... python benchmarks/reminders.py --database configured

Builds (bulk_create) 2,000 active pairs with 50 meetings each, a week apart, half in the past
and half ahead, and the three reminders per partner of every meeting: 600,000 rows. Those whose
time has passed are `sent`; then `--due` of them (check-in nudges) are put back to `pending`.
It prints, each with its time and queries (CaptureQueriesContext):

1. the claim alone (`claim_due_reminders`, one batch) with 100 and with 1,000 due rows: the
   query count must not grow with the number of due rows;
2. the periodic scan as beat runs it (`reminders_queue_due`: claims in batches of
   REMINDER_BATCH_SIZE and queues a send task per row; queuing is counted, not sent);
3. sending the 1,000 claimed reminders in this process (the `send_due_reminders` path, emails
   into memory), which is the per-row work the send tasks share between workers.

By default the database is a fresh temporary SQLite file, migrated first and thrown away after.
With `--database configured` it uses the configured database (DATABASE_URL) and deletes what it
made afterwards.
"""

import argparse
import datetime
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.database import open_database  # noqa: E402 - needs ROOT on the path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=100_000, help="in all, across pairs")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", choices=["temporary", "configured"], default="temporary")
    args = parser.parse_args()

    tmp = open_database(args.database, memory_email=True)
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from accounts.models import Cohort, Organization, Program, User
    from checkins import reminders
    from checkins.models import Meeting, Reminder
    from checkins.reminders import claiming
    from matching.models import Pair, PairMember

    setup_test_environment()  # the in-memory outbox
    from django.core import mail

    rng = random.Random(args.seed)
    # "Now" for every scan below: the build takes a while, and rows falling due meanwhile would
    # blur the counts.
    run_id = secrets.token_hex(3)
    slug, domain = f"bench-{run_id}", f"bench-{run_id}.example.org"
    now = timezone.now()
    per_pair = args.meetings // args.pairs

    last_queries = []

    def timed(label, function):
        connection.queries_log.clear()  # the log keeps 9,000 queries; the build fills it
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = function()
            elapsed = time.perf_counter() - started
        print(f"{label:<58} {elapsed:>7.3f} s  {len(queries):>6} queries")
        last_queries[:] = queries.captured_queries
        return result

    def build():
        organization = Organization.objects.create(name=slug, slug=slug)
        program = Program.objects.create(organization=organization, name="Bench")
        cohort = Cohort.objects.create(
            organization=organization,
            program=program,
            name="Bench",
            slug="bench",
            starts_on=(now - datetime.timedelta(days=400)).date(),
            ends_on=(now + datetime.timedelta(days=400)).date(),
            status=Cohort.Status.ACTIVE,
        )
        users = User.objects.bulk_create(
            User(email=f"m{n:05d}@{domain}", first_name=f"M{n}", password="!")  # noqa: S106
            for n in range(2 * args.pairs)
        )
        pairs = Pair.objects.bulk_create(
            Pair(organization=organization, cohort=cohort, status=Pair.Status.ACTIVE)
            for _n in range(args.pairs)
        )
        PairMember.objects.bulk_create(
            PairMember(pair=pair, user=users[2 * index + side], response="accepted")
            for index, pair in enumerate(pairs)
            for side in (0, 1)
        )
        meetings = Meeting.objects.bulk_create(
            (
                Meeting(
                    organization=organization,
                    cohort=cohort,
                    pair=pair,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=1),
                )
                for pair in pairs
                for week in range(-per_pair // 2, per_pair - per_pair // 2)
                for start in [now + datetime.timedelta(weeks=week, minutes=rng.randint(0, 9999))]
            ),
            batch_size=5000,
        )
        members = {pair.pk: (users[2 * i].pk, users[2 * i + 1].pk) for i, pair in enumerate(pairs)}

        def rows():
            for meeting in meetings:
                for user_id in members[meeting.pair_id]:
                    for kind, due_at, _moment in reminders._meeting_plan(meeting):
                        row = reminders.new_meeting_reminder(meeting, kind, user_id, due_at=due_at)
                        if due_at <= now:
                            row.status, row.sent_at, row.attempts = "sent", due_at, 1
                        yield row

        Reminder.objects.bulk_create(rows(), batch_size=5000)
        return organization, cohort

    def make_due(organization, count):
        ids = list(
            Reminder.objects.filter(
                organization=organization, kind="checkin_missing", status="sent"
            ).values_list("pk", flat=True)
        )
        chosen = rng.sample(ids, count)
        Reminder.objects.filter(pk__in=chosen).update(
            status="pending", sent_at=None, attempts=0, due_at=now - datetime.timedelta(minutes=5)
        )
        return chosen

    def release(ids):
        """Put claimed rows back to `sent` so the next measurement starts from the same state."""
        Reminder.objects.filter(pk__in=ids).update(status="sent", lease_until=None)

    organization = None
    try:
        with transaction.atomic():
            organization, cohort = timed(
                f"build: {args.pairs} pairs, {per_pair * args.pairs} meetings, reminders", build
            )
        total = Reminder.objects.filter(organization=organization).count()
        print(f"Database: {connection.vendor}; {total:,} reminder rows, {args.due} due")

        for count in (100, args.due):
            ids = make_due(organization, count)
            claimed = timed(
                f"1. claim, one batch, {count} due",
                lambda count=count: reminders.claim_due_reminders(now=now, limit=max(count, 1000)),
            )
            if sorted(claimed) != sorted(ids):
                sys.exit("The claim must take exactly the due rows.")
            for query in last_queries:  # the statements, shortened
                sql = query["sql"]
                print(f"     {sql[:40]} … {sql[-50:]}" if len(sql) > 96 else f"     {sql}")
            release(ids)

        ids = make_due(organization, args.due)
        queued = []
        real_queue, claiming._queue_sends = claiming._queue_sends, queued.extend
        try:
            timed(
                f"2. scan task (batches of {settings.REMINDER_BATCH_SIZE}), {args.due} due",
                lambda: reminders.reminders_queue_due(now=now),
            )
        finally:
            claiming._queue_sends = real_queue
        if sorted(queued) != sorted(ids):
            sys.exit("The scan must queue each due row once.")

        outcomes = timed(
            f"3. send {args.due} claimed reminders in-process",
            lambda: [reminders.reminder_deliver(reminder_id=pk) for pk in queued],
        )
        print(f"   sent {outcomes.count(reminders.SENT)}, emails in the outbox: {len(mail.outbox)}")
        timed("4. scan again (nothing due)", lambda: reminders.reminders_queue_due(now=now))
    finally:
        if args.database == "configured" and organization is not None:
            started = time.perf_counter()
            Organization.objects.filter(pk=organization.pk).delete()
            User.objects.filter(email__endswith=f"@{domain}").delete()
            print(f"Cleaned up in {time.perf_counter() - started:.1f}s")
        connection.close()
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
