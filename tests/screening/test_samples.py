"""The shared sample set, screened for 2026Q1, gives exactly expected_warnings.csv.

The roster and every quarter folder are validated by `jiuzhu.exchange` and
written as Parquet by `jiuzhu.screening.load`; the warning list is compared
whole as a set of (household_id, rule): precision and recall 1.0 per rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import ibis
import pyarrow.parquet as pq
import pytest

from jiuzhu.exchange import RosterFiles, RosterResult, validate_roster
from jiuzhu.protection.sm import KeyRing
from jiuzhu.screening import Thresholds, load_quarter_folder, screen, write_roster

_BESIDE_REPO = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "exchange-small"
SAMPLES = Path(os.environ.get("JIUZHU_EXCHANGE_SAMPLES", str(_BESIDE_REPO)))
IMPORT_DAY = dt.date(2026, 11, 29)
THRESHOLDS = Thresholds(income_swing_ratio=Fraction(1, 5), medical_burden_ratio=Fraction(3, 10))

pytestmark = pytest.mark.skipif(
    not (SAMPLES / "expected_warnings.csv").is_file(),
    reason=f"exchange samples not found at {SAMPLES} (set JIUZHU_EXCHANGE_SAMPLES)",
)


def _roster() -> RosterResult:
    return validate_roster(
        RosterFiles(
            divisions=SAMPLES / "divisions.csv",
            households=SAMPLES / "households.csv",
            members=SAMPLES / "members.csv",
        ),
        import_day=IMPORT_DAY,
        existing_divisions={},
        jurisdiction_code=None,
    )


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, keyring: KeyRing) -> Path:
    data_dir = tmp_path_factory.mktemp("screening")
    write_roster(_roster(), data_dir, keyring=keyring)
    for folder in sorted(SAMPLES.iterdir()):
        if folder.is_dir() and folder.name[:4].isdigit():
            load_quarter_folder(folder, folder.name, data_dir, keyring=keyring)
    return data_dir


def _expected() -> set[tuple[str, str]]:
    with (SAMPLES / "expected_warnings.csv").open(encoding="utf-8", newline="") as fh:
        return {(row["household_id"], row["rule"]) for row in csv.DictReader(fh)}


def test_2026q1_warnings_equal_the_expected_list(loaded: Path, con: Any) -> None:
    warnings = screen(con, loaded, "2026Q1", THRESHOLDS)
    got = {(w.household_id, w.rule) for w in warnings}
    expected = _expected()
    assert got - expected == set(), "false positives"
    assert expected - got == set(), "missed warnings"
    assert len(warnings) == len(got)  # one warning per household and rule


def test_edge_cases_fire_as_planted(loaded: Path, con: Any) -> None:
    got = {(w.household_id, w.rule) for w in screen(con, loaded, "2026Q1", THRESHOLDS)}
    with (SAMPLES / "edge_cases.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            fired = (row["household_id"], row["rule"]) in got
            assert fired == (row["expected_fire"] == "1"), row


def test_warnings_carry_members_figures_and_direction(loaded: Path, con: Any) -> None:
    warnings = screen(con, loaded, "2026Q1", THRESHOLDS)
    members = pq.read_table(loaded / "roster" / "members.parquet").to_pylist()
    by_household: dict[str, set[str]] = {}
    for m in members:
        by_household.setdefault(m["household_id"], set()).add(m["id_index"])
    for w in warnings:
        assert w.members, w
        assert set(w.members) <= by_household[w.household_id]
        assert w.direction == ("outreach" if w.rule == "MEDICAL_BURDEN" else "review")
    swing = next(w for w in warnings if w.household_id == "HH00000005")
    assert swing.rule == "INCOME_SWING"
    assert isinstance(swing.details["quarter_income_fen"], int)
    assert isinstance(swing.details["previous_quarter_income_fen"], int)


def test_the_same_files_screen_on_a_second_connection_alike(loaded: Path) -> None:
    first = screen(ibis.duckdb.connect(), loaded, "2026Q1", THRESHOLDS)
    second = screen(ibis.duckdb.connect(), loaded, "2026Q1", THRESHOLDS)
    assert first == second


def test_no_parquet_file_holds_a_clear_id_number(loaded: Path) -> None:
    roster = _roster()
    ids = {m.id_number for m in roster.members}
    assert len(ids) > 400
    files = sorted(loaded.rglob("*.parquet"))
    assert len(files) >= 10
    encoded = [number.encode("ascii") for number in ids]
    for path in files:
        data = path.read_bytes()
        assert not any(number in data for number in encoded), path
        # Compression could hide a byte string: the decoded values must hold none either.
        for column in pq.read_table(path).columns:
            if str(column.type) == "string":
                values = set(column.to_pylist())
                assert not values & ids, path
                assert not any(v and len(v) == 18 and v in ids for v in values)
    assert not list(loaded.rglob("*.tmp")), "a temporary file was left behind"
