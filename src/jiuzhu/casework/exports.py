"""Excel export of the worklist as filtered on screen (security.md §E.23, §F.26).

* only the user's jurisdiction (the same scoped selector as the screen);
* the head of household's name is masked whatever the role (王小明 → 王*明); no
  ID number, phone, address or bank account is a column;
* a reason is required; the export is audited (`case.export`: rows, filters, reason);
* the first line is a watermark naming the user and the time;
* a cell starting with = + - @ is neutralised, so a spreadsheet never runs it.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from jiuzhu.audit.services import audit_record
from jiuzhu.casework import presenters, selectors
from jiuzhu.core import clock
from jiuzhu.core.workdays import working_calendar
from jiuzhu.domain.casework.workflow import workflow_for
from jiuzhu.registry.exports import attachment_header, neutralise, watermark

EXPORT_MAX_ROWS = 20000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAB_TITLES = {
    selectors.TAB_TODO: "我的待办",
    selectors.TAB_DUE_SOON: "即将到期",
    selectors.TAB_OVERDUE: "已超期",
    selectors.TAB_ALL: "全部",
}


def export_rows(
    request: HttpRequest, filters: selectors.WorklistFilter
) -> tuple[list[list[object]], int, bool]:
    """The lines of the filtered list (masked), how many, and whether the cap cut it."""
    user = request.user
    today = clock.today()
    calendar = working_calendar()
    cases = selectors.worklist(user, filters, today=today, calendar=calendar)
    lines: list[list[object]] = []
    for case in cases.iterator(chunk_size=500):
        if len(lines) >= EXPORT_MAX_ROWS:
            return lines, len(lines), True
        row = presenters.worklist_row(
            user, case, workflow_for(case.programme), today=today, calendar=calendar
        )
        lines.append(presenters.export_row(row, presenters.head_of(case.household)))
    return lines, len(lines), False


def workbook_bytes(
    title: str,
    mark: str,
    lines: list[list[object]],
    trailer: list[str],
    *,
    headers: list[str] | None = None,
) -> bytes:
    """Watermark line, header, the rows, then any closing notes (one sheet).

    `headers` default to the casework worklist's; other lists pass their own."""
    import openpyxl  # only when a workbook is written

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([neutralise(mark)])
    sheet.append(presenters.EXPORT_HEADERS if headers is None else headers)
    for line in lines:
        sheet.append([neutralise(cell) for cell in line])
    for note in trailer:
        sheet.append([neutralise(note)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(
    request: HttpRequest, filters: selectors.WorklistFilter, reason: str
) -> HttpResponse:
    """Build the workbook in memory, audit it with the row count, then send it."""
    tab = filters.tab if filters.tab in TAB_TITLES else selectors.TAB_ALL
    filters = selectors.WorklistFilter(
        tab=tab,
        programme=filters.programme,
        state=filters.state,
        community=filters.community,
        sort=filters.sort,
        soon_days=filters.soon_days,
    )
    lines, count, truncated = export_rows(request, filters)
    trailer: list[str] = []
    if truncated:
        trailer.append(
            f"（超过 {EXPORT_MAX_ROWS} 件，仅导出前 {EXPORT_MAX_ROWS} 件，请缩小筛选范围）"
        )
    details: dict[str, Any] = {
        "rows": count,
        "tab": tab,
        "programme": filters.programme,
        "state": filters.state,
        "community": filters.community.code if filters.community is not None else "",
        "sort": filters.sort,
        "reason": reason,
        "format": "xlsx",
        "truncated": truncated,
    }
    audit_record(
        action="case.export", request=request, object_type="casework.Case", details=details
    )
    content = workbook_bytes(
        f"救助申请-{TAB_TITLES[tab]}", watermark(request.user, reason), lines, trailer
    )
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = attachment_header(
        f"救助申请-{TAB_TITLES[tab]}-{stamp}.xlsx", f"cases-{stamp}.xlsx"
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
