"""Maker-checker in the browser: county approver A proposes a new 低保标准 through the
form on a phone-sized screen and signs out; approver B signs in, approves it on the
parameter list, and the list then shows the value scheduled from its date — with no
content-security-policy violation and nothing wider than the screen."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from jiuzhu.core import clock
from jiuzhu.core.permissions import Role
from jiuzhu.policy import services
from jiuzhu.policy.models import ChangeStatus, ParameterChange
from tests import factories
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_login_search_detail import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page: Any) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # the phone layout folds the menu (and the sign-out button)
        toggler.click()
        # Bootstrap animates the menu open ("collapsing"); a click during it can miss.
        expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()


def test_one_approver_proposes_another_approves(
    phone_page: Any, live_server: Any, live_cast: factories.Cast, live_county: factories.County
) -> None:
    page = phone_page
    violations = watch_violations(page)
    maker = live_cast.approver
    checker = factories.user("approver_b", Role.COUNTY_APPROVER, live_county.county)
    effective = clock.today() + dt.timedelta(days=30)
    shown_date = effective.isoformat()

    # A proposes
    log_in(page, live_server.url, maker.username)
    page.goto(f"{live_server.url}/policy/parameters/")
    with page.expect_navigation():
        page.get_by_test_id("param-row-dibao_standard").click()
    expect(page.get_by_test_id("param-current")).to_have_text("950.00元/人·月")
    page.get_by_test_id("change-effective-from").fill(shown_date)
    page.get_by_test_id("change-value").fill("1000")
    page.get_by_test_id("change-source").fill("示范县民政局 示民发〔2026〕12号")
    page.get_by_test_id("change-reason").fill("执行市里新的低保标准")
    with page.expect_navigation():
        page.get_by_test_id("change-submit").click()
    expect(page.get_by_role("alert").first).to_contain_text("已提出调整")
    expect(page.get_by_test_id(f"change-{ParameterChange.objects.get().pk}")).to_contain_text(
        "待审核"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    change = ParameterChange.objects.get()
    assert change.status == ChangeStatus.PENDING
    assert change.proposed_by_id == maker.pk

    # the maker gets no approve button for their own change
    page.goto(f"{live_server.url}/policy/parameters/")
    card = page.get_by_test_id(f"change-{change.pk}")
    expect(card).to_contain_text("由您提出，须由另一位审核人审核")
    expect(page.get_by_test_id(f"approve-{change.pk}")).to_have_count(0)
    log_out(page)

    # B approves on the list page
    log_in(page, live_server.url, checker.username)
    page.goto(f"{live_server.url}/policy/parameters/")
    row = page.get_by_test_id("param-row-dibao_standard")
    expect(row.get_by_test_id("param-pending")).to_be_visible()
    page.get_by_test_id(f"decide-note-{change.pk}").fill("同意")
    with page.expect_navigation():
        page.get_by_test_id(f"approve-{change.pk}").click()
    assert page.url.rstrip("/").endswith("/policy/parameters")
    expect(page.get_by_role("alert").first).to_contain_text("已批准：城乡低保标准")
    expect(page.get_by_test_id("no-pending")).to_be_visible()
    scheduled = row.get_by_test_id("param-scheduled")
    expect(scheduled).to_contain_text(f"自 {shown_date} 起为 1000.00元/人·月")
    expect(row.get_by_test_id("param-current")).to_have_text("950.00元/人·月")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert change.decided_by_id == checker.pk
    value = services.parameter_table().resolve("dibao_standard", "510199000000", effective)
    assert value.value == Decimal("1000.00")
    assert value.version == f"db:{change.pk}"
    assert violations == []
