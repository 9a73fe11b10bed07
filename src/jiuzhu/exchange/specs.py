"""The file kinds of the data exchange standard, declared in one place.

Each `FileSpec` lists its columns in the standard's order: canonical English
name, Chinese alias, type (which decides the checks and the reason codes)
and whether the header must carry it. Validation order within a row follows
this declaration: the ID column first (blank, format, check character,
birth date), then the other columns in the order written here, then the
cross-row rules (duplicate, conflict).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from jiuzhu.exchange import codes
from jiuzhu.exchange.columns import (
    Area,
    Code,
    ColumnType,
    Date,
    DivisionCode,
    Flag,
    HouseholdRef,
    IdNumber,
    IntRange,
    Money,
    Month,
    PeriodRule,
    RegionRef,
    Text,
)
from jiuzhu.exchange.rows import (
    BusinessRow,
    DeathRow,
    DivisionRow,
    HouseholdRow,
    HrssBenefitRow,
    MedicalSettlementRow,
    MemberRow,
    PropertyRow,
    TaxIncomeRow,
    VehicleRow,
)


class FileKind(StrEnum):
    DIVISIONS = "divisions"
    HOUSEHOLDS = "households"
    MEMBERS = "members"
    TAX_INCOME = "tax_income"
    HRSS_BENEFITS = "hrss_benefits"
    MEDICAL_SETTLEMENTS = "medical_settlements"
    PROPERTY_REGISTRY = "property_registry"
    VEHICLE_REGISTRY = "vehicle_registry"
    BUSINESS_REGISTRY = "business_registry"
    DEATH_RECORDS = "death_records"


ROSTER_KINDS = (FileKind.DIVISIONS, FileKind.HOUSEHOLDS, FileKind.MEMBERS)
EXTRACT_KINDS = (
    FileKind.TAX_INCOME,
    FileKind.HRSS_BENEFITS,
    FileKind.MEDICAL_SETTLEMENTS,
    FileKind.PROPERTY_REGISTRY,
    FileKind.VEHICLE_REGISTRY,
    FileKind.BUSINESS_REGISTRY,
    FileKind.DEATH_RECORDS,
)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str  # canonical English header
    alias: str  # Chinese header
    type: ColumnType
    header_required: bool = True

    @property
    def label(self) -> str:
        """How messages name the column: “身份证号（id_number）”."""
        return f"“{self.alias}（{self.name}）”"


@dataclass(frozen=True, slots=True)
class FileSpec:
    kind: FileKind
    title: str  # Chinese name of the file
    columns: tuple[ColumnSpec, ...]
    row_type: type
    period_rule: PeriodRule  # none: roster; end: snapshot/death; quarter: income/medical

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _col(name: str, alias: str, type_: ColumnType, *, header_required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, alias, type_, header_required)


_ID = IdNumber()
_MONEY = Money()

SPECS: dict[FileKind, FileSpec] = {
    spec.kind: spec
    for spec in (
        FileSpec(
            FileKind.DIVISIONS,
            "行政区划",
            (
                _col("code", "区划代码", DivisionCode()),
                _col("name", "名称", Text(max_length=100)),
                _col("level", "级别", Code(codes.DIVISION_LEVELS)),
                _col("parent_code", "上级代码", DivisionCode(optional=True)),
            ),
            DivisionRow,
            "none",
        ),
        FileSpec(
            FileKind.HOUSEHOLDS,
            "在保家庭",
            (
                _col("household_id", "家庭编号", Text(max_length=32, required=True)),
                _col("region_code", "行政区划代码", RegionRef()),
                _col("address", "住址", Text(max_length=200)),
                _col("program", "救助类别", Code(codes.PROGRAMS)),
                _col("review_class", "复核分类", Code(codes.REVIEW_CLASSES)),
                _col("enrolled_on", "纳入日期", Date()),
                _col("last_verified_on", "最近核查日期", Date(optional=True)),
                _col("monthly_benefit", "月救助金额", _MONEY),
                _col("declared_monthly_income", "申报月收入", _MONEY),
            ),
            HouseholdRow,
            "none",
        ),
        FileSpec(
            FileKind.MEMBERS,
            "家庭成员",
            (
                _col("household_id", "家庭编号", HouseholdRef()),
                _col("id_number", "身份证号", _ID),
                _col("name", "姓名", Text(max_length=50)),
                _col("relation", "与户主关系", Code(codes.RELATIONS)),
                _col("labor_ability", "劳动能力", Code(codes.LABOR_ABILITIES)),
                _col("disability_grade", "残疾等级", IntRange(0, 4)),
                _col("health", "健康状况", Code(codes.HEALTH)),
                _col("is_student", "在校生", Flag()),
                _col("employment", "就业状况", Code(codes.EMPLOYMENT)),
            ),
            MemberRow,
            "none",
        ),
        FileSpec(
            FileKind.TAX_INCOME,
            "税务收入",
            (
                _col("id_number", "身份证号", _ID),
                _col("month", "所属期", Month()),
                _col("category", "所得项目", Code(codes.TAX_CATEGORIES)),
                _col("amount", "收入额", _MONEY),
            ),
            TaxIncomeRow,
            "quarter",
        ),
        FileSpec(
            FileKind.HRSS_BENEFITS,
            "人社待遇",
            (
                _col("id_number", "身份证号", _ID),
                _col("month", "发放月份", Month()),
                _col("benefit_type", "待遇类型", Code(codes.BENEFIT_TYPES)),
                _col("amount", "金额", _MONEY),
            ),
            HrssBenefitRow,
            "quarter",
        ),
        FileSpec(
            FileKind.MEDICAL_SETTLEMENTS,
            "医保结算",
            (
                _col("id_number", "身份证号", _ID),
                _col("settled_on", "结算日期", Date()),
                _col("total_cost", "医疗总费用", _MONEY),
                _col("fund_paid", "统筹支付", _MONEY),
                _col("self_paid", "个人自付", _MONEY),
            ),
            MedicalSettlementRow,
            "quarter",
        ),
        FileSpec(
            FileKind.PROPERTY_REGISTRY,
            "不动产登记",
            (
                _col("id_number", "身份证号", _ID),
                _col("property_id", "不动产单元号", Text(max_length=64)),
                _col("usage", "用途", Code(codes.PROPERTY_USAGES)),
                _col("area_m2", "面积", Area()),
                _col("registered_on", "登记日期", Date()),
            ),
            PropertyRow,
            "end",
        ),
        FileSpec(
            FileKind.VEHICLE_REGISTRY,
            "机动车登记",
            (
                _col("id_number", "身份证号", _ID),
                _col("plate", "号牌号码", Text(max_length=32)),
                _col("vehicle_type", "车辆类型", Code(codes.VEHICLE_TYPES)),
                _col("registered_on", "登记日期", Date()),
            ),
            VehicleRow,
            "end",
        ),
        FileSpec(
            FileKind.BUSINESS_REGISTRY,
            "市场主体登记",
            (
                _col("id_number", "身份证号", _ID),
                _col("credit_code", "统一社会信用代码", Text(max_length=32)),
                _col("role", "身份", Code(codes.BUSINESS_ROLES)),
                _col("established_on", "成立日期", Date()),
            ),
            BusinessRow,
            "end",
        ),
        FileSpec(
            FileKind.DEATH_RECORDS,
            "死亡登记",
            (
                _col("id_number", "身份证号", _ID),
                _col("died_on", "死亡日期", Date()),
            ),
            DeathRow,
            "end",
        ),
    )
}


def spec_for(kind: FileKind | str) -> FileSpec:
    return SPECS[FileKind(kind)]


def kind_for_filename(name: str) -> FileKind | None:
    """`2026Q1/tax_income.csv` → TAX_INCOME; None when the base name is not a known kind."""
    stem = os.path.splitext(os.path.basename(name))[0].strip().lower()
    try:
        return FileKind(stem)
    except ValueError:
        return None
