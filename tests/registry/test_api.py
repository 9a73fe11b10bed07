"""The registry's JSON API: session auth, 401 for anonymous, 404 outside the
jurisdiction, only allow-listed fields, masked per role.

Field policy (jiuzhu.core.permissions.FIELD_VISIBILITY): staff (officer, approver,
community and grid worker) read names and addresses in clear; the department
liaison gets them masked. ID numbers, phones, bank accounts and health stay
masked or absent for everyone here (the API has no reveal). Expected masked forms
are written out by hand, not computed by the code under test."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.registry.models import Household, Member, Relation

pytestmark = pytest.mark.django_db

LIST = reverse("registry:api_household_list")

HOUSEHOLD_KEYS_ALWAYS = {
    "id",
    "household_no",
    "community",
    "grid",
    "program",
    "review_class",
    "enrolled_on",
    "last_verified_on",
    "monthly_benefit",
    "declared_monthly_income",
    "version",
}
MEMBER_KEYS_ALWAYS = {
    "id",
    "relation",
    "sex",
    "age",
    "labor_ability",
    "is_student",
    "employment",
    "left_on",
    "current",
}


def detail(hh: Household) -> str:
    return reverse("registry:api_household_detail", args=[hh.pk])


def head(hh: Household) -> Member:
    return hh.members.get(relation=Relation.HEAD)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_gets_401_json(client, county):
    for url in (LIST, detail(county.households[0])):
        response = client.get(url)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "not_authenticated"
        assert "Location" not in response


def test_list_shape_and_masking_for_grid_worker(county, cast):
    client = as_user(cast.grid_worker)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    expected = county.households_in(county.grids[0])
    assert body["count"] == len(expected)
    assert body["page"] == 1
    assert body["page_size"] == 20
    assert {r["household_no"] for r in body["results"]} == {h.household_no for h in expected}
    for row in body["results"]:
        assert set(row) == {
            "id",
            "household_no",
            "community",
            "grid",
            "member_count",
            "program",
            "head_name",
        }
        hh = Household.objects.get(pk=row["id"])
        # staff read the head's name in clear (FULL)
        assert row["head_name"] == head(hh).name
        assert row["member_count"] == hh.members.count()
        assert row["program"] == "最低生活保障"
    raw = response.content.decode()
    for hh in expected:
        for member in hh.members.all():
            assert member.id_number not in raw
            assert member.phone not in raw
    assert AuditEvent.objects.filter(action="household.search", details__channel="api").exists()


def test_list_for_liaison_masks_head_names(county, cast):
    response = as_user(cast.liaison).get(LIST)
    assert response.status_code == 200
    raw = response.content.decode()
    body = response.json()
    assert body["count"] == len(county.households) == 16
    for row in body["results"]:
        name = head(Household.objects.get(pk=row["id"])).name
        assert len(name) == 3
        assert row["head_name"] == name[0] + "*" + name[-1]
        assert name not in raw


def test_list_search_by_id_number_and_name(county, cast):
    client = as_user(cast.community_worker)
    target = county.households_in(county.communities[0])[1]
    by_id = client.post(LIST, {"q": head(target).id_number}).json()
    assert [r["household_no"] for r in by_id["results"]] == [target.household_no]
    by_name = client.get(LIST, {"q": head(target).name}).json()
    assert [r["household_no"] for r in by_name["results"]] == [target.household_no]
    foreign = county.households_in(county.communities[2])[0]
    assert client.post(LIST, {"q": head(foreign).id_number}).json()["count"] == 0
    assert client.get(LIST, {"q": head(foreign).name}).json()["count"] == 0
    events = AuditEvent.objects.filter(action="household.search")
    dumped = json.dumps(list(events.values("details")), ensure_ascii=False)
    assert head(target).id_number not in dumped
    assert {e.details["kind"] for e in events} == {"id_number", "text"}


def test_detail_for_grid_worker_masks_and_hides(county, cast):
    hh = county.households_in(county.grids[0])[0]
    response = as_user(cast.grid_worker).get(detail(hh))
    assert response.status_code == 200
    raw = response.content.decode()
    body = response.json()
    facts = body["household"]
    # no bank account, not even its name or masked tail
    assert "bank_account" not in facts
    assert "bank_name" not in facts
    assert hh.bank_account not in raw
    assert hh.bank_account[-4:] not in raw
    assert set(facts) == HOUSEHOLD_KEYS_ALWAYS | {"address"}
    assert facts["address"] == hh.address  # FULL for staff
    assert len(body["members"]) == hh.members.count()
    for row in body["members"]:
        member = Member.objects.get(pk=row["id"])
        assert set(row) == MEMBER_KEYS_ALWAYS | {"name", "id_number", "phone", "health"}
        assert row["name"] == member.name  # FULL for staff
        number = member.id_number
        assert row["id_number"] == number[:3] + "*" * 11 + number[-4:]
        assert row["phone"] == member.phone[:3] + "****" + member.phone[-4:]
        assert row["health"] == "已登记"
        assert number not in raw
        assert member.phone not in raw
    assert AuditEvent.objects.filter(action="household.view", object_id=str(hh.pk)).exists()


def test_detail_for_liaison_has_no_health_and_public_masks(county, cast):
    hh = county.households[5]
    response = as_user(cast.liaison).get(detail(hh))
    assert response.status_code == 200
    raw = response.content.decode()
    body = response.json()
    facts = body["household"]
    assert "bank_account" not in facts
    assert "bank_name" not in facts
    assert hh.bank_account not in raw
    # the liaison gets the address masked: kept up to the community, the rest ***
    assert hh.address.startswith(hh.community.name)
    assert len(hh.address) > len(hh.community.name)
    assert facts["address"] == hh.community.name + "***"
    assert hh.address not in raw
    assert len(body["members"]) == hh.members.count()
    for row in body["members"]:
        member = Member.objects.get(pk=row["id"])
        assert "health" not in row
        number = member.id_number
        assert row["id_number"] == number[0] + "*" * 16 + number[-1]
        assert row["phone"] == member.phone[:3] + "****" + member.phone[-4:]
        # names masked for the liaison (3-character names: first and last kept)
        assert len(member.name) == 3
        assert row["name"] == member.name[0] + "*" + member.name[-1]
        assert member.name not in raw
        assert number not in raw
        assert member.phone not in raw


def test_detail_for_officer_masks_the_revealable_fields(county, cast):
    """The API has no reveal: fields the officer may reveal on screen (ID number, phone,
    bank account, health) are masked here; names and addresses (FULL) are in clear."""
    hh = county.households_in(county.townships[0])[0]
    response = as_user(cast.officer).get(detail(hh))
    assert response.status_code == 200
    raw = response.content.decode()
    body = response.json()
    facts = body["household"]
    assert facts["bank_account"] == "*" * (len(hh.bank_account) - 4) + hh.bank_account[-4:]
    assert facts["bank_name"] == "农业银行"
    assert hh.bank_account not in raw
    assert facts["address"] == hh.address
    assert len(body["members"]) == hh.members.count()
    for row in body["members"]:
        member = Member.objects.get(pk=row["id"])
        assert row["name"] == member.name
        number = member.id_number
        assert row["id_number"] == number[:3] + "*" * 11 + number[-4:]
        assert row["phone"] == member.phone[:3] + "****" + member.phone[-4:]
        assert row["health"] == "已登记"
        assert number not in raw
        assert member.phone not in raw
    assert facts["monthly_benefit"] == "650.00"


def test_detail_outside_jurisdiction_or_missing_is_404_json(county, cast):
    foreign = county.households_in(county.communities[2])[0]
    for user in (cast.community_worker, cast.grid_worker, cast.no_division):
        client = as_user(user)
        response = client.get(detail(foreign))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        missing = client.get(reverse("registry:api_household_detail", args=[foreign.pk + 99999]))
        assert missing.status_code == 404
        assert missing.json() == response.json()
        assert foreign.household_no not in response.content.decode()
    assert AuditEvent.objects.filter(action="household.view", result="denied").count() >= 3


def test_no_permission_is_404_json(county, cast):
    for user in (cast.auditor, cast.admin):
        client = as_user(user)
        assert client.get(LIST).status_code == 404
        assert client.get(detail(county.households[0])).status_code == 404


def test_no_division_sees_an_empty_list(cast, county):
    body = as_user(cast.no_division).get(LIST).json()
    assert body["count"] == 0
    assert body["results"] == []


def test_an_id_number_is_refused_in_a_url(county, cast):
    """security.md §D.20: the ID goes in a POST body; in a query string it is refused, unlogged."""
    client = as_user(cast.officer)
    clear = head(county.households[0]).id_number
    response = client.get(LIST, {"q": clear})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "id_number_in_url"
    assert not AuditEvent.objects.filter(action="household.search").exists()


def test_methods(county, cast):
    client = as_user(cast.officer)
    assert client.put(LIST).status_code == 405
    assert client.post(detail(county.households[0])).status_code == 405
    assert client.delete(detail(county.households[0])).status_code == 405


def test_pagination(county, cast):
    client = as_user(cast.approver)
    first = client.get(LIST).json()
    assert first["count"] == len(county.households) == 16
    assert len(first["results"]) == 16
    assert first["pages"] == 1
    beyond = client.get(LIST, {"page": 9}).json()
    assert beyond["page"] == 1  # out-of-range pages fall back, never error
