"""A grid worker logs in on a phone-sized screen, finds a household of their grid by
the head's name, opens it, and reads names and the address in clear (FULL for staff)
while the ID number stays masked — never in clear — and the bank account absent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from jiuzhu.audit.models import AuditEvent
from jiuzhu.domain.masking import MaskLevel, mask_id_number
from jiuzhu.registry.models import Relation
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_present(page: Any, *selectors: str) -> Any:
    """The first selector that matches on the page (data-testid first, then the field name)."""
    for selector in selectors:
        locator = page.locator(selector)
        if locator.count():
            return locator.first
    raise AssertionError(f"none of {selectors} on {page.url}")


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    first_present(page, "[data-testid=login-username]", "input[name=username]").fill(username)
    first_present(page, "[data-testid=login-password]", "input[name=password]").fill(
        factories.PASSWORD
    )
    with page.expect_navigation():
        first_present(page, "[data-testid=login-submit]", "button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.content()


def test_grid_worker_login_search_detail_masked(
    phone_page, live_server, live_cast, live_county, tmp_path: Path
):
    page = phone_page
    household = live_county.households_in(live_county.grids[0])[1]
    head = household.members.get(relation=Relation.HEAD)
    clear_id = head.id_number
    expected_mask = clear_id[:3] + "*" * 11 + clear_id[-4:]
    assert mask_id_number(clear_id, level=MaskLevel.SCREEN) == expected_mask

    log_in(page, live_server.url, live_cast.grid_worker.username)

    page.goto(f"{live_server.url}/households/")
    page.get_by_test_id("search-q").fill(head.name)
    page.get_by_test_id("search-submit").click()
    # htmx swaps the results in place (the page first lists the whole grid): wait for the swap
    rows = page.get_by_test_id("result-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(household.household_no)
    # the head's name is listed in clear for staff (FULL), not masked
    assert len(head.name) == 3
    assert rows.first.get_by_test_id("result-head").inner_text().strip() == head.name
    assert head.name[0] + "*" + head.name[-1] not in page.content()
    assert clear_id not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    with page.expect_navigation():
        rows.first.click()
    assert re.search(rf"/households/{household.pk}/$", page.url)
    shown = page.get_by_test_id(f"masked-id_number-{head.pk}")
    assert shown.inner_text().strip() == expected_mask
    html = page.content()
    assert clear_id not in html
    for member in household.members.all():
        assert member.id_number not in html
        assert member.phone not in html
        # names in clear, with no "显示完整" control (FULL is not REVEAL)
        name = page.get_by_test_id(f"masked-name-{member.pk}")
        assert name.inner_text().strip() == member.name
        assert page.get_by_test_id(f"reveal-name-{member.pk}").count() == 0
    assert page.get_by_test_id("masked-address-h").inner_text().strip() == household.address
    assert page.get_by_test_id("reveal-address-h").count() == 0
    assert household.bank_account not in html
    assert page.get_by_test_id("household-bank").count() == 0

    # mobile-first: nothing sticks out of a 375px-wide screen
    assert page.viewport_size["width"] == 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot = tmp_path / "household-detail-375.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000

    assert AuditEvent.objects.filter(
        action="household.view",
        username=live_cast.grid_worker.username,
        object_id=str(household.pk),
    ).exists()


def test_grid_worker_reveals_a_phone_through_htmx(phone_page, live_server, live_cast, live_county):
    """The "显示完整" control is an htmx POST carrying the CSRF token; it is audited."""
    page = phone_page
    household = live_county.households_in(live_county.grids[0])[0]
    head = household.members.get(relation=Relation.HEAD)
    log_in(page, live_server.url, live_cast.grid_worker.username)
    page.goto(f"{live_server.url}/households/{household.pk}/")
    assert head.phone not in page.content()
    assert page.get_by_test_id(f"reveal-id_number-{head.pk}").count() == 0  # MASKED: no control
    page.get_by_test_id(f"reveal-phone-{head.pk}").click()
    revealed = page.get_by_test_id("revealed-phone")
    revealed.wait_for()
    assert head.phone in revealed.inner_text()
    assert page.url.endswith(f"/households/{household.pk}/")  # swapped in place, no navigation
    event = AuditEvent.objects.get(action="household.reveal")
    assert event.details["field"] == "phone"
    assert head.phone not in str(event.details)
