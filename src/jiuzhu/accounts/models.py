"""Staff accounts: a role, a division (the jurisdiction), and login security state."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models

from jiuzhu.core.permissions import Role


class User(AbstractUser):
    """A staff member. `division` is the jurisdiction: they see it and what lies below."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name="所属区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    privacy: ClassVar[dict[str, tuple[str, str]]] = {
        "id": ("none", "主键"),
        "password": ("sensitive", "登录认证（仅存哈希）"),
        "last_login": ("personal", "登录安全"),
        "is_superuser": ("none", "权限"),
        "username": ("personal", "登录认证"),
        "first_name": ("personal", "未使用"),
        "last_name": ("personal", "未使用"),
        "email": ("personal", "联系工作人员"),
        "is_staff": ("none", "权限"),
        "is_active": ("none", "权限"),
        "date_joined": ("none", "账户管理"),
        "role": ("none", "权限"),
        "division": ("none", "辖区范围"),
        "full_name": ("personal", "工作人员署名"),
        "must_change_password": ("none", "登录安全"),
        "password_changed_at": ("none", "登录安全"),
        "locked_until": ("none", "登录安全"),
    }

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "未分配角色"


class LoginAttempt(models.Model):
    """Every login attempt, for the account and per-IP limits (security.md §A.2)."""

    username = models.CharField("用户名", max_length=150, db_index=True)
    ip = models.CharField("IP地址", max_length=45, db_index=True)
    at = models.DateTimeField("时间", db_index=True)
    succeeded = models.BooleanField("成功")

    privacy: ClassVar[dict[str, tuple[str, str]]] = {
        "id": ("none", "主键"),
        "username": ("personal", "登录安全"),
        "ip": ("personal", "登录安全"),
        "at": ("none", "登录安全"),
        "succeeded": ("none", "登录安全"),
    }

    class Meta:
        verbose_name = "登录尝试"
        verbose_name_plural = "登录尝试"

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'成功' if self.succeeded else '失败'}"


class UserSession(models.Model):
    """Which server sessions belong to a user, so disabling them ends every session."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    logged_in_at = models.DateTimeField()

    privacy: ClassVar[dict[str, tuple[str, str]]] = {
        "id": ("none", "主键"),
        "user": ("none", "会话管理"),
        "session_key": ("none", "会话管理"),
        "logged_in_at": ("none", "会话管理"),
    }

    def __str__(self) -> str:
        return f"{self.user_id}@{self.logged_in_at:%Y-%m-%d %H:%M}"
