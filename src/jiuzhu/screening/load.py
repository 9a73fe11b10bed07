"""Validated exchange rows → Parquet files the screening engine reads.

Layout under a data directory::

    roster/households.parquet
    roster/members.parquet
    extracts/<QUARTER>/<kind>.parquet      e.g. extracts/2026Q1/tax_income.parquet

Every ID number is replaced by its keyed blind index (the registry's
`KeyRing.blind_index(…, purpose="id_number")`, so extracts and registry
match on the same value) in a column `id_index`; no clear ID number and no
name is written. Money is integer fen (int64), dates are date32, a month is
the date of its first day. Each file is written to a temporary name beside
its target and moved into place with `os.replace`, so a re-written quarter
replaces its files atomically and a failed write leaves the old file whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from jiuzhu.exchange import (
    EXTRACT_KINDS,
    BadPeriod,
    BusinessRow,
    DeathRow,
    ExtractRow,
    FileKind,
    FileReport,
    HrssBenefitRow,
    MedicalSettlementRow,
    MemberRow,
    PropertyRow,
    Quarter,
    RosterResult,
    TaxIncomeRow,
    VehicleRow,
)
from jiuzhu.exchange.periods import as_quarter
from jiuzhu.protection.sm import KeyRing

ID_PURPOSE = "id_number"

HOUSEHOLDS_SCHEMA = pa.schema(
    [
        ("household_id", pa.string()),
        ("region_code", pa.string()),
        ("program", pa.string()),
        ("review_class", pa.string()),
        ("enrolled_on", pa.date32()),
        ("last_verified_on", pa.date32()),
        ("monthly_benefit_fen", pa.int64()),
        ("declared_monthly_income_fen", pa.int64()),
    ]
)
MEMBERS_SCHEMA = pa.schema(
    [
        ("household_id", pa.string()),
        ("id_index", pa.string()),
        ("relation", pa.string()),
        ("labor_ability", pa.string()),
        ("disability_grade", pa.int8()),
        ("health", pa.string()),
        ("is_student", pa.bool_()),
        ("employment", pa.string()),
    ]
)
EXTRACT_SCHEMAS: dict[FileKind, pa.Schema] = {
    FileKind.TAX_INCOME: pa.schema(
        [
            ("id_index", pa.string()),
            ("month", pa.date32()),
            ("category", pa.string()),
            ("amount_fen", pa.int64()),
        ]
    ),
    FileKind.HRSS_BENEFITS: pa.schema(
        [
            ("id_index", pa.string()),
            ("month", pa.date32()),
            ("benefit_type", pa.string()),
            ("amount_fen", pa.int64()),
        ]
    ),
    FileKind.MEDICAL_SETTLEMENTS: pa.schema(
        [
            ("id_index", pa.string()),
            ("settled_on", pa.date32()),
            ("total_cost_fen", pa.int64()),
            ("fund_paid_fen", pa.int64()),
            ("self_paid_fen", pa.int64()),
        ]
    ),
    FileKind.PROPERTY_REGISTRY: pa.schema(
        [
            ("id_index", pa.string()),
            ("property_id", pa.string()),
            ("usage", pa.string()),
            ("area_m2", pa.decimal128(18, 6)),
            ("registered_on", pa.date32()),
        ]
    ),
    FileKind.VEHICLE_REGISTRY: pa.schema(
        [
            ("id_index", pa.string()),
            ("plate", pa.string()),
            ("vehicle_type", pa.string()),
            ("registered_on", pa.date32()),
        ]
    ),
    FileKind.BUSINESS_REGISTRY: pa.schema(
        [
            ("id_index", pa.string()),
            ("credit_code", pa.string()),
            ("role", pa.string()),
            ("established_on", pa.date32()),
        ]
    ),
    FileKind.DEATH_RECORDS: pa.schema(
        [
            ("id_index", pa.string()),
            ("died_on", pa.date32()),
        ]
    ),
}


def fen(amount: Decimal) -> int:
    """Yuan with at most two places → integer fen, exactly (no float on the way)."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"金额 {amount} 超过两位小数")
    return int(cents)


def roster_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "roster"


def extract_path(data_dir: Path, quarter: Quarter | str, kind: FileKind | str) -> Path:
    return Path(data_dir) / "extracts" / str(as_quarter(quarter)) / f"{FileKind(kind)}.parquet"


def _write_atomically(table: pa.Table, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _table(schema: pa.Schema, rows: Iterable[Sequence[Any]]) -> pa.Table:
    columns: list[list[Any]] = [[] for _ in schema.names]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


Index = Callable[[str], str]


def _indexer(keyring: KeyRing) -> Index:
    return keyring.blind_indexer(purpose=ID_PURPOSE)


def write_roster(roster: RosterResult, data_dir: Path, *, keyring: KeyRing) -> None:
    """Write the roster's households and members (names and addresses are not written)."""
    index = _indexer(keyring)
    households = _table(
        HOUSEHOLDS_SCHEMA,
        (
            (
                h.household_id,
                h.region_code,
                h.program,
                h.review_class,
                h.enrolled_on,
                h.last_verified_on,
                fen(h.monthly_benefit),
                fen(h.declared_monthly_income),
            )
            for h in roster.households
        ),
    )
    members = _table(MEMBERS_SCHEMA, (_member(m, index) for m in roster.members))
    _write_atomically(households, roster_dir(data_dir) / "households.parquet")
    _write_atomically(members, roster_dir(data_dir) / "members.parquet")


def write_roster_rows(
    households: Iterable[Sequence[Any]], members: Iterable[Sequence[Any]], data_dir: Path
) -> None:
    """Write a roster whose ID numbers are already blind indexes (the registry keeps them so:
    the roster of record is exported without decrypting anything). Rows follow
    `HOUSEHOLDS_SCHEMA` and `MEMBERS_SCHEMA`."""
    _write_atomically(
        _table(HOUSEHOLDS_SCHEMA, households), roster_dir(data_dir) / "households.parquet"
    )
    _write_atomically(_table(MEMBERS_SCHEMA, members), roster_dir(data_dir) / "members.parquet")


def _member(m: MemberRow, index: Index) -> tuple[Any, ...]:
    return (
        m.household_id,
        index(m.id_number),
        m.relation,
        m.labor_ability,
        m.disability_grade,
        m.health,
        m.is_student,
        m.employment,
    )


def _extract_values(row: ExtractRow, index: Index) -> tuple[Any, ...]:
    match row:
        case TaxIncomeRow():
            return (index(row.id_number), row.month, row.category, fen(row.amount))
        case HrssBenefitRow():
            return (index(row.id_number), row.month, row.benefit_type, fen(row.amount))
        case MedicalSettlementRow():
            return (
                index(row.id_number),
                row.settled_on,
                fen(row.total_cost),
                fen(row.fund_paid),
                fen(row.self_paid),
            )
        case PropertyRow():
            return (
                index(row.id_number),
                row.property_id,
                row.usage,
                row.area_m2,
                row.registered_on,
            )
        case VehicleRow():
            return (index(row.id_number), row.plate, row.vehicle_type, row.registered_on)
        case BusinessRow():
            return (index(row.id_number), row.credit_code, row.role, row.established_on)
        case DeathRow():
            return (index(row.id_number), row.died_on)
    raise TypeError(f"not an extract row: {type(row).__name__}")


def write_extract(
    rows: Iterable[ExtractRow],
    kind: FileKind | str,
    quarter: Quarter | str,
    data_dir: Path,
    *,
    keyring: KeyRing,
) -> Path:
    """Write one department's extract for one quarter, replacing any earlier one."""
    kind = FileKind(kind)
    if kind not in EXTRACT_KINDS:
        raise ValueError(f"{kind} is not a department extract")
    index = _indexer(keyring)
    table = _table(EXTRACT_SCHEMAS[kind], (_extract_values(row, index) for row in rows))
    target = extract_path(data_dir, quarter, kind)
    _write_atomically(table, target)
    return target


@dataclass(frozen=True, slots=True)
class LoadedFile:
    kind: FileKind
    path: Path
    report: FileReport
    unchanged: bool = False  # the same bytes were already loaded for this kind and quarter


def loaded_quarters(data_dir: Path, kind: FileKind | str, *, up_to: Quarter | str) -> list[Quarter]:
    """The quarters ≤ `up_to` for which `kind` has been written, oldest first."""
    up_to = as_quarter(up_to)
    root = Path(data_dir) / "extracts"
    if not root.is_dir():
        return []
    found: list[Quarter] = []
    for folder in root.iterdir():
        try:
            quarter = Quarter.parse(folder.name)
        except BadPeriod:
            continue
        if quarter <= up_to and (folder / f"{FileKind(kind)}.parquet").is_file():
            found.append(quarter)
    return sorted(found)
