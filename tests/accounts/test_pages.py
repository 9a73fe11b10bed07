"""The login page and the role-based home page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from jiuzhu.core.permissions import Role
from tests.accounts.support import post_login
from tests.factories import Cast

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_with_test_ids(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("用户名", "密码", ">登录</button>"):
        assert text in html
    for test_id in ("login-username", "login-password", "login-submit"):
        assert f'data-testid="{test_id}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # No inline script: every <script> tag loads a file.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag
    assert response["Cache-Control"] == "no-store"


def test_wrong_login_shows_the_generic_chinese_message(client: Client, cast: Cast) -> None:
    response = post_login(client, "officer_a", "Nope#Nope2026x")
    html = response.content.decode()
    assert "用户名或密码错误，或账户已被临时锁定" in html
    assert 'data-testid="login-error"' in html
    assert "Nope#Nope2026x" not in html  # the password is not echoed back


def test_anonymous_home_goes_to_login(client: Client) -> None:
    assert client.get("/")["Location"] == reverse("accounts:login")


def _target(role: str) -> str | None:
    name = {
        Role.AUDITOR: "audit:event_list",
        Role.ADMIN: "admin:index",
    }.get(Role(role), "registry:household_search")
    try:
        return reverse(name)
    except NoReverseMatch:  # that app's pages are not there yet
        return None


def test_home_sends_each_role_to_its_page(cast: Cast) -> None:
    checked = 0
    for user in (cast.officer, cast.grid_worker, cast.approver, cast.auditor, cast.admin):
        target = _target(user.role)
        if target is None:
            continue
        client = Client()
        client.force_login(user)
        assert client.get("/")["Location"] == target, user.username
        checked += 1
    assert checked >= 1


def test_login_follows_a_safe_next_and_ignores_a_foreign_one(client: Client, cast: Cast) -> None:
    target = reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:login") + f"?next={target}",
        {"username": "officer_a", "password": "Qingshi#River2026", "next": target},
    )
    assert response["Location"] == target
    other = Client()
    response = other.post(
        reverse("accounts:login"),
        {"username": "officer_a", "password": "Qingshi#River2026", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
