"""Use-cases of casework: open a case, assess it, move it along its workflow.

Whether a step may be taken is the workflow's call (`jiuzhu.domain.casework`);
this module adds what needs the database: jurisdiction, row locks and the
version check (two approvers at once give one decision), the case history,
the audit row, deadlines from the working-day calendar, and enrolment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jiuzhu.accounts.scoping import scope_to_jurisdiction
from jiuzhu.audit.services import audit_record, client_ip
from jiuzhu.casework.models import Case, CaseEvent, Channel
from jiuzhu.casework.signals import case_transitioned
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError, StaleVersion
from jiuzhu.core.permissions import Action as Permission
from jiuzhu.core.permissions import Role, can
from jiuzhu.core.workdays import working_calendar
from jiuzhu.domain.calendar import shift_months
from jiuzhu.domain.casework.workflow import Action, Workflow, WorkflowError, workflow_for
from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.policy import Programme
from jiuzhu.domain.policy.cases import parse_aid_request
from jiuzhu.domain.policy.parameters import ParameterTable, format_ratio
from jiuzhu.policy import selectors as policy_selectors
from jiuzhu.policy import services as policy_services
from jiuzhu.registry.history import new_revision
from jiuzhu.registry.models import Household
from jiuzhu.registry.selectors import household_get

CASE = "casework.Case"
#: Requirements recorded by hand until their own forms exist (入户调查、民主评议、数据核对).
RECORDABLE = (
    "data_check",
    "home_visit",
    "democratic_review_quorum",
    "self_care_assessment",
    "supporters_checked",
    "county_check",
)
#: Recorded by the county (县级入户抽查), everything else by the township's staff.
COUNTY_RECORDS = ("county_check",)


class CaseRefused(ServiceError):
    code = "case_refused"
    default_message = "该操作未能完成"


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases in the user's jurisdiction (the one scoping function decides)."""
    if not can(user, Permission.CASE_VIEW):
        return Case.objects.none()
    return scope_to_jurisdiction(Case.objects.all(), user)


def case_get(user: Any, pk: int) -> Case:
    case = (
        visible_cases(user)
        .select_related("household", "household__community")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def _region(household: Household) -> str:
    return household.community.code


def _deadline(
    workflow: Workflow, state: str, entered_on: dt.date, *, table: ParameterTable, region: str
) -> dt.date | None:
    parameter = workflow.state(state).deadline
    if parameter is None:
        return None
    days = int(table.resolve(parameter, region, entered_on).value)
    return workflow.deadline(
        state, entered_on, days_of={parameter: days}, calendar=working_calendar()
    )


def _next_case_no(today: dt.date) -> str:
    prefix = f"JZ{today:%Y%m%d}"
    last = (
        Case.objects.filter(case_no__startswith=prefix)
        .order_by("-case_no")
        .values_list("case_no", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def _event(
    case: Case,
    *,
    actor: Any,
    action: str,
    from_state: str,
    reason: str,
    http_request: Any,
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        at=clock.now(),
        actor=actor,
        actor_role=getattr(actor, "role", ""),
        ip=client_ip(http_request),
        action=action,
        from_state=from_state,
        to_state=case.state,
        reason=reason,
        details=details or {},
    )
    audit_record(
        action=f"case.{action}",
        actor=actor,
        request=http_request,
        object_type=CASE,
        object_id=case.pk,
        details={"from": from_state, "to": case.state, **(details or {})},
    )
    return event


def open_case(
    *,
    actor: Any,
    household_id: int,
    programme: str,
    channel: str,
    commitment_signed: bool,
    data_check_authorised: bool,
    proxy_worker: Any = None,
    missing_materials: list[str] | None = None,
    staff_relative: bool = False,
    staff_relative_note: str = "",
    request_data: dict[str, Any] | None = None,
    http_request: Any = None,
) -> Case:
    """受理: one application for a household of the actor's jurisdiction."""
    if not can(actor, Permission.CASE_INTAKE):
        raise NotFound()
    household = household_get(actor, household_id)
    try:
        workflow = workflow_for(programme)
    except WorkflowError:
        raise CaseRefused(f"救助项目 {programme} 的办理流程尚未配置") from None
    if channel not in Channel.values:
        raise CaseRefused(f"未知的申请渠道：{channel}")
    if channel == Channel.PROXY and proxy_worker is None:
        raise CaseRefused("帮办代办须登记帮办的工作人员")
    if not (commitment_signed and data_check_authorised):
        raise CaseRefused("须由申请人签署告知承诺书和家庭经济状况核对授权书")
    if staff_relative and not staff_relative_note.strip():
        raise CaseRefused("经办人员近亲属申请须说明亲属关系")
    request = None
    if programme == Programme.TEMP_AID:
        try:
            aid = parse_aid_request(request_data)
        except DomainError as exc:
            raise CaseRefused(exc.message) from None
        request = {"amount": str(aid.amount), "cause": aid.cause, "kind": aid.kind}
    with transaction.atomic():
        return _create_case(
            actor=actor,
            household=household,
            workflow=workflow,
            http_request=http_request,
            reason="",
            details={"channel": channel, "programme": programme, "staff_relative": staff_relative},
            channel=channel,
            proxy_worker=proxy_worker,
            commitment_signed=commitment_signed,
            data_check_authorised=data_check_authorised,
            missing_materials=list(missing_materials or []),
            staff_relative=staff_relative,
            staff_relative_note=staff_relative_note.strip(),
            request=request,
        )


def _create_case(
    *,
    actor: Any,
    household: Household,
    workflow: Workflow,
    http_request: Any,
    reason: str,
    details: dict[str, Any],
    **fields: Any,
) -> Case:
    """A case at its workflow's first step, with its deadline and its "open" event."""
    today = clock.today()
    case = Case.objects.create(
        case_no=_next_case_no(today),
        programme=workflow.programme,
        household=household,
        division_path=household.division_path,
        state=workflow.initial,
        state_entered_on=today,
        due_on=_deadline(
            workflow,
            workflow.initial,
            today,
            table=policy_services.parameter_table(),
            region=_region(household),
        ),
        created_by=actor,
        created_at=clock.now(),
        updated_at=clock.now(),
        **fields,
    )
    _event(
        case,
        actor=actor,
        action="open",
        from_state="",
        reason=reason,
        http_request=http_request,
        details=details,
    )
    return case


def _locked(actor: Any, case_id: int, expected_version: int | None) -> Case:
    case = visible_cases(actor).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    if expected_version is not None and case.version != expected_version:
        raise StaleVersion("该申请已被他人处理，请刷新页面后查看最新环节")
    return case


def _touch(case: Case) -> None:
    case.version += 1
    case.updated_at = clock.now()


def record_on_file(
    *,
    actor: Any,
    case_id: int,
    requirement: str,
    http_request: Any = None,
    expected_version: int | None = None,
) -> Case:
    """Record that a prerequisite is on file (数据核对报告、入户调查、民主评议)."""
    if requirement not in RECORDABLE:
        raise CaseRefused(f"不能直接登记：{requirement}")
    if requirement in COUNTY_RECORDS:
        allowed = getattr(actor, "role", "") == Role.COUNTY_APPROVER
    else:
        allowed = can(actor, Permission.CASE_RECORD)
    if not allowed:
        raise NotFound()
    with transaction.atomic():
        case = _locked(actor, case_id, expected_version)
        if requirement not in case.on_file:
            case.on_file = [*case.on_file, requirement]
            _touch(case)
            case.save()
            _event(
                case,
                actor=actor,
                action=f"record_{requirement}",
                from_state=case.state,
                reason="",
                http_request=http_request,
            )
    return case


def assess_case(
    *, actor: Any, case_id: int, http_request: Any = None, expected_version: int | None = None
) -> Case:
    """Run the policy engine on the household as registered today and keep what it used."""
    if not can(actor, Permission.CASE_ASSESS):
        raise NotFound()
    with transaction.atomic():
        case = _locked(actor, case_id, expected_version)
        if workflow_for(case.programme).state(case.state).final:
            raise CaseRefused("已办结的申请不能重新测算")
        table = policy_services.parameter_table()
        aid = parse_aid_request(case.request) if case.request else None
        application = policy_selectors.registered_application(
            actor,
            case.household_id,
            programme=Programme(case.programme),
            as_of=clock.today(),
            table=table,
            request=aid,
        )
        determination = policy_services.assess_application(application, table=table)
        record = policy_services.assessment_record(application, determination)
        case.assessment_inputs = record.inputs
        case.assessment_versions = record.parameter_versions
        case.assessment_result = record.result
        case.assessed_at = clock.now()
        flags = {"assessment"}
        if determination.outcome == "eligible":
            flags.add("assessment_eligible")
        if determination.decided_by == "township":
            flags.add("within_township_cap")
        elif determination.decided_by == "county":
            flags.add("above_township_cap")
        stale = {"assessment", "assessment_eligible", "within_township_cap", "above_township_cap"}
        case.on_file = sorted((set(case.on_file) - stale) | flags)
        _touch(case)
        case.save()
        _event(
            case,
            actor=actor,
            action="assess",
            from_state=case.state,
            reason="",
            http_request=http_request,
            details={"outcome": determination.outcome, "decided_by": determination.decided_by},
        )
    return case


def on_file_now(case: Case, today: dt.date) -> set[str]:
    """What the workflow finds on file today (公示 counts as elapsed the day after its end)."""
    on_file = set(case.on_file)
    if case.state == "publicity" and case.due_on is not None and today > case.due_on:
        on_file.add("publicity_elapsed")
    return on_file


def perform(
    *,
    actor: Any,
    case_id: int,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    http_request: Any = None,
) -> Case:
    """Take one workflow step; refused (nothing changed, the refusal audited) when the
    workflow says no."""
    today = clock.today()
    refusal: WorkflowError | None = None
    with transaction.atomic():
        case = _locked(actor, case_id, expected_version)
        workflow = workflow_for(case.programme)
        try:
            step = workflow.check(
                case.state,
                action,
                role=getattr(actor, "role", ""),
                actor_id=actor.pk,
                preparer_id=case.preparer_id,
                on_file=on_file_now(case, today),
                reason=reason,
            )
        except WorkflowError as exc:
            refusal = exc
        else:
            _apply(
                case, workflow, step, actor=actor, reason=reason.strip(), http_request=http_request
            )
    if refusal is not None:
        # Written after the untouched transaction, so that the refusal itself is kept.
        audit_record(
            action=f"case.{action}",
            result="denied",
            actor=actor,
            request=http_request,
            object_type=CASE,
            object_id=case.pk,
            details={"reason": refusal.code, "state": case.state},
        )
        raise CaseRefused(refusal.message, code=refusal.code)
    return case


def _apply(
    case: Case, workflow: Workflow, step: Action, *, actor: Any, reason: str, http_request: Any
) -> None:
    from_state = case.state
    today = clock.today()
    household = Household.objects.select_related("community").get(pk=case.household_id)
    table = policy_services.parameter_table()
    case.state = step.target
    case.state_entered_on = today
    case.due_on = _deadline(workflow, step.target, today, table=table, region=_region(household))
    if step.prepares:
        case.preparer = actor
    if step.target == "county_review":
        _select_for_spot_check(case, table=table, region=_region(household), today=today)
    if step.target == "reinvestigating":
        # A new investigation needs new findings, a new review and a new notice (异议复查).
        stale = ("home_visit", "democratic_review_quorum")
        case.on_file = [need for need in case.on_file if need not in stale]
    details: dict[str, Any] = {}
    if workflow.state(step.target).final and step.checker:
        case.decision_reason = reason
        if step.target in ("enrolled", "granted"):
            details = _enrol(case, household, actor=actor, table=table)
    _touch(case)
    case.save()
    if step.target == "refused":
        follow_up = _classified_follow_up(case, actor=actor, http_request=http_request)
        if follow_up is not None:
            details["follow_up_case"] = follow_up.case_no
    _event(
        case,
        actor=actor,
        action=step.name,
        from_state=from_state,
        reason=reason,
        http_request=http_request,
        details=details,
    )
    case_transitioned.send(
        sender=Case,
        case=case,
        action=step.name,
        from_state=from_state,
        actor=actor,
        http_request=http_request,
    )


#: 一次申请、分类认定: a refused application continues, without a new application, as the
#: programme its household was recognised for (domain.md §2).
FOLLOW_UP = {
    "dibao": "dibao",
    "near_dibao": "low_income_recognition",
    "rigid_expense": "low_income_recognition",
}


def _classified_follow_up(case: Case, *, actor: Any, http_request: Any) -> Case | None:
    category = str((case.assessment_result or {}).get("household_category") or "")
    programme = FOLLOW_UP.get(category)
    if programme is None or programme == case.programme or case.derived_cases.exists():
        return None
    return _create_case(
        actor=actor,
        household=Household.objects.select_related("community").get(pk=case.household_id),
        workflow=workflow_for(programme),
        http_request=http_request,
        reason=f"一次申请、分类认定：由申请 {case.case_no} 转入",
        details={"channel": case.channel, "programme": programme, "derived_from": case.case_no},
        channel=case.channel,
        proxy_worker=case.proxy_worker,
        commitment_signed=case.commitment_signed,
        data_check_authorised=case.data_check_authorised,
        staff_relative=case.staff_relative,
        staff_relative_note=case.staff_relative_note,
        derived_from=case,
    )


def _select_for_spot_check(
    case: Case, *, table: ParameterTable, region: str, today: dt.date
) -> None:
    """县级抽查: staff relatives and cases with an objection always; others by a share
    (`county_spot_check_ratio`) drawn from the case number, so anyone can re-check the draw."""
    objected = case.events.filter(action="raise_objection").exists()
    ratio = table.resolve("county_spot_check_ratio", region, today).value
    bucket = int(hashlib.sha256(case.case_no.encode()).hexdigest(), 16) % 10_000
    if case.staff_relative:
        reason = "经办人员近亲属申请"
    elif objected:
        reason = "公示期内有异议"
    elif Fraction(bucket, 10_000) < ratio:
        reason = f"按 {format_ratio(ratio)} 的比例随机抽中"
    else:
        reason = ""
    case.spot_check = bool(reason)
    case.spot_check_reason = reason
    on_file = [need for need in case.on_file if need != "county_check"]
    case.on_file = on_file if reason else [*on_file, "county_check"]


def _enrol(
    case: Case, household: Household, *, actor: Any, table: ParameterTable
) -> dict[str, Any]:
    """纳入救助: the decided amount, and for monthly programmes the household's status."""
    result = case.assessment_result or {}
    amount = Decimal(str(result.get("amount", "0")))
    case.decided_amount = amount
    if case.programme != Programme.DIBAO and case.programme != Programme.TEKUN:
        return {"amount": str(amount)}
    review = str(result.get("review_class") or "C")
    cycles = table.resolve("review_cycle_months", _region(household), clock.today()).value
    next_review = shift_months(clock.today(), int(cycles[review]))
    household.program = case.programme
    household.review_class = review
    household.monthly_benefit = amount
    household.enrolled_on = clock.today()
    household.version += 1
    household.updated_at = clock.now()
    household.save()
    new_revision(
        household,
        household.members.all(),
        at=clock.now(),
        actor=getattr(actor, "username", ""),
        source=f"case:{case.case_no}",
        summary=f"审核确认纳入{household.get_program_display()}，月救助金 {amount} 元，{review}类",
    ).save()
    return {
        "amount": str(amount),
        "review_class": review,
        "next_review_on": next_review.isoformat(),
    }


def next_review_on(case: Case) -> dt.date | None:
    event = case.events.filter(action__in=("approve",)).order_by("-at").first()
    if event is None or "next_review_on" not in event.details:
        return None
    return dt.date.fromisoformat(event.details["next_review_on"])


def working_days_used(case: Case, *, today: dt.date | None = None) -> int:
    """Working days of the overall limit used so far (公示 excluded; domain.md §5: 30, or 45)."""
    entries = [
        (clock.localtime(at).date(), to_state)
        for at, to_state in case.events.exclude(to_state="")
        .order_by("at", "id")
        .values_list("at", "to_state")
    ]
    merged: list[tuple[dt.date, str]] = []
    for entered, state in entries:
        if not merged or merged[-1][1] != state:
            merged.append((entered, state))
    return workflow_for(case.programme).elapsed_working_days(
        merged, today or clock.today(), calendar=working_calendar()
    )
