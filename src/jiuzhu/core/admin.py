"""The working-day calendar tables in the Django admin, for the system administrator.

Access follows the permission matrix (`reference.manage`, role `admin`), not
Django model permissions, like the user admin. Every save and delete sends
`jiuzhu.core.signals.reference_data_changed` inside the transaction of the
change; the audit app writes the audit row (core may not import audit).

A year's notice is entered as `StatutoryDay` rows while its `StatutoryYear`
is unconfirmed (and so unused); confirming checks the rows make a valid
schedule. The days of a confirmed year are read-only: to correct one, take
the confirmation back first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from jiuzhu.core.models import (
    StatutoryDay,
    StatutoryKind,
    StatutoryYear,
    WorkingDayOverride,
    weekday_label,
)
from jiuzhu.core.permissions import Action, can
from jiuzhu.core.signals import reference_data_changed

_M = TypeVar("_M", bound=models.Model)


class MatrixAccessMixin:
    """Admin access decided by the permission matrix (`core.permissions`), not by
    Django model permissions: only the role allowed `manage_action` sees the pages."""

    manage_action: Action = Action.REFERENCE_MANAGE
    allow_delete = True

    def _may_manage(self, request: HttpRequest) -> bool:
        return can(request.user, self.manage_action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_delete and self._may_manage(request)


class ReferenceAdmin(MatrixAccessMixin, admin.ModelAdmin[_M]):
    """Reference data: admin-role access and an audit signal for every change."""

    # --- audit ---------------------------------------------------------------

    def audit_details(self, obj: _M) -> dict[str, Any]:
        """What the audit row says about `obj` (no free text, no personal data)."""
        return {}

    def _announce(
        self,
        request: HttpRequest,
        obj: _M,
        *,
        op: str,
        object_id: Any,
        details: dict[str, Any],
    ) -> None:
        reference_data_changed.send(
            sender=type(obj),
            instance=obj,
            op=op,
            object_id=object_id,
            details=details,
            actor=request.user,
            request=request,
        )

    def save_model(self, request: HttpRequest, obj: _M, form: ModelForm[_M], change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            details = {
                **self.audit_details(obj),
                "created": not change,
                "fields": sorted(form.changed_data),
            }
            self._announce(request, obj, op="saved", object_id=obj.pk, details=details)

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        object_id, details = obj.pk, self.audit_details(obj)
        with transaction.atomic():
            super().delete_model(request, obj)
            self._announce(request, obj, op="deleted", object_id=object_id, details=details)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        with transaction.atomic():
            doomed = [(obj, obj.pk, self.audit_details(obj)) for obj in queryset]
            super().delete_queryset(request, queryset)
            for obj, object_id, details in doomed:
                self._announce(request, obj, op="deleted", object_id=object_id, details=details)


def _weekday(day: dt.date | None) -> str:
    return weekday_label(day) if day is not None else "-"


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(ReferenceAdmin[WorkingDayOverride]):
    list_display = ("day", "weekday", "kind", "reason", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("reason",)
    date_hierarchy = "day"
    fields = ("day", "kind", "reason", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    @admin.display(description="星期", ordering="day")
    def weekday(self, obj: WorkingDayOverride) -> str:
        return _weekday(obj.day)

    def audit_details(self, obj: WorkingDayOverride) -> dict[str, Any]:
        return {"day": obj.day.isoformat(), "kind": obj.kind}

    def save_model(
        self,
        request: HttpRequest,
        obj: WorkingDayOverride,
        form: ModelForm[WorkingDayOverride],
        change: bool,
    ) -> None:
        if not change and request.user.is_authenticated:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StatutoryYear)
class StatutoryYearAdmin(ReferenceAdmin[StatutoryYear]):
    list_display = ("year", "source", "confirmed", "days_off", "make_up_days")
    list_filter = ("confirmed",)
    search_fields = ("source",)
    fields = ("year", "source", "entered_days", "confirmed")
    readonly_fields = ("entered_days",)

    def _days(self, obj: StatutoryYear, kind: str) -> list[dt.date]:
        if obj.year is None:
            return []
        return list(
            StatutoryDay.objects.filter(year=obj.year, kind=kind)
            .order_by("day")
            .values_list("day", flat=True)
        )

    @admin.display(description="放假日数")
    def days_off(self, obj: StatutoryYear) -> int:
        return len(self._days(obj, StatutoryKind.DAY_OFF))

    @admin.display(description="调休上班日数")
    def make_up_days(self, obj: StatutoryYear) -> int:
        return len(self._days(obj, StatutoryKind.MAKE_UP))

    @admin.display(description="已录入的日期（确认前请与通知逐日核对）")
    def entered_days(self, obj: StatutoryYear) -> str:
        def listing(days: list[dt.date]) -> str:
            return "、".join(f"{d:%m-%d}（{_weekday(d)[-1]}）" for d in days) or "无"

        off = self._days(obj, StatutoryKind.DAY_OFF)
        make_up = self._days(obj, StatutoryKind.MAKE_UP)
        return f"放假：{listing(off)}；调休上班：{listing(make_up)}"

    def audit_details(self, obj: StatutoryYear) -> dict[str, Any]:
        return {"year": obj.year, "confirmed": obj.confirmed}


@admin.register(StatutoryDay)
class StatutoryDayAdmin(ReferenceAdmin[StatutoryDay]):
    list_display = ("day", "weekday", "kind", "year", "source")
    list_filter = ("year", "kind")
    search_fields = ("source",)
    date_hierarchy = "day"
    fields = ("day", "kind", "source")

    @admin.display(description="星期", ordering="day")
    def weekday(self, obj: StatutoryDay) -> str:
        return _weekday(obj.day)

    def _year_confirmed(self, obj: StatutoryDay | None) -> bool:
        return (
            obj is not None
            and obj.pk is not None
            and StatutoryYear.objects.filter(year=obj.year, confirmed=True).exists()
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not self._year_confirmed(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not self._year_confirmed(obj)

    def audit_details(self, obj: StatutoryDay) -> dict[str, Any]:
        return {"day": obj.day.isoformat(), "kind": obj.kind, "year": obj.day.year}
