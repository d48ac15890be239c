"""The database a benchmark runs on: a temporary SQLite file, or the configured one.

Call `open_database` before importing any model: it sets the environment, runs
`django.setup()`, and migrates the temporary database or refuses an unmigrated configured one.
"""

import os
import sys
import tempfile
import time


def open_database(kind: str, *, memory_email: bool = False):
    """Set Django up on `kind` ("temporary" or "configured").

    Returns the temporary directory holding the SQLite file (clean it up when done), or None
    for the configured database.
    """
    tmp = None
    if kind == "temporary":
        tmp = tempfile.TemporaryDirectory(prefix="peermentor-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    if memory_email:
        os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peermentor.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if tmp:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Migrated a temporary SQLite database in {time.perf_counter() - started:.1f}s")
    else:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            sys.exit("The configured database has unapplied migrations: run manage.py migrate.")
    return tmp
