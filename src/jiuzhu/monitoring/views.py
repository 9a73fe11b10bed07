"""Monitoring screens: the warning list (预警清单) with its chart and export, a task's page
with the outcome form, screening runs started from the list, and the extract upload
page of the department liaison (部门联络员).

Every view: login required; a missing permission and a task outside the user's
jurisdiction are the same audited 404 (`audit.access.denied`). Reads go through
`selectors` (scoped), display through `presenters`, writes through `services`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.audit.access import check_action, denied
from jiuzhu.audit.services import audit_record
from jiuzhu.casework.exports import XLSX, workbook_bytes
from jiuzhu.casework.forms import ExportForm
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.core.permissions import Action, can
from jiuzhu.domain.errors import DomainError
from jiuzhu.monitoring import presenters, selectors, services
from jiuzhu.monitoring.forms import (
    ExtractUploadForm,
    OutcomeForm,
    ScreeningRunForm,
    WarningFilterForm,
)
from jiuzhu.monitoring.models import ExtractImport
from jiuzhu.registry.exports import attachment_header, watermark
from jiuzhu.registry.views import is_htmx

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 20000
TASK = services.TASK
RUN = services.RUN
EXTRACT = services.EXTRACT


# ---------------------------------------------------------------- warning list


@login_required
@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    check_action(request, Action.WARNING_VIEW)
    user = request.user
    form = WarningFilterForm(request.GET, user=user)
    filters = form.filters()
    today = clock.today()
    page = Paginator(selectors.task_list(user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    carried = form.carried()
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": [presenters.task_row(user, t, today) for t in page.object_list],
        "counts": selectors.status_counts(user, filters, today=today),
        "chart": presenters.rule_chart(selectors.chart_counts(user, filters.community)),
        "query": urlencode(carried),
        "carried": carried,
        "can_export": can(user, Action.WARNING_EXPORT),
        "export_form": ExportForm(),
        "can_run": can(user, Action.SCREENING_RUN),
    }
    if context["can_run"]:
        context["run_form"] = ScreeningRunForm(initial={"period": filters.period or None})
        context.update(run_context(selectors.latest_run()))
    audit_record(
        action="warning.list",
        request=request,
        object_type=TASK,
        details={
            "rule": filters.rule,
            "direction": filters.direction,
            "status": filters.status,
            "period": filters.period,
            "community": filters.community.code if filters.community is not None else "",
            "rows": page.paginator.count,
        },
    )
    return render(request, "monitoring/warning_list.html", context)


@login_required
@require_POST
def warning_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook (scoped; a reason is asked for and audited)."""
    check_action(request, Action.WARNING_EXPORT)
    user = request.user
    form = WarningFilterForm(request.POST, user=user)
    filters = form.filters()
    reason_form = ExportForm(request.POST)
    if not reason_form.is_valid():
        for errors in reason_form.errors.values():
            for error in errors:
                messages.error(request, f"未导出：{error}")
        return redirect(f"{reverse('monitoring:warning_list')}?{urlencode(form.carried())}")
    reason = reason_form.cleaned_data["reason"]
    today = clock.today()
    lines: list[list[object]] = []
    truncated = False
    for task in selectors.task_list(user, filters).iterator(chunk_size=500):
        if len(lines) >= EXPORT_MAX_ROWS:
            truncated = True
            break
        lines.append(presenters.export_line(presenters.task_row(user, task, today)))
    trailer = (
        [f"（超过 {EXPORT_MAX_ROWS} 条，仅导出前 {EXPORT_MAX_ROWS} 条，请缩小筛选范围）"]
        if truncated
        else []
    )
    audit_record(
        action="warning.export",
        request=request,
        object_type=TASK,
        details={
            "rows": len(lines),
            "rule": filters.rule,
            "direction": filters.direction,
            "status": filters.status,
            "period": filters.period,
            "community": filters.community.code if filters.community is not None else "",
            "reason": reason,
            "format": "xlsx",
            "truncated": truncated,
        },
    )
    content = workbook_bytes(
        "预警清单", watermark(user, reason), lines, trailer, headers=presenters.EXPORT_HEADERS
    )
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = attachment_header(
        f"预警清单-{stamp}.xlsx", f"warnings-{stamp}.xlsx"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- one task


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check_action(request, Action.WARNING_VIEW)
    user = request.user
    try:
        task = selectors.task_get(user, pk)
    except NotFound:
        raise denied(request, Action.WARNING_VIEW, TASK, pk) from None
    form = OutcomeForm()
    if request.method == "POST":
        check_action(request, Action.WARNING_DECIDE)
        form = OutcomeForm(request.POST)
        if form.is_valid():
            try:
                services.record_outcome(
                    task,
                    user,
                    form.cleaned_data["outcome"],
                    form.cleaned_data["reason"],
                    request=request,
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "核查结果已登记。")
                return redirect("monitoring:task_detail", pk=task.pk)
    else:
        audit_record(
            action=str(Action.WARNING_VIEW), request=request, object_type=TASK, object_id=task.pk
        )
    today = clock.today()
    context = {
        "task": task,
        "row": presenters.task_row(user, task, today),
        "members": [m.name for m in selectors.task_members(task)],
        "occurrences": [
            {
                "period": o.period,
                "figures": presenters.figures(user, o.rule, o.details),
            }
            for o in selectors.task_occurrences(task)
        ],
        "form": form,
        "can_decide": services.may_decide(user, task) and task.status == "open",
    }
    return render(request, "monitoring/task_detail.html", context)


# ---------------------------------------------------------------- screening runs


def run_context(run: Any) -> dict[str, Any]:
    if run is None:
        return {"run": None}
    return {
        "run": run,
        "run_counts": presenters.run_counts(run.counts or {}),
        "run_badge": presenters.RUN_BADGES.get(run.status, "text-bg-secondary"),
        "run_stalled": run.stalled(clock.now()),
    }


@login_required
@require_POST
def screening_start(request: HttpRequest) -> HttpResponse:
    check_action(request, Action.SCREENING_RUN)
    form = ScreeningRunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择筛查季度和计算引擎。")
        return redirect("monitoring:warning_list")
    try:
        run = services.screening_run_start(
            user=request.user,
            period=form.cleaned_data["period"],
            engine=form.cleaned_data["engine"],
        )
    except (ServiceError, DomainError) as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:warning_list")
    if run.in_flight:
        messages.info(request, f"{run.period} 的筛查已提交，完成后将自动生成核查任务。")
    return redirect(f"{reverse('monitoring:warning_list')}?{urlencode({'period': run.period})}")


@login_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run panel alone (htmx polls it while the run is queued or running)."""
    check_action(request, Action.SCREENING_RUN)
    try:
        run = selectors.run_get(request.user, pk)
    except NotFound:
        raise denied(request, Action.SCREENING_RUN, RUN, pk) from None
    return render(request, "monitoring/_run_panel.html", run_context(run))


# ---------------------------------------------------------------- extract uploads


@login_required
@require_http_methods(["GET", "POST"])
def extract_upload(request: HttpRequest) -> HttpResponse:
    check_action(request, Action.EXTRACT_UPLOAD)
    user = request.user
    if request.method == "POST":
        form = ExtractUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.extract_upload_submit(
                    user=user, period=form.cleaned_data["period"], files=form.files_by_kind()
                )
            except (ServiceError, DomainError) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "文件已上传，正在导入，请在下方查看结果。")
                return redirect("monitoring:extract_upload")
    else:
        form = ExtractUploadForm()
    context = {"form": form, **imports_context(user)}
    template = "monitoring/extract_upload.html"
    if is_htmx(request) and request.method == "GET":
        template += "#imports"
    return render(request, template, context)


def imports_context(user: Any) -> dict[str, Any]:
    records = selectors.recent_extract_imports(user)
    return {
        "imports": [presenters.extract_row(r) for r in records],
        "imports_live": any(r.in_flight and not r.stalled(clock.now()) for r in records),
    }


@login_required
@require_GET
def extract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check_action(request, Action.EXTRACT_UPLOAD)
    try:
        record: ExtractImport = selectors.extract_import_get(request.user, pk)
    except NotFound:
        raise denied(request, Action.EXTRACT_UPLOAD, EXTRACT, pk) from None
    report = record.report if isinstance(record.report, dict) else {}
    context = {
        **presenters.extract_row(record),
        "rejects": presenters.rejects(record),
        "rejects_total": report.get("rejects_total", 0),
        "rejects_truncated": bool(report.get("rejects_truncated")),
        "reasons": presenters.reason_totals(record),
        "unknown_columns": report.get("unknown_columns") or [],
        "warnings": report.get("warnings") or [],
        "live": record.in_flight and not record.stalled(clock.now()),
        "stalled": record.stalled(clock.now()),
    }
    template = "monitoring/extract_detail.html"
    if is_htmx(request):
        template += "#report"
    return render(request, template, context)
