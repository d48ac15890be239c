"""Benchmark the matching pages of a large cohort: the coordinator's matching page and a
member's suggestions page, after a members import.

Run from the repository root:

    .venv/bin/python benchmarks/large_cohort.py --members 20000
    .venv/bin/python benchmarks/large_cohort.py --members 20000 --fresh   # also time the old way

Imports `--members` synthetic rows (the same CSV as `import_members.py`) through the import
service into a cohort in its matching state that lets members request partners, then requests
the pages through the test Client and prints for each the size in bytes, the number of
`<option>` elements, the median time of `--repeat` requests and the queries of one:

* the coordinator's matching page and the pair-by-hand page, before any run (every member
  without a partner) and the member search behind their pickers;
* a member's suggestions page before any run (a big cohort waits for a run), then a whole-cohort
  run (timed), then the page of a member whose proposal was dissolved, read from the run's
  stored best partners.

With `--no-run`, it stops before the run. With `--fresh`, it also times the old way of making
one member's suggestions: scoring the whole cohort (`selectors._ranked_candidates`), which the
page no longer does.
By default the database is a fresh temporary SQLite file, thrown away after.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.database import open_database  # noqa: E402 - needs ROOT on the path
from benchmarks.import_members import synthetic_rows, to_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--tags", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (median)")
    parser.add_argument("--fresh", action="store_true", help="also time a fresh scoring")
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="stop before the whole-cohort run (which takes many minutes at 20,000)",
    )
    args = parser.parse_args()

    tmp = open_database("temporary", memory_email=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from accounts.models import Cohort, Membership, User
    from matching import selectors, services
    from matching.models import MatchRun, MatchSettings, Pair, SuggestedPartners
    from profiles import importing

    setup_test_environment()  # "testserver" is an allowed host, emails stay in memory
    domain = "bench.example.org"

    def page(client, url, label, **params):
        client.get(url, params)  # warm-up
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        body = response.content
        options = len(re.findall(rb"<option", body))
        print(
            f"{label:<44} {len(body):>10,} bytes {options:>6} <option> "
            f"{statistics.median(times) * 1000:>9.0f} ms {len(queries):>4} queries"
        )
        return response

    try:
        cohort, _notes = importing.import_cohort_get_or_create(
            org_slug="bench", cohort_slug="bench", create=True
        )
        started = time.perf_counter()
        data = to_csv(synthetic_rows(args.members, args.tags, args.seed, domain))
        report = importing.members_import(cohort=cohort, actor=None, data=data)
        print(
            f"Imported {report.counts()['created']:,} members in "
            f"{time.perf_counter() - started:.1f} s ({connection.vendor})"
        )
        Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.MATCHING)
        cohort.refresh_from_db()
        MatchSettings.objects.update_or_create(cohort=cohort, defaults={"allow_requests": True})
        coordinator = User.objects.create(email=f"coordinator@{domain}", first_name="Cora")
        Membership.objects.create(
            organization=cohort.organization, user=coordinator, role=Membership.Role.COORDINATOR
        )
        kwargs = {"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
        coordinating, member_client = Client(), Client()
        coordinating.force_login(coordinator)

        page(coordinating, reverse("matching_cohort", kwargs=kwargs), "matching page (no run)")
        page(coordinating, reverse("matching_pair_manual", kwargs=kwargs), "pair-by-hand page")
        found = page(
            coordinating,
            reverse("matching_member_search", kwargs=kwargs),
            "member search ?q=a (JSON)",
            q="a",
        )
        print(f"{'':<44} {len(found.json()['results'])} members returned")

        member = (
            selectors.complete_profiles(cohort=cohort).select_related("user").order_by("pk")[0].user
        )
        member_client.force_login(member)
        suggestions_url = reverse("matching_suggestions", kwargs=kwargs)
        page(member_client, suggestions_url, "suggestions page (no run: waits)")

        if args.fresh:
            started = time.perf_counter()
            selectors._ranked_candidates(cohort=cohort, user=member)
            elapsed = time.perf_counter() - started
            print(f"{'one member scored fresh (the old way)':<44} {elapsed:>36.1f} s")

        if args.no_run:
            return
        started = time.perf_counter()
        run = services.matching_run_create(cohort=cohort, actor=None, scope=MatchRun.Scope.COHORT)
        run = services.matching_run_execute(run=run)
        print(
            f"Matching run: {run.status}, {run.stats.get('pairs')} pairs, "
            f"{SuggestedPartners.objects.filter(run=run).count():,} members' best partners "
            f"stored, {time.perf_counter() - started:.1f} s"
        )
        page(coordinating, reverse("matching_cohort", kwargs=kwargs), "matching page (after run)")
        Pair.objects.filter(cohort=cohort, members__user=member).delete()
        response = page(member_client, suggestions_url, "suggestions page (from the run)")
        print(f"{'':<44} {len(response.context['suggestions'])} suggestions shown")
    finally:
        connection.close()
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
