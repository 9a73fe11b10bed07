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


#: No inline script or style, nothing from another origin (security.md §G.27).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class NoStoreMiddleware:
    """Pages carry personal data: never cache them (security.md §D.20); and every
    response carries the content security policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
