"""The working-day calendar as data (docs/decisions/0007).

* `WorkingDayOverride` — the county's own table: a day the office is closed
  (a typhoon) or an extra working day. Wins over everything.
* `StatutoryYear` + `StatutoryDay` — a year's State Council notice typed in
  by the system administrator when it is published. A year counts only once
  its `StatutoryYear` row is confirmed; for that year it decides instead of
  the `chinesecalendar` package (so it can also correct the package).

`jiuzhu.core.workdays.working_calendar()` turns these rows into a
`jiuzhu.domain.calendar.WorkingCalendar`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from jiuzhu.core import clock

PrivacyTags = dict[str, tuple[str, str]]

#: Years the tables accept: wide enough for any notice, narrow enough to catch a typo.
FIRST_YEAR = 2000
LAST_YEAR = 2099

_WEEKDAY_NAMES = "一二三四五六日"


def weekday_label(day: dt.date) -> str:
    return f"星期{_WEEKDAY_NAMES[day.weekday()]}"


class OverrideKind(models.TextChoices):
    CLOSED = "closed", "停止办公"
    OPEN = "open", "调整为工作日"


class WorkingDayOverride(models.Model):
    """A day the county decides itself: closed (e.g. 台风红色预警) or an extra working day."""

    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=OverrideKind.choices)
    reason = models.CharField(
        "原因",
        max_length=200,
        help_text="例如“台风红色预警停止办公”。请勿填写个人信息。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", default=clock.now, editable=False)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "day": ("none", "工作日计算"),
        "kind": ("none", "工作日计算"),
        "reason": ("none", "停止办公或调整为工作日的原因（不含个人信息）"),
        "created_by": ("personal", "记录录入人（工作人员）"),
        "created_at": ("none", "录入时间"),
    }

    class Meta:
        verbose_name = "本地工作日调整"
        verbose_name_plural = "本地工作日调整"
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OverrideKind.values),
                name="core_override_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="core_override_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.get_kind_display()}"


class StatutoryKind(models.TextChoices):
    DAY_OFF = "day_off", "法定节假日"
    MAKE_UP = "make_up", "调休上班"


class StatutoryYear(models.Model):
    """A year's notice. Its days count only when `confirmed` (a half-entered year never does)."""

    year = models.PositiveSmallIntegerField(
        "年度",
        unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    source = models.CharField(
        "依据",
        max_length=200,
        help_text="国务院办公厅通知的文号或标题，例如“国办发明电〔2026〕X号”",
    )
    confirmed = models.BooleanField(
        "已核对确认",
        default=False,
        help_text="全部放假日和调休上班日录入并核对无误后再勾选；未确认的年度不用于工作日计算。",
    )

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "year": ("none", "工作日计算"),
        "source": ("none", "数据来源"),
        "confirmed": ("none", "工作日计算"),
    }

    class Meta:
        verbose_name = "法定节假日年度"
        verbose_name_plural = "法定节假日年度"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=""),
                name="core_statutory_year_source_required",
            ),
        ]

    def __str__(self) -> str:
        state = "已确认" if self.confirmed else "未确认"
        return f"{self.year}年（{state}）"

    def clean(self) -> None:
        """A year is confirmed only when its days make a valid schedule."""
        super().clean()
        if self.confirmed and self.year is not None:
            from jiuzhu.core.workdays import schedule_problem

            problem = schedule_problem(self.year, self.source)
            if problem:
                raise ValidationError({"confirmed": f"不能确认：{problem}"})


class StatutoryDay(models.Model):
    """One day of a notice: a holiday day off, or a 调休 weekend day worked."""

    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=StatutoryKind.choices)
    year = models.PositiveSmallIntegerField("年度", db_index=True, editable=False)
    source = models.CharField("依据", max_length=200, help_text="国务院办公厅通知的文号或标题")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "day": ("none", "工作日计算"),
        "kind": ("none", "工作日计算"),
        "year": ("none", "按年度确认"),
        "source": ("none", "数据来源"),
    }

    class Meta:
        verbose_name = "法定节假日安排"
        verbose_name_plural = "法定节假日安排"
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=StatutoryKind.values),
                name="core_statutory_day_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.year = self.day.year
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "day" in update_fields:
            kwargs["update_fields"] = {*update_fields, "year"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.day is None:
            return
        if not FIRST_YEAR <= self.day.year <= LAST_YEAR:
            raise ValidationError({"day": f"日期须在{FIRST_YEAR}—{LAST_YEAR}年之间"})
        if self.kind == StatutoryKind.MAKE_UP and self.day.weekday() < 5:
            raise ValidationError(
                {
                    "kind": f"调休上班日必须是周六或周日，{self.day.isoformat()}是{weekday_label(self.day)}"
                }
            )
        if StatutoryYear.objects.filter(year=self.day.year, confirmed=True).exists():
            raise ValidationError(
                {"day": f"{self.day.year}年的节假日安排已确认，如需修改请先取消该年度的确认"}
            )
