"""security.md §A.5: no default account; `create_admin` with a one-time password and
a forced change at first login; the forced change blocks every other page."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from jiuzhu.accounts.models import User
from jiuzhu.divisions.models import Division, Level
from tests.accounts.support import all_audit_text, audit_rows, is_logged_in, post_login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern#Harbour42"


@pytest.fixture
def county_division() -> Division:
    return Division.objects.create(code="510199000000", name="示范县", level=Level.COUNTY)


def create_admin(username: str = "root_admin", division: str = "510199000000") -> str:
    out = StringIO()
    call_command("create_admin", username, "--division", division, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    match = re.search(r"初始密码（只显示这一次）：(\S+)", output)
    assert match, output
    return match.group(1)


def test_a_fresh_install_has_no_account() -> None:
    assert User.objects.count() == 0


def test_create_admin_makes_a_system_admin_with_a_one_time_password(
    county_division: Division,
) -> None:
    output = create_admin()
    password = printed_password(output)
    assert output.count(password) == 1  # printed once

    admin = User.objects.get(username="root_admin")
    assert admin.role == "admin"
    assert admin.division == county_division
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.must_change_password
    assert admin.check_password(password)
    assert password not in admin.password  # only the hash is stored
    assert len(password) >= 12
    assert admin.has_perm("divisions.change_division")
    assert admin.has_perm("divisions.add_division")

    [created] = audit_rows("user.created")
    assert created.object_id == str(admin.pk)
    assert created.details["via"] == "create_admin"
    assert password not in all_audit_text()


def test_two_runs_give_different_passwords(county_division: Division) -> None:
    first = printed_password(create_admin("admin_one"))
    second = printed_password(create_admin("admin_two"))
    assert first != second


def test_create_admin_refuses_an_existing_user(county_division: Division) -> None:
    create_admin()
    before = User.objects.get(username="root_admin").password
    with pytest.raises(CommandError, match="已存在"):
        create_admin()
    assert User.objects.filter(username="root_admin").count() == 1
    assert User.objects.get(username="root_admin").password == before


def test_create_admin_refuses_an_unknown_division(db: None) -> None:
    with pytest.raises(CommandError, match="区划代码“999999999999”不存在"):
        create_admin(division="999999999999")
    assert User.objects.count() == 0


def test_first_login_forces_the_password_change(client: Client, county_division: Division) -> None:
    password = printed_password(create_admin())
    response = post_login(client, "root_admin", password)
    assert is_logged_in(client)
    assert response["Location"] == reverse("accounts:password_change")

    # Every other page sends the user back to the change page.
    for url in ("/", reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("accounts:password_change"), url

    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert 'data-testid="pw-forced"' in page.content.decode()

    # The one-time password cannot be kept.
    same = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": password, "new_password2": password},
    )
    assert same.status_code == 200
    assert "新密码不能与当前密码相同" in same.content.decode()

    done = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    admin = User.objects.get(username="root_admin")
    assert not admin.must_change_password
    assert admin.password_changed_at is not None
    assert admin.check_password(NEW_PASSWORD)

    home = client.get("/")
    assert home["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert [r.result for r in audit_rows("password.changed")] == ["failed", "ok"]
    assert NEW_PASSWORD not in all_audit_text()


def test_logout_stays_possible_during_the_forced_change(
    client: Client, county_division: Division
) -> None:
    password = printed_password(create_admin())
    post_login(client, "root_admin", password)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert not is_logged_in(client)


def test_forced_change_refuses_a_weak_password(client: Client, county_division: Division) -> None:
    password = printed_password(create_admin())
    post_login(client, "root_admin", password)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "minzheng民政#2026A",
            "new_password2": "minzheng民政#2026A",
        },
    )
    assert response.status_code == 200
    assert "民政" in response.content.decode()
    assert User.objects.get(username="root_admin").must_change_password
