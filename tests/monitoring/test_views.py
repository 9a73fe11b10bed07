"""The warning list (预警清单), a task's page and the export: each role sees its own
jurisdiction only (community, grid, street, county); a task outside it is an audited
404; the figures are in yuan with Chinese labels; the chart is inline SVG."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.monitoring.models import TaskStatus, VerificationTask
from jiuzhu.monitoring.services import raise_tasks
from tests.monitoring.support import BEFORE_SPRING_FESTIVAL, login, warning

pytestmark = pytest.mark.django_db

LIST = "/monitoring/warnings/"
EXPORT = "/monitoring/warnings/export/"


@pytest.fixture
def tasks(county, cast) -> list[VerificationTask]:
    """One NEW_VEHICLE task per household of the county, one MEDICAL_BURDEN in grid A1-1."""
    with time_machine.travel(BEFORE_SPRING_FESTIVAL, tick=False):
        raise_tasks(
            "2026Q1",
            [warning(h, "NEW_VEHICLE") for h in county.households]
            + [warning(county.households_in(county.grids[0])[0], "MEDICAL_BURDEN")],
        )
    return list(VerificationTask.objects.order_by("pk"))


def household_nos(response: Any) -> set[str]:
    return {row["household_no"] for row in response.context["rows"]}


def test_the_route_is_mounted():
    assert reverse("monitoring:warning_list") == LIST


@pytest.mark.parametrize(
    ("who", "division"),
    [
        ("community_worker", lambda c: c.communities[0]),
        ("grid_worker", lambda c: c.grids[0]),
        ("officer", lambda c: c.townships[0]),
        ("approver", lambda c: c.county),
        ("other_community_worker", lambda c: c.communities[2]),
    ],
)
def test_each_role_sees_its_own_jurisdiction(client, county, cast, tasks, who, division):
    login(client, getattr(cast, who))
    response = client.get(LIST)
    assert response.status_code == 200
    expected = {h.household_no for h in county.households_in(division(county))}
    assert household_nos(response) == expected
    assert response.context["page"].paginator.count == len(
        [t for t in tasks if t.household.household_no in expected]
    )
    event = AuditEvent.objects.filter(action="warning.list").latest("seq")
    assert event.user_id == getattr(cast, who).pk


@pytest.mark.parametrize("who", ["liaison", "auditor", "admin"])
def test_other_roles_get_nothing(client, cast, tasks, who):
    login(client, getattr(cast, who))
    assert client.get(LIST).status_code == 404
    assert client.get(f"/monitoring/warnings/{tasks[0].pk}/").status_code == 404


def test_a_worker_without_a_division_sees_an_empty_list(client, cast, tasks):
    login(client, cast.no_division)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert AuditEvent.objects.filter(action="scope.denied", user_id=cast.no_division.pk).exists()
    assert client.get(f"/monitoring/warnings/{tasks[0].pk}/").status_code == 404


def test_filters_narrow_the_list(client, county, cast, tasks):
    login(client, cast.officer)
    response = client.get(LIST, {"rule": "MEDICAL_BURDEN"})
    rows = response.context["rows"]
    assert [r["rule_label"] for r in rows] == ["医疗支出负担重"]
    assert rows[0]["direction_label"] == "可能需要更多救助"
    response = client.get(LIST, {"direction": "review", "community": county.communities[1].pk})
    assert household_nos(response) == {
        h.household_no for h in county.households_in(county.communities[1])
    }
    assert client.get(LIST, {"period": "2026Q1"}).context["page"].paginator.count == len(
        [t for t in tasks if t.division_path.startswith(county.townships[0].path)]
    )
    # A quarter without warnings is not a choice: dropped, the whole list stays.
    assert client.get(LIST, {"period": "2025Q4"}).context["form"].errors
    assert client.get(LIST, {"status": "done"}).context["page"].paginator.count == 0
    # A community of another street is not a choice: the filter is dropped, not obeyed.
    response = client.get(LIST, {"community": county.communities[2].pk})
    assert household_nos(response) == {
        h.household_no for h in county.households_in(county.townships[0])
    }


def test_a_community_worker_gets_no_community_filter(client, cast, tasks):
    login(client, cast.community_worker)
    response = client.get(LIST)
    assert "community" not in response.context["form"].fields


def test_figures_in_yuan_due_date_overdue_and_unassigned(client, county, cast, tasks):
    login(client, cast.officer)
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        response = client.get(LIST, {"rule": "MEDICAL_BURDEN"})
        html = response.content.decode()
        unassigned = client.get(LIST, {"community": county.communities[1].pk}).content.decode()
    assert "近12个月医疗自付：12,000.00 元" in html
    assert "家庭年收入（取较大者）：24,000.00 元" in html
    assert "自付占年收入：50.0%" in html
    assert "2026-03-02" in html
    assert 'data-testid="row-overdue"' in html
    assert "网格：未分配" in unassigned
    assert "社区：未分配" in unassigned


def test_the_grid_worker_sees_medical_figures_masked(client, cast, tasks):
    login(client, cast.grid_worker)
    html = client.get(LIST, {"rule": "MEDICAL_BURDEN"}).content.decode()
    assert "近12个月医疗自付：已登记" in html
    assert "12,000.00" not in html


def test_the_chart_is_inline_svg_with_chinese_labels(client, cast, tasks):
    login(client, cast.approver)
    response = client.get(LIST)
    html = response.content.decode()
    assert '<svg class="w-100 h-auto"' in html
    assert '<title id="chart-title">各规则预警数（按季度）</title>' in html
    assert "2026Q1 新增车辆：16 条" in html
    assert "2026Q1 医疗支出负担重：1 条" in html
    assert "<script" not in html.split("<main", 1)[1]
    assert "style=" not in html


def test_a_task_page_shows_the_task_and_is_audited(client, county, cast, tasks):
    task = VerificationTask.objects.get(rule="MEDICAL_BURDEN")
    login(client, cast.grid_worker)
    response = client.get(f"/monitoring/warnings/{task.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert task.household.household_no in html
    assert "医疗支出负担重" in html
    assert response.context["can_decide"] is True
    assert AuditEvent.objects.filter(action="warning.view", object_id=str(task.pk)).exists()
    member = task.members.get()
    assert member.name in html
    assert member.id_number not in html


def test_a_task_outside_the_jurisdiction_is_an_audited_404(client, county, cast, tasks):
    foreign = VerificationTask.objects.filter(community=county.communities[2]).first()
    assert foreign is not None
    login(client, cast.community_worker)
    assert client.get(f"/monitoring/warnings/{foreign.pk}/").status_code == 404
    assert client.get("/monitoring/warnings/999999/").status_code == 404
    denied = AuditEvent.objects.filter(action="warning.view", result="denied")
    assert set(denied.values_list("object_id", flat=True)) == {str(foreign.pk), "999999"}
    response = client.post(
        f"/monitoring/warnings/{foreign.pk}/", {"outcome": "no_change", "reason": "入户核实属实"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == TaskStatus.OPEN


def test_recording_an_outcome_through_the_page(client, county, cast, tasks):
    task = VerificationTask.objects.filter(community_worker=cast.community_worker).first()
    assert task is not None
    login(client, cast.community_worker)
    url = f"/monitoring/warnings/{task.pk}/"
    response = client.post(url, {"outcome": "adjust", "reason": ""})
    assert response.status_code == 200
    assert "请填写核查说明" in response.content.decode()
    response = client.post(url, {"outcome": "adjust", "reason": "核实"})
    assert "核查说明至少 4 个字" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    response = client.post(url, {"outcome": "adjust", "reason": "新增车辆属实，调整救助金额"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome, task.decided_by) == ("done", "adjust", cast.community_worker)
    page = client.get(url).content.decode()
    assert "调整救助" in page
    assert 'data-testid="outcome-form"' not in page


def test_a_viewer_who_may_not_decide_gets_a_message_not_a_decision(client, county, cast, tasks):
    """The approver sees the task (county), but deciding is not theirs: audited 404 on POST."""
    task = tasks[0]
    login(client, cast.approver)
    page = client.get(f"/monitoring/warnings/{task.pk}/").content.decode()
    assert 'data-testid="outcome-form"' not in page
    response = client.post(
        f"/monitoring/warnings/{task.pk}/", {"outcome": "no_change", "reason": "入户核实属实"}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="warning.decide", result="denied").exists()


def export(client: Client, data: dict[str, Any]) -> Any:
    return client.post(EXPORT, data)


def workbook_rows(response: Any) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_the_export_is_scoped_filtered_and_audited(client, county, cast, tasks):
    login(client, cast.community_worker)
    response = export(client, {"reason": "季度入户核查名单", "rule": "NEW_VEHICLE"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(response)
    assert "导出人：community_a1" in rows[0][0]
    assert rows[1][:4] == ["家庭编号", "社区/村", "网格", "预警规则"]
    data = rows[2:]
    assert {r[0] for r in data} == {
        h.household_no for h in county.households_in(county.communities[0])
    }
    assert {r[3] for r in data} == {"新增车辆"}
    assert all("号牌号码" in r[7] for r in data)
    event = AuditEvent.objects.get(action="warning.export")
    assert event.details["rows"] == len(data) == 4
    assert event.details["reason"] == "季度入户核查名单"
    for household in county.households:
        for member in household.members.all():
            assert member.id_number.encode() not in response.content


def test_the_export_needs_a_reason_and_the_permission(client, cast, tasks):
    login(client, cast.community_worker)
    response = export(client, {"reason": ""})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="warning.export", result="ok").exists()
    login(client, cast.grid_worker)
    assert export(client, {"reason": "季度入户核查名单"}).status_code == 404
