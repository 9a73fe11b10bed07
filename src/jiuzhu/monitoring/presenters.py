"""How tasks, figures and the chart are shown: money in yuan, Chinese labels, the
medical figures under the HEALTH visibility of the role (as the registry shows
medical expenses), and the per-rule chart as plain SVG geometry (no script)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jiuzhu.core.permissions import SensitiveField, Visibility, visibility
from jiuzhu.exchange.report import REASON_LABELS
from jiuzhu.monitoring.models import (
    Direction,
    ExtractImport,
    ExtractStatus,
    Outcome,
    Rule,
    RunStatus,
    TaskStatus,
    VerificationTask,
)
from jiuzhu.monitoring.services import KIND_LABELS

UNASSIGNED = "未分配"
REGISTERED = "已登记"

#: Figure key → label; money keys end in `_fen` and are shown in yuan.
FIGURE_LABELS: dict[str, str] = {
    "quarter_income_fen": "本季度收入",
    "previous_quarter_income_fen": "上季度收入",
    "self_paid_fen": "近12个月医疗自付",
    "annual_income_fen": "家庭年收入（取较大者）",
    "extract_income_fen": "部门数据年收入",
    "declared_annual_income_fen": "申报年收入",
    "reference_date": "上次核查日期",
    "first_dated_on": "最早登记日期",
    "last_dated_on": "最近登记日期",
    "first_died_on": "死亡日期（最早）",
    "last_died_on": "死亡日期（最近）",
}
ITEM_LABELS: dict[str, str] = {
    Rule.NEW_PROPERTY: "不动产单元号",
    Rule.NEW_VEHICLE: "号牌号码",
    Rule.NEW_BUSINESS: "统一社会信用代码",
}
#: Figures that tell something about a person's health (medical costs).
HEALTH_FIGURES = frozenset({"self_paid_fen"})

RULE_COLORS = {
    Rule.INCOME_SWING: "#0d6efd",
    Rule.MEDICAL_BURDEN: "#198754",
    Rule.NEW_PROPERTY: "#6f42c1",
    Rule.NEW_VEHICLE: "#fd7e14",
    Rule.NEW_BUSINESS: "#20c997",
    Rule.MEMBER_DECEASED: "#6c757d",
}
PERIOD_COLORS = ("#9ec5fe", "#6ea8fe", "#3d8bfd", "#0a58ca", "#084298", "#052c65")


def yuan(fen: Any) -> str:
    """Integer fen → '1,234.56' (exact: Decimal, never float)."""
    try:
        amount = Decimal(int(fen)) / 100
    except (TypeError, ValueError):
        return str(fen)
    return f"{amount:,.2f}"


def _percent(numerator: int, denominator: int, *, signed: bool = False) -> str:
    """numerator/denominator as a percentage with one decimal (exact, rounded half even)."""
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))
    return f"{value:+}%" if signed and value > 0 else f"{value}%"


@dataclass(frozen=True)
class Figure:
    label: str
    text: str


def figures(user: Any, rule: str, details: dict[str, Any]) -> list[Figure]:
    """The figures of a warning in the order of FIGURE_LABELS, with derived ratios."""
    health_shown = visibility(user, SensitiveField.HEALTH) in (Visibility.FULL, Visibility.REVEAL)
    shown: list[Figure] = []
    if "items" in details:
        items = details["items"]
        text = "、".join(str(i) for i in items) if isinstance(items, list) else str(items)
        shown.append(Figure(ITEM_LABELS.get(rule, "登记事项"), text))
    for key, label in FIGURE_LABELS.items():
        if key not in details:
            continue
        value = details[key]
        if key in HEALTH_FIGURES and not health_shown:
            shown.append(Figure(label, REGISTERED))
            continue
        if key.endswith("_fen"):
            shown.append(Figure(label, f"{yuan(value)} 元"))
        else:
            shown.append(Figure(label, str(value)))
    if rule == Rule.INCOME_SWING:
        q, e = details.get("quarter_income_fen"), details.get("previous_quarter_income_fen")
        if isinstance(q, int) and isinstance(e, int) and e > 0:
            shown.append(Figure("变动幅度", _percent(q - e, e, signed=True)))
    if rule == Rule.MEDICAL_BURDEN and health_shown:
        paid, annual = details.get("self_paid_fen"), details.get("annual_income_fen")
        if isinstance(paid, int) and isinstance(annual, int) and annual > 0:
            shown.append(Figure("自付占年收入", _percent(paid, annual)))
    return shown


def figures_text(items: list[Figure]) -> str:
    return "；".join(f"{f.label} {f.text}" for f in items)


def person(user: Any) -> str:
    if user is None:
        return UNASSIGNED
    return getattr(user, "full_name", "") or getattr(user, "username", "") or UNASSIGNED


def task_row(user: Any, task: VerificationTask, today: dt.date) -> dict[str, Any]:
    """One line of the warning list."""
    shown = figures(user, task.rule, task.details if isinstance(task.details, dict) else {})
    return {
        "id": task.pk,
        "household_no": task.household.household_no,
        "community": task.community.name,
        "grid": task.grid.name if task.grid is not None else "",
        "rule": task.rule,
        "rule_label": Rule(task.rule).label,
        "direction": task.direction,
        "direction_label": Direction(task.direction).label,
        "period": task.period,
        "last_period": task.last_period,
        "figures": shown,
        "figures_text": figures_text(shown),
        "created_on": task.created_on,
        "due_on": task.due_on,
        "overdue": task.overdue(today),
        "community_worker": person(task.community_worker),
        "grid_worker": person(task.grid_worker),
        "status": task.status,
        "status_label": TaskStatus(task.status).label,
        "outcome_label": Outcome(task.outcome).label if task.outcome else "",
    }


EXPORT_HEADERS = [
    "家庭编号",
    "社区/村",
    "网格",
    "预警规则",
    "预警方向",
    "首次预警季度",
    "最近预警季度",
    "预警数据",
    "生成日期",
    "核查期限",
    "是否超期",
    "社区工作人员",
    "网格员",
    "状态",
    "核查结果",
]


def export_line(row: dict[str, Any]) -> list[object]:
    return [
        row["household_no"],
        row["community"],
        row["grid"],
        row["rule_label"],
        row["direction_label"],
        row["period"],
        row["last_period"],
        row["figures_text"],
        row["created_on"].isoformat(),
        row["due_on"].isoformat(),
        "已超期" if row["overdue"] else "",
        row["community_worker"],
        row["grid_worker"],
        row["status_label"],
        row["outcome_label"],
    ]


# ---------------------------------------------------------------- chart

CHART_WIDTH = 640
LABEL_WIDTH = 120
VALUE_GAP = 40
BAR_HEIGHT = 12
BAR_GAP = 2
GROUP_GAP = 12
TOP = 34
MAX_PERIODS = 4


@dataclass
class Bar:
    x: int
    y: int
    width: int
    height: int
    color: str
    value: int
    period: str
    title: str
    text_x: int
    text_y: int


@dataclass
class Group:
    label: str
    label_y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    width: int
    height: int
    periods: list[tuple[str, str, int]]  # period, colour, legend x
    groups: list[Group]
    description: str
    table: list[tuple[str, list[int]]]  # rule label, counts per period
    empty: bool


def rule_chart(counts: Counter[tuple[str, str]]) -> Chart:
    """Warnings per rule (rows) and quarter (one bar per quarter, the latest four)."""
    periods = sorted({p for p, _ in counts})[-MAX_PERIODS:]
    top = max([counts[(p, r)] for p in periods for r in Rule.values] or [0])
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_GAP
    group_height = max(len(periods), 1) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    groups: list[Group] = []
    table: list[tuple[str, list[int]]] = []
    for index, rule in enumerate(Rule):
        y0 = TOP + index * group_height
        group = Group(label=rule.label, label_y=y0 + (group_height - GROUP_GAP) // 2 + 4)
        values = []
        for k, period in enumerate(periods):
            value = counts[(period, rule.value)]
            values.append(value)
            width = round(span * value / top) if top else 0
            y = y0 + k * (BAR_HEIGHT + BAR_GAP)
            group.bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y,
                    width=max(width, 1 if value else 0),
                    height=BAR_HEIGHT,
                    color=PERIOD_COLORS[k % len(PERIOD_COLORS)],
                    value=value,
                    period=period,
                    title=f"{period} {rule.label}：{value} 条",
                    text_x=LABEL_WIDTH + width + 4,
                    text_y=y + BAR_HEIGHT - 2,
                )
            )
        groups.append(group)
        table.append((rule.label, values))
    legend = [
        (period, PERIOD_COLORS[k % len(PERIOD_COLORS)], LABEL_WIDTH + k * 110)
        for k, period in enumerate(periods)
    ]
    total = sum(counts[(p, r)] for p in periods for r in Rule.values)
    description = (
        "；".join(
            f"{period}："
            + "，".join(f"{rule.label} {counts[(period, rule.value)]} 条" for rule in Rule)
            for period in periods
        )
        if periods
        else "暂无预警"
    )
    return Chart(
        width=CHART_WIDTH,
        height=TOP + len(Rule) * group_height,
        periods=legend,
        groups=groups,
        description=description,
        table=table,
        empty=total == 0,
    )


# ---------------------------------------------------------------- runs and imports

RUN_BADGES = {
    RunStatus.QUEUED: "text-bg-secondary",
    RunStatus.RUNNING: "text-bg-primary",
    RunStatus.DONE: "text-bg-success",
    RunStatus.FAILED: "text-bg-danger",
}
EXTRACT_BADGES = {
    ExtractStatus.QUEUED: "text-bg-secondary",
    ExtractStatus.RUNNING: "text-bg-primary",
    ExtractStatus.DONE: "text-bg-success",
    ExtractStatus.UNCHANGED: "text-bg-light border",
    ExtractStatus.FAILED: "text-bg-danger",
}


def run_counts(counts: dict[str, Any]) -> list[tuple[str, int]]:
    return [(rule.label, int(counts.get(rule.value, 0) or 0)) for rule in Rule]


def extract_percent(record: ExtractImport) -> int:
    if record.status in (ExtractStatus.DONE, ExtractStatus.UNCHANGED):
        return 100
    if record.status != ExtractStatus.RUNNING:
        return 0
    if record.expected_rows:
        return min(99, record.rows_read * 100 // record.expected_rows)
    return 0


def extract_row(record: ExtractImport) -> dict[str, Any]:
    return {
        "record": record,
        "kind_label": KIND_LABELS.get(record.kind, record.kind),
        "badge": EXTRACT_BADGES.get(ExtractStatus(record.status), "text-bg-secondary"),
        "percent": extract_percent(record),
    }


def rejects(record: ExtractImport) -> list[dict[str, Any]]:
    report = record.report if isinstance(record.report, dict) else {}
    lines = report.get("rejects") or []
    return [
        {**r, "reason_label": REASON_LABELS.get(str(r.get("reason", "")), r.get("reason", ""))}
        for r in lines
        if isinstance(r, dict)
    ]


def reason_totals(record: ExtractImport) -> list[tuple[str, str, int]]:
    report = record.report if isinstance(record.report, dict) else {}
    reasons = report.get("reasons") or {}
    if not isinstance(reasons, dict):
        return []
    return [
        (str(code), REASON_LABELS.get(str(code), str(code)), int(n))
        for code, n in sorted(reasons.items())
    ]
