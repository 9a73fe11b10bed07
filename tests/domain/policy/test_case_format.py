"""Malformed cases are refused with a Chinese message naming the field (cases/README.md format)."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.domain.policy import (
    CaseError,
    application_to_dict,
    assess,
    parse_application,
    parse_case_text,
)
from tests.domain.policy.support import case, case_files, member, table


def refused(data: Any) -> CaseError:
    with pytest.raises(CaseError) as error:
        parse_application(data)
    return error.value


def without(data: dict[str, Any], path: list[str | int]) -> dict[str, Any]:
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return data


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d.update(programme="pension"), "programme", "未知的救助项目"),
        (
            lambda d: without(d, ["household", "members", 0, "birth_date"]),
            "household.members[0].birth_date",
            "缺少日期",
        ),
        (
            lambda d: d["household"]["members"][0]["monthly_income"].update(wage=-1),
            "household.members[0].monthly_income.wage",
            "不能为负数",
        ),
        (
            lambda d: d["household"]["members"][0]["monthly_income"].update(salary=1),
            "household.members[0].monthly_income.salary",
            "未知字段",
        ),
        (
            lambda d: d["household"]["members"][0].update(health="ok"),
            "household.members[0].health",
            "不在可选范围",
        ),
        (
            lambda d: d["household"]["members"][0].update(birth_date="2026-02-30"),
            "household.members[0].birth_date",
            "日期",
        ),
        (
            lambda d: d["household"]["members"][0].update(disability_grade=5),
            "household.members[0].disability_grade",
            "0（无）到 4",
        ),
        (
            lambda d: d["household"]["assets"].update(financial="12,000"),
            "household.assets.financial",
            "不是数字",
        ),
        (lambda d: d["household"].update(members=[]), "household.members", "至少需要一名"),
        (lambda d: d.update(applicant="nobody"), "applicant", "不是家庭成员"),
        (lambda d: d.update(as_of=None), "as_of", "缺少日期"),
        (lambda d: d.update(overrides={"dibao_standad": 1}), "overrides", "未知参数"),
        (lambda d: d.update(overrides={"dibao_standard": "abc"}), "overrides", "dibao_standard"),
        (lambda d: d.update(programme="temp_aid"), "request", "申请金额"),
        (lambda d: d.update(colour="red"), "colour", "未知字段"),
    ],
)
def test_malformed_case_names_the_field(mutate: Any, field: str, words: str) -> None:
    data = case(member("a", monthly_income={"wage": 100}))
    mutate(data)
    error = refused(data)
    assert error.field == field
    assert field in error.message
    assert words in error.message


def test_duplicate_member_keys_are_refused() -> None:
    error = refused(case(member("a"), member("a")))
    assert error.field == "household.members[1].key"


def test_bad_yaml_text_is_a_case_error() -> None:
    with pytest.raises(CaseError, match=r"bad\.yaml第 3 行"):
        parse_case_text("as_of: 2026-06-15\nprogramme: [dibao\n", source="bad.yaml")


@pytest.mark.parametrize("path", case_files(), ids=lambda path: path.stem)
def test_stored_inputs_read_back_to_the_same_result(path: Any) -> None:
    application, _ = parse_case_text(path.read_text(encoding="utf-8"))
    stored = application_to_dict(application)
    again = parse_application(stored)
    assert again == application
    assert assess(again, table()).as_dict() == assess(application, table()).as_dict()
