"""Reads behind the casework screens: worklists, the summary, a case's history.

Every list starts from `services.visible_cases` (the one jurisdiction scope);
the queries are bounded per page whatever the number of cases: the household,
its community and the head of household come with the page in a fixed number
of queries, and the working-day calendar is built once per request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from jiuzhu.accounts.models import User
from jiuzhu.accounts.scoping import jurisdiction_path
from jiuzhu.casework.models import Case, CaseEvent
from jiuzhu.casework.services import visible_cases
from jiuzhu.core.permissions import PERMISSIONS, Action
from jiuzhu.divisions.models import Division
from jiuzhu.domain.calendar import WorkingCalendar
from jiuzhu.domain.casework.workflow import Workflow, bundled_workflows
from jiuzhu.registry.models import Household, Member, Relation
from jiuzhu.registry.selectors import visible_households

#: Who may open a case (as `services.open_case` says) and record a prerequisite.
INTAKE_ROLES: frozenset[str] = PERMISSIONS[Action.CASE_INTAKE]
RECORD_ROLES: frozenset[str] = PERMISSIONS[Action.CASE_RECORD]
#: Who may (re)run the policy engine on a case (as `services.assess_case` says).
ASSESS_ROLES: frozenset[str] = PERMISSIONS[Action.CASE_ASSESS]
#: Roles that may act as 帮办代办人 (the staff member who helps the applicant).
PROXY_ROLES = ("community_worker", "grid_worker", "assistance_officer")
#: The largest system number worth asking the database about (a 32-bit key).
MAX_PK = 2**31 - 1

# Worklist tabs.
TAB_TODO = "todo"
TAB_DUE_SOON = "due_soon"
TAB_OVERDUE = "overdue"
TAB_ALL = "all"
TAB_SUMMARY = "summary"
LIST_TABS = (TAB_TODO, TAB_DUE_SOON, TAB_OVERDUE, TAB_ALL)

# Worklist sort keys.
SORT_DUE = "due"
SORT_CASE_NO = "case_no"
SORT_RECEIVED = "received"
DEFAULT_SOON_DAYS = 2


@cache
def casework_roles() -> frozenset[str]:
    """The roles some bundled workflow names: only they see the casework screens."""
    return frozenset(
        role
        for workflow in bundled_workflows().values()
        for action in workflow.actions.values()
        for role in action.roles
    )


def programme_choices() -> list[tuple[str, str]]:
    """Programmes that have a workflow (a case can only be opened for those)."""
    return [(name, workflow.label) for name, workflow in sorted(bundled_workflows().items())]


def state_choices() -> list[tuple[str, str]]:
    """Every state of every workflow once; a name labelled differently shows both labels."""
    labels: dict[str, list[str]] = {}
    for _, workflow in sorted(bundled_workflows().items()):
        for name, state in workflow.states.items():
            seen = labels.setdefault(name, [])
            if state.label not in seen:
                seen.append(state.label)
    return [(name, "/".join(found)) for name, found in labels.items()]


def state_label(programme: str, state: str) -> str:
    workflow = bundled_workflows().get(programme)
    if workflow is None or state not in workflow.states:
        return state
    return workflow.states[state].label


def is_final(programme: str, state: str) -> bool:
    workflow = bundled_workflows().get(programme)
    return workflow is not None and state in workflow.states and workflow.states[state].final


# -- intake ----------------------------------------------------------------------


def resolve_household(user: Any, text: str) -> Household | None:
    """A household of the user's jurisdiction by 家庭编号 or system number, else None
    (missing and out of scope alike)."""
    text = text.strip()
    if not text:
        return None
    households = visible_households(user).select_related("community")
    found = households.filter(household_no__iexact=text).first()
    if found is None and text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_PK:
        found = households.filter(pk=int(text)).first()
    return found


def proxy_worker_options(user: Any) -> QuerySet[User]:
    """Active staff of the user's jurisdiction who may help an applicant (帮办代办)."""
    path = jurisdiction_path(user)
    if path is None:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, role__in=PROXY_ROLES, division__path__startswith=path)
        .select_related("division")
        .order_by("division__code", "full_name", "username")
    )


# -- the case page ----------------------------------------------------------------


def case_events(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("at", "id"))


def household_head(household: Household) -> Member | None:
    return Member.objects.filter(household=household, relation=Relation.HEAD).order_by("id").first()


def member_count(household: Household, today: dt.date) -> int:
    return (
        Member.objects.filter(household=household)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .count()
    )


# -- worklists ---------------------------------------------------------------------


@dataclass(frozen=True)
class WorklistFilter:
    tab: str = TAB_TODO
    programme: str = ""
    state: str = ""
    community: Division | None = None
    sort: str = SORT_DUE
    soon_days: int = DEFAULT_SOON_DAYS


def _heads() -> Prefetch[Any]:
    return Prefetch(
        "household__members",
        queryset=Member.objects.filter(relation=Relation.HEAD)
        .only("id", "household_id", "name", "relation")  # no sealed field is decrypted
        .order_by("id"),
        to_attr="heads",
    )


def todo_condition(role: str, workflows: Iterable[Workflow] | None = None) -> Q:
    """Cases in a state where the role has something to do (an action it may take)."""
    condition = Q(pk__in=[])
    for workflow in workflows if workflows is not None else bundled_workflows().values():
        states = [name for name in workflow.states if workflow.available(name, role)]
        if states:
            condition |= Q(programme=workflow.programme, state__in=states)
    return condition


def soon_cutoff(today: dt.date, days: int, calendar: WorkingCalendar) -> dt.date:
    """The last date that is at most `days` working days after today."""
    return calendar.add_working_days(today, days + 1) - dt.timedelta(days=1)


def final_states() -> Q:
    condition = Q(pk__in=[])
    for workflow in bundled_workflows().values():
        finals = [name for name, state in workflow.states.items() if state.final]
        condition |= Q(programme=workflow.programme, state__in=finals)
    return condition


def filtered_cases(user: Any, filters: WorklistFilter) -> QuerySet[Case]:
    """The jurisdiction's cases narrowed by programme, state and community (no tab)."""
    cases = visible_cases(user)
    if filters.programme:
        cases = cases.filter(programme=filters.programme)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.community is not None:
        cases = cases.filter(division_path__startswith=filters.community.path)
    return cases


def tab_condition(
    tab: str, user: Any, *, today: dt.date, soon_days: int, calendar: WorkingCalendar
) -> Q:
    if tab == TAB_TODO:
        return todo_condition(getattr(user, "role", ""))
    if tab == TAB_DUE_SOON:
        cutoff = soon_cutoff(today, soon_days, calendar)
        return Q(due_on__gte=today, due_on__lte=cutoff) & ~final_states()
    if tab == TAB_OVERDUE:
        return Q(due_on__lt=today) & ~final_states()
    return Q()


def ordered(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    if sort == SORT_CASE_NO:
        return cases.order_by("case_no")
    if sort == SORT_RECEIVED:
        return cases.order_by("-created_at", "-id")
    return cases.order_by(F("due_on").asc(nulls_last=True), "case_no")


def worklist(
    user: Any, filters: WorklistFilter, *, today: dt.date, calendar: WorkingCalendar
) -> QuerySet[Case]:
    """One tab of the worklist, ready for a page: household, community and head attached."""
    cases = filtered_cases(user, filters).filter(
        tab_condition(
            filters.tab, user, today=today, soon_days=filters.soon_days, calendar=calendar
        )
    )
    cases = cases.select_related("household", "household__community").prefetch_related(_heads())
    return ordered(cases, filters.sort)


def tab_counts(
    user: Any, filters: WorklistFilter, *, today: dt.date, calendar: WorkingCalendar
) -> dict[str, int]:
    """How many cases each list tab holds (one query)."""
    base = filtered_cases(user, filters)
    conditions = {
        tab: tab_condition(tab, user, today=today, soon_days=filters.soon_days, calendar=calendar)
        for tab in LIST_TABS
    }
    counts = base.aggregate(
        **{tab: Count("pk", filter=condition) for tab, condition in conditions.items()}
    )
    return {tab: int(counts[tab] or 0) for tab in LIST_TABS}


@dataclass(frozen=True)
class StateCount:
    programme: str
    programme_label: str
    state: str
    state_label: str
    count: int
    final: bool


@dataclass(frozen=True)
class ActorCount:
    actor_id: int | None
    name: str
    role: str
    count: int


def state_summary(cases: QuerySet[Case]) -> list[StateCount]:
    """Counts by programme and state, in workflow order (one query)."""
    rows = cases.order_by().values("programme", "state").annotate(n=Count("pk"))
    counts = {(row["programme"], row["state"]): int(row["n"]) for row in rows}
    summary: list[StateCount] = []
    for programme, workflow in sorted(bundled_workflows().items()):
        for name, state in workflow.states.items():
            n = counts.pop((programme, name), 0)
            if n:
                summary.append(
                    StateCount(programme, workflow.label, name, state.label, n, state.final)
                )
    for (programme, name), n in sorted(counts.items()):  # data no workflow knows (kept visible)
        summary.append(StateCount(programme, programme, name, name, n, False))
    return summary


def actor_summary(cases: QuerySet[Case], *, open_only: bool = True) -> list[ActorCount]:
    """Counts by the person who last acted on each case (two queries)."""
    if open_only:
        cases = cases.exclude(final_states())
    last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")
    rows = (
        cases.order_by()
        .annotate(last_actor=Subquery(last.values("actor")[:1]))
        .values("last_actor")
        .annotate(n=Count("pk"))
    )
    counts = {row["last_actor"]: int(row["n"]) for row in rows}
    ids = [pk for pk in counts if pk is not None]
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}
    summary = []
    for pk, n in counts.items():
        person = users.get(pk) if pk is not None else None
        summary.append(
            ActorCount(
                actor_id=pk,
                name=str(person) if person is not None else "（无办理记录）",
                role=person.role_label if person is not None else "",
                count=n,
            )
        )
    return sorted(summary, key=lambda item: (-item.count, item.name))
