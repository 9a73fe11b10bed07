"""The rules one by one, at their edges (domain.md §3, §4, §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.domain.policy import Determination, assess, parse_application
from tests.domain.policy.support import case, member, table


def run(data: dict[str, Any]) -> Determination:
    return assess(parse_application(data), table())


def check(determination: Determination, code: str) -> bool:
    return next(c.passed for c in determination.explanation.checks if c.code == code)


# -- income -------------------------------------------------------------------


def test_basis_assessed_beats_verified_beats_declared() -> None:
    result = run(
        case(
            member(
                "a",
                monthly_income={"wage": 500, "other": 100},
                verified_income={"wage": 700},
                assessed_income={"wage": {"amount": 900, "reason": "外卖骑手，按同类岗位评估"}},
            )
        )
    )
    assert result.household_income == Decimal("1000.00")  # 900 assessed + 100 declared other
    line = next(line for line in result.explanation.income if line.category == "wage")
    assert (line.amount, line.basis, line.note) == (
        "900.00",
        "入户评估",
        "外卖骑手，按同类岗位评估",
    )


def test_verified_replaces_declared() -> None:
    result = run(case(member("a", monthly_income={"wage": 500}, verified_income={"wage": 800})))
    assert result.household_income == Decimal("800.00")


def test_not_counted_income_is_listed_but_not_counted() -> None:
    result = run(
        case(
            member(
                "a", monthly_income={"pension_basic": 150, "disregarded": 300, "pension_other": 40}
            )
        )
    )
    assert result.household_income == Decimal("40.00")
    statuses = {line.category: line.counted for line in result.explanation.income}
    assert statuses == {
        "pension_other": "counted",
        "pension_basic": "not_counted",
        "disregarded": "not_counted",
    }


def test_transfer_out_above_income_floors_household_income_at_zero() -> None:
    result = run(case(member("a", monthly_income={"wage": 100, "transfer_out": 400})))
    assert result.household_income == Decimal("0.00")
    assert result.amount == Decimal("950.00")  # never more than the standard for one person
    assert any("按 0 计算" in note for note in result.explanation.notes)


def test_excluded_member_counts_neither_income_nor_head() -> None:
    result = run(
        case(
            member("a", monthly_income={"wage": 600}),
            member("b", monthly_income={"wage": 5000}, excluded="prison"),
        )
    )
    assert result.per_capita_income == Decimal("600.00")
    assert result.amount == Decimal("350.00")
    assert result.covered_members == ("a",)


# -- assets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assets", "code"),
    [
        ({"properties": [{"usage": "residential"}, {"usage": "residential"}]}, "second_residence"),
        (
            {"properties": [{"usage": "residential"}, {"usage": "commercial"}]},
            "non_residential_property",
        ),
        ({"vehicles": [{"kind": "truck", "value": "30000.01"}]}, "vehicle_not_exempt"),
        ({"businesses": [{"kind": "individual"}]}, "business_registration"),
        ({"financial": "22800.01"}, "assets_financial_over_limit"),
    ],
)
def test_each_asset_test_fails_with_its_reason(assets: dict[str, Any], code: str) -> None:
    base = {
        "financial": 0,
        "properties": [{"usage": "residential"}],
        "vehicles": [],
        "businesses": [],
    }
    result = run(case(member("a"), household={"assets": {**base, **assets}}))
    assert result.outcome == "ineligible"
    assert result.reasons == (code,)
    assert result.household_category == "none"


@pytest.mark.parametrize(
    "assets",
    [
        {"vehicles": [{"kind": "car", "value": 30000}]},
        {
            "vehicles": [
                {"kind": "disability", "value": 80000},
                {"kind": "motorcycle", "value": 40000},
            ]
        },
        {"businesses": [{"kind": "micro_shop", "exempt_after_review": True}]},
        {"financial": 22800},
        {"properties": []},
    ],
)
def test_exempt_assets_pass(assets: dict[str, Any]) -> None:
    base = {
        "financial": 0,
        "properties": [{"usage": "residential"}],
        "vehicles": [],
        "businesses": [],
    }
    result = run(case(member("a"), household={"assets": {**base, **assets}}))
    assert result.outcome == "eligible"


# -- 低保 ---------------------------------------------------------------------


def test_income_exactly_at_standard_is_not_eligible() -> None:
    result = run(case(member("a", monthly_income={"wage": 950})))
    assert (result.outcome, result.amount, result.reasons) == (
        "ineligible",
        Decimal("0.00"),
        ("income_not_below_standard",),
    )
    assert result.household_category == "near_dibao"


def test_rounding_happens_once_on_household_totals() -> None:
    members = [member(k, monthly_income={"wage": "333.33"} if k == "a" else {}) for k in "abc"]
    result = run(case(*members))
    assert result.per_capita_income == Decimal("111.11")
    assert result.amount == Decimal("2516.67")  # 2850 − 333.33


def test_category_supplement_takes_the_single_highest_per_member() -> None:
    members = [
        member(
            "a", birth_date="1950-01-01", disability_grade=1, disability_kind="physical"
        ),  # 76 and severe: +50%
        member("b", birth_date="2015-01-01", labor_ability="none"),  # minor: +30%
        member("c"),  # none
    ]
    result = run(case(*members, overrides={"category_supplement_enabled": True}))
    assert result.amount == Decimal("2850.00") + Decimal("475.00") + Decimal("285.00")


def test_minimum_payment_ratio_lifts_a_small_gap() -> None:
    result = run(
        case(
            member("a", monthly_income={"wage": 940}), overrides={"dibao_min_payment_ratio": "0.1"}
        )
    )
    assert result.amount == Decimal("95.00")
    off = run(case(member("a", monthly_income={"wage": 940})))
    assert off.amount == Decimal("10.00")


def test_single_person_needs_severe_disability_or_serious_illness() -> None:
    members = [member("a", monthly_income={"wage": 2400}), member("b", labor_ability="none")]
    result = run(case(*members, applicant="b"))  # per capita 1200: near-dibao household
    assert result.outcome == "ineligible"
    assert check(result, "single_person_condition_not_met") is False
    ill = [members[0], member("b", labor_ability="none", health="serious")]
    assert run(case(*ill, applicant="b")).amount == Decimal("950.00")
    grade3_mental = [members[0], member("b", disability_grade=3, disability_kind="mental")]
    assert run(case(*grade3_mental, applicant="b")).outcome == "eligible"
    grade3_physical = [members[0], member("b", disability_grade=3, disability_kind="physical")]
    assert run(case(*grade3_physical, applicant="b")).outcome == "ineligible"


def test_no_gradual_exit_without_earned_income_or_with_an_asset_failure() -> None:
    pension = case(
        member("a", monthly_income={"pension_other": 1000}),
        current={"programme": "dibao", "amount": 500},
    )
    assert run(pension).gradual_exit == ()
    car = case(
        member("a", monthly_income={"wage": 1000}),
        current={"programme": "dibao", "amount": 500},
        household={"assets": {"vehicles": [{"kind": "car", "value": 90000}]}},
    )
    assert run(car).gradual_exit == ()


def test_gradual_exit_follows_the_schedule() -> None:
    data = case(
        member("a", monthly_income={"wage": 1000}),
        current={"programme": "dibao", "amount": "500.00"},
        overrides={"gradual_exit_months": 3, "gradual_exit_schedule": [1, "0.5", "1/3"]},
    )
    assert run(data).gradual_exit == (Decimal("500.00"), Decimal("250.00"), Decimal("166.67"))


# -- 低保边缘 and 刚性支出 ------------------------------------------------------


def test_near_dibao_line_is_exclusive() -> None:
    just_below = run(
        case(member("a", monthly_income={"wage": "1424.99"}), programme="low_income_recognition")
    )
    at_line = run(
        case(member("a", monthly_income={"wage": 1425}), programme="low_income_recognition")
    )
    assert (just_below.outcome, just_below.household_category) == ("eligible", "near_dibao")
    assert (at_line.outcome, at_line.household_category) == ("ineligible", "none")


def test_low_income_recognition_refers_a_dibao_household_back() -> None:
    result = run(
        case(member("a", monthly_income={"wage": 500}), programme="low_income_recognition")
    )
    assert (result.outcome, result.household_category, result.reasons) == (
        "ineligible",
        "dibao",
        ("household_qualifies_for_dibao",),
    )


def _rigid(expenses: int, **top: Any) -> Determination:
    return run(
        case(
            member("a", monthly_income={"wage": 3000, "transfer_out": 500}),
            programme="low_income_recognition",
            household={"expenses_12m": {"medical_selfpaid": expenses}},
            **top,
        )
    )


def test_rigid_expense_work_plan_variant_uses_disposable_income() -> None:
    # disposable 2500 × 12 = 30,000; half is 15,000
    assert _rigid(15000).household_category == "none"
    assert _rigid(15001).household_category == "rigid_expense"


def test_rigid_expense_national_variant_uses_total_income_and_local_income() -> None:
    national = {"rigid_expense_base": "total", "rigid_expense_ratio": "0.6"}
    # total 3000 × 12 = 36,000; 60 % is 21,600
    assert _rigid(21600, overrides=national).household_category == "none"
    result = _rigid(21601, overrides=national)
    assert result.household_category == "rigid_expense"
    assert check(result, "per_capita_income_not_below_local_disposable") is True
    rich = {
        **national,
        "local_disposable_income_prev_year": 30000,
    }  # 2,500 × 12 = 30,000 is not below
    assert _rigid(25000, overrides=rich).household_category == "none"


# -- 特困 ---------------------------------------------------------------------


def _tekun(**fields: Any) -> dict[str, Any]:
    person = member("a", birth_date="1950-02-14", labor_ability="none", **fields)
    return case(person, programme="tekun")


def test_tekun_self_care_tier_and_amount() -> None:
    assert run(_tekun()).amount == Decimal("1445.00")  # 1235 + 2100/10
    assert run(_tekun(self_care_impossible=["eating"])).amount == Decimal("1585.00")


def test_tekun_refused_with_an_able_supporter() -> None:
    data = _tekun()
    data["household"]["supporters"] = [{"relation": "son", "able": True}]
    result = run(data)
    assert (result.outcome, result.reasons) == ("ineligible", ("tekun_has_able_supporter",))
    data["household"]["supporters"] = [{"relation": "son", "able": False}]
    assert run(data).outcome == "eligible"


@pytest.mark.parametrize(
    ("fields", "eligible"),
    [
        ({"birth_date": "1966-06-15"}, True),  # 60 on the as-of date
        ({"birth_date": "1966-06-16"}, False),  # 59
        ({"birth_date": "2010-06-16"}, True),  # 15
        ({"birth_date": "1990-01-01", "disability_grade": 1, "disability_kind": "visual"}, True),
        ({"birth_date": "1990-01-01", "disability_grade": 2, "disability_kind": "visual"}, False),
        (
            {"birth_date": "1990-01-01", "disability_grade": 3, "disability_kind": "intellectual"},
            True,
        ),
    ],
)
def test_tekun_categories(fields: dict[str, Any], eligible: bool) -> None:
    person = member("a", labor_ability="none", **fields)
    result = run(case(person, programme="tekun"))
    assert (result.outcome == "eligible") is eligible
    if not eligible:
        assert result.reasons == ("tekun_category_not_met",)


# -- 临时救助 -----------------------------------------------------------------


def _aid(amount: Any, **request: Any) -> Determination:
    return run(
        case(
            member("a"),
            member("b"),
            programme="temp_aid",
            request={"amount": amount, "cause": "fire", **request},
        )
    )


def test_temp_aid_is_capped_per_event() -> None:
    result = _aid(20000)
    assert (result.amount, result.cap_amount, result.decided_by) == (
        Decimal("11400.00"),
        Decimal("11400.00"),
        "county",
    )
    assert any("按上限" in note for note in result.explanation.notes)


def test_temp_aid_same_cause_once_a_year() -> None:
    again = _aid(1000, prior=[{"on": "2025-06-16", "cause": "fire"}])
    assert again.reasons == ("temp_aid_same_cause_within_year",)
    year_ago = _aid(
        1000,
        prior=[{"on": "2025-06-15", "cause": "fire"}, {"on": "2026-03-01", "cause": "accident"}],
    )
    assert year_ago.outcome == "eligible"


def test_expense_type_aid_needs_a_household_in_hardship() -> None:
    rich = run(
        case(
            member("a", monthly_income={"wage": 9000}),
            programme="temp_aid",
            request={"amount": 1000, "cause": "medical_expense", "kind": "expense"},
        )
    )
    assert rich.reasons == ("temp_aid_expense_no_hardship",)


# -- review class and 一次申请分类认定 ----------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"health": "serious"}, "A"),
        ({"disability_grade": 2, "disability_kind": "physical"}, "A"),
        ({"disability_grade": 3, "disability_kind": "physical", "employment": "unemployed"}, "B"),
        ({"labor_ability": "partial", "employment": "flexible"}, "B"),
        ({"labor_ability": "full", "employment": "employed"}, "C"),
        ({"labor_ability": "none", "employment": "unemployed"}, "C"),
    ],
)
def test_review_class(fields: dict[str, Any], expected: str) -> None:
    assert run(case(member("a", **fields))).review_class == expected


def test_auto_finds_tekun_then_dibao_then_recognition() -> None:
    assert run({**_tekun(), "programme": "auto"}).programme == "tekun"
    assert (
        run(case(member("a", monthly_income={"wage": 500}), programme="auto")).programme == "dibao"
    )
    near = run(case(member("a", monthly_income={"wage": 1000}), programme="auto"))
    assert (near.programme, near.outcome, near.household_category) == (
        "low_income_recognition",
        "eligible",
        "near_dibao",
    )
    none = run(case(member("a", monthly_income={"wage": 5000}), programme="auto"))
    assert (none.programme, none.outcome, none.reasons) == (
        None,
        "ineligible",
        ("income_not_below_standard",),
    )
