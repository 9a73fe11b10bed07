"""入户调查 (home visit) of a case: the four steps, the visitors, what was found.

A visit is filled in as a draft (one section at a time, on a phone) and then
completed once: at least two visitors, all four steps (看住房、查财产、问收支、
访邻里) written, every visitor and the family having signed. Completion writes
the income findings into the registry as `verified` / `assessed` rows, next to
— never over — the declared ones (domain.md §3, §5).

Attachments (photos, signed forms) live in a private folder under the data
directory, named by the platform, and are only ever sent through the gated
download view.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models

from jiuzhu.registry.models import IncomeCategory

PrivacyTags = dict[str, tuple[str, str]]

#: The four steps of the home visit (domain.md §5), in the order they are done.
STEPS: tuple[str, ...] = ("housing", "assets", "income", "neighbours")
STEP_LABELS: dict[str, str] = {
    "housing": "看住房",
    "assets": "查财产",
    "income": "问收支",
    "neighbours": "访邻里",
}
#: Where each step's written findings are kept.
STEP_FIELDS: dict[str, str] = {
    "housing": "housing_notes",
    "assets": "assets_notes",
    "income": "income_notes",
    "neighbours": "neighbours_notes",
}


def attachment_storage() -> Storage:
    """A private folder under the data directory; there is no URL that serves it."""
    return FileSystemStorage(location=settings.DATA_DIR / "visit_attachments", base_url=None)


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "填写中"
    COMPLETED = "completed", "已完成"


class HomeVisit(models.Model):
    case = models.ForeignKey(
        "casework.Case",
        verbose_name="救助申请",
        on_delete=models.PROTECT,
        related_name="home_visits",
    )
    visited_on = models.DateField("调查日期")
    housing_notes = models.TextField("看住房", blank=True)
    assets_notes = models.TextField("查财产", blank=True)
    income_notes = models.TextField("问收支", blank=True)
    neighbours_notes = models.TextField("访邻里", blank=True)
    family_signatory = models.CharField("家庭签字人", max_length=50, blank=True)
    family_signed = models.BooleanField("家庭成员已签字确认", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=VisitStatus.choices, default=VisitStatus.DRAFT
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "case": ("none", "归属"),
        "visited_on": ("personal", "入户调查"),
        "housing_notes": ("sensitive", "入户调查（住房情况）"),
        "assets_notes": ("sensitive", "入户调查（财产情况）"),
        "income_notes": ("sensitive", "入户调查（收支情况，可能含健康信息）"),
        "neighbours_notes": ("sensitive", "入户调查（邻里走访）"),
        "family_signatory": ("personal", "签字确认"),
        "family_signed": ("none", "签字确认"),
        "status": ("none", "流程"),
        "version": ("none", "并发控制"),
        "created_by": ("personal", "调查留痕"),
        "created_at": ("none", "记录管理"),
        "updated_at": ("none", "记录管理"),
        "completed_by": ("personal", "调查留痕"),
        "completed_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "入户调查"
        verbose_name_plural = "入户调查"
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="draft"),
                name="visits_one_draft_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"入户调查 #{self.pk}"

    def notes(self, step: str) -> str:
        return str(getattr(self, STEP_FIELDS[step]))

    @property
    def is_draft(self) -> bool:
        return self.status == VisitStatus.DRAFT


class HomeVisitor(models.Model):
    """One person who made the visit: a staff account, or a name (e.g. a village cadre)."""

    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="visitors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=50)
    signed = models.BooleanField("已签字", default=False)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "visit": ("none", "归属"),
        "user": ("personal", "调查人员"),
        "name": ("personal", "调查人员署名"),
        "signed": ("none", "签字确认"),
    }

    class Meta:
        verbose_name = "调查人员"
        verbose_name_plural = "调查人员"
        ordering = ["visit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "user"],
                condition=models.Q(user__isnull=False),
                name="visits_visitor_once",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FindingBasis(models.TextChoices):
    """A home visit verifies a figure or, for undocumented work, assesses one
    (the values are the registry's `IncomeBasis`)."""

    VERIFIED = "verified", "核实（有凭据）"
    ASSESSED = "assessed", "入户评估（无凭据，须说明理由）"


class HomeVisitIncome(models.Model):
    """A monthly income figure found on the visit (e.g. flexible work, assessed)."""

    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="incomes")
    member = models.ForeignKey(
        "registry.Member", verbose_name="成员", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField("收入类别", max_length=20, choices=IncomeCategory.choices)
    monthly_amount = models.DecimalField("月收入（元）", max_digits=12, decimal_places=2)
    basis = models.CharField("认定依据", max_length=10, choices=FindingBasis.choices)
    reason = models.CharField("评估理由/说明", max_length=200, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "visit": ("none", "归属"),
        "member": ("none", "归属"),
        "category": ("sensitive", "收入核定"),
        "monthly_amount": ("sensitive", "收入核定"),
        "basis": ("none", "收入核定"),
        "reason": ("sensitive", "收入核定"),
    }

    class Meta:
        verbose_name = "入户调查收入"
        verbose_name_plural = "入户调查收入"
        ordering = ["visit_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=0), name="visits_income_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(basis="assessed") | ~models.Q(reason=""),
                name="visits_assessed_income_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.monthly_amount}"


class VisitExpenseKind(models.TextChoices):
    LONG_ILLNESS = "long_illness_medical", "长期患病医疗费用"
    STUDENT = "student", "在校学生就学费用"


class HomeVisitExpense(models.Model):
    """Rigid expenses seen on the visit: long-illness medical costs, students' costs."""

    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="expenses")
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("支出类别", max_length=24, choices=VisitExpenseKind.choices)
    amount = models.DecimalField("近12个月金额（元）", max_digits=12, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "visit": ("none", "归属"),
        "member": ("none", "归属"),
        "kind": ("sensitive", "刚性支出认定（可能含健康信息）"),
        "amount": ("sensitive", "刚性支出认定"),
        "note": ("sensitive", "刚性支出认定（可能含健康信息）"),
    }

    class Meta:
        verbose_name = "入户调查支出"
        verbose_name_plural = "入户调查支出"
        ordering = ["visit_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="visits_expense_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "文件"


class HomeVisitAttachment(models.Model):
    """A photo or a scanned document of the visit; the file name is the platform's own."""

    visit = models.ForeignKey(HomeVisit, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类型", max_length=10, choices=AttachmentKind.choices)
    file = models.FileField("文件", storage=attachment_storage, max_length=200)
    content_type = models.CharField("文件格式", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("摘要", max_length=64)
    original_name = models.CharField("原文件名", max_length=100, blank=True)
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "visit": ("none", "归属"),
        "kind": ("none", "入户调查佐证"),
        "file": ("sensitive", "入户调查佐证（住房照片、签字材料）"),
        "content_type": ("none", "文件管理"),
        "size": ("none", "文件管理"),
        "sha256": ("none", "完整性校验"),
        "original_name": ("personal", "文件管理"),
        "caption": ("personal", "入户调查佐证"),
        "uploaded_by": ("personal", "上传留痕"),
        "uploaded_at": ("none", "上传留痕"),
    }

    class Meta:
        verbose_name = "入户调查附件"
        verbose_name_plural = "入户调查附件"
        ordering = ["visit_id", "id"]

    def __str__(self) -> str:
        return f"附件 #{self.pk}"
