"""A 低保 case from the window to enrolment through the services; deadlines in working days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework import services
from jiuzhu.casework.models import CaseEvent
from jiuzhu.core.errors import NotFound
from jiuzhu.registry.models import Household, Income
from tests import factories
from tests.casework.support import (
    MONDAY_BEFORE_NATIONAL_DAY,
    household_of,
    open_dibao,
    step,
    to_publicity,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday() -> object:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


def test_window_to_enrolment(
    county: factories.County, cast: factories.Cast, monday: time_machine.Coordinates
) -> None:
    household = household_of(county)
    case = open_dibao(cast.officer, household)
    assert (case.state, case.due_on) == (
        "accepted",
        dt.date(2026, 10, 8),
    )  # 29, 30 Sep, then 8 Oct after the holiday
    case = to_publicity(cast.officer, case)
    assert (case.state, case.due_on, case.preparer_id) == (
        "publicity",
        dt.date(2026, 10, 13),
        cast.officer.pk,
    )

    with pytest.raises(services.CaseRefused, match="公示期已满且无异议"):
        step(cast.officer, case, "close_publicity")
    monday.move_to(dt.datetime(2026, 10, 14, 1, tzinfo=dt.UTC))  # the day after the 7th working day
    case = step(cast.officer, case, "close_publicity")
    assert (case.state, case.due_on) == ("county_review", dt.date(2026, 10, 28))  # 10 working days

    case = step(cast.approver, case, "approve")
    assert case.state == "enrolled"
    assert case.decided_amount == Decimal("1900.00")  # two members without income: 950 × 2
    household.refresh_from_db()
    assert (household.program, household.review_class, household.monthly_benefit) == (
        "dibao",
        "B",
        Decimal("1900.00"),
    )
    assert services.next_review_on(case) == dt.date(2027, 4, 14)  # B: six months
    history = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert history[0] == "open"
    assert history[-3:] == ["start_publicity", "close_publicity", "approve"]
    assert AuditEvent.objects.filter(action="case.approve", object_id=str(case.pk)).count() == 1
    assert case.assessment_versions
    assert case.assessment_inputs["programme"] == "dibao"


def test_an_objection_during_publicity_pauses_and_restarts(
    county: factories.County, cast: factories.Cast, monday: time_machine.Coordinates
) -> None:
    case = to_publicity(cast.officer, open_dibao(cast.officer, household_of(county)))
    case = step(cast.community_worker, case, "raise_objection", reason="邻居反映家中有经营性收入")
    # 15 working days: 29, 30 Sep; 8, 9, 10 (调休 Saturday), 12–16, 19–23 Oct
    assert (case.state, case.due_on) == ("reinvestigating", dt.date(2026, 10, 23))
    assert "home_visit" not in case.on_file  # findings must be made anew
    with pytest.raises(services.CaseRefused, match="入户调查"):
        step(cast.officer, case, "complete_investigation")
    monday.move_to(dt.datetime(2026, 10, 9, 1, tzinfo=dt.UTC))
    case = services.record_on_file(actor=cast.officer, case_id=case.pk, requirement="home_visit")
    case = step(cast.officer, case, "complete_investigation")
    case = services.record_on_file(
        actor=cast.officer, case_id=case.pk, requirement="democratic_review_quorum"
    )
    case = step(cast.officer, case, "record_democratic_review")
    case = step(cast.officer, case, "start_publicity")
    assert (case.state, case.state_entered_on, case.due_on) == (
        "publicity",
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 19),
    )


def test_skipped_steps_and_wrong_roles_change_nothing(
    county: factories.County, cast: factories.Cast, monday: object
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    with pytest.raises(services.CaseRefused, match="须按流程逐步办理") as refusal:
        step(cast.approver, case, "approve")
    assert refusal.value.code == "step_not_allowed"
    case.refresh_from_db()
    assert (case.state, case.version) == ("accepted", 1)
    assert AuditEvent.objects.filter(action="case.approve", result="denied").count() == 1
    with pytest.raises(services.CaseRefused) as role:
        step(cast.approver, case, "start_investigation")  # sees the case, may not do this step
    assert role.value.code == "role_not_allowed"
    with pytest.raises(NotFound):  # grid workers have no case role at all
        step(cast.grid_worker, case, "start_investigation")


def test_another_jurisdiction_sees_no_case(
    county: factories.County, cast: factories.Cast, monday: object
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    with pytest.raises(NotFound):
        step(cast.other_community_worker, case, "start_investigation")
    for user in (cast.auditor, cast.admin, cast.liaison):
        with pytest.raises(NotFound):
            services.case_get(user, case.pk)


def test_intake_needs_the_signed_commitment_and_names_the_proxy_worker(
    county: factories.County, cast: factories.Cast
) -> None:
    household = household_of(county)
    with pytest.raises(services.CaseRefused, match="告知承诺书"):
        services.open_case(
            actor=cast.officer,
            household_id=household.pk,
            programme="dibao",
            channel="window",
            commitment_signed=False,
            data_check_authorised=True,
        )
    with pytest.raises(services.CaseRefused, match="帮办"):
        services.open_case(
            actor=cast.officer,
            household_id=household.pk,
            programme="dibao",
            channel="proxy",
            commitment_signed=True,
            data_check_authorised=True,
        )
    with pytest.raises(services.CaseRefused, match="近亲属"):
        services.open_case(
            actor=cast.officer,
            household_id=household.pk,
            programme="dibao",
            channel="window",
            commitment_signed=True,
            data_check_authorised=True,
            staff_relative=True,
        )
    case = services.open_case(
        actor=cast.community_worker,
        household_id=Household.objects.filter(community=county.communities[0]).first().pk,
        programme="dibao",
        channel="proxy",
        proxy_worker=cast.community_worker,
        commitment_signed=True,
        data_check_authorised=True,
        staff_relative=True,
        staff_relative_note="申请人为社区主任之弟",
        missing_materials=["残疾证复印件"],
    )
    assert (case.channel, case.proxy_worker_id, case.staff_relative, case.missing_materials) == (
        "proxy",
        cast.community_worker.pk,
        True,
        ["残疾证复印件"],
    )


def test_workflow_roles_are_the_platforms_roles() -> None:
    from jiuzhu.core.permissions import Role
    from jiuzhu.domain.casework.workflow import ROLES

    assert set(ROLES) == set(Role.values)


def test_the_service_catalogue_matches_the_registry_programmes() -> None:
    from jiuzhu.domain.casework.workflow import bundled_services
    from jiuzhu.registry.models import Program

    assert set(bundled_services()) == set(Program.values) - {"none"}


def test_county_spot_checks_staff_relatives_objections_and_a_share_drawn_from_the_case_number(
    county: factories.County, cast: factories.Cast, monday: time_machine.Coordinates
) -> None:
    household = household_of(county)
    relative = services.open_case(
        actor=cast.officer,
        household_id=household.pk,
        programme="dibao",
        channel="window",
        commitment_signed=True,
        data_check_authorised=True,
        staff_relative=True,
        staff_relative_note="经办人之兄",
    )
    relative = to_publicity(cast.officer, relative)
    monday.move_to(dt.datetime(2026, 10, 14, 1, tzinfo=dt.UTC))
    relative = step(cast.officer, relative, "close_publicity")
    assert (relative.spot_check, relative.spot_check_reason) == (True, "经办人员近亲属申请")
    with pytest.raises(services.CaseRefused, match="县级入户抽查"):
        step(cast.approver, relative, "approve")
    with pytest.raises(NotFound):  # the county records its own check
        services.record_on_file(actor=cast.officer, case_id=relative.pk, requirement="county_check")
    relative = services.record_on_file(
        actor=cast.approver, case_id=relative.pk, requirement="county_check"
    )
    assert step(cast.approver, relative, "approve").state == "enrolled"


def test_the_spot_check_draw_is_reproducible_from_the_case_number(
    county: factories.County, cast: factories.Cast, monday: time_machine.Coordinates
) -> None:
    # sha256(case number) mod 10,000 against 30 %: JZ2026092800001 falls in bucket 6536
    # (not drawn), JZ2026092800002 in bucket 1546 (drawn).
    first = to_publicity(cast.officer, open_dibao(cast.officer, household_of(county)))
    second = to_publicity(
        cast.officer, open_dibao(cast.officer, county.households_in(county.townships[0])[1])
    )
    assert (first.case_no, second.case_no) == ("JZ2026092800001", "JZ2026092800002")
    monday.move_to(dt.datetime(2026, 10, 14, 1, tzinfo=dt.UTC))
    first = step(cast.officer, first, "close_publicity")
    second = step(cast.officer, second, "close_publicity")
    assert (first.spot_check, "county_check" in first.on_file) == (False, True)
    assert (second.spot_check, second.spot_check_reason) == (True, "按 0.3 的比例随机抽中")
    assert "county_check" not in second.on_file


def test_working_days_used_leave_out_the_publicity(
    county: factories.County, cast: factories.Cast, monday: time_machine.Coordinates
) -> None:
    case = to_publicity(cast.officer, open_dibao(cast.officer, household_of(county)))
    assert services.working_days_used(case) == 0  # everything happened on Monday 28 September
    monday.move_to(dt.datetime(2026, 10, 14, 1, tzinfo=dt.UTC))
    assert services.working_days_used(case) == 0  # still in 公示
    case = step(cast.officer, case, "close_publicity")
    assert services.working_days_used(case, today=dt.date(2026, 10, 16)) == 2  # 15, 16 Oct


def test_a_refused_dibao_continues_as_a_recognition_without_a_new_application(
    county: factories.County, cast: factories.Cast, monday: time_machine.Coordinates
) -> None:
    """一次申请、分类认定: refused for 低保 as a 低保边缘 household → a recognition case opens."""
    household = household_of(county)
    for month in range(3, 9):  # six months of 1,000 a month each for two members: 1,000 per head
        for member in household.members.all():
            Income.objects.create(
                household=household,
                member=member,
                month=dt.date(2026, month, 1),
                category="wage",
                amount=Decimal("1000.00"),
                recorded_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
            )
    case = to_publicity(cast.officer, open_dibao(cast.officer, household))
    assert case.assessment_result["household_category"] == "near_dibao"
    monday.move_to(dt.datetime(2026, 10, 14, 1, tzinfo=dt.UTC))
    case = step(cast.officer, case, "close_publicity")
    if not case.on_file or "county_check" not in case.on_file:
        case = services.record_on_file(
            actor=cast.approver, case_id=case.pk, requirement="county_check"
        )
    case = step(
        cast.approver, case, "refuse", reason="人均收入 1,000.00 元不低于低保标准 950.00 元"
    )
    follow_up = case.derived_cases.get()
    assert (follow_up.programme, follow_up.state, follow_up.derived_from_id) == (
        "low_income_recognition",
        "accepted",
        case.pk,
    )
    assert case.events.get(action="refuse").details["follow_up_case"] == follow_up.case_no
    assert "分类认定" in follow_up.events.get(action="open").reason
