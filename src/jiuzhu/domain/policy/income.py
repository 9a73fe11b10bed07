"""Income assessment (收入核算, domain.md §3).

Per member and category the most reliable figure is used: an amount assessed
at the home visit (with its reason) over a verified one over the declared
one. Wage, business, property, transfer-in, the individual part of a pension
and other income count; transfer-out (support paid to relatives elsewhere,
taxes, social insurance) is deducted; the basic pension and disregarded
income (优抚金、奖励、救助金、高龄津贴 …) are listed but not counted.
Everything is exact (Fraction); only figures shown are rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from jiuzhu.domain.money import round_fen
from jiuzhu.domain.policy.explanation import IncomeLine
from jiuzhu.domain.policy.household import (
    COUNTED_INCOME,
    DEDUCTED_INCOME,
    INCOME_CATEGORIES,
    Household,
    IncomeBasis,
    Member,
)

CATEGORY_LABELS = {
    "wage": "工资性收入",
    "business": "经营净收入",
    "property": "财产净收入",
    "transfer_in": "转移性收入",
    "pension_other": "养老金（个人账户等）",
    "other": "其他收入",
    "transfer_out": "转移性支出（赡养费、税费、社保缴费）",
    "pension_basic": "基础养老金（不计入）",
    "disregarded": "不计入收入的款项",
}

BASIS_LABELS = {
    IncomeBasis.DECLARED: "申报",
    IncomeBasis.VERIFIED: "核实",
    IncomeBasis.ASSESSED: "入户评估",
}


@dataclass(frozen=True)
class MemberIncome:
    key: str
    counted: Fraction  # counted − deducted, monthly
    gross: Fraction  # counted categories only, monthly
    earned: Fraction  # wage + business (渐退 asks whether work raised the income)


@dataclass(frozen=True)
class IncomeAssessment:
    members: dict[str, MemberIncome]
    lines: tuple[IncomeLine, ...]
    counted_members: int

    @property
    def household_monthly(self) -> Fraction:
        """Counted household income per month, never below zero."""
        return max(Fraction(0), sum((m.counted for m in self.members.values()), Fraction(0)))

    @property
    def household_gross_monthly(self) -> Fraction:
        return sum((m.gross for m in self.members.values()), Fraction(0))

    @property
    def per_capita(self) -> Fraction:
        return self.household_monthly / self.counted_members

    def member_monthly(self, key: str) -> Fraction:
        """One member's own counted income, never below zero (单人保)."""
        income = self.members.get(key)
        return max(Fraction(0), income.counted) if income else Fraction(0)

    @property
    def has_earned_income(self) -> bool:
        return any(m.earned > 0 for m in self.members.values())


def _figure(member: Member, category: str) -> tuple[Fraction, IncomeBasis, str] | None:
    if category in member.assessed_income:
        assessed = member.assessed_income[category]
        return Fraction(assessed.amount), IncomeBasis.ASSESSED, assessed.reason
    if category in member.verified_income:
        return Fraction(member.verified_income[category]), IncomeBasis.VERIFIED, ""
    if category in member.monthly_income:
        return Fraction(member.monthly_income[category]), IncomeBasis.DECLARED, ""
    return None


def assess_income(household: Household) -> IncomeAssessment:
    members: dict[str, MemberIncome] = {}
    lines: list[IncomeLine] = []
    for member in household.counted_members():
        counted = gross = earned = Fraction(0)
        for category in INCOME_CATEGORIES:
            found = _figure(member, category)
            if found is None:
                continue
            amount, basis, note = found
            if category in COUNTED_INCOME:
                status = "counted"
                counted += amount
                gross += amount
                if category in ("wage", "business"):
                    earned += amount
            elif category in DEDUCTED_INCOME:
                status = "deducted"
                counted -= amount
            else:
                status = "not_counted"
            lines.append(
                IncomeLine(
                    member=member.label(),
                    category=category,
                    label=CATEGORY_LABELS[category],
                    amount=str(round_fen(amount)),
                    basis=BASIS_LABELS[basis],
                    counted=status,
                    note=note,
                )
            )
        members[member.key] = MemberIncome(member.key, counted, gross, earned)
    return IncomeAssessment(
        members=members, lines=tuple(lines), counted_members=len(household.counted_members())
    )
