"""What the policy engine reads: a household snapshot and the application.

Plain frozen data, built from a case file, an API body, the 试算 form or the
registry; the rules never see where it came from. Money is Decimal yuan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from jiuzhu.domain.identity import age_on


class Programme(StrEnum):
    DIBAO = "dibao"
    TEKUN = "tekun"
    LOW_INCOME = "low_income_recognition"
    TEMP_AID = "temp_aid"
    AUTO = "auto"  # 一次申请、分类认定: find the programme the household fits


class Category(StrEnum):
    """household_category: what the household is recognised as."""

    DIBAO = "dibao"
    NEAR_DIBAO = "near_dibao"
    RIGID_EXPENSE = "rigid_expense"
    TEKUN = "tekun"
    NONE = "none"


RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
LABOR_ABILITIES = ("full", "partial", "none")
DISABILITY_KINDS = ("physical", "intellectual", "mental", "visual", "hearing", "speech", "multiple")
HEALTH = ("healthy", "chronic", "serious")
EMPLOYMENT = ("employed", "flexible", "unemployed", "retired", "none")
SELF_CARE_ITEMS = ("eating", "dressing", "bed_transfer", "toileting", "walking_indoors", "bathing")
#: Members who are not counted in the household (不计入共同生活家庭成员, domain.md §3).
EXCLUSIONS = ("prison", "compulsory_rehab", "missing_by_court", "clergy_away")

#: Income categories, monthly yuan (domain.md §3; the case format's names).
COUNTED_INCOME = ("wage", "business", "property", "transfer_in", "pension_other", "other")
DEDUCTED_INCOME = ("transfer_out",)
NOT_COUNTED_INCOME = ("pension_basic", "disregarded")
INCOME_CATEGORIES = COUNTED_INCOME + DEDUCTED_INCOME + NOT_COUNTED_INCOME

PROPERTY_USAGES = ("residential", "commercial", "other")
VEHICLE_KINDS = ("car", "truck", "motorcycle", "e_bike", "disability", "other")
#: Vehicles never counted against the household, whatever their value.
EXEMPT_VEHICLE_KINDS = ("motorcycle", "e_bike", "disability")
BUSINESS_KINDS = ("micro_shop", "individual", "company")
EXPENSE_KINDS = ("medical_selfpaid", "education", "disability_rehab")
AID_KINDS = ("emergency", "expense")
AID_CAUSES = (
    "fire",
    "natural_disaster",
    "accident",
    "sudden_illness",
    "crime",
    "medical_expense",
    "education_expense",
    "other",
)


class IncomeBasis(StrEnum):
    """Which figure an income line uses: 申报 < 核实 < 入户评估."""

    DECLARED = "declared"
    VERIFIED = "verified"
    ASSESSED = "assessed"


@dataclass(frozen=True)
class AssessedIncome:
    """A monthly amount set at the home visit for undocumented work, with its reason."""

    amount: Decimal
    reason: str


@dataclass(frozen=True)
class Member:
    key: str
    birth_date: dt.date
    relation: str = "other"
    labor_ability: str = "none"
    disability_grade: int = 0
    disability_kind: str | None = None
    health: str = "healthy"
    is_student: bool = False
    employment: str = "none"
    self_care_impossible: frozenset[str] = frozenset()
    monthly_income: dict[str, Decimal] = field(default_factory=dict)  # declared
    verified_income: dict[str, Decimal] = field(default_factory=dict)
    assessed_income: dict[str, AssessedIncome] = field(default_factory=dict)
    excluded: str | None = None  # one of EXCLUSIONS: not counted in the household
    name: str = ""  # display only (the 试算 page); never used by a rule

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def counted(self) -> bool:
        return self.excluded is None

    def label(self) -> str:
        return self.name or self.key


@dataclass(frozen=True)
class Property:
    usage: str = "residential"


@dataclass(frozen=True)
class Vehicle:
    kind: str = "car"
    value: Decimal = Decimal("0")


@dataclass(frozen=True)
class Business:
    kind: str = "individual"
    exempt_after_review: bool = False  # a micro shop kept after review (小微经营经审核保留)


@dataclass(frozen=True)
class Assets:
    financial: Decimal = Decimal("0")
    properties: tuple[Property, ...] = ()
    vehicles: tuple[Vehicle, ...] = ()
    businesses: tuple[Business, ...] = ()


@dataclass(frozen=True)
class Supporter:
    """A legal supporter living elsewhere (特困: 法定赡养、抚养、扶养义务人)."""

    relation: str = "other"
    able: bool = True


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    assets: Assets = Assets()
    expenses_12m: dict[str, Decimal] = field(default_factory=dict)
    supporters: tuple[Supporter, ...] = ()

    def counted_members(self) -> tuple[Member, ...]:
        return tuple(member for member in self.members if member.counted)

    def member(self, key: str) -> Member:
        for member in self.members:
            if member.key == key:
                return member
        raise KeyError(key)


@dataclass(frozen=True)
class CurrentBenefit:
    """What a recipient household receives now (for 渐退)."""

    programme: str
    amount: Decimal


@dataclass(frozen=True)
class PriorAid:
    on: dt.date
    cause: str


@dataclass(frozen=True)
class AidRequest:
    """A 临时救助 request: the amount asked for, the kind and cause of the event."""

    amount: Decimal
    cause: str
    kind: str = "emergency"
    prior: tuple[PriorAid, ...] = ()


@dataclass(frozen=True)
class Application:
    """One assessment: who asks for what, about which household, at which date."""

    programme: Programme
    applicant: str
    as_of: dt.date
    household: Household
    parameters: str = "demo"  # a parameter set name or a division code
    overrides: dict[str, object] = field(default_factory=dict)
    current: CurrentBenefit | None = None
    request: AidRequest | None = None
    name: str = ""
