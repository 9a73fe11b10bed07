"""The casework screens: intake (受理) through the form, the case page and its buttons.

The buttons are the workflow's (`available(state, role)`); a step posted by hand
that the workflow does not allow is refused in Chinese and changes nothing; a
page left open while someone else acted gets a message, not a second step; a
case of another jurisdiction is a 404 on every casework route.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework import presenters, services
from jiuzhu.casework import urls as casework_urls
from jiuzhu.casework.models import Case, CaseEvent
from jiuzhu.config import urls as project_urls
from jiuzhu.registry.models import Household, Relation
from tests import factories
from tests.casework.support import (
    MONDAY_BEFORE_NATIONAL_DAY,
    household_of,
    open_dibao,
    step,
    to_publicity,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def detail_url(case: Case) -> str:
    return reverse("casework:case_detail", args=[case.pk])


def act(client: Client, case: Case, action: str, *, version: int, reason: str = "") -> Any:
    data = {"action": action, "version": str(version)}
    if reason:
        data["reason"] = reason
    return client.post(reverse("casework:case_act", args=[case.pk]), data, follow=True)


def page_messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def buttons(html: str) -> set[str]:
    return set(re.findall(r'data-testid="button-([a-z_]+)"', html))


def intake_data(target: Household, **overrides: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "household": target.household_no,
        "programme": "dibao",
        "channel": "window",
        "commitment_signed": "on",
        "data_check_authorised": "on",
        "missing_materials": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# -- intake --------------------------------------------------------------------------


def test_intake_through_the_form_opens_the_case_and_shows_its_page(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    household = household_of(county)
    login(client, cast.officer)
    page = client.get(reverse("casework:case_new") + f"?household={household.pk}")
    assert page.status_code == 200
    assert f'value="{household.household_no}"' in page.content.decode()
    response = client.post(
        reverse("casework:case_new"),
        intake_data(
            household,
            missing_materials="户口簿复印件\n\n  残疾证复印件  \n",
            staff_relative="on",
            staff_relative_note="申请人为社区主任之弟",
        ),
        follow=True,
    )
    case = Case.objects.get()
    assert response.redirect_chain == [(detail_url(case), 302)]
    html = response.content.decode()
    assert f"已受理，申请编号 {case.case_no}。" in page_messages(response)
    assert (case.state, case.channel, case.created_by_id) == ("accepted", "window", cast.officer.pk)
    assert case.missing_materials == ["户口簿复印件", "残疾证复印件"]
    assert (case.staff_relative, case.staff_relative_note) == (True, "申请人为社区主任之弟")
    assert "已受理" in html
    assert "2026-10-08" in html  # 3 working days: 29, 30 Sep, then 8 Oct after the holiday
    assert "剩余 3 个工作日" in html
    assert "残疾证复印件" in html
    head = household.members.get(relation=Relation.HEAD)
    assert head.name in html  # staff of the jurisdiction read names in clear (audited view)
    assert "受理申请" in html  # the history's first entry
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).count() == 1


def test_temporary_aid_intake_needs_amount_and_cause(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    household = household_of(county)
    login(client, cast.officer)
    response = client.post(
        reverse("casework:case_new"), intake_data(household, programme="temp_aid")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "临时救助须填写申请金额" in html
    assert "临时救助须选择困难事由" in html
    assert not Case.objects.exists()
    response = client.post(
        reverse("casework:case_new"),
        intake_data(
            household,
            programme="temp_aid",
            aid_amount="2850",
            aid_cause="fire",
            aid_kind="emergency",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.request == {"amount": "2850.00", "cause": "fire", "kind": "emergency"}


def test_intake_refusals_are_said_in_chinese_on_the_form(
    client: Client,
    county: factories.County,
    cast: factories.Cast,
    monday: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    household = household_of(county)
    login(client, cast.officer)
    url = reverse("casework:case_new")
    unsigned = client.post(url, intake_data(household, commitment_signed=None)).content.decode()
    assert "须由申请人签署告知承诺书" in unsigned
    proxy = client.post(url, intake_data(household, channel="proxy")).content.decode()
    assert "帮办代办须选择帮办的工作人员" in proxy
    relative = client.post(url, intake_data(household, staff_relative="on")).content.decode()
    assert "近亲属申请须说明亲属关系" in relative
    foreign = county.households_in(county.townships[1])[0]
    elsewhere = client.post(url, intake_data(foreign)).content.decode()
    assert "未找到该家庭，或该家庭不在您的辖区内" in elsewhere
    missing = client.post(url, intake_data(household, household="NO-SUCH-1")).content.decode()
    assert "未找到该家庭，或该家庭不在您的辖区内" in missing

    def refuse(**_: Any) -> Case:
        raise services.CaseRefused("该家庭已有在办的低保申请")

    monkeypatch.setattr(services, "open_case", refuse)
    refused = client.post(url, intake_data(household))
    assert refused.status_code == 200
    assert '<div class="alert alert-danger" role="alert" data-testid="intake-error">' in (
        refused.content.decode()
    )
    assert "该家庭已有在办的低保申请" in refused.content.decode()
    assert not Case.objects.exists()


def test_a_community_worker_is_the_default_proxy_and_can_open_by_proxy(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    household = Household.objects.filter(community=county.communities[0]).first()
    assert household is not None
    login(client, cast.community_worker)
    page = client.get(reverse("casework:case_new")).content.decode()
    assert f'<option value="{cast.community_worker.pk}" selected>' in page
    response = client.post(
        reverse("casework:case_new"),
        intake_data(household, channel="proxy", proxy_worker=str(cast.community_worker.pk)),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.proxy_worker_id) == ("proxy", cast.community_worker.pk)
    page = client.get(detail_url(case)).content.decode()
    assert "帮办代办人：community_a1" in page


def test_intake_is_for_officers_and_community_workers_only(
    client: Client, county: factories.County, cast: factories.Cast
) -> None:
    household = household_of(county)
    for user in (cast.approver, cast.grid_worker, cast.liaison, cast.auditor, cast.admin):
        login(client, user)
        assert client.get(reverse("casework:case_new")).status_code == 404, user.role
        response = client.post(reverse("casework:case_new"), intake_data(household))
        assert response.status_code == 404, user.role
    assert not Case.objects.exists()
    login(client, cast.other_community_worker)
    # a household of another community, named in the link: the same 404 as a missing one
    foreign = client.get(reverse("casework:case_new") + f"?household={household.pk}")
    assert foreign.status_code == 404
    assert client.get(reverse("casework:case_new") + "?household=999999").status_code == 404


# -- the case page -------------------------------------------------------------------


def test_buttons_are_those_the_workflow_offers_the_role(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    community_case = open_dibao(
        cast.community_worker,
        Household.objects.filter(community=county.communities[0]).first(),
    )
    login(client, cast.officer)
    officer_page = client.get(detail_url(case)).content.decode()
    assert buttons(officer_page) == {"request_materials", "start_investigation", "withdraw"}
    assert 'name="reason"' in officer_page  # 一次性告知 and 撤回 need a written reason
    assert 'name="version" value="1"' in officer_page
    login(client, cast.approver)
    approver_page = client.get(detail_url(case)).content.decode()
    assert buttons(approver_page) == set()
    assert "当前环节没有您可以办理的操作" in approver_page
    assert "record-data-check" not in approver_page
    assert 'data-testid="assess"' in approver_page  # the county may re-run the engine
    login(client, cast.community_worker)
    worker_page = client.get(detail_url(community_case)).content.decode()
    assert buttons(worker_page) == {"request_materials", "start_investigation", "withdraw"}
    temp = services.open_case(
        actor=cast.officer,
        household_id=household_of(county).pk,
        programme="temp_aid",
        channel="window",
        commitment_signed=True,
        data_check_authorised=True,
        request_data={"amount": "500", "cause": "fire", "kind": "emergency"},
    )
    login(client, cast.officer)
    assert "pay_first" in buttons(client.get(detail_url(temp)).content.decode())


def test_steps_from_the_buttons_move_the_case_and_keep_the_history(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    login(client, cast.officer)
    response = act(client, case, "start_investigation", version=case.version)
    assert response.redirect_chain == [(detail_url(case), 302)]
    assert "已办理“启动调查”，当前环节：调查核实。" in page_messages(response)
    case.refresh_from_db()
    assert (case.state, case.version) == ("investigating", 2)
    html = response.content.decode()
    assert buttons(html) == {"complete_investigation", "withdraw"}
    assert "尚缺：数据核对报告、入户调查记录（两人以上，四个步骤）、政策测算结果" in html

    recorded = client.post(
        reverse("casework:case_record", args=[case.pk]),
        {"requirement": "data_check", "version": str(case.version)},
        follow=True,
    )
    assert "已登记：数据核对报告。" in page_messages(recorded)
    case.refresh_from_db()
    assert "data_check" in case.on_file
    assert 'data-testid="on-file-data_check"' in recorded.content.decode()
    assert "record-data-check" not in recorded.content.decode()
    by_hand = client.post(
        reverse("casework:case_record", args=[case.pk]),
        {"requirement": "home_visit", "version": str(case.version)},
        follow=True,
    )
    assert "该前提须在对应的办理页面登记。" in page_messages(by_hand)
    case.refresh_from_db()
    assert "home_visit" not in case.on_file

    assessed = client.post(
        reverse("casework:case_assess", args=[case.pk]),
        {"version": str(case.version)},
        follow=True,
    )
    assert "已完成政策测算：符合。" in page_messages(assessed)
    html = assessed.content.decode()
    assert 'data-testid="assessment-outcome">符合' in html
    assert "1,900.00" in html  # two members without income: 950 × 2
    assert 'data-testid="assessment-summary"' in html
    assert "重新测算" in html

    case.refresh_from_db()
    withdrawn = act(client, case, "withdraw", version=case.version, reason="申请人书面撤回")
    case.refresh_from_db()
    assert case.state == "withdrawn"
    html = withdrawn.content.decode()
    assert "本申请已办结。" in html
    assert "理由：申请人书面撤回" in html
    assert "调查核实 → 已撤回" in html
    assert "officer_a（救助专干）" in html
    assert "登记数据核对报告" in html
    assert "政策测算" in html


def test_a_skipped_step_posted_by_hand_is_refused_and_changes_nothing(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    events = CaseEvent.objects.count()
    login(client, cast.approver)
    response = act(client, case, "approve", version=case.version)
    assert response.status_code == 200
    assert page_messages(response) == [
        "当前环节为“已受理”，不能执行“审核确认，纳入救助”（须按流程逐步办理）"
    ]
    case.refresh_from_db()
    assert (case.state, case.version) == ("accepted", 1)
    assert CaseEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="case.approve", result="denied").count() == 1
    login(client, cast.officer)
    for action, message in (
        ("close_publicity", "须按流程逐步办理"),
        ("request_materials", "须填写理由"),
        ("fly", "没有操作 fly"),
    ):
        refused = act(client, case, action, version=case.version)
        assert any(message in text for text in page_messages(refused)), action
    case.refresh_from_db()
    assert (case.state, case.version) == ("accepted", 1)
    assert CaseEvent.objects.count() == events


def test_a_stale_page_gets_a_message_not_a_second_step(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    login(client, cast.officer)
    seen = case.version
    step(cast.officer, case, "start_investigation")  # a colleague acts meanwhile
    response = act(client, case, "withdraw", version=seen, reason="申请人撤回")
    assert page_messages(response) == ["该申请已被他人处理，请刷新页面后查看最新环节"]
    case.refresh_from_db()
    assert (case.state, case.version) == ("investigating", 2)
    stale_assess = client.post(
        reverse("casework:case_assess", args=[case.pk]), {"version": str(seen)}, follow=True
    )
    assert page_messages(stale_assess) == ["该申请已被他人处理，请刷新页面后查看最新环节"]
    case.refresh_from_db()
    assert case.assessment_result is None
    garbled = client.post(
        reverse("casework:case_act", args=[case.pk]), {"action": "withdraw"}, follow=True
    )
    assert page_messages(garbled) == ["提交的内容不完整，请刷新页面后重试。"]
    case.refresh_from_db()
    wordy = act(client, case, "withdraw", version=case.version, reason="撤" * 1001)
    assert page_messages(wordy) == ["理由不超过 1000 字"]
    case.refresh_from_db()
    assert (case.state, case.version) == ("investigating", 2)


def test_the_preparer_is_told_a_decision_is_for_someone_else(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = services.open_case(
        actor=cast.officer,
        household_id=household_of(county).pk,
        programme="temp_aid",
        channel="window",
        commitment_signed=True,
        data_check_authorised=True,
        request_data={"amount": "1000", "cause": "fire", "kind": "emergency"},
    )
    case = step(cast.officer, case, "start_investigation")
    case = services.assess_case(actor=cast.officer, case_id=case.pk)
    case = step(cast.officer, case, "complete_investigation")
    login(client, cast.officer)
    html = client.get(detail_url(case)).content.decode()
    assert "grant_at_township" in buttons(html)
    assert "此决定须由他人作出（经办与审批分离）" in html
    response = act(client, case, "grant_at_township", version=case.version)
    assert any("经办与审批分离" in text for text in page_messages(response))
    case.refresh_from_db()
    assert case.state == "township_decision"


def case_routes() -> list[tuple[str, str]]:
    """Every casework route taking a case id (enumerated, so a new one is covered)."""
    found = []
    for entry in casework_urls.urlpatterns:
        assert isinstance(entry, URLPattern)
        if "<int:pk>" in str(entry.pattern):
            found.append((f"casework:{entry.name}", str(entry.pattern)))
    return found


def test_the_sweep_sees_every_case_route() -> None:
    names = {name for name, _ in case_routes()}
    assert {
        "casework:case_detail",
        "casework:case_act",
        "casework:case_assess",
        "casework:case_record",
        "casework:api_case_action",
    } <= names


@pytest.mark.parametrize(("name", "route"), case_routes())
def test_another_jurisdiction_gets_404_on_every_case_route(
    client: Client,
    county: factories.County,
    cast: factories.Cast,
    monday: Any,
    name: str,
    route: str,
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    url = reverse(name, args=[case.pk])
    posts = {
        "action": "start_investigation",
        "version": "1",
        "requirement": "data_check",
        "reason": "x",
    }
    outsiders = (
        cast.other_community_worker,
        factories.user("officer_b", "assistance_officer", county.townships[1]),
        cast.no_division,
        cast.liaison,
        cast.auditor,
        cast.admin,
    )
    if name != "casework:api_case_action":
        # the screens are for the roles a workflow names: a grid worker of the very
        # jurisdiction gets the same 404 (the JSON API answers it 400 role_not_allowed)
        outsiders = (*outsiders, cast.grid_worker)
    for user in outsiders:
        login(client, user)
        for response in (client.get(url), client.post(url, posts)):
            assert response.status_code in {404, 405}, (name, user.username, response.status_code)
    login(client, cast.officer)
    missing = reverse(name, args=[case.pk + 1000])
    statuses = {client.get(missing).status_code, client.post(missing, posts).status_code}
    assert 404 in statuses, statuses
    assert statuses <= {404, 405}, statuses
    case.refresh_from_db()
    assert (case.state, case.version, case.on_file) == ("accepted", 1, [])


def test_roles_outside_the_workflows_get_404_on_the_lists(
    client: Client, county: factories.County, cast: factories.Cast
) -> None:
    for user in (cast.grid_worker, cast.liaison, cast.auditor, cast.admin):
        login(client, user)
        assert client.get(reverse("casework:worklist")).status_code == 404, user.role
        response = client.post(reverse("casework:worklist_export"), {"reason": "季度核查名单"})
        assert response.status_code == 404, user.role
    client.logout()
    assert client.get(reverse("casework:worklist")).status_code == 302


def test_the_menu_shows_the_cases_link_to_the_roles_that_act(
    client: Client, county: factories.County, cast: factories.Cast
) -> None:
    for user, shown in (
        (cast.officer, True),
        (cast.community_worker, True),
        (cast.approver, True),
        (cast.grid_worker, False),
        (cast.auditor, False),
    ):
        login(client, user)
        html = client.get(reverse("accounts:password_change")).content.decode()
        assert ('data-testid="nav-cases"' in html) is shown, user.role


def test_links_to_the_visit_review_and_document_screens(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    """Linked by URL name only, and only while those apps' routes exist."""
    case = step(cast.officer, open_dibao(cast.officer, household_of(county)), "start_investigation")
    login(client, cast.officer)
    html = client.get(detail_url(case)).content.decode()
    visit = presenters.case_url("visits:visit_new", case.pk)
    if visit:
        assert f'href="{visit}" data-testid="visit-link"' in html
    else:
        assert 'data-testid="visit-link"' not in html
    assert 'data-testid="review-link"' not in html  # not needed before the review
    application = presenters.optional_url(
        "documents:render", case_pk=case.pk, kind="applicationform", fmt="pdf"
    )
    assert (f'href="{application}"' in html) is bool(application)
    assert 'data-testid="document-approval"' not in html  # nothing prepared yet
    for requirement in ("data_check", "home_visit"):
        services.record_on_file(actor=cast.officer, case_id=case.pk, requirement=requirement)
    services.assess_case(actor=cast.officer, case_id=case.pk)
    case = step(cast.officer, case, "complete_investigation")
    html = client.get(detail_url(case)).content.decode()
    review = presenters.optional_url("reviews:meeting_list")
    if review:
        assert f'href="{review}" data-testid="review-link"' in html
    else:
        assert 'data-testid="review-link"' not in html
    assert 'data-testid="visit-link"' not in html


#: The project's routes without the apps the case page links to by name (see below).
urlpatterns = [
    entry
    for entry in project_urls.urlpatterns
    if getattr(entry, "namespace", None) not in {"visits", "reviews", "documents"}
]


@pytest.mark.urls("tests.casework.test_pages")
def test_no_link_while_the_other_apps_routes_are_missing() -> None:
    assert presenters.case_url("visits:visit_new", 7) == ""
    assert presenters.optional_url("reviews:meeting_list") == ""
    assert presenters.document_links(7, ["applicationform", "approval"]) == []
    assert presenters.optional_url("casework:case_detail", pk=7) == "/cases/7/"


def test_spot_check_is_recorded_by_the_county_and_enrolment_shows_the_next_review(
    client: Any, county: Any, cast: Any
) -> None:
    """The case page carries the county's spot check and, after approval, the review date."""
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        case = services.open_case(
            actor=cast.officer,
            household_id=household_of(county).pk,
            programme="dibao",
            channel="window",
            commitment_signed=True,
            data_check_authorised=True,
            staff_relative=True,
            staff_relative_note="经办人之兄",
        )
        case = to_publicity(cast.officer, case)
        traveller.move_to(dt.datetime(2026, 10, 14, 1, tzinfo=dt.UTC))
        case = step(cast.officer, case, "close_publicity")
        client.force_login(cast.approver)
        url = reverse("casework:case_detail", args=[case.pk])
        page = client.get(url).content.decode()
        assert "县级入户抽查：经办人员近亲属申请" in page
        assert 'data-testid="record-county-check"' in page
        response = client.post(
            reverse("casework:case_record", args=[case.pk]),
            {"requirement": "county_check", "version": case.version},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert "county_check" in case.on_file
        step(cast.approver, case, "approve")
        page = client.get(url).content.decode()
        assert (
            '复核分类 <span data-testid="enrolment-review-class">B类（每6个月复核）</span>' in page
        )
        assert '<span data-testid="next-review">2027-04-14</span>' in page
        client.force_login(cast.officer)  # the township cannot record the county's check
        other = services.open_case(
            actor=cast.officer,
            household_id=household_of(county).pk,
            programme="dibao",
            channel="window",
            commitment_signed=True,
            data_check_authorised=True,
        )
        refused = client.post(
            reverse("casework:case_record", args=[other.pk]),
            {"requirement": "county_check", "version": other.version},
        )
        assert refused.status_code == 404
