"""The authentication backend: Django's model backend behind the lockout rules (§A.2)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from jiuzhu.accounts import services
from jiuzhu.accounts.models import User


class LockoutAwareBackend(ModelBackend):
    """Every password check — the login page and the admin login alike — goes through
    `services.user_authenticate`, which applies the account lock and the per-IP limit
    and writes the audit rows."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        try:
            return services.user_authenticate(
                username=str(username), password=password, request=request
            )
        except services.LoginRefused:
            return None

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # ModelBackend has its own async path; ours must not bypass the lockout rules.
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)
