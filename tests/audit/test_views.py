"""The audit page: only the 审计员 sees it; it filters, pages, labels in Chinese,
shows the hash-chain status, and is itself audited."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from jiuzhu.accounts.models import User
from jiuzhu.audit.models import AuditChainHead, AuditEvent
from jiuzhu.audit.services import audit_record
from tests import factories
from tests.audit.triggers import behind_the_back

pytestmark = pytest.mark.django_db

URL = "/audit/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADERS = ["时间", "用户", "角色", "区划", "IP", "操作", "对象", "结果", "请求编号"]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(html: str) -> list[str]:
    return re.findall(r'data-testid="event-row" data-seq="(\d+)"', html)


def test_url_name_is_mounted_at_audit() -> None:
    assert reverse("audit:event_list") == URL


def test_only_the_auditor_sees_the_page(cast: factories.Cast) -> None:
    expected = {user.username: 404 for user in cast.all()}
    expected[cast.auditor.username] = 200
    seen = {user.username: signed_in(user).get(URL).status_code for user in cast.all()}
    assert seen == expected


def test_refused_users_are_audited(cast: factories.Cast) -> None:
    signed_in(cast.admin).get(URL)
    denial = AuditEvent.objects.filter(action="audit.view").get()
    assert (denial.username, denial.role, denial.result) == ("sysadmin", "admin", "denied")
    assert denial.details == {"reason": "no_permission", "path": URL}


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_page_shows_rows_newest_first_with_chinese_headers_and_labels(
    cast: factories.Cast,
) -> None:
    audit_record(action="login.ok", actor=cast.officer)
    audit_record(
        action="household.reveal",
        actor=cast.officer,
        object_type="registry.Member",
        object_id=7,
        details={"field": "id_number"},
    )
    audit_record(action="scope.denied", result="denied", actor=cast.no_division)
    audit_record(action="brand.new_action", username="system")
    response = signed_in(cast.auditor).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    thead = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert re.findall(r"<th[^>]*>([^<]+)</th>", thead) == HEADERS
    seqs = [int(s) for s in rows_of(html)]
    assert seqs == sorted(seqs, reverse=True)
    for label in ("登录成功", "查看敏感信息", "越权访问被拒", "查看审计日志"):
        assert label in html
    assert "brand.new_action" in html  # an unknown code is shown as it is
    assert "救助专干" in html  # the role, in Chinese
    assert "A街道" in html  # the division, by name
    assert "table-responsive" in html
    assert response["Cache-Control"] == "no-store"


def test_viewing_the_page_is_audited(cast: factories.Cast) -> None:
    signed_in(cast.auditor).get(URL, {"action": "login.ok", "username": "officer"})
    view = AuditEvent.objects.filter(action="audit.view").latest("seq")
    assert view.username == "auditor"
    assert view.role == "auditor"
    assert view.result == "ok"
    assert view.details["filters"] == {"action": "login.ok", "username": "officer"}


def test_page_has_no_inline_script(cast: factories.Cast) -> None:
    html = signed_in(cast.auditor).get(URL, {"verify": "1"}).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html)  # no onclick= and the like


def _events(cast: factories.Cast) -> None:
    audit_record(action="login.ok", actor=cast.officer)
    audit_record(action="login.failed", result="failed", username="officer_a")
    audit_record(
        action="household.view",
        actor=cast.community_worker,
        object_type="registry.Household",
        object_id=11,
    )
    audit_record(
        action="household.view", actor=cast.officer, object_type="registry.Household", object_id=12
    )
    audit_record(action="household.export", result="denied", actor=cast.grid_worker)


@pytest.mark.parametrize(
    ("query", "expected_actions"),
    [
        ({"action": "household.view"}, ["household.view", "household.view"]),
        ({"username": "OFFICER"}, ["household.view", "login.failed", "login.ok"]),
        ({"result": "denied"}, ["household.export"]),
        ({"object_id": "11"}, ["household.view"]),
        ({"action": "household.view", "username": "community"}, ["household.view"]),
    ],
)
def test_filters(cast: factories.Cast, query: dict[str, str], expected_actions: list[str]) -> None:
    before = AuditChainHead.objects.values_list("last_seq", flat=True).first() or 0
    _events(cast)
    html = signed_in(cast.auditor).get(URL, query).content.decode()
    shown = [int(s) for s in rows_of(html)]
    actions = list(
        AuditEvent.objects.filter(seq__in=shown, seq__gt=before)
        .order_by("-seq")
        .values_list("action", flat=True)
    )
    assert actions == expected_actions
    assert all(seq > before for seq in shown)


def test_date_range_is_whole_days_in_shanghai(cast: factories.Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    # 2026-11-28 23:30 and 2026-11-29 00:30 in Shanghai are the same UTC day (15:30, 16:30).
    time_machine.move_to(dt.datetime(2026, 11, 28, 23, 30, tzinfo=SHANGHAI), tick=False)
    late = audit_record(action="household.view", username="late")
    time_machine.move_to(dt.datetime(2026, 11, 29, 0, 30, tzinfo=SHANGHAI), tick=False)
    early = audit_record(action="household.view", username="early")
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI), tick=False)
    client = signed_in(cast.auditor)

    def shown(query: dict[str, str]) -> set[int]:
        html = client.get(URL, {"action": "household.view", **query}).content.decode()
        return {int(s) for s in rows_of(html)}

    assert shown({"date_from": "2026-11-29", "date_to": "2026-11-29"}) == {early.seq}
    assert shown({"date_to": "2026-11-28"}) == {late.seq}
    assert shown({"date_from": "2026-11-28"}) == {late.seq, early.seq}
    page = client.get(URL, {"username": "late"}).content.decode()
    assert "2026-11-28 23:30:00" in page  # shown in Shanghai time
    html = client.get(URL, {"date_from": "2026-11-30", "date_to": "2026-11-01"}).content.decode()
    assert "结束日期不能早于开始日期" in html


def test_pagination_fifty_per_page(cast: factories.Cast) -> None:
    for i in range(60):
        audit_record(action="household.search", username=f"bulk{i}")
    client = signed_in(cast.auditor)
    first = client.get(URL, {"action": "household.search"}).content.decode()
    second = client.get(URL, {"action": "household.search", "page": "2"}).content.decode()
    page1, page2 = [int(s) for s in rows_of(first)], [int(s) for s in rows_of(second)]
    assert len(page1) == 50
    assert len(page2) == 10
    assert min(page1) > max(page2)
    assert "共 60 条记录" in first
    assert "action=household.search" in first  # filters are kept in the page links
    assert "page=2" in first


def test_chain_status_ok(cast: factories.Cast) -> None:
    for _ in range(3):
        audit_record(action="household.view", username="x")
    client = signed_in(cast.auditor)
    expected = AuditEvent.objects.count()  # the check runs before its own audit rows are written
    html = client.get(URL, {"verify": "1"}).content.decode()
    assert f"哈希链完整，共{expected}条" in html
    verify_row = AuditEvent.objects.filter(action="audit.verify").get()
    assert verify_row.result == "ok"


def test_chain_status_names_the_broken_row(cast: factories.Cast) -> None:
    for _ in range(4):
        audit_record(action="household.view", username="x")
    target = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[1]
    behind_the_back("UPDATE audit_auditevent SET result = 'denied' WHERE seq = %s", [target])
    html = signed_in(cast.auditor).get(URL, {"verify": "1"}).content.decode()
    assert f"哈希链已断开：第{target}条记录" in html
    assert AuditEvent.objects.filter(action="audit.verify").get().result == "failed"


def test_chain_status_as_htmx_fragment(cast: factories.Cast) -> None:
    response = signed_in(cast.auditor).get(URL, {"verify": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="chain-status"' in html
    assert "哈希链完整" in html
    assert "<html" not in html


def test_page_changes_nothing(cast: factories.Cast) -> None:
    response = signed_in(cast.auditor).post(URL, {"action": "x"})
    assert response.status_code == 405


def test_audit_log_is_not_in_the_django_admin(cast: factories.Cast) -> None:
    assert not admin.site.is_registered(AuditEvent)
    assert not admin.site.is_registered(AuditChainHead)
    response = signed_in(cast.admin).get("/admin/audit/auditevent/")
    assert response.status_code in (302, 404)
