"""Login, logout and account changes → bookkeeping in `services` (audit, session tracking)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from jiuzhu.accounts import services
from jiuzhu.accounts.models import User


@receiver(user_logged_in, dispatch_uid="jiuzhu.accounts.login")
def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None:
        services.user_login_succeeded(user=user, request=request)


@receiver(user_logged_out, dispatch_uid="jiuzhu.accounts.logout")
def on_user_logged_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if request is not None:
        services.user_logged_out(user=user, request=request)


@receiver(post_save, sender=User, dispatch_uid="jiuzhu.accounts.disabled_ends_sessions")
def on_user_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """Whatever disabled the account (admin, service, shell), its sessions end now."""
    if not created and not instance.is_active:
        services.user_sessions_end(user=instance)
