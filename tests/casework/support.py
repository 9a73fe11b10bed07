"""Helpers of the casework tests: a case walked to a given step through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.casework import services
from jiuzhu.casework.models import Case
from tests import factories

#: 9:00 in Shanghai on Monday 28 September 2026, two days before the National Day holiday.
MONDAY_BEFORE_NATIONAL_DAY = dt.datetime(2026, 9, 28, 1, tzinfo=dt.UTC)


def household_of(county: factories.County) -> Any:
    return county.households_in(county.townships[0])[0]


def open_dibao(officer: Any, household: Any) -> Case:
    return services.open_case(
        actor=officer,
        household_id=household.pk,
        programme="dibao",
        channel="window",
        commitment_signed=True,
        data_check_authorised=True,
    )


def step(actor: Any, case: Case, action: str, reason: str = "") -> Case:
    return services.perform(actor=actor, case_id=case.pk, action=action, reason=reason)


def investigate(officer: Any, case: Case, *, next_action: str = "complete_investigation") -> Case:
    for requirement in ("data_check", "home_visit"):
        case = services.record_on_file(actor=officer, case_id=case.pk, requirement=requirement)
    case = services.assess_case(actor=officer, case_id=case.pk)
    return step(officer, case, next_action)


def to_publicity(officer: Any, case: Case) -> Case:
    case = step(officer, case, "start_investigation")
    case = investigate(officer, case)
    case = services.record_on_file(
        actor=officer, case_id=case.pk, requirement="democratic_review_quorum"
    )
    case = step(officer, case, "record_democratic_review")
    return step(officer, case, "start_publicity")
