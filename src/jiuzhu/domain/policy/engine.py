"""The policy engine: one application in, one explained determination out.

`assess` is the only entry: the CLI (`jiuzhu assess`), the API, the 试算 page
and the casework all call it. It classifies the household once (一次申请、
分类认定: 低保 → 低保边缘 → 刚性支出困难) and then decides the programme asked
for; `auto` takes the first programme the household fits (特困, 低保 incl.
单人保, then the 低保边缘/刚性支出 recognition).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from jiuzhu.domain.money import ZERO, round_fen
from jiuzhu.domain.policy import rules
from jiuzhu.domain.policy.cases import parse_application
from jiuzhu.domain.policy.explanation import Check, Explanation, yuan
from jiuzhu.domain.policy.household import Application, Category, Member, Programme
from jiuzhu.domain.policy.income import IncomeAssessment, assess_income
from jiuzhu.domain.policy.parameters import (
    Parameters,
    ParameterSource,
    ParameterValue,
    PinnedParameters,
    override_values,
)
from jiuzhu.domain.policy.vocabulary import CARE_TIER_LABELS, CATEGORY_LABELS

ELIGIBLE = "eligible"
INELIGIBLE = "ineligible"


class SourceWithRegions(ParameterSource, Protocol):
    def region_for(self, set_name: str) -> str: ...


@dataclass(frozen=True)
class Determination:
    """The result of one assessment with its explanation and the parameters used."""

    name: str
    as_of: dt.date
    region_code: str
    outcome: str
    programme: str | None
    amount: Decimal
    per_capita_income: Decimal
    household_income: Decimal
    household_category: str
    review_class: str | None
    reasons: tuple[str, ...]
    covered_members: tuple[str, ...]
    explanation: Explanation
    parameter_uses: tuple[ParameterValue, ...]
    decided_by: str | None = None
    cap_amount: Decimal | None = None
    gradual_exit: tuple[Decimal, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `cases/README.md`; amounts as decimal strings."""
        return {
            "name": self.name,
            "as_of": self.as_of.isoformat(),
            "region_code": self.region_code,
            "outcome": self.outcome,
            "programme": self.programme,
            "amount": str(self.amount),
            "per_capita_income": str(self.per_capita_income),
            "household_income": str(self.household_income),
            "household_category": self.household_category,
            "review_class": self.review_class,
            "reasons": list(self.reasons),
            "decided_by": self.decided_by,
            "cap_amount": None if self.cap_amount is None else str(self.cap_amount),
            "gradual_exit": [str(amount) for amount in self.gradual_exit],
            "covered_members": list(self.covered_members),
            "explanation": self.explanation.as_dict(),
        }

    def parameter_versions(self) -> list[dict[str, Any]]:
        """What a stored decision keeps so that it can be recomputed (PinnedParameters)."""
        return [use.as_dict() for use in self.parameter_uses]


@dataclass
class _Outcome:
    programme: str | None
    eligible: bool
    amount: Fraction = Fraction(0)
    reasons: list[str] = field(default_factory=list)
    covered: tuple[Member, ...] = ()
    summary: str = ""
    decided_by: str | None = None
    cap_amount: Fraction | None = None
    gradual_exit: list[Fraction] = field(default_factory=list)
    category: str | None = None  # set when the programme itself recognises the household


class _Assessment:
    """The state of one assessment while the rules run."""

    def __init__(self, application: Application, params: Parameters) -> None:
        self.app = application
        self.params = params
        self.on = application.as_of
        self.household = application.household
        self.explanation = Explanation()
        self.income: IncomeAssessment = assess_income(self.household)
        self.explanation.income = list(self.income.lines)
        self.applicant = self.household.member(application.applicant)

    # -- classification -----------------------------------------------------

    def classify(self) -> tuple[str, list[Check], Check, Check, list[Check]]:
        e, p = self.explanation, self.params
        income = self.income
        e.figure("household_income", "家庭月收入（计入部分）", income.household_monthly)
        e.figure("counted_members", "共同生活家庭成员人数", income.counted_members)
        e.figure("per_capita_income", "家庭人均月收入", income.per_capita)
        e.figure("dibao_standard", "低保标准（元/人·月）", p.money("dibao_standard"))
        if sum(m.counted for m in income.members.values()) < 0:
            e.note("转移性支出超过收入，家庭收入按 0 计算")
        excluded = [m.label() for m in self.household.members if not m.counted]
        if excluded:
            e.note(f"不计入共同生活家庭成员：{'、'.join(excluded)}")
        assets = [e.check(check) for check in rules.asset_checks(self.household, p)]
        assets_ok = all(check.passed for check in assets)
        dibao = e.check(rules.dibao_income_check(income, p))
        near = e.check(rules.near_dibao_check(income, p))
        rigid = [e.check(check) for check in rules.rigid_expense_checks(self.household, income, p)]
        if not assets_ok:
            category = Category.NONE
        elif dibao.passed:
            category = Category.DIBAO
        elif near.passed:
            category = Category.NEAR_DIBAO
        elif all(check.passed for check in rigid):
            category = Category.RIGID_EXPENSE
        else:
            category = Category.NONE
        return category, assets, dibao, near, rigid

    # -- programmes -----------------------------------------------------------

    def dibao(self, category: str, assets: list[Check], dibao: Check) -> _Outcome:
        e, p = self.explanation, self.params
        if category == Category.DIBAO:
            covered = self.household.counted_members()
            gap = rules.dibao_gap_amount(self.income, p)
            standard = p.money("dibao_standard")
            summary = (
                f"符合低保条件：低保标准 {yuan(standard)} × {len(covered)} 人 − 家庭月收入 "
                f"{yuan(self.income.household_monthly)} = {yuan(gap)}"
            )
            amount = self._floor_and_supplement(gap, covered)
            return _Outcome(
                "dibao", True, amount, covered=covered, summary=summary + self._extra(amount, gap)
            )
        if category == Category.NEAR_DIBAO:
            single = e.check(rules.single_person_check(self.applicant, p))
            if single.passed:
                own = self.income.member_monthly(self.applicant.key)
                amount, floored = rules.single_person_amount(own, p)
                e.figure("own_income", f"{self.applicant.label()} 本人月收入", own)
                standard = p.money("dibao_standard")
                if floored:
                    summary = (
                        f"单人保：低保标准 {yuan(standard)} − 本人收入 {yuan(own)} 低于保底，"
                        f"按低保标准的 {rules.multiplier_text(p.ratio('single_person_min_ratio'))} 计 {yuan(amount)}"
                    )
                else:
                    summary = (
                        f"单人保：低保标准 {yuan(standard)} − 本人收入 {yuan(own)} = {yuan(amount)}"
                    )
                covered = (self.applicant,)
                total = self._floor_and_supplement(amount, covered)
                return _Outcome(
                    "dibao",
                    True,
                    total,
                    covered=covered,
                    summary=summary + self._extra(total, amount),
                )
        reasons = [check.code for check in [*assets, dibao] if not check.passed]
        outcome = _Outcome("dibao", False, reasons=reasons, summary="不符合低保条件")
        current = self.app.current
        if (
            current is not None
            and current.programme == "dibao"
            and reasons == ["income_not_below_standard"]
            and self.income.has_earned_income
        ):
            outcome.gradual_exit = rules.gradual_exit_schedule(Fraction(current.amount), p)
            e.note(
                f"因务工或经营收入增加而超过低保标准，且仅收入一项不符合：渐退 {len(outcome.gradual_exit)} 个月，"
                f"按原救助金 {yuan(current.amount)} 依次发放 "
                + "、".join(yuan(amount) for amount in outcome.gradual_exit)
            )
        return outcome

    def _floor_and_supplement(self, amount: Fraction, covered: tuple[Member, ...]) -> Fraction:
        floor = rules.minimum_payment(len(covered), self.params)
        if floor is not None and 0 < amount < floor:
            self.explanation.note(f"差额低于最低发放额，按 {yuan(floor)} 发放")
            amount = floor
        supplement, lines = rules.category_supplement(covered, self.params, self.on)
        if supplement:
            self.explanation.figure("category_supplement", "分类施保加发", supplement)
            for line in lines:
                self.explanation.note(f"分类施保：{line}")
        return amount + supplement

    @staticmethod
    def _extra(total: Fraction, base: Fraction) -> str:
        return f"，加分类施保后 {yuan(total)}" if total != base else ""

    def tekun(self, assets: list[Check]) -> _Outcome:
        e, p = self.explanation, self.params
        applicant = self.applicant
        own = self.income.member_monthly(applicant.key)
        checks = [
            e.check(rules.tekun_category_check(applicant, p, self.on)),
            e.check(rules.tekun_income_check(own, p)),
            e.check(rules.tekun_supporter_check(self.household)),
        ]
        failed = [check.code for check in [*checks, *assets] if not check.passed]
        if failed:
            return _Outcome("tekun", False, reasons=failed, summary="不符合特困人员认定条件")
        tier = rules.tekun_care_tier(applicant, p)
        basic, care = rules.tekun_amount(tier, p)
        e.figure(
            "self_care_lost_items", "不能自理项数（六项）", len(applicant.self_care_impossible)
        )
        e.figure("care_tier", "照料等级", CARE_TIER_LABELS[tier])
        e.figure("tekun_basic", "基本生活标准", basic)
        e.figure("tekun_care", "照料护理标准", care)
        summary = (
            f"符合特困供养条件（{CARE_TIER_LABELS[tier]}）：基本生活标准 {yuan(basic)}"
            f" + 照料护理标准 {yuan(care)} = {yuan(basic + care)}"
        )
        return _Outcome(
            "tekun",
            True,
            basic + care,
            covered=(applicant,),
            summary=summary,
            category=Category.TEKUN,
        )

    def low_income(
        self, category: str, assets: list[Check], near: Check, rigid: list[Check]
    ) -> _Outcome:
        if category == Category.DIBAO:
            self.explanation.note("家庭符合低保条件，应按低保认定（一次申请、分类认定）")
            return _Outcome(
                "low_income_recognition",
                False,
                reasons=["household_qualifies_for_dibao"],
                summary="家庭符合低保条件，不作低保边缘认定",
            )
        if category in (Category.NEAR_DIBAO, Category.RIGID_EXPENSE):
            return _Outcome(
                "low_income_recognition",
                True,
                covered=self.household.counted_members(),
                summary=f"认定为{CATEGORY_LABELS[category]}（不发放月度救助金，可申请专项救助和临时救助）",
            )
        reasons = [c.code for c in [*assets, near, *rigid] if not c.passed]
        return _Outcome(
            "low_income_recognition",
            False,
            reasons=reasons,
            summary="不符合低保边缘或刚性支出困难家庭条件",
        )

    def temp_aid(self, category: str) -> _Outcome:
        e, p = self.explanation, self.params
        request = self.app.request
        assert request is not None  # the case parser requires it for temp_aid
        limits = rules.temp_aid_limits(self.income.counted_members, p)
        e.figure("requested_amount", "申请救助金额", Fraction(request.amount))
        e.figure("cap_amount", "本次事件救助上限", limits.cap)
        e.figure("township_cap", "乡镇（街道）审批额度", limits.township_cap)
        checks = [e.check(rules.temp_aid_same_cause_check(request, p, self.on))]
        if request.kind == "expense":
            in_hardship = category != Category.NONE
            checks.append(
                e.check(
                    Check(
                        "temp_aid_expense_no_hardship",
                        in_hardship,
                        f"支出型临时救助：家庭认定为{CATEGORY_LABELS[category]}",
                        "temp_aid",
                    )
                )
            )
        failed = [check.code for check in checks if not check.passed]
        if failed:
            return _Outcome(
                "temp_aid",
                False,
                reasons=failed,
                summary="不符合临时救助条件",
                cap_amount=limits.cap,
            )
        amount = min(Fraction(request.amount), limits.cap)
        if amount < Fraction(request.amount):
            e.note(f"申请金额超过本次事件上限，按上限 {yuan(limits.cap)} 救助")
        decided_by = "township" if amount <= limits.township_cap else "county"
        where = (
            "乡镇（街道）审批" if decided_by == "township" else "超过乡镇审批额度，报县民政局审批"
        )
        return _Outcome(
            "temp_aid",
            True,
            amount,
            covered=self.household.counted_members(),
            summary=f"临时救助 {yuan(amount)}（上限 {yuan(limits.cap)}），{where}",
            decided_by=decided_by,
            cap_amount=limits.cap,
        )


def assess(application: Application, source: SourceWithRegions) -> Determination:
    """Decide `application` with the parameters of `source` in force on its date."""
    region_code = source.region_for(application.parameters)
    params = Parameters(
        source,
        region_code=region_code,
        on=application.as_of,
        overrides=override_values(application.overrides, on=application.as_of),
    )
    run = _Assessment(application, params)
    category, assets, dibao, near, rigid = run.classify()
    programme = application.programme
    if programme is Programme.DIBAO:
        outcome = run.dibao(category, assets, dibao)
    elif programme is Programme.TEKUN:
        outcome = run.tekun(assets)
    elif programme is Programme.LOW_INCOME:
        outcome = run.low_income(category, assets, near, rigid)
    elif programme is Programme.TEMP_AID:
        outcome = run.temp_aid(category)
    else:
        outcome = _auto(run, category, assets, dibao, near, rigid)
    return _determination(run, outcome, category, region_code)


def recompute(
    inputs: Mapping[str, Any], parameter_versions: Sequence[Mapping[str, Any]]
) -> Determination:
    """A stored decision again: its inputs, with exactly the parameter versions it used."""
    return assess(parse_application(inputs), PinnedParameters.from_uses(parameter_versions))


def _auto(
    run: _Assessment,
    category: str,
    assets: list[Check],
    dibao: Check,
    near: Check,
    rigid: list[Check],
) -> _Outcome:
    tekun = run.tekun(assets)
    if tekun.eligible:
        return tekun
    first = run.dibao(category, assets, dibao)
    if first.eligible:
        return first
    recognition = run.low_income(category, assets, near, rigid)
    if recognition.eligible:
        return recognition
    run.explanation.note(
        "按一次申请、分类认定，依次评估了特困、低保（含单人保）、低保边缘和刚性支出困难"
    )
    first.programme = None
    return first


def _determination(
    run: _Assessment, outcome: _Outcome, category: str, region_code: str
) -> Determination:
    e, p = run.explanation, run.params
    final_category = outcome.category or category
    review = None
    if outcome.eligible and outcome.programme in ("dibao", "tekun"):
        members = (
            outcome.covered if outcome.programme == "tekun" else run.household.counted_members()
        )
        review, why = rules.review_class(members, p)
        cycle = p.integer_map("review_cycle_months")[review]
        e.figure("review_class", "复核分类", f"{review}类（每{cycle}个月复核）：{why}")
    amount = round_fen(outcome.amount) if outcome.eligible else ZERO
    if outcome.eligible and outcome.programme in ("dibao", "tekun"):
        e.figure("amount", "月救助金额", amount)
    elif outcome.eligible and outcome.programme == "temp_aid":
        e.figure("amount", "临时救助金额", amount)
    e.figure("household_category", "家庭类别", CATEGORY_LABELS[final_category])
    e.summary = outcome.summary
    uses = tuple(p.uses())
    e.parameters = [use.as_dict() for use in uses]
    return Determination(
        name=run.app.name,
        as_of=run.on,
        region_code=region_code,
        outcome=ELIGIBLE if outcome.eligible else INELIGIBLE,
        programme=outcome.programme,
        amount=amount,
        per_capita_income=round_fen(run.income.per_capita),
        household_income=round_fen(run.income.household_monthly),
        household_category=str(final_category),
        review_class=review,
        reasons=tuple(outcome.reasons),
        covered_members=tuple(m.key for m in outcome.covered) if outcome.eligible else (),
        explanation=e,
        parameter_uses=uses,
        decided_by=outcome.decided_by if outcome.eligible else None,
        cap_amount=None if outcome.cap_amount is None else round_fen(outcome.cap_amount),
        gradual_exit=tuple(round_fen(amount) for amount in outcome.gradual_exit),
    )
