"""Marks for tests that need PostgreSQL: row locks between connections, committed for real."""

import pytest
from django.db import connection


def needs_postgres(why: str) -> list:
    """`pytestmark = needs_postgres("row locks with SKIP LOCKED")`: skipped on SQLite with the
    reason, marked `postgres`, and run with real commits (`transaction=True`) so that each
    thread's own connection sees the others' work."""
    return [
        pytest.mark.postgres,
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason=f"needs PostgreSQL (DATABASE_URL=postgres://…): {why}",
        ),
        pytest.mark.django_db(transaction=True),
    ]
