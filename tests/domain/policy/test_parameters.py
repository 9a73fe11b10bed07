"""Dated parameters: resolution by region and date, and files refused with the parameter named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from jiuzhu.domain.policy import ParameterError, PinnedParameters
from jiuzhu.domain.policy.catalog import CATALOG
from jiuzhu.domain.policy.parameters import (
    ParameterTable,
    bundled_files,
    dump_value,
    load_files,
    load_yaml,
    make_value,
    normalise_value,
)
from tests.domain.policy.support import table

DEMO = "510199000000"


def value(name: str, region: str, day: str, raw: object, version: str = "") -> object:
    return make_value(
        name=name,
        region=region,
        effective_from=day,
        value=raw,
        source="测试",
        version=version or f"t:{name}@{region}@{day}",
    )


def test_the_demo_set_is_domain_md_section_8() -> None:
    on = dt.date(2026, 6, 15)
    expected = {
        "dibao_standard": Decimal("950.00"),
        "min_wage_monthly": Decimal("2100.00"),
        "local_disposable_income_prev_year": Decimal("40000.00"),
        "tekun_basic_multiplier": Fraction(13, 10),
        "tekun_care_ratio": {
            "full": Fraction(1, 3),
            "half": Fraction(1, 6),
            "self": Fraction(1, 10),
        },
        "financial_asset_limit_months": 24,
        "near_dibao_multiplier": Fraction(3, 2),
        "rigid_expense_ratio": Fraction(1, 2),
        "rigid_expense_base": "disposable",
        "single_person_min_ratio": Fraction(3, 5),
        "temp_aid_cap_multiplier": 6,
        "temp_aid_township_cap_multiplier": 3,
        "gradual_exit_months": 6,
        "income_lookback_months": 6,
        "income_swing_ratio": Fraction(1, 5),
        "medical_burden_ratio": Fraction(3, 10),
        "publicity_working_days": 7,
        "county_spot_check_ratio": Fraction(3, 10),
        "review_cycle_months": {"A": 3, "B": 6, "C": 12},
        "category_supplement_enabled": False,
        "democratic_review_mode": "always",
        "disability_care_subsidy_monthly": {
            "1": Decimal("90.00"),
            "2": Decimal("60.00"),
            "3": Decimal("0.00"),
            "4": Decimal("0.00"),
        },
    }
    got = {name: table().resolve(name, table().region_for("demo"), on).value for name in expected}
    assert got == expected


def test_every_catalogue_parameter_has_a_demo_value_with_a_source() -> None:
    on = dt.date(2026, 6, 15)
    for name in CATALOG:
        row = table().resolve(name, DEMO, on)
        assert row.source
        assert row.version.startswith("file:")


def test_most_specific_region_in_force_wins() -> None:
    rows = (
        value("dibao_standard", "", "2020-01-01", 800),
        value("dibao_standard", "5101", "2024-01-01", 900),
        value("dibao_standard", "510199", "2025-01-01", 950),
        value("dibao_standard", "510199", "2026-07-01", 1000),
        value("dibao_standard", "510199001", "2026-09-01", 1100),
    )
    t = ParameterTable(values=rows)  # type: ignore[arg-type]

    def at(region: str, day: str) -> Decimal:
        return t.resolve("dibao_standard", region, dt.date.fromisoformat(day)).value

    assert at(DEMO, "2026-06-30") == Decimal("950.00")
    assert at(DEMO, "2026-07-01") == Decimal("1000.00")
    assert at("510199001001", "2026-09-01") == Decimal("1100.00")
    assert at("510199002001", "2026-09-01") == Decimal("1000.00")
    assert at(DEMO, "2024-12-31") == Decimal("900.00")  # the county had no value yet: the city's
    assert at("510200000000", "2026-09-01") == Decimal("800.00")
    with pytest.raises(ParameterError, match="2019-12-31"):
        at(DEMO, "2019-12-31")


def test_a_later_addition_for_the_same_day_wins() -> None:
    first = value("dibao_standard", "510199", "2026-07-01", 1000, "db:1")
    correction = value("dibao_standard", "510199", "2026-07-01", 1010, "db:2")
    t = table().with_values([first, correction])  # type: ignore[list-item]
    assert t.resolve("dibao_standard", DEMO, dt.date(2026, 7, 1)).version == "db:2"


def test_pinned_parameters_ignore_the_date() -> None:
    row = table().resolve("dibao_standard", DEMO, dt.date(2026, 6, 15))
    pinned = PinnedParameters.from_uses([row.as_dict()])
    assert pinned.resolve("dibao_standard", DEMO, dt.date(2030, 1, 1)) == row
    with pytest.raises(ParameterError, match="min_wage_monthly"):
        pinned.resolve("min_wage_monthly", DEMO, dt.date(2026, 6, 15))


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_dumped_values_read_back_identical(name: str) -> None:
    row = table().resolve(name, DEMO, dt.date(2026, 6, 15))
    assert normalise_value(CATALOG[name], dump_value(CATALOG[name], row.value)) == row.value


def test_yaml_numbers_are_decimals_never_floats() -> None:
    assert load_yaml("a: 0.1\nb: 1_000.50\n") == {"a": Decimal("0.1"), "b": Decimal("1000.50")}


def _files(**override: str) -> dict[str, str]:
    files = bundled_files()
    files.update(override)
    return files


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "dibao_standrd:\n  - {region: '510199', from: 2025-01-01, value: 950, source: x}\n",
            "dibao_standrd",
        ),
        (
            "dibao_standard:\n  - {region: '510199', from: 2026-09-01, value: -1, source: x}\n",
            "dibao_standard",
        ),
        (
            "dibao_standard:\n  - {region: '510199', from: 2026-09-01, value: 9.999, source: x}\n",
            "dibao_standard",
        ),
        (
            "dibao_standard:\n  - {region: '510199', from: 2026-09-01, value: 1000}\n",
            "dibao_standard",
        ),
        (
            "dibao_standard:\n  - {region: '510199', from: 2026-13-01, value: 1000, source: x}\n",
            "dibao_standard",
        ),
        (
            "dibao_standard:\n  - {region: 'abc', from: 2026-09-01, value: 1000, source: x}\n",
            "dibao_standard",
        ),
        (
            "tekun_care_ratio:\n  - {from: 2026-09-01, value: {full: 1/3, half: 1/6}, source: x}\n",
            "tekun_care_ratio",
        ),
        (
            "rigid_expense_base:\n  - {from: 2026-09-01, value: gross, source: x}\n",
            "rigid_expense_base",
        ),
        (
            "disability_care_subsidy_monthly:\n  - {from: 2026-09-01, value: {1: 90, 2: 60}, source: x}\n",
            "disability_care_subsidy_monthly",
        ),
        (
            "category_supplement_enabled:\n  - {from: 2026-09-01, value: 'yes', source: x}\n",
            "category_supplement_enabled",
        ),
        (
            "publicity_working_days:\n  - {from: 2026-09-01, value: 7.5, source: x}\n",
            "publicity_working_days",
        ),
        (
            "dibao_standard:\n  - {region: '510199', from: 2026-09-01, value: 1000, source: x, note: y}\n",
            "dibao_standard",
        ),
        (
            "dibao_standard:\n  - {region: '510199', from: 2025-01-01, value: 1000, source: x}\n",
            "dibao_standard",
        ),
        (
            "gradual_exit_schedule:\n  - {from: 2021-07-01, value: [1, 1], source: x}\n",
            "gradual_exit_schedule",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_parameter(text: str, named: str) -> None:
    with pytest.raises(ParameterError) as refused:
        load_files(_files(**{"zz_county.yaml": text}))
    assert named in refused.value.message
    assert (
        "zz_county.yaml" in refused.value.message
        or "两个取值" in refused.value.message
        or "gradual_exit" in refused.value.message
    )


def test_bad_yaml_is_refused_naming_the_file() -> None:
    with pytest.raises(ParameterError, match=r"zz\.yaml 不是有效的 YAML"):
        load_files(_files(**{"zz.yaml": "dibao_standard: [\n"}))


def test_a_parameter_without_any_value_is_refused() -> None:
    files = {name: text for name, text in bundled_files().items() if name != "temp_aid.yaml"}
    with pytest.raises(ParameterError, match="temp_aid_cap_multiplier"):
        load_files(files)
