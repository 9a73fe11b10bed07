"""The count of a 民主评议 (domain.md §5), in exact arithmetic and without Django.

* Quorum: the members present (recused members included: they attended) must
  be at least `quorum` × the panel's size, e.g. 6 of 9 for 2/3.
* Pass: of the members present who were not recused, at least `pass_ratio`
  must agree; an abstention counts as not agreeing. A recused member is in
  neither the numerator nor the denominator.

The ratios are `Fraction`s straight from the policy table, so 2/3 × 9 is
exactly 6 and never 5.999….
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from jiuzhu.domain.policy.parameters import format_ratio

PASSED = "passed"
QUORUM_NOT_MET = "quorum_not_met"
NOT_ENOUGH_AGREE = "pass_ratio_not_met"


@dataclass(frozen=True)
class Tally:
    panel_size: int
    present: int
    recused: int
    agree: int
    disagree: int
    abstain: int

    @property
    def voting(self) -> int:
        return self.present - self.recused


@dataclass(frozen=True)
class Outcome:
    passed: bool
    code: str
    reason: str
    required_present: int
    required_agree: int


def required(ratio: Fraction, of: int) -> int:
    """The smallest whole number of people that is at least `ratio` × `of`."""
    return math.ceil(ratio * of)


def decide(tally: Tally, *, quorum: Fraction, pass_ratio: Fraction) -> Outcome:
    if tally.panel_size <= 0:
        raise ValueError("panel without members")
    if not 0 <= tally.recused <= tally.present <= tally.panel_size:
        raise ValueError("inconsistent tally")
    if tally.agree + tally.disagree + tally.abstain != tally.voting:
        raise ValueError("every voting member must have exactly one vote")
    need_present = required(quorum, tally.panel_size)
    need_agree = required(pass_ratio, tally.voting)
    if Fraction(tally.present) < quorum * tally.panel_size:
        return Outcome(
            passed=False,
            code=QUORUM_NOT_MET,
            reason=(
                f"人数不足：评议小组应到 {tally.panel_size} 人，实到 {tally.present} 人，"
                f"须至少 {need_present} 人到会（{format_ratio(quorum)}）"
            ),
            required_present=need_present,
            required_agree=need_agree,
        )
    if tally.voting == 0:
        return Outcome(
            passed=False,
            code=QUORUM_NOT_MET,
            reason="人数不足：到会成员均已回避，没有可参加表决的成员",
            required_present=need_present,
            required_agree=need_agree,
        )
    counted = f"参加表决 {tally.voting} 人（回避 {tally.recused} 人不计）"
    if Fraction(tally.agree) < pass_ratio * tally.voting:
        return Outcome(
            passed=False,
            code=NOT_ENOUGH_AGREE,
            reason=(
                f"同意票不足：{counted}，同意 {tally.agree} 人，"
                f"须至少 {need_agree} 人同意（{format_ratio(pass_ratio)}）"
            ),
            required_present=need_present,
            required_agree=need_agree,
        )
    return Outcome(
        passed=True,
        code=PASSED,
        reason=(
            f"评议通过：应到 {tally.panel_size} 人，实到 {tally.present} 人，"
            f"{counted}，同意 {tally.agree} 人"
        ),
        required_present=need_present,
        required_agree=need_agree,
    )
