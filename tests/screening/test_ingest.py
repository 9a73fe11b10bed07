"""The DuckDB import path (`jiuzhu.screening.ingest`) decides exactly as the row validator does.

Every extract of the shared sample set, and files of fuzzed cells written
both as plain CSV (read by DuckDB line by line) and with quoted fields (read
by `jiuzhu.exchange.reader`), must give the same report — rows read, loaded,
each rejection's line, reason and message, duplicates, blank rows — and the
same Parquet content as `validate_extract` + `write_extract`.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jiuzhu.exchange import (
    EXTRACT_KINDS,
    FileKind,
    FileReport,
    MissingColumn,
    UnreadableFile,
    kind_for_filename,
    spec_for,
    validate_extract,
)
from jiuzhu.protection.sm import KeyRing
from jiuzhu.screening import Ingest, Timings, load_quarter_folder, write_extract
from jiuzhu.screening.ingest import manifest_path
from tests.exchange.helpers import make_id, wrong_check
from tests.screening.test_samples import SAMPLES

Q = "2026Q1"


def _report(report: FileReport) -> dict[str, Any]:
    data = report.to_dict()
    data.pop("file")
    return data


def _python_path(path: Path, kind: FileKind, data_dir: Path, keyring: KeyRing) -> FileReport:
    result = validate_extract(path, kind, Q)
    write_extract(result.rows, kind, Q, data_dir, keyring=keyring)
    return result.report


def _columns(path: Path) -> list[tuple[str, pa.DataType]]:
    """Names and types (DuckDB marks a column without nulls REQUIRED; pyarrow does not)."""
    return [(f.name, f.type) for f in pq.read_schema(path)]


def _sorted_rows(path: Path) -> list[dict[str, Any]]:
    return sorted(pq.read_table(path).to_pylist(), key=repr)


def _agree(path: Path, kind: FileKind, tmp_path: Path, keyring: KeyRing) -> FileReport:
    reference = _python_path(path, kind, tmp_path / "python", keyring)
    loaded = Ingest(tmp_path / "duckdb", keyring=keyring).load(path, kind, Q, name=path.name)
    assert _report(loaded.report) == _report(reference)
    python_file = tmp_path / "python" / "extracts" / Q / f"{kind}.parquet"
    assert _columns(loaded.path) == _columns(python_file)
    assert _sorted_rows(loaded.path) == _sorted_rows(python_file)
    return loaded.report


sample_files = sorted(
    f
    for f in SAMPLES.glob("20*/*")
    if (kind := kind_for_filename(f.name)) is not None and kind in EXTRACT_KINDS
)


@pytest.mark.skipif(not sample_files, reason=f"exchange samples not found at {SAMPLES}")
@pytest.mark.parametrize("path", sample_files, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_extract_gives_the_row_validators_report_and_rows(
    path: Path, tmp_path: Path, keyring: KeyRing
) -> None:
    kind = kind_for_filename(path.name)
    assert kind is not None
    result = validate_extract(path, kind, path.parent.name)
    loaded = Ingest(tmp_path, keyring=keyring).load(path, kind, path.parent.name, name=path.name)
    assert _report(loaded.report) == _report(result.report)
    assert loaded.report.rows_loaded == len(result.rows)


@pytest.mark.skipif(not sample_files, reason=f"exchange samples not found at {SAMPLES}")
def test_sample_rejects_equal_the_expected_list(tmp_path: Path, keyring: KeyRing) -> None:
    with (SAMPLES / "expected_rejects.csv").open(encoding="utf-8", newline="") as fh:
        expected = {
            (row["file"], int(row["line"]), row["reason"])
            for row in csv.DictReader(fh)
            if "/" in row["file"]
        }
    got: set[tuple[str, int, str]] = set()
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        for loaded in load_quarter_folder(folder, folder.name, tmp_path, keyring=keyring):
            got |= {(r.file, r.line, r.reason) for r in loaded.report.rejected}
    assert got == expected


# ---------------------------------------------------------------- fuzzed cells

_SPACES = ["", " ", "\t", "\u3000", "\u00a0", "\u2003"]


def _pad(rng: random.Random, text: str) -> str:
    return rng.choice(_SPACES) + text + rng.choice(_SPACES)


def _id_cell(rng: random.Random) -> str:
    good = make_id(
        birth=dt.date(rng.randint(1900, 2025), rng.randint(1, 12), rng.randint(1, 28)),
        order=rng.randrange(1000),
    )
    choice = rng.randrange(40)
    if choice == 0:
        return ""
    if choice == 1:
        return good[:17]
    if choice == 2:
        return wrong_check(good)
    if choice == 3:
        return good.lower()  # a lower-case x is upper-cased, not refused
    if choice == 4:
        return make_id(birth=dt.date(1899, 12, 31))
    if choice == 5:
        return make_id(birth=dt.date(2026, 4, 1))  # after the quarter's last day
    if choice == 6:
        return good[:6] + "20230230" + good[14:]  # no such day (check character then wrong)
    if choice == 7:
        return "１" + good[1:]  # a full-width digit
    return good


_CELLS = {
    "month": ["2026-01", "2026-03", "2025-12", "2026-04", "2026-1", "2026-13", "2026-00", "", "x"],
    "date": ["2026-01-01", "2026-03-31", "2025-12-31", "2026-04-01", "2026-02-29", "2026-02-28",
             "0000-01-01", "2026-1-05", "", "20260105", "1999-12-31"],
    "money": ["0", "0.00", "12.5", "12.50", "-0.00", "-3", "+5", ".5", "1,234", "¥35", "1e3",
              "1.234", "9999999999.99", "10000000000.00", "00012", ""],
    "area": ["89.5", "0", "1.123456", "1.1234567", "-1", "", "abc"],
}  # fmt: skip


_GOOD = {"Month": "2026-02", "Date": "2026-02-15", "Money": "12.5", "Area": "89.5", "Text": "A1"}


def _cell(rng: random.Random, column: Any) -> str:
    kind = type(column.type).__name__
    if kind != "IdNumber" and rng.random() < 0.93:  # most cells are good, as in real files
        return column.type.codes.words[0] if kind == "Code" else _GOOD[kind]
    if kind == "IdNumber":
        return _id_cell(rng)
    if kind == "Month":
        return _pad(rng, rng.choice(_CELLS["month"]))
    if kind == "Date":
        return _pad(rng, rng.choice(_CELLS["date"]))
    if kind == "Money":
        return _pad(rng, rng.choice(_CELLS["money"]))
    if kind == "Area":
        return _pad(rng, rng.choice(_CELLS["area"]))
    if kind == "Code":
        words = list(column.type.codes.words)
        labels = [label for w in words for label in column.type.codes.labels[w]]
        return _pad(rng, rng.choice([*words, *(w.upper() for w in words), *labels, "", "nope"]))
    return _pad(rng, rng.choice(["A1", "粤B12345", "x" * 70, "", "91350100M000100Y43"]))


def _fuzzed_rows(kind: FileKind, seed: int, count: int) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    spec = spec_for(kind)
    columns = list(spec.columns)
    rng.shuffle(columns)
    header = [rng.choice([c.name, c.alias]) for c in columns]
    rows: list[list[str]] = []
    for _ in range(count):
        if rows and rng.random() < 0.05:
            rows.append(list(rng.choice(rows)))  # a duplicate
            continue
        row = [_cell(rng, c) for c in columns]
        if rng.random() < 0.02:
            row = ["", *([" "] * (len(row) - 1))]  # a blank record
        elif rng.random() < 0.02:
            row = row[:-1]  # a short record: the missing cell reads as empty
        rows.append(row)
    return header, rows


@pytest.mark.parametrize("kind", EXTRACT_KINDS, ids=str)
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_fuzzed_cells_are_judged_alike(
    kind: FileKind, quoted: bool, tmp_path: Path, keyring: KeyRing
) -> None:
    header, rows = _fuzzed_rows(kind, seed=len(kind) * 7 + quoted, count=600)
    path = tmp_path / f"{kind}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(
            fh, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_NONE, escapechar="\\"
        )
        writer.writerow(header)
        writer.writerows(rows)
    report = _agree(path, kind, tmp_path, keyring)
    assert report.rows_rejected > 20
    assert report.rows_loaded > 20
    assert report.duplicates > 0
    assert report.blank_rows > 0


# ---------------------------------------------------------------- encodings and formats


def _death_rows(count: int) -> list[list[str]]:
    rows = [
        [make_id(order=n % 1000, region=f"5101{n // 1000:02d}"), f"2026-01-{n % 28 + 1:02d}"]
        for n in range(count)
    ]
    rows[3][0] = wrong_check(rows[3][0])
    rows.append(list(rows[5]))
    return rows


def test_gb18030_with_chinese_headers_and_crlf(tmp_path: Path, keyring: KeyRing) -> None:
    path = tmp_path / "death_records.csv"
    body = "身份证号,死亡日期\r\n" + "".join(f"{a},{b}\r\n" for a, b in _death_rows(40))
    path.write_bytes(body.encode("gb18030"))
    report = _agree(path, FileKind.DEATH_RECORDS, tmp_path, keyring)
    assert report.encoding == "gb18030"
    assert [(r.line, r.reason) for r in report.rejected] == [
        (5, "bad_check_digit"),
        (42, "duplicate"),
    ]
    assert not list((tmp_path / "duckdb").rglob("*.csv")), "the UTF-8 copy was left behind"


def test_bom_blank_lines_and_a_quoted_line_break(tmp_path: Path, keyring: KeyRing) -> None:
    path = tmp_path / "vehicle_registry.csv"
    lines = ["id_number,号牌号码,vehicle_type,registered_on"]
    for n, (number, _) in enumerate(_death_rows(10)):
        lines.append(
            f'{number},"粤B\n{n:05d}",car,2020-01-01' if n == 2 else f"{number},A{n},car,2020-01-01"
        )
        if n == 4:
            lines.append("")
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())
    report = _agree(path, FileKind.VEHICLE_REGISTRY, tmp_path, keyring)
    assert report.encoding == "utf-8-sig"
    # The quoted line break moves every later record one line down; so does the blank line.
    assert [(r.line, r.reason) for r in report.rejected] == [(6, "bad_check_digit")]


def test_xlsx_with_an_id_stored_as_a_number(tmp_path: Path, keyring: KeyRing) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["身份证号", "plate", "车辆类型", "登记日期"])
    for n, (number, _) in enumerate(_death_rows(8)):
        sheet.append(
            [
                int(number) if n == 6 and number.isdigit() else number,
                f"P{n}",
                "轿车" if n == 1 else "car",
                "2021-05-01",
            ]
        )
    path = tmp_path / "vehicle_registry.xlsx"
    book.save(path)
    report = _agree(path, FileKind.VEHICLE_REGISTRY, tmp_path, keyring)
    assert report.format == "xlsx"
    reasons = {(r.line, r.reason) for r in report.rejected}
    assert (5, "bad_check_digit") in reasons
    assert (3, "bad_value") in reasons


def test_parquet_input_is_read_like_a_csv(tmp_path: Path, keyring: KeyRing) -> None:
    rows = _death_rows(12)
    path = tmp_path / "death_records.parquet"
    pq.write_table(
        pa.table({"死亡日期": [b for _, b in rows], "id_number": [a for a, _ in rows]}), path
    )
    csv_path = tmp_path / "death_records.csv"
    csv_path.write_text("死亡日期,id_number\n" + "".join(f"{b},{a}\n" for a, b in rows))
    loaded = Ingest(tmp_path / "pq", keyring=keyring).load(
        path, FileKind.DEATH_RECORDS, Q, name="death_records.csv"
    )
    reference = _python_path(csv_path, FileKind.DEATH_RECORDS, tmp_path / "python", keyring)
    got, want = _report(loaded.report), _report(reference)
    assert got.pop("format") == "parquet"
    assert want.pop("format") == "csv"
    got.pop("encoding"), want.pop("encoding")
    assert got == want


# ---------------------------------------------------------------- replace, no-op, refusal


def _write_deaths(path: Path, rows: list[list[str]]) -> None:
    path.write_text("id_number,died_on\n" + "".join(f"{a},{b}\n" for a, b in rows))


def test_same_file_again_is_a_no_op_and_a_corrected_file_replaces(
    tmp_path: Path, keyring: KeyRing
) -> None:
    path = tmp_path / "in" / "death_records.csv"
    path.parent.mkdir()
    _write_deaths(path, _death_rows(10))
    ingest = Ingest(tmp_path / "data", keyring=keyring)
    first = ingest.load(path, FileKind.DEATH_RECORDS, Q)
    assert not first.unchanged
    assert first.report.rows_loaded == 9
    again = ingest.load(path, FileKind.DEATH_RECORDS, Q)
    assert again.unchanged
    assert again.report.rows_loaded == 9
    assert again.report.rows_rejected == 2
    assert any("未重复导入" in w for w in again.report.warnings)
    _write_deaths(path, _death_rows(10)[:3])
    corrected = Ingest(tmp_path / "data", keyring=keyring).load(path, FileKind.DEATH_RECORDS, Q)
    assert not corrected.unchanged
    assert pq.read_table(corrected.path).num_rows == 3
    assert "id_number" not in manifest_path(tmp_path / "data", Q, "death_records").read_text()


def test_a_refused_or_failed_file_leaves_the_loaded_one_whole(
    tmp_path: Path, keyring: KeyRing
) -> None:
    path = tmp_path / "death_records.csv"
    _write_deaths(path, _death_rows(10))
    ingest = Ingest(tmp_path / "data", keyring=keyring)
    loaded = ingest.load(path, FileKind.DEATH_RECORDS, Q)
    before = loaded.path.read_bytes()
    path.write_text("身份证号,备注\n110105194912310021,x\n")
    with pytest.raises(MissingColumn) as refused:
        ingest.load(path, FileKind.DEATH_RECORDS, Q)
    assert "死亡日期（died_on）" in refused.value.message
    _write_deaths(path, _death_rows(6))

    def crash(rows: int) -> None:
        raise KeyboardInterrupt  # killed half-way, after validation

    with pytest.raises(KeyboardInterrupt):
        ingest.load(path, FileKind.DEATH_RECORDS, Q, progress=crash)
    assert loaded.path.read_bytes() == before
    leftovers = [p.name for p in loaded.path.parent.iterdir()]
    assert sorted(leftovers) == ["death_records.json", "death_records.parquet"]


def test_timings_cover_each_phase(tmp_path: Path, keyring: KeyRing) -> None:
    path = tmp_path / "death_records.csv"
    _write_deaths(path, _death_rows(50))
    timings = Timings()
    Ingest(tmp_path / "data", keyring=keyring, timings=timings).load(path, "death_records", Q)
    assert all(seconds > 0 for seconds in timings.as_dict().values()), timings


def test_no_clear_id_left_in_the_data_folder(tmp_path: Path, keyring: KeyRing) -> None:
    rows = _death_rows(30)
    path = tmp_path / "in" / "death_records.csv"
    path.parent.mkdir()
    path.write_bytes(
        ("身份证号,死亡日期\n" + "".join(f"{a},{b}\n" for a, b in rows)).encode("gb18030")
    )
    data = tmp_path / "data"
    load_quarter_folder(path.parent, Q, data, keyring=keyring)
    numbers = {a.encode() for a, _ in rows}
    files = [p for p in data.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".parquet", ".json"}
    for file in files:
        content = file.read_bytes()
        assert not any(n in content for n in numbers), file
    assert not list(data.rglob(".ingest-*")), "a working folder was left behind"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 1 << 22])
def test_line_count_and_plainness_do_not_depend_on_chunk_boundaries(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiuzhu.screening import ingest

    monkeypatch.setattr(ingest, "_CHUNK", chunk)
    cases = {
        b"a,b\n1,2\n": 2,
        b"a,b\r\n1,2\r\n3,4": 3,
        b"a,b\n1,2\n\n3,4\n": None,  # a blank line
        b"a,b\r\n1,2\r\n\r\n": None,  # a blank line, CRLF
        b"a,b\r1,2\n": None,  # a bare CR
        b"a,b\n1,\x002\n": None,  # a NUL
        b"": None,
    }
    for content, lines in cases.items():
        path = tmp_path / "f.csv"
        path.write_bytes(content)
        assert ingest._scan(path).lines == lines, content


def test_gb18030_beyond_the_first_64_kib_and_utf16(tmp_path: Path, keyring: KeyRing) -> None:
    """An ASCII head then GB18030 (the encoding hint is wrong): the reader decides."""
    rows = _death_rows(3000)
    body = "id_number,died_on,备注\n" + "".join(f"{a},{b},\n" for a, b in rows[:-1])
    body += f"{rows[-1][0]},{rows[-1][1]},迟报\n"
    path = tmp_path / "death_records.csv"
    path.write_bytes(body.encode("gb18030"))
    assert body.index("迟报") > 65536
    report = _agree(path, FileKind.DEATH_RECORDS, tmp_path, keyring)
    assert report.encoding == "gb18030"
    utf16 = tmp_path / "u16" / "death_records.csv"
    utf16.parent.mkdir()
    utf16.write_bytes("id_number,died_on\n".encode("utf-16"))
    with pytest.raises(UnreadableFile, match="UTF-16"):
        Ingest(tmp_path / "x", keyring=keyring).load(utf16, FileKind.DEATH_RECORDS, Q)
