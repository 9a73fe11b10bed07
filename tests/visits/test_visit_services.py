"""The home visit through its services: the rules of completion and what it writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework import services as casework
from jiuzhu.casework.models import Case
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound
from jiuzhu.registry.models import Household, Income
from jiuzhu.visits import services
from jiuzhu.visits.models import HomeVisit, VisitStatus
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY, household_of, step
from tests.visits.support import (
    add_visitors,
    fill_steps,
    investigating_case,
    ready_visit,
    save_income,
    sign_all,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(county: factories.County, cast: factories.Cast) -> Case:
    return investigating_case(cast.officer, household_of(county))


def _refusal(visit: HomeVisit, actor: object) -> list[str]:
    with pytest.raises(services.VisitRefused) as caught:
        services.complete_visit(actor=actor, visit_id=visit.pk)
    return caught.value.problems


def test_a_visit_needs_at_least_two_visitors(case: Case, cast: factories.Cast) -> None:
    visit = services.start_visit(actor=cast.officer, case_id=case.pk)
    assert [v.user_id for v in visit.visitors.all()] == [cast.officer.pk]  # who starts it went
    visit = sign_all(cast.officer, fill_steps(cast.officer, visit))
    assert _refusal(visit, cast.officer) == ["入户调查须由至少 2 名人员共同进行（现登记 1 名）"]
    assert HomeVisit.objects.get(pk=visit.pk).status == VisitStatus.DRAFT
    assert AuditEvent.objects.filter(action="visit.complete", result="denied").count() == 1

    # A village cadre without an account counts as the second visitor — once signed.
    visit = add_visitors(cast.officer, visit, cast.officer, others=("村委会主任赵某",))
    assert "调查人员尚未签字：村委会主任赵某" in _refusal(visit, cast.officer)
    visit = sign_all(cast.officer, visit)
    visit = services.complete_visit(actor=cast.officer, visit_id=visit.pk)
    assert visit.status == VisitStatus.COMPLETED


def test_visitors_are_staff_of_the_case_jurisdiction(case: Case, cast: factories.Cast) -> None:
    visit = services.start_visit(actor=cast.officer, case_id=case.pk)
    candidates = {user.pk for user in services.visitor_candidates(case)}
    assert {cast.officer.pk, cast.community_worker.pk, cast.grid_worker.pk} <= candidates
    assert cast.other_community_worker.pk not in candidates
    with pytest.raises(services.VisitRefused, match="本辖区的工作人员"):
        add_visitors(cast.officer, visit, cast.officer, cast.other_community_worker)


def test_all_four_steps_and_both_signatures_are_needed(case: Case, cast: factories.Cast) -> None:
    visit = services.start_visit(actor=cast.officer, case_id=case.pk)
    visit = add_visitors(cast.officer, visit, cast.officer, cast.community_worker)
    assert _refusal(visit, cast.officer) == [
        "尚未填写「看住房」",
        "尚未填写「查财产」",
        "尚未填写「问收支」",
        "尚未填写「访邻里」",
        f"调查人员尚未签字：{cast.officer.full_name}、{cast.community_worker.full_name}",
        "尚未由被调查家庭成员签字确认",
    ]
    visit = fill_steps(cast.officer, visit, skip=("neighbours",))
    visit = sign_all(cast.officer, visit, family=False)
    assert _refusal(visit, cast.officer) == ["尚未填写「访邻里」", "尚未由被调查家庭成员签字确认"]
    with pytest.raises(services.VisitRefused, match="请填写签字确认的家庭成员姓名"):
        services.save_step(
            actor=cast.officer,
            visit_id=visit.pk,
            step="signatures",
            data={"signed": [], "family_signatory": " ", "family_signed": True},
        )
    visit = sign_all(cast.officer, fill_steps(cast.officer, visit))
    assert services.missing_for_completion(visit) == []
    case = Case.objects.get(pk=case.pk)
    assert "home_visit" not in case.on_file
    services.complete_visit(actor=cast.community_worker, visit_id=visit.pk)
    assert "home_visit" in Case.objects.get(pk=case.pk).on_file

    with pytest.raises(services.VisitRefused, match="已完成，不能再修改"):
        fill_steps(cast.officer, visit)
    with pytest.raises(services.VisitRefused, match="已完成"):
        services.complete_visit(actor=cast.officer, visit_id=visit.pk)


def test_an_assessed_income_needs_a_reason(case: Case, cast: factories.Cast) -> None:
    visit = services.start_visit(actor=cast.officer, case_id=case.pk)
    member = case.household.members.order_by("id").first()
    assert member is not None
    flexible = services.IncomeFinding(member.pk, "wage", Decimal("1200"), "assessed", " ")
    with pytest.raises(services.VisitRefused, match="入户评估的收入须写明评估理由"):
        save_income(cast.officer, visit, [flexible])
    stranger = factories.household(case.household.community, None).members.first()
    assert stranger is not None
    with pytest.raises(services.VisitRefused, match="本家庭的在册成员"):
        save_income(
            cast.officer,
            visit,
            [services.IncomeFinding(stranger.pk, "wage", Decimal("1"), "verified")],
        )
    twice = services.IncomeFinding(member.pk, "wage", Decimal("100"), "verified")
    with pytest.raises(services.VisitRefused, match="只能登记一条"):
        save_income(cast.officer, visit, [twice, twice])


def _months(first: dt.date, count: int) -> list[dt.date]:
    out, day = [], first
    for _ in range(count):
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def test_completion_writes_verified_and_assessed_income_beside_the_declared(
    case: Case, cast: factories.Cast
) -> None:
    household = case.household
    head, spouse = list(household.members.order_by("id"))
    now = clock.now()
    declared = [
        Income.objects.create(
            household=household,
            member=head,
            month=month,
            category="wage",
            basis="declared",
            amount=Decimal("600.00"),
            recorded_at=now,
        )
        for month in _months(dt.date(2026, 3, 1), 6)
    ]
    reason = "灵活就业（工地零工），无工资凭据，按每月约15天、每天80元评估"
    visit = ready_visit(
        cast.officer,
        cast.community_worker,
        case,
        incomes=[
            services.IncomeFinding(head.pk, "wage", Decimal("1200"), "assessed", reason),
            services.IncomeFinding(spouse.pk, "transfer_in", Decimal("300.5"), "verified"),
        ],
    )
    version = Household.objects.get(pk=household.pk).version
    services.complete_visit(actor=cast.officer, visit_id=visit.pk)

    for row in declared:  # the declared figures are kept as they were
        row_now = Income.objects.get(pk=row.pk)
        assert (row_now.amount, row_now.basis, row_now.superseded_at) == (
            Decimal("600.00"),
            "declared",
            None,
        )
    # The visit's month and the six look-back months before it (March–September 2026).
    months = _months(dt.date(2026, 3, 1), 7)
    assessed = Income.objects.filter(household=household, basis="assessed")
    assert sorted(assessed.values_list("month", flat=True)) == months
    assert {(r.member_id, r.category, r.amount, r.note) for r in assessed} == {
        (head.pk, "wage", Decimal("1200.00"), reason)
    }
    verified = Income.objects.filter(household=household, basis="verified")
    assert {(r.member_id, r.category, r.amount, r.note) for r in verified} == {
        (spouse.pk, "transfer_in", Decimal("300.50"), "入户调查核实")
    }
    assert verified.count() == 7
    household = Household.objects.get(pk=household.pk)
    assert (household.last_verified_on, household.version) == (dt.date(2026, 9, 28), version + 1)
    assert household.revisions.filter(source=f"visit:{visit.pk}").exists()
    audit = AuditEvent.objects.get(action="visit.complete", result="ok")
    assert audit.details["assessed"] == 1
    assert audit.details["verified"] == 1
    assert audit.object_id == str(visit.pk)

    # The case moves on: data check on file, assessed with the visit's figures.
    casework.record_on_file(actor=cast.officer, case_id=case.pk, requirement="data_check")
    case = casework.assess_case(actor=cast.officer, case_id=case.pk)
    members = case.assessment_inputs["household"]["members"]
    assert members[0]["assessed_income"]["wage"]["reason"] == reason
    assert Decimal(members[0]["assessed_income"]["wage"]["amount"]) == Decimal("1200")
    assert Decimal(members[1]["verified_income"]["transfer_in"]) == Decimal("300.50")
    case = step(cast.officer, case, "complete_investigation")
    assert case.state == "democratic_review"


def test_a_second_visit_supersedes_the_first_visit_findings(
    case: Case, cast: factories.Cast, monday: time_machine.Coordinates
) -> None:
    head = case.household.members.order_by("id").first()
    assert head is not None
    first = ready_visit(
        cast.officer,
        cast.community_worker,
        case,
        incomes=[services.IncomeFinding(head.pk, "wage", Decimal("1500"), "assessed", "零工")],
    )
    services.complete_visit(actor=cast.officer, visit_id=first.pk)
    monday.shift(dt.timedelta(days=1))
    second = ready_visit(
        cast.community_worker,
        cast.officer,
        case,
        incomes=[services.IncomeFinding(head.pk, "wage", Decimal("1800"), "verified", "工资流水")],
    )
    services.complete_visit(actor=cast.community_worker, visit_id=second.pk)
    current = Income.objects.filter(household=case.household, superseded_at__isnull=True)
    assert set(current.values_list("basis", "amount")) == {("verified", Decimal("1800.00"))}
    assert Income.objects.filter(basis="assessed", superseded_at__isnull=False).count() == 7


def test_only_the_jurisdiction_recording_roles_may_record(case: Case, cast: factories.Cast) -> None:
    for outsider in (
        cast.other_community_worker,
        cast.grid_worker,
        cast.approver,
        cast.auditor,
        cast.no_division,
    ):
        with pytest.raises(NotFound):
            services.start_visit(actor=outsider, case_id=case.pk)
    visit = ready_visit(cast.officer, cast.community_worker, case)
    for outsider in (cast.other_community_worker, cast.grid_worker, cast.approver):
        with pytest.raises(NotFound):
            services.visit_get(outsider, visit.pk)
        with pytest.raises(NotFound):
            services.complete_visit(actor=outsider, visit_id=visit.pk)
    assert services.visit_get(cast.community_worker, visit.pk).pk == visit.pk


def test_one_draft_at_a_time_and_none_on_a_closed_case(case: Case, cast: factories.Cast) -> None:
    first = services.start_visit(actor=cast.officer, case_id=case.pk)
    assert services.start_visit(actor=cast.community_worker, case_id=case.pk).pk == first.pk
    step(cast.officer, case, "withdraw", reason="申请人主动撤回")
    with pytest.raises(services.VisitRefused, match="已办结"):
        fill_steps(cast.officer, first)
    other = investigating_case(cast.officer, household_of_other(case))
    step(cast.officer, other, "withdraw", reason="申请人主动撤回")
    with pytest.raises(services.VisitRefused, match="已办结"):
        services.start_visit(actor=cast.officer, case_id=other.pk)


def household_of_other(case: Case) -> Household:
    return (
        Household.objects.filter(community=case.household.community)
        .exclude(pk=case.household_id)
        .order_by("id")
        .first()
    ) or case.household
