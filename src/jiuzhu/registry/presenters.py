"""Model rows → display dicts, per role (security.md §B.9, §E.22).

The rule, from `jiuzhu.core.permissions.FIELD_VISIBILITY`:

* FULL — shown as stored (names and addresses for staff of the jurisdiction;
  the page view itself is audited as `household.view`);
* HIDDEN — the key is absent from the dict: templates, JSON and CSV cannot
  show what they are never given;
* MASKED — the value is masked by `jiuzhu.domain.masking`, no reveal;
* REVEAL — masked as well, with `revealable=True` so the screen offers a
  "显示完整" control that POSTs to the audited reveal view.

Health (health status, disability, health-related expenses) is never shown
in part: masked it reads "已登记" or "—".

Nothing in here returns a clear ID number, phone, bank account or health
detail except `clear_value`, which only the reveal view calls after checking
REVEAL and writing the audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jiuzhu.core.permissions import Role, SensitiveField, Visibility, visibility
from jiuzhu.domain import identity
from jiuzhu.domain.masking import MaskLevel, mask
from jiuzhu.registry.models import (
    Asset,
    DisabilityKind,
    ExpenseKind,
    Health,
    Household,
    HouseholdRevision,
    Income,
    Member,
    RigidExpense,
)

F = SensitiveField

#: Fields a member row can reveal, and those the household can.
MEMBER_REVEAL_FIELDS = frozenset({F.ID_NUMBER, F.PHONE, F.HEALTH})
HOUSEHOLD_REVEAL_FIELDS = frozenset({F.BANK_ACCOUNT})

#: Expenses that tell something about a person's health.
HEALTH_EXPENSE_KINDS = frozenset({ExpenseKind.MEDICAL, ExpenseKind.DISABILITY_REHAB})

REGISTERED = "已登记"
NOTHING = "—"


@dataclass(frozen=True)
class Shown:
    """A sensitive value as the viewer may see it: masked text, and whether a reveal is offered."""

    field: str
    text: str
    revealable: bool = False

    def __str__(self) -> str:
        return self.text


def mask_level(user: Any) -> MaskLevel:
    """Partner departments get the public level; staff screens keep a little more of an ID."""
    return (
        MaskLevel.PUBLIC
        if getattr(user, "role", "") == Role.DEPARTMENT_LIAISON
        else MaskLevel.SCREEN
    )


def health_text(member: Member) -> str:
    """The clear health and disability description of a member."""
    parts = [f"健康状况：{Health(member.health).label if member.health else '未登记'}"]
    if member.disability_grade or member.disability_kind:
        kind = (
            DisabilityKind(member.disability_kind).label if member.disability_kind else "类别未登记"
        )
        grade = f"{member.disability_grade}级" if member.disability_grade else "等级未登记"
        parts.append(f"残疾：{kind}，{grade}")
    else:
        parts.append("残疾：无")
    return "；".join(parts)


def _masked(user: Any, field: SensitiveField, value: str) -> str:
    if field is F.HEALTH:
        return REGISTERED if value else NOTHING
    if not value:
        return NOTHING
    return mask(field.value, value, level=mask_level(user)) or NOTHING


def shown(user: Any, field: SensitiveField, value: str | None) -> Shown | None:
    """`value` as `user` may see it, or None when the field is hidden for their role."""
    seen = visibility(user, field)
    if seen is Visibility.HIDDEN:
        return None
    if seen is Visibility.FULL:
        return Shown(field=field.value, text=value or NOTHING, revealable=False)
    text = _masked(user, field, value or "")
    return Shown(field=field.value, text=text, revealable=seen is Visibility.REVEAL and bool(value))


def _put(row: dict[str, Any], key: str, value: Shown | None) -> None:
    if value is not None:
        row[key] = value


def age_on(birth: dt.date, day: dt.date) -> int:
    return max(identity.age_on(birth, day), 0)


def head_of(household: Household) -> Member | None:
    """The household head, from the `heads` prefetch when present."""
    heads = getattr(household, "heads", None)
    if heads is not None:
        return heads[0] if heads else None
    return household.members.filter(relation="head").order_by("id").first()


def household_row(user: Any, household: Household) -> dict[str, Any]:
    """One search result line."""
    head = head_of(household)
    row: dict[str, Any] = {
        "id": household.pk,
        "household_no": household.household_no,
        "community": household.community.name,
        "grid": household.grid.name if household.grid else "",
        "member_count": getattr(household, "member_count", None),
        "program": household.get_program_display(),
    }
    _put(row, "head_name", shown(user, F.NAME, head.name if head else ""))
    return row


def household_facts(user: Any, household: Household) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": household.pk,
        "household_no": household.household_no,
        "community": household.community.name,
        "grid": household.grid.name if household.grid else "",
        "program": household.get_program_display(),
        "review_class": household.get_review_class_display() if household.review_class else "",
        "enrolled_on": household.enrolled_on,
        "last_verified_on": household.last_verified_on,
        "monthly_benefit": household.monthly_benefit,
        "declared_monthly_income": household.declared_monthly_income,
        "version": household.version,
    }
    _put(row, "address", shown(user, F.ADDRESS, household.address))
    bank = shown(user, F.BANK_ACCOUNT, household.bank_account)
    if bank is not None:
        row["bank_name"] = household.bank_name
        row["bank_account"] = bank
    return row


def member_row(user: Any, member: Member, today: dt.date) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": member.pk,
        "relation": member.get_relation_display(),
        "sex": member.get_sex_display(),
        "age": age_on(member.birth_date, today),
        "labor_ability": member.get_labor_ability_display(),
        "is_student": member.is_student,
        "employment": member.get_employment_display(),
        "left_on": member.left_on,
        "current": member.left_on is None or member.left_on > today,
    }
    _put(row, "name", shown(user, F.NAME, member.name))
    _put(row, "id_number", shown(user, F.ID_NUMBER, member.id_number))
    _put(row, "phone", shown(user, F.PHONE, member.phone))
    _put(row, "health", shown(user, F.HEALTH, health_text(member)))
    return row


def _member_label(user: Any, member: Member | None) -> str:
    if member is None:
        return "全户"
    name = shown(user, F.NAME, member.name)
    return name.text if name is not None else member.get_relation_display()


def income_row(user: Any, income: Income) -> dict[str, Any]:
    return {
        "id": income.pk,
        "month": income.month,
        "category": income.get_category_display(),
        "basis": income.get_basis_display(),
        "amount": income.amount,
        "member": _member_label(user, income.member),
        "note": income.note,
    }


def asset_row(user: Any, asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "kind": asset.get_kind_display(),
        "description": asset.description,
        "value": asset.value,
        "valid_from": asset.valid_from,
        "valid_to": asset.valid_to,
        "member": _member_label(user, asset.member),
    }


def expense_row(user: Any, expense: RigidExpense) -> dict[str, Any] | None:
    """A rigid expense; health-related ones follow the HEALTH visibility (None when hidden)."""
    row: dict[str, Any] = {
        "id": expense.pk,
        "incurred_on": expense.incurred_on,
        "member": _member_label(user, expense.member),
    }
    if expense.kind in HEALTH_EXPENSE_KINDS:
        seen = visibility(user, F.HEALTH)
        if seen is Visibility.HIDDEN:
            return None
        if seen is Visibility.MASKED:
            row.update(kind="健康相关支出", amount=None, note=REGISTERED)
            return row
    row.update(kind=expense.get_kind_display(), amount=expense.amount, note=expense.note)
    return row


def revision_row(revision: HouseholdRevision) -> dict[str, Any]:
    return {
        "version": revision.version,
        "recorded_at": revision.recorded_at,
        "source": revision.source,
        "summary": revision.summary,
        "actor": revision.actor,
    }


def expense_rows(user: Any, expenses: list[RigidExpense]) -> list[dict[str, Any]]:
    return [row for row in (expense_row(user, e) for e in expenses) if row is not None]


def clear_value(
    field: SensitiveField, *, household: Household, member: Member | None = None
) -> str:
    """The clear value behind a reveal control. Call only after checking REVEAL and auditing."""
    if field is F.BANK_ACCOUNT:
        return household.bank_account
    if member is None:
        raise ValueError(field)
    if field is F.ID_NUMBER:
        return member.id_number
    if field is F.PHONE:
        return member.phone
    if field is F.HEALTH:
        return health_text(member)
    raise ValueError(field)


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"
