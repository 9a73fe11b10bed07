"""Screening started from the warning list: a background run (django_tasks; immediate in
tests) screens the quarter, raises the verification tasks and records its counts; a
double click does not queue the quarter twice; a failure is recorded in Chinese."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import time_machine

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core import clock
from jiuzhu.core.permissions import Role
from jiuzhu.divisions.models import Division, Level
from jiuzhu.monitoring.models import RunStatus, ScreeningRun, VerificationTask
from jiuzhu.monitoring.services import (
    import_extracts,
    screen_and_raise,
    screening_run_execute,
    screening_run_start,
)
from jiuzhu.registry.imports import roster_import_directory
from tests import factories
from tests.monitoring.support import BEFORE_SPRING_FESTIVAL, login
from tests.screening.test_samples import SAMPLES

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (SAMPLES / "expected_warnings.csv").is_file(), reason=f"samples not found at {SAMPLES}"
    ),
]

RUNS = "/monitoring/runs/"


@pytest.fixture
def samples_loaded(settings: Any, tmp_path: Path) -> Division:
    """The sample roster and every quarter's extracts; returns the county."""
    settings.DATA_DIR = tmp_path
    batch = roster_import_directory(folder=SAMPLES)
    assert batch.status == "succeeded", batch.message
    for quarter in sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()):
        import_extracts(SAMPLES / quarter, quarter)
    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    assert county is not None
    return county


def expected() -> Counter[str]:
    with (SAMPLES / "expected_warnings.csv").open(encoding="utf-8") as fh:
        return Counter(r["rule"] for r in csv.DictReader(fh))


def test_the_officer_starts_a_run_and_the_tasks_are_raised(client, samples_loaded):
    officer = factories.user("county_officer", Role.ASSISTANCE_OFFICER, samples_loaded)
    with time_machine.travel(BEFORE_SPRING_FESTIVAL, tick=False):
        login(client, officer)
        response = client.post(RUNS, {"period": "2026Q1", "engine": "duckdb"})
        assert response.status_code == 302
        run = ScreeningRun.objects.get()
        assert run.status == RunStatus.DONE, run.error
        assert run.requested_by == officer
        assert Counter({k: v for k, v in run.counts.items() if v}) == expected()
        assert run.tasks_created == sum(expected().values())
        assert VerificationTask.objects.count() == sum(expected().values())
        assert Counter(VerificationTask.objects.values_list("rule", flat=True)) == expected()
        assert all(t.members.exists() for t in VerificationTask.objects.all())
        page = client.get(response["Location"])
        html = page.content.decode()
        assert 'data-testid="run-result"' in html
        assert f"新生成核查任务 {run.tasks_created} 件" in html
        panel = client.get(f"{RUNS}{run.pk}/").content.decode()
        assert "已完成" in panel
        assert "hx-get" not in panel
        # The same quarter again: nothing new.
        client.post(RUNS, {"period": "2026Q1", "engine": "duckdb"})
    again = ScreeningRun.objects.latest("pk")
    assert (again.tasks_created, again.tasks_unchanged) == (0, run.tasks_created)
    assert VerificationTask.objects.count() == run.tasks_created
    assert AuditEvent.objects.filter(action="screening.run").count() == 2
    assert AuditEvent.objects.filter(action="screening.finish").count() == 2


def test_screen_and_raise_is_what_the_command_calls(samples_loaded):
    warnings, summary = screen_and_raise("2026Q1")
    assert len(warnings) == sum(expected().values()) == summary.created


def test_a_live_run_is_not_started_twice(samples_loaded):
    officer = factories.user("county_officer", Role.ASSISTANCE_OFFICER, samples_loaded)
    queued = ScreeningRun.objects.create(
        period="2026Q1", status=RunStatus.QUEUED, requested_by=officer, created_at=clock.now()
    )
    again = screening_run_start(user=officer, period="2026q1")
    assert again.pk == queued.pk
    assert ScreeningRun.objects.count() == 1
    # Another quarter is another run.
    other = screening_run_start(user=officer, period="2025Q4")
    assert other.pk != queued.pk
    assert other.status == RunStatus.DONE


def test_a_stalled_run_does_not_block_the_quarter(samples_loaded):
    officer = factories.user("county_officer", Role.ASSISTANCE_OFFICER, samples_loaded)
    with time_machine.travel("2026-02-10 08:00 +0800", tick=False):
        stale = ScreeningRun.objects.create(
            period="2026Q1", status=RunStatus.RUNNING, requested_by=officer, created_at=clock.now()
        )
    with time_machine.travel(BEFORE_SPRING_FESTIVAL, tick=False):
        run = screening_run_start(user=officer, period="2026Q1")
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED
    assert "中断" in stale.error
    assert run.pk != stale.pk
    assert run.status == RunStatus.DONE


def test_a_failed_run_says_why_in_chinese(samples_loaded):
    run = ScreeningRun.objects.create(
        period="2026Q1", engine="nosuch", status=RunStatus.QUEUED, created_at=clock.now()
    )
    run = screening_run_execute(run.pk)
    assert run.status == RunStatus.FAILED
    assert "未知的筛查引擎" in run.error
    assert not VerificationTask.objects.exists()
    assert AuditEvent.objects.filter(action="screening.fail", result="failed").exists()


@pytest.mark.parametrize("who", ["community_worker", "grid_worker", "liaison"])
def test_only_officers_and_approvers_start_runs(client, cast, who):
    login(client, getattr(cast, who))
    assert client.post(RUNS, {"period": "2026Q1", "engine": "duckdb"}).status_code == 404
    assert not ScreeningRun.objects.exists()
