"""Reading: encodings, headers, physical line numbers, XLSX cells, refused files."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
from pathlib import Path
from typing import Any, BinaryIO, cast

import openpyxl
import pytest

from jiuzhu.exchange import (
    DuplicateColumn,
    InputFile,
    MissingColumn,
    UnreadableFile,
    validate_extract,
)
from tests.exchange.helpers import make_id, write_text

ID_A = make_id(dt.date(1960, 3, 1), order=11)
ID_B = make_id(dt.date(1975, 12, 31), order=22)
ID_C = make_id(dt.date(2001, 7, 4), order=33)
DIGITS_ONLY_ID = next(
    number
    for n in range(100)
    if not (number := make_id(dt.date(1990, 1, 1), order=n)).endswith("X")
)

DEATHS = [
    "身份证号,死亡日期",
    f"{ID_A},2026-01-05",
    f"{ID_B},2026-02-05",
]


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_the_three_encodings_read_the_same(tmp_path: Path, encoding: str, reported: str) -> None:
    lines = [
        "身份证号,month,所得项目,收入额",
        f"{ID_A},2026-01,工资薪金,100.00",
        f"{ID_B},2026-02,劳务报酬,200.5",
        f"{ID_C},2026-03,利息股息红利,3",
    ]
    path = write_text(tmp_path / "tax_income.csv", lines, encoding=encoding)
    result = validate_extract(path, "tax_income", "2026Q1")
    assert result.report.encoding == reported
    assert result.report.rejected == []
    assert [(r.line, r.id_number, r.category, str(r.amount)) for r in result.rows] == [
        (2, ID_A, "wage", "100.00"),
        (3, ID_B, "labor_service", "200.50"),
        (4, ID_C, "interest_dividend", "3.00"),
    ]
    assert result.rows[0].month == dt.date(2026, 1, 1)


def test_bom_does_not_count_as_a_line(tmp_path: Path) -> None:
    lines = ["id_number,died_on", f"{ID_A},2026-01-05", ",2026-01-06"]
    path = write_text(tmp_path / "death_records.csv", lines, encoding="utf-8-sig")
    report = validate_extract(path, "death_records", "2026Q1").report
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "blank_id")]


def test_gb18030_with_characters_outside_gbk(tmp_path: Path) -> None:
    # 𠀀 (U+20000) needs GB18030's four-byte form; the file is not valid UTF-8.
    lines = ["id_number,plate,vehicle_type,registered_on", f"{ID_A},川A𠀀001,car,2020-01-01"]
    path = write_text(tmp_path / "vehicle_registry.csv", lines, encoding="gb18030")
    result = validate_extract(path, "vehicle_registry", "2026Q1")
    assert result.report.encoding == "gb18030"
    assert result.rows[0].plate == "川A𠀀001"


def test_utf16_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "death_records.csv"
    path.write_bytes("\n".join(DEATHS).encode("utf-16"))
    with pytest.raises(UnreadableFile) as caught:
        validate_extract(path, "death_records", "2026Q1")
    assert caught.value.code == "bad_encoding"
    assert "UTF-16" in caught.value.message


def test_english_chinese_and_mixed_headers_in_any_order(tmp_path: Path) -> None:
    rows = [f"{ID_A},2026-02-01,10.00,6.00,4.00"]
    variants = {
        "english": "id_number,settled_on,total_cost,fund_paid,self_paid",
        "chinese": "身份证号,结算日期,医疗总费用,统筹支付,个人自付",
        "mixed_case": "ID_Number, Settled_On ,医疗总费用,FUND_PAID,个人自付",
    }
    for name, header in variants.items():
        path = write_text(tmp_path / f"{name}.csv", [header, *rows])
        result = validate_extract(path, "medical_settlements", "2026Q1")
        assert result.report.unknown_columns == [], name
        assert [
            (r.id_number, r.settled_on, str(r.total_cost), str(r.fund_paid), str(r.self_paid))
            for r in result.rows
        ] == [(ID_A, dt.date(2026, 2, 1), "10.00", "6.00", "4.00")], name
    # Reordered columns: the header decides which cell is which.
    path = write_text(
        tmp_path / "reordered.csv",
        ["个人自付,fund_paid,结算日期,id_number,total_cost", f"4.00,6.00,2026-02-01,{ID_A},10.00"],
    )
    row = validate_extract(path, "medical_settlements", "2026Q1").rows[0]
    assert (row.id_number, row.settled_on) == (ID_A, dt.date(2026, 2, 1))
    assert (str(row.total_cost), str(row.fund_paid), str(row.self_paid)) == (
        "10.00",
        "6.00",
        "4.00",
    )


def test_missing_required_column_refuses_the_file_naming_it(tmp_path: Path) -> None:
    path = write_text(tmp_path / "tax_income.csv", ["身份证号,所属期,amount", f"{ID_A},2026-01,5"])
    with pytest.raises(MissingColumn) as caught:
        validate_extract(path, "tax_income", "2026Q1")
    error = caught.value
    assert error.code == "missing_column"
    assert error.columns == ("category",)
    assert "所得项目" in error.message
    assert "category" in error.message
    assert "tax_income.csv" in error.message


def test_same_column_twice_refuses_the_file(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "death_records.csv", ["id_number,身份证号,died_on", f"{ID_A},{ID_A},2026-01-01"]
    )
    with pytest.raises(DuplicateColumn) as caught:
        validate_extract(path, "death_records", "2026Q1")
    assert caught.value.code == "duplicate_column"
    assert caught.value.columns == ("id_number",)


def test_unknown_columns_are_ignored_and_reported(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "death_records.csv",
        ["备注,id_number,died_on,source", f"随便写,{ID_A},2026-01-01,公安"],
    )
    result = validate_extract(path, "death_records", "2026Q1")
    assert result.report.unknown_columns == ["备注", "source"]
    assert len(result.report.warnings) == 2
    assert all("已忽略" in w for w in result.report.warnings)
    assert [(r.id_number, r.died_on) for r in result.rows] == [(ID_A, dt.date(2026, 1, 1))]


def test_quoted_newlines_keep_physical_line_numbers(tmp_path: Path) -> None:
    lines = [
        "id_number,property_id,usage,area_m2,registered_on",
        f'{ID_A},"P-1\nsecond line\nthird line",residential,50,2020-01-01',  # lines 2-4
        f"{ID_B},P-2,castle,50,2020-01-01",  # line 5: bad usage
        f'{ID_C},"P-3\r\nx",住宅,50,2020-01-01',  # lines 6-7 (CRLF inside the quotes)
        "   ,P-4,other,1,2020-01-01",  # line 8: blank id
    ]
    for newline in ("\n", "\r\n"):
        path = write_text(tmp_path / "property_registry.csv", lines, newline=newline)
        result = validate_extract(path, "property_registry", "2026Q1")
        assert [(r.line, r.reason) for r in result.report.rejected] == [
            (5, "bad_value"),
            (8, "blank_id"),
        ], repr(newline)
        assert [r.line for r in result.rows] == [2, 6]
        assert result.rows[0].property_id == "P-1\nsecond line\nthird line"


def test_blank_lines_count_but_are_not_rows(tmp_path: Path) -> None:
    lines = ["id_number,died_on", "", f"{ID_A},2026-01-01", ",", "", "x,2026-01-01"]
    report = validate_extract(
        write_text(tmp_path / "d.csv", lines), "death_records", "2026Q1"
    ).report
    assert report.rows_read == 2
    assert report.blank_rows == 1
    assert [(r.line, r.reason) for r in report.rejected] == [(6, "bad_id_format")]


def test_header_may_follow_blank_lines(tmp_path: Path) -> None:
    lines = ["", "id_number,died_on", "x,2026-01-01"]
    report = validate_extract(
        write_text(tmp_path / "d.csv", lines), "death_records", "2026Q1"
    ).report
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "bad_id_format")]


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "death_records.csv"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFile) as caught:
        validate_extract(path, "death_records", "2026Q1")
    assert caught.value.code == "no_header"


def test_extension_and_content_must_agree(tmp_path: Path) -> None:
    csv_named_xlsx = write_text(tmp_path / "death_records.xlsx", DEATHS)
    with pytest.raises(UnreadableFile) as caught:
        validate_extract(csv_named_xlsx, "death_records", "2026Q1")
    assert caught.value.code == "unsupported_format"
    xlsx_named_csv = _workbook(tmp_path / "death_records.csv", [["id_number", "died_on"]])
    with pytest.raises(UnreadableFile) as caught:
        validate_extract(xlsx_named_csv, "death_records", "2026Q1")
    assert caught.value.code == "unsupported_format"


def test_binary_streams_with_a_display_name(tmp_path: Path) -> None:
    data = "\n".join(DEATHS).encode("gb18030")
    result = validate_extract(
        InputFile(io.BytesIO(data), "upload/死亡.csv"), "death_records", "2026Q1"
    )
    assert result.report.file == "upload/死亡.csv"
    assert len(result.rows) == 2


class _OneWay(io.RawIOBase):
    """A stream that cannot seek (like a socket)."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_unseekable_stream_is_spooled() -> None:
    stream = cast(BinaryIO, _OneWay("\n".join(DEATHS).encode("utf-8")))
    assert not stream.seekable()
    result = validate_extract(InputFile(stream, "d.csv"), "death_records", "2026Q1")
    assert len(result.rows) == 2


def _workbook(
    path: Path, rows: list[list[object]], *, first_sheet_rows: list[list[object]] | None = None
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    other = book.create_sheet("second")
    for row in first_sheet_rows or [["nothing", "here"]]:
        other.append(row)
    book.save(path)
    return path


def test_xlsx_reads_the_first_sheet_with_sheet_rows_as_lines(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "vehicle_registry.xlsx",
        [
            ["身份证号", "号牌号码", "车辆类型", "registered_on", "颜色"],
            [ID_A, "川A12345", "Car", "2019-05-01", "红"],
            [None, None, None, None, None],  # an empty sheet row: skipped, still counts
            # A real date cell (Excel dates carry no time zone).
            [ID_B, "川A54321", "truck", dt.datetime(2020, 6, 1), None],  # noqa: DTZ001
            [int(DIGITS_ONLY_ID), "川A0", "car", "2020-01-01", None],  # the ID as a number
            ["", "川A1", "car", "2020-01-01", None],
        ],
    )
    result = validate_extract(path, "vehicle_registry", "2026Q1")
    assert result.report.format == "xlsx"
    assert result.report.encoding is None
    assert result.report.unknown_columns == ["颜色"]
    assert [(r.line, r.id_number, r.vehicle_type, r.registered_on) for r in result.rows] == [
        (2, ID_A, "car", dt.date(2019, 5, 1)),
        (4, ID_B, "truck", dt.date(2020, 6, 1)),
    ]
    assert [(r.line, r.reason) for r in result.report.rejected] == [
        (5, "bad_id_format"),
        (6, "blank_id"),
    ]
    assert "文本" in result.report.rejected[0].message


def test_xlsx_numeric_id_is_bad_id_format_even_when_its_digits_are_valid(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "death_records.xlsx",
        [
            ["id_number", "died_on"],
            [int(DIGITS_ONLY_ID), "2026-01-01"],
            [DIGITS_ONLY_ID, "2026-01-01"],
        ],
    )
    result = validate_extract(path, "death_records", "2026Q1")
    assert [(r.line, r.reason) for r in result.report.rejected] == [(2, "bad_id_format")]
    assert [(r.line, r.id_number) for r in result.rows] == [(3, DIGITS_ONLY_ID)]


def test_xlsx_numeric_money_and_grades_are_read_as_numbers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "medical_settlements.xlsx",
        [
            ["id_number", "settled_on", "total_cost", "fund_paid", "self_paid"],
            [ID_A, "2026-01-02", 100, 60.5, 39.5],
        ],
    )
    row = validate_extract(path, "medical_settlements", "2026Q1").rows[0]
    assert (str(row.total_cost), str(row.fund_paid), str(row.self_paid)) == (
        "100.00",
        "60.50",
        "39.50",
    )


def test_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "death_records.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(UnreadableFile) as caught:
        validate_extract(path, "death_records", "2026Q1")
    assert caught.value.code == "bad_workbook"


def test_old_xls_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "death_records.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(UnreadableFile) as caught:
        validate_extract(path, "death_records", "2026Q1")
    assert caught.value.code == "unsupported_format"


def test_oversized_workbook_is_refused_before_parsing(tmp_path: Path) -> None:
    from jiuzhu.exchange.extracts import ExtractStream

    path = _workbook(
        tmp_path / "death_records.xlsx", [["id_number", "died_on"], [ID_A, "2026-01-01"]]
    )
    with pytest.raises(UnreadableFile) as caught:
        ExtractStream(path, "death_records", "2026Q1", max_xlsx_uncompressed=1000)
    assert caught.value.code == "file_too_large"


def test_the_callers_stream_stays_open(tmp_path: Path) -> None:
    for data in (b"", b"a,b\n1,2\n", "\n".join(DEATHS).encode("utf-8")):
        stream = io.BytesIO(data)
        with contextlib.suppress(MissingColumn, UnreadableFile):
            validate_extract(InputFile(stream, "d.csv"), "death_records", "2026Q1")
        gc.collect()  # a forgotten text wrapper would close the stream when collected
        assert not stream.closed


def test_a_nameless_column_between_named_ones_is_a_warning(tmp_path: Path) -> None:
    path = write_text(tmp_path / "d.csv", ["id_number,,died_on,", f"{ID_A},x,2026-01-01,"])
    result = validate_extract(path, "death_records", "2026Q1")
    assert len(result.rows) == 1
    assert result.report.unknown_columns == []
    assert result.report.warnings == ["第 2 列没有表头，已忽略该列"]
