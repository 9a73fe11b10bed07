"""Roster import (issue acceptance 6): bad rows reported by line, good rows all loaded,
a repeat is a no-op that says so, a killed import changes nothing."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from jiuzhu.audit.models import AuditEvent
from jiuzhu.registry.imports import roster_import_directory
from jiuzhu.registry.models import Household, HouseholdRevision, ImportStatus, Member
from jiuzhu.registry.synthetic import write_synthetic_roster


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def physical_lines(path: Path) -> list[int]:
    """The line where each record starts, counted independently of the importer."""
    starts: list[int] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        previous_end = reader.line_num
        for _ in reader:
            starts.append(previous_end + 1)
            previous_end = reader.line_num
    return starts


@pytest.fixture
def roster(tmp_path: Path) -> tuple[Path, set[tuple[str, int, str]]]:
    planted = write_synthetic_roster(tmp_path / "roster", households=1000, bad_fraction=0.01)
    return tmp_path / "roster", {(p.file, p.line, p.reason) for p in planted}


@pytest.mark.django_db
def test_one_percent_bad_rows_every_good_row_loaded_each_bad_one_listed(roster):
    folder, planted = roster
    assert {reason for _, _, reason in planted} >= {
        "bad_check_digit", "bad_birth_date", "blank_id", "negative_amount", "duplicate"
    }  # fmt: skip

    batch = roster_import_directory(folder=folder)

    assert batch.status == ImportStatus.SUCCEEDED
    rejects = {(r["file"], r["line"], r["reason"]) for r in batch.report["rejects"]}
    assert rejects == planted
    assert all(r["message"] for r in batch.report["rejects"])

    bad_household_lines = {line for file, line, _ in planted if file == "households.csv"}
    households = read_rows(folder / "households.csv")
    lines = physical_lines(folder / "households.csv")
    good_households = {
        row["household_id"]
        for row, line in zip(households, lines, strict=True)
        if line not in bad_household_lines
    }
    assert set(Household.objects.values_list("household_no", flat=True)) == good_households

    bad_member_lines = {line for file, line, _ in planted if file == "members.csv"}
    members = read_rows(folder / "members.csv")
    member_lines = physical_lines(folder / "members.csv")
    good_ids = {
        row["id_number"]
        for row, line in zip(members, member_lines, strict=True)
        if line not in bad_member_lines
    }
    assert {m.id_number for m in Member.objects.all()} == good_ids
    assert HouseholdRevision.objects.count() == len(good_households)
    assert AuditEvent.objects.filter(action="import.finish", object_id=str(batch.pk)).exists()


@pytest.mark.django_db
def test_the_same_files_again_are_a_noop_that_says_so(roster):
    folder, _ = roster
    first = roster_import_directory(folder=folder)
    counts = (Household.objects.count(), Member.objects.count(), HouseholdRevision.objects.count())

    again = roster_import_directory(folder=folder)

    assert again.status == ImportStatus.NOOP
    assert f"批次 #{first.pk}" in again.message
    assert "未做任何变更" in again.message
    assert (
        Household.objects.count(),
        Member.objects.count(),
        HouseholdRevision.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_a_corrected_roster_updates_in_place_with_a_new_revision(roster):
    folder, _ = roster
    roster_import_directory(folder=folder)
    rows = read_rows(folder / "households.csv")
    target = next(r for r in rows if not r["monthly_benefit"].startswith("-"))
    target["monthly_benefit"] = "1234.50"
    with (folder / "households.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)

    batch = roster_import_directory(folder=folder)

    assert batch.status == ImportStatus.SUCCEEDED
    assert batch.report["changes"]["households_updated"] == 1
    household = Household.objects.get(household_no=target["household_id"])
    assert str(household.monthly_benefit) == "1234.50"
    assert household.version == 2
    latest = household.revisions.order_by("-version").first()
    assert latest is not None
    assert latest.version == 2
    assert latest.snapshot["monthly_benefit"] == "1234.50"


# ------------------------------------------------------------------ crash safety (real processes)

FINGERPRINT = """
import hashlib, json
from jiuzhu.registry.models import Household, Member, HouseholdRevision
rows = [list(map(str, r)) for r in Household.objects.order_by("household_no").values_list(
    "household_no", "version", "address", "program", "review_class", "monthly_benefit", "declared_monthly_income")]
rows += [list(map(str, r)) for r in Member.objects.order_by("id_number_index").values_list(
    "id_number_index", "household__household_no", "name", "relation", "health", "employment", "left_on")]
rows += [[str(HouseholdRevision.objects.count())]]
print(hashlib.sha256(json.dumps(rows).encode()).hexdigest())
"""


@pytest.fixture
def scratch_databases(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Databases of their own for subprocesses, on the same engine as the test run."""
    default = settings.DATABASES["default"]
    created: list[str] = []
    admin = (
        f"postgresql://{default['USER'] or 'postgres'}@{default['HOST'] or '127.0.0.1'}:"
        f"{default['PORT'] or 5432}/postgres"
    )

    def make(label: str) -> str:
        if default["ENGINE"].endswith("sqlite3"):
            return f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        name = f"jiuzhu_{label}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return admin.rsplit("/", 1)[0] + "/" + name

    yield make
    for name in created:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def jiuzhu(
    database_url: str, *args: str, fault: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "JIUZHU_ENV": "test"}
    env.pop("JIUZHU_FAULT", None)
    if fault:
        env["JIUZHU_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "jiuzhu", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def fingerprint(database_url: str) -> str:
    done = jiuzhu(database_url, "shell", "-c", FINGERPRINT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def corrected_copy(source: Path, target: Path) -> Path:
    """The same roster with every third household's benefit and address changed."""
    target.mkdir()
    for name in ("divisions.csv", "members.csv"):
        (target / name).write_bytes((source / name).read_bytes())
    rows = read_rows(source / "households.csv")
    for i, row in enumerate(rows):
        if i % 3 == 0 and not row["monthly_benefit"].startswith("-"):
            row["monthly_benefit"] = str(Decimal(row["monthly_benefit"]) + 10)
            row["address"] = row["address"] + "（更正）"
    with (target / "households.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.mark.slow
def test_a_killed_import_leaves_the_previous_data_and_the_rerun_ends_like_a_clean_run(
    tmp_path, scratch_databases
):
    original = tmp_path / "v1"
    write_synthetic_roster(original, households=2500, bad_fraction=0.01)
    corrected = corrected_copy(original, tmp_path / "v2")
    crashed, clean = scratch_databases("crashed"), scratch_databases("clean")

    assert jiuzhu(crashed, "migrate", "-v", "0").returncode == 0
    first = jiuzhu(crashed, "import-roster", str(original))
    assert first.returncode == 0, first.stderr
    before = fingerprint(crashed)

    # Killed while the second chunk of households is being written, inside the transaction.
    killed = jiuzhu(crashed, "import-roster", str(corrected), fault="roster.apply:2")
    assert killed.returncode == -signal.SIGKILL
    assert fingerprint(crashed) == before

    rerun = jiuzhu(crashed, "import-roster", str(corrected))
    assert rerun.returncode == 0, rerun.stderr
    assert "已完成" in rerun.stdout
    assert fingerprint(crashed) != before

    assert jiuzhu(clean, "migrate", "-v", "0").returncode == 0
    assert jiuzhu(clean, "import-roster", str(original)).returncode == 0
    assert jiuzhu(clean, "import-roster", str(corrected)).returncode == 0
    assert fingerprint(clean) == fingerprint(crashed)


@pytest.mark.django_db
def test_gb18030_with_chinese_headers_and_an_xlsx_members_sheet_load_like_utf8_csv(tmp_path):
    """The same roster as GB18030 CSV with Chinese headers plus an XLSX sheet ends like the UTF-8 original."""
    import openpyxl

    source = tmp_path / "utf8"
    write_synthetic_roster(source, households=60)
    converted = tmp_path / "mixed"
    converted.mkdir()
    chinese = {
        "household_id": "家庭编号", "region_code": "行政区划代码", "address": "住址", "program": "救助类别",
        "review_class": "复核分类", "enrolled_on": "纳入日期", "last_verified_on": "最近核查日期",
        "monthly_benefit": "月救助金额", "declared_monthly_income": "申报月收入",
    }  # fmt: skip
    rows = read_rows(source / "households.csv")
    with (converted / "households.csv").open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([chinese[k] for k in rows[0]])
        writer.writerows([list(r.values()) for r in rows])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    members = read_rows(source / "members.csv")
    sheet.append(list(members[0].keys()))
    for member in members:
        sheet.append(list(member.values()))  # every cell as text, as departments send it
    book.save(converted / "members.xlsx")
    (converted / "divisions.csv").write_bytes(
        b"\xef\xbb\xbf" + (source / "divisions.csv").read_bytes()
    )

    batch = roster_import_directory(folder=converted)

    assert batch.status == ImportStatus.SUCCEEDED, batch.message
    assert batch.report["rejects"] == []
    assert {f["encoding"] for f in batch.report["files"]} == {"gb18030", "utf-8-sig", None}
    assert Household.objects.count() == len(rows)
    assert {m.id_number for m in Member.objects.all()} == {m["id_number"] for m in members}
