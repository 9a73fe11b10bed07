"""Verification tasks (核查任务) from a warning list: due in working days, raised once per
household, rule and quarter, an open task updated by the next quarter, assignees resolved
from the household's community and grid, and the maker rules of recording an outcome."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.permissions import Role
from jiuzhu.monitoring.models import Outcome, TaskStatus, VerificationTask, WarningOccurrence
from jiuzhu.monitoring.services import (
    OutcomeRefused,
    TaskClosed,
    due_working_days,
    raise_tasks,
    record_outcome,
)
from jiuzhu.screening import ScreeningWarning
from tests import factories
from tests.monitoring.support import (
    BEFORE_SPRING_FESTIVAL,
    DUE_AFTER_SPRING_FESTIVAL,
    warning,
)

pytestmark = pytest.mark.django_db


def test_a_task_is_due_ten_working_days_later_across_the_spring_festival(county, cast):
    household = county.households_in(county.grids[0])[0]
    with time_machine.travel(BEFORE_SPRING_FESTIVAL, tick=False):
        summary = raise_tasks("2026Q1", [warning(household, "NEW_VEHICLE", members=2)])
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 0)
    task = VerificationTask.objects.get()
    assert task.created_on == dt.date(2026, 2, 10)
    assert task.due_on == DUE_AFTER_SPRING_FESTIVAL
    assert task.status == TaskStatus.OPEN
    assert (task.period, task.last_period, task.direction) == ("2026Q1", "2026Q1", "review")
    assert (task.community, task.grid) == (household.community, household.grid)
    assert task.division_path == household.division_path
    # Members are resolved from the blind indexes; no clear ID number is stored.
    assert set(task.members.all()) == set(household.members.order_by("pk")[:2])
    assert task.details["items"] == ["川A12345"]
    assert (task.community_worker, task.grid_worker) == (cast.community_worker, cast.grid_worker)
    event = AuditEvent.objects.get(action="warning.raise")
    assert event.details["created"] == 1


def test_the_limit_comes_from_the_setting(county, settings):
    settings.JIUZHU_VERIFICATION_DUE_WORKING_DAYS = 3
    assert due_working_days() == 3
    household = county.households[0]
    with time_machine.travel(BEFORE_SPRING_FESTIVAL, tick=False):
        raise_tasks("2026Q1", [warning(household)])
    # 11, 12, 13 February.
    assert VerificationTask.objects.get().due_on == dt.date(2026, 2, 13)


def test_rerunning_a_quarter_creates_no_duplicates(county, cast):
    warnings = [
        warning(h, rule) for h in county.households[:3] for rule in ("NEW_VEHICLE", "INCOME_SWING")
    ]
    first = raise_tasks("2026Q1", warnings)
    second = raise_tasks("2026Q1", warnings)
    assert (first.created, first.updated, first.unchanged) == (6, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6)
    assert VerificationTask.objects.count() == 6
    assert WarningOccurrence.objects.count() == 6


def test_the_next_quarter_updates_the_open_task(county):
    household = county.households[0]
    raise_tasks("2026Q1", [warning(household, "INCOME_SWING")])
    task = VerificationTask.objects.get()
    due = task.due_on
    newer = warning(household, "INCOME_SWING", members=2, quarter_income_fen=1500000)
    summary = raise_tasks("2026Q2", [newer])
    assert (summary.created, summary.updated) == (0, 1)
    task.refresh_from_db()
    assert VerificationTask.objects.count() == 1
    assert (task.period, task.last_period) == ("2026Q1", "2026Q2")
    assert task.details["quarter_income_fen"] == 1500000
    assert task.members.count() == 2
    assert task.due_on == due  # the same task keeps its limit
    assert list(task.occurrences.values_list("period", flat=True)) == ["2026Q1", "2026Q2"]
    # Re-running the older quarter records nothing new and keeps the newer figures.
    again = raise_tasks("2026Q1", [warning(household, "INCOME_SWING")])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    task.refresh_from_db()
    assert task.details["quarter_income_fen"] == 1500000


def test_a_decided_task_is_not_reopened_and_a_new_quarter_raises_a_new_one(county, cast):
    household = county.households_in(county.grids[0])[0]
    raise_tasks("2026Q1", [warning(household)])
    task = VerificationTask.objects.get()
    record_outcome(task, cast.officer, Outcome.NO_CHANGE, "入户核实，车辆已于上月转让")
    assert raise_tasks("2026Q1", [warning(household)]).unchanged == 1
    summary = raise_tasks("2026Q2", [warning(household)])
    assert summary.created == 1
    assert list(VerificationTask.objects.order_by("pk").values_list("period", "status")) == [
        ("2026Q1", "done"),
        ("2026Q2", "open"),
    ]


def test_nobody_in_the_grid_means_unassigned(county, cast):
    household = county.households_in(county.grids[1])[0]  # community A1, grid 2: no grid worker
    b1 = county.households_in(county.communities[3])[0]  # community B2: nobody at all
    raise_tasks("2026Q1", [warning(household), warning(b1)])
    task = VerificationTask.objects.get(household=household)
    assert task.community_worker == cast.community_worker
    assert task.grid_worker is None
    lonely = VerificationTask.objects.get(household=b1)
    assert (lonely.community_worker, lonely.grid_worker) == (None, None)


def test_an_inactive_worker_is_not_assigned(county, cast):
    cast.community_worker.is_active = False
    cast.community_worker.save()
    second = factories.user("community_a1_bis", Role.COMMUNITY_WORKER, county.communities[0])
    raise_tasks("2026Q1", [warning(county.households[0])])
    assert VerificationTask.objects.get().community_worker == second


def test_an_unknown_household_is_skipped(county):
    ghost = ScreeningWarning(
        household_id="NOPE0001",
        rule="NEW_VEHICLE",
        members=(),
        details={},
        direction="review",
    )
    summary = raise_tasks("2026Q1", [ghost, warning(county.households[0])])
    assert (summary.created, summary.skipped) == (1, 1)
    assert "不在家庭信息库中" in summary.message()


@pytest.fixture
def task(county, cast) -> VerificationTask:
    raise_tasks("2026Q1", [warning(county.households_in(county.grids[0])[0])])
    return VerificationTask.objects.get()


@pytest.mark.parametrize("reason", ["", "   ", "核实"])
def test_an_outcome_needs_a_reason(task, cast, reason):
    with pytest.raises(OutcomeRefused, match="核查说明"):
        record_outcome(task, cast.community_worker, Outcome.ADJUST, reason)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_an_outcome_needs_a_known_value(task, cast):
    with pytest.raises(OutcomeRefused, match="核查结果"):
        record_outcome(task, cast.community_worker, "whatever", "入户核实情况属实")


@pytest.mark.parametrize("who", ["community_worker", "grid_worker", "officer"])
def test_the_assignees_and_the_officer_may_record(task, cast, who):
    user = getattr(cast, who)
    record_outcome(task, user, Outcome.REFER, "  已转介人社部门\n就业帮扶 ")
    task.refresh_from_db()
    assert (task.status, task.outcome, task.decided_by) == (TaskStatus.DONE, "refer", user)
    assert task.reason == "已转介人社部门 就业帮扶"
    event = AuditEvent.objects.get(action="warning.decide")
    assert event.object_id == str(task.pk)
    assert event.details["outcome"] == "refer"


@pytest.mark.parametrize("who", ["other_community_worker", "approver", "liaison"])
def test_others_may_not_record(task, cast, who):
    with pytest.raises(PermissionDenied):
        record_outcome(task, getattr(cast, who), Outcome.NO_CHANGE, "入户核实情况属实")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_a_second_worker_of_the_community_who_is_not_assigned_may_not_record(task, county):
    second = factories.user("community_a1_two", Role.COMMUNITY_WORKER, county.communities[0])
    with pytest.raises(PermissionDenied):
        record_outcome(task, second, Outcome.NO_CHANGE, "入户核实情况属实")


def test_an_officer_of_another_street_may_not_record(task, county):
    other = factories.user("officer_b", Role.ASSISTANCE_OFFICER, county.townships[1])
    with pytest.raises(PermissionDenied):
        record_outcome(task, other, Outcome.NO_CHANGE, "入户核实情况属实")


def test_an_outcome_is_recorded_once(task, cast):
    record_outcome(task, cast.officer, Outcome.SUSPECTED_FRAUD, "隐瞒车辆，移交核查")
    with pytest.raises(TaskClosed):
        record_outcome(task, cast.community_worker, Outcome.NO_CHANGE, "入户核实情况属实")
    task.refresh_from_db()
    assert (task.outcome, task.decided_by) == ("suspected_fraud", cast.officer)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_raise_each_task_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    county = factories.make_county()
    warnings = [
        warning(h, rule) for h in county.households for rule in ("NEW_VEHICLE", "MEMBER_DECEASED")
    ]
    threads_n = 4
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []
    results = []

    def run() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            results.append(raise_tasks("2026Q1", warnings))
        except BaseException as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert VerificationTask.objects.count() == len(warnings)
    assert WarningOccurrence.objects.count() == len(warnings)
    assert sum(r.created for r in results) == len(warnings)
    assert sum(r.unchanged for r in results) == len(warnings) * (threads_n - 1)
