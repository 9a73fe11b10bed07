"""Reads of the household registry. Every query starts from
`scope_to_jurisdiction` (security.md §B.6): whatever lies outside the user's
jurisdiction does not exist for them (NotFound, never 403).

ID numbers are found through the blind index (HMAC-SM3 of the normalised
number), never by decrypting rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from jiuzhu.accounts.scoping import scope_to_jurisdiction
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound
from jiuzhu.core.keys import blind_index
from jiuzhu.core.permissions import Action, SensitiveField, Visibility, can, visibility
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.identity import BadBirthDate, BadIdFormat, normalise, upgrade_15_to_18
from jiuzhu.registry.models import (
    Asset,
    Household,
    HouseholdRevision,
    ImportBatch,
    Income,
    Member,
    Relation,
    RigidExpense,
)

_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")

#: How many months of income the detail page shows.
INCOME_MONTHS = 12


class QueryKind:
    """What a search query was taken to be; this, never the text, goes to the audit log."""

    ALL = "all"
    ID_NUMBER = "id_number"
    TEXT = "text"


@dataclass(frozen=True)
class SearchQuery:
    kind: str
    text: str = ""  # the stripped query (for TEXT); empty for ID searches
    id_index: str = ""  # blind index of the normalised ID number (for ID_NUMBER)


def classify_query(raw: str | None) -> SearchQuery:
    """Decide whether `raw` is an ID number (18 characters, or 15 upgraded) or free text."""
    text = (raw or "").strip()
    if not text:
        return SearchQuery(kind=QueryKind.ALL)
    compact = normalise(re.sub(r"[\s\u3000-]", "", text))
    number = ""
    if _ID18.match(compact):
        number = compact
    elif _ID15.match(compact):
        try:
            number = upgrade_15_to_18(compact)
        except (BadIdFormat, BadBirthDate):
            number = ""
        if not number:
            # A 15-digit string that is not a first-generation ID: still never logged as text.
            return SearchQuery(kind=QueryKind.ID_NUMBER, id_index="")
    if number:
        return SearchQuery(
            kind=QueryKind.ID_NUMBER, id_index=blind_index(number, purpose="id_number")
        )
    return SearchQuery(kind=QueryKind.TEXT, text=text[:100])


def visible_households(user: Any) -> QuerySet[Household]:
    """Households the user may look at: permission first, then jurisdiction."""
    if not can(user, Action.HOUSEHOLD_VIEW):
        return Household.objects.none()
    return scope_to_jurisdiction(Household.objects.all(), user)


def community_options(user: Any) -> QuerySet[Division]:
    """Communities the search may be narrowed to: those holding a household the user can see."""
    if not can(user, Action.HOUSEHOLD_SEARCH):
        return Division.objects.none()
    visible = scope_to_jurisdiction(Household.objects.all(), user)
    return Division.objects.filter(
        level=Level.COMMUNITY, pk__in=visible.values("community_id")
    ).order_by("code")


def _head_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "members",
        queryset=Member.objects.filter(relation=Relation.HEAD).order_by("id"),
        to_attr="heads",
    )


def household_search(
    user: Any, q: str | None, community: Division | None = None
) -> tuple[SearchQuery, QuerySet[Household]]:
    """Households in the user's jurisdiction matching `q` (ID number, name, address, number).

    Returns the classified query (for the audit log) and a queryset annotated
    with `member_count` and prefetched `heads`; an empty queryset when the user
    may not search.
    """
    query = classify_query(q)
    if not can(user, Action.HOUSEHOLD_SEARCH):
        return query, Household.objects.none()
    households = scope_to_jurisdiction(Household.objects.all(), user)
    if community is not None:
        households = households.filter(community=community)
    if query.kind == QueryKind.ID_NUMBER:
        if not query.id_index or visibility(user, SensitiveField.ID_NUMBER) is Visibility.HIDDEN:
            return query, Household.objects.none()
        households = households.filter(
            Exists(Member.objects.filter(household=OuterRef("pk"), id_number_index=query.id_index))
        )
    elif query.kind == QueryKind.TEXT:
        condition: Any = Q(household_no__icontains=query.text)
        if visibility(user, SensitiveField.NAME) is not Visibility.HIDDEN:
            condition |= Exists(
                Member.objects.filter(household=OuterRef("pk"), name__icontains=query.text)
            )
        if visibility(user, SensitiveField.ADDRESS) is not Visibility.HIDDEN:
            condition |= Q(address__icontains=query.text)
        households = households.filter(condition)
    today = clock.today()
    current = Q(members__left_on__isnull=True) | Q(members__left_on__gt=today)
    households = (
        households.select_related("community", "grid")
        .annotate(member_count=Count("members", filter=current))
        .prefetch_related(_head_prefetch())
        .order_by("household_no")
    )
    return query, households


def household_get(user: Any, pk: int) -> Household:
    """One household in the user's jurisdiction, or NotFound (also for a missing permission)."""
    household = visible_households(user).select_related("community", "grid").filter(pk=pk).first()
    if household is None:
        raise NotFound()
    return household


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + (day.month - 1) - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def household_members(household: Household) -> list[Member]:
    return list(household.members.all().order_by("id"))


def household_incomes(household: Household, *, today: dt.date | None = None) -> list[Income]:
    """Incomes of the last 12 months (this month included), current rows only."""
    day = today or clock.today()
    since = month_start(day, INCOME_MONTHS - 1)
    return list(
        household.incomes.filter(month__gte=since, superseded_at__isnull=True)
        .select_related("member")
        .order_by("-month", "id")
    )


def household_assets(household: Household, *, today: dt.date | None = None) -> list[Asset]:
    """Assets still held (no end date, or one not yet passed)."""
    day = today or clock.today()
    return list(
        household.assets.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("member")
        .order_by("-valid_from", "id")
    )


def household_expenses(household: Household, *, today: dt.date | None = None) -> list[RigidExpense]:
    """Rigid expenses of the last 12 months, current rows only."""
    day = today or clock.today()
    since = month_start(day, INCOME_MONTHS - 1)
    return list(
        household.expenses.filter(incurred_on__gte=since, superseded_at__isnull=True)
        .select_related("member")
        .order_by("-incurred_on", "id")
    )


def household_revisions(household: Household) -> list[HouseholdRevision]:
    return list(
        household.revisions.all()
        .only("id", "household_id", "version", "recorded_at", "actor", "source", "summary")
        .order_by("-version")
    )


@dataclass
class HouseholdDetail:
    household: Household
    members: list[Member] = field(default_factory=list)
    incomes: list[Income] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    expenses: list[RigidExpense] = field(default_factory=list)
    revisions: list[HouseholdRevision] = field(default_factory=list)


def household_detail(user: Any, pk: int) -> HouseholdDetail:
    household = household_get(user, pk)
    today = clock.today()
    return HouseholdDetail(
        household=household,
        members=household_members(household),
        incomes=household_incomes(household, today=today),
        assets=household_assets(household, today=today),
        expenses=household_expenses(household, today=today),
        revisions=household_revisions(household),
    )


def member_get(user: Any, household_pk: int, member_pk: int) -> tuple[Household, Member]:
    """A member of a household the user may see, or NotFound."""
    household = household_get(user, household_pk)
    member = Member.objects.filter(household=household, pk=member_pk).first()
    if member is None:
        raise NotFound()
    return household, member


def import_batch_get(user: Any, pk: int) -> ImportBatch:
    """A roster import batch: its creator, or a user whose jurisdiction contains the batch's."""
    if not can(user, Action.ROSTER_IMPORT):
        raise NotFound()
    batches = ImportBatch.objects.all()
    own = batches.filter(created_by_id=user.pk, pk=pk)
    in_scope = scope_to_jurisdiction(batches, user, path_field="jurisdiction_path").filter(pk=pk)
    batch = own.first() or in_scope.first()
    if batch is None:
        raise NotFound()
    return batch
