"""Concurrent appends from several threads (PostgreSQL, real row locks): no fork, no gap."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jiuzhu.audit.models import AuditChainHead, AuditEvent
from jiuzhu.audit.selectors import verify_chain
from jiuzhu.audit.services import audit_record

THREADS = 6
PER_THREAD = 15


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    # No chain head yet: the first appends also race to create it.
    assert not AuditChainHead.objects.exists()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                audit_record(action="household.view", username=f"t{n}", object_id=f"{n}-{i}")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    total = THREADS * PER_THREAD
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    for n in range(THREADS):
        assert AuditEvent.objects.filter(username=f"t{n}").count() == PER_THREAD
    report = verify_chain()
    assert report.ok, report.reason
    assert report.rows == total
    assert AuditChainHead.objects.get().last_seq == total


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_verify_while_others_append_does_not_cry_wolf() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    for i in range(20):
        audit_record(action="login.ok", username=f"seed{i}")
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        from django.db import connection as thread_connection

        try:
            while not stop.is_set():
                audit_record(action="household.search", username="busy")
        except BaseException as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        reports = [verify_chain() for _ in range(15)]
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert all(r.ok for r in reports), [r.reason for r in reports if not r.ok]
    assert verify_chain().ok
