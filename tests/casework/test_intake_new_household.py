"""Intake (受理) for a household not yet in the registry: the household and its members
are registered and the case opened in one transaction — a refusal of either leaves
neither behind; errors are said in Chinese next to the field they concern."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework import services
from jiuzhu.casework.models import Case
from jiuzhu.domain.masking import mask_id_number
from jiuzhu.registry.models import Household, HouseholdRevision, Member
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY

pytestmark = pytest.mark.django_db

URL = "casework:case_new"


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def member_row(index: int, **values: str) -> dict[str, str]:
    row = {
        "name": "",
        "id_number": "",
        "relation": "head" if index == 0 else "child",
        "labor_ability": "full",
        "health": "healthy",
        "employment": "none",
        "disability_grade": "0",
        "disability_kind": "",
        "phone": "",
    }
    row.update(values)
    return {f"members-{index}-{key}": value for key, value in row.items()}


def new_household_data(
    where: Any, rows: list[dict[str, str]], **overrides: str | None
) -> dict[str, str]:
    data: dict[str, str | None] = {
        "household_kind": "new",
        "household": "",
        "programme": "dibao",
        "channel": "window",
        "commitment_signed": "on",
        "data_check_authorised": "on",
        "missing_materials": "",
        "community": str(where.pk),
        "grid": "",
        "address": "A1社区新桥路 12 号",
        "members-TOTAL_FORMS": str(len(rows)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "12",
        "action": "open",
    }
    for row in rows:
        data.update(row)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def two_members() -> tuple[str, str, list[dict[str, str]]]:
    head_id = factories.id_number(dt.date(1969, 4, 2))
    child_id = factories.id_number(dt.date(2009, 9, 9), female=True)
    rows = [
        member_row(0, name="郑大海", id_number=head_id, phone="13911112222"),
        member_row(1, name="郑小雨", id_number=child_id, is_student="on"),
    ]
    return head_id, child_id, rows


def totals() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        Member.objects.count(),
        HouseholdRevision.objects.count(),
        Case.objects.count(),
    )


def test_the_page_offers_a_new_household_with_the_communities_of_the_jurisdiction(
    client: Client, county: factories.County, cast: factories.Cast
) -> None:
    login(client, cast.officer)
    html = client.get(reverse(URL)).content.decode()
    assert 'value="new"' in html
    assert "新家庭" in html
    assert "在册家庭" in html
    for community in county.communities[:2]:
        assert f'<option value="{community.pk}">{community.name}（{community.code}）</option>' in (
            html
        )
    for community in county.communities[2:]:
        assert community.code not in html
    assert 'name="members-0-id_number"' in html
    assert 'name="members-1-id_number"' not in html
    assert 'data-testid="add-member"' in html


def test_a_new_household_is_registered_and_its_case_opened(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    head_id, child_id, rows = two_members()
    login(client, cast.officer)
    response = client.post(
        reverse(URL),
        new_household_data(county.communities[0], rows, grid=str(county.grids[1].pk)),
        follow=True,
    )
    case = Case.objects.get()
    assert response.redirect_chain == [(reverse("casework:case_detail", args=[case.pk]), 302)]
    household = case.household
    assert household.household_no == "DJ2026092800001"
    assert (household.community, household.grid) == (county.communities[0], county.grids[1])
    assert case.division_path == county.grids[1].path
    assert (case.state, case.programme, case.created_by_id) == (
        "accepted",
        "dibao",
        cast.officer.pk,
    )
    head, child = household.members.order_by("id")
    assert (head.id_number, head.name, head.relation, head.phone) == (
        head_id,
        "郑大海",
        "head",
        "13911112222",
    )
    assert (child.id_number, child.sex, child.is_student) == (child_id, "female", True)
    assert HouseholdRevision.objects.get(household=household).source == "intake"
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"已登记新家庭（家庭编号 DJ2026092800001）并受理，申请编号 {case.case_no}。"
    ]
    assert AuditEvent.objects.filter(action="household.create").count() == 1
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).count() == 1


def test_add_member_posts_back_one_more_row_and_creates_nothing(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    before = totals()
    login(client, cast.community_worker)
    data = new_household_data(
        county.communities[0],
        [member_row(0, name="冯一", id_number="12345")],
        household_kind="registered",
        action="add_member",
        commitment_signed=None,
    )
    response = client.post(reverse(URL), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="members-1-id_number"' in html
    assert 'value="冯一"' in html  # what was typed stays
    assert 'value="new" class="form-check-input" id="id_household_kind_1" checked' in html
    assert "invalid-feedback" not in html  # nothing was submitted yet
    assert totals() == before


def test_a_bad_id_number_leaves_neither_household_nor_case(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    before = totals()
    _head_id, child_id, rows = two_members()
    bad = child_id[:-1] + ("0" if child_id[-1] != "0" else "1")
    rows[1] = member_row(1, name="郑小雨", id_number=bad)
    login(client, cast.officer)
    response = client.post(reverse(URL), new_household_data(county.communities[0], rows))
    html = response.content.decode()
    assert response.status_code == 200
    error = re.search(r'data-testid="error-members-1-id_number">([^<]*)<', html)
    assert error is not None
    assert error.group(1) == "身份证号码校验码不正确，请核对后重新输入"
    assert "新家庭登记中有需要更正的内容" in html
    assert totals() == before
    assert not AuditEvent.objects.filter(action="household.create").exists()


def test_an_id_number_already_registered_is_refused_without_the_household(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    before = totals()
    elsewhere = county.households_in(county.townships[1])[0]
    taken = elsewhere.members.order_by("id").first()
    assert taken is not None
    rows = [member_row(0, name="何一", id_number=taken.id_number)]
    login(client, cast.officer)
    html = client.post(reverse(URL), new_household_data(county.communities[0], rows)).content
    text = html.decode()
    assert (
        f"身份证号 {mask_id_number(taken.id_number)}（脱敏）已在家庭信息库中登记，"
        "请通过家庭查询找到该家庭后受理"
    ) in text
    for revealing in (elsewhere.household_no, elsewhere.address, taken.name):
        assert revealing not in text
    assert totals() == before


def test_a_refused_case_leaves_no_orphan_household(
    client: Client,
    county: factories.County,
    cast: factories.Cast,
    monday: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = totals()
    _, _, rows = two_members()

    def refuse(**_: Any) -> Case:
        raise services.CaseRefused("该家庭已有在办的低保申请")

    monkeypatch.setattr(services, "open_case", refuse)
    login(client, cast.officer)
    response = client.post(reverse(URL), new_household_data(county.communities[0], rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "该家庭已有在办的低保申请" in html
    assert 'data-testid="intake-error"' in html
    assert totals() == before
    assert not AuditEvent.objects.filter(action="household.create").exists()


def test_form_errors_are_said_next_to_their_field(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    before = totals()
    login(client, cast.community_worker)
    url = reverse(URL)
    blank = client.post(
        url, new_household_data(county.communities[0], [member_row(0)], address="", community="")
    ).content.decode()
    assert "请选择新家庭所在的社区/村" in blank
    assert "请填写新家庭的住址" in blank
    assert "请至少填写一名家庭成员（户主）" in blank
    no_head = client.post(
        url,
        new_household_data(
            county.communities[0],
            [member_row(0, name="韩一", id_number=factories.id_number(), relation="child")],
        ),
    ).content.decode()
    assert "请指定一名户主" in no_head
    # a community of another jurisdiction is not among the choices
    foreign = client.post(
        url, new_household_data(county.communities[2], two_members()[2])
    ).content.decode()
    assert "所选社区/村不在您的辖区内" in foreign
    # a registered household is still asked for when that is the choice
    registered = client.post(
        url, new_household_data(county.communities[0], [], household_kind="registered")
    ).content.decode()
    assert "请填写申请家庭的家庭编号" in registered
    assert totals() == before


def test_a_grid_worker_gets_404(
    client: Client, county: factories.County, cast: factories.Cast
) -> None:
    before = totals()
    _, _, rows = two_members()
    login(client, cast.grid_worker)
    assert client.get(reverse(URL)).status_code == 404
    response = client.post(reverse(URL), new_household_data(county.communities[0], rows))
    assert response.status_code == 404
    assert totals() == before
