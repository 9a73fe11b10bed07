"""Cases (救助申请) and their history.

A case follows its programme's workflow (`jiuzhu.domain.casework`); every
transition appends a `CaseEvent` (who, when, from where, what, why) and the
case's `version` guards against two people acting on a stale page. The
policy engine's result is stored with the inputs and parameter versions it
used, so the decision can be recomputed later.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from jiuzhu.registry.models import Program

PrivacyTags = dict[str, tuple[str, str]]


class Channel(models.TextChoices):
    WINDOW = "window", "窗口受理"
    ONLINE = "online", "网上申请"
    PROXY = "proxy", "帮办代办"
    GRID = "grid", "网格发现"
    REFERRAL = "referral", "部门转介"
    SCREENING = "screening", "预警转申请"


class Case(models.Model):
    case_no = models.CharField("申请编号", max_length=24, unique=True)
    programme = models.CharField("救助项目", max_length=32, choices=Program.choices)
    household = models.ForeignKey(
        "registry.Household", verbose_name="家庭", on_delete=models.PROTECT, related_name="cases"
    )
    division_path = models.CharField("辖区路径", max_length=80, db_index=True, editable=False)
    channel = models.CharField("申请渠道", max_length=12, choices=Channel.choices)
    proxy_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="帮办代办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commitment_signed = models.BooleanField("已签署告知承诺书", default=False)
    data_check_authorised = models.BooleanField("已授权核对经济状况", default=False)
    missing_materials = models.JSONField("一次性告知的补正材料", default=list, blank=True)
    staff_relative = models.BooleanField("经办人员近亲属", default=False)
    staff_relative_note = models.CharField("近亲属说明", max_length=200, blank=True)
    request = models.JSONField("临时救助申请（金额、事由、类型）", null=True, blank=True)
    state = models.CharField("当前环节", max_length=32)
    state_entered_on = models.DateField("进入当前环节日期")
    due_on = models.DateField("本环节办结期限", null=True, blank=True)
    on_file = models.JSONField("已具备的前提", default=list, blank=True)
    preparer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人（提出意见）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessment_inputs = models.JSONField("测算输入", null=True, blank=True)
    assessment_versions = models.JSONField("测算所用参数版本", null=True, blank=True)
    assessment_result = models.JSONField("测算结果", null=True, blank=True)
    assessed_at = models.DateTimeField("测算时间", null=True, blank=True)
    spot_check = models.BooleanField("县级入户抽查", default=False)
    spot_check_reason = models.CharField("抽查原因", max_length=100, blank=True)
    decided_amount = models.DecimalField(
        "决定金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_reason = models.TextField("决定理由", blank=True)
    derived_from = models.ForeignKey(
        "self",
        verbose_name="分类认定来源申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_cases",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="受理人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("受理时间")
    updated_at = models.DateTimeField("更新时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "case_no": ("none", "申请编号"),
        "programme": ("sensitive", "救助认定"),
        "household": ("none", "归属"),
        "division_path": ("none", "辖区范围判断"),
        "channel": ("none", "业务统计"),
        "proxy_worker": ("personal", "帮办代办留痕"),
        "commitment_signed": ("none", "告知承诺"),
        "data_check_authorised": ("none", "核对授权"),
        "missing_materials": ("personal", "一次性告知"),
        "staff_relative": ("personal", "近亲属备案"),
        "staff_relative_note": ("personal", "近亲属备案"),
        "request": ("sensitive", "临时救助"),
        "state": ("none", "流程"),
        "state_entered_on": ("none", "时限"),
        "due_on": ("none", "时限"),
        "on_file": ("none", "流程"),
        "preparer": ("personal", "经办与审批分离"),
        "assessment_inputs": ("sensitive", "救助认定（含收入、财产、健康）"),
        "assessment_versions": ("none", "政策参数版本"),
        "assessment_result": ("sensitive", "救助认定"),
        "assessed_at": ("none", "救助认定"),
        "spot_check": ("none", "县级抽查"),
        "spot_check_reason": ("personal", "县级抽查"),
        "decided_amount": ("sensitive", "资金发放"),
        "decision_reason": ("sensitive", "救助认定"),
        "derived_from": ("none", "一次申请、分类认定"),
        "version": ("none", "并发控制"),
        "created_by": ("personal", "受理留痕"),
        "created_at": ("none", "记录管理"),
        "updated_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "救助申请"
        verbose_name_plural = "救助申请"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.case_no


class CaseEvent(models.Model):
    """Append-only history of a case (办理记录)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField("角色", max_length=24)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    action = models.CharField("操作", max_length=40)
    from_state = models.CharField("原环节", max_length=32, blank=True)
    to_state = models.CharField("新环节", max_length=32)
    reason = models.TextField("理由", blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "case": ("none", "归属"),
        "at": ("none", "办理留痕"),
        "actor": ("personal", "办理留痕"),
        "actor_role": ("none", "办理留痕"),
        "ip": ("personal", "安全审计"),
        "action": ("none", "办理留痕"),
        "from_state": ("none", "办理留痕"),
        "to_state": ("none", "办理留痕"),
        "reason": ("sensitive", "办理留痕"),
        "details": ("none", "办理留痕"),
    }

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
