"""The shared sample set: importing it rejects exactly the rows of expected_rejects.csv.

The roster is validated with the import day of the sample's README date
(2026-11-29) and each quarter folder for its own quarter. Precision and
recall must both be 1.0: the set of (file, line, reason) is compared whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest

from jiuzhu.exchange import (
    ExistingDivision,
    InputFile,
    Quarter,
    RosterFiles,
    RosterResult,
    kind_for_filename,
    validate_extract,
    validate_roster,
)

# shared/ lies beside the repository (also in CI); JIUZHU_EXCHANGE_SAMPLES overrides.
_BESIDE_REPO = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "exchange-small"
SAMPLES = Path(os.environ.get("JIUZHU_EXCHANGE_SAMPLES", str(_BESIDE_REPO)))
IMPORT_DAY = dt.date(2026, 11, 29)

pytestmark = pytest.mark.skipif(
    not (SAMPLES / "expected_rejects.csv").is_file(),
    reason=f"exchange samples not found at {SAMPLES} (set JIUZHU_EXCHANGE_SAMPLES)",
)

Reject = tuple[str, int, str]


def _expected() -> set[Reject]:
    with (SAMPLES / "expected_rejects.csv").open(encoding="utf-8", newline="") as fh:
        return {(row["file"], int(row["line"]), row["reason"]) for row in csv.DictReader(fh)}


def _quarter_files() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    return sorted(
        f"{folder.name}/{file.name}"
        for folder in SAMPLES.iterdir()
        if folder.is_dir() and folder.name[:4].isdigit()
        for file in folder.iterdir()
        if kind_for_filename(file.name) is not None
    )


def _roster(
    jurisdiction_code: str | None = None, existing: dict[str, ExistingDivision] | None = None
) -> RosterResult:
    return validate_roster(
        RosterFiles(
            divisions=SAMPLES / "divisions.csv",
            households=SAMPLES / "households.csv",
            members=SAMPLES / "members.csv",
        ),
        import_day=IMPORT_DAY,
        existing_divisions=existing or {},
        jurisdiction_code=jurisdiction_code,
    )


def test_roster_rejects_exactly_the_expected_rows() -> None:
    result = _roster()
    got = {(r.file, r.line, r.reason) for r in result.report.rejected}
    expected = {e for e in _expected() if "/" not in e[0]}
    assert got == expected
    assert {f.file for f in result.report.files} == {
        "divisions.csv",
        "households.csv",
        "members.csv",
    }


def test_roster_report_counts_add_up() -> None:
    report = _roster().report
    households = report.file("households")
    members = report.file("members")
    assert households is not None
    assert members is not None
    # 204 records, one of them spread over several physical lines per address break.
    assert households.rows_read == 204
    assert households.rows_loaded == 200
    assert members.rows_read == 519
    assert members.duplicates == 1
    for file_report in report.files:
        assert file_report.rows_read == file_report.rows_loaded + file_report.rows_rejected
        assert file_report.unknown_columns == []


def test_roster_rows_are_typed_and_the_first_of_a_conflict_wins() -> None:
    result = _roster()
    households = {h.household_id: h for h in result.households}
    assert len(households) == len(result.households) == 200
    first = households["HH00000051"]  # line 52; the conflicting line 184 is rejected
    assert first.address == "成都市双流区第16街道第24社区154号"
    assert first.last_verified_on == dt.date(2025, 4, 13)
    assert str(first.declared_monthly_income) == "0.00"
    one = households["HH00000001"]
    assert one.address == "绵阳市涪城区第5街道第32社区89号,3栋2单元"
    assert (one.program, one.review_class, one.enrolled_on) == ("tekun", "B", dt.date(2017, 11, 17))
    assert str(one.monthly_benefit) == "400.00"
    head = next(m for m in result.members if m.id_number == "510703199410198557")
    assert (head.household_id, head.relation, head.labor_ability) == ("HH00000001", "head", "full")
    assert (head.disability_grade, head.health, head.is_student, head.employment) == (
        0,
        "serious",
        False,
        "none",
    )
    assert len(result.divisions) == 402


@pytest.mark.parametrize("relpath", _quarter_files())
def test_quarter_file_rejects_exactly_the_expected_rows(relpath: str) -> None:
    folder, name = relpath.split("/")
    kind = kind_for_filename(name)
    assert kind is not None
    result = validate_extract(InputFile.of(SAMPLES / relpath, relpath), kind, folder)
    got = {(r.file, r.line, r.reason) for r in result.report.rejected}
    expected = {e for e in _expected() if e[0] == relpath}
    assert got == expected
    assert result.quarter == Quarter.parse(folder)
    assert result.report.rows_read == len(result.rows) + len(got)


def test_every_expected_reject_belongs_to_a_file_that_is_checked() -> None:
    files = {e[0] for e in _expected()}
    assert files <= set(_quarter_files()) | {"households.csv", "members.csv", "divisions.csv"}


def test_vehicle_workbook_lines_are_sheet_rows() -> None:
    result = validate_extract(
        InputFile.of(SAMPLES / "2026Q1/vehicle_registry.xlsx", "v.xlsx"),
        "vehicle_registry",
        "2026Q1",
    )
    assert result.report.format == "xlsx"
    assert result.rows[0].line == 2
    assert result.rows[0].plate == "川A00CGJ"


def test_encodings_of_the_samples_are_detected() -> None:
    # Independent expectation: what the bytes of each file start with / decode as.
    for relpath in [*_quarter_files(), "divisions.csv", "households.csv", "members.csv"]:
        if not relpath.endswith(".csv"):
            continue
        data = (SAMPLES / relpath).read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            expected = "utf-8-sig"
        else:
            try:
                data.decode("utf-8")
                expected = "utf-8"
            except UnicodeDecodeError:
                expected = "gb18030"
        kind = kind_for_filename(relpath)
        assert kind is not None
        if kind in ("divisions", "households", "members"):
            continue
        report = validate_extract(SAMPLES / relpath, kind, relpath.split("/")[0]).report
        assert report.encoding == expected, relpath


def test_jurisdiction_of_one_county_rejects_every_other_household() -> None:
    """Independent expectation from the codes: a community of 锦江区 starts with 510104."""
    county = "510104000000"
    full = _roster()
    inside = {h.household_id for h in full.households if h.region_code.startswith("510104")}
    assert inside  # the sample has some
    scoped = _roster(jurisdiction_code=county)
    assert {h.household_id for h in scoped.households} == inside
    outside_lines = {h.line for h in full.households if h.household_id not in inside}
    unknown_division = {
        r.line
        for r in scoped.report.rejected
        if r.file == "households.csv" and r.reason == "unknown_division"
    }
    assert outside_lines <= unknown_division
    assert {m.household_id for m in scoped.members} <= inside
    # Members of the households outside are now unknown_household.
    lost = {m.line for m in full.members if m.household_id not in inside}
    unknown_household = {
        r.line
        for r in scoped.report.rejected
        if r.file == "members.csv" and r.reason == "unknown_household"
    }
    assert lost <= unknown_household


def test_roster_with_divisions_already_in_the_platform() -> None:
    """Without divisions.csv, the platform's divisions decide; here: the sample's own, pre-loaded."""
    loaded = _roster().divisions
    existing = {d.code: ExistingDivision(d.level, d.parent_code) for d in loaded}
    result = validate_roster(
        RosterFiles(households=SAMPLES / "households.csv", members=SAMPLES / "members.csv"),
        import_day=IMPORT_DAY,
        existing_divisions=existing,
        jurisdiction_code=None,
    )
    got = {(r.file, r.line, r.reason) for r in result.report.rejected}
    assert got == {e for e in _expected() if e[0] in ("households.csv", "members.csv")}
