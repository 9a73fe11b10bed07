"""Database triggers that make audit_auditevent append-only (security.md §C.14).

The model already refuses `save()` on an existing row and `delete()`; these
triggers also refuse `QuerySet.update()/delete()`, raw SQL and any other
client that talks to the database directly. Nothing is exempt: a row, once
written, is never updated or deleted by any session that does not first drop
the trigger (which needs the table owner's rights, and the SM3 hash chain
still shows the edit).

`install()` and `remove()` are idempotent and are also used by the tests
(tampering "behind the application's back" drops the triggers first).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "audit_auditevent"
MESSAGE = "审计记录只能追加，不能修改或删除"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = '{MESSAGE}（' || TG_OP || '）',
            ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_update ON {TABLE}",
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()
    """,
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON {TABLE}",
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()
    """,
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}（UPDATE）'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}（DELETE）'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

STATEMENTS = {
    "postgresql": (POSTGRES_INSTALL, POSTGRES_REMOVE),
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
}


def _run(connection: Any, install: bool) -> None:
    try:
        install_sql, remove_sql = STATEMENTS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"不支持的数据库：{connection.vendor}") from None
    with connection.cursor() as cursor:
        for sql in install_sql if install else remove_sql:
            cursor.execute(sql)


def install(connection: Any) -> None:
    _run(connection, install=True)


def remove(connection: Any) -> None:
    _run(connection, install=False)


def forwards(apps: Any, schema_editor: Any) -> None:
    install(schema_editor.connection)


def backwards(apps: Any, schema_editor: Any) -> None:
    remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
