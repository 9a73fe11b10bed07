"""The pages work under the strict content security policy: no inline script or
style, nothing from another origin — Chromium reports no violation while a user
signs in, searches, opens and reveals, and an auditor reads the log."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.core.middleware import CONTENT_SECURITY_POLICY
from jiuzhu.registry.models import Relation
from tests.browser.test_login_search_detail import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_violations(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return violations


def test_officer_pages_raise_no_policy_violation(phone_page, live_server, live_cast, live_county):
    page = phone_page
    violations = watch_violations(page)
    household = live_county.households_in(live_county.townships[0])[0]
    head = household.members.get(relation=Relation.HEAD)

    response = page.goto(f"{live_server.url}/accounts/login/")
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    log_in(page, live_server.url, live_cast.officer.username)
    page.goto(f"{live_server.url}/households/")
    page.get_by_test_id("search-q").fill(head.name)
    page.get_by_test_id("search-submit").click()
    page.get_by_test_id("result-row").first.wait_for()
    page.goto(f"{live_server.url}/households/{household.pk}/")
    page.get_by_test_id(f"reveal-id_number-{head.pk}").click()
    page.get_by_test_id("revealed-id_number").wait_for()
    page.goto(f"{live_server.url}/households/imports/new/")
    page.goto(f"{live_server.url}/households/export/")

    assert violations == []


def test_auditor_and_admin_pages_raise_no_policy_violation(phone_page, live_server, live_cast):
    page = phone_page
    violations = watch_violations(page)
    log_in(page, live_server.url, live_cast.auditor.username)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_text("校验哈希链").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/no-such-page/")
    page.context.clear_cookies()
    log_in(page, live_server.url, live_cast.admin.username)
    page.goto(f"{live_server.url}/admin/")
    assert "基础数据" in page.content()
    assert violations == []
