"""Reads of the reviews app, each through the one jurisdiction scope (fails closed).

Only the township's assistance officer and the community's worker organise a
民主评议; anyone else — and anything outside their jurisdiction — gets the
same NotFound as a record that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from jiuzhu.accounts.scoping import scope_to_jurisdiction
from jiuzhu.casework.models import Case
from jiuzhu.casework.services import visible_cases
from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import PERMISSIONS, Action
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.masking import mask_name
from jiuzhu.registry.models import Relation
from jiuzhu.reviews.models import (
    Attendance,
    PanelMember,
    ReviewConclusion,
    ReviewMeeting,
    ReviewPanel,
    ReviewVote,
)

#: The roles that organise a 民主评议 (those the workflow lets record it).
REVIEW_ROLES: frozenset[str] = PERMISSIONS[Action.CASE_RECORD]
#: The workflow state in which a case is put before the panel.
REVIEW_STATE = "democratic_review"


def may_review(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(user, "role", "") in REVIEW_ROLES
    )


def visible_communities(user: Any) -> QuerySet[Division]:
    if not may_review(user):
        return Division.objects.none()
    return scope_to_jurisdiction(
        Division.objects.filter(level=Level.COMMUNITY), user, path_field="path"
    ).order_by("code")


def community_get(user: Any, pk: int) -> Division:
    community = visible_communities(user).filter(pk=pk).first()
    if community is None:
        raise NotFound()
    return community


def panel_of(community: Division) -> ReviewPanel | None:
    return ReviewPanel.objects.filter(community=community).first()


def panel_members(community: Division) -> list[PanelMember]:
    return list(PanelMember.objects.filter(panel__community=community).order_by("-active", "id"))


def visible_members(user: Any) -> QuerySet[PanelMember]:
    if not may_review(user):
        return PanelMember.objects.none()
    return scope_to_jurisdiction(
        PanelMember.objects.select_related("panel__community"),
        user,
        path_field="panel__community__path",
    )


def member_get(user: Any, pk: int) -> PanelMember:
    member = visible_members(user).filter(pk=pk).first()
    if member is None:
        raise NotFound()
    return member


def visible_meetings(user: Any) -> QuerySet[ReviewMeeting]:
    if not may_review(user):
        return ReviewMeeting.objects.none()
    return scope_to_jurisdiction(
        ReviewMeeting.objects.select_related("community"), user, path_field="community__path"
    )


def meeting_get(user: Any, pk: int) -> ReviewMeeting:
    meeting = visible_meetings(user).filter(pk=pk).first()
    if meeting is None:
        raise NotFound()
    return meeting


def roll(meeting: ReviewMeeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("member").order_by("member_id"))


def meeting_case_get(user: Any, meeting: ReviewMeeting, case_id: int) -> Case:
    """A case of the meeting's community in the user's jurisdiction, else NotFound."""
    case = (
        visible_cases(user)
        .select_related("household", "household__community")
        .filter(pk=case_id, household__community=meeting.community)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


@dataclass(frozen=True)
class AgendaItem:
    """A case as the panel pages show it: number, masked head of household, result."""

    case_id: int
    case_no: str
    household_no: str
    head: str
    state_is_review: bool
    votes_recorded: int
    conclusion: ReviewConclusion | None


def head_name(case: Case) -> str:
    head = case.household.members.filter(relation=Relation.HEAD).order_by("id").first()
    return mask_name(head.name) if head is not None else ""


def agenda(user: Any, meeting: ReviewMeeting) -> list[AgendaItem]:
    """Cases awaiting review in the community, plus those already voted on at this meeting."""
    voted_ids = set(
        ReviewVote.objects.filter(meeting=meeting).values_list("case_id", flat=True)
    ) | set(ReviewConclusion.objects.filter(meeting=meeting).values_list("case_id", flat=True))
    cases = (
        visible_cases(user)
        .filter(household__community=meeting.community)
        .filter(Q(state=REVIEW_STATE) | Q(pk__in=voted_ids))
        .select_related("household")
        .order_by("case_no")
    )
    conclusions = {c.case_id: c for c in ReviewConclusion.objects.filter(meeting=meeting)}
    counts: dict[int, int] = {}
    for case_id in ReviewVote.objects.filter(meeting=meeting).values_list("case_id", flat=True):
        counts[case_id] = counts.get(case_id, 0) + 1
    items = []
    for case in cases:
        items.append(
            AgendaItem(
                case_id=case.pk,
                case_no=case.case_no,
                household_no=case.household.household_no,
                head=head_name(case),
                state_is_review=case.state == REVIEW_STATE,
                votes_recorded=counts.get(case.pk, 0),
                conclusion=conclusions.get(case.pk),
            )
        )
    return items


def case_votes(meeting: ReviewMeeting, case: Case) -> dict[int, ReviewVote]:
    return {v.member_id: v for v in ReviewVote.objects.filter(meeting=meeting, case=case)}


def conclusion_of(meeting: ReviewMeeting, case: Case) -> ReviewConclusion | None:
    return ReviewConclusion.objects.filter(meeting=meeting, case=case).first()
