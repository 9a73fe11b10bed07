"""Every worked case of the spec (../shared/spec/cases) computes exactly, with an explanation.

The same files go through the real `jiuzhu assess` command in tests/policy/test_assess_command.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jiuzhu.domain.policy import assess, parse_case_text
from tests.domain.policy.support import case_files, mismatches, table


@pytest.mark.parametrize("path", case_files(), ids=lambda path: path.stem)
def test_case_computes_exactly(path: Path) -> None:
    application, expect = parse_case_text(path.read_text(encoding="utf-8"), source=path.name)
    result = assess(application, table()).as_dict()
    assert expect, "a worked case without expectations proves nothing"
    assert mismatches(expect, result) == {}


@pytest.mark.parametrize("path", case_files(), ids=lambda path: path.stem)
def test_case_is_explained(path: Path) -> None:
    application, _ = parse_case_text(path.read_text(encoding="utf-8"), source=path.name)
    explanation = assess(application, table()).as_dict()["explanation"]
    figures = {figure["key"]: figure["value"] for figure in explanation["figures"]}
    assert figures["dibao_standard"] == "950.00"
    assert "per_capita_income" in figures
    assert explanation["summary"]
    assert explanation["checks"], "each rule applied is listed"
    assert all(check["message"] and check["code"] for check in explanation["checks"])
    used = {parameter["name"]: parameter for parameter in explanation["parameters"]}
    standard = used["dibao_standard"]
    assert (standard["value"], standard["effective_from"], standard["region"]) == (
        "950.00",
        "2025-01-01",
        "510199",
    )
    assert "domain.md §8" in standard["source"]
    assert all(parameter["version"] for parameter in used.values())


def test_e1_explanation_says_why_1100() -> None:
    path = next(p for p in case_files() if p.name.startswith("E01"))
    application, _ = parse_case_text(path.read_text(encoding="utf-8"))
    explanation = assess(application, table()).explanation
    assert "950.00元 × 3 人" in explanation.summary
    assert "1,750.00元" in explanation.summary
    assert "1,100.00元" in explanation.summary
    lines = {(line.member, line.category): line for line in explanation.income}
    assert lines[("wang", "transfer_out")].counted == "deducted"
    assert lines[("wang", "wage")].amount == "1900.00"


def test_e9_gradual_exit_is_explained() -> None:
    path = next(p for p in case_files() if p.name.startswith("E09"))
    application, _ = parse_case_text(path.read_text(encoding="utf-8"))
    determination = assess(application, table())
    assert determination.reasons == ("income_not_below_standard",)
    assert any("渐退 6 个月" in note for note in determination.explanation.notes)
