"""CSV export of a user's household search (security.md §E.23, §F.26, §D.20).

* only the user's jurisdiction (the same scoped search as the screen);
* values exactly as the role sees them on screen: ID numbers masked, names and
  addresses as the visibility table says, hidden fields are not columns;
* a reason is required, and the export is audited (`household.export`, row count, reason);
* the first line is a watermark naming the user and the time;
* any cell starting with = + - @ (or a tab / carriage return) is prefixed with an
  apostrophe, so a spreadsheet never evaluates it;
* `Cache-Control: no-store` and a Chinese-safe attachment file name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.permissions import Action, SensitiveField, Visibility, visibility
from jiuzhu.registry import presenters, selectors
from jiuzhu.registry.forms import ExportForm
from jiuzhu.registry.models import Household

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_MAX_ROWS = 20000

#: Column key → header. A column whose key a role may not see is left out entirely.
COLUMNS: list[tuple[str, str]] = [
    ("household_no", "家庭编号"),
    ("community", "社区/村"),
    ("grid", "网格"),
    ("head_name", "户主姓名"),
    ("head_id_number", "户主身份证号"),
    ("address", "住址"),
    ("member_count", "在册人数"),
    ("program", "救助类别"),
    ("monthly_benefit", "月救助金额（元）"),
    ("review_class", "复核分类"),
]


def neutralise(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def export_columns(user: Any) -> list[tuple[str, str]]:
    hidden: set[str] = set()
    for key, field in (
        ("head_name", SensitiveField.NAME),
        ("head_id_number", SensitiveField.ID_NUMBER),
        ("address", SensitiveField.ADDRESS),
    ):
        if visibility(user, field) is Visibility.HIDDEN:
            hidden.add(key)
    return [(key, header) for key, header in COLUMNS if key not in hidden]


def export_row(user: Any, household: Household) -> dict[str, object]:
    row: dict[str, object] = dict(presenters.household_row(user, household))
    head = presenters.head_of(household)
    head_id = presenters.shown(user, SensitiveField.ID_NUMBER, head.id_number if head else "")
    if head_id is not None:
        row["head_id_number"] = head_id
    address = presenters.shown(user, SensitiveField.ADDRESS, household.address)
    if address is not None:
        row["address"] = address
    row["monthly_benefit"] = presenters.money(household.monthly_benefit)
    row["review_class"] = household.review_class
    return row


def watermark(user: Any, reason: str) -> str:
    at = timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M:%S")
    who = getattr(user, "username", "")
    full_name = getattr(user, "full_name", "")
    label = f"{who}（{full_name}）" if full_name and full_name != who else who
    notice = "内部工作资料，仅限辖区内救助工作使用，禁止外传"
    return f"导出人：{label}；导出时间：{at}；用途：{reason}；{notice}"


def write_csv(out: io.StringIO, lines: Iterable[list[object]]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    for line in lines:
        writer.writerow([neutralise(cell) for cell in line])


def attachment_header(filename: str, fallback: str) -> str:
    """RFC 6266: an ASCII fallback plus the UTF-8 name for browsers that read it."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def export_response(request: HttpRequest, form: ExportForm) -> HttpResponse:
    """Build the CSV in memory, audit it with the row count, then send it."""
    user = request.user
    reason = form.cleaned_data["reason"]
    query, households = selectors.household_search(
        user, form.cleaned_data.get("q"), form.cleaned_data.get("community")
    )
    columns = export_columns(user)
    lines: list[list[object]] = [[watermark(user, reason)], [header for _, header in columns]]
    count = 0
    for household in households.iterator(chunk_size=500):
        if count >= EXPORT_MAX_ROWS:
            break
        row = export_row(user, household)
        lines.append([row.get(key, "") for key, _ in columns])
        count += 1
    truncated = count >= EXPORT_MAX_ROWS and households.count() > EXPORT_MAX_ROWS
    if truncated:
        lines.append(
            [f"（结果超过 {EXPORT_MAX_ROWS} 户，仅导出前 {EXPORT_MAX_ROWS} 户，请缩小查询范围）"]
        )
    community = form.cleaned_data.get("community")
    audit_record(
        action=str(Action.HOUSEHOLD_EXPORT),
        request=request,
        object_type="registry.Household",
        details={
            "rows": count,
            "kind": query.kind,
            "community": community.code if community is not None else "",
            "reason": reason,
            "format": "csv",
            "truncated": truncated,
        },
    )
    out = io.StringIO()
    write_csv(out, lines)
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = attachment_header(
        f"家庭名单-{stamp}.csv", f"households-{stamp}.csv"
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
