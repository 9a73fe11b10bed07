"""Account lockout and the per-IP limit, security.md §A.2, with their audit rows (§C.12)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jiuzhu.accounts.models import LoginAttempt, User
from jiuzhu.audit.models import AuditEvent
from tests.accounts.support import (
    GENERIC_ERROR,
    IP_ERROR,
    START,
    WRONG,
    all_audit_text,
    audit_rows,
    is_logged_in,
    post_login,
)
from tests.factories import PASSWORD, Cast

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


def fail(client: Client, username: str, times: int = 1, **kwargs: Any) -> None:
    for _ in range(times):
        response = post_login(client, username, WRONG, **kwargs)
        assert response.status_code == 200
        assert not is_logged_in(client)


def reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_fifth_failure_within_15_minutes_locks_for_30_minutes(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    officer = cast.officer
    for _ in range(4):
        fail(client, officer.username)
        frozen.shift(3 * MIN)
    assert reload(officer).locked_until is None
    assert audit_rows("account.locked") == []

    fail(client, officer.username)  # the 5th, 12 minutes after the first
    locked_at = START + 12 * MIN
    assert reload(officer).locked_until == locked_at + 30 * MIN

    [locked] = audit_rows("account.locked")
    assert (locked.username, locked.result, locked.object_id) == (
        "officer_a",
        "ok",
        str(officer.pk),
    )
    assert locked.details["failures"] == 5
    assert len(audit_rows("login.failed")) == 5
    assert {r.result for r in audit_rows("login.failed")} == {"failed"}


def test_four_failures_then_success_resets_the_count(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    fail(client, "officer_a", 4)
    frozen.shift(MIN)
    post_login(client, "officer_a")
    assert is_logged_in(client)
    client.post(reverse("accounts:logout"))
    frozen.shift(MIN)
    fail(client, "officer_a", 4)  # 8 failures in 15 minutes, but never 5 in a row
    assert reload(cast.officer).locked_until is None


def test_failures_spread_over_more_than_15_minutes_do_not_lock(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    for i in range(6):
        if i:
            frozen.shift(4 * MIN)
        fail(client, "officer_a")  # at 0, 4, 8, 12, 16, 20 minutes: at most 4 within 15
    assert reload(cast.officer).locked_until is None
    post_login(client, "officer_a")
    assert is_logged_in(client)


def test_failure_exactly_15_minutes_old_no_longer_counts(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    fail(client, "officer_a")
    frozen.shift(12 * MIN)
    fail(client, "officer_a", 3)
    frozen.shift(3 * MIN)  # the first failure is now exactly 15 minutes old
    fail(client, "officer_a")
    assert reload(cast.officer).locked_until is None
    frozen.shift(dt.timedelta(seconds=1))
    fail(client, "officer_a")
    assert reload(cast.officer).locked_until is not None


def test_right_password_refused_while_locked_then_accepted_after_30_minutes(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    fail(client, "officer_a", 5)
    frozen.shift(29 * MIN)
    response = post_login(client, "officer_a", PASSWORD)
    assert not is_logged_in(client)
    assert GENERIC_ERROR in response.content.decode()
    [refused] = audit_rows("login.refused_locked")
    assert (refused.username, refused.result) == ("officer_a", "denied")
    assert audit_rows("login.ok") == []

    frozen.shift(MIN + dt.timedelta(seconds=1))  # 30 minutes and a second after the lock
    post_login(client, "officer_a", PASSWORD)
    assert is_logged_in(client)
    assert len(audit_rows("login.ok")) == 1


def test_the_page_does_not_tell_locked_unknown_and_wrong_apart(client: Client, cast: Cast) -> None:
    fail(client, "approver", 5)
    locked = post_login(client, "approver", PASSWORD).content.decode()
    wrong = post_login(client, "officer_a", WRONG).content.decode()
    unknown = post_login(client, "nobody_here", WRONG).content.decode()
    for page in (locked, wrong, unknown):
        assert GENERIC_ERROR in page
    assert "不存在" not in unknown


def test_unknown_usernames_are_counted_and_audited_but_nothing_is_locked(
    client: Client, db: None
) -> None:
    fail(client, "ghost", 6)
    assert LoginAttempt.objects.filter(username="ghost", succeeded=False).count() == 6
    assert [r.details["reason"] for r in audit_rows("login.failed")] == ["unknown_user"] * 6
    assert audit_rows("account.locked") == []


def test_inactive_user_with_right_password_is_refused_generically(
    client: Client, cast: Cast
) -> None:
    User.objects.filter(pk=cast.liaison.pk).update(is_active=False)
    response = post_login(client, "liaison", PASSWORD)
    assert not is_logged_in(client)
    assert GENERIC_ERROR in response.content.decode()
    assert audit_rows("login.failed")[0].details == {"reason": "inactive"}


def test_admin_unlock_is_audited_and_restarts_the_count(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    fail(client, "officer_a", 5)
    assert reload(cast.officer).locked_until is not None
    frozen.shift(2 * MIN)

    admin_client = Client()
    admin_client.force_login(cast.admin)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_users", "_selected_action": [str(cast.officer.pk)]},
    )
    assert response.status_code == 302

    [unlocked] = audit_rows("account.unlocked")
    assert unlocked.username == "sysadmin"  # who unlocked
    assert unlocked.role == "admin"
    assert unlocked.object_id == str(cast.officer.pk)  # whom
    assert unlocked.details == {"target": "officer_a", "was_locked": True}

    frozen.shift(MIN)
    fail(client, "officer_a")  # one failure after the unlock does not lock again
    assert reload(cast.officer).locked_until == START + 2 * MIN
    post_login(client, "officer_a")
    assert is_logged_in(client)


def test_unlock_command_is_audited(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    fail(client, "officer_a", 5)
    frozen.shift(MIN)
    out = StringIO()
    call_command("unlock_user", "officer_a", stdout=out)
    assert "已解除" in out.getvalue()
    [unlocked] = audit_rows("account.unlocked")
    assert (unlocked.username, unlocked.object_id) == ("system", str(cast.officer.pk))
    post_login(client, "officer_a")
    assert is_logged_in(client)


def test_only_the_admin_role_may_use_the_user_admin(cast: Cast) -> None:
    url = reverse("admin:accounts_user_changelist")
    admin_client = Client()
    admin_client.force_login(cast.admin)
    assert admin_client.get(url).status_code == 200
    staff_auditor = Client()
    User.objects.filter(pk=cast.auditor.pk).update(is_staff=True)
    staff_auditor.force_login(User.objects.get(pk=cast.auditor.pk))
    assert staff_auditor.get(url).status_code == 403
    assert not audit_rows("account.unlocked")


def test_the_admin_login_page_is_under_the_same_lockout(
    client: Client, cast: Cast, frozen: time_machine.Coordinates
) -> None:
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "sysadmin", "password": WRONG},
            REMOTE_ADDR="10.1.1.1",
        )
    assert reload(cast.admin).locked_until is not None
    client.post(reverse("admin:login"), {"username": "sysadmin", "password": PASSWORD})
    assert not is_logged_in(client)


def test_per_ip_limit(
    client: Client, cast: Cast, settings: Any, frozen: time_machine.Coordinates
) -> None:
    settings.JIUZHU_IP_FAILURES = 6
    attacker = "203.0.113.7"
    # Spraying many usernames (no account reaches 5 failures) from one address.
    for i in range(6):
        fail(client, f"guess{i}", ip=attacker)
    post_login(client, "officer_a", ip=attacker)
    assert is_logged_in(client), "6 failures are still within the limit"
    client.post(reverse("accounts:logout"))

    fail(client, "guess6", ip=attacker)  # the 7th: more than 6 failures
    [blocked] = audit_rows("ip.blocked")
    assert blocked.ip == attacker

    response = post_login(client, "officer_a", ip=attacker)
    assert not is_logged_in(client)
    assert IP_ERROR in response.content.decode()
    [refused] = audit_rows("login.refused_ip")
    assert (refused.username, refused.ip, refused.result) == ("officer_a", attacker, "denied")

    other = Client()
    post_login(other, "officer_a", ip="198.51.100.2")
    assert is_logged_in(other), "other addresses are not affected"

    frozen.shift(15 * MIN + dt.timedelta(seconds=1))
    post_login(client, "officer_a", ip=attacker)
    assert is_logged_in(client), "the address is free once the window has passed"


def test_audit_rows_never_hold_a_password(client: Client, cast: Cast) -> None:
    fail(client, "officer_a", 6)
    post_login(client, "approver")
    post_login(client, "ghost", "Another#Secret99")
    text = all_audit_text()
    for secret in (PASSWORD, WRONG, "Another#Secret99"):
        assert secret not in text
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"login.failed", "account.locked", "login.refused_locked", "login.ok"} <= actions


def test_a_login_name_that_is_an_id_number_is_never_stored_in_clear(client, cast, frozen):
    """People type their ID number as the login name; it still counts, but only as an index."""
    from jiuzhu.accounts.models import LoginAttempt
    from tests.factories import id_number

    typed = id_number()
    for _ in range(3):
        client.post("/accounts/login/", {"username": typed, "password": "wrong-password-1A!"})
    names = list(LoginAttempt.objects.values_list("username", flat=True))
    assert len(names) == 3
    assert typed not in names
    assert len(set(names)) == 1
    assert names[0].startswith("idx:")
