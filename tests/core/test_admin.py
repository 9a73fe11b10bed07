"""The calendar tables in the Django admin: the system administrator only, every change audited.

The audit rows are written by the audit app's receiver of
`jiuzhu.core.signals.reference_data_changed` (`jiuzhu.audit.receivers`,
connected when the audit app is ready): action "reference.changed", details
{"model": ..., "op": "saved" | "deleted", ...}.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core.models import StatutoryDay, StatutoryYear, WorkingDayOverride
from jiuzhu.core.signals import reference_data_changed
from jiuzhu.core.workdays import working_calendar
from jiuzhu.domain.calendar import CalendarNotCovered
from tests.core.support import TEST_SOURCE_2027, enter_test_2027
from tests.factories import Cast

pytestmark = pytest.mark.django_db

D = dt.date
TYPHOON = "台风红色预警停止办公"
MODELS = ("workingdayoverride", "statutoryyear", "statutoryday")


@pytest.fixture
def admin_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.admin)
    return client


def audit_rows(model: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="reference.changed", object_type=model).order_by("seq")
    )


def post_override(client: Client, **fields: str) -> Any:
    data = {"day": "2026-10-08", "kind": "closed", "reason": TYPHOON, "_save": "保存"}
    data.update(fields)
    return client.post(reverse("admin:core_workingdayoverride_add"), data)


# --- access -------------------------------------------------------------------------------


def test_pages_load_for_the_system_administrator(admin_client: Client, cast: Cast) -> None:
    # Access follows the permission matrix (reference.manage), not model permissions.
    assert not cast.admin.has_perm("core.view_workingdayoverride")
    enter_test_2027(confirmed=False)
    WorkingDayOverride.objects.create(day=D(2026, 10, 8), kind="closed", reason=TYPHOON)
    index = admin_client.get(reverse("admin:index")).content.decode()
    for label in ("本地工作日调整", "法定节假日年度", "法定节假日安排"):
        assert label in index
    for model in MODELS:
        changelist = admin_client.get(reverse(f"admin:core_{model}_changelist"))
        assert changelist.status_code == 200, model
        assert admin_client.get(reverse(f"admin:core_{model}_add")).status_code == 200, model
    year_page = admin_client.get(
        reverse("admin:core_statutoryyear_change", args=[StatutoryYear.objects.get().pk])
    ).content.decode()
    assert "01-09（六）" in year_page  # the entered days are listed for checking


def test_other_staff_roles_are_refused(cast: Cast) -> None:
    cast.auditor.is_staff = True
    cast.auditor.save()
    client = Client()
    client.force_login(cast.auditor)
    assert "本地工作日调整" not in client.get(reverse("admin:index")).content.decode()
    for model in MODELS:
        assert client.get(reverse(f"admin:core_{model}_changelist")).status_code == 403
    assert post_override(client).status_code == 403
    assert not WorkingDayOverride.objects.exists()


# --- audited changes ------------------------------------------------------------------------


def test_the_audit_app_listens_for_reference_changes() -> None:
    assert reference_data_changed.has_listeners(), (
        "no receiver of reference_data_changed: import jiuzhu.audit.receivers in AuditConfig.ready()"
    )


def test_saving_an_override_creates_the_row_and_an_audit_row(
    admin_client: Client, cast: Cast
) -> None:
    response = post_override(admin_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = WorkingDayOverride.objects.get()
    assert (row.day, row.kind, row.reason) == (D(2026, 10, 8), "closed", TYPHOON)
    assert row.created_by == cast.admin
    assert working_calendar().add_working_days(D(2026, 9, 28), 7) == D(2026, 10, 14)

    [event] = audit_rows("core.WorkingDayOverride")
    assert event.username == "sysadmin"
    assert event.object_id == str(row.pk)
    assert event.details["model"] == "core.WorkingDayOverride"
    assert event.details["op"] == "saved"
    assert event.details["day"] == "2026-10-08"
    assert event.details["created"] is True
    assert TYPHOON not in json.dumps(event.details, ensure_ascii=False)


def test_an_override_without_a_reason_is_refused(admin_client: Client) -> None:
    response = post_override(admin_client, reason="")
    assert response.status_code == 200
    assert not WorkingDayOverride.objects.exists()
    assert audit_rows("core.WorkingDayOverride") == []


def test_changing_and_deleting_an_override_are_audited(admin_client: Client, cast: Cast) -> None:
    post_override(admin_client)
    row = WorkingDayOverride.objects.get()
    response = admin_client.post(
        reverse("admin:core_workingdayoverride_change", args=[row.pk]),
        {"day": "2026-10-09", "kind": "closed", "reason": TYPHOON, "_save": "保存"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WorkingDayOverride.objects.get().day == D(2026, 10, 9)
    response = admin_client.post(
        reverse("admin:core_workingdayoverride_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not WorkingDayOverride.objects.exists()
    created, changed, deleted = audit_rows("core.WorkingDayOverride")
    assert (changed.details["op"], changed.details["fields"]) == ("saved", ["day"])
    assert changed.details["created"] is False
    assert (deleted.details["op"], deleted.object_id) == ("deleted", str(row.pk))
    assert deleted.details["day"] == "2026-10-09"
    assert {e.username for e in (created, changed, deleted)} == {"sysadmin"}


def test_bulk_delete_writes_one_audit_row_per_row(admin_client: Client) -> None:
    rows = [
        WorkingDayOverride.objects.create(day=D(2026, 7, d), kind="closed", reason=TYPHOON)
        for d in (15, 16)
    ]
    response = admin_client.post(
        reverse("admin:core_workingdayoverride_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
    )
    assert response.status_code == 302
    assert not WorkingDayOverride.objects.exists()
    deleted = audit_rows("core.WorkingDayOverride")
    assert sorted(e.object_id for e in deleted) == sorted(str(r.pk) for r in rows)
    assert {e.details["op"] for e in deleted} == {"deleted"}


@pytest.fixture
def failing_audit() -> Iterator[None]:
    def fail(**kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    reference_data_changed.connect(fail, dispatch_uid="tests.failing_audit")
    yield
    reference_data_changed.disconnect(dispatch_uid="tests.failing_audit")


@pytest.mark.usefixtures("failing_audit")
def test_a_failed_audit_write_fails_the_change(admin_client: Client) -> None:
    with pytest.raises(RuntimeError, match="audit store"):
        post_override(admin_client)
    assert not WorkingDayOverride.objects.exists()


# --- entering and confirming a year ---------------------------------------------------------


def test_a_year_is_entered_unconfirmed_then_confirmed(admin_client: Client) -> None:
    add_year = reverse("admin:core_statutoryyear_add")
    response = admin_client.post(
        add_year, {"year": "2027", "source": TEST_SOURCE_2027, "confirmed": "on", "_save": "保存"}
    )
    assert response.status_code == 200  # nothing entered yet: cannot be confirmed
    assert "没有任何放假日期" in response.content.decode()
    assert not StatutoryYear.objects.exists()

    response = admin_client.post(
        add_year, {"year": "2027", "source": TEST_SOURCE_2027, "_save": "保存"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    add_day = reverse("admin:core_statutoryday_add")
    # TEST FIXTURE, not the real 2027 notice (see tests/core/support.py).
    for day, kind in [("2027-01-01", "day_off"), ("2027-01-09", "make_up")]:
        response = admin_client.post(
            add_day, {"day": day, "kind": kind, "source": TEST_SOURCE_2027, "_save": "保存"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    response = admin_client.post(
        add_day, {"day": "2027-01-11", "kind": "make_up", "source": "x", "_save": "保存"}
    )
    assert response.status_code == 200  # a Monday cannot be a 调休 working day
    assert StatutoryDay.objects.count() == 2

    with pytest.raises(CalendarNotCovered):  # entered, not yet confirmed: unused
        working_calendar().is_working_day(D(2027, 1, 4))
    year = StatutoryYear.objects.get()
    response = admin_client.post(
        reverse("admin:core_statutoryyear_change", args=[year.pk]),
        {"year": "2027", "source": TEST_SOURCE_2027, "confirmed": "on", "_save": "保存"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cal = working_calendar()
    assert not cal.is_working_day(D(2027, 1, 1))
    assert cal.is_working_day(D(2027, 1, 9))

    changes = AuditEvent.objects.filter(action="reference.changed").order_by("seq")
    ops = [(e.object_type, e.details["op"]) for e in changes]
    assert ops == [
        ("core.StatutoryYear", "saved"),
        ("core.StatutoryDay", "saved"),
        ("core.StatutoryDay", "saved"),
        ("core.StatutoryYear", "saved"),
    ]
    assert audit_rows("core.StatutoryYear")[-1].details["confirmed"] is True


def test_days_of_a_confirmed_year_are_read_only(admin_client: Client) -> None:
    year = enter_test_2027(confirmed=True)
    day = StatutoryDay.objects.get(day=D(2027, 1, 1))
    change = reverse("admin:core_statutoryday_change", args=[day.pk])
    assert admin_client.get(change).status_code == 200  # shown, read-only
    response = admin_client.post(
        change, {"day": "2027-01-04", "kind": "day_off", "source": "x", "_save": "保存"}
    )
    assert response.status_code == 403
    delete = reverse("admin:core_statutoryday_delete", args=[day.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        reverse("admin:core_statutoryday_add"),
        {"day": "2027-02-08", "kind": "day_off", "source": "x", "_save": "保存"},
    )
    assert response.status_code == 200
    assert "先取消" in response.content.decode()
    assert StatutoryDay.objects.filter(day=D(2027, 1, 1)).exists()

    # Taking the confirmation back makes them editable again (and 2027 unused meanwhile).
    StatutoryYear.objects.filter(pk=year.pk).update(confirmed=False)
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not StatutoryDay.objects.filter(day=D(2027, 1, 1)).exists()
