"""Double clicks, dead workers and two imports at once."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from jiuzhu.core import clock
from jiuzhu.registry.imports import INTERRUPTED, roster_import_directory, roster_import_submit
from jiuzhu.registry.models import (
    STALL_AFTER,
    Household,
    HouseholdRevision,
    ImportBatch,
    ImportStatus,
)
from jiuzhu.registry.synthetic import write_synthetic_roster

QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def uploads(folder: Path) -> dict[str, SimpleUploadedFile | None]:
    return {
        part: SimpleUploadedFile(f"{part}.csv", (folder / f"{part}.csv").read_bytes())
        for part in ("divisions", "households", "members")
    }


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    write_synthetic_roster(tmp_path / "roster", households=30)
    return tmp_path / "roster"


@pytest.mark.django_db
def test_a_double_click_queues_one_import(settings, cast, roster):
    settings.TASKS = QUEUE_ONLY  # queued, not yet picked up by a worker
    settings.JIUZHU_UPLOAD_DIR = roster.parent / "uploads"
    officer = cast.officer

    first = roster_import_submit(user=officer, files=uploads(roster))
    second = roster_import_submit(user=officer, files=uploads(roster))

    assert second.pk == first.pk
    assert ImportBatch.objects.count() == 1
    assert sorted(p.name for p in (roster.parent / "uploads").iterdir()) == [
        first.report["upload_token"]
    ]


@pytest.mark.django_db
def test_a_batch_whose_worker_died_is_closed_as_interrupted_and_does_not_block(
    settings, cast, roster
):
    settings.TASKS = QUEUE_ONLY
    settings.JIUZHU_UPLOAD_DIR = roster.parent / "uploads"
    dead = roster_import_submit(user=cast.officer, files=uploads(roster))
    ImportBatch.objects.filter(pk=dead.pk).update(
        status=ImportStatus.RUNNING,
        heartbeat_at=clock.now() - STALL_AFTER - dt.timedelta(minutes=1),
    )

    again = roster_import_submit(user=cast.officer, files=uploads(roster))
    assert again.pk != dead.pk  # a dead twin does not swallow the retry

    roster_import_directory(folder=roster, actor=cast.officer)
    dead.refresh_from_db()
    assert dead.status == ImportStatus.FAILED
    assert dead.message == INTERRUPTED


@pytest.mark.django_db
def test_the_status_page_says_when_an_import_stalled(client, cast, county):
    now = clock.now()
    batch = ImportBatch.objects.create(
        kind="roster", digest="x" * 64, file_names="households.csv", status=ImportStatus.RUNNING,
        phase="校验数据", created_by=cast.officer, jurisdiction_path=cast.officer.division.path,
        created_at=now - dt.timedelta(hours=1), heartbeat_at=now - dt.timedelta(minutes=20),
    )  # fmt: skip
    client.force_login(cast.officer)
    page = client.get(f"/households/imports/{batch.pk}/").content.decode()
    assert 'data-testid="import-stalled"' in page
    assert "hx-trigger" not in page  # no endless polling of a dead import
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=now)
    page = client.get(f"/households/imports/{batch.pk}/").content.decode()
    assert 'data-testid="import-stalled"' not in page
    assert "hx-trigger" in page


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_both_succeed_and_write_once(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    folder = tmp_path / "roster"
    write_synthetic_roster(folder, households=1500)
    results: list[ImportBatch] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(roster_import_directory(folder=folder))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    assert sorted(b.status for b in results) in (
        [ImportStatus.SUCCEEDED, ImportStatus.SUCCEEDED],
        [ImportStatus.NOOP, ImportStatus.SUCCEEDED],
    )
    assert Household.objects.count() == 1500
    assert HouseholdRevision.objects.count() == 1500  # the second writer found nothing to change
