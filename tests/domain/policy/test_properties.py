"""Properties of the 低保 amount and of dated parameters (hypothesis).

- the amount is never negative, never rises when income rises, and is 0
  exactly when per-capita income reaches the standard;
- a value added from a later date never changes a result for an earlier date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.domain.policy import assess, parse_application
from jiuzhu.domain.policy.parameters import make_value
from tests.domain.policy.support import case, member, table

fen_amounts = st.integers(min_value=0, max_value=2_000_000).map(lambda fen: Decimal(fen) / 100)
standards = st.integers(min_value=100_00, max_value=3_000_00).map(lambda fen: Decimal(fen) / 100)
sizes = st.integers(min_value=1, max_value=6)


def household(
    size: int, incomes: list[Decimal], transfer_out: Decimal = Decimal(0)
) -> dict[str, Any]:
    people = []
    for index in range(size):
        income: dict[str, Any] = {}
        if index < len(incomes) and incomes[index]:
            income["wage"] = str(incomes[index])
        if index == 0 and transfer_out:
            income["transfer_out"] = str(transfer_out)
        people.append(
            member(f"p{index}", monthly_income=income, relation="head" if index == 0 else "child")
        )
    return case(*people)


def dibao(data: dict[str, Any], standard: Decimal | None = None) -> tuple[Decimal, Decimal, str]:
    if standard is not None:
        data = {**data, "overrides": {"dibao_standard": str(standard)}}
    result = assess(parse_application(data), table())
    return result.amount, result.per_capita_income, result.outcome


@settings(max_examples=300, deadline=None)
@given(
    size=sizes,
    incomes=st.lists(fen_amounts, min_size=1, max_size=6),
    out=fen_amounts,
    standard=standards,
)
def test_amount_is_never_negative(
    size: int, incomes: list[Decimal], out: Decimal, standard: Decimal
) -> None:
    amount, _, _ = dibao(household(size, incomes, out), standard)
    assert amount >= 0
    assert amount <= standard * size


@settings(max_examples=300, deadline=None)
@given(
    size=sizes,
    incomes=st.lists(fen_amounts, min_size=1, max_size=6),
    rise=fen_amounts,
    who=st.integers(0, 5),
    standard=standards,
)
def test_amount_never_rises_when_income_rises(
    size: int, incomes: list[Decimal], rise: Decimal, who: int, standard: Decimal
) -> None:
    incomes = (incomes + [Decimal(0)] * size)[:size]
    before, _, _ = dibao(household(size, incomes), standard)
    richer = list(incomes)
    richer[who % size] += rise
    after, _, _ = dibao(household(size, richer), standard)
    assert after <= before


@settings(max_examples=300, deadline=None)
@given(size=sizes, total_fen=st.integers(min_value=0, max_value=5_000_000), standard=standards)
def test_amount_is_zero_exactly_when_per_capita_income_reaches_the_standard(
    size: int, total_fen: int, standard: Decimal
) -> None:
    total = Decimal(total_fen) / 100
    amount, _, outcome = dibao(household(size, [total]), standard)
    reaches = total >= standard * size  # per capita ≥ standard, compared exactly
    assert (amount == 0) is reaches
    assert (outcome == "ineligible") is reaches


@settings(max_examples=200, deadline=None)
@given(
    size=sizes,
    income=fen_amounts,
    as_of=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 30)),
    gap_days=st.integers(min_value=1, max_value=400),
    new_standard=standards,
    name=st.sampled_from(
        [
            "dibao_standard",
            "financial_asset_limit_months",
            "near_dibao_multiplier",
            "rigid_expense_ratio",
        ]
    ),
)
def test_a_later_dated_value_never_changes_an_earlier_result(
    size: int, income: Decimal, as_of: dt.date, gap_days: int, new_standard: Decimal, name: str
) -> None:
    data = {**household(size, [income]), "as_of": as_of.isoformat()}
    application = parse_application(data)
    before = assess(application, table()).as_dict()
    raw = {
        "dibao_standard": new_standard,
        "financial_asset_limit_months": 1,
        "near_dibao_multiplier": "9",
        "rigid_expense_ratio": "0.01",
    }[name]
    later = make_value(
        name=name,
        region="510199",
        effective_from=as_of + dt.timedelta(days=gap_days),
        value=raw,
        source="测试：以后生效的新值",
        version="test:later",
    )
    after = assess(application, table().with_values([later])).as_dict()
    assert after == before
