"""Registry screens: masking per role, audited reveal, search, detail, export, import status.

Expected masked forms are written out by hand here (first 3 + last 4 of an ID
on staff screens, first 1 + last 1 for partner departments, 3 + 4 for phones)
rather than computed by the code under test.

Field policy: staff (officer, approver, community and grid worker) read names and
addresses in clear (FULL, no reveal control; the page view is audited as
household.view); the department liaison sees them masked. ID numbers, phones,
bank accounts and health are masked, revealable or hidden per role.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests import factories

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core import clock
from jiuzhu.core.keys import blind_index
from jiuzhu.core.permissions import Role
from jiuzhu.domain.masking import MaskLevel, mask_id_number
from jiuzhu.registry.exports import neutralise
from jiuzhu.registry.models import (
    Asset,
    Household,
    ImportBatch,
    ImportStatus,
    Income,
    Member,
    Relation,
    RigidExpense,
)

pytestmark = pytest.mark.django_db


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def head(household: Household) -> Member:
    return household.members.get(relation=Relation.HEAD)


def screen_mask(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def public_mask(number: str) -> str:
    return number[0] + "*" * (len(number) - 2) + number[-1]


def phone_mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def name_mask(name: str) -> str:
    """Three-character names (all the factory makes): first and last kept, one star."""
    assert len(name) == 3, name
    return name[0] + "*" + name[-1]


def address_mask(household: Household) -> str:
    """Factory addresses start with the community name: kept up to it, the rest ***."""
    assert household.address.startswith(household.community.name)
    assert len(household.address) > len(household.community.name)
    return household.community.name + "***"


def household_reveal_url(household: Household, field: str) -> str:
    return reverse("registry:household_reveal", args=[household.pk, field])


def detail_url(household: Household) -> str:
    return reverse("registry:household_detail", args=[household.pk])


def reveal_url(household: Household, member: Member, field: str) -> str:
    return reverse("registry:member_reveal", args=[household.pk, member.pk, field])


def audit_dump() -> str:
    return json.dumps(list(AuditEvent.objects.values("details", "object_id")), ensure_ascii=False)


def search(client: Client, q: str, **extra: str):
    return client.post(reverse("registry:household_search"), {"q": q, **extra})


def result_numbers(response) -> set[str]:
    html = response.content.decode()
    return {hh.household_no for hh in Household.objects.all() if f">{hh.household_no}<" in html}


# ---------------------------------------------------------------- masking per role


def test_grid_worker_sees_masked_ids_and_never_a_clear_one(client, cast, county):
    hh = county.households_in(county.grids[0])[0]
    response = login(client, cast.grid_worker).get(detail_url(hh))
    assert response.status_code == 200
    html = response.content.decode()
    for member in hh.members.all():
        assert member.id_number not in html
        assert screen_mask(member.id_number) in html
        # …exactly what the one masking module produces for staff screens
        assert mask_id_number(member.id_number, level=MaskLevel.SCREEN) == screen_mask(
            member.id_number
        )
        assert member.phone not in html
        assert phone_mask(member.phone) in html
    # ID numbers cannot be revealed by a grid worker: no control for them
    assert 'data-testid="reveal-id_number-' not in html


@pytest.mark.parametrize("who", ["officer", "approver", "community_worker", "grid_worker"])
def test_staff_read_names_and_address_in_clear_without_a_reveal_control(client, cast, county, who):
    hh = county.households_in(county.grids[0])[0]
    response = login(client, getattr(cast, who)).get(detail_url(hh))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="masked-address-h">{hh.address}</span>' in html
    assert address_mask(hh) not in html
    for member in hh.members.all():
        assert f'data-testid="masked-name-{member.pk}">{member.name}</span>' in html
        assert name_mask(member.name) not in html
        # FULL is not REVEAL: no "显示完整" control and no reveal URL for a name…
        assert f'data-testid="reveal-name-{member.pk}"' not in html
        assert reveal_url(hh, member, "name") not in html
        # …while the ID number stays masked
        assert member.id_number not in html
        assert screen_mask(member.id_number) in html
    assert 'data-testid="reveal-address-h"' not in html
    assert household_reveal_url(hh, "address") not in html
    # the page view itself is the audit record for reading them
    event = AuditEvent.objects.get(action="household.view", result="ok")
    assert event.username == getattr(cast, who).username
    assert event.object_id == str(hh.pk)
    assert hh.address not in audit_dump()


def test_grid_worker_never_sees_a_bank_account(client, cast, county):
    hh = county.households_in(county.grids[0])[0]
    html = login(client, cast.grid_worker).get(detail_url(hh)).content.decode()
    assert hh.bank_account not in html
    assert hh.bank_account[-4:] + "<" not in html  # not even the masked tail
    assert "银行账号" not in html
    assert "household-bank" not in html


def test_grid_worker_sees_health_only_as_registered(client, cast, county):
    hh = county.households_in(county.grids[0])[0]
    member = head(hh)
    member.health = "serious"
    member.disability_kind = "mental"
    member.disability_grade = 2
    member.save()
    html = login(client, cast.grid_worker).get(detail_url(hh)).content.decode()
    assert "已登记" in html
    assert "重病" not in html
    assert "精神" not in html


def test_liaison_sees_no_health_nor_disability_and_public_masks(client, cast, county):
    hh = county.households[0]
    member = head(hh)
    member.health = "chronic"
    member.disability_kind = "visual"
    member.disability_grade = 3
    member.save()
    RigidExpense.objects.create(
        household=hh,
        member=member,
        kind="medical",
        incurred_on=clock.today(),
        amount=Decimal("3456.78"),
        note="住院自付",
        recorded_at=clock.now(),
    )
    html = login(client, cast.liaison).get(detail_url(hh)).content.decode()
    assert "健康" not in html
    assert "残疾" not in html
    assert "慢性病" not in html
    assert "视力" not in html
    assert "3456.78" not in html
    assert "住院自付" not in html
    assert "医疗" not in html
    assert "member-health" not in html
    assert public_mask(member.id_number) in html
    assert member.id_number not in html
    assert phone_mask(member.phone) in html
    assert member.phone not in html
    assert hh.bank_account not in html
    # names and the address stay masked for the partner department
    for each in hh.members.all():
        assert each.name not in html
        assert f'data-testid="masked-name-{each.pk}">{name_mask(each.name)}</span>' in html
    assert hh.address not in html
    assert f'data-testid="masked-address-h">{address_mask(hh)}</span>' in html
    assert "显示完整" not in html  # nothing the liaison may reveal


def test_officer_gets_masked_values_with_reveal_controls(client, cast, county):
    hh = county.households_in(county.townships[0])[0]
    member = head(hh)
    html = login(client, cast.officer).get(detail_url(hh)).content.decode()
    assert member.id_number not in html
    assert screen_mask(member.id_number) in html
    assert reveal_url(hh, member, "id_number") in html
    assert reveal_url(hh, member, "phone") in html
    assert household_reveal_url(hh, "bank_account") in html
    assert hh.bank_account not in html
    assert "*" * 14 + hh.bank_account[-4:] in html
    assert member.phone not in html
    assert phone_mask(member.phone) in html
    # names and the address are in clear: nothing to reveal there
    assert member.name in html
    assert hh.address in html
    assert reveal_url(hh, member, "name") not in html
    assert household_reveal_url(hh, "address") not in html


def test_no_inline_script_or_handlers(client, cast, county):
    hh = county.households_in(county.townships[0])[0]
    html = login(client, cast.officer).get(detail_url(hh)).content.decode()
    assert "<script>" not in html
    for handler in ("onclick=", "onload=", "onsubmit=", "onchange="):
        assert handler not in html
    assert "hx-post=" in html


# ---------------------------------------------------------------- reveal


def test_reveal_is_audited_and_returns_the_clear_value(client, cast, county):
    hh = county.households_in(county.townships[0])[0]
    member = head(hh)
    login(client, cast.officer)
    response = client.post(reveal_url(hh, member, "id_number"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert member.id_number in response.content.decode()
    assert "<html" not in response.content.decode()  # a fragment for htmx
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="household.reveal")
    assert event.username == cast.officer.username
    assert event.object_id == str(hh.pk)
    assert event.details["field"] == "id_number"
    assert member.id_number not in audit_dump()


def test_reveal_of_household_fields(client, cast, county):
    hh = county.households_in(county.townships[0])[0]
    login(client, cast.officer)
    response = client.post(reverse("registry:household_reveal", args=[hh.pk, "bank_account"]))
    assert response.status_code == 200
    assert hh.bank_account in response.content.decode()
    assert AuditEvent.objects.filter(
        action="household.reveal", details__field="bank_account"
    ).exists()
    assert hh.bank_account not in audit_dump()


@pytest.mark.parametrize(
    ("who", "field"),
    [
        ("grid_worker", "id_number"),  # MASKED
        ("grid_worker", "health"),  # MASKED
        ("community_worker", "id_number"),  # MASKED
        ("liaison", "phone"),  # MASKED
        ("liaison", "health"),  # HIDDEN
        ("liaison", "name"),  # MASKED
        ("officer", "name"),  # FULL: shown in clear, nothing to reveal
        ("approver", "name"),  # FULL
        ("community_worker", "name"),  # FULL
        ("grid_worker", "name"),  # FULL
        ("auditor", "name"),  # no permission at all
        ("officer", "password"),  # not a sensitive field
        ("officer", "bank_account"),  # a household field, not a member one
    ],
)
def test_reveal_refused_with_404(client, cast, county, who, field):
    hh = county.households_in(county.grids[0])[0]
    member = head(hh)
    login(client, getattr(cast, who))
    response = client.post(reveal_url(hh, member, field))
    assert response.status_code == 404
    assert member.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="household.reveal").exists()


ALL_USERS = [
    "officer",
    "community_worker",
    "grid_worker",
    "approver",
    "liaison",
    "auditor",
    "admin",
    "other_community_worker",
    "no_division",
]


@pytest.mark.parametrize("who", ALL_USERS)
def test_nobody_can_reveal_an_address_or_a_name(client, cast, county, who):
    """No role has REVEAL on the address or a name (staff: FULL, liaison: MASKED, the rest
    nothing): the reveal routes answer 404 for every user and write no reveal row."""
    assert sorted(ALL_USERS) == sorted(f.name for f in dataclasses.fields(cast))
    hh = county.households_in(county.grids[0])[0]
    member = head(hh)
    login(client, getattr(cast, who))
    for url in (household_reveal_url(hh, "address"), reveal_url(hh, member, "name")):
        response = client.post(url)
        assert response.status_code == 404, (who, url)
        body = response.content.decode()
        assert hh.address not in body
        assert member.name not in body
    assert not AuditEvent.objects.filter(action="household.reveal").exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("officer", True),  # REVEAL
        ("approver", True),  # REVEAL
        ("community_worker", False),  # MASKED
        ("grid_worker", False),  # HIDDEN
        ("liaison", False),  # HIDDEN
    ],
)
def test_bank_account_reveal_per_role(client, cast, county, who, allowed):
    hh = county.households_in(county.grids[0])[0]
    response = login(client, getattr(cast, who)).post(household_reveal_url(hh, "bank_account"))
    revealed = AuditEvent.objects.filter(action="household.reveal", details__field="bank_account")
    if allowed:
        assert response.status_code == 200
        assert hh.bank_account in response.content.decode()
        assert revealed.count() == 1
    else:
        assert response.status_code == 404
        assert hh.bank_account not in response.content.decode()
        assert not revealed.exists()


def test_reveal_allowed_for_grid_worker_phone(client, cast, county):
    hh = county.households_in(county.grids[0])[0]
    member = head(hh)
    response = login(client, cast.grid_worker).post(reveal_url(hh, member, "phone"))
    assert response.status_code == 200
    assert member.phone in response.content.decode()


def test_reveal_needs_post_and_the_member_of_that_household(client, cast, county):
    own, other = county.households_in(county.townships[0])[:2]
    login(client, cast.officer)
    assert client.get(reveal_url(own, head(own), "id_number")).status_code == 405
    # a member id of another household under this household's id
    mixed = reverse("registry:member_reveal", args=[own.pk, head(other).pk, "id_number"])
    assert client.post(mixed).status_code == 404


def test_reveal_checks_csrf(cast, county):
    hh = county.households_in(county.townships[0])[0]
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(cast.officer)
    assert csrf_client.post(reveal_url(hh, head(hh), "id_number")).status_code == 403
    # the detail page carries the token the htmx form sends
    page = csrf_client.get(detail_url(hh)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = csrf_client.post(
        reveal_url(hh, head(hh), "id_number"), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200


# ---------------------------------------------------------------- search


def test_search_by_exact_id_number_uses_the_blind_index(client, cast, county):
    target = county.households_in(county.townships[0])[3]
    member = target.members.exclude(relation=Relation.HEAD).first()
    login(client, cast.officer)
    expected_index = blind_index(member.id_number, purpose="id_number")
    with CaptureQueriesContext(connection) as queries:
        response = search(client, " " + member.id_number.lower() + " ")
    assert response.status_code == 200
    assert result_numbers(response) == {target.household_no}
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert expected_index in sql
    assert member.id_number not in sql
    # the typed ID is not echoed back in clear
    assert member.id_number not in response.content.decode()
    event = AuditEvent.objects.filter(action="household.search").latest("seq")
    assert event.details["kind"] == "id_number"
    assert member.id_number not in audit_dump()
    assert member.id_number.lower() not in audit_dump()


def test_search_by_id_outside_the_jurisdiction_finds_nothing(client, cast, county):
    foreign = county.households_in(county.communities[2])[0]
    response = search(login(client, cast.community_worker), head(foreign).id_number)
    assert result_numbers(response) == set()
    assert "没有找到" in response.content.decode()


def test_search_by_name(client, cast, county):
    target = county.households_in(county.communities[0])[2]
    response = search(login(client, cast.community_worker), head(target).name)
    assert response.status_code == 200
    assert result_numbers(response) == {target.household_no}
    event = AuditEvent.objects.filter(action="household.search").latest("seq")
    assert event.details["kind"] == "text"
    assert head(target).name not in audit_dump()


def test_search_by_address(client, cast, county):
    target = county.households_in(county.communities[0])[1]
    target.address = "A1社区梧桐巷77号"
    target.save()
    response = search(login(client, cast.community_worker), "梧桐巷")
    assert result_numbers(response) == {target.household_no}


def test_search_lists_the_jurisdiction_with_head_names_in_clear(client, cast, county):
    response = login(client, cast.grid_worker).get(reverse("registry:household_search"))
    assert response.status_code == 200
    expected = county.households_in(county.grids[0])
    assert result_numbers(response) == {h.household_no for h in expected}
    html = response.content.decode()
    for hh in expected:
        name = head(hh).name
        assert f'data-testid="result-head">{name}</span>' in html
        assert name_mask(name) not in html
        for member in hh.members.all():
            assert member.id_number not in html
    assert "dibao" not in html
    assert "最低生活保障" in html


def test_search_lists_masked_head_names_for_the_liaison(client, cast, county):
    response = login(client, cast.liaison).get(reverse("registry:household_search"))
    assert response.status_code == 200
    assert result_numbers(response) == {h.household_no for h in county.households}
    html = response.content.decode()
    for hh in county.households:
        name = head(hh).name
        assert name not in html
        assert f'data-testid="result-head">{name_mask(name)}</span>' in html


def test_search_results_are_paginated_by_20(client, cast, county):
    for _ in range(22):
        factories.household(county.communities[0], county.grids[1], members=1, name_prefix="孔")
    login(client, cast.community_worker)
    first = search(client, "孔")
    assert len(result_numbers(first)) == 20
    assert "1/2" in first.content.decode()
    second = search(client, "孔", page="2")
    assert len(result_numbers(second)) == 2


def test_search_htmx_returns_the_results_partial(client, cast, county):
    response = login(client, cast.community_worker).post(
        reverse("registry:household_search"), {"q": ""}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html


def test_community_select_offers_only_the_users_communities(client, cast, county):
    html = login(client, cast.officer).get(reverse("registry:household_search")).content.decode()
    assert "A1社区" in html
    assert "A2社区" in html
    assert "B1社区" not in html
    assert "B2社区" not in html
    foreign = county.communities[2]
    response = client.get(reverse("registry:household_search"), {"community": foreign.pk})
    assert result_numbers(response) == set()


def test_search_with_community_filter(client, cast, county):
    a2 = county.communities[1]
    response = login(client, cast.officer).get(
        reverse("registry:household_search"), {"community": a2.pk}
    )
    assert result_numbers(response) == {h.household_no for h in county.households_in(a2)}


def test_no_query_text_in_urls(client, cast, county):
    """The page never builds a URL holding the query (security.md §D.20)."""
    for _ in range(21):
        factories.household(county.communities[0], county.grids[0], members=1, name_prefix="孔")
    html = search(login(client, cast.officer), "孔").content.decode()
    assert "q=" not in html
    assert 'method="post"' in html


# ---------------------------------------------------------------- detail


def test_detail_shows_members_incomes_assets_expenses_history(client, cast, county):
    hh = county.households_in(county.townships[0])[0]
    member = head(hh)
    today = clock.today()
    this_month = today.replace(day=1)
    Income.objects.create(
        household=hh,
        member=member,
        month=this_month,
        category="wage",
        amount=Decimal("1234.56"),
        recorded_at=clock.now(),
    )
    Income.objects.create(
        household=hh,
        month=dt.date(today.year - 2, 1, 1),
        category="business",
        amount=Decimal("9999.01"),
        recorded_at=clock.now(),
    )
    Asset.objects.create(
        household=hh,
        kind="vehicle",
        description="二手面包车",
        value=Decimal("18000.00"),
        valid_from=dt.date(2023, 1, 1),
        recorded_at=clock.now(),
    )
    RigidExpense.objects.create(
        household=hh,
        kind="education",
        incurred_on=today,
        amount=Decimal("800.00"),
        note="学杂费",
        recorded_at=clock.now(),
    )
    hh.revisions.create(
        version=2, recorded_at=clock.now(), source="roster_import", summary="更新住址", snapshot={}
    )
    response = login(client, cast.officer).get(detail_url(hh))
    html = response.content.decode()
    assert html.count('data-testid="member-card"') == hh.members.count()
    assert "户主" in html
    assert "配偶" in html
    assert "1234.56" in html
    assert "工资性收入" in html
    assert "9999.01" not in html  # older than 12 months
    assert "二手面包车" in html
    assert "18000.00" in html
    assert "学杂费" in html
    assert "800.00" in html
    assert "roster_import" in html
    assert "更新住址" in html
    assert "第 2 版" in html
    born = member.birth_date
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    assert f"{age} 岁" in html
    event = AuditEvent.objects.get(action="household.view", result="ok")
    assert event.object_id == str(hh.pk)


def test_detail_query_count_does_not_grow_with_members(client, cast, county):
    small = factories.household(county.communities[0], county.grids[0], members=1)
    big = factories.household(county.communities[0], county.grids[0], members=5)
    login(client, cast.officer)
    client.get(detail_url(small))
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(small))
    with CaptureQueriesContext(connection) as many:
        client.get(detail_url(big))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_search_query_count_does_not_grow_with_rows(client, cast, county):
    login(client, cast.approver)
    client.get(reverse("registry:household_search"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("registry:household_search"))
    for _ in range(3):
        factories.household(county.communities[3], county.grids[7], members=3)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("registry:household_search"))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_pages_are_no_store(client, cast, county):
    hh = county.households_in(county.townships[0])[0]
    login(client, cast.officer)
    for url in (
        reverse("registry:household_search"),
        detail_url(hh),
        reverse("registry:household_export"),
        reverse("registry:import_upload"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_anonymous_is_sent_to_login(client, county):
    hh = county.households[0]
    for url in (
        reverse("registry:household_search"),
        detail_url(hh),
        reverse("registry:import_upload"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_missing_permission_is_404(client, cast, county):
    hh = county.households_in(county.grids[0])[0]
    for user in (cast.auditor, cast.admin):
        login(client, user)
        assert client.get(reverse("registry:household_search")).status_code == 404
        assert client.get(detail_url(hh)).status_code == 404
    login(client, cast.grid_worker)
    assert client.get(reverse("registry:household_export")).status_code == 404
    assert client.get(reverse("registry:import_upload")).status_code == 404


# ---------------------------------------------------------------- export


def export(client: Client, **data: str):
    return client.post(reverse("registry:household_export"), {"q": "", "community": "", **data})


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_neutralises_formulas_and_carries_a_watermark(client, cast, county):
    evil = factories.household(
        county.communities[0], county.grids[0], members=1, no="=HYPERLINK(1)", name_prefix="="
    )
    member = head(evil)
    member.name = "=cmd()"
    member.save()
    evil.address = "@SUM(A1)幸福路1号"
    evil.save()
    login(client, cast.officer)
    response = export(client, reason="季度入户核查名单")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    assert disposition.isascii()
    rows = read_csv(response)
    watermark = rows[0][0]
    assert cast.officer.username in watermark
    assert "导出时间" in watermark
    assert "季度入户核查名单" in watermark
    assert clock.today().strftime("%Y-%m-%d") in watermark
    header = rows[1]
    assert "家庭编号" in header
    assert "户主姓名" in header
    data = rows[2:]
    for line in data:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    numbers = [line[header.index("家庭编号")] for line in data]
    assert "'=HYPERLINK(1)" in numbers
    evil_line = data[numbers.index("'=HYPERLINK(1)")]
    # names and addresses are exported as the officer sees them (in clear), then neutralised
    assert evil_line[header.index("户主姓名")] == "'=cmd()"
    assert evil_line[header.index("住址")] == "'@SUM(A1)幸福路1号"
    body = response.content.decode("utf-8-sig")
    assert ",=cmd()" not in body
    assert ",@SUM(A1)" not in body


def test_export_is_scoped_masked_and_audited(client, cast, county):
    login(client, cast.officer)
    response = export(client, reason="入户核查")
    rows = read_csv(response)
    header, data = rows[1], rows[2:]
    expected = county.households_in(county.townships[0])
    assert sorted(line[header.index("家庭编号")] for line in data) == sorted(
        h.household_no for h in expected
    )
    assert "银行账号" not in header
    assert "联系电话" not in header
    body = response.content.decode("utf-8-sig")
    for hh in Household.objects.all():
        for member in hh.members.all():
            assert member.id_number not in body
            assert member.phone not in body
        assert hh.bank_account not in body
    for hh in county.households:
        if hh not in expected:  # out of the officer's street: not even the name
            assert head(hh).name not in body
            assert hh.address not in body
    by_number = {line[header.index("家庭编号")]: line for line in data}
    for hh in expected:
        line = by_number[hh.household_no]
        assert line[header.index("户主身份证号")] == screen_mask(head(hh).id_number)
        assert line[header.index("户主姓名")] == head(hh).name  # FULL for the officer
        assert line[header.index("住址")] == hh.address  # FULL for the officer
    event = AuditEvent.objects.get(action="household.export")
    assert event.details["rows"] == len(expected)
    assert event.details["reason"] == "入户核查"


def test_export_requires_a_reason(client, cast, county):
    login(client, cast.officer)
    response = export(client, reason="")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "请填写导出用途" in response.content.decode()
    assert not AuditEvent.objects.filter(action="household.export").exists()


def test_export_from_the_search_page_keeps_the_query_and_asks_for_a_reason(client, cast, county):
    target = county.households_in(county.communities[0])[0]
    login(client, cast.officer)
    form = client.post(
        reverse("registry:household_export"), {"step": "prepare", "q": head(target).name}
    )
    assert form.status_code == 200
    assert "导出用途" in form.content.decode()
    assert "请填写导出用途" not in form.content.decode()
    response = export(client, q=head(target).name, reason="核对一户信息")
    data = read_csv(response)[2:]
    assert [line[0] for line in data] == [target.household_no]


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+86") == "'+86"
    assert neutralise("-2") == "'-2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\t=x") == "'\t=x"
    assert neutralise("王*明") == "王*明"
    assert neutralise(None) == ""


# ---------------------------------------------------------------- import


def make_batch(user, **fields) -> ImportBatch:
    values = {
        "kind": "roster",
        "digest": "0" * 64,
        "file_names": "households.csv、members.csv",
        "status": ImportStatus.RUNNING,
        "phase": "校验成员文件",
        "rows_total": 200,
        "rows_loaded": 50,
        "rows_rejected": 2,
        "rows_duplicate": 0,
        "report": {},
        "message": "",
        "created_by": user,
        "jurisdiction_path": user.division.path if user and user.division else "",
        "created_at": clock.now(),
    }
    values.update(fields)
    return ImportBatch.objects.create(**values)


def test_import_upload_page(client, cast):
    html = login(client, cast.officer).get(reverse("registry:import_upload")).content.decode()
    assert html.count('type="file"') == 3
    assert html.count('accept=".csv,.xlsx"') == 3
    assert 'enctype="multipart/form-data"' in html


def test_import_upload_rejects_other_extensions(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, cast.officer)
    response = client.post(
        reverse("registry:import_upload"),
        {
            "households": SimpleUploadedFile("h.exe", b"MZ"),
            "members": SimpleUploadedFile("m.csv", b"a,b\n"),
        },
    )
    assert response.status_code == 200
    assert "仅支持 .csv 或 .xlsx 文件" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_import_status_polls_until_finished(client, cast):
    batch = make_batch(
        cast.officer,
        report={
            "rejects": [
                {
                    "file": "members.csv",
                    "line": 7,
                    "reason": "bad_check_digit",
                    "message": "校验码不正确",
                }
            ]
        },
    )
    login(client, cast.officer)
    url = reverse("registry:import_status", args=[batch.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="{url}"' in page
    assert "校验成员文件" in page
    assert "bad_check_digit" in page
    assert ">7<" in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in partial
    batch.status = ImportStatus.SUCCEEDED
    batch.message = "导入完成：新增 198 户"
    batch.save()
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in done
    assert "导入完成：新增 198 户" in done
    assert 'aria-valuenow="100"' in done


def test_import_status_visibility(client, cast, county):
    batch = make_batch(cast.officer)
    url = reverse("registry:import_status", args=[batch.pk])
    other_officer = factories.user("officer_b", Role.ASSISTANCE_OFFICER, county.townships[1])
    county_officer = factories.user("officer_county", Role.ASSISTANCE_OFFICER, county.county)
    assert login(client, cast.officer).get(url).status_code == 200
    assert login(client, county_officer).get(url).status_code == 200
    assert login(client, other_officer).get(url).status_code == 404
    assert login(client, cast.approver).get(url).status_code == 404  # no import permission
    assert login(client, cast.grid_worker).get(url).status_code == 404
    missing = reverse("registry:import_status", args=[batch.pk + 1000])
    assert login(client, cast.officer).get(missing).status_code == 404


def test_import_upload_submits_and_redirects_to_the_status_page(client, cast, settings, tmp_path):
    """The form hands the three files to the import service and shows the batch it created."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.JIUZHU_UPLOAD_DIR = tmp_path / "uploads"
    households = "家庭编号,region_code,住址,program\nX0001,510199001001,A1社区幸福路1号,dibao\n"
    members = "家庭编号,身份证号,name,与户主关系\nX0001,11010519491231002X,张三,户主\n"
    login(client, cast.officer)
    response = client.post(
        reverse("registry:import_upload"),
        {
            "households": SimpleUploadedFile("户.csv", households.encode()),
            "members": SimpleUploadedFile("员.csv", members.encode()),
        },
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_status", args=[batch.pk])
    assert batch.created_by == cast.officer
    assert batch.jurisdiction_path == cast.officer.division.path
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"批次 #{batch.pk}" in page.content.decode()


def test_import_upload_shows_the_services_refusal(client, cast, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.JIUZHU_UPLOAD_DIR = tmp_path / "uploads"
    login(client, cast.officer)
    response = client.post(
        reverse("registry:import_upload"),
        {
            "households": SimpleUploadedFile("h.xlsx", b"not a zip at all"),
            "members": SimpleUploadedFile("m.csv", b"a,b\n"),
        },
    )
    assert response.status_code == 200
    assert 'data-testid="import-error"' in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_detail_links_to_the_trial_for_roles_that_may_run_it(client, cast, county):
    hh = county.households_in(county.communities[0])[0]
    url = reverse("registry:household_detail", args=[hh.pk])
    link = f'href="{reverse("policy:trial")}?household={hh.pk}"'
    assert link in login(client, cast.community_worker).get(url).content.decode()
    assert link not in login(client, cast.grid_worker).get(url).content.decode()
