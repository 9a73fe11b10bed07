"""An assistance officer opens the warning list (预警清单) on a phone-sized screen, filters
it by rule, opens a verification task and records its outcome; the page holds under the
strict content security policy (no inline script or style)."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import expect

from jiuzhu.monitoring.models import TaskStatus, VerificationTask
from jiuzhu.monitoring.services import raise_tasks
from tests.browser.test_login_search_detail import log_in
from tests.monitoring.support import BEFORE_SPRING_FESTIVAL, warning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_filters_opens_a_task_and_records_the_outcome(
    phone_page, live_server, live_cast, live_county
):
    page = phone_page
    street = live_county.households_in(live_county.townships[0])
    with time_machine.travel(BEFORE_SPRING_FESTIVAL, tick=False):
        raise_tasks(
            "2026Q1",
            [warning(h, "NEW_VEHICLE") for h in street] + [warning(street[0], "MEDICAL_BURDEN")],
        )
    refused: list[str] = []  # CSP violations (a missing favicon is no concern here)
    page.on("console", lambda m: refused.append(m.text) if "Refused" in m.text else None)

    log_in(page, live_server.url, live_cast.officer.username)
    page.goto(f"{live_server.url}/monitoring/warnings/")
    rows = page.get_by_test_id("warning-row")
    expect(rows).to_have_count(len(street) + 1)
    expect(page.get_by_test_id("warning-chart")).to_be_visible()

    page.get_by_test_id("filter-rule").select_option("MEDICAL_BURDEN")
    with page.expect_navigation():
        page.get_by_test_id("filter-submit").click()
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("row-rule")).to_contain_text("医疗支出负担重")
    expect(rows.first).to_contain_text("12,000.00 元")

    with page.expect_navigation():
        rows.first.get_by_test_id("row-link").click()
    expect(page.get_by_test_id("task-rule")).to_have_text("医疗支出负担重")
    expect(page.get_by_test_id("task-due")).to_contain_text("2026-03-02")

    page.get_by_label("转介").check()
    page.get_by_test_id("outcome-reason").fill("家庭医疗负担重，已转介医疗救助")
    with page.expect_navigation():
        page.get_by_test_id("outcome-submit").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已核查")
    expect(page.get_by_test_id("task-outcome")).to_have_text("转介")
    assert not refused, refused

    task = VerificationTask.objects.get(rule="MEDICAL_BURDEN")
    assert (task.status, task.outcome, task.decided_by) == (
        TaskStatus.DONE,
        "refer",
        live_cast.officer,
    )
