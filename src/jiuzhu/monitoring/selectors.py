"""Reads behind the monitoring screens. Every task query starts from `visible_tasks`
(permission, then the one jurisdiction scope): a task outside the user's
jurisdiction does not exist for them (NotFound, never 403)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from jiuzhu.accounts.scoping import jurisdiction_path, scope_to_jurisdiction
from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import Action, can
from jiuzhu.divisions.models import Division, Level
from jiuzhu.monitoring.models import (
    ExtractImport,
    ScreeningRun,
    VerificationTask,
    WarningOccurrence,
)
from jiuzhu.registry.models import Member

#: The largest id worth asking the database about (a 32-bit key).
MAX_PK = 2**31 - 1


@dataclass(frozen=True)
class TaskFilter:
    rule: str = ""
    direction: str = ""
    status: str = ""
    period: str = ""
    community: Division | None = None
    overdue_before: Any = None  # a date: only open tasks due before it


def visible_tasks(user: Any) -> QuerySet[VerificationTask]:
    """Tasks the user may look at: permission first, then jurisdiction (division path)."""
    if not can(user, Action.WARNING_VIEW):
        return VerificationTask.objects.none()
    return scope_to_jurisdiction(VerificationTask.objects.all(), user, path_field="division_path")


def _filtered(user: Any, filters: TaskFilter) -> QuerySet[VerificationTask]:
    tasks = visible_tasks(user)
    if filters.rule:
        tasks = tasks.filter(rule=filters.rule)
    if filters.direction:
        tasks = tasks.filter(direction=filters.direction)
    if filters.status:
        tasks = tasks.filter(status=filters.status)
    if filters.community is not None:
        tasks = tasks.filter(community=filters.community)
    if filters.period:
        tasks = tasks.filter(
            Exists(WarningOccurrence.objects.filter(task=OuterRef("pk"), period=filters.period))
        )
    if filters.overdue_before is not None:
        tasks = tasks.filter(status="open", due_on__lt=filters.overdue_before)
    return tasks


def task_list(user: Any, filters: TaskFilter) -> QuerySet[VerificationTask]:
    """The warning list as filtered on screen: open first, earliest due first."""
    return (
        _filtered(user, filters)
        .select_related("household", "community", "grid", "community_worker", "grid_worker")
        .order_by("-status", "due_on", "pk")
    )


def task_get(user: Any, pk: int) -> VerificationTask:
    """One task of the user's jurisdiction (missing and out of scope alike: NotFound)."""
    if not 0 < pk <= MAX_PK:
        raise NotFound()
    task = (
        visible_tasks(user)
        .select_related(
            "household", "community", "grid", "community_worker", "grid_worker", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def task_members(task: VerificationTask) -> list[Member]:
    return list(task.members.order_by("pk"))


def task_occurrences(task: VerificationTask) -> list[WarningOccurrence]:
    return list(task.occurrences.order_by("-period"))


def community_options(user: Any) -> QuerySet[Division]:
    """Communities the list may be narrowed to: those holding a task the user can see."""
    return Division.objects.filter(
        level=Level.COMMUNITY, pk__in=visible_tasks(user).values("community_id")
    ).order_by("code")


def spans_communities(user: Any) -> bool:
    """A street or county user (jurisdiction above one community) gets the community filter."""
    division = getattr(user, "division", None)
    return division is not None and division.level in (Level.COUNTY, Level.TOWNSHIP)


def period_options(user: Any) -> list[str]:
    """Quarters in which a visible task's rule fired, newest first."""
    return list(
        WarningOccurrence.objects.filter(task__in=visible_tasks(user))
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()
    )


def chart_counts(user: Any, community: Division | None = None) -> Counter[tuple[str, str]]:
    """Warnings per (quarter, rule) in the user's jurisdiction (optionally one community)."""
    tasks = visible_tasks(user)
    if community is not None:
        tasks = tasks.filter(community=community)
    rows = (
        WarningOccurrence.objects.filter(task__in=tasks)
        .values("period", "rule")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({(r["period"], r["rule"]): r["n"] for r in rows})


def status_counts(user: Any, filters: TaskFilter, *, today: Any) -> dict[str, int]:
    tasks = _filtered(user, TaskFilter(**{**filters.__dict__, "status": ""}))
    return tasks.aggregate(
        open=Count("pk", filter=Q(status="open")),
        done=Count("pk", filter=Q(status="done")),
        overdue=Count("pk", filter=Q(status="open", due_on__lt=today)),
    )


# ---------------------------------------------------------------- screening runs


def latest_run(period: str = "") -> ScreeningRun | None:
    runs = ScreeningRun.objects.select_related("requested_by")
    if period:
        runs = runs.filter(period=period)
    return runs.order_by("-created_at", "-pk").first()


def run_get(user: Any, pk: int) -> ScreeningRun:
    """A screening run, for those who may start one (runs are county-wide, like the roster)."""
    if not can(user, Action.SCREENING_RUN) or not 0 < pk <= MAX_PK:
        raise NotFound()
    run = ScreeningRun.objects.select_related("requested_by").filter(pk=pk).first()
    if run is None:
        raise NotFound()
    return run


# ---------------------------------------------------------------- extract imports


def visible_extract_imports(user: Any) -> QuerySet[ExtractImport]:
    """The user's own uploads, and those of users inside their jurisdiction."""
    if not can(user, Action.EXTRACT_UPLOAD):
        return ExtractImport.objects.none()
    path = jurisdiction_path(user)
    own = Q(uploaded_by_id=user.pk)
    if path is None:
        return ExtractImport.objects.filter(own)
    return ExtractImport.objects.filter(
        own | Q(jurisdiction_path__startswith=path) & ~Q(jurisdiction_path="")
    ).select_related("uploaded_by")


def recent_extract_imports(user: Any, limit: int = 30) -> list[ExtractImport]:
    return list(visible_extract_imports(user).order_by("-created_at", "-pk")[:limit])


def extract_import_get(user: Any, pk: int) -> ExtractImport:
    if not 0 < pk <= MAX_PK:
        raise NotFound()
    record = visible_extract_imports(user).filter(pk=pk).first()
    if record is None:
        raise NotFound()
    return record
