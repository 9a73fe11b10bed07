"""Why a determination came out as it did (为什么是这个金额).

An explanation lists the figures, each rule checked — with its reason code,
whether it passed and one Chinese sentence — the income lines, notes, and
(filled in by the engine) every parameter used with value, date and source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from jiuzhu.domain.money import round_fen


def yuan(value: Fraction | Decimal | int) -> str:
    """'1,100.00元' for sentences; exact values are rounded to the fen here only."""
    amount = value if isinstance(value, Decimal) else round_fen(Fraction(value))
    return f"{round_fen(amount):,.2f}元"


@dataclass(frozen=True)
class Check:
    """One rule applied: `code` names the condition and is the reason when it fails."""

    code: str
    passed: bool
    message: str
    programme: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "passed": self.passed,
            "message": self.message,
            "programme": self.programme,
        }


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str  # decimal string for money, plain text otherwise

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "value": self.value}


@dataclass(frozen=True)
class IncomeLine:
    member: str
    category: str
    label: str
    amount: str
    basis: str
    counted: str  # "counted" | "deducted" | "not_counted"
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "member": self.member,
            "category": self.category,
            "label": self.label,
            "amount": self.amount,
            "basis": self.basis,
            "counted": self.counted,
            "note": self.note,
        }


@dataclass
class Explanation:
    summary: str = ""
    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    income: list[IncomeLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)

    def figure(self, key: str, label: str, value: Fraction | Decimal | int | str) -> None:
        text = str(round_fen(value)) if isinstance(value, Fraction | Decimal) else str(value)
        self.figures = [item for item in self.figures if item.key != key]
        self.figures.append(Figure(key, label, text))

    def check(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    def note(self, text: str) -> None:
        self.notes.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "figures": [item.as_dict() for item in self.figures],
            "checks": [item.as_dict() for item in self.checks],
            "income": [item.as_dict() for item in self.income],
            "notes": list(self.notes),
            "parameters": list(self.parameters),
        }
