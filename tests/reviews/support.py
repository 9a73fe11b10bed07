"""Helpers of the 民主评议 tests: a panel, a meeting with its roll, a case in review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jiuzhu.casework.models import Case
from jiuzhu.core import clock
from jiuzhu.reviews import services
from jiuzhu.reviews.models import PanelMember, ReviewMeeting
from tests import factories
from tests.casework.support import household_of, investigate, open_dibao, step

NAMES = ["张建国", "李秀英", "王志强", "刘桂兰", "陈国华", "杨丽", "赵德明", "黄淑珍", "周海涛"]
ROLES = ["two_committees"] * 3 + ["party_rep"] * 3 + ["resident_rep"] * 3


def make_panel(officer: Any, community: Any, size: int = 9) -> list[PanelMember]:
    return [
        services.panel_member_add(
            actor=officer, community_id=community.pk, name=NAMES[i], role=ROLES[i % len(ROLES)]
        )
        for i in range(size)
    ]


def case_in_review(officer: Any, county: factories.County) -> Case:
    """A 低保 case of community A1 walked to the 民主评议 step."""
    case = open_dibao(officer, household_of(county))
    case = step(officer, case, "start_investigation")
    case = investigate(officer, case)
    assert case.state == "democratic_review"
    return case


def open_with_roll(
    officer: Any, community: Any, members: list[PanelMember], present: int
) -> ReviewMeeting:
    meeting = services.open_meeting(
        actor=officer, community_id=community.pk, held_on=clock.today(), place="社区会议室"
    )
    services.record_attendance(
        actor=officer,
        meeting_id=meeting.pk,
        present_member_ids=[m.pk for m in members[:present]],
    )
    return meeting


def vote(
    officer: Any,
    meeting: ReviewMeeting,
    case: Case,
    members: Iterable[PanelMember],
    pattern: str,
    recusals: dict[int, str] | None = None,
) -> None:
    """`pattern`: one letter per member, a=agree d=disagree x=abstain."""
    letters = {"a": "agree", "d": "disagree", "x": "abstain"}
    services.record_votes(
        actor=officer,
        meeting_id=meeting.pk,
        case_id=case.pk,
        votes={m.pk: letters[c] for m, c in zip(members, pattern, strict=True)},
        recusals=recusals or {},
    )
