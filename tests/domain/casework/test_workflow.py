"""Workflows as data: one place says which step may follow which, by whom, and when it is due."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from jiuzhu.domain.calendar import WorkingCalendar
from jiuzhu.domain.casework.workflow import (
    InvalidWorkflow,
    WorkflowError,
    bundled_workflows,
    load_workflows,
    workflow_for,
)
from jiuzhu.domain.policy.catalog import CATALOG

DIBAO = workflow_for("dibao")
TEMP_AID = workflow_for("temp_aid")


def refused(state: str, action: str, **kwargs: object) -> WorkflowError:
    arguments: dict[str, object] = {
        "role": "assistance_officer",
        "actor_id": 1,
        "preparer_id": None,
        "on_file": set(),
    }
    arguments.update(kwargs)
    with pytest.raises(WorkflowError) as error:
        DIBAO.check(state, action, **arguments)  # type: ignore[arg-type]
    return error.value


def test_bundled_workflows_are_valid_and_their_deadlines_are_parameters() -> None:
    workflows = bundled_workflows()
    assert {"dibao", "temp_aid"} <= set(workflows)
    for workflow in workflows.values():
        assert workflow.deadline_parameters() <= set(CATALOG)


def test_a_skipped_step_is_refused() -> None:
    error = refused("accepted", "approve", role="county_approver")
    assert error.code == "step_not_allowed"
    assert "已受理" in error.message
    assert "审核确认，纳入救助" in error.message


def test_a_role_that_may_not_act_is_refused() -> None:
    assert (
        refused(
            "county_review",
            "approve",
            role="assistance_officer",
            on_file={"assessment_eligible", "county_check"},
        ).code
        == "role_not_allowed"
    )


def test_the_preparer_cannot_decide() -> None:
    error = refused(
        "county_review",
        "approve",
        role="county_approver",
        actor_id=7,
        preparer_id=7,
        on_file={"assessment_eligible", "county_check"},
    )
    assert error.code == "preparer_cannot_decide"
    assert (
        DIBAO.check(
            "county_review",
            "approve",
            role="county_approver",
            actor_id=8,
            preparer_id=7,
            on_file={"assessment_eligible", "county_check"},
        ).target
        == "enrolled"
    )


def test_missing_prerequisites_are_named() -> None:
    error = refused("investigating", "complete_investigation", on_file={"data_check"})
    assert error.code == "requirement_missing"
    assert "入户调查记录" in error.message
    assert "政策测算结果" in error.message


def test_a_reason_is_required_where_the_procedure_says_so() -> None:
    assert refused("publicity", "raise_objection").code == "reason_required"
    assert (
        DIBAO.check(
            "publicity",
            "raise_objection",
            role="community_worker",
            actor_id=1,
            preparer_id=None,
            on_file=set(),
            reason="邻居反映有经营收入",
        ).target
        == "reinvestigating"
    )


def test_temp_aid_routing_is_a_requirement_of_each_path() -> None:
    def may(action: str, on_file: set[str]) -> bool:
        try:
            TEMP_AID.check(
                "township_decision",
                action,
                role="assistance_officer",
                actor_id=2,
                preparer_id=1,
                on_file=on_file,
            )
        except WorkflowError:
            return False
        return True

    township = {"assessment", "assessment_eligible", "within_township_cap"}
    county = {"assessment", "assessment_eligible", "above_township_cap"}
    assert may("grant_at_township", township)
    assert not may("refer_to_county", township)
    assert may("refer_to_county", county)
    assert not may("grant_at_township", county)


def test_deadlines_count_working_days_across_national_day_and_a_make_up_saturday() -> None:
    calendar = WorkingCalendar()
    # 公示 posted Mon 28 Sep 2026: 29, 30 Sep; (1–7 Oct holiday); 8, 9 Oct; Sat 10 Oct (调休); 12, 13 Oct.
    assert DIBAO.deadline(
        "publicity", dt.date(2026, 9, 28), days_of={"publicity_working_days": 7}, calendar=calendar
    ) == dt.date(2026, 10, 13)
    # accepted Wed 30 Sep: investigation must start by 8, 9 Oct and the 调休 Saturday 10 Oct.
    assert DIBAO.deadline(
        "accepted",
        dt.date(2026, 9, 30),
        days_of={"investigation_start_working_days": 3},
        calendar=calendar,
    ) == dt.date(2026, 10, 10)
    assert DIBAO.deadline("enrolled", dt.date(2026, 9, 30), days_of={}, calendar=calendar) is None


def _workflow_text(**changes: object) -> str:
    data = yaml.safe_load(DIBAO_TEXT)
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True)


DIBAO_TEXT = """
programme: demo
label: 演示
initial: a
states:
  a: {label: 甲}
  b: {label: 乙, final: true}
actions:
  go: {label: 前进, from: [a], to: b, roles: [assistance_officer]}
"""


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"initial": "z"}, "初始状态 z 未定义"),
        (
            {
                "actions": {
                    "go": {
                        "label": "前进",
                        "from": ["a"],
                        "to": "c",
                        "roles": ["assistance_officer"],
                    }
                }
            },
            "未定义的状态 c",
        ),
        (
            {"actions": {"go": {"label": "前进", "from": ["a"], "to": "b", "roles": ["mayor"]}}},
            "mayor",
        ),
        (
            {
                "actions": {
                    "go": {
                        "label": "前进",
                        "from": ["a"],
                        "to": "b",
                        "roles": ["admin"],
                        "requires": ["luck"],
                    }
                }
            },
            "luck",
        ),
        (
            {
                "states": {
                    "a": {"label": "甲"},
                    "b": {"label": "乙", "final": True},
                    "c": {"label": "丙", "final": True},
                }
            },
            "无法到达",
        ),
        ({"actions": {}}, "无法到达"),
    ],
)
def test_a_bad_workflow_file_is_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidWorkflow, match=words):
        load_workflows({"demo.yaml": _workflow_text(**changes)})


def test_the_twelve_services_each_have_a_workflow() -> None:
    from jiuzhu.domain.casework.workflow import bundled_services

    services = bundled_services()
    assert len(services) == 12
    assert {s.code for s in services.values() if s.platform == "referral"} == {
        "medical_assistance",
        "education_assistance",
        "housing_assistance",
        "employment_assistance",
        "disaster_victim_assistance",
    }
    assert services["temp_aid"].decided_by == "township_or_county"
    for code in services:
        assert workflow_for(code).programme == code


def test_tekun_needs_the_self_care_assessment_and_the_supporters_check() -> None:
    tekun = workflow_for("tekun")
    with pytest.raises(WorkflowError, match="生活自理能力评估") as error:
        tekun.check(
            "investigating",
            "complete_investigation",
            role="assistance_officer",
            actor_id=1,
            preparer_id=None,
            on_file={"data_check", "home_visit", "assessment"},
        )
    assert "法定赡养" in error.value.message


def test_a_referral_is_intake_referral_and_a_recorded_outcome() -> None:
    referral = workflow_for("medical_assistance")
    assert [a.name for a in referral.available("accepted", "community_worker")] == [
        "refer",
        "withdraw",
    ]
    assert (
        referral.check(
            "referred",
            "record_outcome",
            role="assistance_officer",
            actor_id=1,
            preparer_id=None,
            on_file=set(),
            reason="医保部门已按规定给予医疗救助 3,200 元",
        ).target
        == "closed"
    )


def test_working_days_used_leave_out_the_publicity_period() -> None:
    calendar = WorkingCalendar()
    entries = [
        (dt.date(2026, 9, 28), "accepted"),
        (dt.date(2026, 9, 29), "investigating"),  # 1 working day in accepted
        (dt.date(2026, 10, 9), "democratic_review"),  # 30 Sep, 8, 9 Oct: 3
        (dt.date(2026, 10, 10), "township_review"),  # Sat 10 Oct is a 调休 working day: 1
        (dt.date(2026, 10, 12), "publicity"),  # 12 Oct: 1
        (dt.date(2026, 10, 21), "county_review"),  # publicity not counted
        (dt.date(2026, 10, 23), "enrolled"),  # 22, 23 Oct: 2
    ]
    assert DIBAO.elapsed_working_days(entries, dt.date(2026, 12, 1), calendar=calendar) == 8
    running = entries[:6]
    assert DIBAO.elapsed_working_days(running, dt.date(2026, 10, 22), calendar=calendar) == 7
