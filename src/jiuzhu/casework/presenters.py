"""Cases → what the casework screens show, per role.

Personal data follows the registry's rules (`jiuzhu.registry.presenters`): a
name or an address reaches a template only as the role may see it. Labels
come from the workflow files (states, actions) and the policy vocabulary
(outcomes, programmes), so a screen never shows a code where a word exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import NoReverseMatch, reverse

from jiuzhu.casework import services
from jiuzhu.casework.models import Case, CaseEvent, Channel
from jiuzhu.core import clock
from jiuzhu.core.permissions import Role, SensitiveField
from jiuzhu.domain.calendar import WorkingCalendar
from jiuzhu.domain.casework.workflow import REQUIREMENTS, Action, Workflow
from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.masking import mask_name
from jiuzhu.domain.policy.vocabulary import (
    AID_CAUSE_LABELS,
    AID_KIND_LABELS,
    DECIDED_BY_LABELS,
    OUTCOME_LABELS,
    PROGRAMME_LABELS,
)
from jiuzhu.policy.presenters import REASON_TEXT
from jiuzhu.registry import presenters as registry_presenters
from jiuzhu.registry.models import Household, Member

NOTHING = "—"

#: History entries that are not workflow actions.
EVENT_LABELS = {
    "open": "受理申请",
    "assess": "政策测算",
    "record_data_check": "登记数据核对报告",
    "record_home_visit": "登记入户调查记录",
    "record_democratic_review_quorum": "登记民主评议结果",
}

#: Documents of a case the documents app renders (`documents:render`, linked only when
#: that route exists), each with the moment it becomes meaningful.
DOCUMENT_KINDS: tuple[tuple[str, str], ...] = (
    ("applicationform", "申请书"),
    ("homevisit", "入户调查表"),
    ("reviewminutes", "民主评议记录"),
    ("publicnotice", "公示"),
    ("approval", "审核审批表"),
    ("refusal", "不予批准通知书"),
)
DOCUMENT_FORMATS: tuple[tuple[str, str], ...] = (("pdf", "PDF"), ("docx", "Word"))


def money(value: object) -> str:
    """'1,100.00' from a decimal string or Decimal ('' when there is none)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


def optional_url(name: str, **kwargs: Any) -> str:
    """The URL of a route another app may not have yet ("" until it does)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def case_url(name: str, case_pk: int) -> str:
    """A case route of another app, whether it names the case `case_pk` or `pk`."""
    return optional_url(name, case_pk=case_pk) or optional_url(name, pk=case_pk)


def user_label(user: Any) -> str:
    return str(user) if user is not None else NOTHING


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role or NOTHING


# -- deadlines ---------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due_on: dt.date | None
    text: str
    tone: str  # Bootstrap colour: secondary, success, warning, danger, info
    overdue: bool = False


def deadline(
    due_on: dt.date | None,
    today: dt.date,
    calendar: WorkingCalendar,
    *,
    final: bool = False,
    clock_paused: bool = False,
) -> Deadline:
    """Working days left, or how many working days late (counted on the county calendar)."""
    if final:
        return Deadline(due_on, "已办结", "secondary")
    if due_on is None:
        return Deadline(None, "本环节无办理时限", "secondary")
    try:
        if due_on >= today:
            left = calendar.working_days_between(today, due_on)
        else:
            late = calendar.working_days_between(due_on, today)
    except DomainError:  # a year the calendar does not cover yet
        text = "已超期" if due_on < today else f"{due_on:%Y-%m-%d} 到期"
        return Deadline(due_on, text, "danger" if due_on < today else "secondary", due_on < today)
    if due_on >= today:
        if clock_paused:
            text = f"公示期剩余 {left} 个工作日" if left else "公示期今日届满"
            return Deadline(due_on, text, "info")
        if left == 0:
            return Deadline(due_on, "今日到期", "warning")
        tone = "warning" if left <= 2 else "success"
        return Deadline(due_on, f"剩余 {left} 个工作日", tone)
    if clock_paused:
        return Deadline(due_on, "公示期已满，待办理", "warning", True)
    return Deadline(due_on, f"已超期 {late} 个工作日" if late else "已超期", "danger", True)


def case_deadline(case: Case, workflow: Workflow, today: dt.date, cal: WorkingCalendar) -> Deadline:
    state = workflow.states.get(case.state)
    return deadline(
        case.due_on,
        today,
        cal,
        final=bool(state and state.final),
        clock_paused=bool(state and state.clock_paused),
    )


# -- rows of the worklist ------------------------------------------------------------


def head_of(household: Household) -> Member | None:
    return registry_presenters.head_of(household)


def worklist_row(
    user: Any, case: Case, workflow: Workflow, *, today: dt.date, calendar: WorkingCalendar
) -> dict[str, Any]:
    household = case.household
    head = head_of(household)
    row: dict[str, Any] = {
        "id": case.pk,
        "case_no": case.case_no,
        "programme": workflow.label,
        "state": case.state,
        "state_label": workflow.states[case.state].label
        if case.state in workflow.states
        else case.state,
        "household_no": household.household_no,
        "community": household.community.name,
        "channel": Channel(case.channel).label if case.channel in Channel.values else case.channel,
        "received_on": clock.localtime(case.created_at).date(),
        "deadline": case_deadline(case, workflow, today, calendar),
    }
    name = registry_presenters.shown(user, SensitiveField.NAME, head.name if head else "")
    if name is not None:
        row["head_name"] = name
    return row


def export_row(row: dict[str, Any], head: Member | None) -> list[object]:
    """One spreadsheet line: the name masked whatever the role (an export leaves the office)."""
    due: dt.date | None = row["deadline"].due_on
    return [
        row["case_no"],
        row["programme"],
        row["state_label"],
        row["community"],
        row["household_no"],
        mask_name(head.name) if head is not None and "head_name" in row else "",
        row["channel"],
        row["received_on"].isoformat(),
        due.isoformat() if due else "",
        row["deadline"].text,
    ]


EXPORT_HEADERS = [
    "申请编号",
    "救助项目",
    "当前环节",
    "社区/村",
    "家庭编号",
    "户主姓名",
    "申请渠道",
    "受理日期",
    "本环节期限",
    "期限状态",
]


# -- the case page -----------------------------------------------------------------


def case_facts(case: Case) -> dict[str, Any]:
    request = case.request if isinstance(case.request, dict) else None
    return {
        "id": case.pk,
        "case_no": case.case_no,
        "version": case.version,
        "channel": Channel(case.channel).label if case.channel in Channel.values else case.channel,
        "proxy_worker": user_label(case.proxy_worker) if case.proxy_worker_id else "",
        "commitment_signed": case.commitment_signed,
        "data_check_authorised": case.data_check_authorised,
        "missing_materials": [str(item) for item in case.missing_materials or []],
        "staff_relative": case.staff_relative,
        "staff_relative_note": case.staff_relative_note,
        "request": None
        if request is None
        else {
            "amount": money(request.get("amount")),
            "cause": AID_CAUSE_LABELS.get(str(request.get("cause")), str(request.get("cause"))),
            "kind": AID_KIND_LABELS.get(str(request.get("kind")), str(request.get("kind"))),
        },
        "received_at": case.created_at,
        "received_by": user_label(case.created_by),
        "state_entered_on": case.state_entered_on,
        "decided_amount": money(case.decided_amount),
        "decision_reason": case.decision_reason,
    }


def household_summary(
    user: Any, household: Household, head: Member | None, members: int
) -> dict[str, Any]:
    """The household as the registry shows it to this role (names/addresses per role)."""
    facts = registry_presenters.household_facts(user, household)
    summary: dict[str, Any] = {
        "id": facts["id"],
        "household_no": facts["household_no"],
        "community": facts["community"],
        "grid": facts["grid"],
        "program": facts["program"],
        "members": members,
    }
    if "address" in facts:
        summary["address"] = facts["address"]
    name = registry_presenters.shown(user, SensitiveField.NAME, head.name if head else "")
    if name is not None:
        summary["head_name"] = name
    return summary


def reason_sentences(result: dict[str, Any]) -> list[str]:
    checks = (result.get("explanation") or {}).get("checks") or []
    sentences: list[str] = []
    for code in result.get("reasons") or []:
        found = [
            str(check.get("message", ""))
            for check in checks
            if isinstance(check, dict) and check.get("code") == code and not check.get("passed")
        ]
        if not found:
            found = [REASON_TEXT.get(str(code), "未满足认定条件")]
        sentences.extend(sentence for sentence in found if sentence not in sentences)
    return sentences


def assessment_summary(case: Case) -> dict[str, Any] | None:
    """The stored policy result in words (None before the first assessment)."""
    result = case.assessment_result
    if not isinstance(result, dict):
        return None
    explanation = result.get("explanation") or {}
    programme = str(result.get("programme") or "")
    return {
        "eligible": result.get("outcome") == "eligible",
        "outcome": OUTCOME_LABELS.get(str(result.get("outcome")), str(result.get("outcome"))),
        "programme": PROGRAMME_LABELS.get(programme, "未找到符合的救助项目"),
        "amount": money(result.get("amount")),
        "per_capita_income": money(result.get("per_capita_income")),
        "household_income": money(result.get("household_income")),
        "review_class": result.get("review_class") or "",
        "decided_by": DECIDED_BY_LABELS.get(str(result.get("decided_by") or ""), ""),
        "cap_amount": money(result.get("cap_amount")),
        "as_of": result.get("as_of", ""),
        "summary": str(explanation.get("summary") or ""),
        "reasons": reason_sentences(result),
        "assessed_at": case.assessed_at,
        "parameter_count": len(case.assessment_versions or []),
    }


@dataclass
class Requirement:
    code: str
    label: str
    met: bool


@dataclass
class ActionButton:
    name: str
    label: str
    reason_required: bool
    checker: bool
    requirements: list[Requirement] = field(default_factory=list)
    blocked_by_preparer: bool = False

    @property
    def missing(self) -> list[Requirement]:
        return [need for need in self.requirements if not need.met]


def on_file_rows(on_file: set[str]) -> list[Requirement]:
    return [
        Requirement(code, label, True) for code, label in REQUIREMENTS.items() if code in on_file
    ]


def action_buttons(
    actions: list[Action], *, on_file: set[str], user_id: object, preparer_id: object | None
) -> list[ActionButton]:
    return [
        ActionButton(
            name=action.name,
            label=action.label,
            reason_required=action.reason_required,
            checker=action.checker,
            requirements=[
                Requirement(code, REQUIREMENTS[code], code in on_file) for code in action.requires
            ],
            blocked_by_preparer=action.checker
            and preparer_id is not None
            and preparer_id == user_id,
        )
        for action in actions
    ]


def event_row(event: CaseEvent, workflow: Workflow) -> dict[str, Any]:
    if event.action in workflow.actions:
        label = workflow.actions[event.action].label
    else:
        label = EVENT_LABELS.get(event.action, event.action)

    def state(name: str) -> str:
        return workflow.states[name].label if name in workflow.states else name

    return {
        "at": event.at,
        "actor": user_label(event.actor),
        "role": role_label(event.actor_role),
        "action": label,
        "from_state": state(event.from_state) if event.from_state else "",
        "to_state": state(event.to_state),
        "changed": event.from_state != event.to_state and bool(event.from_state),
        "reason": event.reason,
    }


def document_kinds(case: Case, on_file: set[str], actions_taken: set[str]) -> list[str]:
    """The documents that make sense for the case as it stands."""
    wanted = ["applicationform"]
    if "home_visit" in on_file:
        wanted.append("homevisit")
    if "democratic_review_quorum" in on_file:
        wanted.append("reviewminutes")
    if "start_publicity" in actions_taken:
        wanted.append("publicnotice")
    if case.preparer_id is not None:
        wanted.append("approval")
    if case.state == "refused":
        wanted.append("refusal")
    return wanted


def document_links(case_pk: int, kinds: list[str]) -> list[dict[str, Any]]:
    """Print links (PDF and Word) of the documents app, none while its route is missing."""
    labels = dict(DOCUMENT_KINDS)
    links = []
    for kind in kinds:
        formats = []
        for fmt, fmt_label in DOCUMENT_FORMATS:
            url = optional_url("documents:render", case_pk=case_pk, kind=kind, fmt=fmt)
            if url:
                formats.append({"url": url, "label": fmt_label, "fmt": fmt})
        if formats:
            links.append({"kind": kind, "label": labels.get(kind, kind), "formats": formats})
    return links


def enrolment(case: Case, household: Any) -> dict[str, str] | None:
    """纳入救助后: the household's review class and the next review date."""
    next_review = services.next_review_on(case)
    if next_review is None:
        return None
    return {
        "review_class": household.get_review_class_display(),
        "next_review_on": next_review.isoformat(),
        "amount": f"{case.decided_amount:,.2f}" if case.decided_amount is not None else "",
    }
