"""Use-cases of the home visit: start, save a section, attach a file, complete.

Only the assistance officer and the community worker of the case's
jurisdiction record visits (`casework.services.case_get` decides the
jurisdiction); anyone else gets the same NotFound as for a missing visit.

Completion is refused, with every missing item said in Chinese, unless at
least two people made the visit, all four steps are written and the visitors
and the family have signed. It then writes the income findings into the
registry (basis `verified` / `assessed`, the reason as the note), marks the
home visit as on file for the case and audits the completion — all in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import audit_record
from jiuzhu.casework import services as casework
from jiuzhu.casework.models import Case
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError, StaleVersion
from jiuzhu.core.permissions import PERMISSIONS, Action
from jiuzhu.domain.casework.workflow import workflow_for
from jiuzhu.policy import services as policy_services
from jiuzhu.registry.history import new_revision
from jiuzhu.registry.models import Household, Income, IncomeBasis, IncomeCategory, Member
from jiuzhu.registry.selectors import month_start
from jiuzhu.visits.models import (
    STEP_FIELDS,
    STEP_LABELS,
    STEPS,
    AttachmentKind,
    FindingBasis,
    HomeVisit,
    HomeVisitAttachment,
    HomeVisitExpense,
    HomeVisitIncome,
    HomeVisitor,
    VisitExpenseKind,
    VisitStatus,
)

VISIT = "visits.HomeVisit"
ATTACHMENT = "visits.HomeVisitAttachment"
#: Who records home visits (the workflow's investigating roles).
VISIT_ROLES: frozenset[str] = PERMISSIONS[Action.CASE_RECORD]
#: Staff who may be named as visitors: those of the case's jurisdiction on the ground.
VISITOR_ROLES = ("assistance_officer", "community_worker", "grid_worker")
MIN_VISITORS = 2
MAX_VISITORS = 8
MAX_NOTES = 4000
MAX_ROWS = 30
MAX_ATTACHMENTS = 30
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
#: Content types recognised by their first bytes, with the extensions that may go with them.
SIGNATURES: tuple[tuple[bytes, str, str, tuple[str, ...]], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg", (".jpg", ".jpeg", ".jpe", ".jfif")),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png", (".png",)),
    (b"%PDF-", "application/pdf", ".pdf", (".pdf",)),
)
#: The sections of the edit page besides the four steps.
SECTIONS = ("visitors", *STEPS, "signatures")


class VisitRefused(ServiceError):
    code = "visit_refused"
    default_message = "入户调查未能保存"

    def __init__(self, message: str | None = None, *, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems) or ([message] if message else [])
        super().__init__(message or "；".join(self.problems) or None)


class AttachmentRefused(ServiceError):
    code = "attachment_refused"
    default_message = "附件未能上传"


@dataclass(frozen=True)
class IncomeFinding:
    member_id: int
    category: str
    monthly_amount: Decimal
    basis: str
    reason: str = ""


@dataclass(frozen=True)
class ExpenseFinding:
    kind: str
    amount: Decimal
    member_id: int | None = None
    note: str = ""


# -- access ----------------------------------------------------------------------


def _gate(actor: Any) -> None:
    if getattr(actor, "role", "") not in VISIT_ROLES:
        raise NotFound()


def visit_case(actor: Any, case_id: int) -> Case:
    """The case, when the actor may record its home visit; NotFound otherwise."""
    _gate(actor)
    return casework.case_get(actor, case_id)


def visit_get(actor: Any, pk: int) -> HomeVisit:
    """A visit of a case in the actor's jurisdiction; NotFound otherwise (also for a missing one)."""
    _gate(actor)
    visit = HomeVisit.objects.filter(pk=pk).first()
    if visit is None:
        raise NotFound()
    case = casework.case_get(actor, visit.case_id)
    visit.case = case
    return visit


def attachment_get(actor: Any, pk: int) -> HomeVisitAttachment:
    _gate(actor)
    attachment = HomeVisitAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise NotFound()
    attachment.visit = visit_get(actor, attachment.visit_id)
    return attachment


def visits_of(case: Case) -> list[HomeVisit]:
    return list(case.home_visits.order_by("-visited_on", "-id"))


def visitor_candidates(case: Case) -> list[User]:
    """Active staff who work where the case is: the township, the community, the grid."""
    parts = [part for part in case.division_path.split("/") if part]
    prefixes = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return list(
        User.objects.filter(
            is_active=True, role__in=VISITOR_ROLES, division__path__in=prefixes
        ).order_by("role", "full_name", "username")
    )


def current_members(case: Case) -> list[Member]:
    today = clock.today()
    return [
        member
        for member in case.household.members.order_by("id")
        if member.left_on is None or member.left_on > today
    ]


def _display_name(user: User) -> str:
    return (user.full_name or user.username)[:50]


def _case_is_open(case: Case) -> bool:
    return not workflow_for(case.programme).state(case.state).final


# -- draft ---------------------------------------------------------------------------


def start_visit(
    *, actor: Any, case_id: int, visited_on: dt.date | None = None, http_request: Any = None
) -> HomeVisit:
    """A new draft visit of the case (or the draft already open: one at a time)."""
    case = visit_case(actor, case_id)
    if not _case_is_open(case):
        raise VisitRefused("该申请已办结，不能再登记入户调查")
    day = visited_on or clock.today()
    if day > clock.today():
        raise VisitRefused("调查日期不能晚于今天")
    existing = case.home_visits.filter(status=VisitStatus.DRAFT).first()
    if existing is not None:
        return existing
    now = clock.now()
    try:
        with transaction.atomic():
            visit = HomeVisit.objects.create(
                case=case, visited_on=day, created_by=actor, created_at=now, updated_at=now
            )
            HomeVisitor.objects.create(visit=visit, user=actor, name=_display_name(actor))
            audit_record(
                action="visit.start",
                actor=actor,
                request=http_request,
                object_type=VISIT,
                object_id=visit.pk,
                details={"case": case.pk},
            )
    except IntegrityError:  # a second click raced the first: its draft is the one
        existing = case.home_visits.filter(status=VisitStatus.DRAFT).first()
        if existing is None:
            raise
        return existing
    return visit


def _locked_draft(actor: Any, visit_id: int, expected_version: int | None) -> HomeVisit:
    visit_get(actor, visit_id)  # the jurisdiction, before any lock
    visit = HomeVisit.objects.select_for_update().select_related("case").get(pk=visit_id)
    if not visit.is_draft:
        raise VisitRefused("该入户调查已完成，不能再修改")
    if expected_version is not None and visit.version != expected_version:
        raise StaleVersion("该入户调查已被他人修改，请刷新页面后查看最新内容")
    if not _case_is_open(visit.case):
        raise VisitRefused("该申请已办结，不能再修改入户调查")
    return visit


def _notes(data: Mapping[str, Any], step: str) -> str:
    text = str(data.get("notes") or "").strip()
    if len(text) > MAX_NOTES:
        raise VisitRefused(f"「{STEP_LABELS[step]}」最多 {MAX_NOTES} 字")
    return text


def _save_visitors(visit: HomeVisit, data: Mapping[str, Any]) -> dict[str, Any]:
    visited_on = data.get("visited_on")
    if not isinstance(visited_on, dt.date):
        raise VisitRefused("请填写调查日期")
    if visited_on > clock.today():
        raise VisitRefused("调查日期不能晚于今天")
    candidates = {user.pk: user for user in visitor_candidates(visit.case)}
    staff_ids = [int(pk) for pk in data.get("staff") or ()]
    unknown = [pk for pk in staff_ids if pk not in candidates]
    if unknown:
        raise VisitRefused("调查人员须为本辖区的工作人员")
    names: list[str] = []
    for raw in data.get("others") or ():
        name = str(raw).strip()
        if not name:
            continue
        if len(name) > 50:
            raise VisitRefused("调查人员姓名最多 50 字")
        if name not in names:
            names.append(name)
    if len(set(staff_ids)) + len(names) > MAX_VISITORS:
        raise VisitRefused(f"调查人员最多 {MAX_VISITORS} 名")
    kept = {v.user_id: v for v in visit.visitors.filter(user__isnull=False)}
    kept_names = {v.name: v for v in visit.visitors.filter(user__isnull=True)}
    visit.visitors.exclude(user_id__in=staff_ids).filter(user__isnull=False).delete()
    visit.visitors.filter(user__isnull=True).exclude(name__in=names).delete()
    for pk in dict.fromkeys(staff_ids):
        if pk not in kept:
            HomeVisitor.objects.create(
                visit=visit, user=candidates[pk], name=_display_name(candidates[pk])
            )
    for name in names:
        if name not in kept_names:
            HomeVisitor.objects.create(visit=visit, name=name)
    visit.visited_on = visited_on
    return {"visitors": visit.visitors.count()}


def _members_of(visit: HomeVisit) -> dict[int, Member]:
    return {member.pk: member for member in current_members(visit.case)}


def _amount(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise VisitRefused(f"{what}不是有效的金额") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise VisitRefused(f"{what}应为不小于 0 的金额")
    return amount.quantize(Decimal("0.01"))


def _save_income(visit: HomeVisit, data: Mapping[str, Any]) -> dict[str, Any]:
    members = _members_of(visit)
    incomes: list[IncomeFinding] = list(data.get("incomes") or ())
    expenses: list[ExpenseFinding] = list(data.get("expenses") or ())
    if len(incomes) > MAX_ROWS or len(expenses) > MAX_ROWS:
        raise VisitRefused(f"收入、支出各最多登记 {MAX_ROWS} 条")
    seen: set[tuple[int, str]] = set()
    income_rows = []
    for number, finding in enumerate(incomes, start=1):
        what = f"第 {number} 条收入"
        member = members.get(finding.member_id)
        if member is None:
            raise VisitRefused(f"{what}：请选择本家庭的在册成员")
        if finding.category not in IncomeCategory.values:
            raise VisitRefused(f"{what}：未知的收入类别")
        if finding.basis not in FindingBasis.values:
            raise VisitRefused(f"{what}：认定依据应为「核实」或「入户评估」")
        reason = finding.reason.strip()
        if finding.basis == FindingBasis.ASSESSED and not reason:
            raise VisitRefused(f"{what}：入户评估的收入须写明评估理由")
        if len(reason) > 200:
            raise VisitRefused(f"{what}：说明最多 200 字")
        key = (member.pk, finding.category)
        if key in seen:
            raise VisitRefused(f"{what}：同一成员的同一收入类别只能登记一条，请合并金额")
        seen.add(key)
        income_rows.append(
            HomeVisitIncome(
                visit=visit,
                member=member,
                category=finding.category,
                monthly_amount=_amount(finding.monthly_amount, what),
                basis=finding.basis,
                reason=reason,
            )
        )
    expense_rows = []
    for number, expense in enumerate(expenses, start=1):
        what = f"第 {number} 条支出"
        if expense.kind not in VisitExpenseKind.values:
            raise VisitRefused(f"{what}：未知的支出类别")
        member = None
        if expense.member_id is not None:
            member = members.get(expense.member_id)
            if member is None:
                raise VisitRefused(f"{what}：请选择本家庭的在册成员")
        note = expense.note.strip()
        if len(note) > 200:
            raise VisitRefused(f"{what}：说明最多 200 字")
        expense_rows.append(
            HomeVisitExpense(
                visit=visit,
                member=member,
                kind=expense.kind,
                amount=_amount(expense.amount, what),
                note=note,
            )
        )
    visit.income_notes = _notes(data, "income")
    visit.incomes.all().delete()
    visit.expenses.all().delete()
    HomeVisitIncome.objects.bulk_create(income_rows)
    HomeVisitExpense.objects.bulk_create(expense_rows)
    return {"incomes": len(income_rows), "expenses": len(expense_rows)}


def _save_signatures(visit: HomeVisit, data: Mapping[str, Any]) -> dict[str, Any]:
    signed = {int(pk) for pk in data.get("signed") or ()}
    signatory = str(data.get("family_signatory") or "").strip()
    if len(signatory) > 50:
        raise VisitRefused("家庭签字人姓名最多 50 字")
    family_signed = bool(data.get("family_signed"))
    if family_signed and not signatory:
        raise VisitRefused("请填写签字确认的家庭成员姓名")
    for visitor in visit.visitors.all():
        if visitor.signed != (visitor.pk in signed):
            visitor.signed = visitor.pk in signed
            visitor.save(update_fields=["signed"])
    visit.family_signatory = signatory
    visit.family_signed = family_signed
    return {"visitors_signed": len(signed), "family_signed": family_signed}


def save_step(
    *,
    actor: Any,
    visit_id: int,
    step: str,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    http_request: Any = None,
) -> HomeVisit:
    """Save one section of a draft visit.

    `step` is one of `SECTIONS`; `data` holds cleaned values:
    visitors — `visited_on` (date), `staff` (user ids), `others` (names);
    housing / assets / neighbours — `notes`;
    income — `notes`, `incomes` (IncomeFinding), `expenses` (ExpenseFinding),
    which replace the rows saved before;
    signatures — `signed` (visitor ids), `family_signatory`, `family_signed`.
    """
    if step not in SECTIONS:
        raise VisitRefused("未知的调查步骤")
    with transaction.atomic():
        visit = _locked_draft(actor, visit_id, expected_version)
        details: dict[str, Any] = {"step": step}
        if step == "visitors":
            details |= _save_visitors(visit, data)
        elif step == "income":
            details |= _save_income(visit, data)
        elif step == "signatures":
            details |= _save_signatures(visit, data)
        else:
            setattr(visit, STEP_FIELDS[step], _notes(data, step))
        visit.version += 1
        visit.updated_at = clock.now()
        visit.save()
        audit_record(
            action="visit.save",
            actor=actor,
            request=http_request,
            object_type=VISIT,
            object_id=visit.pk,
            details=details,
        )
    return visit


# -- attachments ---------------------------------------------------------------------


def sniff(head: bytes) -> tuple[str, str, tuple[str, ...]] | None:
    """(content type, extension, accepted extensions) from the first bytes, or None."""
    for magic, content_type, extension, accepted in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension, accepted
    return None


def _safe_display_name(name: str) -> str:
    base = posixpath.basename(name.replace("\\", "/")).strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return cleaned[-100:]


def add_attachment(
    *,
    actor: Any,
    visit_id: int,
    upload: UploadedFile,
    caption: str = "",
    http_request: Any = None,
) -> HomeVisitAttachment:
    """Keep a JPEG/PNG photo or a PDF (≤ 10 MB), recognised by its content."""
    size = int(upload.size or 0)
    if size <= 0:
        raise AttachmentRefused("上传的文件是空的")
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(f"附件不能超过 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
    upload.seek(0)
    content = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(f"附件不能超过 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
    found = sniff(content[:16])
    if found is None:
        raise AttachmentRefused("仅支持 JPEG、PNG 格式的照片或 PDF 文件")
    content_type, extension, accepted = found
    display = _safe_display_name(upload.name or "")
    suffix = posixpath.splitext(display)[1].lower()
    if suffix and suffix not in accepted:
        raise AttachmentRefused("文件扩展名与文件内容不符")
    caption = caption.strip()
    if len(caption) > 100:
        raise AttachmentRefused("附件说明最多 100 字")
    with transaction.atomic():
        visit = _locked_draft(actor, visit_id, None)
        if visit.attachments.count() >= MAX_ATTACHMENTS:
            raise AttachmentRefused(f"每次入户调查最多上传 {MAX_ATTACHMENTS} 个附件")
        attachment = HomeVisitAttachment(
            visit=visit,
            kind=AttachmentKind.DOCUMENT
            if content_type == "application/pdf"
            else AttachmentKind.PHOTO,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            original_name=display,
            caption=caption,
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        # The stored name is the platform's own: a user's file name never becomes a path.
        stored = f"{visit.pk}/{secrets.token_hex(16)}{extension}"
        attachment.file.save(stored, ContentFile(content), save=False)
        try:
            attachment.save()
            audit_record(
                action="visit.attachment.upload",
                actor=actor,
                request=http_request,
                object_type=ATTACHMENT,
                object_id=attachment.pk,
                details={"visit": visit.pk, "content_type": content_type, "size": len(content)},
            )
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def remove_attachment(*, actor: Any, attachment_id: int, http_request: Any = None) -> None:
    """Take a wrong photo off a draft visit (the file is deleted, the removal audited)."""
    attachment = attachment_get(actor, attachment_id)
    with transaction.atomic():
        _locked_draft(actor, attachment.visit_id, None)
        name = attachment.file.name
        storage = attachment.file.storage
        audit_record(
            action="visit.attachment.remove",
            actor=actor,
            request=http_request,
            object_type=ATTACHMENT,
            object_id=attachment.pk,
            details={"visit": attachment.visit_id},
        )
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def record_download(attachment: HomeVisitAttachment, *, actor: Any, http_request: Any) -> None:
    audit_record(
        action="visit.attachment.download",
        actor=actor,
        request=http_request,
        object_type=ATTACHMENT,
        object_id=attachment.pk,
        details={"visit": attachment.visit_id},
    )


# -- completion ------------------------------------------------------------------------


def missing_for_completion(visit: HomeVisit) -> list[tuple[str, str]]:
    """What still stands in the way of completing the visit: (code, Chinese message)."""
    problems: list[tuple[str, str]] = []
    visitors = list(visit.visitors.all())
    if len(visitors) < MIN_VISITORS:
        problems.append(
            (
                "too_few_visitors",
                f"入户调查须由至少 {MIN_VISITORS} 名人员共同进行（现登记 {len(visitors)} 名）",
            )
        )
    for step in STEPS:
        if not visit.notes(step).strip():
            problems.append((f"missing_{step}", f"尚未填写「{STEP_LABELS[step]}」"))
    unsigned = [visitor.name for visitor in visitors if not visitor.signed]
    if unsigned:
        problems.append(("visitors_unsigned", f"调查人员尚未签字：{'、'.join(unsigned)}"))
    if not (visit.family_signed and visit.family_signatory.strip()):
        problems.append(("family_unsigned", "尚未由被调查家庭成员签字确认"))
    if visit.visited_on > clock.today():
        problems.append(("future_date", "调查日期不能晚于今天"))
    return problems


def _findings_months(visit: HomeVisit, household: Household) -> list[dt.date]:
    """The months a monthly finding is written for.

    The policy engine averages each basis over the `income_lookback_months`
    complete months before the month it assesses; a finding kept in the
    visit's month alone would count as a sixth of itself. So it is written for
    the visit's month and each month of the look-back window before it.
    """
    table = policy_services.parameter_table()
    lookback = int(
        table.resolve("income_lookback_months", household.community.code, visit.visited_on).value
    )
    return [month_start(visit.visited_on, back) for back in range(lookback, -1, -1)]


def _write_incomes(visit: HomeVisit, household: Household, *, actor: Any) -> dict[str, int]:
    findings = list(visit.incomes.select_related("member"))
    counts = {"incomes": len(findings), "verified": 0, "assessed": 0, "superseded": 0}
    if not findings:
        return counts
    now = clock.now()
    months = _findings_months(visit, household)
    for finding in findings:
        # An earlier verification of the same figure for the same months gives way
        # (kept, marked superseded); declared rows are never touched.
        counts["superseded"] += Income.objects.filter(
            household=household,
            member=finding.member,
            category=finding.category,
            month__in=months,
            basis__in=(IncomeBasis.VERIFIED, IncomeBasis.ASSESSED),
            superseded_at__isnull=True,
        ).update(superseded_at=now)
    rows = []
    for finding in findings:
        counts[finding.basis] += 1
        note = finding.reason or "入户调查核实"
        rows += [
            Income(
                household=household,
                member=finding.member,
                month=month,
                category=finding.category,
                basis=finding.basis,
                amount=finding.monthly_amount,
                note=note[:200],
                recorded_at=now,
            )
            for month in months
        ]
    Income.objects.bulk_create(rows)
    return counts


def _mark_verified(
    visit: HomeVisit, household: Household, *, actor: Any, counts: dict[str, int]
) -> None:
    household.last_verified_on = visit.visited_on
    household.version += 1
    household.updated_at = clock.now()
    household.save()
    summary = f"入户调查（{visit.visited_on:%Y-%m-%d}）核实收入 {counts['verified']} 项，入户评估收入 {counts['assessed']} 项"
    new_revision(
        household,
        household.members.all(),
        at=clock.now(),
        actor=getattr(actor, "username", ""),
        source=f"visit:{visit.pk}",
        summary=summary,
    ).save()


def complete_visit(
    *, actor: Any, visit_id: int, expected_version: int | None = None, http_request: Any = None
) -> HomeVisit:
    """完成入户调查: check, write the findings into the registry, put the visit on file."""
    problems: list[tuple[str, str]] = []
    with transaction.atomic():
        visit = _locked_draft(actor, visit_id, expected_version)
        problems = missing_for_completion(visit)
        if not problems:
            household = (
                Household.objects.select_for_update()
                .select_related("community")
                .get(pk=visit.case.household_id)
            )
            counts = _write_incomes(visit, household, actor=actor)
            _mark_verified(visit, household, actor=actor, counts=counts)
            visit.status = VisitStatus.COMPLETED
            visit.completed_by = actor
            visit.completed_at = clock.now()
            visit.version += 1
            visit.updated_at = visit.completed_at
            visit.save()
            casework.record_on_file(
                actor=actor,
                case_id=visit.case_id,
                requirement="home_visit",
                http_request=http_request,
            )
            audit_record(
                action="visit.complete",
                actor=actor,
                request=http_request,
                object_type=VISIT,
                object_id=visit.pk,
                details={
                    "case": visit.case_id,
                    "visitors": visit.visitors.count(),
                    "expenses": visit.expenses.count(),
                    "attachments": visit.attachments.count(),
                    **counts,
                },
            )
    if problems:
        audit_record(
            action="visit.complete",
            result="denied",
            actor=actor,
            request=http_request,
            object_type=VISIT,
            object_id=visit_id,
            details={"reasons": [code for code, _ in problems]},
        )
        raise VisitRefused(problems=[message for _, message in problems])
    return visit
