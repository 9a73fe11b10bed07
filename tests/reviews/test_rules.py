"""The count of a 民主评议 in exact fractions, on either side of each boundary."""

from __future__ import annotations

from fractions import Fraction

import pytest

from jiuzhu.reviews.rules import NOT_ENOUGH_AGREE, PASSED, QUORUM_NOT_MET, Tally, decide, required

TWO_THIRDS = Fraction(2, 3)


def tally(
    size: int, present: int, agree: int, disagree: int = 0, abstain: int = 0, recused: int = 0
) -> Tally:
    return Tally(
        panel_size=size,
        present=present,
        recused=recused,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
    )


@pytest.mark.parametrize(
    ("size", "present", "code"),
    [
        (9, 6, PASSED),  # exactly 2/3
        (9, 5, QUORUM_NOT_MET),
        (7, 5, PASSED),  # 14/3 = 4.67 → 5
        (7, 4, QUORUM_NOT_MET),
        (3, 2, PASSED),
        (3, 1, QUORUM_NOT_MET),
    ],
)
def test_quorum_is_two_thirds_of_the_panel(size: int, present: int, code: str) -> None:
    outcome = decide(tally(size, present, agree=present), quorum=TWO_THIRDS, pass_ratio=TWO_THIRDS)
    assert outcome.code == code
    assert outcome.required_present == required(TWO_THIRDS, size)
    if code == QUORUM_NOT_MET:
        assert outcome.reason.startswith("人数不足")


@pytest.mark.parametrize(
    ("agree", "disagree", "abstain", "code"),
    [
        (6, 3, 0, PASSED),  # exactly 2/3 of 9
        (5, 4, 0, NOT_ENOUGH_AGREE),
        (5, 3, 1, NOT_ENOUGH_AGREE),  # an abstention is not an agreement
    ],
)
def test_pass_ratio_counts_those_present(
    agree: int, disagree: int, abstain: int, code: str
) -> None:
    outcome = decide(
        tally(9, 9, agree, disagree, abstain), quorum=TWO_THIRDS, pass_ratio=TWO_THIRDS
    )
    assert outcome.code == code
    assert outcome.passed is (code == PASSED)
    if not outcome.passed:
        assert outcome.reason.startswith("同意票不足")


def test_recused_members_count_for_the_quorum_but_not_for_the_vote() -> None:
    # 6 of 9 present (quorum met with the 3 recused), 3 voting: 2 agreeing is 2/3.
    outcome = decide(tally(9, 6, 2, 1, recused=3), quorum=TWO_THIRDS, pass_ratio=TWO_THIRDS)
    assert (outcome.code, outcome.required_agree) == (PASSED, 2)
    assert "回避 3 人不计" in outcome.reason
    # Had the recused stayed in the denominator, 2 of 6 would have failed.
    assert decide(tally(9, 6, 2, 4), quorum=TWO_THIRDS, pass_ratio=TWO_THIRDS).code == (
        NOT_ENOUGH_AGREE
    )


def test_everyone_present_recused_cannot_pass() -> None:
    outcome = decide(tally(3, 2, 0, recused=2), quorum=TWO_THIRDS, pass_ratio=TWO_THIRDS)
    assert (outcome.passed, outcome.code) == (False, QUORUM_NOT_MET)


def test_inconsistent_tallies_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="exactly one vote"):
        decide(tally(9, 9, 5), quorum=TWO_THIRDS, pass_ratio=TWO_THIRDS)  # 4 votes missing
    with pytest.raises(ValueError, match="without members"):
        decide(tally(0, 0, 0), quorum=TWO_THIRDS, pass_ratio=TWO_THIRDS)
