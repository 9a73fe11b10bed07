"""A community worker runs the 民主评议 of one case on a phone-sized screen: the roll,
the votes with one relative recused, the conclusion — nothing wider than 375 px and no
content-security-policy violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from jiuzhu.reviews.models import ReviewConclusion
from tests import factories
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_login_search_detail import log_in
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY
from tests.reviews.support import case_in_review, make_panel, open_with_roll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 375)


def test_a_review_on_a_phone(
    phone_page: Any,
    live_server: Any,
    live_cast: factories.Cast,
    live_county: factories.County,
    tmp_path: Path,
) -> None:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=True):
        a1 = live_county.communities[0]
        panel = make_panel(live_cast.officer, a1, size=9)
        case = case_in_review(live_cast.officer, live_county)
        meeting = open_with_roll(live_cast.officer, a1, panel, present=0)
        page = phone_page
        violations = watch_violations(page)
        log_in(page, live_server.url, live_cast.community_worker.username)

        page.goto(f"{live_server.url}/reviews/{meeting.pk}/attendance/")
        assert fits(page)
        for member in panel[:7]:
            page.check(f"input[name=present][value='{member.pk}']")
        with page.expect_navigation():
            page.get_by_test_id("attendance-submit").click()
        expect(page.get_by_test_id("roll-summary")).to_contain_text("应到 9 人，实到 7 人")
        assert fits(page)

        with page.expect_navigation():
            page.get_by_test_id("votes-link").first.click()
        assert fits(page)
        for member in panel[:6]:
            page.select_option(f"[name=vote_{member.pk}]", "agree")
        page.check(f"[name=recuse_{panel[6].pk}]")
        page.fill(f"[name=reason_{panel[6].pk}]", "申请人之兄")
        assert fits(page)
        page.screenshot(path=str(tmp_path / "votes-375.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_test_id("votes-submit").click()
        expect(page.get_by_test_id("recused")).to_contain_text("申请人之兄")
        with page.expect_navigation():
            page.get_by_test_id("conclude").click()
        expect(page.get_by_test_id("conclusion")).to_contain_text("评议通过")
        assert fits(page)
        shot = tmp_path / "review-375.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
        assert violations == []
        conclusion = ReviewConclusion.objects.get(meeting=meeting, case=case)
        assert (conclusion.present, conclusion.recused, conclusion.agree) == (7, 1, 6)
