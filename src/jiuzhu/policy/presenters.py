"""A trial's outcome → the dict the 试算 result template shows.

Kept apart from the views so the page's wording (labels, sentences, money
format) is in one place and the request handling stays short.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from jiuzhu.core.permissions import Action, can
from jiuzhu.domain.policy import Application, Determination
from jiuzhu.domain.policy.vocabulary import (
    AID_CAUSE_LABELS,
    AID_KIND_LABELS,
    CATEGORY_LABELS,
    DECIDED_BY_LABELS,
    OUTCOME_LABELS,
    PROGRAMME_LABELS,
)
from jiuzhu.policy.trial import TrialOutcome

COUNTED_LABELS = {"counted": "计入", "deducted": "扣减", "not_counted": "不计入"}
#: Reasons that are not one failed check of the explanation.
REASON_TEXT = {
    "household_qualifies_for_dibao": "家庭符合低保条件，应按低保认定（一次申请、分类认定）",
}
SHORT_PROGRAMME = {
    "dibao": "低保",
    "tekun": "特困",
    "low_income_recognition": "低保边缘",
    "temp_aid": "临时救助",
}
MONEY_TEXT = re.compile(r"^-?\d+\.\d{2}$")


def money(value: Decimal) -> str:
    """'1,100.00' (yuan, two decimals)."""
    return f"{value:,.2f}"


def _figure_value(value: str) -> str:
    if MONEY_TEXT.match(value):
        try:
            return money(Decimal(value))
        except InvalidOperation:  # pragma: no cover - the regex admits numbers only
            return value
    return value


def reason_sentences(determination: Determination) -> list[str]:
    """Each reason code of the outcome as the Chinese sentence of its failed check."""
    checks = determination.explanation.checks
    sentences: list[str] = []
    for code in determination.reasons:
        found = [check.message for check in checks if check.code == code and not check.passed]
        if not found:
            found = [REASON_TEXT.get(code, "未满足认定条件")]
        sentences.extend(message for message in found if message not in sentences)
    return sentences


def _member_label(application: Application, key: str) -> str:
    try:
        return application.household.member(key).label()
    except KeyError:
        return key


def result_context(outcome: TrialOutcome, user: Any) -> dict[str, Any]:
    application, determination = outcome.application, outcome.determination
    explanation = determination.explanation
    eligible = determination.outcome == "eligible"
    programme = determination.programme
    paid = eligible and programme in ("dibao", "tekun", "temp_aid")
    review_figure = next(
        (item.value for item in explanation.figures if item.key == "review_class"), ""
    )
    request = application.request
    return {
        "name": application.name,
        "as_of": determination.as_of,
        "region_code": determination.region_code,
        "asked": application.programme.value,
        "asked_label": PROGRAMME_LABELS.get(application.programme.value, "自动识别"),
        "eligible": eligible,
        "outcome_label": OUTCOME_LABELS[determination.outcome],
        "programme_label": PROGRAMME_LABELS.get(programme or "", "未找到符合的救助项目"),
        "category_label": CATEGORY_LABELS.get(determination.household_category, ""),
        "paid": paid,
        "amount_label": "临时救助金额" if programme == "temp_aid" else "月救助金额",
        "amount": money(determination.amount),
        "per_capita_income": money(determination.per_capita_income),
        "household_income": money(determination.household_income),
        "review_class": determination.review_class,
        "review_text": review_figure,
        "reasons": reason_sentences(determination),
        "decided_by": DECIDED_BY_LABELS.get(determination.decided_by or ""),
        "cap_amount": None if determination.cap_amount is None else money(determination.cap_amount),
        "gradual_exit": [money(amount) for amount in determination.gradual_exit],
        "covered": [_member_label(application, key) for key in determination.covered_members],
        "request": None
        if request is None
        else {
            "amount": money(request.amount),
            "cause": AID_CAUSE_LABELS.get(request.cause, request.cause),
            "kind": AID_KIND_LABELS.get(request.kind, request.kind),
        },
        "summary": explanation.summary,
        "figures": [
            {"key": item.key, "label": item.label, "value": _figure_value(item.value)}
            for item in explanation.figures
        ],
        "checks": [
            {
                "passed": check.passed,
                "message": check.message,
                "programme": SHORT_PROGRAMME.get(check.programme, "通用"),
            }
            for check in explanation.checks
        ],
        "income": [
            {
                "member": _member_label(application, line.member),
                "label": line.label,
                "amount": _figure_value(line.amount),
                "basis": line.basis,
                "counted": COUNTED_LABELS.get(line.counted, line.counted),
                "deducted": line.counted == "deducted",
                "note": line.note,
            }
            for line in explanation.income
        ],
        "notes": list(explanation.notes),
        "parameters": [
            {
                "name": item.get("name", ""),
                "label": item.get("label", ""),
                "display": item.get("display", ""),
                "effective_from": item.get("effective_from", ""),
                "region": item.get("region") or "全国默认",
                "source": item.get("source", ""),
            }
            for item in explanation.parameters
        ],
        "link_parameters": can(user, Action.POLICY_PARAMETER_VIEW),
    }
