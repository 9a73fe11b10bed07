"""The determination rules (domain.md §3, §4, §6), one function per rule.

Each rule is a pure function of the household, its assessed income, the
parameters (read through `Parameters`, which records what was used) and the
date. A condition returns a `Check` — a reason code, passed or not, and a
Chinese sentence; an amount is an exact Fraction, rounded once by the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from jiuzhu.domain.calendar import shift_months
from jiuzhu.domain.policy.explanation import Check, yuan
from jiuzhu.domain.policy.household import (
    EXEMPT_VEHICLE_KINDS,
    AidRequest,
    Household,
    Member,
)
from jiuzhu.domain.policy.income import IncomeAssessment
from jiuzhu.domain.policy.parameters import Parameters, format_ratio

ASSET_CODES = (
    "assets_financial_over_limit",
    "second_residence",
    "non_residential_property",
    "vehicle_not_exempt",
    "business_registration",
)


# -- assets (财产状况, gate eligibility, never the amount) ---------------------


def asset_checks(household: Household, params: Parameters) -> list[Check]:
    assets = household.assets
    people = len(household.counted_members())
    standard = params.money("dibao_standard")
    months = params.integer("financial_asset_limit_months")
    limit_per_person = standard * months
    per_person = Fraction(assets.financial) / people
    checks = [
        Check(
            "assets_financial_over_limit",
            per_person <= limit_per_person,
            f"人均金融资产 {yuan(per_person)}，"
            f"{'未超过' if per_person <= limit_per_person else '超过'}"
            f"上限 {yuan(limit_per_person)}（{months} 个月低保标准）",
        )
    ]
    homes = sum(1 for item in assets.properties if item.usage == "residential")
    max_homes = params.integer("max_residential_properties")
    checks.append(
        Check(
            "second_residence",
            homes <= max_homes,
            f"家庭住房 {homes} 套，{'符合' if homes <= max_homes else '超过'}上限 {max_homes} 套",
        )
    )
    other = sum(1 for item in assets.properties if item.usage != "residential")
    checks.append(
        Check(
            "non_residential_property",
            other == 0,
            "无非住宅房产" if other == 0 else f"有 {other} 处非住宅房产（商铺、办公用房等）",
        )
    )
    exempt_max = params.money("vehicle_exempt_value_max")
    counted_vehicles = [
        vehicle
        for vehicle in assets.vehicles
        if vehicle.kind not in EXEMPT_VEHICLE_KINDS and Fraction(vehicle.value) > exempt_max
    ]
    if counted_vehicles:
        worst = max(Fraction(vehicle.value) for vehicle in counted_vehicles)
        vehicle_message = (
            f"有 {len(counted_vehicles)} 辆非豁免机动车，最高价值 {yuan(worst)}，"
            f"超过豁免上限 {yuan(exempt_max)}"
        )
    else:
        vehicle_message = (
            f"无机动车，或仅有残疾人代步车、摩托车、电动车及价值不超过 {yuan(exempt_max)} 的车辆"
        )
    checks.append(Check("vehicle_not_exempt", not counted_vehicles, vehicle_message))
    registered = [item for item in assets.businesses if not item.exempt_after_review]
    checks.append(
        Check(
            "business_registration",
            not registered,
            "无工商登记，或仅有经审核保留的小微经营"
            if not registered
            else f"有 {len(registered)} 项工商登记（未经审核豁免）",
        )
    )
    return checks


# -- 低保 ---------------------------------------------------------------------


def dibao_income_check(income: IncomeAssessment, params: Parameters) -> Check:
    standard = params.money("dibao_standard")
    below = income.per_capita < standard
    return Check(
        "income_not_below_standard",
        below,
        f"人均月收入 {yuan(income.per_capita)}，"
        f"{'低于' if below else '不低于'}低保标准 {yuan(standard)}",
        "dibao",
    )


def dibao_gap_amount(income: IncomeAssessment, params: Parameters) -> Fraction:
    """低保标准 × 保障人数 − 家庭月收入 (差额救助), computed exactly."""
    standard = params.money("dibao_standard")
    return max(Fraction(0), standard * income.counted_members - income.household_monthly)


def is_severely_disabled(member: Member, params: Parameters) -> bool:
    grade = member.disability_grade
    return 1 <= grade <= params.integer("severe_disability_max_grade")


def category_supplement(
    members: tuple[Member, ...], params: Parameters, on: dt.date
) -> tuple[Fraction, list[str]]:
    """分类施保: per covered member the single highest supplement, if switched on."""
    if not params.flag("category_supplement_enabled"):
        return Fraction(0), []
    standard = params.money("dibao_standard")
    elderly_age = params.integer("category_supplement_elderly_age")
    adult_age = params.integer("adult_age")
    age_ratio = params.ratio("category_supplement_elderly_minor_ratio")
    severe_ratio = params.ratio("category_supplement_severe_ratio")
    total = Fraction(0)
    lines: list[str] = []
    for member in members:
        options: list[tuple[Fraction, str]] = []
        age = member.age_on(on)
        if age >= elderly_age or age < adult_age:
            options.append((age_ratio, f"{age}岁"))
        if is_severely_disabled(member, params) or member.health == "serious":
            options.append((severe_ratio, "重度残疾或重病"))
        if options:
            ratio, why = max(options, key=lambda option: option[0])
            total += standard * ratio
            lines.append(f"{member.label()}（{why}）加发 {yuan(standard * ratio)}")
    return total, lines


def minimum_payment(covered: int, params: Parameters) -> Fraction | None:
    ratio = params.optional_ratio("dibao_min_payment_ratio")
    if ratio is None:
        return None
    return params.money("dibao_standard") * ratio * covered


# -- 单人保 -------------------------------------------------------------------


def single_person_check(member: Member, params: Parameters) -> Check:
    grades = params.integer_map("single_person_disability_max_grade")
    kind = member.disability_kind or "physical"
    disabled = 1 <= member.disability_grade <= grades.get(kind, 0)
    serious = member.health == "serious"
    passed = disabled or serious
    if disabled:
        why = f"{member.label()} 为{member.disability_grade}级残疾，可单独纳入低保（单人保）"
    elif serious:
        why = f"{member.label()} 患重病，可单独纳入低保（单人保）"
    else:
        why = f"{member.label()} 既非重度残疾也未患重病，不能单独纳入低保"
    return Check("single_person_condition_not_met", passed, why, "dibao")


def single_person_amount(own_income: Fraction, params: Parameters) -> tuple[Fraction, bool]:
    """standard − own income, at least `single_person_min_ratio` × standard; (amount, floored)."""
    standard = params.money("dibao_standard")
    floor = standard * params.ratio("single_person_min_ratio")
    gap = standard - own_income
    return (floor, True) if gap < floor else (gap, False)


# -- 渐退 ---------------------------------------------------------------------


def gradual_exit_schedule(current_amount: Fraction, params: Parameters) -> list[Fraction]:
    months = params.integer("gradual_exit_months")
    ratios = params.ratio_list("gradual_exit_schedule")[:months]
    return [current_amount * ratio for ratio in ratios]


# -- 低保边缘 -----------------------------------------------------------------


def near_dibao_check(income: IncomeAssessment, params: Parameters) -> Check:
    standard = params.money("dibao_standard")
    multiplier = params.ratio("near_dibao_multiplier")
    line = standard * multiplier
    below = income.per_capita < line
    return Check(
        "income_not_below_near_dibao_line",
        below,
        f"人均月收入 {yuan(income.per_capita)}，{'低于' if below else '不低于'}"
        f"低保边缘线 {yuan(line)}（低保标准的 {multiplier_text(multiplier)} 倍）",
        "low_income_recognition",
    )


def multiplier_text(value: Fraction) -> str:
    return format_ratio(value)


# -- 刚性支出困难 -------------------------------------------------------------


def rigid_expense_checks(
    household: Household, income: IncomeAssessment, params: Parameters
) -> list[Check]:
    """The work plan's variant (over disposable income) or the national one (over total)."""
    expenses = sum((Fraction(value) for value in household.expenses_12m.values()), Fraction(0))
    base = params.choice("rigid_expense_base")
    ratio = params.ratio("rigid_expense_ratio")
    if base == "disposable":
        income_12m = income.household_monthly * 12
        base_label = "家庭可支配收入"
    else:
        income_12m = max(Fraction(0), income.household_gross_monthly) * 12
        base_label = "家庭总收入"
    threshold = income_12m * ratio
    over = expenses > threshold
    checks = [
        Check(
            "rigid_expense_below_ratio",
            over,
            f"近12个月刚性支出 {yuan(expenses)}，{'超过' if over else '未超过'}"
            f"同期{base_label} {yuan(income_12m)} 的 {multiplier_text(ratio)}（{yuan(threshold)}）",
            "low_income_recognition",
        )
    ]
    if base == "total":
        local = params.money("local_disposable_income_prev_year")
        annual_per_capita = income.per_capita * 12
        below = annual_per_capita < local
        checks.append(
            Check(
                "per_capita_income_not_below_local_disposable",
                below,
                f"家庭年人均收入 {yuan(annual_per_capita)}，{'低于' if below else '不低于'}"
                f"上年度当地居民人均可支配收入 {yuan(local)}",
                "low_income_recognition",
            )
        )
    return checks


# -- 特困 ---------------------------------------------------------------------


def tekun_category_check(member: Member, params: Parameters, on: dt.date) -> Check:
    age = member.age_on(on)
    elderly = params.integer("tekun_elderly_min_age")
    minor = params.integer("tekun_minor_max_age")
    grades = params.integer_map("tekun_disability_max_grade")
    disabled = (
        member.disability_kind in grades
        and 1 <= member.disability_grade <= grades[member.disability_kind or ""]
    )
    if age >= elderly:
        return Check("tekun_category_not_met", True, f"{member.label()} {age}岁，属老年人", "tekun")
    if age < minor:
        return Check(
            "tekun_category_not_met", True, f"{member.label()} {age}岁，属未成年人", "tekun"
        )
    if disabled:
        return Check(
            "tekun_category_not_met",
            True,
            f"{member.label()} 为{member.disability_grade}级残疾，属特困供养的残疾人范围",
            "tekun",
        )
    return Check(
        "tekun_category_not_met",
        False,
        f"{member.label()} {age}岁，既非老年人、未成年人，也不属特困供养的残疾人范围",
        "tekun",
    )


def tekun_income_check(own_income: Fraction, params: Parameters) -> Check:
    standard = params.money("dibao_standard")
    below = own_income < standard
    return Check(
        "tekun_income_not_below_standard",
        below,
        f"本人月收入 {yuan(own_income)}，{'低于' if below else '不低于'}低保标准 {yuan(standard)}",
        "tekun",
    )


def tekun_supporter_check(household: Household) -> Check:
    able = [supporter for supporter in household.supporters if supporter.able]
    return Check(
        "tekun_has_able_supporter",
        not able,
        "无法定赡养、抚养、扶养义务人，或义务人无履行能力"
        if not able
        else f"有 {len(able)} 名有履行能力的法定义务人",
        "tekun",
    )


def tekun_care_tier(member: Member, params: Parameters) -> str:
    lost = len(member.self_care_impossible)
    if lost >= params.integer("tekun_full_care_min_items"):
        return "full"
    if lost >= params.integer("tekun_half_care_min_items"):
        return "half"
    return "self"


def tekun_amount(tier: str, params: Parameters) -> tuple[Fraction, Fraction]:
    """(basic living, care) — 基本生活标准 + 照料护理标准."""
    basic = params.money("dibao_standard") * params.ratio("tekun_basic_multiplier")
    care = params.money("min_wage_monthly") * params.ratio_map("tekun_care_ratio")[tier]
    return basic, care


# -- 临时救助 -----------------------------------------------------------------


@dataclass(frozen=True)
class TempAidLimits:
    cap: Fraction  # the most one event may receive
    township_cap: Fraction  # the township decides up to this amount


def temp_aid_limits(people: int, params: Parameters) -> TempAidLimits:
    standard = params.money("dibao_standard")
    return TempAidLimits(
        cap=params.ratio("temp_aid_cap_multiplier") * standard * people,
        township_cap=params.ratio("temp_aid_township_cap_multiplier") * standard,
    )


def temp_aid_same_cause_check(request: AidRequest, params: Parameters, on: dt.date) -> Check:
    months = params.integer("temp_aid_same_cause_months")
    since = shift_months(on, -months)
    repeats = [
        prior for prior in request.prior if prior.cause == request.cause and since < prior.on <= on
    ]
    return Check(
        "temp_aid_same_cause_within_year",
        not repeats,
        f"近 {months} 个月内未因同一事由获得临时救助"
        if not repeats
        else f"{repeats[-1].on.isoformat()} 已因同一事由获得临时救助，{months} 个月内不再重复救助",
        "temp_aid",
    )


# -- 复核分类 (A/B/C) ---------------------------------------------------------


def review_class(members: tuple[Member, ...], params: Parameters) -> tuple[str, str]:
    """(class, why): A serious illness or severe disability; B able to work but flexible or
    unemployed; C otherwise. The shortest cycle wins."""
    for member in members:
        if member.health == "serious" or is_severely_disabled(member, params):
            return "A", f"{member.label()} 患重病或为重度残疾"
    for member in members:
        if member.labor_ability in ("full", "partial") and member.employment in (
            "flexible",
            "unemployed",
        ):
            kind = "灵活就业" if member.employment == "flexible" else "失业"
            return "B", f"{member.label()} 有劳动能力，{kind}"
    return "C", "无劳动能力成员或收入稳定"
