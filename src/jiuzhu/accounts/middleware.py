"""Session policy (security.md §A.3) and the forced password change (§A.5).

- Idle timeout: SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST — an idle
  session is gone on the server. A browser still sending its cookie is
  treated as anonymous, and a redirect to the login page says why.
- Absolute limit: JIUZHU_SESSION_ABSOLUTE_SECONDS after login the session is
  deleted (and audited) whatever the activity; the request then goes on as
  anonymous, so pages redirect to the login page and the JSON API answers 401.
- A user who must change their password reaches nothing but the change page
  and logout.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from jiuzhu.accounts import services
from jiuzhu.core import clock

REASON_IDLE = "idle"
REASON_EXPIRED = "expired"


def session_too_old(request: HttpRequest) -> bool:
    """True when the login time is missing (fail closed) or older than the absolute limit."""
    login_at = request.session.get(services.SESSION_LOGIN_AT)
    if not isinstance(login_at, int | float):
        return True
    return clock.now().timestamp() - login_at > settings.JIUZHU_SESSION_ABSOLUTE_SECONDS


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        reason = ""
        if request.user.is_authenticated:
            if session_too_old(request):
                services.session_expire(request=request, reason="absolute_limit")
                request.user = AnonymousUser()
                reason = REASON_EXPIRED
            elif getattr(request.user, "must_change_password", False):
                change = reverse("accounts:password_change")
                if request.path not in {change, reverse("accounts:logout")}:
                    return HttpResponseRedirect(change)
        elif settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.is_empty():
            # The browser holds a session the server no longer has: it timed out.
            reason = REASON_IDLE
        response = self.get_response(request)
        if reason:
            explain_login_redirect(response, reason)
        return response


def explain_login_redirect(response: HttpResponse, reason: str) -> None:
    """Add `reason=` to a redirect to the login page, so the page can say why."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return
    location = response.get("Location", "")
    parts = urlsplit(location)
    if parts.path != reverse("accounts:login") or "reason=" in parts.query:
        return
    response["Location"] = f"{location}{'&' if parts.query else '?'}reason={reason}"
