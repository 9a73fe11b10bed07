"""A 低保 application from the window to enrolment, walked in the browser on a phone.

The assistance officer of A街道 takes the application at the window (受理), starts
the investigation, records the data check report, does the home visit with the
community worker (看住房、查财产、问收支、访邻里, both visitors and the family sign),
runs the policy assessment and completes the investigation. The 民主评议 of A1社区
meets (four of a five-member panel: quorum reached), votes and concludes; the
officer records the review and starts the 公示. The notice is printed (PDF and Word):
the head's name masked, no ID number. Past the seventh working day nobody objected:
the officer closes the 公示, and the county approver — another user — approves.
The case reads 已纳入救助; the household reads its review class.

Only the setup (the county, the users, the review panel) is made in Python; every
step of the procedure goes through the pages, at 375 px wide, with no content
security policy violation.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin

import pytest
import time_machine
from playwright.sync_api import expect

from jiuzhu.casework import services as casework
from jiuzhu.casework.models import Case
from jiuzhu.domain.masking import mask_name
from jiuzhu.registry.models import Household, Relation
from jiuzhu.reviews import services as reviews
from jiuzhu.visits.models import HomeVisit, VisitStatus
from tests import factories
from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_login_search_detail import log_in
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY, household_of
from tests.documents.support import (
    AFTER_PUBLICITY,
    docx_text,
    docx_xml,
    pdf_text,
    squeeze,
)
from tests.visits.support import NOTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: An 18-character ID number: 17 digits and a digit or X, not inside a longer run of digits
#: (the Word package's font table has 20-digit PANOSE codes).
ID_PATTERN = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PANEL = [
    ("张建国", "two_committees"),
    ("李秀英", "two_committees"),
    ("王志强", "party_rep"),
    ("刘桂兰", "resident_rep"),
    ("陈国华", "resident_rep"),
]
WIDTH = PHONE_VIEWPORT["width"]


def fits(page: Any) -> None:
    """Nothing wider than the phone's screen."""
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= WIDTH, f"{page.url} is {width}px wide"


def screenshot(page: Any, name: str) -> None:
    """For a person to look at, when JIUZHU_SCREENSHOT_DIR is set."""
    shots = os.environ.get("JIUZHU_SCREENSHOT_DIR")
    if shots:
        page.screenshot(path=f"{shots}/dibao-{name}.png", full_page=True)


@contextmanager
def phone(browser: Any, violations: list[str]) -> Iterator[Any]:
    """A fresh phone-sized browser (no cookies) whose CSP violations land in `violations`."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    seen = watch_violations(page)
    try:
        yield page
    finally:
        violations.extend(seen)
        context.close()


def open_case(page: Any, base_url: str, case_no: str) -> None:
    """From the 救助申请 worklist (all cases) to the case page."""
    page.goto(f"{base_url}/cases/?tab=all")
    fits(page)
    row = page.get_by_test_id("worklist-row").filter(has_text=case_no)
    with page.expect_navigation():
        row.click()
    expect(page.get_by_test_id("case-no")).to_have_text(case_no)
    fits(page)


def act(page: Any, action: str, state: str) -> None:
    """Press a workflow button of the case page; the page then shows the new state."""
    with page.expect_navigation():
        page.get_by_test_id(f"button-{action}").click()
    expect(page.get_by_role("alert").first).to_contain_text("已办理")
    expect(page.get_by_test_id("case-state")).to_have_text(state)
    fits(page)


def fetch(page: Any, url: str) -> bytes:
    """A document as the signed-in browser gets it (its cookies, its session)."""
    response = page.context.request.get(urljoin(page.url, url))
    assert response.status == 200, (url, response.status)
    assert response.headers["cache-control"] == "no-store"
    return bytes(response.body())


def intake(page: Any, base_url: str, household: Household) -> str:
    page.goto(f"{base_url}/cases/")
    with page.expect_navigation():
        page.get_by_test_id("open-case").click()
    fits(page)
    page.get_by_test_id("intake-household").fill(household.household_no)
    page.get_by_test_id("intake-programme").select_option("dibao")
    page.get_by_test_id("intake-channel").select_option("window")
    page.get_by_test_id("intake-commitment").check()
    page.get_by_test_id("intake-authorised").check()
    screenshot(page, "1-intake")
    with page.expect_navigation():
        page.get_by_test_id("intake-submit").click()
    expect(page.get_by_test_id("case-state")).to_have_text("已受理")
    case_no = page.get_by_test_id("case-no").inner_text().strip()
    expect(page.get_by_role("alert").first).to_contain_text(f"已受理，申请编号 {case_no}")
    fits(page)
    return case_no


def home_visit(page: Any, cast: factories.Cast, head_name: str) -> None:
    """The four steps on the visit page, saved in place; both visitors and the family sign."""
    with page.expect_navigation():
        page.get_by_test_id("visit-link").click()
    fits(page)
    with page.expect_navigation():
        page.get_by_role("button", name="开始入户调查").click()
    fits(page)
    officer, colleague = cast.officer.full_name, cast.community_worker.full_name
    page.get_by_label(f"{colleague}（社区工作人员）").check()
    page.get_by_role("button", name="保存调查人员").click()
    page.get_by_test_id("saved-visitors").wait_for()
    for step, label in (("housing", "看住房"), ("assets", "查财产"), ("income", "问收支")):
        page.locator(f"#id_{step}-notes").fill(NOTES[step])
        page.get_by_role("button", name=f"保存「{label}」").click()
        page.get_by_test_id(f"saved-{step}").wait_for()
    page.locator("#id_neighbours-notes").fill(NOTES["neighbours"])
    page.get_by_role("button", name="保存「访邻里」").click()
    page.get_by_test_id("saved-neighbours").wait_for()
    for step in ("housing", "assets", "income", "neighbours"):
        expect(page.get_by_test_id(f"badge-{step}")).to_have_text("已填写")
    page.get_by_label(f"{officer} 已签字").check()
    page.get_by_label(f"{colleague} 已签字").check()
    page.get_by_label("签字确认的家庭成员姓名").fill(head_name)
    page.get_by_label("家庭成员已在调查表上签字确认").check()
    page.get_by_role("button", name="保存签字情况").click()
    page.get_by_test_id("saved-signatures").wait_for()
    expect(page.get_by_test_id("badge-signatures")).to_have_text("已全部签字")
    page.get_by_test_id("completion-ready").wait_for()
    fits(page)
    screenshot(page, "2-visit")
    with page.expect_navigation():
        page.get_by_role("button", name="提交，完成入户调查").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("已完成")
    fits(page)


def democratic_review(page: Any, case_no: str, community: str, panel: list[Any]) -> None:
    """Open the meeting, take the roll (4 of 5: quorum), vote 3 to 1, conclude."""
    with page.expect_navigation():
        page.get_by_test_id("review-link").click()
    fits(page)
    with page.expect_navigation():
        page.get_by_test_id("meeting-open").click()
    page.get_by_label("社区/村").select_option(label=community)
    page.get_by_label("评议地点").fill(f"{community}党群服务中心")
    page.get_by_label("主持人").fill(panel[0].name)
    fits(page)
    with page.expect_navigation():
        page.get_by_test_id("meeting-submit").click()
    assert re.search(r"/reviews/\d+/attendance/$", page.url), page.url
    fits(page)
    for member in panel[:4]:
        page.check(f"input[name=present][value='{member.pk}']")
    with page.expect_navigation():
        page.get_by_test_id("attendance-submit").click()
    summary = page.get_by_test_id("roll-summary")
    expect(summary).to_contain_text("应到 5 人，实到 4 人")
    expect(summary).to_contain_text("须至少 4 人到会")
    expect(summary).to_contain_text("已达到")
    fits(page)
    item = page.get_by_test_id("agenda-item").filter(has_text=case_no)
    with page.expect_navigation():
        item.get_by_test_id("votes-link").click()
    for member in panel[:3]:
        page.select_option(f"[name=vote_{member.pk}]", "agree")
    page.select_option(f"[name=vote_{panel[3].pk}]", "disagree")
    fits(page)
    with page.expect_navigation():
        page.get_by_test_id("votes-submit").click()
    expect(page.get_by_role("alert").first).to_contain_text("表决情况已保存")
    with page.expect_navigation():
        page.get_by_test_id("conclude").click()
    conclusion = page.get_by_test_id("conclusion")
    expect(conclusion).to_contain_text("评议通过")
    expect(conclusion).to_contain_text("同意 3 · 不同意 1 · 弃权 0 · 回避 0")
    fits(page)
    screenshot(page, "3-review")


def check_notice(page: Any, household: Household, head_name: str) -> None:
    """The 公示 as printed from the case page: masked head name, no ID number at all."""
    links = page.get_by_test_id("document-publicnotice").get_by_test_id("document-link")
    expect(links).to_have_count(2)
    hrefs = {link.inner_text().strip(): link.get_attribute("href") for link in links.all()}
    pdf = pdf_text(fetch(page, hrefs["PDF"]))
    content = fetch(page, hrefs["Word"])
    xml, words = docx_xml(content), docx_text(content)
    masked = mask_name(head_name)
    assert masked != head_name
    assert "*" in masked
    ids = [member.id_number for member in household.members.all()]
    assert ids
    assert all(len(number) == 18 for number in ids)
    for text, raw in ((squeeze(pdf), pdf), (squeeze(words), xml)):
        assert masked in text
        assert head_name not in raw
        assert head_name not in text
        assert "最低生活保障" in text
        for number in ids:
            assert number not in raw
            assert number not in text
        assert ID_PATTERN.findall(raw) == []
        assert ID_PATTERN.findall(text) == []


def test_a_dibao_application_from_the_window_to_enrolment(
    browser: Any, live_server: Any, live_cast: factories.Cast, live_county: factories.County
) -> None:
    base = live_server.url
    household = household_of(live_county)
    community = live_county.communities[0]
    officer, approver = live_cast.officer, live_cast.approver
    # the household is the officer's (A街道) and of the community whose panel meets
    assert household.community_id == community.pk
    assert household.division_path.startswith(officer.division.path)
    assert approver.pk != officer.pk
    head = household.members.get(relation=Relation.HEAD)
    assert household.review_class == "C"  # the factory's; enrolment decides anew
    violations: list[str] = []

    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=True) as traveller:
        # Setup (not a workflow step): the 民主评议小组 of A1社区.
        panel = [
            reviews.panel_member_add(actor=officer, community_id=community.pk, name=name, role=role)
            for name, role in PANEL
        ]

        with phone(browser, violations) as page:
            log_in(page, base, officer.username)
            case_no = intake(page, base, household)
            case = Case.objects.get(case_no=case_no)
            assert (case.household_id, case.programme) == (household.pk, "dibao")

            act(page, "start_investigation", "调查核实")
            with page.expect_navigation():
                page.get_by_test_id("record-data-check").click()
            expect(page.get_by_test_id("on-file-data_check")).to_be_visible()
            fits(page)

            home_visit(page, live_cast, head.name)
            visit = HomeVisit.objects.get(case=case)
            assert visit.status == VisitStatus.COMPLETED
            assert sorted(visit.visitors.values_list("user_id", "signed")) == sorted(
                [(officer.pk, True), (live_cast.community_worker.pk, True)]
            )
            assert all(visit.notes(step).strip() for step in NOTES)

            open_case(page, base, case_no)
            expect(page.get_by_test_id("on-file-home_visit")).to_be_visible()
            with page.expect_navigation():
                page.get_by_test_id("assess").click()
            expect(page.get_by_test_id("assessment-outcome")).to_have_text("符合")
            expect(page.get_by_test_id("assessment-amount")).to_have_text("1,900.00")
            fits(page)
            act(page, "complete_investigation", "民主评议")

            democratic_review(page, case_no, community.name, panel)
            open_case(page, base, case_no)
            expect(page.get_by_test_id("on-file-democratic_review_quorum")).to_be_visible()
            act(page, "record_democratic_review", "乡镇（街道）审核")
            act(page, "start_publicity", "公示中")
            expect(page.get_by_test_id("case-due")).to_have_text("2026-10-13")
            expect(page.get_by_test_id("case-deadline")).to_contain_text("公示期剩余")
            expect(page.get_by_test_id("button-close_publicity")).to_be_visible()
            screenshot(page, "4-publicity")
            check_notice(page, household, head.name)

        # Seven working days later (the National Day holiday in between), no objection.
        traveller.move_to(AFTER_PUBLICITY)
        with phone(browser, violations) as page:
            log_in(page, base, officer.username)  # the earlier session is long gone
            open_case(page, base, case_no)
            expect(page.get_by_test_id("case-deadline")).to_have_text("公示期已满，待办理")
            act(page, "close_publicity", "县级审核确认")
            # the officer prepared the case: no deciding button for them
            expect(page.get_by_test_id("button-approve")).to_have_count(0)

        case.refresh_from_db()
        with phone(browser, violations) as page:
            log_in(page, base, approver.username)
            open_case(page, base, case_no)
            if "county_check" not in case.on_file:
                # Drawn for the county's own home check (sha256 of the case number).
                assert case.spot_check
                expect(page.get_by_test_id("spot-check")).to_be_visible()
                with page.expect_navigation():
                    page.get_by_test_id("record-county-check").click()
            approve = page.get_by_test_id("action-approve")
            expect(approve).not_to_contain_text("尚缺")
            expect(approve).not_to_contain_text("经办与审批分离")
            act(page, "approve", "已纳入救助")
            expect(page.get_by_test_id("case-deadline")).to_have_text("已办结")
            expect(page.get_by_test_id("no-actions")).to_have_text("本申请已办结。")
            history = page.get_by_test_id("case-history")
            expect(history).to_contain_text("审核确认，纳入救助")
            expect(history).to_contain_text(f"{approver}（县级审批人）")
            expect(page.get_by_test_id("case-assessment")).to_contain_text("复核分类")
            expect(page.get_by_test_id("case-assessment")).to_contain_text("B 类")
            expect(page.get_by_test_id("enrolment-review-class")).to_have_text("B类（每6个月复核）")
            expect(page.get_by_test_id("next-review")).to_have_text("2027-04-14")  # six months
            screenshot(page, "5-enrolled")

            # The household page: its review class and enrolment date, the case in its history.
            with page.expect_navigation():
                page.get_by_test_id("case-household").get_by_role(
                    "link", name=household.household_no
                ).click()
            facts = page.get_by_test_id("household-detail")
            expect(facts.locator("dt:text-is('复核分类') + dd")).to_have_text("B类（每6个月复核）")
            expect(facts.locator("dt:text-is('纳入日期') + dd")).to_have_text("2026-10-14")
            expect(page.get_by_test_id("revisions")).to_contain_text(f"case:{case_no}")
            fits(page)
            screenshot(page, "6-household")

    case.refresh_from_db()
    household.refresh_from_db()
    assert (case.state, case.preparer_id) == ("enrolled", officer.pk)
    assert case.events.get(action="approve").actor_id == approver.pk
    assert (household.program, household.review_class) == ("dibao", "B")
    assert household.enrolled_on == dt.date(2026, 10, 14)
    assert casework.next_review_on(case) == dt.date(2027, 4, 14)  # class B: six months
    assert violations == []
