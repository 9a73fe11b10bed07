"""`jiuzhu exchange import` and `jiuzhu screen` on the shared sample set: the warning list of
2026Q1 equals expected_warnings.csv, from the registry's roster and the dated parameters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.registry.imports import roster_import_directory
from jiuzhu.registry.models import Member
from tests.screening.test_samples import SAMPLES

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (SAMPLES / "expected_warnings.csv").is_file(), reason=f"samples not found at {SAMPLES}"
    ),
]


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_import_and_screen_give_the_expected_warning_list(data_dir: Path, tmp_path: Path) -> None:
    batch = roster_import_directory(folder=SAMPLES)
    assert batch.status == "succeeded", batch.message
    for quarter in sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()):
        out = io.StringIO()
        call_command("exchange", "import", str(SAMPLES / quarter), "--period", quarter, stdout=out)
        assert "接收" in out.getvalue()
    again = io.StringIO()
    call_command("exchange", "import", str(SAMPLES / "2026Q1"), "--period", "2026Q1", stdout=again)
    assert "未重复导入" in again.getvalue()
    assert "接收" not in again.getvalue()
    output = tmp_path / "warnings.csv"
    out = io.StringIO()
    call_command("screen", "--period", "2026Q1", "--output", str(output), stdout=out)
    with output.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (SAMPLES / "expected_warnings.csv").open(encoding="utf-8") as fh:
        expected = {(r["household_id"], r["rule"]) for r in csv.DictReader(fh)}
    assert {(r["household_id"], r["rule"]) for r in rows} == expected
    assert list(rows[0]) == ["household_id", "rule", "members", "details"]
    assert all(r["members"] for r in rows)
    assert all(isinstance(json.loads(r["details"]), dict) for r in rows)
    assert f"预警 {len(expected)} 条" in out.getvalue()
    clear_ids = [m.id_number.encode() for m in Member.objects.all()[:200]]
    files = list((data_dir / "screening").rglob("*.parquet"))
    assert files
    for parquet in files:
        content = parquet.read_bytes()
        assert not [clear for clear in clear_ids if clear in content], parquet


def test_a_bad_period_or_folder_is_a_chinese_error(data_dir: Path) -> None:
    with pytest.raises(CommandError, match="格式不正确"):
        call_command("exchange", "import", str(SAMPLES / "2026Q1"), "--period", "2026-1")
    with pytest.raises(CommandError, match="目录不存在"):
        call_command("exchange", "import", str(SAMPLES / "nowhere"), "--period", "2026Q1")


def test_screen_raise_tasks_twice_creates_each_task_once(data_dir: Path, tmp_path: Path) -> None:
    from jiuzhu.monitoring.models import VerificationTask

    batch = roster_import_directory(folder=SAMPLES)
    assert batch.status == "succeeded", batch.message
    for quarter in sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()):
        call_command(
            "exchange", "import", str(SAMPLES / quarter), "--period", quarter, stdout=io.StringIO()
        )
    with (SAMPLES / "expected_warnings.csv").open(encoding="utf-8") as fh:
        expected = {(r["household_id"], r["rule"]) for r in csv.DictReader(fh)}
    args = ("screen", "--period", "2026Q1", "--output", str(tmp_path / "w.csv"), "--raise-tasks")
    first, second = io.StringIO(), io.StringIO()
    call_command(*args, stdout=first)
    assert f"新生成核查任务 {len(expected)} 件" in first.getvalue()
    call_command(*args, stdout=second)
    assert "新生成核查任务 0 件" in second.getvalue()
    tasks = VerificationTask.objects.all()
    assert {(t.household.household_no, t.rule) for t in tasks} == expected
    assert all(t.due_on > t.created_at.date() for t in tasks)
