"""Use-cases of staff accounts: login bookkeeping, lockout, sessions, bootstrap.

security.md §A.2/3/5 and §C.12. Each function writes its own audit row; none
ever passes a password into an audit row or a log line.

Lockout (§A.2): failed attempts are `LoginAttempt` rows. An account is locked
for JIUZHU_LOCKOUT_SECONDS when it reaches JIUZHU_LOCKOUT_FAILURES failures
inside JIUZHU_LOCKOUT_WINDOW_SECONDS. Failures only count after the account's
last successful login and after `locked_until` (which an unlock sets to the
unlock time), so an unlocked account starts from zero. An IP address with
more than JIUZHU_IP_FAILURES failures inside the window is refused until the
window has passed; attempts refused that way are audited but not counted,
so the refusal does not extend itself.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from jiuzhu.accounts.models import LoginAttempt, User, UserSession
from jiuzhu.audit.services import audit_record, client_ip, looks_like_clear_pii
from jiuzhu.core import clock
from jiuzhu.core.keys import blind_index
from jiuzhu.core.permissions import Role
from jiuzhu.divisions.models import Division
from jiuzhu.domain.errors import DomainError

#: Session key holding the login time (POSIX seconds) for the 12-hour limit.
SESSION_LOGIN_AT = "jiuzhu_login_at"
#: Request attribute telling the login form why a login was refused.
REFUSAL_ATTR = "jiuzhu_login_refusal"

USER_OBJECT = "accounts.User"


class LoginRefused(DomainError):
    """A login that did not succeed; `code` is invalid_credentials, locked or ip_blocked."""

    code = "invalid_credentials"
    default_message = "用户名或密码错误，或账户已被临时锁定。"
    http_status = 403


class AccountError(DomainError):
    code = "account_error"
    default_message = "账户操作无法完成"


# --- lockout -----------------------------------------------------------------


def attempt_name(username: str) -> str:
    """How a login name is kept in `LoginAttempt`: as typed, unless it is someone's ID,
    mobile or card number (people do type those) — then as its blind index, so the
    lockout still counts it and no dump shows it (security.md §D.17)."""
    if looks_like_clear_pii(username):
        return "idx:" + blind_index(username.strip().upper(), purpose="login_name")
    return username


def _window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.JIUZHU_LOCKOUT_WINDOW_SECONDS)


def ip_failure_count(*, ip: str, now: dt.datetime) -> int:
    """Failed logins from `ip` inside the window."""
    return LoginAttempt.objects.filter(ip=ip, succeeded=False, at__gt=_window_start(now)).count()


def ip_is_blocked(*, ip: str, now: dt.datetime) -> bool:
    if not ip:
        return False
    return ip_failure_count(ip=ip, now=now) > settings.JIUZHU_IP_FAILURES


def account_failure_count(*, username: str, now: dt.datetime, reset_at: dt.datetime | None) -> int:
    """Failures for `username` in the window, after its last success and after `reset_at`."""
    failures = LoginAttempt.objects.filter(
        username=attempt_name(username), succeeded=False, at__gt=_window_start(now)
    )
    if reset_at is not None:
        failures = failures.filter(at__gte=reset_at)
    last_success = (
        LoginAttempt.objects.filter(username=attempt_name(username), succeeded=True)
        .order_by("-id")
        .first()
    )
    if last_success is not None:
        failures = failures.filter(id__gt=last_success.id)
    return failures.count()


def user_is_locked(user: User, *, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return user.locked_until is not None and user.locked_until > now


def _refuse(request: HttpRequest | None, code: str) -> LoginRefused:
    if request is not None:
        setattr(request, REFUSAL_ATTR, code)
    return LoginRefused(code=code)


def user_authenticate(*, username: str, password: str, request: HttpRequest | None) -> User:
    """Check a login attempt under the lockout rules. Returns the user or raises LoginRefused.

    Successful logins are recorded when the session is created
    (`user_login_succeeded`, from the user_logged_in signal).
    """
    now = clock.now()
    ip = client_ip(request)
    username = username[:150]
    if ip_is_blocked(ip=ip, now=now):
        audit_record(
            action="login.refused_ip",
            result="denied",
            request=request,
            username=username,
            details={"reason": "ip_blocked"},
        )
        raise _refuse(request, "ip_blocked")

    user = User.objects.filter(username=username).first()
    if user is not None and user_is_locked(user, now=now):
        # Run the hasher anyway so a locked account answers as slowly as any other.
        check_password(password, user.password)
        LoginAttempt.objects.create(username=attempt_name(username), ip=ip, at=now, succeeded=False)
        audit_record(
            action="login.refused_locked",
            result="denied",
            request=request,
            username=username,
            object_type=USER_OBJECT,
            object_id=user.pk,
            details={"locked_until": user.locked_until.isoformat() if user.locked_until else ""},
        )
        raise _refuse(request, "locked")

    if user is None:
        make_password(password)  # same cost as a real check: do not reveal unknown usernames
        reason = "unknown_user"
    elif not user.check_password(password):
        reason = "bad_password"
    elif not user.is_active:
        reason = "inactive"
    else:
        return user

    _login_failed(username=username, user=user, ip=ip, now=now, reason=reason, request=request)
    raise _refuse(request, "invalid_credentials")


def _login_failed(
    *,
    username: str,
    user: User | None,
    ip: str,
    now: dt.datetime,
    reason: str,
    request: HttpRequest | None,
) -> None:
    with transaction.atomic():
        if user is not None:
            # Serialise concurrent failures of one account so the lock is set once.
            user = User.objects.select_for_update().get(pk=user.pk)
        LoginAttempt.objects.create(username=attempt_name(username), ip=ip, at=now, succeeded=False)
        audit_record(
            action="login.failed",
            result="failed",
            request=request,
            username=username,
            object_type=USER_OBJECT if user is not None else "",
            object_id=user.pk if user is not None else "",
            details={"reason": reason},
        )
        if ip and ip_failure_count(ip=ip, now=now) == settings.JIUZHU_IP_FAILURES + 1:
            audit_record(
                action="ip.blocked",
                result="ok",
                request=request,
                username=username,
                details={"failures": settings.JIUZHU_IP_FAILURES + 1},
            )
        if user is None or user_is_locked(user, now=now):
            return
        failures = account_failure_count(username=username, now=now, reset_at=user.locked_until)
        if failures >= settings.JIUZHU_LOCKOUT_FAILURES:
            user.locked_until = now + dt.timedelta(seconds=settings.JIUZHU_LOCKOUT_SECONDS)
            user.save(update_fields=["locked_until"])
            audit_record(
                action="account.locked",
                result="ok",
                request=request,
                username=username,
                object_type=USER_OBJECT,
                object_id=user.pk,
                details={"failures": failures, "locked_until": user.locked_until.isoformat()},
            )


def user_unlock(*, user: User, actor: Any = None, request: HttpRequest | None = None) -> bool:
    """Lift a lock. Failures before the unlock no longer count. Returns whether it was locked."""
    now = clock.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        was_locked = user_is_locked(user, now=now)
        user.locked_until = now
        user.save(update_fields=["locked_until"])
        audit_record(
            action="account.unlocked",
            result="ok",
            actor=actor,
            request=request,
            username="" if actor is not None else "system",
            object_type=USER_OBJECT,
            object_id=user.pk,
            details={"target": user.username, "was_locked": was_locked},
        )
    return was_locked


# --- sessions ----------------------------------------------------------------


def user_login_succeeded(*, user: User, request: HttpRequest) -> None:
    """Bookkeeping of a login (user_logged_in): attempt row, audit, session tracking."""
    now = clock.now()
    session = request.session
    session[SESSION_LOGIN_AT] = now.timestamp()
    if session.session_key is None:
        session.save()
    session_key = str(session.session_key)
    with transaction.atomic():
        LoginAttempt.objects.create(
            username=attempt_name(user.username), ip=client_ip(request), at=now, succeeded=True
        )
        live = Session.objects.filter(expire_date__gt=now).values("session_key")
        UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
        UserSession.objects.update_or_create(
            session_key=session_key, defaults={"user": user, "logged_in_at": now}
        )
        audit_record(
            action="login.ok",
            result="ok",
            actor=user,
            request=request,
            object_type=USER_OBJECT,
            object_id=user.pk,
        )


def user_logged_out(*, user: User | None, request: HttpRequest) -> None:
    """Bookkeeping of a logout (user_logged_out); Django then deletes the server session."""
    session_key = request.session.session_key
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
    if user is None:
        return
    audit_record(
        action="logout",
        result="ok",
        actor=user,
        request=request,
        object_type=USER_OBJECT,
        object_id=user.pk,
    )


def session_expire(*, request: HttpRequest, reason: str) -> None:
    """End the current session (the 12-hour limit): audit, forget, delete server-side."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audit_record(
            action="session.expired",
            result="ok",
            actor=user,
            request=request,
            object_type=USER_OBJECT,
            object_id=user.pk,
            details={"reason": reason},
        )
    session_key = request.session.session_key
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
    request.session.flush()


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete the user's server sessions (all but `keep_session_key`). Returns how many."""
    tracked = UserSession.objects.filter(user=user)
    if keep_session_key:
        tracked = tracked.exclude(session_key=keep_session_key)
    keys = list(tracked.values_list("session_key", flat=True))
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    tracked.delete()
    return deleted


def user_disable(*, user: User, actor: Any = None, request: HttpRequest | None = None) -> None:
    """Disable an account and end all its sessions."""
    with transaction.atomic():
        ended = user_sessions_end(user=user)
        user.is_active = False
        user.save(update_fields=["is_active"])  # the post_save signal ends any new session too
        audit_record(
            action="user.disabled",
            result="ok",
            actor=actor,
            request=request,
            username="" if actor is not None else "system",
            object_type=USER_OBJECT,
            object_id=user.pk,
            details={"target": user.username, "sessions_ended": ended},
        )


def user_admin_saved(
    *, user: User, actor: Any, request: HttpRequest, created: bool, fields: list[str]
) -> None:
    """Audit a create/change of an account through the user admin (role changes included)."""
    audit_record(
        action="user.created" if created else "user.changed",
        result="ok",
        actor=actor,
        request=request,
        object_type=USER_OBJECT,
        object_id=user.pk,
        details={"target": user.username, "fields": sorted(fields), "role": user.role},
    )


# --- passwords ---------------------------------------------------------------


def user_password_change(*, user: User, new_password: str, request: HttpRequest) -> None:
    """The user changed their own password: keep this session (rotated), end the others."""
    old_key = request.session.session_key
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = clock.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        update_session_auth_hash(request, user)  # rotates the session key
        new_key = request.session.session_key
        if old_key and new_key:
            UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
        ended = user_sessions_end(user=user, keep_session_key=new_key)
        audit_record(
            action="password.changed",
            result="ok",
            actor=user,
            request=request,
            object_type=USER_OBJECT,
            object_id=user.pk,
            details={"other_sessions_ended": ended},
        )


def user_password_change_failed(*, user: User, request: HttpRequest, reason: str) -> None:
    audit_record(
        action="password.changed",
        result="failed",
        actor=user,
        request=request,
        object_type=USER_OBJECT,
        object_id=user.pk,
        details={"reason": reason},
    )


def user_password_reset_by_admin(*, user: User, actor: Any, request: HttpRequest) -> None:
    """An administrator set a password: the user must change it at next login."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        ended = user_sessions_end(user=user)
        audit_record(
            action="password.reset",
            result="ok",
            actor=actor,
            request=request,
            object_type=USER_OBJECT,
            object_id=user.pk,
            details={"target": user.username, "sessions_ended": ended},
        )


_SYMBOLS = "!#$%&*+-=?@^_~"


def generate_initial_password(length: int = 16) -> str:
    """A random one-time password that satisfies every configured validator class."""
    alphabet = string.ascii_letters + string.digits + _SYMBOLS
    required = [
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.digits),
        secrets.choice(_SYMBOLS),
    ]
    chars = required + [secrets.choice(alphabet) for _ in range(length - len(required))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


DIVISION_ADMIN_PERMISSIONS = ("add_division", "change_division", "view_division", "delete_division")


def admin_bootstrap(*, username: str, division_code: str, full_name: str = "") -> tuple[User, str]:
    """Create a system administrator with a random one-time password (security.md §A.5).

    Returns the user and the clear initial password, which the caller shows
    once; only its hash is stored. The first login forces a change.
    """
    if User.objects.filter(username=username).exists():
        raise AccountError(f"用户“{username}”已存在，未做任何修改。", code="user_exists")
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise AccountError(f"区划代码“{division_code}”不存在。", code="division_unknown")
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            role=Role.ADMIN,
            division=division,
            is_staff=True,
            is_superuser=False,
            must_change_password=True,
        )
        for _ in range(20):
            password = generate_initial_password()
            try:
                validate_password(password, user)
            except ValidationError:
                continue
            break
        else:  # pragma: no cover - 20 random draws all refused
            raise AccountError("无法生成符合规则的初始密码，请重试。", code="password_generation")
        user.set_password(password)
        user.save()
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="divisions", codename__in=DIVISION_ADMIN_PERMISSIONS
            )
        )
        audit_record(
            action="user.created",
            result="ok",
            username="system",
            object_type=USER_OBJECT,
            object_id=user.pk,
            details={"target": username, "role": Role.ADMIN, "via": "create_admin"},
        )
    return user, password
