"""Roster import (在保对象名册导入, data-exchange.md §1): submit, run, apply.

The file is validated first (rows stream through `jiuzhu.exchange.roster`,
progress is committed as it goes), then applied in ONE transaction: a crash or
a kill leaves the previous data untouched. The digest of the files makes a
second import of the same files a no-op that says so; a corrected roster
updates households in place, bumping their version with a new revision.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction

from jiuzhu.accounts.scoping import jurisdiction_path
from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock, faults
from jiuzhu.core.errors import PermissionDenied, ServiceError
from jiuzhu.core.keys import blind_index
from jiuzhu.core.permissions import Action, can
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.identity import parse_resident_id
from jiuzhu.exchange import roster as exchange
from jiuzhu.registry.history import new_revision
from jiuzhu.registry.models import Household, HouseholdRevision, ImportBatch, ImportStatus, Member

logger = logging.getLogger(__name__)

ROSTER_PARTS = ("divisions", "households", "members")
REQUIRED_PARTS = ("households", "members")
ALLOWED_SUFFIXES = (".csv", ".xlsx")
ZIP_MAGIC = b"PK\x03\x04"
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 100
BATCH = 2000


class UploadRefused(ServiceError):
    code = "upload_refused"
    default_message = "上传的文件不符合要求"


class Upload(Protocol):
    name: str | None
    size: int | None

    def chunks(self) -> Iterable[bytes]: ...


# ---------------------------------------------------------------- submit


def _check_suffix(part: str, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadRefused(f"{part}文件只能是 .csv 或 .xlsx 格式（收到：{suffix or '无扩展名'}）")
    return suffix


def check_content(part: str, suffix: str, path: Path) -> None:
    """Extension and content must agree; zip bombs are refused before parsing (security.md §F.24)."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if suffix == ".xlsx":
        if head != ZIP_MAGIC:
            raise UploadRefused(f"{part}文件扩展名为 .xlsx，但内容不是 Excel 文件")
        try:
            with zipfile.ZipFile(path) as archive:
                total = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise UploadRefused(f"{part}文件已损坏，无法作为 Excel 文件打开") from None
        size = max(path.stat().st_size, 1)
        if total > MAX_XLSX_UNCOMPRESSED or total / size > MAX_XLSX_RATIO:
            raise UploadRefused(f"{part}文件解压后过大，疑似压缩炸弹，已拒绝")
    elif head == ZIP_MAGIC:
        raise UploadRefused(f"{part}文件扩展名为 .csv，但内容是压缩文件")


PART_LABELS = {"divisions": "区划", "households": "家庭", "members": "成员"}


def _store_uploads(
    folder: Path, files: dict[str, Upload | None]
) -> tuple[dict[str, Path], dict[str, str]]:
    stored: dict[str, Path] = {}
    names: dict[str, str] = {}
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for part in ROSTER_PARTS:
        upload = files.get(part)
        if upload is None:
            if part in REQUIRED_PARTS:
                raise UploadRefused(f"请上传{PART_LABELS[part]}文件")
            continue
        label = PART_LABELS[part]
        display = Path(upload.name or "").name[:100]
        suffix = _check_suffix(label, display)
        if (upload.size or 0) > settings.JIUZHU_UPLOAD_MAX_BYTES:
            raise UploadRefused(
                f"{label}文件超过大小上限（{settings.JIUZHU_UPLOAD_MAX_BYTES // 1024 // 1024} MB）"
            )
        target = folder / f"{part}{suffix}"  # user file names never become paths
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        check_content(label, suffix, target)
        stored[part] = target
        names[part] = display
    return stored, names


def files_digest(paths: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for part in ROSTER_PARTS:
        if part in paths:
            digest.update(part.encode() + b"\x00")
            with paths[part].open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            digest.update(b"\x00")
    return digest.hexdigest()


def roster_import_submit(*, user: Any, files: dict[str, Upload | None]) -> ImportBatch:
    """Store the uploaded roster privately, create the batch and queue the import."""
    from jiuzhu.registry.tasks import run_roster_import

    if not can(user, Action.ROSTER_IMPORT):
        raise PermissionDenied()
    scope = jurisdiction_path(user)
    if scope is None:
        raise PermissionDenied("您没有所属辖区，不能导入名册")
    token = uuid.uuid4().hex
    folder = Path(settings.JIUZHU_UPLOAD_DIR) / token
    try:
        paths, names = _store_uploads(folder, files)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    digest = files_digest(paths)
    with transaction.atomic():
        twin = _in_flight_twin(digest=digest, scope=scope, user=user)
        if twin is not None:  # a double click or a second tab: show the import already running
            shutil.rmtree(folder, ignore_errors=True)
            return twin
        batch = ImportBatch.objects.create(
            kind="roster",
            digest=digest,
            file_names="、".join(names.values())[:300],
            status=ImportStatus.PENDING,
            phase="排队等待",
            report={"upload_token": token},
            created_by=user,
            jurisdiction_path=scope,
            created_at=clock.now(),
        )
        audit_record(
            action="import.start",
            actor=user,
            object_type="ImportBatch",
            object_id=batch.pk,
            details={"kind": "roster", "files": list(names.values())},
        )
    run_roster_import.enqueue(batch.pk)
    return batch


def _in_flight_twin(*, digest: str, scope: str, user: Any) -> ImportBatch | None:
    """The same files from the same user, still queued or running (and alive)."""
    now = clock.now()
    for batch in ImportBatch.objects.select_for_update().filter(
        kind="roster",
        digest=digest,
        jurisdiction_path=scope,
        created_by=user,
        status__in=[ImportStatus.PENDING, ImportStatus.RUNNING],
    ):
        if not batch.stalled(now):
            return batch
    return None


def roster_files_in(folder: Path) -> dict[str, Path]:
    """The roster parts found in a folder (`households.csv`, `members.xlsx`, ...)."""
    parts: dict[str, Path] = {}
    for part in ROSTER_PARTS:
        for suffix in ALLOWED_SUFFIXES:
            candidate = folder / f"{part}{suffix}"
            if candidate.is_file():
                parts[part] = candidate
    return parts


def roster_import_directory(*, folder: Path, actor: Any = None) -> ImportBatch:
    """An operator's import from the server (`jiuzhu import-roster`): synchronous, the
    actor's jurisdiction when one is named, otherwise the whole platform."""
    paths = roster_files_in(folder)
    missing = [part for part in REQUIRED_PARTS if part not in paths]
    if missing:
        raise UploadRefused("目录中缺少文件：" + "、".join(f"{m}.csv 或 {m}.xlsx" for m in missing))
    division = getattr(actor, "division", None)
    if actor is not None and division is None:
        raise PermissionDenied("该用户没有所属辖区，不能导入名册")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind="roster",
            digest=files_digest(paths),
            file_names="、".join(p.name for p in paths.values())[:300],
            status=ImportStatus.PENDING,
            created_by=actor,
            jurisdiction_path=division.path if division is not None else "",
            created_at=clock.now(),
        )
        audit_record(
            action="import.start",
            actor=actor,
            username="" if actor else "system",
            object_type="ImportBatch",
            object_id=batch.pk,
            details={"kind": "roster", "files": [p.name for p in paths.values()], "channel": "cli"},
        )
    return roster_import_files(
        batch=batch,
        paths=paths,
        jurisdiction_code=division.code if division is not None else None,
        actor=actor,
    )


# ---------------------------------------------------------------- run


def upload_folder(batch: ImportBatch) -> Path:
    return Path(settings.JIUZHU_UPLOAD_DIR) / str(batch.report.get("upload_token", ""))


def roster_import_run(batch_id: int) -> ImportBatch:
    """Run a submitted batch (the background task's body). Always deletes the uploaded files."""
    batch = ImportBatch.objects.select_related("created_by", "created_by__division").get(
        pk=batch_id
    )
    folder = upload_folder(batch)
    try:
        paths = roster_files_in(folder)
        jurisdiction = _jurisdiction_code(batch.jurisdiction_path)
        return roster_import_files(
            batch=batch, paths=paths, jurisdiction_code=jurisdiction, actor=batch.created_by
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _jurisdiction_code(path: str) -> str | None:
    codes = [code for code in path.split("/") if code]
    return codes[-1] if codes else None


def roster_import_files(
    *, batch: ImportBatch, paths: dict[str, Path], jurisdiction_code: str | None, actor: Any
) -> ImportBatch:
    """Validate and apply roster files for a batch; the outcome is recorded on the batch."""
    earlier = (
        ImportBatch.objects.filter(
            kind="roster",
            digest=batch.digest,
            status=ImportStatus.SUCCEEDED,
            jurisdiction_path=batch.jurisdiction_path,
        )
        .exclude(pk=batch.pk)
        .order_by("-finished_at")
        .first()
    )
    if earlier is not None:
        when = clock.localtime(earlier.finished_at) if earlier.finished_at else None
        message = (
            f"这些文件已于 {when:%Y-%m-%d %H:%M} 导入过（批次 #{earlier.pk}），本次未做任何变更"
            if when
            else f"这些文件已导入过（批次 #{earlier.pk}），本次未做任何变更"
        )
        _finish(batch, ImportStatus.NOOP, message, actor=actor, report={"noop_of": earlier.pk})
        return batch

    _close_stalled(batch.jurisdiction_path, actor=actor)
    _progress(
        batch, phase=PHASE_VALIDATE, status=ImportStatus.RUNNING, expected_rows=expected_rows(paths)
    )
    try:
        existing = {
            code: exchange.ExistingDivision(level=level, parent_code=parent or "")
            for code, level, parent in Division.objects.exclude(level=Level.GRID).values_list(
                "code", "level", "parent__code"
            )
        }

        def on_progress(rows: int) -> None:
            ImportBatch.objects.filter(pk=batch.pk).update(
                rows_total=rows, heartbeat_at=clock.now()
            )

        result = exchange.validate_roster(
            exchange.RosterFiles(
                divisions=paths.get("divisions"),
                households=paths["households"],
                members=paths["members"],
            ),
            import_day=clock.today(),
            existing_divisions=existing,
            jurisdiction_code=jurisdiction_code,
            progress=on_progress,
        )
        report = result.report.to_dict()
        report["rejects"] = [
            {"file": r.file, "line": r.line, "reason": r.reason, "message": r.message}
            for r in result.report.rejected
        ]
        _progress(batch, phase=PHASE_WRITE)
        with transaction.atomic():
            _serialise_roster_writes()
            stats = _apply(result, actor=actor, batch=batch)
        report["changes"] = stats.as_dict()
        message = stats.summary(report)
        batch.rows_total = report["rows_read"]
        batch.rows_loaded = report["rows_loaded"]
        batch.rows_rejected = report["rows_rejected"]
        batch.rows_duplicate = report["rows_duplicate"]
        _finish(batch, ImportStatus.SUCCEEDED, message, actor=actor, report=report)
    except exchange.FileRefused as exc:
        _finish(batch, ImportStatus.FAILED, str(exc), actor=actor, report={"refused": exc.code})
    except Exception:
        logger.exception("roster import %s failed", batch.pk)
        _finish(
            batch,
            ImportStatus.FAILED,
            "导入失败，已有数据未做任何改动。请联系系统管理员并提供批次编号。",
            actor=actor,
            report={},
        )
    return batch


PHASE_VALIDATE = "校验数据"
PHASE_WRITE = "写入数据库"

#: Key of the PostgreSQL advisory lock that lets one roster write run at a time.
ROSTER_WRITE_LOCK = 0x4A5A_0001


def _serialise_roster_writes() -> None:
    """Two imports of overlapping rosters must not interleave their writes. SQLite's
    IMMEDIATE transactions already serialise writers; PostgreSQL takes an advisory
    lock held until the transaction ends, and the apply then reads what the other
    import committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROSTER_WRITE_LOCK])


def _progress(
    batch: ImportBatch, *, phase: str, status: str | None = None, expected_rows: int | None = None
) -> None:
    fields: dict[str, Any] = {"phase": phase, "heartbeat_at": clock.now()}
    if status:
        fields["status"] = status
        batch.status = status
    if expected_rows is not None:
        batch.report = {**batch.report, "expected_rows": expected_rows}
        fields["report"] = batch.report
    batch.phase = phase
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def expected_rows(paths: dict[str, Path]) -> int | None:
    """Rows to expect, for the progress bar: line breaks in the CSV files (a quoted
    address with a line break makes it a slight over-estimate); None with an XLSX."""
    total = 0
    for path in paths.values():
        if path.suffix.lower() != ".csv":
            return None
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                total += block.count(b"\n")
        total -= 1  # the header line
    return max(total, 0)


def _close_stalled(jurisdiction_path: str, *, actor: Any) -> None:
    """Batches whose worker died mid-way (no sign of life for STALL_AFTER) are marked failed:
    their transaction never committed, so nothing of them is in the registry."""
    now = clock.now()
    for stale in ImportBatch.objects.filter(
        kind="roster",
        jurisdiction_path=jurisdiction_path,
        status__in=[ImportStatus.PENDING, ImportStatus.RUNNING],
    ):
        if stale.stalled(now):
            _finish(
                stale, ImportStatus.FAILED, INTERRUPTED, actor=actor, report={"interrupted": True}
            )


INTERRUPTED = "导入已中断（处理进程停止），已有数据未做任何改动。请重新提交这些文件。"


def _finish(
    batch: ImportBatch, status: str, message: str, *, actor: Any, report: dict[str, Any]
) -> None:
    token = batch.report.get("upload_token")
    batch.status = status
    batch.phase = ImportStatus(status).label
    batch.message = message[:500]
    batch.report = {**report, **({"upload_token": token} if token else {})}
    batch.finished_at = clock.now()
    with transaction.atomic():
        batch.save()
        action = {"succeeded": "import.finish", "noop": "import.finish", "failed": "import.fail"}[
            status
        ]
        audit_record(
            action=action,
            result="ok" if status != ImportStatus.FAILED else "failed",
            actor=actor,
            username="system" if actor is None else "",
            object_type="ImportBatch",
            object_id=batch.pk,
            details={
                "status": status,
                "loaded": batch.rows_loaded,
                "rejected": batch.rows_rejected,
            },
        )


# ---------------------------------------------------------------- apply


@dataclass
class ApplyStats:
    divisions_created: int = 0
    divisions_updated: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_left: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def summary(self, report: dict[str, Any]) -> str:
        if not (
            self.households_created
            or self.households_updated
            or self.divisions_created
            or self.divisions_updated
        ):
            changed = "数据与平台一致，没有变更"
        else:
            changed = (
                f"新增家庭 {self.households_created} 户、更新 {self.households_updated} 户，"
                f"新增成员 {self.members_created} 人、更新 {self.members_updated} 人、减员 {self.members_left} 人"
            )
        return (
            f"读取 {report['rows_read']} 行，导入 {report['rows_loaded']} 行，拒绝 {report['rows_rejected']} 行，"
            f"重复 {report['rows_duplicate']} 行；{changed}"
        )


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_divisions(rows: list[exchange.DivisionRow], stats: ApplyStats) -> None:
    order = {Level.COUNTY: 0, Level.TOWNSHIP: 1, Level.COMMUNITY: 2}
    known = {
        d.code: d
        for d in Division.objects.filter(
            code__in=[r.code for r in rows] + [r.parent_code for r in rows if r.parent_code]
        )
    }
    for row in sorted(rows, key=lambda r: order[Level(r.level)]):
        parent = known.get(row.parent_code) if row.parent_code else None
        current = known.get(row.code)
        if current is None:
            known[row.code] = Division.objects.create(
                code=row.code, name=row.name, level=row.level, parent=parent
            )
            stats.divisions_created += 1
        elif (current.name, current.level, current.parent_id) != (
            row.name,
            row.level,
            parent.pk if parent else None,
        ):
            current.name, current.level, current.parent = row.name, row.level, parent
            current.save()
            stats.divisions_updated += 1


HOUSEHOLD_VALUES = (
    "address",
    "program",
    "review_class",
    "enrolled_on",
    "last_verified_on",
    "monthly_benefit",
    "declared_monthly_income",
)
MEMBER_VALUES = (
    "name",
    "relation",
    "labor_ability",
    "disability_grade",
    "health",
    "is_student",
    "employment",
)


def _apply(result: exchange.RosterResult, *, actor: Any, batch: ImportBatch) -> ApplyStats:
    stats = ApplyStats()
    now = clock.now()
    today = clock.today()
    actor_name = getattr(actor, "username", "") or "system"
    source = f"import:{batch.pk}"
    _apply_divisions(list(result.divisions), stats)
    communities = {d.code: d for d in Division.objects.filter(level=Level.COMMUNITY)}

    members_by_household: dict[str, list[exchange.MemberRow]] = {}
    for m in result.members:
        members_by_household.setdefault(m.household_id, []).append(m)

    households = list(result.households)
    for position, chunk in enumerate(_chunks(households, 1000)):
        faults.checkpoint("roster.apply")
        existing = {
            h.household_no: h
            for h in Household.objects.filter(
                household_no__in=[r.household_id for r in chunk]
            ).select_related("community", "grid")
        }
        indexes = {
            m.id_number: blind_index(m.id_number, purpose="id_number")
            for r in chunk
            for m in members_by_household.get(r.household_id, [])
        }
        existing_members = {
            m.id_number_index: m
            for m in Member.objects.filter(id_number_index__in=list(indexes.values()))
        }
        current_members: dict[int, list[Member]] = {}
        if existing:
            for current in Member.objects.filter(
                household__in=list(existing.values()), left_on__isnull=True
            ):
                current_members.setdefault(current.household_id, []).append(current)

        new_households: list[Household] = []
        changed_households: list[Household] = []
        touched: list[Household] = []
        for row in chunk:
            community = communities[row.region_code]
            hh = existing.get(row.household_id)
            values = {name: getattr(row, name) for name in HOUSEHOLD_VALUES}
            values["review_class"] = values["review_class"] or ""
            if hh is None:
                hh = Household(
                    household_no=row.household_id,
                    community=community,
                    division_path=community.path,
                    created_at=now,
                    updated_at=now,
                    version=1,
                    **values,
                )
                new_households.append(hh)
            else:
                differs = hh.community_id != community.pk or any(
                    getattr(hh, k) != v for k, v in values.items()
                )
                if differs:
                    if hh.community_id != community.pk:
                        hh.community, hh.grid = community, None
                        hh.division_path = community.path
                    for k, v in values.items():
                        setattr(hh, k, v)
                    changed_households.append(hh)
            touched.append(hh)
        Household.objects.bulk_create(new_households, batch_size=BATCH)
        stats.households_created += len(new_households)

        new_members: list[Member] = []
        changed_members: list[Member] = []
        roster_after: dict[int, list[Member]] = {}
        member_changed_households: set[int] = set()
        created_ids = {id(h) for h in new_households}
        left_here = 0
        for hh in touched:
            seen: set[str] = set()
            kept: list[Member] = []
            for row in members_by_household.get(hh.household_no, []):
                index = indexes[row.id_number]
                seen.add(index)
                member = existing_members.get(index)
                values = {name: getattr(row, name) for name in MEMBER_VALUES}
                if member is None:
                    rid = parse_resident_id(row.id_number, check_region="none")
                    member = Member(
                        household=hh,
                        id_number=row.id_number,
                        id_number_index=index,
                        birth_date=rid.birth_date,
                        sex=rid.sex,
                        **values,
                    )
                    new_members.append(member)
                    member_changed_households.add(id(hh))
                elif (
                    member.household_id != hh.pk
                    or member.left_on is not None
                    or any(getattr(member, k) != v for k, v in values.items())
                ):
                    member.household = hh
                    member.left_on = None
                    for k, v in values.items():
                        setattr(member, k, v)
                    changed_members.append(member)
                    member_changed_households.add(id(hh))
                kept.append(member)
            for member in current_members.get(hh.pk, []) if hh.pk else []:
                if member.id_number_index not in seen and member.household_id == hh.pk:
                    member.left_on = today
                    changed_members.append(member)
                    member_changed_households.add(id(hh))
                    left_here += 1
            roster_after[id(hh)] = kept
        Member.objects.bulk_create(new_members, batch_size=BATCH)
        Member.objects.bulk_update(
            changed_members, ["household", "left_on", *MEMBER_VALUES], batch_size=BATCH
        )
        stats.members_created += len(new_members)
        stats.members_updated += len(changed_members) - left_here
        stats.members_left += left_here

        changed_set = {id(h) for h in changed_households}
        for hh in touched:
            if (
                id(hh) in member_changed_households
                and id(hh) not in changed_set
                and id(hh) not in created_ids
            ):
                changed_households.append(hh)
                changed_set.add(id(hh))
        for hh in changed_households:
            hh.version += 1
            hh.updated_at = now
        Household.objects.bulk_update(
            changed_households,
            ["community", "grid", "division_path", "version", "updated_at", *HOUSEHOLD_VALUES],
            batch_size=BATCH,
        )
        stats.households_updated += len(changed_households)
        stats.households_unchanged += len(touched) - len(changed_households) - len(new_households)

        revisions: list[HouseholdRevision] = []
        for hh in touched:
            if id(hh) in created_ids:
                summary = "名册导入：新建家庭档案"
            elif id(hh) in changed_set:
                summary = "名册导入：更新家庭或成员信息"
            else:
                continue
            revisions.append(
                new_revision(
                    hh,
                    roster_after[id(hh)],
                    at=now,
                    actor=actor_name,
                    source=source,
                    summary=summary,
                )
            )
        HouseholdRevision.objects.bulk_create(revisions, batch_size=BATCH)
        logger.debug("roster chunk %s applied", position)
    return stats
