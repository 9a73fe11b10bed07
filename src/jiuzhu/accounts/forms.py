"""Login and password-change forms (Chinese labels, Bootstrap widgets, test ids)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from jiuzhu.accounts import services

#: One message for a wrong username, a wrong password and a locked account, so the
#: page never tells whether a username exists (security.md §A.2).
INVALID_LOGIN = (
    "用户名或密码错误，或账户已被临时锁定。"
    "连续输错5次密码将锁定账户30分钟，如需帮助请联系系统管理员。"
)
IP_BLOCKED = "该网络地址的登录失败次数过多，请15分钟后再试。"


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
                "class": "form-control",
                "data-testid": "login-username",
            }
        ),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(
            attrs={
                "autocomplete": "current-password",
                "class": "form-control",
                "data-testid": "login-password",
            }
        ),
    )

    error_messages = {  # noqa: RUF012 - same shape as Django's
        "invalid_login": INVALID_LOGIN,
        "inactive": INVALID_LOGIN,
    }

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, services.REFUSAL_ATTR, "") == "ip_blocked":
            return ValidationError(IP_BLOCKED, code="ip_blocked")
        return ValidationError(INVALID_LOGIN, code="invalid_login")


class ChangePasswordForm(PasswordChangeForm):
    """Django's change form with Chinese labels; the new password must differ from the old."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": "当前密码",
            "new_password1": "新密码",
            "new_password2": "确认新密码",
        }
        for name, label in labels.items():
            field = self.fields[name]
            field.label = label
            field.widget.attrs.update({"class": "form-control", "data-testid": f"pw-{name}"})
        self.fields["new_password1"].help_text = ""
        self.fields["new_password2"].help_text = ""
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "当前密码不正确，请重新输入。",
            "password_mismatch": "两次输入的新密码不一致。",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        old = cleaned.get("old_password")
        new = cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return cleaned
