"""An assistance officer, on a phone-sized screen, types in the E01 household (three
members, wage 1900 and support paid out 150, deposits 6000, one home) on the 试算 page
and reads 1,100.00 with its explanation — nothing wider than the screen and no
content-security-policy violation on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from jiuzhu.audit.models import AuditEvent
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_login_search_detail import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

E01 = [
    ("1981-04-02", "head", "full", "flexible"),
    ("1983-01-20", "spouse", "full", "none"),
    ("2010-05-11", "child", "none", "none"),
]


def test_officer_types_in_e01_on_a_phone(phone_page, live_server, live_cast, tmp_path: Path):
    page = phone_page
    violations = watch_violations(page)
    log_in(page, live_server.url, live_cast.officer.username)
    page.goto(f"{live_server.url}/policy/trial/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.select_option("[name=case-programme]", "dibao")
    page.fill("[name=case-as_of]", "2026-06-15")
    for index, (birth, relation, labor, employment) in enumerate(E01):
        page.fill(f"[name=members-{index}-birth_date]", birth)
        page.select_option(f"[name=members-{index}-relation]", relation)
        page.select_option(f"[name=members-{index}-labor_ability]", labor)
        page.select_option(f"[name=members-{index}-employment]", employment)
    page.check("[name=members-2-is_student]")
    page.fill("[name=members-0-income_wage]", "1900")
    page.fill("[name=members-0-income_transfer_out]", "150")
    page.fill("[name=case-financial]", "6000")
    page.fill("[name=case-residential_count]", "1")
    with page.expect_navigation():
        page.get_by_test_id("trial-submit").click()

    expect(page.get_by_test_id("trial-outcome")).to_have_text("符合")
    expect(page.get_by_test_id("trial-amount")).to_have_text("1,100.00")
    expect(page.get_by_test_id("trial-per-capita")).to_contain_text("583.33")
    figures = page.get_by_test_id("explanation-figures")
    standard = figures.locator("tr[data-key=dibao_standard]")
    expect(standard).to_contain_text("低保标准")
    expect(standard.locator("td")).to_have_text("950.00")
    expect(page.get_by_test_id("explanation-checks")).to_contain_text("✓")
    expect(page.get_by_test_id("explanation-parameters")).to_contain_text("城乡低保标准")

    assert page.viewport_size["width"] == 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot = tmp_path / "trial-375.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000
    assert violations == []
    assert AuditEvent.objects.filter(
        action="policy.trial", username=live_cast.officer.username, result="ok"
    ).exists()
