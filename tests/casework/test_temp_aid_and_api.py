"""临时救助 routing (domain.md E8), maker-checker through the API, and two approvers at once."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from jiuzhu.casework import services
from jiuzhu.casework.models import Case, CaseEvent
from tests import factories
from tests.casework.support import (
    MONDAY_BEFORE_NATIONAL_DAY,
    household_of,
    investigate,
    open_dibao,
    step,
    to_publicity,
)


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


def open_temp_aid(officer: Any, household: Any, amount: str) -> Case:
    case = services.open_case(
        actor=officer,
        household_id=household.pk,
        programme="temp_aid",
        channel="window",
        commitment_signed=True,
        data_check_authorised=True,
        request_data={"amount": amount, "cause": "fire", "kind": "emergency"},
    )
    case = step(officer, case, "start_investigation")
    return investigate(officer, case)


@pytest.mark.django_db
def test_2850_is_decided_at_the_township_by_someone_else(
    county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = open_temp_aid(cast.officer, household_of(county), "2850")
    assert (case.state, case.preparer_id) == ("township_decision", cast.officer.pk)
    assert case.assessment_result["decided_by"] == "township"
    with pytest.raises(services.CaseRefused, match="经办与审批分离"):
        step(cast.officer, case, "grant_at_township")
    with pytest.raises(services.CaseRefused, match="超过乡镇"):
        step(cast.officer, case, "refer_to_county")
    colleague = factories.user("officer_a2", "assistance_officer", county.townships[0])
    case = step(colleague, case, "grant_at_township")
    assert (case.state, case.decided_amount) == ("granted", Decimal("2850.00"))


@pytest.mark.django_db
def test_2851_goes_to_the_county(
    county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = open_temp_aid(cast.officer, household_of(county), "2851")
    assert case.assessment_result["decided_by"] == "county"
    colleague = factories.user("officer_a2", "assistance_officer", county.townships[0])
    with pytest.raises(services.CaseRefused, match="乡镇（街道）审批额度内"):
        step(colleague, case, "grant_at_township")
    case = step(colleague, case, "refer_to_county")
    case = step(cast.approver, case, "grant_at_county")
    assert (case.state, case.decided_amount) == ("granted", Decimal("2851.00"))


def api_step(client: Client, case: Case, action: str, **body: Any) -> Any:
    url = reverse("casework:api_case_action", args=[case.pk])
    return client.post(
        url, data=json.dumps({"action": action, **body}), content_type="application/json"
    )


@pytest.mark.django_db
def test_the_preparer_cannot_decide_through_the_api_either(
    county: factories.County, cast: factories.Cast, client: Client, monday: Any
) -> None:
    case = open_temp_aid(cast.officer, household_of(county), "1000")
    client.force_login(cast.officer)
    response = api_step(client, case, "grant_at_township", version=case.version)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "preparer_cannot_decide"
    case.refresh_from_db()
    assert case.state == "township_decision"
    colleague = factories.user("officer_a2", "assistance_officer", county.townships[0])
    client.force_login(colleague)
    stale = api_step(client, case, "grant_at_township", version=case.version - 1)
    assert stale.status_code == 409
    ok = api_step(client, case, "grant_at_township", version=case.version)
    assert ok.status_code == 200, ok.content.decode()
    assert ok.json()["state_label"] == "已给予救助"


@pytest.mark.django_db
def test_a_skipped_step_through_the_api(
    county: factories.County, cast: factories.Cast, client: Client, monday: Any
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    client.force_login(cast.approver)
    response = api_step(client, case, "approve")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "step_not_allowed")
    assert api_step(client, case, "fly").json()["error"]["code"] == "unknown_action"
    client.logout()
    assert api_step(client, case, "approve").status_code == 401
    client.force_login(cast.other_community_worker)
    assert api_step(client, case, "start_investigation").status_code == 404


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment_give_exactly_one_decision(
    county: factories.County, cast: factories.Cast
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        case = to_publicity(cast.officer, open_dibao(cast.officer, household_of(county)))
        traveller.move_to(MONDAY_BEFORE_NATIONAL_DAY.replace(day=14, month=10))
        case = step(cast.officer, case, "close_publicity")
        second = factories.user("approver_2", "county_approver", county.county)
        approvers = [cast.approver, second]
        barrier = threading.Barrier(len(approvers))
        outcomes: list[str] = []

        def approve(user: Any) -> None:
            from django.db import connection as thread_connection

            try:
                barrier.wait(timeout=30)
                services.perform(
                    actor=user, case_id=case.pk, action="approve", expected_version=case.version
                )
                outcomes.append("approved")
            except services.CaseRefused as exc:
                outcomes.append(exc.code)
            except Exception as exc:
                outcomes.append(type(exc).__name__ + ":" + getattr(exc, "code", ""))
            finally:
                thread_connection.close()

        threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(outcomes) == ["StaleVersion:stale_version", "approved"]
    assert CaseEvent.objects.filter(case=case, action="approve").count() == 1
    case.refresh_from_db()
    assert case.state == "enrolled"
