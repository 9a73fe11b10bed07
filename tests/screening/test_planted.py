"""Generated files with a planted truth, imported and screened the project's way, give that truth.

`jiuzhu.screening.synthetic` writes a small jurisdiction (200 households, 2,000
persons) in the exchange formats — mixed encodings and headers, the vehicle
extract as XLSX, 1 % bad rows with one defect each, near misses next to every
threshold — and computes the expected rejects and warnings itself. The roster
and every quarter folder are validated by `jiuzhu.exchange` and written by
`jiuzhu.screening.load` exactly as tests/screening/test_samples.py does; the
warning list must then have precision and recall 1.0 for every rule, and the
rejects must be the truth's, line for line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.exchange import REASONS, MissingColumn, RosterFiles, validate_roster
from jiuzhu.protection.sm import KeyRing
from jiuzhu.screening import RULES, Thresholds, load_quarter_folder, screen, write_roster
from jiuzhu.screening.synthetic import Truth, generate, load_truth

SCALE = 0.002  # 200 households, 2,000 persons
IMPORT_DAY = dt.date(2026, 11, 29)
CONTRACT_REASONS = set(REASONS)  # every reason code of the standard
# Like the shared samples: several encodings and header styles, the vehicle file as XLSX.
ENCODINGS = {
    "households": "utf-8",
    "members": "gb18030",
    "tax_income": "utf-8-sig",
    "hrss_benefits": "gb18030",
    "medical_settlements": "utf-8-sig",
}
HEADERS = {"members": "chinese", "tax_income": "mixed", "medical_settlements": "mixed"}


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> Truth:
    return generate(
        tmp_path_factory.mktemp("planted"),
        scale=SCALE,
        seed=11,
        encodings=ENCODINGS,
        headers=HEADERS,
        xlsx_kinds=("vehicle_registry",),
    )


@pytest.fixture(scope="module")
def imported(
    truth: Truth, tmp_path_factory: pytest.TempPathFactory, keyring: KeyRing
) -> tuple[Path, set[tuple[str, int, str]]]:
    """The data directory written by the import, and every (file, line, reason) it rejected."""
    root = truth.root
    data_dir = tmp_path_factory.mktemp("planted-data")
    roster = validate_roster(
        RosterFiles(
            divisions=root / "divisions.csv",
            households=root / "households.csv",
            members=root / "members.csv",
        ),
        import_day=IMPORT_DAY,
        existing_divisions={},
        jurisdiction_code=None,
    )
    write_roster(roster, data_dir, keyring=keyring)
    rejects = {(r.file, r.line, r.reason) for r in roster.report.rejected}
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.name[:4].isdigit():
            for loaded in load_quarter_folder(folder, folder.name, data_dir, keyring=keyring):
                rejects |= {(r.file, r.line, r.reason) for r in loaded.report.rejected}
    return data_dir, rejects


def test_the_data_set_has_the_asked_shape(truth: Truth) -> None:
    assert (truth.households, truth.persons) == (200, 2000)
    assert 2.2 < truth.members / truth.households < 2.8
    assert truth.quarter == "2026Q1"
    formats = {f.path: (f.format, f.encoding) for f in truth.files}
    assert formats["2026Q1/vehicle_registry.xlsx"] == ("xlsx", None)
    assert formats["members.csv"] == ("csv", "gb18030")
    assert formats["2026Q1/tax_income.csv"] == ("csv", "utf-8-sig")
    assert (truth.root / "2026Q1" / "tax_income.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # Every rule has households that must fire and planted near misses that must not.
    by_rule = truth.by_rule()
    for rule in RULES:
        assert by_rule[rule], rule
        planted = {c.fires for c in truth.edge_cases if c.rule == rule}
        assert planted == {True, False}, rule
    # What is on disk is what was returned.
    assert load_truth(truth.root) == (set(truth.warnings), truth.reject_set())


def test_the_import_rejects_exactly_the_planted_bad_rows(
    truth: Truth, imported: tuple[Path, set[tuple[str, int, str]]]
) -> None:
    _, rejects = imported
    expected = truth.reject_set()
    assert {reason for _, _, reason in expected} == CONTRACT_REASONS
    assert sorted(rejects - expected) == [], "rejected rows the generator made good"
    assert sorted(expected - rejects) == [], "bad rows the import let through"


def test_screening_finds_exactly_the_planted_warnings(
    truth: Truth, imported: tuple[Path, set[tuple[str, int, str]]], con: Any
) -> None:
    data_dir, _ = imported
    warnings = screen(con, data_dir, truth.quarter, Thresholds())
    got = {(w.household_id, w.rule) for w in warnings}
    assert len(got) == len(warnings)  # one warning per household and rule
    expected = truth.by_rule()
    for rule in RULES:
        found = {h for h, r in got if r == rule}
        true_positives = len(found & expected[rule])
        precision = true_positives / len(found) if found else 1.0
        recall = true_positives / len(expected[rule]) if expected[rule] else 1.0
        assert (precision, recall) == (1.0, 1.0), (
            rule,
            sorted(found - expected[rule]),
            sorted(expected[rule] - found),
        )
    for case in truth.edge_cases:
        assert ((case.household_id, case.rule) in got) == case.fires, case


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    options: dict[str, Any] = {"scale": 0.0012, "xlsx_kinds": ("business_registry",)}
    first = generate(tmp_path / "a", seed=3, **options)
    second = generate(tmp_path / "b", seed=3, **options)
    other = generate(tmp_path / "c", seed=4, **options)

    def contents(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
        }

    files = contents(first.root)
    assert len(files) >= 20
    assert files == contents(second.root)
    assert first.warnings == second.warnings
    assert first.rejects == second.rejects
    assert contents(other.root)["2026Q1/tax_income.csv"] != files["2026Q1/tax_income.csv"]


def test_a_file_without_a_required_column_is_refused_by_name(
    truth: Truth, tmp_path: Path, keyring: KeyRing
) -> None:
    source = truth.root / truth.quarter / "death_records.csv"
    with source.open(encoding="gb18030", newline="") as fh:
        rows = list(csv.reader(fh))
    dropped = rows[0].index("死亡日期")
    folder = tmp_path / truth.quarter
    folder.mkdir()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [cell for i, cell in enumerate(row) if i != dropped] for row in rows
    )
    (folder / "death_records.csv").write_text(buffer.getvalue(), encoding="gb18030")
    with pytest.raises(MissingColumn) as refused:
        load_quarter_folder(folder, truth.quarter, tmp_path / "data", keyring=keyring)
    assert refused.value.columns == ("died_on",)
    assert "死亡日期" in str(refused.value)
    assert "died_on" in str(refused.value)
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").rglob("*.parquet"))
