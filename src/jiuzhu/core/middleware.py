"""Request id, no-store for personal data, and the error handler."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiuzhu.domain.errors import DomainError

_local = threading.local()
logger = logging.getLogger(__name__)


def current_request_id() -> str:
    return getattr(_local, "request_id", "-")


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class RequestIdMiddleware:
    """Gives each request an id, shown on error pages and written to audit rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = secrets.token_hex(8)
        request.request_id = request_id  # type: ignore[attr-defined]
        _local.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _local.request_id = "-"
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            status = getattr(exception, "http_status", 400)
            return render(
                request,
                "core/error.html",
                {"code": exception.code, "message": exception.message, "status": status},
                status=status,
            )
        return None


class NoStoreMiddleware:
    """Pages of signed-in staff carry personal data: never cache them (security.md §D.20)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
