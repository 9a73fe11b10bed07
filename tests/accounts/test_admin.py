"""The user admin of the system administrator: audited creation, changes and resets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.accounts.models import User
from tests.accounts.support import all_audit_text, audit_rows, is_logged_in, post_login
from tests.factories import Cast

pytestmark = pytest.mark.django_db

INITIAL = "Initial#Passw0rd77"
RESET = "Reset#Passw0rd8899"


@pytest.fixture
def admin_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.admin)
    return client


def test_created_user_must_change_the_initial_password(admin_client: Client, cast: Cast) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new_worker",
            "full_name": "李新",
            "role": "community_worker",
            "division": str(cast.community_worker.division_id),
            "usable_password": "true",
            "password1": INITIAL,
            "password2": INITIAL,
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new_worker")
    assert user.must_change_password
    assert user.role == "community_worker"
    [created] = audit_rows("user.created")
    assert created.username == "sysadmin"
    assert created.details["target"] == "new_worker"
    assert "role" in created.details["fields"]

    client = Client()
    assert post_login(client, "new_worker", INITIAL)["Location"] == reverse(
        "accounts:password_change"
    )
    assert INITIAL not in all_audit_text()


def test_admin_add_form_applies_the_password_rules(admin_client: Client, cast: Cast) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "weak_one",
            "role": "grid_worker",
            "usable_password": "true",
            "password1": "dibao低保#Pass2026",
            "password2": "dibao低保#Pass2026",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="weak_one").exists()


def test_password_reset_by_admin_forces_a_change_and_ends_sessions(
    admin_client: Client, cast: Cast
) -> None:
    victim = Client()
    post_login(victim, "grid_a1_1")
    assert is_logged_in(victim)
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[cast.grid_worker.pk]),
        {"usable_password": "true", "password1": RESET, "password2": RESET, "set-password": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(pk=cast.grid_worker.pk)
    assert user.must_change_password
    assert user.check_password(RESET)
    assert not is_logged_in(victim)
    [reset] = audit_rows("password.reset")
    assert (reset.username, reset.details["target"]) == ("sysadmin", "grid_a1_1")
    assert RESET not in all_audit_text()


def test_role_change_is_audited(admin_client: Client, cast: Cast) -> None:
    user = cast.liaison
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = admin_client.post(
        url,
        {
            "username": user.username,
            "full_name": user.full_name,
            "email": "",
            "role": "auditor",
            "division": str(user.division_id),
            "is_active": "on",
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=user.pk).role == "auditor"
    [changed] = audit_rows("user.changed")
    assert changed.details["fields"] == ["role"]
    assert changed.details["role"] == "auditor"


def test_users_cannot_be_deleted(admin_client: Client, cast: Cast) -> None:
    url = reverse("admin:accounts_user_delete", args=[cast.liaison.pk])
    assert admin_client.get(url).status_code == 403
