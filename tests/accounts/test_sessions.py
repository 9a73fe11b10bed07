"""Sessions, security.md §A.3: idle 30 minutes, 12 hours at most, rotation on login,
logout deletes the server session, disabling a user ends all their sessions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import NoReverseMatch, reverse

from jiuzhu.accounts import services
from jiuzhu.accounts.models import User, UserSession
from tests.accounts.support import START, audit_rows, is_logged_in, post_login, session_key
from tests.factories import Cast

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


def page_url() -> str:
    """A page only a signed-in user reaches (does not depend on other apps)."""
    return reverse("accounts:password_change")


def logged_in_client(username: str) -> Client:
    client = Client()
    post_login(client, username)
    assert is_logged_in(client)
    return client


def test_idle_settings_are_what_the_policy_says() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.JIUZHU_SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60


def test_idle_session_ends_after_30_minutes(cast: Cast, frozen: time_machine.Coordinates) -> None:
    client = logged_in_client("officer_a")
    key = session_key(client)
    frozen.shift(31 * MIN)
    response = client.get(page_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?")
    assert "reason=idle" in response["Location"]
    assert not Session.objects.filter(session_key=key, expire_date__gt=START + 31 * MIN).exists()
    notice = client.get(response["Location"]).content.decode()
    assert "30分钟未操作" in notice


def START_PLUS(minutes: int) -> dt.datetime:
    from tests.accounts.support import START

    return START + minutes * MIN


def test_activity_keeps_the_session_alive(cast: Cast, frozen: time_machine.Coordinates) -> None:
    client = logged_in_client("officer_a")
    for _ in range(6):  # three hours of work, a request every 29 minutes
        frozen.shift(29 * MIN)
        assert client.get(page_url()).status_code == 200
    frozen.shift(29 * MIN)
    assert is_logged_in(client)


def test_any_session_ends_12_hours_after_login(
    cast: Cast, frozen: time_machine.Coordinates
) -> None:
    client = logged_in_client("community_a1")
    key = session_key(client)
    for _ in range(28):  # 11 h 40 min of steady activity
        frozen.shift(25 * MIN)
        assert client.get(page_url()).status_code == 200
    frozen.shift(20 * MIN)  # exactly 12 hours after login: still allowed
    assert client.get(page_url()).status_code == 200
    frozen.shift(MIN)
    response = client.get(page_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert response["Location"].endswith("&reason=expired")
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not is_logged_in(client)
    [expired] = audit_rows("session.expired")
    assert (expired.username, expired.details) == ("community_a1", {"reason": "absolute_limit"})
    assert "12小时" in client.get(response["Location"]).content.decode()


def test_session_without_login_time_is_refused(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.officer)
    session = client.session
    del session[services.SESSION_LOGIN_AT]
    session.save()
    response = client.get(page_url())
    assert response.status_code == 302
    assert "reason=expired" in response["Location"]


def test_login_rotates_the_session_key(client: Client, cast: Cast) -> None:
    anonymous = client.session  # an anonymous session with some data in it
    anonymous["seen_notice"] = True
    anonymous.save()
    before = anonymous.session_key
    assert before
    assert session_key(client) == before

    post_login(client, "officer_a")
    after = session_key(client)
    assert is_logged_in(client)
    assert after
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.get(session_key=after).user == cast.officer


def test_logout_is_post_only_and_deletes_the_server_session(client: Client, cast: Cast) -> None:
    post_login(client, "grid_a1_1")
    key = session_key(client)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert Session.objects.filter(session_key=key).exists()

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    [logout] = audit_rows("logout")
    assert (logout.username, logout.result) == ("grid_a1_1", "ok")
    assert client.get(page_url()).status_code == 302


def test_disabling_a_user_ends_all_their_sessions(cast: Cast) -> None:
    phone, desk = logged_in_client("officer_a"), logged_in_client("officer_a")
    colleague = logged_in_client("approver")
    keys = {session_key(phone), session_key(desk)}
    assert Session.objects.filter(session_key__in=keys).count() == 2

    services.user_disable(user=User.objects.get(username="officer_a"), actor=cast.admin)

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert phone.get(page_url()).status_code == 302
    assert desk.get(page_url()).status_code == 302
    assert colleague.get(page_url()).status_code == 200
    [disabled] = audit_rows("user.disabled")
    assert (disabled.username, disabled.details["target"]) == ("sysadmin", "officer_a")
    assert disabled.details["sessions_ended"] == 2


def test_saving_a_user_as_inactive_anywhere_ends_their_sessions(cast: Cast) -> None:
    client = logged_in_client("liaison")
    user = User.objects.get(username="liaison")
    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key=session_key(client)).exists()
    assert client.get(page_url()).status_code == 302


def test_admin_disable_action_ends_sessions_and_is_audited(cast: Cast) -> None:
    victim = logged_in_client("community_b1")
    admin_client = Client()
    admin_client.force_login(cast.admin)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "disable_users", "_selected_action": [str(cast.other_community_worker.pk)]},
    )
    assert response.status_code == 302
    assert not User.objects.get(username="community_b1").is_active
    assert not is_logged_in(victim)
    assert audit_rows("user.disabled")[0].username == "sysadmin"


def test_password_change_keeps_this_session_and_ends_the_others(cast: Cast) -> None:
    here, elsewhere = logged_in_client("officer_a"), logged_in_client("officer_a")
    old_key = session_key(here)
    response = here.post(
        page_url(),
        {
            "old_password": "Qingshi#River2026",
            "new_password1": "Brand-New#Passw0rd",
            "new_password2": "Brand-New#Passw0rd",
        },
    )
    assert response.status_code == 302
    assert is_logged_in(here)
    assert session_key(here) != old_key  # rotated
    assert UserSession.objects.filter(session_key=session_key(here)).exists()
    assert not is_logged_in(elsewhere)
    [changed] = audit_rows("password.changed")
    assert (changed.result, changed.details) == ("ok", {"other_sessions_ended": 1})


def test_timed_out_api_calls_get_401_not_a_redirect(
    cast: Cast, frozen: time_machine.Coordinates
) -> None:
    try:
        api = reverse("registry:api_household_list")
    except NoReverseMatch:
        pytest.skip("the registry API is not there yet")
    idle = logged_in_client("officer_a")
    old = logged_in_client("approver")
    for _ in range(25):  # keep one session busy past the 12-hour limit
        frozen.shift(29 * MIN)
        old.get(page_url())
    assert old.get(api).status_code == 401
    assert idle.get(api).status_code == 401  # idle for hours
