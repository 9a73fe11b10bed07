"""Dynamic monitoring (动态监测): verification tasks raised from the warning list, the
screening runs that raise them, and the department extracts uploaded through the page.

A warning of the screening engine (data-exchange.md §3) becomes a verification
task (核查任务) for the street office. A task is raised once per household,
rule and quarter (`WarningOccurrence` keeps one row per quarter in which the
rule fired, with that quarter's figures); while a task is open, a later
quarter firing the same rule updates it instead of raising a second one.

No clear ID number is stored anywhere here: the members involved are foreign
keys to `registry.Member`, resolved from the blind indexes of the warning.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

PrivacyTags = dict[str, tuple[str, str]]


class Rule(models.TextChoices):
    """The six screening rules (`jiuzhu.screening.RULES`), with the labels staff read."""

    INCOME_SWING = "INCOME_SWING", "收入大幅变动"
    MEDICAL_BURDEN = "MEDICAL_BURDEN", "医疗支出负担重"
    NEW_PROPERTY = "NEW_PROPERTY", "新增不动产"
    NEW_VEHICLE = "NEW_VEHICLE", "新增车辆"
    NEW_BUSINESS = "NEW_BUSINESS", "新增工商登记"
    MEMBER_DECEASED = "MEMBER_DECEASED", "成员死亡"


class Direction(models.TextChoices):
    REVIEW = "review", "可能不再符合条件"
    OUTREACH = "outreach", "可能需要更多救助"


class TaskStatus(models.TextChoices):
    OPEN = "open", "待核查"
    DONE = "done", "已核查"


class Outcome(models.TextChoices):
    NO_CHANGE = "no_change", "无变化"
    ADJUST = "adjust", "调整救助"
    REFER = "refer", "转介"
    SUSPECTED_FRAUD = "suspected_fraud", "疑似骗保"


class VerificationTask(models.Model):
    """One verification task (核查任务) for one household and one rule."""

    household = models.ForeignKey(
        "registry.Household",
        verbose_name="家庭",
        on_delete=models.PROTECT,
        related_name="verification_tasks",
    )
    rule = models.CharField("预警规则", max_length=20, choices=Rule.choices)
    direction = models.CharField("预警方向", max_length=10, choices=Direction.choices)
    period = models.CharField("首次预警季度", max_length=6)
    last_period = models.CharField("最近预警季度", max_length=6)
    members = models.ManyToManyField(
        "registry.Member", verbose_name="涉及成员", related_name="verification_tasks", blank=True
    )
    details = models.JSONField("预警数据", default=dict)
    community = models.ForeignKey(
        "divisions.Division",
        verbose_name="社区/村",
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid = models.ForeignKey(
        "divisions.Division",
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_path = models.CharField("辖区路径", max_length=80, db_index=True)
    community_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="社区工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="网格员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    created_on = models.DateField("生成日期")
    due_on = models.DateField("核查期限")
    outcome = models.CharField("核查结果", max_length=20, choices=Outcome.choices, blank=True)
    reason = models.TextField("核查说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("登记时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间")
    updated_at = models.DateTimeField("更新时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "household": ("none", "核查对象"),
        "rule": ("sensitive", "动态监测（反映经济状况变化）"),
        "direction": ("personal", "动态监测"),
        "period": ("none", "动态监测"),
        "last_period": ("none", "动态监测"),
        "details": ("sensitive", "动态监测（收入、医疗支出、资产比对数据）"),
        "community": ("none", "辖区"),
        "grid": ("none", "网格管理"),
        "division_path": ("none", "辖区范围判断"),
        "community_worker": ("none", "任务分派"),
        "grid_worker": ("none", "任务分派"),
        "status": ("none", "任务管理"),
        "created_on": ("none", "任务管理"),
        "due_on": ("none", "办理时限"),
        "outcome": ("sensitive", "核查结论"),
        "reason": ("sensitive", "核查结论"),
        "decided_by": ("none", "责任追溯"),
        "decided_at": ("none", "责任追溯"),
        "created_at": ("none", "记录管理"),
        "updated_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "核查任务"
        verbose_name_plural = "核查任务"
        ordering = ["status", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "period"], name="monitoring_task_once_per_period"
            ),
            models.UniqueConstraint(
                fields=["household", "rule"],
                condition=Q(status="open"),
                name="monitoring_one_open_task_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_rule_display()} {self.period}"

    def overdue(self, today: dt.date) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on < today


class WarningOccurrence(models.Model):
    """A quarter in which a rule fired for a household, with that quarter's figures.

    (household, rule, period) is unique: re-running a quarter finds its rows and
    changes nothing, whatever became of the task meanwhile."""

    task = models.ForeignKey(
        VerificationTask,
        verbose_name="核查任务",
        on_delete=models.CASCADE,
        related_name="occurrences",
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="家庭", on_delete=models.PROTECT, related_name="+"
    )
    rule = models.CharField("预警规则", max_length=20, choices=Rule.choices)
    period = models.CharField("预警季度", max_length=6)
    details = models.JSONField("预警数据", default=dict)
    recorded_at = models.DateTimeField("记录时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "task": ("none", "归属"),
        "household": ("none", "核查对象"),
        "rule": ("sensitive", "动态监测（反映经济状况变化）"),
        "period": ("none", "动态监测"),
        "details": ("sensitive", "动态监测（收入、医疗支出、资产比对数据）"),
        "recorded_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "预警记录"
        verbose_name_plural = "预警记录"
        ordering = ["task_id", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "period"], name="monitoring_warning_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.rule} {self.period}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "筛查中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


LIVE_RUN = (RunStatus.QUEUED, RunStatus.RUNNING)

#: A run or an import with no sign of life for this long is taken as interrupted
#: (the worker died); screening a county's quarter takes a few minutes.
STALL_AFTER = dt.timedelta(minutes=30)


class ScreeningRun(models.Model):
    """One screening of a quarter started from the page (or the command line)."""

    period = models.CharField("筛查季度", max_length=6)
    engine = models.CharField("计算引擎", max_length=20, default="duckdb")
    status = models.CharField(
        "状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("提交时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    counts = models.JSONField("各规则预警数", default=dict, blank=True)
    tasks_created = models.PositiveIntegerField("新生成任务", default=0)
    tasks_updated = models.PositiveIntegerField("更新任务", default=0)
    tasks_unchanged = models.PositiveIntegerField("未变化任务", default=0)
    error = models.CharField("错误说明", max_length=500, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "period": ("none", "筛查管理"),
        "engine": ("none", "筛查管理"),
        "status": ("none", "筛查管理"),
        "requested_by": ("none", "责任追溯"),
        "created_at": ("none", "筛查管理"),
        "started_at": ("none", "筛查管理"),
        "heartbeat_at": ("none", "筛查进度（判断是否中断）"),
        "finished_at": ("none", "筛查管理"),
        "counts": ("none", "筛查结果统计"),
        "tasks_created": ("none", "筛查结果统计"),
        "tasks_updated": ("none", "筛查结果统计"),
        "tasks_unchanged": ("none", "筛查结果统计"),
        "error": ("none", "筛查结果"),
    }

    class Meta:
        verbose_name = "筛查批次"
        verbose_name_plural = "筛查批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A double click (or a second tab) cannot queue the same quarter twice.
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "running"]),
                name="monitoring_one_live_run_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"筛查 {self.period} #{self.pk}"

    @property
    def in_flight(self) -> bool:
        return self.status in LIVE_RUN

    @property
    def total(self) -> int:
        return sum(int(v) for v in self.counts.values()) if isinstance(self.counts, dict) else 0

    def stalled(self, now: dt.datetime) -> bool:
        last = self.heartbeat_at or self.started_at or self.created_at
        return self.in_flight and now - last > STALL_AFTER


class ExtractStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    UNCHANGED = "unchanged", "与已导入文件相同，未做变更"
    FAILED = "failed", "失败"


LIVE_EXTRACT = (ExtractStatus.QUEUED, ExtractStatus.RUNNING)


class ExtractImport(models.Model):
    """One department file uploaded for one quarter, and what its import reported.

    The uploaded file (it holds clear ID numbers) lives in a private staging
    folder only until the import ends, success or failure; what stays is this
    row: counts, and rejects by line and reason (never a cell value)."""

    period = models.CharField("所属季度", max_length=6)
    kind = models.CharField("数据类别", max_length=30)
    file_name = models.CharField("文件名", max_length=120)
    digest = models.CharField("文件摘要", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=ExtractStatus.choices, default=ExtractStatus.QUEUED
    )
    rows_read = models.PositiveIntegerField("读取行数", default=0)
    rows_loaded = models.PositiveIntegerField("导入行数", default=0)
    rows_rejected = models.PositiveIntegerField("拒绝行数", default=0)
    rows_duplicate = models.PositiveIntegerField("重复行数", default=0)
    expected_rows = models.PositiveIntegerField("预计行数", null=True, blank=True)
    unchanged = models.BooleanField("重复文件", default=False)
    report = models.JSONField("导入报告", default=dict, blank=True)
    message = models.CharField("结果说明", max_length=500, blank=True)
    staging = models.CharField("暂存目录", max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jurisdiction_path = models.CharField("上传人辖区", max_length=80, blank=True)
    created_at = models.DateTimeField("上传时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "period": ("none", "导入管理"),
        "kind": ("none", "导入管理"),
        "file_name": ("none", "导入管理"),
        "digest": ("none", "重复文件判断"),
        "size": ("none", "导入管理"),
        "status": ("none", "导入管理"),
        "rows_read": ("none", "导入进度"),
        "rows_loaded": ("none", "导入进度"),
        "rows_rejected": ("none", "导入进度"),
        "rows_duplicate": ("none", "导入进度"),
        "expected_rows": ("none", "导入进度"),
        "unchanged": ("none", "重复文件判断"),
        "report": ("personal", "错误行报告（仅行号与原因）"),
        "message": ("none", "导入结果"),
        "staging": ("none", "暂存文件管理"),
        "uploaded_by": ("none", "责任追溯"),
        "jurisdiction_path": ("none", "辖区范围判断"),
        "created_at": ("none", "导入管理"),
        "started_at": ("none", "导入管理"),
        "heartbeat_at": ("none", "导入进度（判断是否中断）"),
        "finished_at": ("none", "导入管理"),
    }

    class Meta:
        verbose_name = "比对数据导入"
        verbose_name_plural = "比对数据导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.kind} #{self.pk}"

    @property
    def in_flight(self) -> bool:
        return self.status in LIVE_EXTRACT

    @property
    def finished(self) -> bool:
        return not self.in_flight

    def stalled(self, now: dt.datetime) -> bool:
        last = self.heartbeat_at or self.started_at or self.created_at
        return self.in_flight and now - last > STALL_AFTER
