"""The household registry (家庭信息库): households, members, incomes, assets, rigid expenses.

History: every change to a household or its members bumps `Household.version`
and appends a `HouseholdRevision` with a snapshot, so a later decision can
cite the version it was based on. Incomes, assets and expenses are dated rows
(month / valid_from–valid_to) that are closed, never overwritten.

Every field carries a privacy tag (`privacy`): none / personal / sensitive
personal, with its purpose (security.md §E.21).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models

from jiuzhu.core.fields import BlindIndexField, SealedField

PrivacyTags = dict[str, tuple[str, str]]


class Program(models.TextChoices):
    """The 12 one-window services (domain.md §2); `none` = registered, not assisted."""

    NONE = "none", "未纳入救助"
    DIBAO = "dibao", "最低生活保障"
    TEKUN = "tekun", "特困人员救助供养"
    TEMP_AID = "temp_aid", "临时救助"
    LOW_INCOME = "low_income_recognition", "低保边缘/刚性支出困难家庭"
    DISABILITY_TWO = "disability_two_subsidies", "残疾人两项补贴"
    CHILD_BASIC_LIVING = "child_basic_living", "孤儿/事实无人抚养儿童基本生活保障"
    ELDERLY = "elderly_subsidies", "高龄津贴/经济困难老年人补贴"
    MEDICAL = "medical_assistance", "医疗救助"
    EDUCATION = "education_assistance", "教育救助"
    HOUSING = "housing_assistance", "住房救助"
    EMPLOYMENT = "employment_assistance", "就业救助"
    DISASTER = "disaster_victim_assistance", "受灾人员救助"


class ReviewClass(models.TextChoices):
    A = "A", "A类（每3个月复核）"
    B = "B", "B类（每6个月复核）"
    C = "C", "C类（每12个月复核）"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class LaborAbility(models.TextChoices):
    FULL = "full", "有劳动能力"
    PARTIAL = "partial", "部分劳动能力"
    NONE = "none", "无劳动能力"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "慢性病"
    SERIOUS = "serious", "重病"


class DisabilityKind(models.TextChoices):
    NONE = "", "无"
    PHYSICAL = "physical", "肢体"
    VISUAL = "visual", "视力"
    HEARING = "hearing", "听力"
    SPEECH = "speech", "言语"
    INTELLECTUAL = "intellectual", "智力"
    MENTAL = "mental", "精神"
    MULTIPLE = "multiple", "多重"


class Employment(models.TextChoices):
    EMPLOYED = "employed", "稳定就业"
    FLEXIBLE = "flexible", "灵活就业"
    UNEMPLOYED = "unemployed", "失业"
    RETIRED = "retired", "退休"
    NONE = "none", "无"


class Household(models.Model):
    household_no = models.CharField("家庭编号", max_length=32, unique=True)
    community = models.ForeignKey(
        "divisions.Division",
        verbose_name="社区/村",
        on_delete=models.PROTECT,
        related_name="households",
    )
    grid = models.ForeignKey(
        "divisions.Division",
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_households",
    )
    division_path = models.CharField("辖区路径", max_length=80, db_index=True, editable=False)
    address = models.CharField("住址", max_length=200)
    program = models.CharField(
        "救助类别", max_length=32, choices=Program.choices, default=Program.NONE
    )
    review_class = models.CharField(
        "复核分类", max_length=1, choices=ReviewClass.choices, blank=True
    )
    enrolled_on = models.DateField("纳入日期", null=True, blank=True)
    last_verified_on = models.DateField("最近核查日期", null=True, blank=True)
    monthly_benefit = models.DecimalField(
        "月救助金额（元）", max_digits=12, decimal_places=2, default=0
    )
    declared_monthly_income = models.DecimalField(
        "申报月收入（元）", max_digits=12, decimal_places=2, default=0
    )
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account = SealedField("银行账号", purpose="bank_account", blank=True, default="")
    bank_account_index = BlindIndexField(source="bank_account", purpose="bank_account")
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("建档时间")
    updated_at = models.DateTimeField("更新时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "household_no": ("none", "家庭编号"),
        "community": ("none", "辖区"),
        "grid": ("none", "网格管理"),
        "division_path": ("none", "辖区范围判断"),
        "address": ("personal", "入户调查、网格走访"),
        "program": ("sensitive", "救助认定（反映经济困难状况）"),
        "review_class": ("personal", "动态管理"),
        "enrolled_on": ("personal", "动态管理"),
        "last_verified_on": ("personal", "动态管理"),
        "monthly_benefit": ("sensitive", "资金发放"),
        "declared_monthly_income": ("sensitive", "救助认定"),
        "bank_name": ("personal", "资金发放"),
        "bank_account": ("sensitive", "资金发放"),
        "bank_account_index": ("none", "密文检索"),
        "version": ("none", "并发控制"),
        "created_at": ("none", "记录管理"),
        "updated_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "家庭"
        verbose_name_plural = "家庭"
        ordering = ["household_no"]

    def __str__(self) -> str:
        return self.household_no

    def save(self, *args: object, **kwargs: object) -> None:
        self.division_path = (self.grid or self.community).path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Member(models.Model):
    household = models.ForeignKey(
        Household, verbose_name="家庭", on_delete=models.PROTECT, related_name="members"
    )
    id_number = SealedField("身份证号", purpose="id_number")
    id_number_index = BlindIndexField(source="id_number", purpose="id_number", unique=True)
    name = models.CharField("姓名", max_length=50, db_index=True)
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=6, choices=[("male", "男"), ("female", "女")])
    labor_ability = models.CharField("劳动能力", max_length=8, choices=LaborAbility.choices)
    disability_grade = models.PositiveSmallIntegerField("残疾等级", default=0)
    disability_kind = models.CharField(
        "残疾类别", max_length=12, choices=DisabilityKind.choices, blank=True
    )
    health = models.CharField(
        "健康状况", max_length=8, choices=Health.choices, default=Health.HEALTHY
    )
    is_student = models.BooleanField("在校生", default=False)
    employment = models.CharField(
        "就业状况", max_length=12, choices=Employment.choices, default=Employment.NONE
    )
    phone = SealedField("联系电话", purpose="phone", blank=True, default="")
    phone_index = BlindIndexField(source="phone", purpose="phone")
    left_on = models.DateField("迁出/减员日期", null=True, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "household": ("none", "家庭成员关系"),
        "id_number": ("sensitive", "身份核验、部门数据比对"),
        "id_number_index": ("none", "密文检索"),
        "name": ("personal", "身份识别"),
        "relation": ("personal", "家庭结构认定"),
        "birth_date": ("personal", "年龄条件认定"),
        "sex": ("personal", "身份识别"),
        "labor_ability": ("personal", "救助认定、复核分类"),
        "disability_grade": ("sensitive", "救助认定（健康信息）"),
        "disability_kind": ("sensitive", "救助认定（健康信息）"),
        "health": ("sensitive", "救助认定（健康信息）"),
        "is_student": ("personal", "家庭结构认定"),
        "employment": ("personal", "复核分类、就业帮扶"),
        "phone": ("sensitive", "联系服务对象"),
        "phone_index": ("none", "密文检索"),
        "left_on": ("personal", "家庭成员变动"),
    }

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name


class IncomeCategory(models.TextChoices):
    WAGE = "wage", "工资性收入"
    BUSINESS = "business", "经营净收入"
    PROPERTY = "property", "财产净收入"
    TRANSFER_IN = "transfer_in", "转移性收入"
    TRANSFER_OUT = "transfer_out", "转移性支出（赡养费、税费、社保缴费）"
    PENSION_BASIC = "pension_basic", "基础养老金（不计入）"
    PENSION_INDIVIDUAL = "pension_individual", "个人账户养老金"
    EXEMPT = "exempt", "不计入收入（优抚金、奖励金、救助金等）"
    OTHER = "other", "其他收入"


class IncomeBasis(models.TextChoices):
    DECLARED = "declared", "申报"
    VERIFIED = "verified", "核实"
    ASSESSED = "assessed", "入户评估"


class Income(models.Model):
    household = models.ForeignKey(
        Household, verbose_name="家庭", on_delete=models.PROTECT, related_name="incomes"
    )
    member = models.ForeignKey(
        Member,
        verbose_name="成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incomes",
    )
    month = models.DateField("所属月份")  # first day of the month
    category = models.CharField("收入类别", max_length=20, choices=IncomeCategory.choices)
    basis = models.CharField(
        "认定依据", max_length=10, choices=IncomeBasis.choices, default=IncomeBasis.DECLARED
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_at = models.DateTimeField("记录时间")
    superseded_at = models.DateTimeField("作废时间", null=True, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "household": ("none", "归属"),
        "member": ("none", "归属"),
        "month": ("sensitive", "收入核定"),
        "category": ("sensitive", "收入核定"),
        "basis": ("none", "收入核定"),
        "amount": ("sensitive", "收入核定"),
        "note": ("sensitive", "收入核定"),
        "recorded_at": ("none", "历史追溯"),
        "superseded_at": ("none", "历史追溯"),
    }

    class Meta:
        verbose_name = "收入"
        verbose_name_plural = "收入"
        ordering = ["-month", "id"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_category_display()}"


class AssetKind(models.TextChoices):
    DEPOSIT = "deposit", "存款及金融资产"
    RESIDENTIAL = "residential_property", "住房"
    NON_RESIDENTIAL = "non_residential_property", "非住宅房产"
    VEHICLE = "vehicle", "机动车"
    BUSINESS = "business", "工商登记"
    OTHER = "other", "其他"


class Asset(models.Model):
    household = models.ForeignKey(
        Household, verbose_name="家庭", on_delete=models.PROTECT, related_name="assets"
    )
    member = models.ForeignKey(
        Member,
        verbose_name="成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    kind = models.CharField("资产类别", max_length=30, choices=AssetKind.choices)
    description = models.CharField("说明", max_length=200, blank=True)
    value = models.DecimalField("价值（元）", max_digits=14, decimal_places=2, default=0)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    recorded_at = models.DateTimeField("记录时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "household": ("none", "归属"),
        "member": ("none", "归属"),
        "kind": ("sensitive", "财产核定"),
        "description": ("sensitive", "财产核定"),
        "value": ("sensitive", "财产核定"),
        "valid_from": ("sensitive", "财产核定"),
        "valid_to": ("sensitive", "财产核定"),
        "recorded_at": ("none", "历史追溯"),
    }

    class Meta:
        verbose_name = "资产"
        verbose_name_plural = "资产"
        ordering = ["-valid_from", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ExpenseKind(models.TextChoices):
    MEDICAL = "medical", "医疗自付"
    EDUCATION = "education", "教育"
    DISABILITY_REHAB = "disability_rehab", "残疾康复"


class RigidExpense(models.Model):
    household = models.ForeignKey(
        Household, verbose_name="家庭", on_delete=models.PROTECT, related_name="expenses"
    )
    member = models.ForeignKey(
        Member,
        verbose_name="成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    kind = models.CharField("支出类别", max_length=20, choices=ExpenseKind.choices)
    incurred_on = models.DateField("发生日期")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_at = models.DateTimeField("记录时间")
    superseded_at = models.DateTimeField("作废时间", null=True, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "household": ("none", "归属"),
        "member": ("none", "归属"),
        "kind": ("sensitive", "刚性支出认定（可能含健康信息）"),
        "incurred_on": ("sensitive", "刚性支出认定"),
        "amount": ("sensitive", "刚性支出认定"),
        "note": ("sensitive", "刚性支出认定"),
        "recorded_at": ("none", "历史追溯"),
        "superseded_at": ("none", "历史追溯"),
    }

    class Meta:
        verbose_name = "刚性支出"
        verbose_name_plural = "刚性支出"
        ordering = ["-incurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.incurred_on} {self.get_kind_display()}"


class HouseholdRevision(models.Model):
    """Append-only: what a household and its members looked like at each version."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField("版本")
    recorded_at = models.DateTimeField("时间")
    actor = models.CharField("操作人", max_length=150, blank=True)
    source = models.CharField("来源", max_length=64)
    summary = models.CharField("变更摘要", max_length=300, blank=True)
    snapshot = models.JSONField("快照")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "household": ("none", "归属"),
        "version": ("none", "历史追溯"),
        "recorded_at": ("none", "历史追溯"),
        "actor": ("personal", "历史追溯"),
        "source": ("none", "历史追溯"),
        "summary": ("personal", "历史追溯"),
        "snapshot": ("sensitive", "历史追溯（敏感字段仅存密文索引）"),
    }

    class Meta:
        verbose_name = "家庭历史版本"
        verbose_name_plural = "家庭历史版本"
        ordering = ["household_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["household", "version"], name="household_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} v{self.version}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "导入中"
    SUCCEEDED = "succeeded", "已完成"
    NOOP = "noop", "重复文件，未做变更"
    FAILED = "failed", "失败"


#: An import that shows no progress for this long is taken as interrupted (a killed
#: worker); the longest silent stretch is the single write transaction (about a
#: minute for 100,000 households).
STALL_AFTER = dt.timedelta(minutes=15)


class ImportBatch(models.Model):
    """One roster import: who, which files (by digest), how far, what was rejected."""

    kind = models.CharField("类型", max_length=20, default="roster")
    digest = models.CharField("文件摘要", max_length=64, db_index=True)
    file_names = models.CharField("文件名", max_length=300)
    status = models.CharField(
        "状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    phase = models.CharField("阶段", max_length=40, blank=True)
    rows_total = models.PositiveIntegerField("已读行数", default=0)
    rows_loaded = models.PositiveIntegerField("导入行数", default=0)
    rows_rejected = models.PositiveIntegerField("拒绝行数", default=0)
    rows_duplicate = models.PositiveIntegerField("重复行数", default=0)
    report = models.JSONField("导入报告", default=dict)
    message = models.CharField("结果说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    jurisdiction_path = models.CharField("导入人辖区", max_length=80, blank=True)
    created_at = models.DateTimeField("提交时间")
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "kind": ("none", "导入管理"),
        "digest": ("none", "幂等判断"),
        "file_names": ("none", "导入管理"),
        "status": ("none", "导入管理"),
        "phase": ("none", "导入进度"),
        "rows_total": ("none", "导入进度"),
        "rows_loaded": ("none", "导入进度"),
        "rows_rejected": ("none", "导入进度"),
        "rows_duplicate": ("none", "导入进度"),
        "report": ("personal", "错误行报告（仅行号与原因）"),
        "message": ("none", "导入结果"),
        "created_by": ("none", "导入管理"),
        "jurisdiction_path": ("none", "辖区范围判断"),
        "created_at": ("none", "导入管理"),
        "heartbeat_at": ("none", "导入进度（判断是否中断）"),
        "finished_at": ("none", "导入管理"),
    }

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"导入批次 #{self.pk}"

    @property
    def in_flight(self) -> bool:
        return self.status in (ImportStatus.PENDING, ImportStatus.RUNNING)

    def stalled(self, now: dt.datetime) -> bool:
        """Queued or running with no sign of life for STALL_AFTER: the worker died."""
        last = self.heartbeat_at or self.created_at
        return self.in_flight and now - last > STALL_AFTER
