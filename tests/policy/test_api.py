"""POST /policy/api/assess/: the case structure in, the determination out (same path as the CLI)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.domain.policy.parameters import load_yaml
from jiuzhu.registry.models import Income
from tests import factories
from tests.domain.policy.support import case_files

pytestmark = pytest.mark.django_db
URL = reverse("policy:api_assess")
E01 = next(path for path in case_files() if path.name.startswith("E01"))


def e01_body() -> dict[str, Any]:
    data = load_yaml(E01.read_text(encoding="utf-8"))
    data.pop("expect")
    return json.loads(json.dumps(data, default=str))  # dates and decimals as JSON text/numbers


def post(client: Client, body: object) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def test_officer_gets_the_same_answer_as_the_case_file(
    cast: factories.Cast, client: Client
) -> None:
    client.force_login(cast.officer)
    response = post(client, e01_body())
    assert response.status_code == 200, response.content.decode()
    result = response.json()
    assert (result["amount"], result["per_capita_income"], result["review_class"]) == (
        "1100.00",
        "583.33",
        "B",
    )
    assert result["explanation"]["summary"].startswith("符合低保条件")
    event = AuditEvent.objects.filter(action="policy.trial").latest("id")
    assert event.details["channel"] == "api"
    assert event.details["outcome"] == "eligible"


def test_json_fractions_are_read_exactly(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    body = e01_body()
    body["household"]["members"][0]["monthly_income"] = {"wage": 1900.1, "transfer_out": 150}
    assert post(client, body).json()["amount"] == "1099.90"


def test_a_bad_body_answers_400_naming_the_field(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    body = e01_body()
    del body["household"]["members"][2]["birth_date"]
    response = post(client, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "household.members[2].birth_date"
    assert "出生日期" in error["message"]
    not_json = client.post(URL, data="{", content_type="application/json")
    assert (not_json.status_code, not_json.json()["error"]["code"]) == (400, "invalid_json")


def test_anonymous_401_and_roles_without_trial_404(cast: factories.Cast, client: Client) -> None:
    assert post(client, e01_body()).status_code == 401
    for user in (cast.grid_worker, cast.auditor, cast.admin, cast.liaison):
        client.force_login(user)
        assert post(client, e01_body()).status_code == 404, user.role
    client.force_login(cast.officer)
    assert client.get(URL).status_code == 405


def test_a_registered_household_in_the_jurisdiction(
    county: factories.County, cast: factories.Cast, client: Client
) -> None:
    household = county.households_in(county.communities[0])[0]
    head = household.members.order_by("id").first()
    assert head is not None
    for month in range(
        1, 7
    ):  # six complete months before June: wage 1200 declared, 1500 verified in May
        Income.objects.create(
            household=household,
            member=head,
            month=dt.date(2026, month, 1),
            category="wage",
            amount=Decimal("1200.00"),
            recorded_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        )
    client.force_login(cast.community_worker)
    response = post(
        client, {"household_id": household.pk, "programme": "dibao", "as_of": "2026-06-15"}
    )
    assert response.status_code == 200, response.content.decode()
    result = response.json()
    # Jan–May count (June is not complete): 5 × 1200 / 6 months = 1000 a month, two members
    assert (result["household_income"], result["per_capita_income"], result["amount"]) == (
        "1000.00",
        "500.00",
        "900.00",
    )
    assert result["region_code"] == county.communities[0].code
    event = AuditEvent.objects.filter(action="policy.trial").latest("id")
    assert event.object_id == str(household.pk)


def test_a_household_outside_the_jurisdiction_is_404(
    county: factories.County, cast: factories.Cast, client: Client
) -> None:
    foreign = county.households_in(county.communities[2])[0]
    client.force_login(cast.community_worker)
    response = post(client, {"household_id": foreign.pk, "programme": "dibao"})
    missing = post(client, {"household_id": 10**9, "programme": "dibao"})
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_a_registered_household_without_members_is_a_clear_400(
    county: factories.County, cast: factories.Cast, client: Client
) -> None:
    household = county.households_in(county.communities[0])[0]
    household.members.update(left_on=dt.date(2026, 1, 1))
    client.force_login(cast.community_worker)
    response = post(
        client, {"household_id": household.pk, "programme": "dibao", "as_of": "2026-06-15"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "household_without_members",
        "field": "",
        "message": "该家庭在认定日期没有在册成员，无法试算",
    }
