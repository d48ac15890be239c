"""Benchmark the member import on a synthetic CSV.

Run from the repository root:

    python benchmarks/import_members.py --rows 5000
    DATABASE_URL=postgres://... python benchmarks/import_members.py --database configured

The file is generated with a fixed seed: a taxonomy of a few hundred tags with skewed
popularity, 1-4 offers and 1-4 needs per member, 1-3 languages, a dozen departments and a spread
of time zones. The import runs three times through the same service the command and the browser
use (profiles.importing.members_import): first into an empty cohort, then the same file again
(which must change nothing), then with a tenth of the rows changed. Each run prints its rows/s,
total time and number of queries.

By default the database is a fresh temporary SQLite file, migrated first and thrown away after.
With `--database configured` it uses the configured database (DATABASE_URL): the benchmark
creates its own organization and people, with names no one else uses, and deletes them after
(unless --keep).
"""

import argparse
import csv
import io
import random
import secrets
import sys
import time
from pathlib import Path

# The benchmark is run as a script, so the repository root is not on the path by itself.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.database import open_database  # noqa: E402 - needs ROOT on the path

COLUMNS = ["email", "first_name", "last_name", "department", "offers", "needs", "languages",
           "timezone", "goal"]  # fmt: skip
LANGUAGES = [("en", 0.8), ("da", 0.25), ("de", 0.2), ("fr", 0.2), ("es", 0.15), ("pt", 0.05)]
TIMEZONES = ["Europe/Copenhagen", "Europe/London", "Europe/Berlin", "America/New_York",
             "America/Los_Angeles", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney"]  # fmt: skip
DEPARTMENTS = [f"Department {n}" for n in range(1, 13)]
WORDS = ["data", "design", "sales", "python", "finance", "coaching", "writing", "research",
         "product", "negotiation", "hiring", "marketing", "security", "cloud", "legal"]  # fmt: skip


def synthetic_rows(rows: int, tags: int, seed: int, domain: str) -> list[list[str]]:
    rng = random.Random(seed)
    names = sorted({f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {n}" for n in range(tags)})
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(names))]
    rng.shuffle(weights)

    def entries(count: int) -> str:
        chosen: list[str] = []
        while len(chosen) < count:
            name = rng.choices(names, weights)[0]
            if name not in chosen:
                chosen.append(name)
        return ";".join(f"{name}:{rng.randint(1, 5)}" for name in chosen)

    result = []
    for n in range(rows):
        languages = [code for code, share in LANGUAGES if rng.random() < share] or ["en"]
        result.append([
            f"member{n:06d}@{domain}",
            f"First{n}",
            f"Last{n}",
            rng.choice(DEPARTMENTS),
            entries(rng.randint(1, 4)),
            entries(rng.randint(1, 4)),
            ";".join(languages[:3]),
            rng.choice(TIMEZONES),
            f"Get better at {rng.choice(WORDS)} within a year",
        ])  # fmt: skip
    return result


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def changed(rows: list[list[str]], seed: int) -> list[list[str]]:
    """A tenth of the rows with another department and one level or priority moved."""
    rng = random.Random(seed + 1)
    result = [list(row) for row in rows]
    for row in rng.sample(result, max(1, len(result) // 10)):
        row[3] = rng.choice([d for d in DEPARTMENTS if d != row[3]])
        name, _colon, number = row[4].split(";")[0].rpartition(":")
        rest = row[4].split(";")[1:]
        row[4] = ";".join([f"{name}:{int(number) % 5 + 1}", *rest])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--tags", type=int, default=300, help="size of the taxonomy")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", choices=["temporary", "configured"], default="temporary")
    parser.add_argument("--keep", action="store_true", help="keep what was imported")
    args = parser.parse_args()

    tmp = open_database(args.database)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Organization, User
    from profiles import importing
    from profiles.models import Need, Offer

    run_id = secrets.token_hex(3)
    slug, domain = f"bench-{run_id}", f"bench-{run_id}.example.org"
    rows = synthetic_rows(args.rows, args.tags, args.seed, domain)
    first = to_csv(rows)
    print(
        f"Database: {connection.vendor} ({args.database}); {args.rows} rows, "
        f"{len(first) / 1e6:.1f} MB, seed {args.seed}"
    )
    cohort, _notes = importing.import_cohort_get_or_create(
        org_slug=slug, cohort_slug="bench", create=True
    )

    def timed(label: str, data: bytes) -> None:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report = importing.members_import(cohort=cohort, actor=None, data=data)
            elapsed = time.perf_counter() - started
        counts = report.counts()
        print(
            f"{label:<28} {args.rows / elapsed:>9,.0f} rows/s  {elapsed:>7.2f} s  "
            f"{len(queries):>4} queries  created {counts['created']}, updated "
            f"{counts['updated']}, unchanged {counts['unchanged']}, new tags {counts['new_tags']}"
        )

    try:
        timed("first run (empty cohort)", first)
        timed("second run (same file)", first)
        timed("third run (10% changed)", to_csv(changed(rows, args.seed)))
    finally:
        if args.database == "configured" and not args.keep:
            Offer.objects.filter(profile__organization__slug=slug).delete()
            Need.objects.filter(profile__organization__slug=slug).delete()
            Organization.objects.filter(slug=slug).delete()
            User.objects.filter(email__endswith=f"@{domain}").delete()
        connection.close()
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
