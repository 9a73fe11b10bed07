"""A small read-only JSON API over the registry (session authentication for now).

GET /households/api/households/?q=&community=&page=
    {"count": n, "page": p, "pages": k, "page_size": 20, "results": [household_row…]}
GET /households/api/households/<id>/
    {"household": facts, "members": [member…]}

Same rules as the screens: anonymous → 401 JSON; no permission, or outside
the jurisdiction → 404 JSON (never 403: no existence leak); only allow-listed
fields, masked per role — a field hidden for the role is absent, a field that
may be revealed on screen is masked here as well (the API has no reveal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods

from jiuzhu.audit.access import check_action
from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import Action
from jiuzhu.registry import presenters, selectors
from jiuzhu.registry.forms import SearchForm
from jiuzhu.registry.selectors import QueryKind
from jiuzhu.registry.views import HOUSEHOLD, PAGE_SIZE, denied, paginate, run_search

View = Callable[..., HttpResponse]


def error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def not_found() -> JsonResponse:
    return error(404, NotFound.code, NotFound.default_message)


def api_login_required(view: View) -> View:
    """401 JSON instead of a redirect to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            response = error(401, "not_authenticated", "请先登录")
            response["WWW-Authenticate"] = 'Session realm="jiuzhu"'
            return response
        return view(request, *args, **kwargs)

    return wrapper


def plain(value: Any) -> Any:
    """Display dict → JSON-safe values (masked values become their masked text)."""
    if isinstance(value, presenters.Shown):
        return value.text
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


@api_login_required
@require_http_methods(["GET", "POST"])
def household_list(request: HttpRequest) -> HttpResponse:
    """Search. An ID number never travels in a URL (security.md §D.20): send it in a
    POST body (form-encoded, with the CSRF token, like the search page)."""
    try:
        check_action(request, Action.HOUSEHOLD_SEARCH)
    except NotFound:
        return not_found()
    data = request.POST if request.method == "POST" else request.GET
    if (
        request.method == "GET"
        and selectors.classify_query(data.get("q")).kind == QueryKind.ID_NUMBER
    ):
        return error(400, "id_number_in_url", "身份证号不能放在网址中，请用 POST 方式提交查询")
    form = SearchForm(data, user=request.user)
    if not form.is_valid():
        return error(
            400,
            "invalid_query",
            "查询条件不正确：" + "；".join(str(e) for errs in form.errors.values() for e in errs),
        )
    _, households = run_search(request, form, channel="api")
    page = paginate(request, households)
    body = {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": PAGE_SIZE,
        "results": [plain(presenters.household_row(request.user, h)) for h in page.object_list],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@api_login_required
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        check_action(request, Action.HOUSEHOLD_VIEW)
    except NotFound:
        return not_found()
    try:
        household = selectors.household_get(request.user, pk)
    except NotFound:
        denied(request, Action.HOUSEHOLD_VIEW, HOUSEHOLD, pk)
        return not_found()
    audit_record(
        action=str(Action.HOUSEHOLD_VIEW),
        request=request,
        object_type=HOUSEHOLD,
        object_id=pk,
        details={"channel": "api"},
    )
    today = clock.today()
    body = {
        "household": plain(presenters.household_facts(request.user, household)),
        "members": [
            plain(presenters.member_row(request.user, m, today))
            for m in selectors.household_members(household)
        ],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
