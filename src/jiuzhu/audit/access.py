"""The permission gate every view uses: a missing permission looks exactly like a
missing page (404, never 403) and the refusal is audited (security.md §B.6, §C.12)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from jiuzhu.audit.services import audit_record
from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import Action, can

View = Callable[..., HttpResponse]


def check_action(request: HttpRequest, action: Action) -> None:
    """Raise NotFound (audited as denied) unless the signed-in user may do `action`."""
    if not can(request.user, action):
        audit_record(
            action=str(action),
            result="denied",
            request=request,
            details={"reason": "no_permission", "path": request.path},
        )
        raise NotFound()


def require_action(action: Action) -> Callable[[View], View]:
    """View decorator: anonymous → login page; without `action` → the gate above."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_action(request, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def denied(
    request: HttpRequest,
    action: str,
    object_type: str,
    object_id: object,
    *,
    reason: str = "not_found_or_out_of_scope",
    **details: Any,
) -> NotFound:
    """Audit a refusal that must look exactly like a missing record; returns the NotFound
    to raise. Only a numeric id is logged (a typed search text never reaches the log)."""
    shown = str(object_id) if str(object_id).isdigit() else ""
    audit_record(
        action=str(action),
        result="denied",
        request=request,
        object_type=object_type,
        object_id=shown,
        details={"reason": reason, **details},
    )
    return NotFound()
