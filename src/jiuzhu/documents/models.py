"""公示 (public notices) of cases.

A notice is posted when a case enters publicity (`start_publicity`), with a
snapshot of exactly the fields domain.md §7 allows, masked when it is made
(`jiuzhu.documents.notices`); later changes to the household do not change
what was posted. An objection marks it objected (the case goes back to
investigation and a later publicity posts a new notice, the next `round`);
the end of the period without objection closes it.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

PrivacyTags = dict[str, tuple[str, str]]


class NoticeStatus(models.TextChoices):
    POSTED = "posted", "公示中"
    OBJECTED = "objected", "有异议，暂停办理"
    CLOSED = "closed", "公示期满无异议"


class PublicNotice(models.Model):
    case = models.ForeignKey(
        "casework.Case",
        verbose_name="救助申请",
        on_delete=models.PROTECT,
        related_name="public_notices",
    )
    round = models.PositiveSmallIntegerField("公示次数", default=1)
    community = models.ForeignKey(
        "divisions.Division",
        verbose_name="张贴社区/村",
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_path = models.CharField("辖区路径", max_length=80, db_index=True, editable=False)
    programme = models.CharField("救助项目", max_length=32)
    posted_on = models.DateField("张贴日期")
    removal_on = models.DateField("撤除日期（公示期最后一日）")
    fields = models.JSONField("公示内容（仅§7允许的脱敏字段）")
    status = models.CharField(
        "状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.POSTED
    )
    objection = models.TextField("异议内容", blank=True)
    objected_at = models.DateTimeField("提出异议时间", null=True, blank=True)
    closed_at = models.DateTimeField("公示结束时间", null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "case": ("none", "归属"),
        "round": ("none", "异议后重新公示"),
        "community": ("none", "张贴地点"),
        "division_path": ("none", "辖区范围判断"),
        "programme": ("sensitive", "公示（救助项目）"),
        "posted_on": ("none", "公示期"),
        "removal_on": ("none", "公示期"),
        "fields": ("personal", "公示（仅脱敏姓名、人数、项目、金额等§7允许的字段）"),
        "status": ("none", "流程"),
        "objection": ("sensitive", "异议复查（可能涉及收入、财产）"),
        "objected_at": ("none", "异议复查"),
        "closed_at": ("none", "流程"),
        "posted_by": ("personal", "发布留痕"),
        "created_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-posted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="public_notice_round_once")
        ]

    def __str__(self) -> str:
        return self.notice_no

    @property
    def notice_no(self) -> str:
        """The reference printed on the notice (case number and round; no personal data)."""
        return f"{self.case.case_no}-{self.round}"
