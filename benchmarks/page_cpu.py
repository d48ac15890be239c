"""CPU time and queries per member page, measured in one process (no server, no load).

Run from the repository root:

    python benchmarks/page_cpu.py                     # throwaway SQLite database, N=30
    python benchmarks/page_cpu.py -n 50 --database-url postgres://user@host:5432/name

It seeds a small cohort with load.py's seeding (--members members, paired two by two, with
signed contracts, meetings and check-ins for half of the pairs), with DEBUG=false (so the
cached template loader is on, as in production; static files are named without the manifest,
so nothing needs collecting), and logs one simulated member in through Django's test client.
Then it opens each of the four pages the load test browses (the member's profile form, the
partner's profile, the pair page, the check-in page of the pair's last meeting) once to warm
up, then N times each, and prints per page the median and the lowest CPU time of the process
(time.process_time, so other work on the machine barely moves it), the queries one request
runs, and the response size. --profile PAGE prints cProfile's top functions for that page,
--sql each page's queries.
With --database-url the given database is migrated, seeded (it must have no organization
'load') and kept.
"""

import argparse
import cProfile
import os
import pstats
import random
import secrets
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PAGES = ("profile form", "partner profile", "pair page", "check-in page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--database-url", help="database to migrate, seed and keep")
    parser.add_argument("--profile", choices=PAGES, help="print cProfile's top functions")
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="peermentor-page-cpu-")
    (Path(scratch.name) / "page_cpu_settings.py").write_text(
        "from peermentor.settings import *  # noqa: F403\n"
        "STORAGES = {**STORAGES, 'staticfiles': "  # noqa: F405
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )
    sys.path.insert(0, scratch.name)
    os.environ.update(
        {
            "DATABASE_URL": args.database_url
            or f"sqlite:///{Path(scratch.name) / 'page_cpu.sqlite3'}",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "EMAIL_URL": "dummymail://",
            "REDIS_URL": "",
            "DJANGO_SETTINGS_MODULE": "page_cpu_settings",
        }
    )
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    import load
    from django.core.management import call_command
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection
    from django.test import Client

    from accounts.models import User

    call_command("migrate", verbosity=0)
    members = load.seed(members=args.members, users=1, rng=random.Random(args.seed))
    member = members[0]
    # As in Django's test runner: one connection for all the requests.
    request_finished.disconnect(close_old_connections)
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.get(email=member.email))

    def get(path: str):
        response = client.get(path, secure=True)
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}")
        return response

    print(f"\n{'page':<16} {'median CPU ms':>14} {'min CPU ms':>11} {'queries':>8} {'KiB':>6}")
    for page in PAGES:
        path = member.paths[page]
        queries = []

        def counted(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = get(path)
        times = []
        for _n in range(args.n):
            started = time.process_time()
            get(path)
            times.append((time.process_time() - started) * 1000)
        print(
            f"{page:<16} {statistics.median(times):>14.1f} {min(times):>11.1f} "
            f"{len(queries):>8} {len(response.content) / 1024:>6.1f}"
        )
        if args.sql:
            print("\n".join(f"    {sql[:200]} ... {sql[-160:]}" for sql in queries))
        if args.profile == page:
            profiler = cProfile.Profile()
            profiler.enable()
            for _n in range(args.n):
                get(path)
            profiler.disable()
            profiled = pstats.Stats(profiler)
            profiled.sort_stats("cumulative").print_stats(60)
            profiled.sort_stats("tottime").print_stats(40)
    print(f"N={args.n} requests per page after one warm-up request; CPU time of this process.")
    scratch.cleanup()


if __name__ == "__main__":
    main()
