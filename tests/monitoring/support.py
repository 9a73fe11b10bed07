"""Warnings built from the test county, as the screening engine would report them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from jiuzhu.registry.models import Household
from jiuzhu.screening import DIRECTIONS, ScreeningWarning

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Tuesday before the 2026 Spring Festival (2-15..23 off; Sat 2-14 and 2-28 are 调休 working days).
BEFORE_SPRING_FESTIVAL = dt.datetime(2026, 2, 10, 9, 30, tzinfo=SHANGHAI)
#: Ten working days after 2026-02-10: 11, 12, 13, (Sat) 14, 24, 25, 26, 27, (Sat) 28, 3-02.
DUE_AFTER_SPRING_FESTIVAL = dt.date(2026, 3, 2)

FIGURES: dict[str, dict[str, Any]] = {
    "INCOME_SWING": {"quarter_income_fen": 900000, "previous_quarter_income_fen": 600000},
    "MEDICAL_BURDEN": {
        "self_paid_fen": 1200000,
        "annual_income_fen": 2400000,
        "extract_income_fen": 1000000,
        "declared_annual_income_fen": 2400000,
    },
    "NEW_PROPERTY": {
        "items": ["510199001001GB00001F0001"],
        "reference_date": "2025-09-01",
        "first_dated_on": "2025-11-03",
        "last_dated_on": "2025-11-03",
    },
    "NEW_VEHICLE": {
        "items": ["川A12345"],
        "reference_date": "2025-09-01",
        "first_dated_on": "2025-12-20",
        "last_dated_on": "2025-12-20",
    },
    "NEW_BUSINESS": {
        "items": ["91510100MA6CXXXX0X"],
        "reference_date": "2025-09-01",
        "first_dated_on": "2026-01-15",
        "last_dated_on": "2026-01-15",
    },
    "MEMBER_DECEASED": {"first_died_on": "2026-01-05", "last_died_on": "2026-01-05"},
}


def warning(
    household: Household, rule: str = "NEW_VEHICLE", *, members: int = 1, **details: Any
) -> ScreeningWarning:
    indexes = tuple(sorted(m.id_number_index for m in household.members.order_by("pk")[:members]))
    return ScreeningWarning(
        household_id=household.household_no,
        rule=rule,
        members=indexes,
        details={**FIGURES[rule], **details},
        direction=DIRECTIONS[rule],
    )


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client
