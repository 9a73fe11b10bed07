"""Printing case documents and the 公示 board; the list of notices per community.

Every view: sign-in required (anonymous → login page); a role without documents,
a case or community outside the jurisdiction, an unknown document — all 404.
Responses carry personal data: `Cache-Control: no-store`.
"""

from __future__ import annotations

from itertools import groupby
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiuzhu.core.errors import NotFound
from jiuzhu.documents import notices, services
from jiuzhu.documents.models import NoticeStatus

STATUS_FILTERS = {"posted": NoticeStatus.POSTED, "objected": NoticeStatus.OBJECTED,
                  "closed": NoticeStatus.CLOSED, "all": None}  # fmt: skip


def _file_response(printed: services.Printed) -> HttpResponse:
    rendered = printed.rendered
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    # PDFs open in the browser for printing; Word files are downloaded for editing.
    disposition = "inline" if rendered.extension == "pdf" else "attachment"
    ascii_name = f"document.{rendered.extension}"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(printed.filename)}"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def render_document(request: HttpRequest, case_pk: int, kind: str, fmt: str) -> HttpResponse:
    printed = services.case_document(request.user, case_pk, kind, fmt, request=request)
    return _file_response(printed)


@login_required
@require_GET
def community_board_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_response(services.community_board(request.user, pk, "pdf", request=request))


@login_required
@require_GET
def community_board_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_response(services.community_board(request.user, pk, "docx", request=request))


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices of the jurisdiction by community, with the print links."""
    if not services.may_print(request.user):
        raise NotFound()
    status_key = request.GET.get("status", "posted")
    if status_key not in STATUS_FILTERS:
        status_key = "posted"
    communities = services.visible_communities(request.user)
    selected = None
    community_value = request.GET.get("community", "")
    if community_value.isdigit():
        selected = communities.filter(pk=int(community_value)).first()
    found = services.visible_notices(request.user)
    wanted = STATUS_FILTERS[status_key]
    if wanted is not None:
        found = found.filter(status=wanted)
    if selected is not None:
        found = found.filter(community=selected)
    groups = [
        {
            "community": community,
            "notices": [{"notice": n, "fields": notices.shown_fields(n.fields)} for n in items],
        }
        for community, items in groupby(found, key=lambda n: n.community)
    ]
    response = render(
        request,
        "documents/notice_list.html",
        {
            "groups": groups,
            "communities": communities,
            "selected": selected,
            "status_key": status_key,
            "statuses": [
                ("posted", "公示中"),
                ("objected", "有异议"),
                ("closed", "已结束"),
                ("all", "全部"),
            ],
            "columns": notices.NOTICE_FIELDS,
        },
    )
    response["Cache-Control"] = "no-store"
    return response
