"""民主评议 through the services: quorum, pass ratio, recusal, and the effect on the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework import services as casework
from jiuzhu.casework.models import CaseEvent
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound
from jiuzhu.reviews import services
from jiuzhu.reviews.models import MeetingStatus, ReviewVote
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY, step
from tests.reviews.support import case_in_review, make_panel, open_with_roll, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def a1(county: factories.County) -> Any:
    return county.communities[0]


@pytest.fixture
def panel(cast: factories.Cast, a1: Any) -> list[Any]:
    return make_panel(cast.officer, a1, size=9)


def conclude(actor: Any, meeting: Any, case: Any) -> Any:
    return services.conclude(actor=actor, meeting_id=meeting.pk, case_id=case.pk)


@pytest.mark.parametrize(("present", "passed"), [(6, True), (5, False)])
def test_quorum_boundary_two_thirds_of_nine(
    county: factories.County,
    cast: factories.Cast,
    a1: Any,
    panel: list[Any],
    monday: Any,
    present: int,
    passed: bool,
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=present)
    vote(cast.officer, meeting, case, panel[:present], "a" * present)
    conclusion = conclude(cast.officer, meeting, case)
    assert conclusion.passed is passed
    assert (conclusion.panel_size, conclusion.present) == (9, present)
    if not passed:
        assert conclusion.reason.startswith("人数不足")
        assert "须至少 6 人到会" in conclusion.reason
    assert [v["name"] for v in conclusion.parameter_versions] == [
        "democratic_review_quorum",
        "democratic_review_pass_ratio",
    ]


@pytest.mark.parametrize(("pattern", "passed"), [("aaaaaaddd", True), ("aaaaaddxx", False)])
def test_pass_ratio_boundary(
    county: factories.County,
    cast: factories.Cast,
    a1: Any,
    panel: list[Any],
    monday: Any,
    pattern: str,
    passed: bool,
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=9)
    vote(cast.community_worker, meeting, case, panel, pattern)
    conclusion = conclude(cast.community_worker, meeting, case)
    assert conclusion.passed is passed
    assert conclusion.agree == pattern.count("a")
    if not passed:
        assert conclusion.reason.startswith("同意票不足")


def test_recusal_leaves_numerator_and_denominator(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    """6 of 9 present, 3 of them recused: 2 agreeing of the 3 who vote is 2/3 and passes
    (with the recused counted as present for the quorum, and out of the vote)."""
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=6)
    recusals = {m.pk: "申请人近亲属" for m in panel[3:6]}
    vote(cast.officer, meeting, case, panel[:3], "aad", recusals=recusals)
    conclusion = conclude(cast.officer, meeting, case)
    assert conclusion.passed
    assert (conclusion.present, conclusion.recused, conclusion.voting) == (6, 3, 3)
    assert (conclusion.agree, conclusion.disagree, conclusion.abstain) == (2, 1, 0)
    assert "回避 3 人不计" in conclusion.reason


def test_recusal_does_not_rescue_a_vote_short_of_agreement(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=9)
    vote(cast.officer, meeting, case, panel[1:], "aaaaaddd", recusals={panel[0].pk: "申请人之兄"})
    conclusion = conclude(cast.officer, meeting, case)
    assert (conclusion.passed, conclusion.recused) == (False, 1)  # 5 of 8 < 2/3
    assert conclusion.reason.startswith("同意票不足")


def test_a_recused_members_vote_is_refused(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=9)
    relative = panel[4]
    services.record_votes(
        actor=cast.officer,
        meeting_id=meeting.pk,
        case_id=case.pk,
        votes={},
        recusals={relative.pk: "申请人的配偶之妹"},
    )
    with pytest.raises(services.ReviewRefused, match="利害关系人") as refused:
        services.record_votes(
            actor=cast.officer, meeting_id=meeting.pk, case_id=case.pk, votes={relative.pk: "agree"}
        )
    assert refused.value.code == "recused_member_vote"
    # Naming a member as recused and voting in the same breath is refused as well.
    with pytest.raises(services.ReviewRefused, match="利害关系人"):
        services.record_votes(
            actor=cast.officer,
            meeting_id=meeting.pk,
            case_id=case.pk,
            votes={panel[0].pk: "agree"},
            recusals={panel[0].pk: "申请人之子"},
        )
    row = ReviewVote.objects.get(meeting=meeting, case=case, member=relative)
    assert (row.recused, row.vote, row.recusal_reason) == (True, "", "申请人的配偶之妹")
    assert not ReviewVote.objects.filter(member=panel[0]).exists()
    assert AuditEvent.objects.filter(action="review.votes", result="denied").count() == 2


def test_votes_of_absent_members_and_strangers_are_refused(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=6)
    with pytest.raises(services.ReviewRefused, match="未到会"):
        vote(cast.officer, meeting, case, panel[6:7], "a")
    outsider = make_panel(cast.officer, county.communities[1], size=1)[0]  # A2's panel
    with pytest.raises(services.ReviewRefused, match="名单"):
        vote(cast.officer, meeting, case, [outsider], "a")
    with pytest.raises(services.ReviewRefused, match="表决意见"):
        services.record_votes(
            actor=cast.officer, meeting_id=meeting.pk, case_id=case.pk, votes={panel[0].pk: "yes"}
        )
    with pytest.raises(services.ReviewRefused, match="回避原因"):
        services.record_votes(
            actor=cast.officer,
            meeting_id=meeting.pk,
            case_id=case.pk,
            votes={},
            recusals={panel[0].pk: "  "},
        )


def test_a_pass_goes_on_file_so_the_case_moves_on(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    with pytest.raises(casework.CaseRefused, match="民主评议"):
        step(cast.officer, case, "record_democratic_review")
    meeting = open_with_roll(cast.officer, a1, panel, present=9)
    vote(cast.officer, meeting, case, panel, "aaaaaaaad")
    conclusion = conclude(cast.officer, meeting, case)
    assert conclusion.passed
    case.refresh_from_db()
    assert "democratic_review_quorum" in case.on_file
    case = step(cast.officer, case, "record_democratic_review")
    assert case.state == "township_review"
    assert CaseEvent.objects.filter(case=case, action="record_democratic_review_quorum").exists()
    audit = AuditEvent.objects.get(action="review.conclude")
    assert (audit.result, audit.details["case"], audit.details["passed"]) == ("ok", case.pk, True)
    # Concluded once per meeting; the votes are closed for the case.
    with pytest.raises(services.ReviewRefused):
        conclude(cast.officer, meeting, case)


def test_a_failure_leaves_the_case_and_is_audited(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    version = case.version
    meeting = open_with_roll(cast.officer, a1, panel, present=5)
    vote(cast.officer, meeting, case, panel[:5], "aaaaa")
    conclusion = conclude(cast.officer, meeting, case)
    assert not conclusion.passed
    case.refresh_from_db()
    assert (case.state, case.version) == ("democratic_review", version)
    assert "democratic_review_quorum" not in case.on_file
    audit = AuditEvent.objects.get(action="review.conclude")
    assert (audit.result, audit.details["passed"], audit.details["outcome"]) == (
        "ok",
        False,
        "quorum_not_met",
    )
    # A new meeting may review the case again.
    second = open_with_roll(cast.officer, a1, panel, present=9)
    vote(cast.officer, second, case, panel, "aaaaaaaaa")
    assert conclude(cast.officer, second, case).passed


def test_every_present_member_must_vote_or_be_recused(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=7)
    vote(cast.officer, meeting, case, panel[:6], "aaaaaa")
    with pytest.raises(services.ReviewRefused, match="未表决") as refused:
        conclude(cast.officer, meeting, case)
    assert refused.value.code == "votes_missing"
    assert AuditEvent.objects.filter(action="review.conclude", result="denied").count() == 1


def test_attendance_is_fixed_once_members_vote(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=9)
    vote(cast.officer, meeting, case, panel[:1], "a")
    with pytest.raises(services.ReviewRefused, match="不能登记为缺席"):
        services.record_attendance(
            actor=cast.officer,
            meeting_id=meeting.pk,
            present_member_ids=[m.pk for m in panel[1:]],
        )


def test_the_roll_is_the_panel_when_the_meeting_opened(
    cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    services.panel_member_set_active(actor=cast.officer, member_id=panel[8].pk, active=False)
    meeting = open_with_roll(cast.officer, a1, panel, present=0)
    assert meeting.attendance.count() == 8
    services.panel_member_add(
        actor=cast.officer, community_id=a1.pk, name="孙新", role="resident_rep"
    )
    assert meeting.attendance.count() == 8


def test_a_meeting_needs_a_panel_and_closes_with_minutes_and_recordings(
    county: factories.County, cast: factories.Cast, a1: Any, monday: Any
) -> None:
    with pytest.raises(services.ReviewRefused, match="评议小组"):
        services.open_meeting(
            actor=cast.officer, community_id=a1.pk, held_on=clock.today(), place="会议室"
        )
    panel = make_panel(cast.officer, a1, size=3)
    meeting = open_with_roll(cast.officer, a1, panel, present=3)
    with pytest.raises(services.ReviewRefused, match="会议记录"):
        services.close_meeting(actor=cast.officer, meeting_id=meeting.pk)
    with pytest.raises(services.ReviewRefused, match="哈希值"):
        edit(cast.officer, meeting, [{"file": "a.mp4", "hash": "abc"}])
    digest = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    meeting = edit(cast.officer, meeting, [{"file": "/存档/2026/0928-A1.mp4", "hash": digest}])
    assert meeting.recordings == [{"file": "/存档/2026/0928-A1.mp4", "hash": digest}]
    meeting = services.close_meeting(
        actor=cast.officer, meeting_id=meeting.pk, expected_version=meeting.version
    )
    assert meeting.status == MeetingStatus.CLOSED
    with pytest.raises(services.ReviewRefused, match="已结束"):
        services.record_attendance(actor=cast.officer, meeting_id=meeting.pk, present_member_ids=[])


def edit(actor: Any, meeting: Any, recordings: list[dict[str, str]]) -> Any:
    return services.meeting_update(
        actor=actor,
        meeting_id=meeting.pk,
        held_on=meeting.held_on,
        place=meeting.place,
        chair="张建国",
        minutes="评议小组对本社区低保申请逐户进行了评议。",
        recordings=recordings,
    )


def test_a_meeting_not_yet_held_takes_no_votes(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    meeting = services.open_meeting(
        actor=cast.officer, community_id=a1.pk, held_on=dt.date(2026, 10, 9), place="会议室"
    )
    with pytest.raises(services.ReviewRefused, match="召开后"):
        services.record_attendance(actor=cast.officer, meeting_id=meeting.pk, present_member_ids=[])


def test_other_jurisdictions_and_roles_see_nothing(
    county: factories.County, cast: factories.Cast, a1: Any, panel: list[Any], monday: Any
) -> None:
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=9)
    for user in (cast.other_community_worker, cast.grid_worker, cast.approver, cast.no_division):
        with pytest.raises(NotFound):
            vote(user, meeting, case, panel, "aaaaaaaaa")
        with pytest.raises(NotFound):
            conclude(user, meeting, case)
        with pytest.raises(NotFound):
            services.panel_member_add(actor=user, community_id=a1.pk, name="某", role="party_rep")
    assert not ReviewVote.objects.exists()
