"""The audit log page (security.md §C, §B.11): for the 审计员 only.

Read-only: there is nothing here that changes or deletes a row. Every other
role gets the same 404 as for a page that does not exist (and the attempt is
audited); an anonymous visitor is sent to the login page. Looking at the log
is itself audited (`audit.view`), and so is a hash-chain check (`audit.verify`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiuzhu.audit.access import require_action
from jiuzhu.audit.chain import ChainReport
from jiuzhu.audit.labels import (
    ACTION_LABELS,
    RESULT_BADGES,
    RESULT_LABELS,
    action_label,
    result_label,
)
from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.selectors import verify_chain
from jiuzhu.audit.services import audit_record, scrub_pii
from jiuzhu.core.permissions import Action, Role
from jiuzhu.divisions.models import Division

PAGE_SIZE = 50


def _choices(
    known: dict[str, str], present: QuerySet[AuditEvent], field: str, blank: str
) -> list[tuple[str, str]]:
    """Labelled codes first, then any code found in the log that has no label yet."""
    codes = set(present.order_by().values_list(field, flat=True).distinct())
    extra = sorted(codes - known.keys())
    return [("", blank), *known.items(), *((code, code) for code in extra)]


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False)
    username = forms.CharField(label="用户", required=False, max_length=150)
    result = forms.ChoiceField(label="结果", required=False)
    date_from = forms.DateField(label="开始日期", required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label="结束日期", required=False, widget=DATE_INPUT)
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = AuditEvent.objects.all()
        action, result = self.fields["action"], self.fields["result"]
        assert isinstance(action, forms.ChoiceField)
        assert isinstance(result, forms.ChoiceField)
        action.choices = _choices(ACTION_LABELS, events, "action", "全部操作")
        result.choices = _choices(RESULT_LABELS, events, "result", "全部结果")
        for field in self.fields.values():
            select = isinstance(field, forms.ChoiceField)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
        self.fields["username"].widget.attrs.setdefault("placeholder", "用户名")
        self.fields["object_id"].widget.attrs.setdefault("placeholder", "对象编号")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return cleaned


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the platform's time zone (Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def filter_events(events: QuerySet[AuditEvent], filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Apply the valid filters; dates are whole days in Asia/Shanghai, both ends included."""
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("username"):
        events = events.filter(username__icontains=filters["username"].strip())
    if filters.get("result"):
        events = events.filter(result=filters["result"])
    if filters.get("date_from"):
        events = events.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        events = events.filter(at__lt=_day_start(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("object_id"):
        events = events.filter(object_id=filters["object_id"].strip())
    return events


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    action_label: str
    role_label: str
    division_name: str
    result_label: str
    result_badge: str
    details: str


def _role_label(code: str) -> str:
    if not code:
        return "—"
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def present_rows(events: list[AuditEvent]) -> list[EventRow]:
    codes = {e.division_code for e in events if e.division_code}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        EventRow(
            event=e,
            action_label=action_label(e.action),
            role_label=_role_label(e.role),
            division_name=names.get(e.division_code, e.division_code),
            result_label=result_label(e.result),
            result_badge=RESULT_BADGES.get(e.result, "text-bg-secondary"),
            details=json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else "",
        )
        for e in events
    ]


def chain_status(request: HttpRequest) -> ChainReport:
    """Verify the whole chain and audit that it was done, with the outcome."""
    report = verify_chain()
    audit_record(
        action="audit.verify",
        result="ok" if report.ok else "failed",
        request=request,
        object_type="audit.AuditEvent",
        details={"rows": report.rows, "first_broken_seq": report.first_broken_seq},
    )
    return report


def _audited_filters(filters: dict[str, Any]) -> dict[str, str]:
    """What the auditor filtered by, for the `audit.view` row (never a clear ID or phone)."""
    return {key: scrub_pii(str(value)) for key, value in filters.items() if value not in (None, "")}


@require_GET
@require_action(Action.AUDIT_VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # a field that fails is left out of cleaned_data: the others still apply
        filters = dict(form.cleaned_data)
    wants_chain = request.GET.get("verify") == "1"
    htmx = bool(getattr(request, "htmx", False))

    report = chain_status(request) if wants_chain else None
    if htmx and wants_chain:
        return render(request, "audit/event_list.html#chain-status", {"report": report})

    paginator = Paginator(filter_events(AuditEvent.objects.order_by("-seq"), filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    audit_record(
        action=str(Action.AUDIT_VIEW),
        request=request,
        object_type="audit.AuditEvent",
        details={"filters": _audited_filters(filters), "page": page.number},
    )
    context = {
        "form": form,
        "page": page,
        "rows": present_rows(list(page.object_list)),
        "report": report,
        "page_size": PAGE_SIZE,
    }
    return render(request, "audit/event_list.html", context)
