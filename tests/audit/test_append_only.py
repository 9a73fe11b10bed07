"""Audit rows cannot be changed or deleted: not by the ORM, not by raw SQL (both backends)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from jiuzhu.audit.models import AppendOnlyError, AuditEvent
from jiuzhu.audit.selectors import verify_chain
from jiuzhu.audit.services import audit_record
from tests.audit.triggers import TRIGGER_NAMES, installed_triggers


@pytest.fixture
def event(db: None) -> AuditEvent:
    audit_record(action="login.ok", username="first")
    return audit_record(action="household.view", username="someone", result="ok")


def _unchanged(event: AuditEvent) -> None:
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert (fresh.username, fresh.result, fresh.row_hash) == ("someone", "ok", event.row_hash)
    assert verify_chain().ok


def test_model_save_of_existing_row_is_refused(event: AuditEvent) -> None:
    event.result = "denied"
    with pytest.raises(AppendOnlyError):
        event.save()
    _unchanged(event)


def test_model_delete_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        event.delete()
    _unchanged(event)


def test_queryset_update_is_refused_by_the_database(event: AuditEvent) -> None:
    with pytest.raises(IntegrityError, match="只能追加"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(result="denied")
    _unchanged(event)


def test_queryset_delete_is_refused_by_the_database(event: AuditEvent) -> None:
    with pytest.raises(IntegrityError, match="只能追加"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    _unchanged(event)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET result = 'denied'",
        "UPDATE audit_auditevent SET row_hash = prev_hash WHERE seq = 2",
        "DELETE FROM audit_auditevent WHERE seq = 2",
        "DELETE FROM audit_auditevent",
    ],
)
def test_raw_sql_update_and_delete_are_refused(event: AuditEvent, sql: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 2
    _unchanged(event)


def test_inserting_stays_possible(event: AuditEvent) -> None:
    audit_record(action="logout", username="someone")
    assert AuditEvent.objects.count() == 3
    assert verify_chain().ok


def test_triggers_are_installed(db: None) -> None:
    assert installed_triggers() >= TRIGGER_NAMES


@pytest.mark.django_db(transaction=True)
def test_trigger_migration_is_reversible() -> None:
    audit_record(action="login.ok", username="before")
    call_command("migrate", "audit", "0001_initial", verbosity=0)
    try:
        assert not (installed_triggers() & TRIGGER_NAMES)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET username = 'changed'")
        assert AuditEvent.objects.get().username == "changed"
    finally:
        call_command("migrate", verbosity=0)
    assert installed_triggers() >= TRIGGER_NAMES
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET username = 'again'")
    assert AuditEvent.objects.get().username == "changed"
