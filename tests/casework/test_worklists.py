"""Worklists (我的待办、即将到期、已超期、汇总), their filters, the Excel export, and
the query bound: a page costs the same number of SQL queries for 5 cases as for
200 (and, on PostgreSQL, for thousands across many households).

Cases are written with `bulk_create` (state, deadline and one history entry
each) so that hundreds cost milliseconds; the workflow itself is tested in
test_dibao_case.py and test_pages.py.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator, Sequence
from typing import Any

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework.models import Case, CaseEvent
from jiuzhu.core import clock
from jiuzhu.domain.identity import check_character
from jiuzhu.domain.masking import mask_name
from jiuzhu.registry.models import Household, Member, Relation
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY

pytestmark = pytest.mark.django_db

#: Cases of the PostgreSQL bound test, over SCALE/2 households: 200,000 cases in 100,000
#: households as the issue asks (about a minute); JIUZHU_WORKLIST_SCALE=2000 for a quick run.
SCALE = int(os.environ.get("JIUZHU_WORKLIST_SCALE", "200000"))
TODAY = dt.date(2026, 9, 28)  # Monday; 1–7 October is the National Day holiday
#: (programme, state) and due-date offsets cycled by `bulk_cases`.
PATTERN = [
    ("dibao", "accepted"),
    ("dibao", "investigating"),
    ("dibao", "county_review"),
    ("dibao", "publicity"),
    ("temp_aid", "township_decision"),
    ("dibao", "enrolled"),
]
OFFSETS: list[int | None] = [-3, 0, 1, 10, None]
_serial = iter(range(1, 10**6))


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def new_case(
    household: Household,
    *,
    state: str,
    programme: str = "dibao",
    due_on: dt.date | None = None,
    actor: Any,
    minutes_ago: int = 0,
) -> Case:
    return Case(
        case_no=f"JZ{TODAY:%Y%m%d}{next(_serial):05d}",
        programme=programme,
        household=household,
        division_path=household.division_path,
        channel="window",
        commitment_signed=True,
        data_check_authorised=True,
        state=state,
        state_entered_on=TODAY,
        due_on=due_on,
        created_by=actor,
        created_at=clock.now() - dt.timedelta(minutes=minutes_ago),
        updated_at=clock.now(),
    )


def save_cases(cases: list[Case], actors: Sequence[Any]) -> list[Case]:
    """Insert the cases with one 受理 history entry each (actors taken in turn)."""
    Case.objects.bulk_create(cases, batch_size=500)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                at=case.created_at,
                actor=actors[i % len(actors)],
                actor_role=actors[i % len(actors)].role,
                action="open",
                from_state="",
                to_state=case.state,
            )
            for i, case in enumerate(cases)
        ],
        batch_size=500,
    )
    return cases


def bulk_cases(households: Sequence[Household], actors: Sequence[Any], n: int) -> list[Case]:
    cases = []
    for i in range(n):
        programme, state = PATTERN[i % len(PATTERN)]
        offset = OFFSETS[i % len(OFFSETS)]
        final = state == "enrolled"
        due = None if final or offset is None else TODAY + dt.timedelta(days=offset)
        cases.append(
            new_case(
                households[i % len(households)],
                state=state,
                programme=programme,
                due_on=due,
                actor=actors[0],
                minutes_ago=i,
            )
        )
    return save_cases(cases, actors)


def bulk_households(county: factories.County, n: int) -> list[Household]:
    """`n` households with a head each, spread over the county's communities (bulk insert)."""
    now = clock.now()
    households = []
    for i in range(n):
        grid = county.grids[i % len(county.grids)]
        assert grid.parent is not None
        households.append(
            Household(
                household_no=f"S{i:07d}",
                community=grid.parent,
                grid=grid,
                division_path=grid.path,
                address=f"{grid.parent.name}幸福路{i}号",
                created_at=now,
                updated_at=now,
            )
        )
    Household.objects.bulk_create(households, batch_size=500)
    members = []
    for i, household in enumerate(households):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=i)
        first17 = f"510199{birth:%Y%m%d}{i % 1000:03d}"
        members.append(
            Member(
                household=household,
                id_number=first17 + check_character(first17),
                name=f"{'赵钱孙李周吴郑王'[i % 8]}{'小大'[i % 2]}{'明芳强丽军'[i % 5]}",
                relation=Relation.HEAD,
                birth_date=birth,
                sex="male",
                labor_ability="full",
            )
        )
    Member.objects.bulk_create(members, batch_size=500)
    return households


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def row_case_nos(response: Any) -> list[str]:
    return [row["case_no"] for row in response.context["rows"]]


TAB_URLS = [
    "?tab=todo",
    "?tab=due_soon",
    "?tab=overdue",
    "?tab=all",
    "?tab=all&sort=case_no",
    "?tab=summary",
]


# -- tabs and filters ----------------------------------------------------------------


@pytest.fixture
def spread(county: factories.County, cast: factories.Cast, monday: Any) -> dict[str, Case]:
    """One case per situation; A1/A2 are the officer's, B1 is another township's."""
    a1 = county.households_in(county.communities[0])
    a2 = county.households_in(county.communities[1])
    b1 = county.households_in(county.communities[2])
    officer = cast.officer
    cases = {
        "overdue": new_case(a1[0], state="accepted", due_on=dt.date(2026, 9, 25), actor=officer),
        "no_deadline": new_case(a1[1], state="investigating", actor=officer, minutes_ago=5),
        "county_soon": new_case(
            a2[0], state="county_review", due_on=dt.date(2026, 9, 29), actor=officer
        ),
        "enrolled": new_case(a2[1], state="enrolled", actor=officer, minutes_ago=50),
        "temp_later": new_case(
            a2[2],
            state="township_decision",
            programme="temp_aid",
            due_on=dt.date(2026, 10, 8),
            actor=officer,
            minutes_ago=2,
        ),
        "publicity_today": new_case(
            a2[3], state="publicity", due_on=TODAY, actor=officer, minutes_ago=10
        ),
        "elsewhere": new_case(
            b1[0], state="accepted", due_on=dt.date(2026, 9, 25), actor=cast.approver
        ),
    }
    save_cases(list(cases.values()), [officer])
    return cases


def nos(spread: dict[str, Case], *keys: str) -> set[str]:
    return {spread[key].case_no for key in keys}


def test_tabs_for_the_officer(
    client: Client, cast: factories.Cast, spread: dict[str, Case]
) -> None:
    login(client, cast.officer)
    url = reverse("casework:worklist")
    todo = client.get(url)  # the default tab
    assert set(row_case_nos(todo)) == nos(
        spread, "overdue", "no_deadline", "temp_later", "publicity_today"
    )
    assert todo.context["counts"] == {"todo": 4, "due_soon": 2, "overdue": 1, "all": 6}
    soon = client.get(url + "?tab=due_soon")
    assert set(row_case_nos(soon)) == nos(spread, "county_soon", "publicity_today")
    wider = client.get(url + "?tab=due_soon&days=3")  # 29, 30 Sep, 8 Oct
    assert set(row_case_nos(wider)) == nos(spread, "county_soon", "publicity_today", "temp_later")
    overdue = client.get(url + "?tab=overdue")
    assert row_case_nos(overdue) == [spread["overdue"].case_no]
    html = overdue.content.decode()
    assert "已超期" in html
    everything = client.get(url + "?tab=all")
    assert spread["elsewhere"].case_no not in everything.content.decode()
    assert len(everything.context["rows"]) == 6


def test_tabs_for_the_approver_and_the_community_worker(
    client: Client, cast: factories.Cast, spread: dict[str, Case]
) -> None:
    login(client, cast.approver)
    url = reverse("casework:worklist")
    # county review, and 临时救助 at the township (the county may refuse it there too)
    assert set(row_case_nos(client.get(url))) == nos(spread, "county_soon", "temp_later")
    overdue = client.get(url + "?tab=overdue")
    assert set(row_case_nos(overdue)) == nos(spread, "overdue", "elsewhere")  # the whole county
    login(client, cast.community_worker)  # community A1 only
    assert set(row_case_nos(client.get(url))) == nos(spread, "overdue", "no_deadline")
    assert set(row_case_nos(client.get(url + "?tab=all"))) == nos(spread, "overdue", "no_deadline")


def test_filters_and_sorting(
    client: Client, county: factories.County, cast: factories.Cast, spread: dict[str, Case]
) -> None:
    login(client, cast.officer)
    url = reverse("casework:worklist") + "?tab=all"
    temp = client.get(url + "&programme=temp_aid")
    assert row_case_nos(temp) == [spread["temp_later"].case_no]
    state = client.get(url + "&state=publicity")
    assert row_case_nos(state) == [spread["publicity_today"].case_no]
    a2 = client.get(url + f"&community={county.communities[1].pk}")
    assert set(row_case_nos(a2)) == nos(
        spread, "county_soon", "enrolled", "temp_later", "publicity_today"
    )
    by_due = row_case_nos(client.get(url))
    assert by_due[:4] == [
        spread[key].case_no for key in ("overdue", "publicity_today", "county_soon", "temp_later")
    ]  # then the cases without a deadline
    assert row_case_nos(client.get(url + "&sort=case_no")) == sorted(by_due)
    received = row_case_nos(client.get(url + "&sort=received"))
    assert received[0] in nos(spread, "overdue", "county_soon")  # opened last
    assert received[-1] == spread["enrolled"].case_no  # 50 minutes earlier
    # a community of another township or nonsense falls back to the defaults, never widens
    foreign = client.get(url + f"&community={county.communities[2].pk}&sort=drop&days=x")
    assert len(foreign.context["rows"]) == 6
    assert spread["elsewhere"].case_no not in foreign.content.decode()


def test_rows_show_state_deadline_and_the_head_as_the_role_may_see_it(
    client: Client, county: factories.County, cast: factories.Cast, spread: dict[str, Case]
) -> None:
    login(client, cast.officer)
    response = client.get(reverse("casework:worklist") + "?tab=all")
    html = response.content.decode()
    head = spread["overdue"].household.members.get(relation=Relation.HEAD)
    assert head.name in html  # names in clear for the staff of the jurisdiction
    assert "公示期今日届满" in html
    assert "剩余 1 个工作日" in html  # county review due on the 29th
    assert "剩余 3 个工作日" in html  # 29, 30 Sep, 8 Oct
    assert "本环节无办理时限" in html
    assert "乡镇（街道）审批" in html
    assert head.id_number not in html


def test_pagination_is_fifty_a_page(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    bulk_cases(county.households_in(county.townships[0]), [cast.officer], 120)
    login(client, cast.officer)
    url = reverse("casework:worklist") + "?tab=all&sort=case_no"
    first = client.get(url)
    assert len(first.context["rows"]) == 50
    assert "第 1/3 页" in first.content.decode()
    assert 'data-testid="next-page"' in first.content.decode()
    last = client.get(url + "&page=3")
    assert len(last.context["rows"]) == 20
    assert client.get(url + "&page=999").context["page"].number == 3


def test_the_summary_counts_by_state_and_by_last_actor(
    client: Client, county: factories.County, cast: factories.Cast, spread: dict[str, Case]
) -> None:
    case = spread["no_deadline"]
    CaseEvent.objects.create(
        case=case,
        at=clock.now() + dt.timedelta(minutes=1),
        actor=cast.community_worker,
        actor_role="community_worker",
        action="record_data_check",
        from_state=case.state,
        to_state=case.state,
    )
    login(client, cast.officer)
    response = client.get(reverse("casework:worklist") + "?tab=summary")
    states = {(s.programme, s.state): s.count for s in response.context["states"]}
    assert states == {
        ("dibao", "accepted"): 1,
        ("dibao", "investigating"): 1,
        ("dibao", "county_review"): 1,
        ("dibao", "publicity"): 1,
        ("dibao", "enrolled"): 1,
        ("temp_aid", "township_decision"): 1,
    }
    actors = {a.name: a.count for a in response.context["actors"]}
    assert actors == {"officer_a": 4, "community_a1": 1}  # open cases only
    html = response.content.decode()
    assert "县级审核确认" in html
    assert "社区工作人员" in html


# -- the query bound -------------------------------------------------------------------


def test_a_page_costs_the_same_queries_for_5_and_for_200_cases(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    households = county.households_in(county.townships[0])
    actors = [cast.officer, cast.community_worker]
    bulk_cases(households, actors, 5)
    login(client, cast.officer)
    url = reverse("casework:worklist")
    queries_of(client, url)  # warm the session and content types
    few = {tab: queries_of(client, url + tab) for tab in TAB_URLS}
    bulk_cases(households, actors, 195)
    many = {tab: queries_of(client, url + tab) for tab in TAB_URLS}
    assert many == few
    assert len(client.get(url + "?tab=all").context["rows"]) == 50
    assert max(few.values()) <= 25


@pytest.mark.postgres_only
def test_worklist_queries_stay_bounded_with_many_households(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    """SCALE cases over SCALE/2 new households in every community (bulk inserted)."""
    if connection.vendor != "postgresql":
        pytest.skip("the scale run is for PostgreSQL")
    households = bulk_households(county, max(SCALE // 2, 10))
    actors = [cast.officer, cast.community_worker, cast.approver]
    bulk_cases(households[:5], actors, 5)
    url = reverse("casework:worklist")
    for user in (cast.officer, cast.approver):
        login(client, user)
        queries_of(client, url)
    login(client, cast.approver)
    few = {tab: queries_of(client, url + tab) for tab in TAB_URLS}
    bulk_cases(households, actors, SCALE)
    many = {tab: queries_of(client, url + tab) for tab in TAB_URLS}
    assert many == few
    response = client.get(url + "?tab=all&page=7")
    assert len(response.context["rows"]) == 50
    assert response.context["counts"]["all"] == SCALE + 5
    login(client, cast.community_worker)
    mine = client.get(url + "?tab=all").context["counts"]["all"]
    in_a1 = Case.objects.filter(division_path__startswith=county.communities[0].path).count()
    assert mine == in_a1 < SCALE


# -- the Excel export ------------------------------------------------------------------


def workbook_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_export_is_the_filtered_list_with_masked_names_and_is_audited(
    client: Client, county: factories.County, cast: factories.Cast, spread: dict[str, Case]
) -> None:
    login(client, cast.officer)
    response = client.post(
        reverse("casework:worklist_export"),
        {"tab": "all", "community": str(county.communities[1].pk), "reason": "本周到期件督办"},
    )
    rows = workbook_rows(response)
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert "导出人：officer_a" in rows[0][0]
    assert "本周到期件督办" in rows[0][0]
    assert rows[1][:6] == ["申请编号", "救助项目", "当前环节", "社区/村", "家庭编号", "户主姓名"]
    body = rows[2:]
    expected = nos(spread, "county_soon", "enrolled", "temp_later", "publicity_today")
    assert {line[0] for line in body} == expected
    text = repr(rows)
    for key in ("county_soon", "enrolled", "temp_later", "publicity_today"):
        head = spread[key].household.members.get(relation=Relation.HEAD)
        assert head.name not in text
        assert mask_name(head.name) in text
        assert head.id_number not in text
        assert head.phone not in text
        assert spread[key].household.address not in text
    event = AuditEvent.objects.get(action="case.export")
    assert event.details["rows"] == 4
    assert event.details["reason"] == "本周到期件督办"
    assert event.details["community"] == county.communities[1].code
    assert event.details["format"] == "xlsx"


def test_the_export_needs_a_reason_and_stays_in_the_jurisdiction(
    client: Client, county: factories.County, cast: factories.Cast, spread: dict[str, Case]
) -> None:
    login(client, cast.officer)
    url = reverse("casework:worklist_export")
    refused = client.post(url, {"tab": "overdue", "programme": "dibao", "reason": ""}, follow=True)
    assert refused.redirect_chain[0][0] == (
        reverse("casework:worklist") + "?tab=overdue&programme=dibao"
    )
    assert "未导出：请填写导出用途" in [str(m) for m in refused.context["messages"]]
    assert not AuditEvent.objects.filter(action="case.export").exists()
    login(client, cast.community_worker)
    rows = workbook_rows(client.post(url, {"tab": "all", "reason": "社区在办件核对"}))
    assert {line[0] for line in rows[2:]} == nos(spread, "overdue", "no_deadline")
    assert spread["elsewhere"].case_no not in repr(rows)
