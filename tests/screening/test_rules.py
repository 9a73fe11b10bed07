"""The six rules on small hand-made tables, at their near misses (edge_cases.csv's scenarios).

Rows are built as the exchange validators would return them and written
with `jiuzhu.screening.load`; Q is 2026Q1 (2026-01-01 to 2026-03-31), the
quarter before is 2025Q4, the 12 months run from 2025-04-01.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from jiuzhu.exchange import (
    BusinessRow,
    DeathRow,
    ExtractRow,
    HouseholdRow,
    HrssBenefitRow,
    ImportReport,
    MedicalSettlementRow,
    MemberRow,
    PropertyRow,
    RosterResult,
    TaxIncomeRow,
    VehicleRow,
)
from jiuzhu.protection.sm import KeyRing
from jiuzhu.screening import Thresholds, screen, write_extract, write_roster
from jiuzhu.screening.load import ID_PURPOSE, fen
from tests.exchange.helpers import make_id

Q = "2026Q1"
VERIFIED = dt.date(2025, 6, 30)
THRESHOLDS = Thresholds(income_swing_ratio=Fraction(1, 5), medical_burden_ratio=Fraction(3, 10))


def _id(n: int) -> str:
    return make_id(order=n)


def _household(
    hid: str, *, declared: str = "0.00", verified: dt.date | None = VERIFIED
) -> HouseholdRow:
    return HouseholdRow(
        line=0,
        household_id=hid,
        region_code="510104001001",
        address="测试地址",
        program="dibao",
        review_class="B",
        enrolled_on=dt.date(2020, 1, 1),
        last_verified_on=verified,
        monthly_benefit=Decimal("500.00"),
        declared_monthly_income=Decimal(declared),
    )


def _member(hid: str, n: int) -> MemberRow:
    return MemberRow(0, hid, _id(n), "测试", "head", "full", 0, "healthy", False, "employed")


def _tax(n: int, month: str, amount: str) -> TaxIncomeRow:
    return TaxIncomeRow(0, _id(n), dt.date.fromisoformat(month + "-01"), "wage", Decimal(amount))


def _write(
    data_dir: Path,
    keyring: KeyRing,
    households: list[HouseholdRow],
    extracts: dict[tuple[str, str], list[ExtractRow]],
) -> None:
    members = [_member(h.household_id, i + 1) for i, h in enumerate(households)]
    write_roster(RosterResult([], households, members, ImportReport()), data_dir, keyring=keyring)
    for (quarter, kind), rows in extracts.items():
        write_extract(rows, kind, quarter, data_dir, keyring=keyring)


def _fired(con: Any, data_dir: Path, rule: str) -> set[str]:
    # One rule per call: a Spark query has a fixed cost of seconds whatever its size.
    return {w.household_id for w in screen(con, data_dir, Q, THRESHOLDS, rules=(rule,))}


def test_income_swing_near_misses(tmp_path: Path, keyring: KeyRing, con: Any) -> None:
    # household n ↔ member _id(n); (previous quarter, this quarter) per household
    cases = {
        "EXACT_UP": ("1000.00", "1200.00"),  # exactly 20%: no
        "EXACT_DOWN": ("1000.00", "800.00"),  # exactly 20%: no
        "OVER_UP": ("1000.00", "1200.10"),  # 20.01%: fires
        "OVER_DOWN": ("1000.00", "799.90"),  # 20.01%: fires
        "ZERO_TO_SOME": ("0.00", "0.01"),  # e = 0, q > 0: fires
        "ZERO_ZERO": ("0.00", "0.00"),  # nothing: no
        "SOME_TO_ZERO": ("500.00", "0.00"),  # 100% down: fires
    }
    households = [_household(hid) for hid in cases]
    tax_prev: list[ExtractRow] = []
    tax_q: list[ExtractRow] = []
    hrss_q: list[ExtractRow] = []
    for n, (prev, now) in enumerate(cases.values(), start=1):
        tax_prev.append(_tax(n, "2025-11", prev))
        # this quarter's income split over tax and HRSS, across two months
        half = (Decimal(now) / 2).quantize(Decimal("0.01"))
        tax_q.append(_tax(n, "2026-01", str(half)))
        hrss_q.append(
            HrssBenefitRow(0, _id(n), dt.date(2026, 3, 1), "pension", Decimal(now) - half)
        )
    _write(
        tmp_path,
        keyring,
        households,
        {
            ("2025Q4", "tax_income"): tax_prev,
            (Q, "tax_income"): tax_q,
            (Q, "hrss_benefits"): hrss_q,
        },
    )
    assert _fired(con, tmp_path, "INCOME_SWING") == {
        "OVER_UP",
        "OVER_DOWN",
        "ZERO_TO_SOME",
        "SOME_TO_ZERO",
    }
    swings = screen(con, tmp_path, Q, THRESHOLDS, rules=("INCOME_SWING",))
    warning = next(w for w in swings if w.household_id == "OVER_UP")
    assert warning.details == {
        "quarter_income_fen": 120010,
        "previous_quarter_income_fen": 100000,
    }
    assert warning.members == (keyring.blind_index(_id(3), purpose=ID_PURPOSE),)


def test_income_swing_threshold_is_a_parameter(tmp_path: Path, keyring: KeyRing, con: Any) -> None:
    _write(
        tmp_path,
        keyring,
        [_household("H")],
        {
            ("2025Q4", "tax_income"): [_tax(1, "2025-10", "1000.00")],
            (Q, "tax_income"): [_tax(1, "2026-02", "1100.00")],
        },
    )
    low = Thresholds(income_swing_ratio=Fraction(1, 10) - Fraction(1, 10_000))
    assert [w.rule for w in screen(con, tmp_path, Q, low)] == ["INCOME_SWING"]
    assert screen(con, tmp_path, Q, Thresholds(income_swing_ratio=Fraction(1, 10))) == []


def test_assets_registered_on_last_verified_on_do_not_fire(
    tmp_path: Path, keyring: KeyRing, con: Any
) -> None:
    day_after = VERIFIED + dt.timedelta(days=1)
    households = [
        _household("P_EQ"),
        _household("P_P1"),
        _household("V_EQ"),
        _household("V_P1"),
        _household("B_EQ"),
        _household("B_P1"),
        _household("P_ENROLLED", verified=None),  # falls back to enrolled_on 2020-01-01
        _household("P_OLD_SNAPSHOT"),  # sold before Q: only in the 2025Q4 snapshot
        _household("P_AFTER_Q"),
    ]
    _write(
        tmp_path,
        keyring,
        households,
        {
            ("2025Q4", "property_registry"): [
                PropertyRow(0, _id(8), "OLD", "residential", Decimal("50.00"), day_after)
            ],
            (Q, "property_registry"): [
                PropertyRow(0, _id(1), "U1", "residential", Decimal("80.50"), VERIFIED),
                PropertyRow(0, _id(2), "U2", "commercial", Decimal("30.00"), day_after),
                PropertyRow(0, _id(7), "U7", "other", Decimal("10.00"), dt.date(2020, 1, 2)),
                PropertyRow(0, _id(9), "U9", "other", Decimal("10.00"), dt.date(2026, 4, 1)),
            ],
            (Q, "vehicle_registry"): [
                VehicleRow(0, _id(3), "川A12345", "car", VERIFIED),
                VehicleRow(0, _id(4), "川A54321", "car", day_after),
            ],
            (Q, "business_registry"): [
                BusinessRow(0, _id(5), "91510100MA0000000X", "legal_rep", VERIFIED),
                BusinessRow(0, _id(6), "91510100MA0000001X", "shareholder", day_after),
            ],
        },
    )
    assert _fired(con, tmp_path, "NEW_PROPERTY") == {"P_P1", "P_ENROLLED"}
    assert _fired(con, tmp_path, "NEW_VEHICLE") == {"V_P1"}
    assert _fired(con, tmp_path, "NEW_BUSINESS") == {"B_P1"}
    properties = screen(con, tmp_path, Q, THRESHOLDS, rules=("NEW_PROPERTY",))
    p1 = next(w for w in properties if w.household_id == "P_P1")
    assert p1.details["items"] == ["U2"]
    assert p1.details["reference_date"] == VERIFIED.isoformat()
    assert p1.details["first_dated_on"] == day_after.isoformat()


def test_medical_burden_near_misses(tmp_path: Path, keyring: KeyRing, con: Any) -> None:
    # declared 1000.00 a month → annual 12,000.00; 30% of it is 3,600.00
    households = [
        _household("M30", declared="1000.00"),
        _household("M3001", declared="1000.00"),
        _household("MOUT", declared="0.00"),  # only a settlement just before the window
        _household("Z1", declared="0.00"),  # annual income 0, any cost: fires
        _household("MIN", declared="0.00"),  # extract income larger than declared
        _household("NONE", declared="0.00"),  # no settlement at all
    ]

    def settlement(n: int, on: dt.date, paid: str) -> MedicalSettlementRow:
        return MedicalSettlementRow(
            0, _id(n), on, Decimal("9999.00"), Decimal("1.00"), Decimal(paid)
        )

    _write(
        tmp_path,
        keyring,
        households,
        {
            ("2025Q1", "medical_settlements"): [settlement(3, dt.date(2025, 3, 31), "5000.00")],
            ("2025Q2", "medical_settlements"): [
                settlement(1, dt.date(2025, 4, 1), "1800.00"),
                settlement(2, dt.date(2025, 4, 1), "1800.00"),
            ],
            (Q, "medical_settlements"): [
                settlement(1, dt.date(2026, 3, 31), "1800.00"),
                settlement(2, dt.date(2026, 3, 31), "1800.01"),
                settlement(4, dt.date(2026, 2, 1), "0.01"),
                settlement(5, dt.date(2026, 2, 1), "3000.01"),
            ],
            ("2025Q4", "tax_income"): [_tax(5, "2025-12", "10000.00")],
            (Q, "tax_income"): [_tax(5, "2026-01", "0.00")],
        },
    )
    assert _fired(con, tmp_path, "MEDICAL_BURDEN") == {"M3001", "Z1", "MIN"}
    burdens = screen(con, tmp_path, Q, THRESHOLDS, rules=("MEDICAL_BURDEN",))
    warnings = {w.household_id: w for w in burdens}
    assert warnings["M3001"].direction == "outreach"
    assert warnings["M3001"].details["self_paid_fen"] == 360001
    assert warnings["M3001"].details["annual_income_fen"] == 1200000
    assert warnings["MIN"].details["extract_income_fen"] == 1000000


def test_member_deceased_by_the_end_of_q(tmp_path: Path, keyring: KeyRing, con: Any) -> None:
    _write(
        tmp_path,
        keyring,
        [_household("D_OLD"), _household("D_Q"), _household("D_LATER")],
        {
            ("2025Q4", "death_records"): [DeathRow(0, _id(1), dt.date(2019, 5, 1))],
            (Q, "death_records"): [DeathRow(0, _id(2), dt.date(2026, 3, 31))],
            # registered in a later quarter than Q: not loaded for Q
            ("2026Q2", "death_records"): [DeathRow(0, _id(3), dt.date(2026, 4, 2))],
        },
    )
    assert _fired(con, tmp_path, "MEMBER_DECEASED") == {"D_OLD", "D_Q"}


def test_rewriting_a_quarter_replaces_its_file(tmp_path: Path, keyring: KeyRing) -> None:
    first = write_extract([_tax(1, "2026-01", "1.00")], "tax_income", Q, tmp_path, keyring=keyring)
    again = write_extract(
        [_tax(1, "2026-01", "2.50"), _tax(2, "2026-02", "0.10")],
        "tax_income",
        Q,
        tmp_path,
        keyring=keyring,
    )
    assert first == again == tmp_path / "extracts" / Q / "tax_income.parquet"
    table = pq.read_table(again)
    assert table.column("amount_fen").to_pylist() == [250, 10]
    assert str(table.schema.field("month").type) == "date32[day]"
    assert str(table.schema.field("amount_fen").type) == "int64"
    assert sorted(p.name for p in again.parent.iterdir()) == ["tax_income.parquet"]


def test_money_to_fen_is_exact() -> None:
    assert fen(Decimal("1234567890123.45")) == 123456789012345
    assert fen(Decimal("0.1")) == 10
    with pytest.raises(ValueError, match="两位小数"):
        fen(Decimal("0.001"))
