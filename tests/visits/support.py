"""Helpers of the home visit tests: a case under investigation and a visit filled in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jiuzhu.casework.models import Case
from jiuzhu.visits import services
from jiuzhu.visits.models import HomeVisit
from tests.casework.support import open_dibao, step

NOTES = {
    "housing": "自建砖混平房两间约60平方米，屋顶漏雨，家具陈旧。",
    "assets": "无存款；无车辆；无经营活动，与申报一致。",
    "income": "户主在附近工地打零工，配偶在家照顾老人。",
    "neighbours": "走访邻居张某、李某，反映该户生活困难，户主做零工收入不稳定。",
}


def investigating_case(officer: Any, household: Any) -> Case:
    case = open_dibao(officer, household)
    return step(officer, case, "start_investigation")


def fill_steps(actor: Any, visit: HomeVisit, *, skip: tuple[str, ...] = ()) -> HomeVisit:
    for name, text in NOTES.items():
        if name not in skip and name != "income":
            visit = services.save_step(
                actor=actor, visit_id=visit.pk, step=name, data={"notes": text}
            )
    if "income" not in skip:
        visit = save_income(actor, visit, [])
    return visit


def save_income(
    actor: Any,
    visit: HomeVisit,
    incomes: list[services.IncomeFinding],
    expenses: list[services.ExpenseFinding] | None = None,
) -> HomeVisit:
    return services.save_step(
        actor=actor,
        visit_id=visit.pk,
        step="income",
        data={"notes": NOTES["income"], "incomes": incomes, "expenses": expenses or []},
    )


def add_visitors(
    actor: Any, visit: HomeVisit, *staff: Any, others: tuple[str, ...] = ()
) -> HomeVisit:
    return services.save_step(
        actor=actor,
        visit_id=visit.pk,
        step="visitors",
        data={
            "visited_on": visit.visited_on,
            "staff": [user.pk for user in staff],
            "others": list(others),
        },
    )


def sign_all(actor: Any, visit: HomeVisit, *, family: bool = True) -> HomeVisit:
    return services.save_step(
        actor=actor,
        visit_id=visit.pk,
        step="signatures",
        data={
            "signed": list(visit.visitors.values_list("pk", flat=True)),
            "family_signatory": "王小明" if family else "",
            "family_signed": family,
        },
    )


def ready_visit(
    officer: Any, colleague: Any, case: Case, incomes: list[Any] | None = None
) -> HomeVisit:
    visit = services.start_visit(actor=officer, case_id=case.pk)
    visit = add_visitors(officer, visit, officer, colleague)
    visit = fill_steps(officer, visit)
    if incomes:
        visit = save_income(officer, visit, incomes)
    return sign_all(officer, visit)


def money(text: str) -> Decimal:
    return Decimal(text)
