"""Workflows as data (办理流程): states, actions, roles and deadlines per programme.

Each programme's procedure is one reviewed YAML file in `data/`: its states
(with a deadline named by a policy parameter, counted in working days), and
its actions — from which states, to which state, by which roles, what must
be on file first (`requires`), whether a written reason is needed, whether
the action prepares the decision (`prepares`) or decides it (`checker`: never
the person who prepared it). The Django casework app performs transitions;
whether a transition is allowed is decided here, in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from jiuzhu.domain.calendar import WorkingCalendar
from jiuzhu.domain.errors import DomainError

#: The platform's role codes (jiuzhu.core.permissions.Role; a test keeps them equal).
ROLES = (
    "assistance_officer",
    "community_worker",
    "grid_worker",
    "county_approver",
    "department_liaison",
    "auditor",
    "admin",
)

#: What an action may require to be on file; the casework app knows how to tell.
REQUIREMENTS = {
    "data_check": "数据核对报告",
    "home_visit": "入户调查记录（两人以上，四个步骤）",
    "assessment": "政策测算结果",
    "assessment_eligible": "政策测算结果为符合条件",
    "democratic_review_quorum": "达到法定人数并通过的民主评议",
    "self_care_assessment": "生活自理能力评估",
    "county_check": "县级入户抽查（抽中、近亲属申请或有异议时必查）",
    "supporters_checked": "法定赡养、抚养、扶养义务人核查",
    "publicity_elapsed": "公示期已满且无异议",
    "within_township_cap": "救助金额在乡镇（街道）审批额度内",
    "above_township_cap": "救助金额超过乡镇（街道）审批额度",
}


class WorkflowError(DomainError):
    code = "workflow_error"
    default_message = "该操作不符合办理流程"


class InvalidWorkflow(WorkflowError):
    code = "invalid_workflow"


@dataclass(frozen=True)
class State:
    name: str
    label: str
    deadline: str | None = None  # a policy parameter holding working days
    final: bool = False
    clock_paused: bool = False  # 公示期 is not counted in the 30-working-day limit


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    requires: tuple[str, ...] = ()
    reason_required: bool = False
    prepares: bool = False
    checker: bool = False


@dataclass(frozen=True)
class Workflow:
    programme: str
    label: str
    initial: str
    states: Mapping[str, State]
    actions: Mapping[str, Action]

    def state(self, name: str) -> State:
        try:
            return self.states[name]
        except KeyError:
            raise WorkflowError(
                f"流程 {self.label} 没有状态 {name}", code="unknown_state"
            ) from None

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise WorkflowError(
                f"流程 {self.label} 没有操作 {name}", code="unknown_action"
            ) from None

    def available(self, state: str, role: str) -> list[Action]:
        """The actions a role may take from a state (buttons on the case page)."""
        return [a for a in self.actions.values() if state in a.sources and role in a.roles]

    def check(
        self,
        state: str,
        action_name: str,
        *,
        role: str,
        actor_id: object,
        preparer_id: object | None,
        on_file: Collection[str],
        reason: str = "",
    ) -> Action:
        """The action if it may be taken now, else WorkflowError with a Chinese reason."""
        action = self.action(action_name)
        current = self.state(state)
        if state not in action.sources:
            raise WorkflowError(
                f"当前环节为“{current.label}”，不能执行“{action.label}”（须按流程逐步办理）",
                code="step_not_allowed",
            )
        if role not in action.roles:
            raise WorkflowError(f"您的角色不能执行“{action.label}”", code="role_not_allowed")
        if action.checker and preparer_id is not None and actor_id == preparer_id:
            raise WorkflowError(
                f"“{action.label}”须由经办人以外的人员作出（经办与审批分离）",
                code="preparer_cannot_decide",
            )
        missing = [need for need in action.requires if need not in on_file]
        if missing:
            raise WorkflowError(
                f"执行“{action.label}”前须具备：{'、'.join(REQUIREMENTS[need] for need in missing)}",
                code="requirement_missing",
            )
        if action.reason_required and not reason.strip():
            raise WorkflowError(f"“{action.label}”须填写理由", code="reason_required")
        return action

    def deadline(
        self,
        state: str,
        entered_on: dt.date,
        *,
        days_of: Mapping[str, int],
        calendar: WorkingCalendar,
    ) -> dt.date | None:
        """When the step entered on `entered_on` is due, in working days (None: no deadline)."""
        parameter = self.state(state).deadline
        if parameter is None:
            return None
        return calendar.add_working_days(entered_on, days_of[parameter])

    def elapsed_working_days(
        self,
        entries: Sequence[tuple[dt.date, str]],
        today: dt.date,
        *,
        calendar: WorkingCalendar,
    ) -> int:
        """Working days the case has used (办理时限): `entries` are (date entered, state) in
        order; time in a `clock_paused` state (公示) and after a final state is not counted."""
        used = 0
        for index, (entered, state) in enumerate(entries):
            if self.state(state).final:
                break
            until = entries[index + 1][0] if index + 1 < len(entries) else today
            if not self.state(state).clock_paused and until > entered:
                used += calendar.working_days_between(entered, until)
        return used

    def deadline_parameters(self) -> set[str]:
        return {s.deadline for s in self.states.values() if s.deadline}


def _strings(raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InvalidWorkflow(f"{where} 应为名称列表")
    return tuple(raw)


def parse_workflow(filename: str, data: Any) -> Workflow:
    """One workflow file, checked: names exist, roles are real, every state is reachable."""
    if not isinstance(data, Mapping):
        raise InvalidWorkflow(f"流程文件 {filename} 应为映射")
    try:
        states = {
            name: State(
                name=name,
                label=str(body["label"]),
                deadline=body.get("deadline"),
                final=bool(body.get("final", False)),
                clock_paused=bool(body.get("clock_paused", False)),
            )
            for name, body in data["states"].items()
        }
        actions = {}
        for name, body in data["actions"].items():
            actions[name] = Action(
                name=name,
                label=str(body["label"]),
                sources=_strings(body["from"], f"{filename} 操作 {name} 的 from"),
                target=str(body["to"]),
                roles=frozenset(_strings(body["roles"], f"{filename} 操作 {name} 的 roles")),
                requires=_strings(body.get("requires", []), f"{filename} 操作 {name} 的 requires"),
                reason_required=body.get("reason") == "required",
                prepares=bool(body.get("prepares", False)),
                checker=bool(body.get("checker", False)),
            )
        programmes = data.get("programmes") or [data["programme"]]
        workflow = Workflow(
            programme=str(programmes[0]),
            label=str(data["label"]),
            initial=str(data["initial"]),
            states=states,
            actions=actions,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidWorkflow(f"流程文件 {filename} 缺少或写错了字段：{exc}") from None
    _validate(filename, workflow)
    return workflow


def _validate(filename: str, workflow: Workflow) -> None:
    if workflow.initial not in workflow.states:
        raise InvalidWorkflow(f"流程文件 {filename}：初始状态 {workflow.initial} 未定义")
    for action in workflow.actions.values():
        for state in (*action.sources, action.target):
            if state not in workflow.states:
                raise InvalidWorkflow(
                    f"流程文件 {filename}：操作 {action.name} 引用了未定义的状态 {state}"
                )
        unknown_roles = action.roles - set(ROLES)
        if unknown_roles:
            raise InvalidWorkflow(
                f"流程文件 {filename}：操作 {action.name} 的角色 {sorted(unknown_roles)} 不存在"
            )
        unknown = set(action.requires) - set(REQUIREMENTS)
        if unknown:
            raise InvalidWorkflow(
                f"流程文件 {filename}：操作 {action.name} 的前提 {sorted(unknown)} 不存在"
            )
        if any(workflow.states[source].final for source in action.sources):
            raise InvalidWorkflow(f"流程文件 {filename}：操作 {action.name} 从终结状态出发")
    reachable = {workflow.initial}
    frontier = [workflow.initial]
    while frontier:
        state = frontier.pop()
        for action in workflow.actions.values():
            if state in action.sources and action.target not in reachable:
                reachable.add(action.target)
                frontier.append(action.target)
    unreachable = set(workflow.states) - reachable
    if unreachable:
        raise InvalidWorkflow(f"流程文件 {filename}：状态 {sorted(unreachable)} 无法到达")
    for step in workflow.states.values():
        if not step.final and not any(step.name in a.sources for a in workflow.actions.values()):
            raise InvalidWorkflow(f"流程文件 {filename}：状态 {step.name} 没有后续操作")


SERVICES_FILE = "services.yaml"


def load_workflows(files: Mapping[str, str]) -> dict[str, Workflow]:
    """{programme: workflow}; a file may serve several programmes (`programmes: [...]`)."""
    workflows: dict[str, Workflow] = {}
    for filename in sorted(files):
        if filename == SERVICES_FILE:
            continue
        try:
            data = yaml.safe_load(files[filename])
        except yaml.YAMLError:
            raise InvalidWorkflow(f"流程文件 {filename} 不是有效的 YAML") from None
        workflow = parse_workflow(filename, data)
        for programme in data.get("programmes") or [workflow.programme]:
            if programme in workflows:
                raise InvalidWorkflow(f"流程文件 {filename}：救助项目 {programme} 已有流程")
            workflows[str(programme)] = replace(workflow, programme=str(programme))
    # A workflow shared by several programmes reads as each programme's own name.
    catalogue = yaml.safe_load(files.get(SERVICES_FILE, "")) or {}
    for programme, workflow in list(workflows.items()):
        entry = catalogue.get(programme)
        if isinstance(entry, Mapping) and entry.get("label"):
            workflows[programme] = replace(workflow, label=str(entry["label"]))
    return workflows


@dataclass(frozen=True)
class Service:
    """One of the one-window services (一门受理的救助服务, domain.md §2)."""

    code: str
    label: str
    decided_by: str  # county | township_or_county | department
    platform: str  # full | referral
    partner: str = ""  # the department or federation it works with


DECIDERS = ("county", "township_or_county", "department")


def load_services(text: str, workflows: Mapping[str, Workflow]) -> dict[str, Service]:
    """The service catalogue; each service must have a workflow."""
    data = yaml.safe_load(text)
    if not isinstance(data, Mapping):
        raise InvalidWorkflow(f"{SERVICES_FILE} 应为“服务代码: 说明”的映射")
    services: dict[str, Service] = {}
    for code, body in data.items():
        try:
            service = Service(
                code=str(code),
                label=str(body["label"]),
                decided_by=str(body["decided_by"]),
                platform=str(body["platform"]),
                partner=str(body.get("partner", "")),
            )
        except (KeyError, TypeError):
            raise InvalidWorkflow(
                f"{SERVICES_FILE}：服务 {code} 缺少 label、decided_by 或 platform"
            ) from None
        if service.decided_by not in DECIDERS or service.platform not in ("full", "referral"):
            raise InvalidWorkflow(f"{SERVICES_FILE}：服务 {code} 的 decided_by 或 platform 不正确")
        if service.code not in workflows:
            raise InvalidWorkflow(f"{SERVICES_FILE}：服务 {code} 没有办理流程")
        services[service.code] = service
    return services


def _bundled() -> dict[str, str]:
    folder = resources.files("jiuzhu.domain.casework").joinpath("data")
    return {
        e.name: e.read_text(encoding="utf-8") for e in folder.iterdir() if e.name.endswith(".yaml")
    }


@lru_cache(maxsize=1)
def bundled_workflows() -> dict[str, Workflow]:
    return load_workflows(_bundled())


@lru_cache(maxsize=1)
def bundled_services() -> dict[str, Service]:
    return load_services(_bundled()[SERVICES_FILE], bundled_workflows())


def workflow_for(programme: str) -> Workflow:
    workflows = bundled_workflows()
    try:
        return workflows[programme]
    except KeyError:
        raise WorkflowError(
            f"救助项目 {programme} 没有办理流程", code="unknown_programme"
        ) from None


def all_deadline_parameters(workflows: Iterable[Workflow]) -> set[str]:
    return {name for workflow in workflows for name in workflow.deadline_parameters()}
