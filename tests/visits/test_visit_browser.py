"""The visit page on a 375px phone: a step saved in place through htmx, nothing
wider than the screen, no content security policy violation."""

from __future__ import annotations

import os
from typing import Any

import pytest

from jiuzhu.visits.models import HomeVisit
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_login_search_detail import log_in
from tests.casework.support import household_of
from tests.visits.support import NOTES, investigating_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_step_is_saved_in_place_on_a_phone(
    phone_page: Any, live_server: Any, live_cast: Any, live_county: Any
) -> None:
    page = phone_page
    violations = watch_violations(page)
    case = investigating_case(live_cast.officer, household_of(live_county))
    log_in(page, live_server.url, live_cast.officer.username)
    page.goto(f"{live_server.url}/visits/cases/{case.pk}/new/")
    with page.expect_navigation():
        page.get_by_role("button", name="开始入户调查").click()
    visit = HomeVisit.objects.get(case=case)
    assert page.url.endswith(f"/visits/{visit.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label(f"{live_cast.community_worker.full_name}（社区工作人员）").check()
    page.get_by_role("button", name="保存调查人员").click()
    page.get_by_test_id("saved-visitors").wait_for()
    # The signatures card follows: the colleague now has a box to tick.
    page.get_by_label(f"{live_cast.community_worker.full_name} 已签字").wait_for()
    assert visit.visitors.count() == 2

    page.locator("#id_housing-notes").fill(NOTES["housing"])
    page.get_by_role("button", name="保存「看住房」").click()
    page.get_by_test_id("saved-housing").wait_for()
    assert page.url.endswith(f"/visits/{visit.pk}/")  # swapped in place, no reload
    assert "尚未填写「看住房」" not in page.get_by_test_id("completion-problems").inner_text()
    visit.refresh_from_db()
    assert visit.housing_notes == NOTES["housing"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shots = os.environ.get("JIUZHU_SCREENSHOT_DIR")
    if shots:  # for a person to look at: the page in screen-high slices
        height = int(page.evaluate("document.documentElement.scrollHeight"))
        for number, top in enumerate(range(0, height, 1200)):
            clip = {"x": 0, "y": top, "width": 375, "height": min(1200, height - top)}
            page.screenshot(path=f"{shots}/visit-{number}.png", full_page=True, clip=clip)
    assert violations == []
