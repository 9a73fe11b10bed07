"""Policy-parameter screens (政策参数): the values in force, their history, maker-checker changes.

* `parameter_list` — every catalogue parameter by section, with the value in
  force today for the user's region, what is already scheduled and what waits
  for approval; the pending changes with approve/return buttons for a county
  approver who did not propose them.
* `parameter_detail` — one parameter's dated values (files and approved
  changes, each with its version), its change history, and for a proposer the
  form of a new dated value.
* `change_decide` — approve or return a pending change (POST, then back to the
  list: post/redirect/get).

The decisions are the services' (`propose_change`, `decide_change`): a refusal
is shown in Chinese on the page; no permission or a change outside the
region is the 404 page, like a change that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.audit.access import check_action, require_action
from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.core.permissions import Action, can
from jiuzhu.divisions.models import Division
from jiuzhu.domain.policy.catalog import CATALOG, ParameterSpec
from jiuzhu.domain.policy.parameters import (
    ParameterError,
    ParameterTable,
    ParameterValue,
    display_value,
)
from jiuzhu.policy import selectors, services
from jiuzhu.policy.models import ChangeStatus, ParameterChange
from jiuzhu.policy.parameter_forms import ParameterChangeForm

CHANGE = "policy.ParameterChange"

#: Section headings (domain.md) the catalogue's `section` refers to; a parameter
#: stated in several sections is listed under the first.
SECTION_TITLES: dict[str, str] = {
    "§3": "家庭、收入与财产",
    "§4": "认定条件与救助标准",
    "§5": "办理程序与时限",
    "§6": "动态管理",
    "§7": "公开与发放",
    "§8": "筛查阈值",
}

STATUS_BADGES: dict[str, str] = {
    ChangeStatus.PENDING: "text-bg-warning",
    ChangeStatus.APPROVED: "text-bg-success",
    ChangeStatus.REJECTED: "text-bg-secondary",
}


# -- what the templates show -----------------------------------------------------------


@dataclass(frozen=True)
class ShownValue:
    """One dated value as a row of a screen."""

    display: str
    effective_from: dt.date
    region: str
    region_label: str
    source: str
    version: str
    status: str = ""  # 现行 / 待生效 / 已失效 / 被覆盖 (history only)
    status_badge: str = ""


@dataclass(frozen=True)
class ParameterRow:
    spec: ParameterSpec
    current: ShownValue | None
    scheduled: list[ShownValue]
    pending: int


@dataclass
class Section:
    key: str
    title: str
    rows: list[ParameterRow] = field(default_factory=list)


@dataclass(frozen=True)
class ShownChange:
    change: ParameterChange
    label: str
    display: str
    region_label: str
    status_label: str
    status_badge: str
    proposed_by: str
    decided_by: str
    can_decide: bool


# -- helpers ---------------------------------------------------------------------------


def _region(request: HttpRequest) -> str:
    """The user's region prefix; a user without a division has no parameter screens."""
    region = services.user_region(request.user)
    if region is None:
        raise NotFound()
    return region


class _RegionNames:
    """Names of the region prefixes shown on a page ("" → 全国, "510199" → 示范县)."""

    def __init__(self, regions: Iterable[str]) -> None:
        wanted = {region.ljust(12, "0"): region for region in set(regions) if region}
        found = Division.objects.filter(code__in=wanted).values_list("code", "name")
        self._names = {wanted[code]: name for code, name in found}

    def __call__(self, region: str) -> str:
        if not region:
            return "全国"
        name = self._names.get(region)
        return f"{name}（{region}）" if name else region


def _person(user: Any) -> str:
    return str(user) if user is not None else ""


def _resolve(table: ParameterTable, name: str, region: str, on: dt.date) -> ParameterValue | None:
    try:
        return table.resolve(name, region, on)
    except ParameterError:
        return None


def _shown(value: ParameterValue, names: _RegionNames, status: str = "") -> ShownValue:
    badges = {
        "现行": "text-bg-success",
        "待生效": "text-bg-info",
        "已失效": "text-bg-light border",
        "被覆盖": "text-bg-light border",
    }
    return ShownValue(
        display=display_value(value.spec, value.value),
        effective_from=value.effective_from,
        region=value.region,
        region_label=names(value.region),
        source=value.source,
        version=value.version,
        status=status,
        status_badge=badges.get(status, ""),
    )


def _scheduled(
    table: ParameterTable, name: str, region: str, today: dt.date
) -> list[ParameterValue]:
    """Later-dated values that will actually apply to the region (not overridden)."""
    rows = []
    for row in table.history(name, region):
        if row.effective_from <= today:
            continue
        applies = _resolve(table, name, region, row.effective_from)
        if applies is not None and applies.version == row.version:
            rows.append(row)
    return rows


def _history_status(
    table: ParameterTable, row: ParameterValue, region: str, today: dt.date, current: str
) -> str:
    if row.version == current:
        return "现行"
    applies = _resolve(table, row.name, region, row.effective_from)
    if applies is None or applies.version != row.version:
        return "被覆盖"
    return "待生效" if row.effective_from > today else "已失效"


def _change_display(change: ParameterChange) -> str:
    try:
        value = change.as_value()
    except ParameterError:
        return str(change.value)
    return display_value(value.spec, value.value)


def _shown_changes(
    user: Any, changes: Sequence[ParameterChange], names: _RegionNames
) -> list[ShownChange]:
    may_approve = can(user, Action.POLICY_PARAMETER_APPROVE)
    return [
        ShownChange(
            change=change,
            label=change.label,
            display=_change_display(change),
            region_label=names(change.region),
            status_label=change.get_status_display(),
            status_badge=STATUS_BADGES.get(change.status, "text-bg-light"),
            proposed_by=_person(change.proposed_by),
            decided_by=_person(change.decided_by),
            can_decide=(
                may_approve
                and change.status == ChangeStatus.PENDING
                and change.proposed_by_id != user.pk
            ),
        )
        for change in changes
    ]


# -- views -----------------------------------------------------------------------------


@require_action(Action.POLICY_PARAMETER_VIEW)
@require_GET
def parameter_list(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    today = clock.today()
    table = services.parameter_table()
    pending = selectors.pending_changes(region)
    pending_count: dict[str, int] = {}
    for change in pending:
        pending_count[change.name] = pending_count.get(change.name, 0) + 1

    values: dict[str, tuple[ParameterValue | None, list[ParameterValue]]] = {
        name: (_resolve(table, name, region, today), _scheduled(table, name, region, today))
        for name in CATALOG
    }
    regions = {region, *(change.region for change in pending)}
    for current, scheduled in values.values():
        regions.update(row.region for row in ([current] if current else []) + scheduled)
    names = _RegionNames(regions)

    sections: dict[str, Section] = {}
    for spec in CATALOG.values():
        key = spec.section.split()[0] if spec.section else "其他"
        section = sections.setdefault(key, Section(key=key, title=SECTION_TITLES.get(key, "")))
        current, scheduled = values[spec.name]
        section.rows.append(
            ParameterRow(
                spec=spec,
                current=_shown(current, names) if current is not None else None,
                scheduled=[_shown(row, names) for row in scheduled],
                pending=pending_count.get(spec.name, 0),
            )
        )
    context = {
        "sections": sorted(sections.values(), key=lambda s: s.key),
        "pending": _shown_changes(request.user, pending, names),
        "today": today,
        "region_label": names(region),
    }
    return render(request, "policy/parameter_list.html", context)


@require_action(Action.POLICY_PARAMETER_VIEW)
@require_http_methods(["GET", "POST"])
def parameter_detail(request: HttpRequest, name: str) -> HttpResponse:
    spec = CATALOG.get(name)
    if spec is None:
        raise NotFound()
    region = _region(request)
    today = clock.today()
    can_propose = can(request.user, Action.POLICY_PARAMETER_PROPOSE)
    if request.method == "POST":
        check_action(request, Action.POLICY_PARAMETER_PROPOSE)

    table = services.parameter_table()
    current = _resolve(table, name, region, today)
    form: ParameterChangeForm | None = None
    if can_propose:
        data = request.POST if request.method == "POST" else None
        form = ParameterChangeForm(data, spec=spec, today=today, current=current)
        if request.method == "POST" and form.is_valid():
            try:
                change = services.propose_change(
                    actor=request.user,
                    name=name,
                    effective_from=form.cleaned_data["effective_from"],
                    value=form.cleaned_data["value"],
                    source=form.cleaned_data["source"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except NotFound:
                raise
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"已提出调整：{spec.label} 自 {change.effective_from:%Y-%m-%d} 起为 "
                    f"{_change_display(change)}，须由另一位审核人批准后生效。",
                )
                return redirect("policy:parameter_detail", name=name)

    history = table.history(name, region)
    changes = selectors.change_history(name, region)
    names = _RegionNames(
        {region, *(row.region for row in history), *(change.region for change in changes)}
    )
    current_version = current.version if current is not None else ""
    shown_history = [
        _shown(row, names, _history_status(table, row, region, today, current_version))
        for row in reversed(history)
    ]
    context = {
        "spec": spec,
        "current": _shown(current, names) if current is not None else None,
        "history": shown_history,
        "has_overridden": any(row.status == "被覆盖" for row in shown_history),
        "changes": _shown_changes(request.user, changes, names),
        "form": form,
        "today": today,
        "region_label": names(region),
    }
    return render(request, "policy/parameter_detail.html", context)


@require_action(Action.POLICY_PARAMETER_APPROVE)
@require_POST
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        messages.error(request, "请选择“批准”或“退回”。")
        return redirect("policy:parameter_list")
    approve = decision == "approve"
    try:
        change = services.decide_change(
            actor=request.user,
            change_id=pk,
            approve=approve,
            note=request.POST.get("note", "")[:500],
            request=request,
        )
    except NotFound:
        audit_record(
            action=str(Action.POLICY_PARAMETER_APPROVE),
            result="denied",
            request=request,
            object_type=CHANGE,
            object_id=pk,
            details={"reason": "not_found_or_out_of_scope"},
        )
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        verb = "已批准" if approve else "已退回"
        messages.success(
            request,
            f"{verb}：{change.label} 自 {change.effective_from:%Y-%m-%d} 起为 "
            f"{_change_display(change)}。",
        )
    return redirect("policy:parameter_list")
