"""The county's own parameter values, added through maker-checker (政策参数调整).

The reviewed YAML files in `jiuzhu/domain/policy/data` are the baseline; a
county adds a dated value here (a new 低保标准 from 1 July) without a
release. A change counts only once a second person approved it; approved
rows are never edited — a correction is a new change.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jiuzhu.domain.policy.catalog import CATALOG
from jiuzhu.domain.policy.parameters import ParameterValue, make_value

PrivacyTags = dict[str, tuple[str, str]]


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已审核生效"
    REJECTED = "rejected", "已退回"


class ParameterChange(models.Model):
    name = models.CharField("参数", max_length=64, db_index=True)
    region = models.CharField("适用区划（代码前缀）", max_length=12, blank=True)
    effective_from = models.DateField("生效日期")
    value = models.JSONField("取值")
    source = models.CharField("依据（文件名称、文号）", max_length=300)
    reason = models.CharField("调整说明", max_length=500, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField("提出时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=500, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        field: ("none", "政策参数管理")
        for field in (
            "id",
            "name",
            "region",
            "effective_from",
            "value",
            "source",
            "reason",
            "status",
            "proposed_at",
            "decided_at",
            "decision_note",
        )
    } | {
        "proposed_by": ("personal", "审批留痕"),
        "decided_by": ("personal", "审批留痕"),
    }

    class Meta:
        verbose_name = "政策参数调整"
        verbose_name_plural = "政策参数调整"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # Maker-checker in the database too: who proposed never approves.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="parameter_change_maker_is_not_checker",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False),
                name="parameter_change_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.region or '全国'}@{self.effective_from}"

    @property
    def label(self) -> str:
        spec = CATALOG.get(self.name)
        return spec.label if spec else self.name

    def as_value(self) -> ParameterValue:
        """The engine's form of this row; its version names the row (`db:<id>`)."""
        return make_value(
            name=self.name,
            region=self.region,
            effective_from=self.effective_from,
            value=self.value,
            source=self.source,
            version=f"db:{self.pk}",
        )
