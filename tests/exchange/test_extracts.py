"""Department extracts: one reason per row, period rules, money, codes, duplicates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.exchange import BadPeriod, Quarter, open_extract, validate_extract
from tests.exchange.helpers import make_id, write_text, wrong_check

ID = make_id(dt.date(1970, 1, 2), order=45)
ID2 = make_id(dt.date(1985, 8, 9), order=67)


def _rejects(
    tmp_path: Path, kind: str, header: str, rows: list[str], quarter: str = "2026Q1"
) -> list[tuple[int, str]]:
    path = write_text(tmp_path / f"{kind}.csv", [header, *rows])
    report = validate_extract(path, kind, quarter).report
    assert report.rows_read == len([r for r in rows if r.strip(", ")]) - report.blank_rows
    return [(r.line, r.reason) for r in report.rejected]


def _reason(
    tmp_path: Path, kind: str, header: str, row: str, quarter: str = "2026Q1"
) -> str | None:
    found = _rejects(tmp_path, kind, header, [row], quarter)
    assert len(found) <= 1
    return found[0][1] if found else None


MEDICAL = "id_number,settled_on,total_cost,fund_paid,self_paid"


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("0", None),
        ("12", None),
        ("12.5", None),
        ("12.50", None),
        (" 12.50 ", None),
        ("007.10", None),
        ("-0.00", "negative_amount"),
        ("-5", "negative_amount"),
        ("-12.34", "negative_amount"),
        ("+5", "non_numeric_amount"),
        (".5", "non_numeric_amount"),
        ("5.", "non_numeric_amount"),
        ("1,234", "non_numeric_amount"),
        ("1,234.00", "non_numeric_amount"),
        ("¥35", "non_numeric_amount"),
        ("1e3", "non_numeric_amount"),
        ("12.345", "non_numeric_amount"),
        ("N/A", "non_numeric_amount"),
        ("", "non_numeric_amount"),
        ("--5", "non_numeric_amount"),
        ("- 5", "non_numeric_amount"),
        ("壹佰元", "non_numeric_amount"),
        ("１２", "non_numeric_amount"),  # full-width digits
        ("12345678901.00", "non_numeric_amount"),  # beyond DECIMAL(12, 2)
    ],
)
def test_money_formats(tmp_path: Path, amount: str, reason: str | None) -> None:
    cell = f'"{amount}"' if "," in amount else amount
    assert (
        _reason(tmp_path, "medical_settlements", MEDICAL, f"{ID},2026-02-01,10,5,{cell}") == reason
    )


def test_money_is_decimal_with_two_places(tmp_path: Path) -> None:
    path = write_text(tmp_path / "m.csv", [MEDICAL, f"{ID},2026-02-01,12.5,0,007.10"])
    row = validate_extract(path, "medical_settlements", "2026Q1").rows[0]
    assert row.total_cost == Decimal("12.50")
    assert isinstance(row.total_cost, Decimal)
    assert str(row.total_cost) == "12.50"
    assert str(row.self_paid) == "7.10"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "blank_id"),
        ("   ", "blank_id"),
        ('""', "blank_id"),
        (ID[:17], "bad_id_format"),  # 17 characters
        (ID + "1", "bad_id_format"),  # 19 characters
        (ID[:15], "bad_id_format"),  # a first-generation 15-digit number
        (ID[:6] + "O" + ID[7:], "bad_id_format"),  # a letter O for a zero
        (ID[:17] + "Y", "bad_id_format"),
        (
            "".join(chr(ord(c) + 0xFEE0) for c in ID[:17]) + ID[17],
            "bad_id_format",
        ),  # full-width digits
        (wrong_check(ID), "bad_check_digit"),
        (make_id(dt.date(1899, 12, 31)), "bad_birth_date"),
        (make_id(dt.date(2026, 4, 1)), "bad_birth_date"),  # after the quarter's last day
        (make_id(dt.date(2026, 3, 31)), None),  # the quarter's last day itself
        (make_id(dt.date(1900, 1, 1)), None),
        (f" {ID.lower()} ", None),
    ],
)
def test_id_checks(tmp_path: Path, raw: str, reason: str | None) -> None:
    assert _reason(tmp_path, "death_records", "id_number,died_on", f"{raw},2026-01-01") == reason


def test_impossible_birth_dates_with_a_valid_check_character(tmp_path: Path) -> None:
    # 1990-02-30 and 1987-02-29 do not exist; compute the check character independently.
    from tests.exchange.helpers import _CHECK, _WEIGHTS

    def complete(first17: str) -> str:
        return (
            first17 + _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]
        )

    for first17 in ("51010419900230123", "51010419870229123", "51010419881300123"):
        assert _reason(
            tmp_path, "death_records", "id_number,died_on", f"{complete(first17)},2026-01-01"
        ) == ("bad_birth_date")


def test_id_number_is_stored_trimmed_and_upper_case(tmp_path: Path) -> None:
    number = next(
        make_id(dt.date(1980, 1, 1), order=n)
        for n in range(1000)
        if make_id(dt.date(1980, 1, 1), order=n)[-1] == "X"
    )
    path = write_text(tmp_path / "d.csv", ["id_number,died_on", f"  {number.lower()}\t,2026-01-01"])
    assert validate_extract(path, "death_records", "2026Q1").rows[0].id_number == number


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-01-01", None),
        ("2026-03-31", None),
        ("2025-12-31", "out_of_period"),  # before the quarter: income/medical only
        ("2026-04-01", "out_of_period"),
        ("2026-02-30", "bad_date"),
        ("2026-1-5", "bad_date"),
        ("2026/01/05", "bad_date"),
        ("20260105", "bad_date"),
        ("", "bad_date"),
        ("2026-01-05T00:00", "bad_date"),
    ],
)
def test_medical_dates_must_fall_inside_the_quarter(
    tmp_path: Path, day: str, reason: str | None
) -> None:
    assert _reason(tmp_path, "medical_settlements", MEDICAL, f"{ID},{day},1,1,0") == reason


@pytest.mark.parametrize(
    ("month", "reason"),
    [
        ("2025-10", None),
        ("2025-12", None),
        ("2025-09", "out_of_period"),
        ("2026-01", "out_of_period"),
        ("2025-13", "bad_month"),
        ("2025-00", "bad_month"),
        ("2025-1", "bad_month"),
        ("2025/10", "bad_month"),
        ("2025-10-01", "bad_month"),
        ("", "bad_month"),
    ],
)
def test_income_months_must_fall_inside_the_quarter(
    tmp_path: Path, month: str, reason: str | None
) -> None:
    header = "id_number,month,benefit_type,amount"
    assert (
        _reason(tmp_path, "hrss_benefits", header, f"{ID},{month},pension,100", "2025Q4") == reason
    )
    header = "id_number,month,category,amount"
    assert _reason(tmp_path, "tax_income", header, f"{ID},{month},wage,100", "2025Q4") == reason


@pytest.mark.parametrize(
    ("kind", "header", "template"),
    [
        (
            "property_registry",
            "id_number,property_id,usage,area_m2,registered_on",
            "{id},P1,residential,80,{day}",
        ),
        ("vehicle_registry", "id_number,plate,vehicle_type,registered_on", "{id},川A1,car,{day}"),
        (
            "business_registry",
            "id_number,credit_code,role,established_on",
            "{id},91X,legal_rep,{day}",
        ),
        ("death_records", "id_number,died_on", "{id},{day}"),
    ],
)
def test_snapshot_and_death_files_may_carry_older_dates(
    tmp_path: Path, kind: str, header: str, template: str
) -> None:
    rows = [
        template.format(id=ID, day="1995-06-01"),  # long before the quarter: fine
        template.format(id=ID2, day="2026-03-31"),
        template.format(id=make_id(order=1), day="2026-04-01"),  # after its end
    ]
    assert _rejects(tmp_path, kind, header, rows) == [(4, "out_of_period")]


def test_codes_english_any_case_or_chinese_label(tmp_path: Path) -> None:
    header = "id_number,month,category,amount"
    rows = [
        f"{ID},2026-01,WAGE,1",
        f"{ID},2026-01,Labor_Service,1",
        f"{ID},2026-01,财产租赁,1",
        f"{ID},2026-01, 经营所得 ,1",
        f"{ID},2026-01,工资,1",  # not a label of the list
        f"{ID},2026-01,,1",  # empty required code
        f"{ID},2026-01,9,1",
    ]
    path = write_text(tmp_path / "tax_income.csv", [header, *rows])
    result = validate_extract(path, "tax_income", "2026Q1")
    assert [r.category for r in result.rows] == [
        "wage",
        "labor_service",
        "property_lease",
        "business",
    ]
    assert [(r.line, r.reason) for r in result.report.rejected] == [
        (6, "bad_value"),
        (7, "bad_value"),
        (8, "bad_value"),
    ]
    assert "wage（工资薪金）" in result.report.rejected[0].message


def test_area_is_a_non_negative_decimal(tmp_path: Path) -> None:
    header = "id_number,property_id,usage,area_m2,registered_on"
    rows = [
        f"{ID},P{i},住宅,{area},2000-01-01"
        for i, area in enumerate(["89.5", "120", "-3", "abc", "", "1,2"])
    ]
    rows[-1] = f'{ID},P5,住宅,"1,2",2000-01-01'
    path = write_text(tmp_path / "property_registry.csv", [header, *rows])
    result = validate_extract(path, "property_registry", "2026Q1")
    assert [(r.area_m2, r.usage) for r in result.rows] == [
        (Decimal("89.5"), "residential"),
        (Decimal(120), "residential"),
    ]
    assert [(r.line, r.reason) for r in result.report.rejected] == [
        (n, "bad_value") for n in (4, 5, 6, 7)
    ]


def test_one_reason_per_row_id_first_then_columns_left_to_right(tmp_path: Path) -> None:
    header = "self_paid,fund_paid,total_cost,settled_on,id_number"  # the header order is reversed
    rows = [
        f"-1,x,1,2026-13-01,{wrong_check(ID)}",  # every column bad: the ID wins
        f"-1,x,1,2026-13-01,{ID}",  # date, then total_cost/fund_paid/self_paid in the standard's order
        f"-1,x,1,2026-02-01,{ID}",  # fund_paid comes before self_paid in the standard
        f"-1,1,1,2026-02-01,{ID}",
    ]
    assert _rejects(tmp_path, "medical_settlements", header, rows) == [
        (2, "bad_check_digit"),
        (3, "bad_date"),
        (4, "non_numeric_amount"),
        (5, "negative_amount"),
    ]


def test_duplicates_after_normalisation_are_reported_and_loaded_once(tmp_path: Path) -> None:
    rows = [
        f"{ID},2026-02-01,12.50,10,2.5",
        f"  {ID}  ,2026-02-01,12.5,10.00,2.50",  # padded ID, 12.5 for 12.50: a duplicate
        f"{ID},2026-02-01,12.5,10,2.51",  # one fen apart: another settlement
        f"{ID},2026-02-01,12.50,10,2.5",  # again
    ]
    path = write_text(tmp_path / "medical_settlements.csv", [MEDICAL, *rows])
    result = validate_extract(path, "medical_settlements", "2026Q1")
    assert [r.line for r in result.rows] == [2, 4]
    assert [(r.line, r.reason) for r in result.report.rejected] == [
        (3, "duplicate"),
        (5, "duplicate"),
    ]
    assert result.report.duplicates == 2
    assert "第 2 行" in result.report.rejected[0].message
    assert (result.report.rows_read, result.report.rows_loaded) == (4, 2)


def test_duplicate_codes_are_compared_in_canonical_form(tmp_path: Path) -> None:
    header = "id_number,month,benefit_type,amount"
    rows = [
        f"{ID.lower()},2026-01,pension,100",
        f"{ID},2026-01,养老金,100.00",
        f"{ID},2026-01,PENSION,100.0",
    ]
    assert _rejects(tmp_path, "hrss_benefits", header, rows) == [(3, "duplicate"), (4, "duplicate")]


def test_a_bad_row_is_not_the_original_of_a_duplicate(tmp_path: Path) -> None:
    rows = [f"{ID},2026-02-01,1,1,-1", f"{ID},2026-02-01,1,1,-1", f"{ID},2026-02-01,1,1,1"]
    assert _rejects(tmp_path, "medical_settlements", MEDICAL, rows) == [
        (2, "negative_amount"),
        (3, "negative_amount"),
    ]


def test_messages_name_the_column_and_never_contain_the_id(tmp_path: Path) -> None:
    rows = [f"{wrong_check(ID)},2026-02-01,1,1,1", f"{ID},2026-02-01,1,1,abc"]
    path = write_text(tmp_path / "medical_settlements.csv", [MEDICAL, *rows])
    rejected = validate_extract(path, "medical_settlements", "2026Q1").report.rejected
    assert "身份证号" in rejected[0].message
    assert "个人自付" in rejected[1].message
    assert rejected[1].column == "self_paid"
    for rejection in rejected:
        assert ID[:17] not in rejection.message


def test_streaming_gives_the_same_rows_and_report(tmp_path: Path) -> None:
    born = dt.date(1950, 1, 1)
    rows = [
        f"{make_id(born + dt.timedelta(days=n), order=n % 1000)},2026-02-01,{n},0,{n}"
        for n in range(2500)
    ]
    rows.append("x,2026-02-01,1,1,1")
    path = write_text(tmp_path / "medical_settlements.csv", [MEDICAL, *rows])
    seen: list[int] = []
    with open_extract(path, "medical_settlements", "2026Q1", progress=seen.append) as stream:
        lines = [row.line for row in stream]
    assert lines == list(range(2, 2502))
    assert stream.report.rows_read == 2501
    assert [(r.line, r.reason) for r in stream.report.rejected] == [(2502, "bad_id_format")]
    assert seen == [1000, 2000, 2501]
    with pytest.raises(RuntimeError):
        iter(stream)


def test_quarter_parsing() -> None:
    quarter = Quarter.parse("2026q1")
    assert (quarter.start, quarter.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert Quarter.parse("2025Q4").end == dt.date(2025, 12, 31)
    assert Quarter.parse("2024Q1").previous() == Quarter(2023, 4)
    assert str(Quarter(2026, 2)) == "2026Q2"
    for bad in ("2026Q5", "2026-Q1", "26Q1", "2026Q0", ""):
        with pytest.raises(BadPeriod) as caught:
            Quarter.parse(bad)
        assert caught.value.code == "bad_period"


def test_roster_kind_is_not_an_extract(tmp_path: Path) -> None:
    path = write_text(tmp_path / "members.csv", ["household_id"])
    with pytest.raises(ValueError, match="not a department extract"):
        validate_extract(path, "members", "2026Q1")
