"""`jiuzhu assess`: every worked case exactly, malformed cases refused in Chinese, no traceback."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from jiuzhu.domain.policy import parse_case_text
from jiuzhu.policy import services
from tests import factories
from tests.domain.policy.support import case_files, mismatches

JIUZHU = Path(sys.executable).with_name("jiuzhu")
E01 = next(path for path in case_files() if path.name.startswith("E01"))


def run_cli(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JIUZHU_ENV": "test"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [str(JIUZHU), "assess", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_worked_case_passes_through_the_command() -> None:
    files = case_files()
    done = run_cli(*map(str, files), "--files-only")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(result["file"]).name for result in results] == [path.name for path in files]
    for path, result in zip(files, results, strict=True):
        _, expect = parse_case_text(path.read_text(encoding="utf-8"))
        assert mismatches(expect, result) == {}, path.name
        assert isinstance(result["amount"], str)
        assert isinstance(result["per_capita_income"], str)


def test_without_a_database_the_command_says_so_and_uses_the_files(tmp_path: Path) -> None:
    done = run_cli(str(E01), database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert done.returncode == 0, done.stderr
    assert "仅使用随版本发布的参数文件" in done.stderr
    assert json.loads(done.stdout)["amount"] == "1100.00"


MALFORMED = {
    "unknown_programme.yaml": (
        E01.read_text(encoding="utf-8").replace("programme: dibao", "programme: pension"),
        "programme（救助项目）：未知的救助项目 'pension'",
    ),
    "no_birth_date.yaml": (
        E01.read_text(encoding="utf-8").replace("{key: li, birth_date: 1983-01-20, ", "{key: li, "),
        "household.members[1].birth_date（出生日期）：缺少日期",
    ),
    "negative_income.yaml": (
        E01.read_text(encoding="utf-8").replace("wage: 1900", "wage: -1900"),
        "household.members[0].monthly_income.wage（工资性收入）：金额不能为负数",
    ),
    "bad.yaml": ("name: broken\nhousehold: {members: [\n", "有语法错误，不是有效的 YAML"),
    "impossible_date.yaml": (
        E01.read_text(encoding="utf-8").replace("as_of: 2026-06-15", "as_of: 2026-02-30"),
        "as_of（认定日期）",
    ),
}


@pytest.mark.parametrize("filename", sorted(MALFORMED))
def test_a_malformed_case_exits_non_zero_naming_the_field(tmp_path: Path, filename: str) -> None:
    text, message = MALFORMED[filename]
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    done = run_cli(str(path), "--files-only")
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout == ""


def test_good_cases_are_still_printed_next_to_a_bad_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("programme: dibao\n", encoding="utf-8")
    done = run_cli(str(bad), str(E01), str(tmp_path / "missing.yaml"), "--files-only")
    assert done.returncode == 1
    assert json.loads(done.stdout)["amount"] == "1100.00"
    assert "missing.yaml：文件不存在" in done.stderr
    assert "共 2 个案例未能试算" in done.stderr


@pytest.mark.django_db
def test_the_command_uses_the_countys_approved_changes(
    county: factories.County, tmp_path: Path
) -> None:
    maker = factories.user("approver_1", "county_approver", county.county)
    checker = factories.user("approver_2", "county_approver", county.county)
    with time_machine.travel(dt.datetime(2026, 6, 20, 1, tzinfo=dt.UTC), tick=False):
        change = services.propose_change(
            actor=maker,
            name="dibao_standard",
            effective_from=dt.date(2026, 7, 1),
            value="1000",
            source="县民政局〔2026〕12号",
        )
        services.decide_change(actor=checker, change_id=change.pk, approve=True)
    july = tmp_path / "july.yaml"
    july.write_text(
        E01.read_text(encoding="utf-8").replace("as_of: 2026-06-15", "as_of: 2026-07-15"),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("assess", str(E01), str(july), stdout=out)
    june_result, july_result = (json.loads(line) for line in out.getvalue().splitlines())
    assert june_result["amount"] == "1100.00"
    assert july_result["amount"] == "1250.00"  # 1000 × 3 − 1750
    standard = next(
        p for p in july_result["explanation"]["parameters"] if p["name"] == "dibao_standard"
    )
    assert (standard["version"], standard["source"]) == (f"db:{change.pk}", "县民政局〔2026〕12号")
