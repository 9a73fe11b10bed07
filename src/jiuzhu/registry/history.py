"""Household history: the snapshot kept with each version (家庭历史版本).

One place builds snapshots so a decision, a screen and an audit all read the
same shape. Sensitive values appear only as their blind index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from jiuzhu.registry.models import Household, HouseholdRevision, Member

HOUSEHOLD_FIELDS = (
    "household_no", "address", "program", "review_class", "enrolled_on", "last_verified_on",
    "monthly_benefit", "declared_monthly_income", "bank_name",
)  # fmt: skip
MEMBER_FIELDS = (
    "name", "relation", "birth_date", "sex", "labor_ability", "disability_grade", "disability_kind",
    "health", "is_student", "employment", "left_on",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def household_snapshot(household: Household, members: Iterable[Member]) -> dict[str, Any]:
    snap: dict[str, Any] = {name: _plain(getattr(household, name)) for name in HOUSEHOLD_FIELDS}
    snap["community"] = household.community.code
    snap["grid"] = household.grid.code if household.grid is not None else None
    snap["bank_account_index"] = household.bank_account_index
    snap["version"] = household.version
    snap["members"] = [
        {
            "id_number_index": m.id_number_index,
            "phone_index": m.phone_index,
            **{name: _plain(getattr(m, name)) for name in MEMBER_FIELDS},
        }
        for m in members
    ]
    return snap


def new_revision(
    household: Household,
    members: Iterable[Member],
    *,
    at: dt.datetime,
    actor: str,
    source: str,
    summary: str,
) -> HouseholdRevision:
    """An unsaved revision for the household's current version (callers bulk-create them)."""
    return HouseholdRevision(
        household=household,
        version=household.version,
        recorded_at=at,
        actor=actor,
        source=source,
        summary=summary[:300],
        snapshot=household_snapshot(household, members),
    )
