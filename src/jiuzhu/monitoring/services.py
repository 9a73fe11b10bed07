"""Department extracts in, warning list out, verification tasks raised: the Django side
of the screening engine.

The engine (`jiuzhu.screening`) knows no database; this module gives it the
roster of record from the registry (ID numbers as the blind indexes the
registry already keeps — nothing is decrypted), the extracts' folder, the
thresholds from the dated policy parameters, and the key ring. Its warnings
become verification tasks (核查任务, data-exchange.md §3): raised once per
household, rule and quarter; a warning still open for the same household and
rule is updated, not raised again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest

from jiuzhu.accounts.models import User
from jiuzhu.accounts.scoping import jurisdiction_path
from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, PermissionDenied, ServiceError
from jiuzhu.core.keys import keyring
from jiuzhu.core.permissions import Action, Role, can
from jiuzhu.core.workdays import working_calendar
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.calendar import WorkingCalendar
from jiuzhu.domain.errors import DomainError
from jiuzhu.exchange import FileKind, FileRefused, Quarter, kind_for_filename
from jiuzhu.exchange.periods import as_quarter
from jiuzhu.monitoring.models import (
    LIVE_EXTRACT,
    LIVE_RUN,
    Direction,
    ExtractImport,
    ExtractStatus,
    Outcome,
    Rule,
    RunStatus,
    ScreeningRun,
    TaskStatus,
    VerificationTask,
    WarningOccurrence,
)
from jiuzhu.policy.services import parameter_table
from jiuzhu.registry.imports import (
    ZIP_MAGIC,
    Upload,
    UploadRefused,
    check_content,
    expected_rows,
)
from jiuzhu.registry.models import Household, Member, Program
from jiuzhu.screening import (
    Ingest,
    LoadedFile,
    ScreeningWarning,
    Thresholds,
    load_quarter_folder,
    screen,
)
from jiuzhu.screening.backends import ENGINES, connect
from jiuzhu.screening.load import fen, write_roster_rows

logger = logging.getLogger(__name__)

TASK = "monitoring.VerificationTask"
RUN = "monitoring.ScreeningRun"
EXTRACT = "monitoring.ExtractImport"

# ---------------------------------------------------------------- screening


def screening_dir() -> Path:
    """Where the Parquet roster and extracts live (never served; no clear ID number inside)."""
    return Path(settings.DATA_DIR) / "screening"


def import_extracts(folder: Path, period: str) -> list[LoadedFile]:
    """Every extract file found in `folder`, for one quarter; a quarter's file is replaced."""
    return load_quarter_folder(folder, as_quarter(period), screening_dir(), keyring=keyring())


def export_roster(data_dir: Path) -> int:
    """The recipients of the registry as the engine's roster; returns the number of households."""
    recipients = Household.objects.exclude(program=Program.NONE)
    households = [
        (
            no,
            code,
            program,
            review_class or None,
            enrolled_on,
            last_verified_on,
            fen(benefit),
            fen(declared),
        )
        for no, code, program, review_class, enrolled_on, last_verified_on, benefit, declared in recipients.values_list(
            "household_no",
            "community__code",
            "program",
            "review_class",
            "enrolled_on",
            "last_verified_on",
            "monthly_benefit",
            "declared_monthly_income",
        ).iterator(chunk_size=5000)
    ]
    members = list(
        Member.objects.filter(household__in=recipients, left_on__isnull=True)
        .values_list(
            "household__household_no",
            "id_number_index",
            "relation",
            "labor_ability",
            "disability_grade",
            "health",
            "is_student",
            "employment",
        )
        .iterator(chunk_size=5000)
    )
    write_roster_rows(households, members, data_dir)
    return len(households)


def thresholds_for(quarter: Quarter, region_code: str) -> Thresholds:
    """The screening ratios in force on the last day of the quarter (data-exchange.md §3)."""
    on = quarter.end
    table = parameter_table()
    return Thresholds(
        income_swing_ratio=Fraction(table.resolve("income_swing_ratio", region_code, on).value),
        medical_burden_ratio=Fraction(table.resolve("medical_burden_ratio", region_code, on).value),
    )


def county_code() -> str:
    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    return county.code if county is not None else ""


def run_screening(period: str, *, engine: str = "duckdb") -> list[ScreeningWarning]:
    """Export the roster, then screen `period` on `engine` (`jiuzhu.screening.backends`)."""
    quarter = as_quarter(period)
    data_dir = screening_dir()
    export_roster(data_dir)
    return screen(connect(engine), data_dir, quarter, thresholds_for(quarter, county_code()))


def warning_row(warning: ScreeningWarning) -> dict[str, Any]:
    """One line of `jiuzhu screen --output`: household_id, rule, members, details."""
    return {
        "household_id": warning.household_id,
        "rule": warning.rule,
        "members": ";".join(warning.members),
        "details": json.dumps(warning.details, ensure_ascii=False, sort_keys=True),
    }


# ---------------------------------------------------------------- verification tasks


def due_working_days() -> int:
    """Working days a street office has to verify a warning (default 10).

    Why 10: a check needs a data comparison and a home visit by two people
    (domain.md §5); two working weeks leave room for both, match the county's
    own review limit (≤ 10 WD), and still close the task before the next
    monthly payroll — so a benefit that must change changes a month earlier.
    A county that wants another limit sets `JIUZHU_VERIFICATION_DUE_WORKING_DAYS`.
    """
    return int(settings.JIUZHU_VERIFICATION_DUE_WORKING_DAYS)


def task_due_on(created_on: Any, calendar: WorkingCalendar | None = None) -> Any:
    """The created day plus N working days of the platform's calendar (调休 included)."""
    calendar = calendar if calendar is not None else working_calendar()
    return calendar.add_working_days(created_on, due_working_days())


@dataclass
class RaiseSummary:
    """What `raise_tasks` did with a warning list."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # warnings of a household no longer in the registry

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def message(self) -> str:
        text = (
            f"新生成核查任务 {self.created} 件，更新 {self.updated} 件，未变化 {self.unchanged} 件"
        )
        if self.skipped:
            text += f"；{self.skipped} 条预警的家庭不在家庭信息库中，未生成任务"
        return text


#: Key of the PostgreSQL advisory lock that lets one raise run at a time.
RAISE_LOCK = 0x4A5A_0002


def _serialise_raises() -> None:
    """Two runs raising tasks at once must not both create the same task. SQLite's
    IMMEDIATE transactions already serialise writers; PostgreSQL takes an advisory
    lock held until the transaction ends. The unique constraints stay the backstop."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RAISE_LOCK])


def _first_by_division(role: str, division_ids: Iterable[int]) -> dict[int, int]:
    """For each division, the active user of `role` sitting there (the lowest id, so the
    choice is stable); divisions with nobody are absent."""
    found: dict[int, int] = {}
    rows = (
        User.objects.filter(is_active=True, role=role, division_id__in=set(division_ids))
        .order_by("pk")
        .values_list("division_id", "pk")
    )
    for division_id, pk in rows:
        if division_id is not None:
            found.setdefault(division_id, pk)
    return found


def _place(task: VerificationTask, household: Household, assignees: _Assignees) -> None:
    """Copy the household's community, grid and path; keep an active assignee of the same
    place, otherwise take whoever now sits there (None: 未分配)."""
    moved = task.community_id != household.community_id or task.grid_id != household.grid_id
    task.community_id = household.community_id
    task.grid_id = household.grid_id
    task.division_path = household.division_path
    if moved or task.community_worker_id not in assignees.active:
        task.community_worker_id = assignees.community.get(household.community_id)
    if moved or task.grid_worker_id not in assignees.active:
        task.grid_worker_id = (
            assignees.grid.get(household.grid_id) if household.grid_id is not None else None
        )


@dataclass
class _Assignees:
    community: dict[int, int]
    grid: dict[int, int]
    active: set[int | None]


def _assignees(households: Iterable[Household], tasks: Iterable[VerificationTask]) -> _Assignees:
    households = list(households)
    current = {t.community_worker_id for t in tasks} | {t.grid_worker_id for t in tasks}
    active: set[int | None] = set(
        User.objects.filter(pk__in=[pk for pk in current if pk is not None], is_active=True)
        .values_list("pk", flat=True)
        .iterator()
    )
    return _Assignees(
        community=_first_by_division(Role.COMMUNITY_WORKER, (h.community_id for h in households)),
        grid=_first_by_division(
            Role.GRID_WORKER, (h.grid_id for h in households if h.grid_id is not None)
        ),
        active=active,
    )


def raise_tasks(
    period: Quarter | str, warnings: Sequence[ScreeningWarning], *, actor: Any = None
) -> RaiseSummary:
    """Turn a quarter's warning list into verification tasks, in one transaction.

    Idempotent: a warning already recorded for its household, rule and quarter
    changes nothing (or refreshes the figures of a task still open); one for a
    household and rule whose task is still open updates that task (figures,
    members, last quarter seen); otherwise a task is created, due N working
    days after today. Members are resolved from the blind indexes; a warning
    of a household not in the registry is counted as skipped.
    """
    quarter = str(as_quarter(period))
    summary = RaiseSummary()
    unique: dict[tuple[str, str], ScreeningWarning] = {}
    for warning in warnings:
        if warning.rule not in Rule.values:
            raise ValueError(f"unknown screening rule {warning.rule!r}")
        unique.setdefault((warning.household_id, warning.rule), warning)
    now = clock.now()
    today = clock.today()
    due_on = task_due_on(today) if unique else today
    with transaction.atomic():
        _serialise_raises()
        households = {
            h.household_no: h
            for h in Household.objects.filter(household_no__in={no for no, _ in unique}).only(
                "pk", "household_no", "community_id", "grid_id", "division_path"
            )
        }
        ids = [h.pk for h in households.values()]
        member_ids: dict[str, int] = dict(
            Member.objects.filter(
                id_number_index__in={i for w in unique.values() for i in w.members}
            ).values_list("id_number_index", "pk")
        )
        seen = {
            (o.household_id, o.rule): o
            for o in WarningOccurrence.objects.filter(
                period=quarter, household_id__in=ids
            ).select_related("task")
        }
        open_tasks = {
            (t.household_id, t.rule): t
            for t in VerificationTask.objects.select_for_update().filter(
                status=TaskStatus.OPEN, household_id__in=ids
            )
        }
        assignees = _assignees(households.values(), open_tasks.values())

        new_tasks: list[tuple[VerificationTask, list[int]]] = []
        changed_tasks: dict[int, VerificationTask] = {}
        changed_members: dict[int, list[int]] = {}
        new_occurrences: list[WarningOccurrence] = []
        changed_occurrences: list[WarningOccurrence] = []
        for (household_no, rule), warning in unique.items():
            household = households.get(household_no)
            if household is None:
                summary.skipped += 1
                continue
            key = (household.pk, rule)
            details = dict(warning.details)
            members = sorted({member_ids[i] for i in warning.members if i in member_ids})
            occurrence = seen.get(key)
            if occurrence is not None:
                task = occurrence.task
                if task.status == TaskStatus.OPEN and occurrence.details != details:
                    occurrence.details = details
                    changed_occurrences.append(occurrence)
                    if task.last_period == quarter:
                        task.details = details
                        changed_members[task.pk] = members
                    task.updated_at = now
                    changed_tasks[task.pk] = task
                    summary.updated += 1
                else:
                    summary.unchanged += 1
                continue
            task_open = open_tasks.get(key)
            if task_open is not None:
                new_occurrences.append(
                    WarningOccurrence(
                        task=task_open,
                        household_id=household.pk,
                        rule=rule,
                        period=quarter,
                        details=details,
                        recorded_at=now,
                    )
                )
                if (
                    quarter >= task_open.last_period
                ):  # a re-run of an older quarter keeps the newer figures
                    task_open.last_period = quarter
                    task_open.details = details
                    changed_members[task_open.pk] = members
                    _place(task_open, household, assignees)
                task_open.updated_at = now
                changed_tasks[task_open.pk] = task_open
                summary.updated += 1
                continue
            task = VerificationTask(
                household_id=household.pk,
                rule=rule,
                direction=Direction(warning.direction),
                period=quarter,
                last_period=quarter,
                details=details,
                status=TaskStatus.OPEN,
                created_on=today,
                due_on=due_on,
                created_at=now,
                updated_at=now,
            )
            _place(task, household, assignees)
            new_tasks.append((task, members))
            summary.created += 1

        VerificationTask.objects.bulk_create([t for t, _ in new_tasks], batch_size=1000)
        for task, members in new_tasks:
            changed_members[task.pk] = members
            new_occurrences.append(
                WarningOccurrence(
                    task=task,
                    household_id=task.household_id,
                    rule=task.rule,
                    period=quarter,
                    details=task.details,
                    recorded_at=now,
                )
            )
        VerificationTask.objects.bulk_update(
            list(changed_tasks.values()),
            [
                "details",
                "last_period",
                "community",
                "grid",
                "division_path",
                "community_worker",
                "grid_worker",
                "updated_at",
            ],
            batch_size=1000,
        )
        WarningOccurrence.objects.bulk_create(new_occurrences, batch_size=1000)
        WarningOccurrence.objects.bulk_update(changed_occurrences, ["details"], batch_size=1000)
        through = VerificationTask.members.through
        through.objects.filter(verificationtask_id__in=list(changed_members)).delete()
        through.objects.bulk_create(
            [
                through(verificationtask_id=task_id, member_id=member_id)
                for task_id, members in changed_members.items()
                for member_id in members
            ],
            batch_size=2000,
        )
        audit_record(
            action="warning.raise",
            actor=actor,
            username="" if actor is not None else "system",
            object_type=TASK,
            details={"period": quarter, **summary.as_dict()},
        )
    return summary


def screen_and_raise(
    period: str, engine: str = "duckdb", *, actor: Any = None
) -> tuple[list[ScreeningWarning], RaiseSummary]:
    """Screen a quarter and raise its tasks: what the command and the background run do."""
    warnings = run_screening(period, engine=engine)
    return warnings, raise_tasks(period, warnings, actor=actor)


class TaskClosed(ServiceError):
    code = "task_closed"
    default_message = "该核查任务已登记结果，不能重复登记"
    http_status = 409


class OutcomeRefused(ServiceError):
    code = "outcome_refused"
    default_message = "核查结果不完整"


MIN_REASON = 4


def may_decide(user: Any, task: VerificationTask) -> bool:
    """Maker rule: the assigned community or grid worker, or an assistance officer whose
    jurisdiction holds the task."""
    if not can(user, Action.WARNING_DECIDE):
        return False
    role = getattr(user, "role", "")
    if role == Role.ASSISTANCE_OFFICER:
        path = jurisdiction_path(user)
        return path is not None and task.division_path.startswith(path)
    if role == Role.COMMUNITY_WORKER:
        return task.community_worker_id is not None and task.community_worker_id == user.pk
    if role == Role.GRID_WORKER:
        return task.grid_worker_id is not None and task.grid_worker_id == user.pk
    return False


def record_outcome(
    task: VerificationTask,
    user: Any,
    outcome: str,
    reason: str,
    *,
    request: HttpRequest | None = None,
) -> VerificationTask:
    """Close an open task with its outcome and the reason for it (audited)."""
    reason = " ".join(str(reason or "").split())
    if outcome not in Outcome.values:
        raise OutcomeRefused("请选择核查结果")
    if len(reason) < MIN_REASON:
        raise OutcomeRefused(f"请填写核查说明（至少 {MIN_REASON} 个字）")
    with transaction.atomic():
        locked = VerificationTask.objects.select_for_update().filter(pk=task.pk).first()
        if locked is None:
            raise NotFound()
        if not may_decide(user, locked):
            raise PermissionDenied("只有分派的社区工作人员、网格员或本辖区救助专干可以登记核查结果")
        if locked.status != TaskStatus.OPEN:
            raise TaskClosed()
        locked.status = TaskStatus.DONE
        locked.outcome = outcome
        locked.reason = reason[:2000]
        locked.decided_by = user
        locked.decided_at = clock.now()
        locked.updated_at = locked.decided_at
        locked.save(
            update_fields=["status", "outcome", "reason", "decided_by", "decided_at", "updated_at"]
        )
        audit_record(
            action="warning.decide",
            actor=user,
            request=request,
            object_type=TASK,
            object_id=locked.pk,
            details={"outcome": outcome, "rule": locked.rule, "period": locked.period},
        )
    return locked


# ---------------------------------------------------------------- screening runs


class RunRefused(ServiceError):
    code = "run_refused"
    default_message = "无法启动筛查"


def _fail_stalled_runs(now: Any) -> None:
    for run in ScreeningRun.objects.filter(status__in=LIVE_RUN):
        if run.stalled(now):
            ScreeningRun.objects.filter(pk=run.pk, status__in=LIVE_RUN).update(
                status=RunStatus.FAILED,
                finished_at=now,
                error="筛查已中断（处理进程停止），请重新启动。",
            )


def screening_run_start(*, user: Any, period: str, engine: str = "duckdb") -> ScreeningRun:
    """Queue a quarter's screening; the run already queued or running for it is returned
    instead of a second one (a double click, a second tab)."""
    from jiuzhu.monitoring.tasks import run_screening_task

    if not can(user, Action.SCREENING_RUN):
        raise PermissionDenied()
    quarter = str(as_quarter(period))
    if engine not in ENGINES:
        raise RunRefused(f"未知的筛查引擎：{engine}")
    now = clock.now()
    _fail_stalled_runs(now)
    live = ScreeningRun.objects.filter(period=quarter, status__in=LIVE_RUN).first()
    if live is not None:
        return live
    try:
        with transaction.atomic():
            run = ScreeningRun.objects.create(
                period=quarter,
                engine=engine,
                status=RunStatus.QUEUED,
                requested_by=user,
                created_at=now,
            )
            audit_record(
                action="screening.run",
                actor=user,
                object_type=RUN,
                object_id=run.pk,
                details={"period": quarter, "engine": engine},
            )
    except IntegrityError:
        twin = ScreeningRun.objects.filter(period=quarter, status__in=LIVE_RUN).first()
        if twin is None:  # finished in between: let the user click again
            raise RunRefused("该季度的筛查刚刚结束，请刷新页面后再试") from None
        return twin
    run_screening_task.enqueue(run.pk)
    run.refresh_from_db()
    return run


def screening_run_execute(run_id: int) -> ScreeningRun:
    """The background task's body: screen, raise the tasks, record counts or the error."""
    claimed = ScreeningRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=clock.now(), heartbeat_at=clock.now()
    )
    run = ScreeningRun.objects.select_related("requested_by").get(pk=run_id)
    if not claimed:
        return run  # already taken (a retried task) or failed meanwhile
    try:
        warnings, summary = screen_and_raise(run.period, run.engine, actor=run.requested_by)
    except DomainError as exc:
        return _finish_run(run, error=exc.message)
    except Exception as exc:
        logger.exception("screening run %s failed", run.pk)
        message = str(exc) if isinstance(exc, RuntimeError | ValueError) and _chinese(exc) else ""
        return _finish_run(
            run,
            error=message or "筛查失败，已有核查任务未做任何改动。请联系系统管理员并提供批次编号。",
        )
    counts = {rule: 0 for rule in Rule.values}
    for warning in warnings:
        counts[warning.rule] = counts.get(warning.rule, 0) + 1
    run.counts = counts
    run.tasks_created = summary.created
    run.tasks_updated = summary.updated
    run.tasks_unchanged = summary.unchanged
    return _finish_run(run, error="")


def _chinese(exc: BaseException) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))


def _finish_run(run: ScreeningRun, *, error: str) -> ScreeningRun:
    run.status = RunStatus.FAILED if error else RunStatus.DONE
    run.error = error[:500]
    run.finished_at = clock.now()
    with transaction.atomic():
        run.save()
        audit_record(
            action="screening.fail" if error else "screening.finish",
            result="failed" if error else "ok",
            actor=run.requested_by,
            username="" if run.requested_by is not None else "system",
            object_type=RUN,
            object_id=run.pk,
            details={"period": run.period, "engine": run.engine, "warnings": run.total},
        )
    return run


# ---------------------------------------------------------------- extract uploads

EXTRACT_SUFFIXES = (".csv", ".xlsx", ".parquet")
PARQUET_MAGIC = b"PAR1"
#: Rejected lines kept in the stored report; the count of all of them is kept too.
MAX_STORED_REJECTS = 1000

KIND_LABELS: dict[str, str] = {
    FileKind.TAX_INCOME: "税务 · 个人收入",
    FileKind.HRSS_BENEFITS: "人社 · 社保待遇",
    FileKind.MEDICAL_SETTLEMENTS: "医保 · 医疗费用结算",
    FileKind.PROPERTY_REGISTRY: "不动产登记",
    FileKind.VEHICLE_REGISTRY: "公安交管 · 车辆登记",
    FileKind.BUSINESS_REGISTRY: "市场监管 · 工商登记",
    FileKind.DEATH_RECORDS: "公安/殡葬 · 死亡登记",
}


def staging_root() -> Path:
    """Private staging of uploaded extracts (they hold clear ID numbers until imported)."""
    return Path(settings.JIUZHU_UPLOAD_DIR) / "extracts"


def _check_extract_file(label: str, suffix: str, path: Path) -> None:
    if suffix == ".parquet":
        with path.open("rb") as handle:
            head = handle.read(4)
            tail = b""
            if path.stat().st_size >= 8:
                handle.seek(-4, os.SEEK_END)
                tail = handle.read(4)
        if head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
            raise UploadRefused(f"{label}文件扩展名为 .parquet，但内容不是 Parquet 文件")
        return
    if suffix == ".csv":
        with path.open("rb") as handle:
            if handle.read(4) == ZIP_MAGIC:
                raise UploadRefused(f"{label}文件扩展名为 .csv，但内容是压缩文件")
        return
    check_content(label, suffix, path)  # .xlsx: Excel content, zip-bomb refusal


def _expected(path: Path) -> int | None:
    """Rows to expect, for the progress bar (None for a workbook)."""
    if path.suffix == ".csv":
        return expected_rows({"file": path})
    if path.suffix == ".parquet":
        return _parquet_rows(path)
    return None


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _store_extract(kind: str, upload: Upload) -> tuple[str, Path, str, int]:
    """Save one upload as `<token>/<kind><suffix>` (a user's file name never becomes a path)."""
    label = KIND_LABELS[kind]
    display = Path(upload.name or "").name[:120]
    suffix = Path(display).suffix.lower()
    if suffix not in EXTRACT_SUFFIXES:
        raise UploadRefused(
            f"{label}文件只能是 .csv、.xlsx 或 .parquet 格式（收到：{suffix or '无扩展名'}）"
        )
    if (upload.size or 0) > settings.JIUZHU_UPLOAD_MAX_BYTES:
        raise UploadRefused(
            f"{label}文件超过大小上限（{settings.JIUZHU_UPLOAD_MAX_BYTES // 1024 // 1024} MB）"
        )
    token = uuid.uuid4().hex
    folder = staging_root() / token
    folder.mkdir(parents=True, exist_ok=False, mode=0o700)
    target = folder / f"{kind}{suffix}"
    try:
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        _check_extract_file(label, suffix, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return token, target, display, target.stat().st_size


def extract_upload_submit(
    *, user: Any, period: str, files: dict[str, Upload]
) -> list[ExtractImport]:
    """Store each department file privately, record it and queue its import.

    All files are checked before anything is queued: one refused file refuses the
    submission (nothing stays on disk). A file already queued or importing for the
    same quarter and department (a double click) is not queued twice."""
    from jiuzhu.monitoring.tasks import run_extract_import

    if not can(user, Action.EXTRACT_UPLOAD):
        raise PermissionDenied()
    scope = jurisdiction_path(user)
    if scope is None:
        raise PermissionDenied("您没有所属辖区，不能上传比对数据")
    quarter = str(as_quarter(period))
    wanted = {kind: upload for kind, upload in files.items() if upload is not None}
    if not wanted:
        raise UploadRefused("请至少选择一个部门的比对数据文件")
    for kind in wanted:
        if kind not in KIND_LABELS:
            raise UploadRefused("未知的比对数据类别")
    stored: list[tuple[str, str, Path, str, int]] = []
    try:
        for kind, upload in wanted.items():
            token, path, display, size = _store_extract(kind, upload)
            stored.append((kind, token, path, display, size))
    except BaseException:
        for _, token, *_rest in stored:
            shutil.rmtree(staging_root() / token, ignore_errors=True)
        raise
    now = clock.now()
    created: list[ExtractImport] = []
    queued: list[int] = []
    for kind, token, path, display, size in stored:
        digest = _digest(path)
        with transaction.atomic():
            twin = (
                ExtractImport.objects.select_for_update()
                .filter(period=quarter, kind=kind, digest=digest, status__in=LIVE_EXTRACT)
                .first()
            )
            if twin is not None and not twin.stalled(now):
                shutil.rmtree(staging_root() / token, ignore_errors=True)
                created.append(twin)
                continue
            record = ExtractImport.objects.create(
                period=quarter,
                kind=kind,
                file_name=display,
                digest=digest,
                size=size,
                status=ExtractStatus.QUEUED,
                expected_rows=_expected(path),
                staging=token,
                uploaded_by=user,
                jurisdiction_path=scope,
                created_at=now,
            )
            audit_record(
                action="extract.upload",
                actor=user,
                object_type=EXTRACT,
                object_id=record.pk,
                details={"period": quarter, "kind": kind, "size": size},
            )
        created.append(record)
        queued.append(record.pk)
    for pk in queued:
        run_extract_import.enqueue(pk)
    ids = [r.pk for r in created]
    return list(ExtractImport.objects.filter(pk__in=ids).order_by("pk"))


def _parquet_rows(path: Path) -> int | None:
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # an unreadable file is reported by the import itself
        return None


def extract_import_run(import_id: int) -> ExtractImport:
    """Run one queued extract import (the background task's body). The staged file is
    deleted at the end, whatever happened."""
    record = ExtractImport.objects.select_related("uploaded_by").get(pk=import_id)
    folder = staging_root() / record.staging if record.staging else None
    try:
        claimed = ExtractImport.objects.filter(pk=record.pk, status=ExtractStatus.QUEUED).update(
            status=ExtractStatus.RUNNING, started_at=clock.now(), heartbeat_at=clock.now()
        )
        if not claimed:
            record.refresh_from_db()
            return record
        record.status = ExtractStatus.RUNNING
        if folder is None or not folder.is_dir():
            return _finish_extract(
                record, ExtractStatus.FAILED, "上传的文件已不存在，请重新上传。", report={}
            )

        def on_progress(rows: int) -> None:
            ExtractImport.objects.filter(pk=record.pk).update(
                rows_read=rows, heartbeat_at=clock.now()
            )

        staged = next(
            (f for f in sorted(folder.iterdir()) if kind_for_filename(f.name) == record.kind), None
        )
        if staged is None:
            return _finish_extract(
                record, ExtractStatus.FAILED, "未能识别上传文件的数据类别。", report={}
            )
        item = Ingest(screening_dir(), keyring=keyring()).load(
            staged, record.kind, record.period, progress=on_progress
        )
        report = item.report
        unchanged = item.unchanged
        stored = report_dict(report)
        record.rows_read = report.rows_read
        record.rows_loaded = report.rows_loaded
        record.rows_rejected = report.rows_rejected
        record.rows_duplicate = report.duplicates
        record.unchanged = unchanged
        if unchanged:
            message = "该文件与本季度已导入的同一部门文件相同，本次未做任何变更"
            return _finish_extract(record, ExtractStatus.UNCHANGED, message, report=stored)
        message = (
            f"读取 {report.rows_read} 行，导入 {report.rows_loaded} 行，"
            f"拒绝 {report.rows_rejected} 行（其中重复 {report.duplicates} 行）"
        )
        if report.unknown_columns:
            message += f"；忽略未知列：{'、'.join(report.unknown_columns)}"
        return _finish_extract(record, ExtractStatus.DONE, message, report=stored)
    except FileRefused as exc:
        refusal: dict[str, Any] = {"refused": exc.code}
        columns = getattr(exc, "columns", None)
        if columns:
            refusal["columns"] = list(columns)
        return _finish_extract(record, ExtractStatus.FAILED, exc.message, report=refusal)
    except Exception:
        logger.exception("extract import %s failed", record.pk)
        return _finish_extract(
            record,
            ExtractStatus.FAILED,
            "导入失败，本季度已有的比对数据未做任何改动。请联系系统管理员并提供导入编号。",
            report={},
        )
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def report_dict(report: Any) -> dict[str, Any]:
    """The stored report: counts, reasons, unknown columns, and at most
    MAX_STORED_REJECTS rejected lines (line, reason, message — never a cell value)."""
    data = report.to_dict()
    rejected = data.pop("rejected", [])
    data["rejects"] = [
        {"line": r["line"], "reason": r["reason"], "message": r["message"], "column": r["column"]}
        for r in rejected[:MAX_STORED_REJECTS]
    ]
    data["rejects_total"] = len(rejected)
    data["rejects_truncated"] = len(rejected) > MAX_STORED_REJECTS
    return data


def _finish_extract(
    record: ExtractImport, status: str, message: str, *, report: dict[str, Any]
) -> ExtractImport:
    record.status = status
    record.message = message[:500]
    record.report = report
    record.finished_at = clock.now()
    with transaction.atomic():
        record.save()
        audit_record(
            action="extract.fail" if status == ExtractStatus.FAILED else "extract.finish",
            result="failed" if status == ExtractStatus.FAILED else "ok",
            actor=record.uploaded_by,
            username="" if record.uploaded_by is not None else "system",
            object_type=EXTRACT,
            object_id=record.pk,
            details={
                "period": record.period,
                "kind": record.kind,
                "status": status,
                "loaded": record.rows_loaded,
                "rejected": record.rows_rejected,
            },
        )
    return record
