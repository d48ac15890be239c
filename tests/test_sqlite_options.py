"""The SQLite options in settings.py are what lets two requests write at once.

Two connections to one database file each read and then write in a transaction, the second
starting while the first is still open (as two submits of the same form do). With the settings'
options the second waits for the first and both succeed; with SQLite's defaults (deferred
transactions) the first one's write is refused at once with "database is locked", however long
the busy timeout.
"""

import threading

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="about the SQLite options only",
)


ALIAS = "race"


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These connections go to throwaway files, not to the test database."""
    with django_db_blocker.unblock():
        yield


def database(path, options):
    """A connection of this thread to `path` with `options`, as `connections[ALIAS]`."""
    config = {**settings.DATABASES["default"], "NAME": str(path), "OPTIONS": dict(options)}
    connections[ALIAS] = DatabaseWrapper(config, ALIAS)
    return connections[ALIAS]


def read_then_write_at_once(path, options) -> list[str]:
    """Run the two overlapping transactions; what each one raised ("" for success)."""
    setup = database(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    first_has_read, outcomes = threading.Event(), {}

    def first():
        connection = database(path, options)
        try:
            with transaction.atomic(using=ALIAS), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                first_has_read.set()
                # Let the second transaction begin and write before this one writes.
                threading.Event().wait(1)
                cursor.execute("UPDATE counter SET n = n + 1")
            outcomes["first"] = ""
        except OperationalError as error:
            outcomes["first"] = str(error)
        finally:
            first_has_read.set()
            connection.close()

    def second():
        first_has_read.wait(timeout=10)
        connection = database(path, options)
        try:
            with transaction.atomic(using=ALIAS), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                cursor.execute("UPDATE counter SET n = n + 1")
            outcomes["second"] = ""
        except OperationalError as error:
            outcomes["second"] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [outcomes.get("first", "no answer"), outcomes.get("second", "no answer")]


def test_with_the_settings_options_a_second_writer_waits_and_both_succeed(tmp_path):
    options = settings.DATABASES["default"]["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert read_then_write_at_once(tmp_path / "race.sqlite3", options) == ["", ""]


def test_with_sqlites_defaults_one_of_two_writers_is_refused_at_once(tmp_path):
    outcomes = read_then_write_at_once(tmp_path / "race.sqlite3", {"timeout": 5})

    assert "database is locked" in " ".join(outcomes)
