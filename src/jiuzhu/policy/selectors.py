"""Queries of the policy app: a registered household as the engine's input."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from jiuzhu.core.errors import ServiceError
from jiuzhu.domain.money import round_fen
from jiuzhu.domain.policy import household as h
from jiuzhu.domain.policy.parameters import ParameterTable
from jiuzhu.policy.models import ChangeStatus, ParameterChange
from jiuzhu.registry.models import AssetKind, Household, IncomeBasis, Member
from jiuzhu.registry.selectors import household_get, month_start

#: Registry income categories in the engine's (case format's) names.
INCOME_CATEGORY = {
    "wage": "wage",
    "business": "business",
    "property": "property",
    "transfer_in": "transfer_in",
    "transfer_out": "transfer_out",
    "pension_basic": "pension_basic",
    "pension_individual": "pension_other",
    "exempt": "disregarded",
    "other": "other",
}
EXPENSE_KIND = {
    "medical": "medical_selfpaid",
    "education": "education",
    "disability_rehab": "disability_rehab",
}
BASIS_ORDER = (IncomeBasis.ASSESSED, IncomeBasis.VERIFIED, IncomeBasis.DECLARED)


class HouseholdWithoutMembers(ServiceError):
    code = "household_without_members"
    default_message = "该家庭在认定日期没有在册成员，无法试算"


def member_key(member: Member) -> str:
    return f"m{member.pk}"


def _members(household: Household, as_of: dt.date) -> list[Member]:
    return [
        member
        for member in household.members.all().order_by("id")
        if member.left_on is None or member.left_on > as_of
    ]


def _monthly_incomes(
    household: Household, as_of: dt.date, lookback: int
) -> dict[int, dict[str, tuple[Decimal, str, str]]]:
    """{member id: {category: (monthly average, basis, note)}} over the look-back months."""
    since, until = month_start(as_of, lookback), month_start(as_of, 0)
    sums: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    notes: dict[tuple[int, str, str], str] = {}
    rows = household.incomes.filter(
        month__gte=since, month__lt=until, superseded_at__isnull=True, member__isnull=False
    )
    for row in rows:
        key = (int(row.member_id or 0), INCOME_CATEGORY[row.category], row.basis)
        sums[key] += row.amount
        if row.note:
            notes[key] = row.note
    result: dict[int, dict[str, tuple[Decimal, str, str]]] = defaultdict(dict)
    for basis in reversed(BASIS_ORDER):  # the most reliable basis is written last and wins
        for (member_id, category, row_basis), total in sums.items():
            if row_basis == basis:
                average = round_fen(total / lookback)
                result[member_id][category] = (
                    average,
                    basis,
                    notes.get((member_id, category, basis), ""),
                )
    return result


def registered_application(
    user: Any,
    household_pk: int,
    *,
    programme: h.Programme,
    as_of: dt.date,
    table: ParameterTable,
    request: h.AidRequest | None = None,
) -> h.Application:
    """The engine's input for a household of the registry the user may see (NotFound otherwise).

    Income is the average of the `income_lookback_months` complete months
    before the as-of month, per member and category, from the most reliable
    basis recorded (入户评估 > 核实 > 申报); assets held on the date; rigid
    expenses of the 12 months before it.
    """
    household = household_get(user, household_pk)
    region = household.community.code
    lookback = int(table.resolve("income_lookback_months", region, as_of).value)
    incomes = _monthly_incomes(household, as_of, lookback)
    members = []
    for member in _members(household, as_of):
        declared: dict[str, Decimal] = {}
        verified: dict[str, Decimal] = {}
        assessed: dict[str, h.AssessedIncome] = {}
        for category, (amount, basis, note) in incomes.get(member.pk, {}).items():
            if basis == IncomeBasis.ASSESSED:
                assessed[category] = h.AssessedIncome(amount, note or "入户调查评估")
            elif basis == IncomeBasis.VERIFIED:
                verified[category] = amount
            else:
                declared[category] = amount
        members.append(
            h.Member(
                key=member_key(member),
                name=member.name,
                birth_date=member.birth_date,
                relation=member.relation,
                labor_ability=member.labor_ability,
                disability_grade=member.disability_grade,
                disability_kind=member.disability_kind or None,
                health=member.health,
                is_student=member.is_student,
                employment=member.employment,
                monthly_income=declared,
                verified_income=verified,
                assessed_income=assessed,
            )
        )
    assets = household.assets.filter(valid_from__lte=as_of).exclude(valid_to__lt=as_of)
    financial = Decimal("0")
    properties: list[h.Property] = []
    vehicles: list[h.Vehicle] = []
    businesses: list[h.Business] = []
    for asset in assets:
        if asset.kind == AssetKind.DEPOSIT:
            financial += asset.value
        elif asset.kind == AssetKind.RESIDENTIAL:
            properties.append(h.Property("residential"))
        elif asset.kind == AssetKind.NON_RESIDENTIAL:
            properties.append(h.Property("commercial"))
        elif asset.kind == AssetKind.VEHICLE:
            vehicles.append(h.Vehicle("car", asset.value))
        elif asset.kind == AssetKind.BUSINESS:
            businesses.append(h.Business("individual"))
    expenses: dict[str, Decimal] = defaultdict(Decimal)
    since = month_start(as_of, 12)
    for expense in household.expenses.filter(
        incurred_on__gte=since, incurred_on__lte=as_of, superseded_at__isnull=True
    ):
        expenses[EXPENSE_KIND[expense.kind]] += expense.amount
    if not members:
        raise HouseholdWithoutMembers()
    heads = [m.key for m in members if m.relation == "head"] or [members[0].key]
    return h.Application(
        programme=programme,
        applicant=heads[0],
        as_of=as_of,
        household=h.Household(
            members=tuple(members),
            assets=h.Assets(
                financial=financial,
                properties=tuple(properties),
                vehicles=tuple(vehicles),
                businesses=tuple(businesses),
            ),
            expenses_12m=dict(expenses),
        ),
        parameters=region,
        request=request,
        name=f"家庭 {household.household_no}",
    )


def pending_changes(region: str) -> list[ParameterChange]:
    return list(
        ParameterChange.objects.filter(status=ChangeStatus.PENDING, region__startswith=region)
        .select_related("proposed_by")
        .order_by("proposed_at", "id")
    )


def change_history(name: str, region: str) -> list[ParameterChange]:
    return list(
        ParameterChange.objects.filter(name=name, region__startswith=region)
        .select_related("proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )
