"""The data of each document, from the case: a flat context of strings and lists.

Internal documents (申请书, 入户调查表, 民主评议记录, 审批表, 不予批准通知书) show
personal fields the way the viewer's role sees them on screen
(`jiuzhu.registry.presenters`): names and addresses in full for the staff of the
jurisdiction, ID numbers and phones masked (a full value needs the audited reveal).

The 公示 is different by construction: its context is built from the notice's
stored snapshot only (`jiuzhu.documents.notices`), never from the household, so
a template edited by the office cannot pull anything else into a public notice.

Seam for the home-visit and democratic-review records (being built in their own
apps): `register_section(kind, provider)` adds a provider whose mapping is merged
into the context of that kind, over the defaults built here from the case and
its history (`visitors`, `visit_steps`, `review_at`, `panel`, `conclusion_lines`…).
Without a provider the forms print with blank lines to fill in on paper.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from jiuzhu.casework.models import Case, CaseEvent
from jiuzhu.core import clock
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.permissions import Role, SensitiveField
from jiuzhu.divisions.models import Division
from jiuzhu.documents import conf, notices
from jiuzhu.documents.layouts import KIND_LABELS, Kind
from jiuzhu.documents.models import NoticeStatus, PublicNotice
from jiuzhu.domain.casework.workflow import WorkflowError, workflow_for
from jiuzhu.domain.policy.vocabulary import (
    AID_CAUSE_LABELS,
    AID_KIND_LABELS,
    OUTCOME_LABELS,
    VEHICLE_LABELS,
)
from jiuzhu.registry import presenters
from jiuzhu.registry.models import Program

F = SensitiveField
Context = dict[str, Any]
SectionProvider = Callable[[Case, Any], Mapping[str, Any]]

BLANK = ""
NOTHING = "—"
VISIT_STEPS = ("看住房", "查财产", "问收支", "访邻里")
PANEL_BLANK_ROWS = 9
COUNTED_LABELS = {"counted": "计入", "deducted": "扣减", "not_counted": "不计入"}
#: History entries that are not workflow actions.
EVENT_LABELS = {
    "open": "受理申请",
    "assess": "政策测算",
    "record_data_check": "登记数据核对报告",
    "record_home_visit": "登记入户调查",
    "record_democratic_review_quorum": "登记民主评议结果",
}
VISIT_EVENTS = ("record_data_check", "record_home_visit", "complete_investigation")
REVIEW_EVENTS = ("record_democratic_review_quorum", "record_democratic_review")
COUNTY_ROLE = Role.COUNTY_APPROVER.value


class DocumentUnavailable(ServiceError):
    """The document does not exist for the case (yet): no notice, no refusal."""

    code = "document_unavailable"
    default_message = "该申请目前没有这份文书"
    http_status = 409


_PROVIDERS: dict[Kind, list[SectionProvider]] = defaultdict(list)


def register_section(kind: Kind | str, provider: SectionProvider) -> None:
    """Let another app fill sections of a document (e.g. the home-visit record)."""
    kind = Kind(kind)
    if kind is Kind.PUBLIC_NOTICE:
        raise ValueError("公示只能使用公示快照中的字段，不能追加数据来源")
    if provider not in _PROVIDERS[kind]:
        _PROVIDERS[kind].append(provider)


def unregister_section(kind: Kind | str, provider: SectionProvider) -> None:
    providers = _PROVIDERS[Kind(kind)]
    if provider in providers:
        providers.remove(provider)


# -- helpers ---------------------------------------------------------------


def _shown(user: Any, field: SensitiveField, value: str | None) -> str:
    seen = presenters.shown(user, field, value)
    return seen.text if seen is not None else NOTHING


def _local_date(value: Any) -> str:
    return notices.cn_date(clock.localtime(value).date()) if value is not None else BLANK


def _local_time(value: Any) -> str:
    if value is None:
        return BLANK
    local = clock.localtime(value)
    return f"{notices.cn_date(local.date())} {local:%H:%M}"


def _actor_name(event: CaseEvent) -> str:
    actor = event.actor
    name = getattr(actor, "full_name", "") or actor.get_username()
    try:
        role = Role(event.actor_role).label
    except ValueError:
        role = event.actor_role
    return f"{name}（{role}）" if role else name


def _action_label(case: Case, action: str) -> str:
    if action in EVENT_LABELS:
        return EVENT_LABELS[action]
    try:
        return workflow_for(case.programme).action(action).label
    except WorkflowError:
        return action


def _state_label(case: Case) -> str:
    try:
        return workflow_for(case.programme).state(case.state).label
    except WorkflowError:
        return case.state


def _events(case: Case, actions: tuple[str, ...] | None = None) -> list[CaseEvent]:
    events = case.events.select_related("actor").order_by("at", "id")
    if actions is not None:
        events = events.filter(action__in=actions)
    return list(events)


def _history_rows(case: Case, events: list[CaseEvent]) -> list[dict[str, str]]:
    return [
        {
            "at": _local_time(event.at),
            "action": _action_label(case, event.action),
            "actor": _actor_name(event),
            "reason": event.reason or BLANK,
        }
        for event in events
    ]


def _programme(case: Case) -> str:
    return Program(case.programme).label


def _result(case: Case) -> dict[str, Any]:
    return case.assessment_result or {}


def _explanation(case: Case) -> dict[str, Any]:
    explanation = _result(case).get("explanation")
    return explanation if isinstance(explanation, dict) else {}


def _checks(case: Case) -> list[dict[str, Any]]:
    """The rules applied for the case's own programme (and those of every programme, like
    the asset tests); the checks of the other programmes assessed alongside are left out."""
    return [
        check
        for check in _explanation(case).get("checks") or []
        if isinstance(check, dict) and check.get("programme", "") in ("", case.programme)
    ]


def _county_name(community: Division) -> str:
    county = notices.county_of(community)
    return county.name if county is not None else ""


# -- the parts every internal document shares ----------------------------------


def _common(case: Case, user: Any, kind: Kind) -> Context:
    household = case.household
    community = household.community
    township = notices.township_of(community)
    members = notices.current_members(household, clock.today())
    heads = [m for m in members if m.relation == "head"] or members[:1]
    head = heads[0] if heads else None
    today = clock.today()
    return {
        "title": f"{_programme(case)}{KIND_LABELS[kind]}",
        "reference": f"申请编号：{case.case_no}",
        "case_no": case.case_no,
        "programme": _programme(case),
        "channel": case.get_channel_display(),
        "opened_on": _local_date(case.created_at),
        "township": township.name if township is not None else BLANK,
        "community": community.name,
        "household_no": household.household_no,
        "office": notices.issuing_office(community),
        "state": _state_label(case),
        "applicant_name": _shown(user, F.NAME, head.name) if head else NOTHING,
        "applicant_id_number": _shown(user, F.ID_NUMBER, head.id_number) if head else NOTHING,
        "applicant_phone": _shown(user, F.PHONE, head.phone) if head else NOTHING,
        "address": _shown(user, F.ADDRESS, household.address),
        "member_count": f"{len(members)}人",
        "members": [
            {
                "name": _shown(user, F.NAME, m.name),
                "relation": m.get_relation_display(),
                "sex": m.get_sex_display(),
                "age": str(presenters.age_on(m.birth_date, today)),
                "id_number": _shown(user, F.ID_NUMBER, m.id_number),
                "labor_ability": m.get_labor_ability_display(),
                "employment": m.get_employment_display(),
            }
            for m in members
        ],
        "printed_on": notices.cn_date(today),
    }


# -- per kind ------------------------------------------------------------------


def _application(case: Case, user: Any, base: Context) -> Context:
    request = case.request or {}
    if case.programme == Program.TEMP_AID and request:
        request_lines = [
            f"申请临时救助金额：{notices.money_text(request.get('amount'))}元",
            f"事由：{AID_CAUSE_LABELS.get(str(request.get('cause')), str(request.get('cause')))}",
            f"类型：{AID_KIND_LABELS.get(str(request.get('kind')), str(request.get('kind')))}",
        ]
    else:
        request_lines = [f"申请{base['programme']}。"]
    proxy = case.proxy_worker
    return {
        "proxy_worker": (getattr(proxy, "full_name", "") or proxy.get_username())
        if proxy is not None
        else "无",
        "staff_relative": f"是（{case.staff_relative_note}）" if case.staff_relative else "否",
        "request_lines": request_lines,
        "missing_materials": [str(item) for item in case.missing_materials or []],
        "commitment_lines": [
            "本人已知晓有关政策规定，承诺所填报的家庭成员、收入、财产等情况真实、完整；"
            "如有隐瞒或虚报，愿承担相应的法律责任。"
            f"（告知承诺书：{'已签署' if case.commitment_signed else '未签署'}）",
            "本人及共同生活家庭成员同意授权民政部门核对家庭经济状况。"
            f"（核对授权书：{'已签署' if case.data_check_authorised else '未签署'}）",
        ],
    }


def _asset_lines(case: Case) -> list[str]:
    household = (case.assessment_inputs or {}).get("household")
    if not isinstance(household, dict):
        return ["尚未测算，财产状况待核查"]
    assets = household.get("assets") or {}
    properties = assets.get("properties") or []
    residential = sum(1 for item in properties if item.get("usage") == "residential")
    other = len(properties) - residential
    vehicles = assets.get("vehicles") or []
    lines = [
        f"存款及金融资产合计：{notices.money_text(assets.get('financial'))}元",
        f"住房：{residential}套；非住宅房产：{other}处",
        "机动车："
        + (
            "、".join(
                f"{VEHICLE_LABELS.get(str(v.get('kind')), str(v.get('kind')))}"
                f"（{notices.money_text(v.get('value'))}元）"
                for v in vehicles
            )
            or "无"
        ),
        f"工商登记：{len(assets.get('businesses') or [])}项",
    ]
    return lines


def _assessment_lines(case: Case) -> list[str]:
    explanation = _explanation(case)
    if not explanation:
        return []
    lines = [str(explanation.get("summary") or "")]
    lines += [
        f"{figure.get('label')}：{figure.get('value')}"
        for figure in explanation.get("figures") or []
        if isinstance(figure, dict)
    ]
    return [line for line in lines if line]


def _home_visit(case: Case, user: Any, base: Context) -> Context:
    visits = _events(case, ("record_home_visit",))
    incomes = [
        {
            "member": str(line.get("member", "")),
            "label": str(line.get("label", "")),
            "amount": str(line.get("amount", "")),
            "basis": str(line.get("basis", "")),
            "counted": COUNTED_LABELS.get(str(line.get("counted")), str(line.get("counted"))),
        }
        for line in _explanation(case).get("income") or []
        if isinstance(line, dict)
    ]
    return {
        "visitors": BLANK,
        "visited_on": _local_date(visits[-1].at) if visits else BLANK,
        "visit_steps": [{"step": step, "finding": BLANK} for step in VISIT_STEPS],
        "incomes": incomes,
        "asset_lines": _asset_lines(case),
        "visit_records": _history_rows(case, _events(case, VISIT_EVENTS)),
        "assessment_lines": _assessment_lines(case),
    }


def _review_minutes(case: Case, user: Any, base: Context) -> Context:
    events = _events(case, REVIEW_EVENTS)
    passed = [event for event in events if event.action == "record_democratic_review"]
    return {
        "review_at": BLANK,
        "review_place": BLANK,
        "chair": BLANK,
        "recorder": BLANK,
        "expected": BLANK,
        "present": BLANK,
        "agree": BLANK,
        "disagree": BLANK,
        "abstain": BLANK,
        "recused": BLANK,
        "recording": BLANK,
        "panel": [{"name": BLANK, "role": BLANK, "vote": BLANK}] * PANEL_BLANK_ROWS,
        "review_lines": [
            "评议代表由社区（村）“两委”成员、党员代表和居（村）民代表组成；"
            "到会人数须达应到人数的三分之二以上，同意人数须达到会人数的三分之二以上；"
            "与申请人有利害关系的成员应当回避。",
        ],
        "review_records": _history_rows(case, events),
        "conclusion_lines": [
            f"民主评议通过，提交乡镇（街道）审核（{_local_date(passed[-1].at)}登记）。"
        ]
        if passed
        else ["□ 同意　□ 不同意　提交乡镇（街道）审核"],
    }


def _publicity_lines(case: Case) -> list[str]:
    lines = []
    for notice in case.public_notices.order_by("round"):
        fields = notices.shown_fields(notice.fields)
        line = f"第{notice.round}次公示：{fields['period']}，{notice.get_status_display()}"
        if notice.status == NoticeStatus.OBJECTED and notice.objection:
            line += f"；异议：{notice.objection}"
        lines.append(line)
    return lines


def _approval(case: Case, user: Any, base: Context) -> Context:
    result = _result(case)
    _explanation(case)
    checks = [
        f"【{'符合' if check.get('passed') else '不符合'}】{check.get('message', '')}"
        for check in _checks(case)
    ]
    try:
        workflow = workflow_for(case.programme)
    except WorkflowError:
        workflow = None
    township_lines: list[str] = []
    county_lines: list[str] = []
    for event in _events(case):
        action = workflow.actions.get(event.action) if workflow is not None else None
        if action is None:
            continue
        line = f"{_local_date(event.at)}，{_actor_name(event)}：{action.label}"
        if event.reason:
            line += f"。意见：{event.reason}"
        if event.actor_role == COUNTY_ROLE:
            county_lines.append(line)
        elif action.prepares or action.checker or action.name == "refer_to_county":
            township_lines.append(line)
    if case.decided_amount is not None:
        county_lines.append(f"决定救助金额：{notices.money_text(case.decided_amount)}元")
    return {
        "outcome": OUTCOME_LABELS.get(str(result.get("outcome")), BLANK) if result else BLANK,
        "household_income": str(result.get("household_income", BLANK)),
        "per_capita_income": str(result.get("per_capita_income", BLANK)),
        "covered_count": f"{len(result.get('covered_members') or [])}人" if result else BLANK,
        "assessed_amount": str(result.get("amount", BLANK)),
        "review_class": str(result.get("review_class") or BLANK),
        "assessed_at": _local_time(case.assessed_at),
        "explanation_lines": _assessment_lines(case) + checks,
        "township_lines": township_lines,
        "publicity_lines": _publicity_lines(case),
        "county_lines": county_lines,
        "history": _history_rows(case, _events(case)),
    }


def _refusal(case: Case, user: Any, base: Context) -> Context:
    if case.state != "refused":
        raise DocumentUnavailable("该申请未作出不予批准决定，没有不予批准通知书")
    event = case.events.select_related("actor").filter(action="refuse").order_by("-at").first()
    reasons = [case.decision_reason or (event.reason if event is not None else "")]
    reasons += [str(check.get("message", "")) for check in _checks(case) if not check.get("passed")]
    reasons = list(dict.fromkeys(reason.strip() for reason in reasons if reason.strip()))
    community = case.household.community
    county = _county_name(community)
    by_county = event is not None and event.actor_role == COUNTY_ROLE
    decider = f"{county}民政局" if by_county and county else notices.issuing_office(community)
    review_body = f"{county}人民政府" if county else "上一级人民政府"
    programme = base["programme"]
    return {
        "title": f"{programme}不予批准通知书",
        "addressee": f"{base['applicant_name']}：",
        "body": f"你（户）于{base['opened_on']}提出的{programme}申请（申请编号：{case.case_no}），"
        f"经调查核实和审核，不符合{programme}条件，决定不予批准。",
        "reasons": reasons,
        "legal_basis": f"依据：《社会救助暂行办法》及本地{programme}审核确认的有关规定。",
        "remedy": f"如对本决定不服，可以自收到本通知书之日起六十日内向{review_body}申请行政复议，"
        "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。",
        "decider": decider,
        "decided_on": _local_date(event.at) if event is not None else BLANK,
    }


BUILDERS: dict[Kind, Callable[[Case, Any, Context], Context]] = {
    Kind.APPLICATION_FORM: _application,
    Kind.HOME_VISIT: _home_visit,
    Kind.REVIEW_MINUTES: _review_minutes,
    Kind.APPROVAL: _approval,
    Kind.REFUSAL: _refusal,
}


# -- the 公示 ---------------------------------------------------------------------


def notice_intro(programme: str) -> str:
    return (
        "经申请人申请、入户调查、民主评议和乡镇（街道）审核，"
        f"拟对下列家庭给予{programme}，现予公示。"
    )


def notice_closing(issuing_office: str, complaint_phone: str) -> list[str]:
    return [
        f"公示期内，任何单位和个人对公示对象有异议的，可向{issuing_office}反映，"
        f"监督电话：{complaint_phone}。",
        "反映情况应实事求是，我们将对反映人的信息予以保密。",
    ]


def notice_context(notice: PublicNotice) -> Context:
    """The 公示 of one case: the snapshot's fields and fixed wording, nothing else."""
    fields = notices.shown_fields(notice.fields)
    return {
        "title": f"{fields['programme']}公示",
        "reference": f"公示编号：{notice.notice_no}",
        "intro": notice_intro(fields["programme"]),
        "rows": [{"no": "1", **fields}],
        "closing_lines": notice_closing(fields["issuing_office"], fields["complaint_phone"]),
        "issuing_office": fields["issuing_office"],
        "posted_on": notices.cn_date(notice.posted_on),
    }


def board_context(community: Division, posted: list[PublicNotice]) -> Context:
    """The community board: every notice now posted there, one row each."""
    rows = [
        {"no": str(i), **notices.shown_fields(notice.fields)}
        for i, notice in enumerate(posted, start=1)
    ]
    issuing_office = rows[0]["issuing_office"] if rows else notices.issuing_office(community)
    phone = rows[0]["complaint_phone"] if rows else conf.complaint_phone()
    today = clock.today()
    return {
        "title": f"{community.name}社会救助公示",
        "reference": f"{community.name} · {notices.cn_date(today)}",
        "intro": notice_intro("社会救助"),
        "rows": rows,
        "closing_lines": notice_closing(issuing_office, phone),
        "issuing_office": issuing_office,
        "posted_on": notices.cn_date(today),
    }


def latest_notice(case: Case) -> PublicNotice:
    notice = case.public_notices.order_by("-round").first()
    if notice is not None:
        return notice
    reason = notices.withheld_reason(case, clock.today())
    if reason is not None:
        raise DocumentUnavailable(notices.WITHHELD_MESSAGES[reason])
    raise DocumentUnavailable("该申请尚未进入公示环节，没有公示")


def build_context(kind: Kind, case: Case, user: Any) -> Context:
    """The context of one document of a case, as `user` may see it."""
    if kind is Kind.PUBLIC_NOTICE:
        return notice_context(latest_notice(case))
    context = _common(case, user, kind)
    context.update(BUILDERS[kind](case, user, context))
    for provider in _PROVIDERS[kind]:
        context.update(provider(case, user))
    return context
