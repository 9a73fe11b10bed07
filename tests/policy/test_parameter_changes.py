"""Maker-checker changes of the policy parameters (政策参数调整) and their screens.

A county approver proposes a new dated value; it counts only after ANOTHER
approver approved it (in the service and in a database constraint); a decided
change is never decided again; bad values and past dates are refused in
Chinese, naming the parameter; the screens are gated like every other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from jiuzhu.accounts.models import User
from jiuzhu.audit.models import AuditEvent
from jiuzhu.core import clock
from jiuzhu.core.permissions import Role
from jiuzhu.policy import services
from jiuzhu.policy.models import ChangeStatus, ParameterChange
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 15)
JULY = dt.date(2026, 7, 1)
CODE = "510199000000"
LIST = reverse("policy:parameter_list")
DIBAO = reverse("policy:parameter_detail", args=["dibao_standard"])


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 15, 9, 30, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def second_approver(county: factories.County) -> User:
    user = factories.user("approver_b", Role.COUNTY_APPROVER, county.county)
    user.full_name = "钱知秋"
    user.save()
    return user


@pytest.fixture
def first_approver(cast: factories.Cast) -> User:
    cast.approver.full_name = "宋知远"
    cast.approver.save()
    return cast.approver


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide_url(change: ParameterChange) -> str:
    return reverse("policy:change_decide", args=[change.pk])


def propose_dibao(client: Client, value: str = "1000", on: dt.date = JULY, **extra: str) -> Any:
    data = {
        "effective_from": on.isoformat(),
        "value": value,
        "source": "示范县民政局 示民发〔2026〕12号",
        "reason": "按市里新标准调整",
        **extra,
    }
    return client.post(DIBAO, data)


def text(response: Any) -> str:
    return response.content.decode()


def dibao(on: dt.date) -> Any:
    return services.parameter_table().resolve("dibao_standard", CODE, on)


def approvals(change: ParameterChange) -> int:
    return AuditEvent.objects.filter(
        action="policy.parameter.approve", object_id=str(change.pk), result="ok"
    ).count()


@pytest.fixture
def proposed(first_approver: User) -> ParameterChange:
    response = propose_dibao(client_for(first_approver))
    assert response.status_code == 302, text(response)
    return ParameterChange.objects.get()


# -- proposing -----------------------------------------------------------------------


def test_a_proposal_waits_and_is_not_in_the_table(first_approver: User) -> None:
    client = client_for(first_approver)
    response = propose_dibao(client)
    assert response.status_code == 302
    assert response["Location"] == DIBAO
    change = ParameterChange.objects.get()
    assert change.status == ChangeStatus.PENDING
    assert change.region == "510199"
    assert change.effective_from == JULY
    assert change.value == "1000.00"
    assert change.proposed_by == first_approver
    assert change.proposed_at == clock.now()
    assert dibao(JULY).value == Decimal("950.00")
    assert not dibao(JULY).version.startswith("db:")

    page = text(client.get(DIBAO))
    assert "已提出调整：城乡低保标准 自 2026-07-01 起为 1000.00元/人·月" in page
    assert "须由另一位审核人批准后生效" in page
    listing = text(client.get(LIST))
    assert f'data-testid="change-{change.pk}"' in listing
    assert "有 1 项调整待审核" in listing
    assert f'data-testid="approve-{change.pk}"' not in listing
    assert "由您提出，须由另一位审核人审核" in listing


def test_the_service_refuses_to_count_a_pending_change(first_approver: User) -> None:
    change = services.propose_change(
        actor=first_approver,
        name="review_cycle_months",
        effective_from=JULY,
        value="{A: 2, B: 6, C: 12}",
        source="示民发〔2026〕13号",
    )
    assert change.value == {"A": 2, "B": 6, "C": 12}
    table = services.parameter_table()
    assert table.resolve("review_cycle_months", CODE, JULY).value == {"A": 3, "B": 6, "C": 12}


def test_the_form_explains_the_expected_value(first_approver: User) -> None:
    page = text(client_for(first_approver).get(DIBAO))
    assert 'data-testid="change-form"' in page
    assert "应为不小于 0、最多两位小数的金额" in page
    assert "例如：950.00" in page
    page = text(
        client_for(first_approver).get(
            reverse("policy:parameter_detail", args=["review_cycle_months"])
        )
    )
    assert "包含且仅包含 A、B、C 的整数表" in page
    assert "例如：{A: 3, B: 6, C: 12}" in page


@pytest.mark.parametrize("value", ["abc", "-5", "1.234"])
def test_a_bad_value_is_refused_naming_the_parameter(first_approver: User, value: str) -> None:
    response = propose_dibao(client_for(first_approver), value)
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="change-error"' in page
    assert "dibao_standard（城乡低保标准）" in page
    assert "不正确：应为不小于 0、最多两位小数的金额" in page
    assert not ParameterChange.objects.exists()


def test_a_past_effective_date_is_refused(first_approver: User) -> None:
    response = propose_dibao(client_for(first_approver), on=TODAY - dt.timedelta(days=1))
    assert response.status_code == 200
    assert "生效日期不能早于今天" in text(response)
    assert not ParameterChange.objects.exists()
    with pytest.raises(services.ChangeRefused, match="生效日期不能早于今天"):
        services.propose_change(
            actor=first_approver,
            name="dibao_standard",
            effective_from=dt.date(2026, 1, 1),
            value="1000",
            source="示民发〔2026〕12号",
        )


def test_missing_fields_are_explained_in_chinese(first_approver: User) -> None:
    response = client_for(first_approver).post(DIBAO, {"effective_from": "", "value": ""})
    page = text(response)
    assert response.status_code == 200
    assert "请填写生效日期" in page
    assert "请填写新取值" in page
    assert "请填写依据" in page
    assert not ParameterChange.objects.exists()


def test_a_second_pending_change_for_the_same_date_is_refused(proposed: ParameterChange) -> None:
    response = propose_dibao(client_for(proposed.proposed_by), "1010")
    assert "已有一项待审核的调整" in text(response)
    assert ParameterChange.objects.count() == 1


# -- maker-checker -------------------------------------------------------------------


def test_the_proposer_cannot_approve_their_own_change(proposed: ParameterChange) -> None:
    client = client_for(proposed.proposed_by)
    response = client.post(decide_url(proposed), {"decision": "approve"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(LIST, 302)]
    assert "提出人不能审核自己提出的调整" in text(response)
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.PENDING
    assert proposed.decided_by is None
    assert approvals(proposed) == 0
    assert dibao(JULY).value == Decimal("950.00")


def test_the_database_refuses_a_checker_who_is_the_maker(proposed: ParameterChange) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ParameterChange.objects.filter(pk=proposed.pk).update(
            status=ChangeStatus.APPROVED,
            decided_by=proposed.proposed_by,
            decided_at=clock.now(),
        )
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.PENDING


def test_another_approver_approves_and_the_value_applies_from_its_date(
    proposed: ParameterChange, second_approver: User
) -> None:
    client = client_for(second_approver)
    listing = text(client.get(LIST))
    assert f'data-testid="approve-{proposed.pk}"' in listing
    assert "宋知远" in listing

    response = client.post(decide_url(proposed), {"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.APPROVED
    assert proposed.decided_by == second_approver
    assert proposed.decision_note == "同意"

    value = dibao(JULY)
    assert value.value == Decimal("1000.00")
    assert value.version == f"db:{proposed.pk}"
    assert dibao(JULY - dt.timedelta(days=1)).value == Decimal("950.00")
    assert dibao(TODAY).value == Decimal("950.00")
    assert approvals(proposed) == 1

    page = client.get(LIST, follow=True)
    listing = text(page)
    assert "已批准：城乡低保标准 自 2026-07-01 起为 1000.00元/人·月" in listing
    assert "暂无待审核的调整" in listing
    assert "自 2026-07-01 起为 1000.00元/人·月" in listing  # the scheduled marker
    assert f'data-testid="approve-{proposed.pk}"' not in listing

    detail = text(client.get(DIBAO))
    assert f"db:{proposed.pk}" in detail
    assert "待生效" in detail
    assert "宋知远" in detail  # proposed by
    assert "钱知秋" in detail  # approved by
    assert "已审核生效" in detail


def test_a_second_click_changes_nothing(proposed: ParameterChange, second_approver: User) -> None:
    client = client_for(second_approver)
    client.post(decide_url(proposed), {"decision": "approve"})
    proposed.refresh_from_db()
    decided_at = proposed.decided_at

    response = client.post(decide_url(proposed), {"decision": "approve"}, follow=True)
    assert "该调整已处理" in text(response)
    response = client.post(
        decide_url(proposed), {"decision": "reject", "note": "撤回"}, follow=True
    )
    assert "该调整已处理" in text(response)
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.APPROVED
    assert proposed.decided_at == decided_at
    assert proposed.decision_note == ""
    assert approvals(proposed) == 1


def test_returning_needs_a_note(proposed: ParameterChange, second_approver: User) -> None:
    client = client_for(second_approver)
    response = client.post(decide_url(proposed), {"decision": "reject", "note": "  "}, follow=True)
    assert "退回时请填写审核意见" in text(response)
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.PENDING

    client.post(decide_url(proposed), {"decision": "reject", "note": "文号有误"})
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.REJECTED
    assert proposed.decision_note == "文号有误"
    assert dibao(JULY).value == Decimal("950.00")
    assert approvals(proposed) == 1
    detail = text(client.get(DIBAO))
    assert "已退回" in detail
    assert "文号有误" in detail


def test_an_unknown_decision_changes_nothing(
    proposed: ParameterChange, second_approver: User
) -> None:
    response = client_for(second_approver).post(
        decide_url(proposed), {"decision": "yes"}, follow=True
    )
    assert "请选择“批准”或“退回”" in text(response)
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.PENDING


def test_deciding_an_unknown_change_is_404(second_approver: User) -> None:
    response = client_for(second_approver).post(
        reverse("policy:change_decide", args=[999999]), {"decision": "approve"}
    )
    assert response.status_code == 404


# -- who sees what -------------------------------------------------------------------


def test_the_list_shows_every_parameter_by_section(cast: factories.Cast) -> None:
    page = text(client_for(cast.approver).get(LIST))
    for heading in ("§3 家庭、收入与财产", "§4 认定条件与救助标准", "§5 办理程序与时限", "§6"):
        assert heading in page
    assert 'data-testid="param-row-dibao_standard"' in page
    assert "950.00元/人·月" in page
    assert "自 2025-01-01 起" in page
    assert "示范县（510199）" in page


def test_the_officer_sees_but_cannot_propose_or_decide(
    cast: factories.Cast, proposed: ParameterChange
) -> None:
    client = client_for(cast.officer)
    assert client.get(LIST).status_code == 200
    detail = client.get(DIBAO)
    assert detail.status_code == 200
    assert 'data-testid="change-form"' not in text(detail)
    assert f'data-testid="approve-{proposed.pk}"' not in text(detail)
    assert propose_dibao(client, on=dt.date(2026, 8, 1)).status_code == 404
    response = client.post(decide_url(proposed), {"decision": "approve"})
    assert response.status_code == 404
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.PENDING
    assert ParameterChange.objects.count() == 1


def test_the_auditor_sees_the_list_and_the_history(
    cast: factories.Cast, proposed: ParameterChange
) -> None:
    client = client_for(cast.auditor)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert f'data-testid="change-{proposed.pk}"' in text(listing)
    assert f'data-testid="approve-{proposed.pk}"' not in text(listing)
    detail = client.get(DIBAO)
    assert detail.status_code == 200
    assert 'data-testid="change-form"' not in text(detail)
    assert client.post(decide_url(proposed), {"decision": "approve"}).status_code == 404


def test_the_grid_worker_gets_404_everywhere(
    cast: factories.Cast, proposed: ParameterChange
) -> None:
    client = client_for(cast.grid_worker)
    for url in (LIST, DIBAO, decide_url(proposed)):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"decision": "approve"}).status_code == 404, url
    proposed.refresh_from_db()
    assert proposed.status == ChangeStatus.PENDING


def test_an_unknown_parameter_is_404(cast: factories.Cast) -> None:
    url = reverse("policy:parameter_detail", args=["no_such_parameter"])
    assert client_for(cast.approver).get(url).status_code == 404


def test_a_user_without_a_division_gets_404(county: factories.County) -> None:
    homeless = factories.user("approver_nowhere", Role.COUNTY_APPROVER, None)
    client = client_for(homeless)
    assert client.get(LIST).status_code == 404
    assert client.get(DIBAO).status_code == 404


def test_anonymous_callers_are_sent_to_the_login_page(proposed: ParameterChange) -> None:
    client = Client()
    for url in (LIST, DIBAO, decide_url(proposed)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_changes_that_would_contradict_each_other_are_refused_unless_made_together(
    county: factories.County,
) -> None:
    maker = factories.user("maker_x", "county_approver", county.county)
    checker = factories.user("checker_x", "county_approver", county.county)
    months = services.propose_change(
        actor=maker,
        name="gradual_exit_months",
        effective_from=dt.date(2026, 7, 1),
        value="3",
        source="县文件",
    )
    with pytest.raises(services.ChangeRefused, match="渐退期月数与各月发放比例的个数不一致"):
        services.decide_change(actor=checker, change_id=months.pk, approve=True)
    schedule = services.propose_change(
        actor=maker,
        name="gradual_exit_schedule",
        effective_from=dt.date(2026, 7, 1),
        value="[1, 0.5, 0.5]",
        source="县文件",
    )
    services.decide_change(actor=checker, change_id=months.pk, approve=True)
    services.decide_change(actor=checker, change_id=schedule.pk, approve=True)
    table = services.parameter_table()
    assert table.resolve("gradual_exit_months", "510199000000", dt.date(2026, 7, 1)).value == 3
