"""The six screening rules of data-exchange.md §3, written once as Ibis expressions.

Each rule is a function of the loaded tables (`Tables`), the quarter and the
thresholds that returns a table with one row per household that fires:
`household_id`, `members` (the blind indexes involved, sorted) and the
figures that triggered it. The expressions use nothing backend-specific, so
the same code runs on whichever Ibis backend `screen` is given: DuckDB by
default, Spark for a province (`jiuzhu.screening.backends`; the two give the
same warning lists, tests/screening/test_engines_agree.py).

Arithmetic is exact: money is integer fen and a ratio `num/den` is compared
as `x * den > num * y`, so exactly 20% does not fire and 20.01% does. The
products stay int64 (any real amount is far below 2**63 / den); past that,
Spark in ANSI mode raises rather than wrap, while DuckDB sums in 128 bits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from jiuzhu.exchange import FileKind, Quarter
from jiuzhu.exchange.periods import as_quarter
from jiuzhu.screening.load import (
    EXTRACT_SCHEMAS,
    HOUSEHOLDS_SCHEMA,
    MEMBERS_SCHEMA,
    extract_path,
    loaded_quarters,
    roster_dir,
)

INCOME_SWING = "INCOME_SWING"
MEDICAL_BURDEN = "MEDICAL_BURDEN"
NEW_PROPERTY = "NEW_PROPERTY"
NEW_VEHICLE = "NEW_VEHICLE"
NEW_BUSINESS = "NEW_BUSINESS"
MEMBER_DECEASED = "MEMBER_DECEASED"
RULES = (INCOME_SWING, MEDICAL_BURDEN, NEW_PROPERTY, NEW_VEHICLE, NEW_BUSINESS, MEMBER_DECEASED)

Direction = Literal["review", "outreach"]
# MEDICAL_BURDEN: may need more help (应救尽救); the others: may no longer qualify (应退尽退).
DIRECTIONS: dict[str, Direction] = {
    INCOME_SWING: "review",
    MEDICAL_BURDEN: "outreach",
    NEW_PROPERTY: "review",
    NEW_VEHICLE: "review",
    NEW_BUSINESS: "review",
    MEMBER_DECEASED: "review",
}

DetailValue = int | str | list[str]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The policy parameters of §3 as exact ratios (taken at the last day of Q by the caller)."""

    income_swing_ratio: Fraction = Fraction(1, 5)
    medical_burden_ratio: Fraction = Fraction(3, 10)

    def __post_init__(self) -> None:
        for name in ("income_swing_ratio", "medical_burden_ratio"):
            value = getattr(self, name)
            if not isinstance(value, Fraction) or value < 0:
                raise ValueError(f"{name} must be a non-negative Fraction, not {value!r}")


@dataclass(frozen=True, slots=True)
class ScreeningWarning:
    """One entry of the warning list (预警清单)."""

    household_id: str
    rule: str
    members: tuple[str, ...]  # blind indexes of the members involved
    details: dict[str, DetailValue] = field(compare=False, hash=False)
    direction: Direction


@dataclass(frozen=True, slots=True)
class Tables:
    """The roster and the extracts loaded for quarters ≤ Q, as Ibis tables.

    Income, medical and death tables are the union of every loaded quarter;
    the asset tables are the latest snapshot loaded for a quarter ≤ Q.
    """

    households: ir.Table
    members: ir.Table
    tax_income: ir.Table
    hrss_benefits: ir.Table
    medical_settlements: ir.Table
    property_registry: ir.Table
    vehicle_registry: ir.Table
    business_registry: ir.Table
    death_records: ir.Table


def _empty(schema: pa.Schema) -> ir.Table:
    return ibis.memtable(schema.empty_table())


def open_tables(con: BaseBackend, data_dir: Path, quarter: Quarter | str) -> Tables:
    """Register the Parquet files of `data_dir` (see `jiuzhu.screening.load`) with `con`."""
    quarter = as_quarter(quarter)
    data_dir = Path(data_dir)

    def read(path: Path, schema: pa.Schema) -> ir.Table:
        # One schema whichever writer made the file: DuckDB marks a column REQUIRED
        # when it held no null, pyarrow does not, and unions need equal schemas.
        return con.read_parquet(path).cast(ibis.Schema.from_pyarrow(schema))

    def union_of(kind: FileKind) -> ir.Table:
        tables = [
            read(extract_path(data_dir, q, kind), EXTRACT_SCHEMAS[kind])
            for q in loaded_quarters(data_dir, kind, up_to=quarter)
        ]
        if not tables:
            return _empty(EXTRACT_SCHEMAS[kind])
        return tables[0] if len(tables) == 1 else ibis.union(*tables, distinct=False)

    def latest(kind: FileKind) -> ir.Table:
        quarters = loaded_quarters(data_dir, kind, up_to=quarter)
        if not quarters:
            return _empty(EXTRACT_SCHEMAS[kind])
        return read(extract_path(data_dir, quarters[-1], kind), EXTRACT_SCHEMAS[kind])

    roster = roster_dir(data_dir)
    households = roster / "households.parquet"
    members = roster / "members.parquet"
    return Tables(
        households=(
            read(households, HOUSEHOLDS_SCHEMA)
            if households.is_file()
            else _empty(HOUSEHOLDS_SCHEMA)
        ),
        members=read(members, MEMBERS_SCHEMA) if members.is_file() else _empty(MEMBERS_SCHEMA),
        tax_income=union_of(FileKind.TAX_INCOME),
        hrss_benefits=union_of(FileKind.HRSS_BENEFITS),
        medical_settlements=union_of(FileKind.MEDICAL_SETTLEMENTS),
        property_registry=latest(FileKind.PROPERTY_REGISTRY),
        vehicle_registry=latest(FileKind.VEHICLE_REGISTRY),
        business_registry=latest(FileKind.BUSINESS_REGISTRY),
        death_records=union_of(FileKind.DEATH_RECORDS),
    )


def twelve_months_start(quarter: Quarter) -> dt.date:
    """First day of Q−3: the 12 months ending with Q start here (2026Q1 → 2025-04-01)."""
    return quarter.previous().previous().previous().start


def _between(column: ir.DateValue, start: dt.date, end: dt.date) -> ir.BooleanValue:
    return (column >= ibis.date(start)) & (column <= ibis.date(end))


def _income(t: Tables) -> ir.Table:
    """Income rows of the members: tax income and HRSS benefits, (id_index, month, amount_fen)."""
    tax = t.tax_income.select("id_index", "month", "amount_fen")
    hrss = t.hrss_benefits.select("id_index", "month", "amount_fen")
    return ibis.union(tax, hrss, distinct=False)


def _household_sum(
    rows: ir.Table, t: Tables, value: str, when: ir.BooleanValue | None = None
) -> ir.Table:
    """Per household: the sum of `value` and the members with rows (filtered by `when`)."""
    if when is not None:
        rows = rows.filter(when)
    joined = rows.join(t.members.select("household_id", "id_index"), "id_index")
    return joined.group_by("household_id").aggregate(
        total=joined[value].sum(), members=joined.id_index.collect(distinct=True).sort()
    )


def income_swing(t: Tables, quarter: Quarter, thresholds: Thresholds) -> ir.Table:
    ratio = thresholds.income_swing_ratio
    income = _income(t)
    prev = quarter.previous()
    windowed = income.filter(_between(income.month, prev.start, quarter.end)).join(
        t.members.select("household_id", "id_index"), "id_index"
    )
    in_q = _between(windowed.month, quarter.start, quarter.end)
    per_household = windowed.group_by("household_id").aggregate(
        quarter_income_fen=in_q.ifelse(windowed.amount_fen, 0).sum(),
        previous_quarter_income_fen=in_q.ifelse(0, windowed.amount_fen).sum(),
        members=windowed.id_index.collect(distinct=True).sort(),
    )
    q = per_household.quarter_income_fen
    e = per_household.previous_quarter_income_fen
    fires = ((e > 0) & ((q - e).abs() * ratio.denominator > e * ratio.numerator)) | (
        (e == 0) & (q > 0)
    )
    return per_household.filter(fires)


def medical_burden(t: Tables, quarter: Quarter, thresholds: Thresholds) -> ir.Table:
    ratio = thresholds.medical_burden_ratio
    start, end = twelve_months_start(quarter), quarter.end
    med = t.medical_settlements
    cost = _household_sum(med, t, "self_paid_fen", _between(med.settled_on, start, end)).rename(
        self_paid_fen="total"
    )
    income = _income(t)
    extract_income = _household_sum(
        income, t, "amount_fen", _between(income.month, start, end)
    ).select("household_id", extract_income_fen="total")
    households = t.households.select(
        "household_id", declared_annual_income_fen=t.households.declared_monthly_income_fen * 12
    )
    joined = cost.join(households, "household_id").left_join(
        extract_income, "household_id", rname="{name}_income"
    )
    joined = joined.mutate(extract_income_fen=joined.extract_income_fen.fill_null(0))
    joined = joined.mutate(
        annual_income_fen=ibis.greatest(
            joined.extract_income_fen, joined.declared_annual_income_fen
        )
    )
    paid, annual = joined.self_paid_fen, joined.annual_income_fen
    fires = ((annual > 0) & (paid * ratio.denominator > annual * ratio.numerator)) | (
        (annual == 0) & (paid > 0)
    )
    return joined.filter(fires).select(
        "household_id",
        "members",
        "self_paid_fen",
        "annual_income_fen",
        "extract_income_fen",
        "declared_annual_income_fen",
    )


def _new_asset(t: Tables, quarter: Quarter, assets: ir.Table, item: str, dated: str) -> ir.Table:
    """Members holding an asset dated after the household's last check and by Q's end."""
    households = t.households.select(
        "household_id",
        reference_date=t.households.last_verified_on.fill_null(t.households.enrolled_on),
    )
    held = (
        assets.select("id_index", item=assets[item], dated_on=assets[dated])
        .join(t.members.select("household_id", "id_index"), "id_index")
        .join(households, "household_id")
    )
    new = held.filter(
        (held.dated_on > held.reference_date) & (held.dated_on <= ibis.date(quarter.end))
    )
    return new.group_by("household_id").aggregate(
        members=new.id_index.collect(distinct=True).sort(),
        items=new.item.collect(distinct=True).sort(),
        reference_date=new.reference_date.max(),
        first_dated_on=new.dated_on.min(),
        last_dated_on=new.dated_on.max(),
    )


def new_property(t: Tables, quarter: Quarter, thresholds: Thresholds) -> ir.Table:
    return _new_asset(t, quarter, t.property_registry, "property_id", "registered_on")


def new_vehicle(t: Tables, quarter: Quarter, thresholds: Thresholds) -> ir.Table:
    return _new_asset(t, quarter, t.vehicle_registry, "plate", "registered_on")


def new_business(t: Tables, quarter: Quarter, thresholds: Thresholds) -> ir.Table:
    return _new_asset(t, quarter, t.business_registry, "credit_code", "established_on")


def member_deceased(t: Tables, quarter: Quarter, thresholds: Thresholds) -> ir.Table:
    deaths = t.death_records
    dead = deaths.filter(deaths.died_on <= ibis.date(quarter.end)).join(
        t.members.select("household_id", "id_index"), "id_index"
    )
    return dead.group_by("household_id").aggregate(
        members=dead.id_index.collect(distinct=True).sort(),
        first_died_on=dead.died_on.min(),
        last_died_on=dead.died_on.max(),
    )


Rule = Callable[[Tables, Quarter, Thresholds], ir.Table]
RULE_EXPRESSIONS: dict[str, Rule] = {
    INCOME_SWING: income_swing,
    MEDICAL_BURDEN: medical_burden,
    NEW_PROPERTY: new_property,
    NEW_VEHICLE: new_vehicle,
    NEW_BUSINESS: new_business,
    MEMBER_DECEASED: member_deceased,
}


def _detail(value: Any) -> DetailValue:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, int):
        return value
    return str(value)


def screen(
    con: BaseBackend,
    data_dir: Path,
    quarter: Quarter | str,
    thresholds: Thresholds | None = None,
    *,
    rules: tuple[str, ...] = RULES,
) -> list[ScreeningWarning]:
    """The warning list of `quarter` over the files of `data_dir`, sorted by household and rule.

    `con` is any Ibis backend, usually `jiuzhu.screening.backends.connect(engine)`.
    """
    quarter = as_quarter(quarter)
    thresholds = thresholds or Thresholds()
    tables = open_tables(con, data_dir, quarter)
    warnings: list[ScreeningWarning] = []
    for rule in rules:
        expr = RULE_EXPRESSIONS[rule](tables, quarter, thresholds)
        for row in con.to_pyarrow(expr).to_pylist():
            household_id = row.pop("household_id")
            members = tuple(sorted(row.pop("members") or ()))
            warnings.append(
                ScreeningWarning(
                    household_id=household_id,
                    rule=rule,
                    members=members,
                    details={key: _detail(value) for key, value in row.items()},
                    direction=DIRECTIONS[rule],
                )
            )
    warnings.sort(key=lambda w: (w.household_id, RULES.index(w.rule)))
    return warnings
