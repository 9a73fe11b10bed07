"""Small helpers shared by the login-security tests."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core import clock
from tests.factories import PASSWORD

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
WRONG = "Wrong#Guess2026x"
OFFICE_IP = "10.20.30.40"

#: The one message for a wrong username, a wrong password or a locked account.
GENERIC_ERROR = "用户名或密码错误，或账户已被临时锁定"
IP_ERROR = "该网络地址的登录失败次数过多"


def post_login(
    client: Client, username: str, password: str = PASSWORD, *, ip: str = OFFICE_IP
) -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def session_key(client: Client) -> str:
    """The session key the browser holds ("" when none)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie is not None else ""


def is_logged_in(client: Client) -> bool:
    """True when the browser's session cookie names a live server session with a user."""
    key = session_key(client)
    if not key:
        return False
    row = Session.objects.filter(session_key=key, expire_date__gt=clock.now()).first()
    return row is not None and "_auth_user_id" in row.get_decoded()


def audit_rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def all_audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
