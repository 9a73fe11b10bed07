"""The append-only triggers of migration audit/0002, for tests that must go around them.

`behind_the_back()` plays the attacker with database access: it drops the
triggers, runs raw SQL, and puts the triggers back. Inside a test transaction
the drop is rolled back with everything else (DDL is transactional on both
SQLite and PostgreSQL); in a transactional test the triggers are put back
explicitly.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from django.db import connection

TRIGGER_NAMES = frozenset({"audit_auditevent_no_update", "audit_auditevent_no_delete"})


def migration() -> ModuleType:
    return importlib.import_module("jiuzhu.audit.migrations.0002_append_only_triggers")


def installed_triggers() -> set[str]:
    """Names of the triggers on audit_auditevent, read from the database catalogue."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["audit_auditevent"],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = %s::regclass",
                ["audit_auditevent"],
            )
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def triggers_dropped() -> Iterator[None]:
    migration().remove(connection)
    try:
        yield
    finally:
        migration().install(connection)


def behind_the_back(sql: str, params: Sequence[Any] = ()) -> int:
    """Run raw SQL on the audit table with the triggers out of the way; the row count."""
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return int(cursor.rowcount)


def empty_audit_tables() -> None:
    """Let the test runner's flush (SQLite: DELETE FROM) pass after a transactional test."""
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
