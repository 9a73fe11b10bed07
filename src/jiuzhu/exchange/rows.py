"""Typed rows that passed validation, one small slotted dataclass per file kind.

Fields are in the standard's column order, after `line` (the physical line
where the record starts; not part of equality, so two rows compare equal
exactly when they are duplicates after normalisation). ID numbers are the
normalised 18-character string (trimmed, upper-case): what is stored and
matched; `jiuzhu.domain.identity.parse_resident_id` rebuilds a `ResidentId`
when the birth date or sex is needed. Money is `Decimal` with two places,
codes are canonical English words, a month is the `date` of its first day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class DivisionRow:
    line: int = field(compare=False)
    code: str
    name: str
    level: str  # county | township | community
    parent_code: str | None  # None for a county


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    line: int = field(compare=False)
    household_id: str
    region_code: str
    address: str
    program: str
    review_class: str  # A | B | C
    enrolled_on: dt.date
    last_verified_on: dt.date | None
    monthly_benefit: Decimal
    declared_monthly_income: Decimal


@dataclass(frozen=True, slots=True)
class MemberRow:
    line: int = field(compare=False)
    household_id: str
    id_number: str
    name: str
    relation: str  # head | spouse | child | parent | grandchild | sibling | other
    labor_ability: str  # full | partial | none
    disability_grade: int  # 0 none, 1 (most severe) … 4
    health: str  # healthy | chronic | serious
    is_student: bool
    employment: str  # employed | flexible | unemployed | retired | none


@dataclass(frozen=True, slots=True)
class TaxIncomeRow:
    line: int = field(compare=False)
    id_number: str
    month: dt.date  # first day of the month
    category: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class HrssBenefitRow:
    line: int = field(compare=False)
    id_number: str
    month: dt.date  # first day of the month
    benefit_type: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MedicalSettlementRow:
    line: int = field(compare=False)
    id_number: str
    settled_on: dt.date
    total_cost: Decimal
    fund_paid: Decimal
    self_paid: Decimal


@dataclass(frozen=True, slots=True)
class PropertyRow:
    line: int = field(compare=False)
    id_number: str
    property_id: str
    usage: str
    area_m2: Decimal
    registered_on: dt.date


@dataclass(frozen=True, slots=True)
class VehicleRow:
    line: int = field(compare=False)
    id_number: str
    plate: str
    vehicle_type: str
    registered_on: dt.date


@dataclass(frozen=True, slots=True)
class BusinessRow:
    line: int = field(compare=False)
    id_number: str
    credit_code: str
    role: str
    established_on: dt.date


@dataclass(frozen=True, slots=True)
class DeathRow:
    line: int = field(compare=False)
    id_number: str
    died_on: dt.date


RosterRow = DivisionRow | HouseholdRow | MemberRow
ExtractRow = (
    TaxIncomeRow
    | HrssBenefitRow
    | MedicalSettlementRow
    | PropertyRow
    | VehicleRow
    | BusinessRow
    | DeathRow
)
