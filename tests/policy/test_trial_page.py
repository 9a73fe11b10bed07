"""The 试算 page: a household typed in or a registered one, through `run_trial`.

E01 (the worked case of /work/shared/spec/cases) typed in by form gives 1,100.00;
the case parser's errors come back next to the field, in Chinese, with a 200;
a household of another community and a role without the permission are 404.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.registry.models import Income
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("policy:trial")

E01_MEMBERS: list[dict[str, str]] = [
    {
        "birth_date": "1981-04-02",
        "relation": "head",
        "labor_ability": "full",
        "employment": "flexible",
        "income_wage": "1900",
        "income_transfer_out": "150",
    },
    {"birth_date": "1983-01-20", "relation": "spouse", "labor_ability": "full"},
    {
        "birth_date": "2010-05-11",
        "relation": "child",
        "labor_ability": "none",
        "is_student": "on",
    },
]


def member_defaults(index: int) -> dict[str, str]:
    """What the browser sends for an untouched member row."""
    return {
        "relation": ("head", "spouse")[index] if index < 2 else "child",
        "labor_ability": "full",
        "health": "healthy",
        "employment": "none",
        "disability_grade": "0",
    }


def manual_post(
    members: list[dict[str, str]] | None = None,
    *,
    rows: int = 3,
    programme: str = "dibao",
    as_of: str = "2026-06-15",
    **top: str,
) -> dict[str, Any]:
    """The POST body of the typed-in form (prefixes `case-` and `members-`)."""
    members = E01_MEMBERS if members is None else members
    data: dict[str, Any] = {
        "mode": "manual",
        "action": "run",
        "case-programme": programme,
        "case-as_of": as_of,
        "case-aid_kind": "emergency",
        "case-financial": "6000",
        "case-residential_count": "1",
        "members-TOTAL_FORMS": str(max(rows, len(members))),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "12",
    }
    data.update({f"case-{name}": value for name, value in top.items()})
    for index in range(max(rows, len(members))):
        row = member_defaults(index)
        if index < len(members):
            row.update(members[index])
        data.update({f"members-{index}-{name}": value for name, value in row.items()})
    return data


def text(response: Any) -> str:
    return response.content.decode()


def test_officer_gets_e01_by_form(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    response = client.post(URL, manual_post())
    assert response.status_code == 200
    html = text(response)
    assert 'data-testid="trial-result"' in html
    assert re.search(r'data-testid="trial-outcome">\s*符合\s*<', html)
    assert re.search(r'data-testid="trial-amount">1,100.00<', html)
    assert "583.33" in html
    assert "最低生活保障" in html
    assert "低保家庭" in html
    assert "B类（每6个月复核）" in html
    # the explanation: figures, checks, income lines and parameters with their dates
    assert "低保标准（元/人·月）" in html
    assert "950.00" in html
    assert "✓" in html
    assert "工资性收入" in html
    assert "城乡低保标准" in html
    assert "2025-01-01" in html
    event = AuditEvent.objects.filter(action="policy.trial").latest("id")
    assert event.result == "ok"
    assert event.username == cast.officer.username
    assert event.details["channel"] == "page"
    assert event.details["outcome"] == "eligible"
    assert event.details["registered"] is False


def test_blank_rows_are_skipped_and_the_applicant_defaults_to_the_head(
    cast: factories.Cast, client: Client
) -> None:
    client.force_login(cast.community_worker)
    response = client.post(URL, manual_post(rows=5, programme="auto"))
    assert response.status_code == 200
    assert re.search(r'data-testid="trial-amount">1,100.00<', text(response))


def test_a_member_without_birth_date_is_shown_next_to_the_field(
    cast: factories.Cast, client: Client
) -> None:
    client.force_login(cast.officer)
    members = [dict(row) for row in E01_MEMBERS]
    del members[1]["birth_date"]
    members[1]["name"] = "李芳"
    response = client.post(URL, manual_post(members))
    assert response.status_code == 200
    html = text(response)
    assert 'data-testid="trial-result"' not in html
    top = re.search(r'data-testid="trial-error">(.*?)</div>\s*</div>', html, re.S)
    assert top is not None
    assert "第 2 名成员 · 出生日期：缺少日期（格式 YYYY-MM-DD）" in top.group(1)
    assert "household.members" not in html
    field_error = re.search(r'data-testid="error-members-1-birth_date">([^<]*)<', html)
    assert field_error is not None
    assert field_error.group(1) == "缺少日期（格式 YYYY-MM-DD）"
    assert 'name="members-1-birth_date"' in html
    assert 'name="members-1-birth_date" class="form-control is-invalid"' in html
    assert not AuditEvent.objects.filter(action="policy.trial", result="ok").exists()


def test_form_level_errors_are_chinese_and_no_500(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    members = [dict(row) for row in E01_MEMBERS]
    members[0]["income_wage"] = "-5"
    members[0]["birth_date"] = "02/04/1981"
    response = client.post(URL, manual_post(members, programme="temp_aid"))
    assert response.status_code == 200
    html = text(response)
    assert "金额不能为负数" in html
    assert "日期格式应为 YYYY-MM-DD" in html
    assert "临时救助须填写申请救助金额" in html
    assert "临时救助须选择事由" in html


def test_a_birth_date_after_the_as_of_date(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    response = client.post(URL, manual_post(as_of="2009-01-01"))
    assert response.status_code == 200
    html = text(response)
    assert "第 3 名成员 · 出生日期：出生日期晚于认定日期" in html
    assert 'data-testid="error-members-2-birth_date"' in html


def test_no_member_at_all(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    response = client.post(URL, manual_post([]))
    assert response.status_code == 200
    html = text(response)
    assert "家庭成员：至少需要一名家庭成员" in html
    assert re.search(r'data-testid="members-error">\s*<div>至少需要一名家庭成员</div>', html)


def test_a_tampered_formset_is_an_error_not_a_500(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    data = manual_post()
    del data["members-TOTAL_FORMS"]
    response = client.post(URL, data)
    assert response.status_code == 200
    html = text(response)
    assert 'data-testid="trial-error"' in html
    assert "成员表单的数据不完整，请刷新页面后重新填写。" in html
    assert "ManagementForm" not in html


def test_an_applicant_row_that_is_blank(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    response = client.post(URL, manual_post(rows=4, applicant="4"))
    assert response.status_code == 200
    assert "第 4 名成员未填写，不能作为申请人" in text(response)


def test_temporary_aid_shows_the_routing(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    data = manual_post(programme="temp_aid", aid_amount="1500", aid_cause="fire")
    response = client.post(URL, data)
    assert response.status_code == 200
    html = text(response)
    assert 'data-testid="trial-result"' in html
    assert "临时救助" in html
    assert "本次事件上限" in html
    assert "乡镇（街道）审批" in html or "县民政局审批" in html


def test_an_ineligible_household_lists_its_reasons(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    response = client.post(URL, manual_post(financial="600000"))
    html = text(response)
    assert re.search(r'data-testid="trial-outcome">\s*不符合\s*<', html)
    reasons = re.search(r'data-testid="trial-reasons">(.*?)</ul>', html, re.S)
    assert reasons is not None
    assert "人均金融资产" in reasons.group(1)
    assert "assets_financial_over_limit" not in html
    assert "✗" in html


def test_add_member_adds_a_blank_row_without_errors(cast: factories.Cast, client: Client) -> None:
    client.force_login(cast.officer)
    data = manual_post(programme="temp_aid")
    data["action"] = "add_member"
    response = client.post(URL, data)
    html = text(response)
    assert response.status_code == 200
    assert 'name="members-3-birth_date"' in html
    assert 'name="members-TOTAL_FORMS" value="4"' in html
    assert "is-invalid" not in html
    assert 'data-testid="trial-result"' not in html
    # the new row is blank: submitting everything as it stands skips it
    data = manual_post(rows=4)
    assert client.post(URL, data).status_code == 200


def test_the_page_renders_for_each_trial_role(cast: factories.Cast, client: Client) -> None:
    for user in (cast.officer, cast.community_worker, cast.approver):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200, user.role
        html = text(response)
        assert "救助试算" in html
        assert 'name="members-TOTAL_FORMS" value="3"' in html
        assert 'name="case-as_of"' in html


def test_roles_without_the_permission_get_404(cast: factories.Cast, client: Client) -> None:
    for user in (cast.grid_worker, cast.auditor, cast.admin, cast.liaison):
        client.force_login(user)
        assert client.get(URL).status_code == 404, user.role
        assert client.post(URL, manual_post()).status_code == 404, user.role
    assert not AuditEvent.objects.filter(action="policy.trial", result="ok").exists()
    assert AuditEvent.objects.filter(action="policy.trial", result="denied").exists()


def test_anonymous_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def registered_post(household: str, **extra: str) -> dict[str, str]:
    data = {
        "mode": "registered",
        "reg-household": household,
        "reg-programme": "dibao",
        "reg-as_of": "2026-06-15",
        "reg-aid_kind": "emergency",
    }
    data.update({f"reg-{name}": value for name, value in extra.items()})
    return data


def test_a_registered_household_by_number_and_by_system_number(
    county: factories.County, cast: factories.Cast, client: Client
) -> None:
    household = county.households_in(county.communities[0])[0]
    head = household.members.order_by("id").first()
    assert head is not None
    for month in range(1, 7):
        Income.objects.create(
            household=household,
            member=head,
            month=dt.date(2026, month, 1),
            category="wage",
            amount=Decimal("1200.00"),
            recorded_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        )
    client.force_login(cast.community_worker)
    for reference in (household.household_no, str(household.pk)):
        response = client.post(URL, registered_post(reference))
        assert response.status_code == 200
        html = text(response)
        assert re.search(r'data-testid="trial-amount">900.00<', html), reference
        assert f"家庭 {household.household_no}" in html
        assert head.name in html  # the income line names the member
    event = AuditEvent.objects.filter(action="policy.trial", result="ok").latest("id")
    assert event.object_id == str(household.pk)
    assert event.details["registered"] is True


def test_a_registered_temporary_aid_needs_amount_and_cause(
    county: factories.County, cast: factories.Cast, client: Client
) -> None:
    household = county.households_in(county.communities[0])[0]
    client.force_login(cast.officer)
    response = client.post(URL, registered_post(str(household.pk), programme="temp_aid"))
    assert response.status_code == 200
    assert "临时救助须填写申请救助金额" in text(response)
    response = client.post(
        URL,
        registered_post(
            str(household.pk), programme="temp_aid", aid_amount="800", aid_cause="accident"
        ),
    )
    assert response.status_code == 200
    assert 'data-testid="trial-result"' in text(response)


def test_a_household_of_another_community_is_the_same_404_as_a_missing_one(
    county: factories.County, cast: factories.Cast, client: Client
) -> None:
    foreign = county.households_in(county.communities[2])[0]
    client.force_login(cast.community_worker)
    responses = [
        client.post(URL, registered_post(str(foreign.pk))),
        client.post(URL, registered_post(foreign.household_no)),
        client.post(URL, registered_post("999999999")),
        client.post(URL, registered_post("NO-SUCH-HOUSEHOLD")),
    ]
    assert [r.status_code for r in responses] == [404] * 4
    # the same page, but for the request id and the (masked, per response) CSRF token
    bodies = {
        re.sub(r'value="[A-Za-z0-9]{64}"', "", re.sub(r"[0-9a-f]{16}", "", text(r)))
        for r in responses
    }
    assert len(bodies) == 1
    assert foreign.household_no not in text(responses[1])
    assert not AuditEvent.objects.filter(action="policy.trial", result="ok").exists()
    denied = AuditEvent.objects.filter(action="policy.trial", result="denied")
    assert denied.count() == 4
