"""Use-cases of 民主评议: the panel, a meeting, its roll, the votes on a case, the conclusion.

Each function takes keyword arguments, checks the actor's role and
jurisdiction (NotFound otherwise, like a missing record), owns its
transaction, writes its audit row and raises `ReviewRefused` with a Chinese
message when the rules say no (the refusal is audited too).

`conclude` counts with `jiuzhu.reviews.rules` using the policy parameters
`democratic_review_quorum` and `democratic_review_pass_ratio` in force for the
community on the day of the meeting; a pass puts `democratic_review_quorum`
on the case's file (`casework.services.record_on_file`), so that the case
can go on with `record_democratic_review`; a failure leaves the case as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from fractions import Fraction
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from jiuzhu.audit.services import audit_record
from jiuzhu.casework import services as casework_services
from jiuzhu.casework.models import Case
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError, StaleVersion
from jiuzhu.policy import services as policy_services
from jiuzhu.reviews import rules, selectors
from jiuzhu.reviews.models import (
    Attendance,
    MeetingStatus,
    MemberRole,
    PanelMember,
    ReviewConclusion,
    ReviewMeeting,
    ReviewPanel,
    ReviewVote,
    Vote,
)

MEETING = "reviews.ReviewMeeting"
MEMBER = "reviews.PanelMember"
REQUIREMENT = "democratic_review_quorum"
QUORUM_PARAMETER = "democratic_review_quorum"
RATIO_PARAMETER = "democratic_review_pass_ratio"
MAX_RECORDINGS = 20
_HASH = re.compile(r"[0-9a-fA-F]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

P = ParamSpec("P")
T = TypeVar("T")


class ReviewRefused(ServiceError):
    code = "review_refused"
    default_message = "民主评议操作未能完成"


def _audited_refusal(action: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A refusal is written to the audit log after the (rolled back) transaction."""

    def decorator(function: Callable[P, T]) -> Callable[P, T]:
        @wraps(function)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return function(*args, **kwargs)
            except ReviewRefused as exc:
                request = kwargs.get("http_request")
                audit_record(
                    action=action,
                    result="denied",
                    actor=kwargs.get("actor"),
                    request=request if isinstance(request, HttpRequest) else None,
                    object_type=MEETING,
                    object_id=str(kwargs.get("meeting_id") or ""),
                    details={"reason": exc.code, "case": kwargs.get("case_id")},
                )
                raise

        return wrapped

    return decorator


def _gate(actor: Any) -> None:
    if not selectors.may_review(actor):
        raise NotFound()


def _text(value: str, *, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ReviewRefused(f"请填写{label}")
    if len(text) > max_length:
        raise ReviewRefused(f"{label}不能超过 {max_length} 个字")
    if _CONTROL.search(text):
        raise ReviewRefused(f"{label}含有不可见的控制字符")
    return text


# -- the panel ------------------------------------------------------------------------


def panel_member_add(
    *, actor: Any, community_id: int, name: str, role: str, http_request: Any = None
) -> PanelMember:
    """登记评议小组成员 (the panel is formed with its first member)."""
    _gate(actor)
    community = selectors.community_get(actor, community_id)
    name = _text(name, label="成员姓名", max_length=50)
    if role not in MemberRole.values:
        raise ReviewRefused("请选择成员身份（社区“两委”成员、党员代表或居民代表）")
    now = clock.now()
    with transaction.atomic():
        panel, _ = ReviewPanel.objects.get_or_create(
            community=community, defaults={"created_at": now, "updated_at": now}
        )
        member = PanelMember.objects.create(panel=panel, name=name, role=role, created_at=now)
        panel.updated_at = now
        panel.save(update_fields=["updated_at"])
        audit_record(
            action="review.panel_member_add",
            actor=actor,
            request=http_request,
            object_type=MEMBER,
            object_id=member.pk,
            details={"community": community.code, "role": role},
        )
    return member


def panel_member_set_active(
    *, actor: Any, member_id: int, active: bool, http_request: Any = None
) -> PanelMember:
    """A member leaves the panel (or returns); past meetings keep their roll."""
    _gate(actor)
    with transaction.atomic():
        member = selectors.visible_members(actor).select_for_update().filter(pk=member_id).first()
        if member is None:
            raise NotFound()
        if member.active != active:
            member.active = active
            member.save(update_fields=["active"])
            audit_record(
                action="review.panel_member_active",
                actor=actor,
                request=http_request,
                object_type=MEMBER,
                object_id=member.pk,
                details={"active": active},
            )
    return member


# -- meetings -------------------------------------------------------------------------


def clean_recordings(entries: object) -> list[dict[str, str]]:
    """References to the audio/video files kept elsewhere: [{"file": …, "hash": …}]."""
    if not isinstance(entries, list | tuple):
        raise ReviewRefused("录音录像存档应为文件清单")
    if len(entries) > MAX_RECORDINGS:
        raise ReviewRefused(f"录音录像存档最多登记 {MAX_RECORDINGS} 个文件")
    cleaned: list[dict[str, str]] = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise ReviewRefused(f"第 {i} 个录音录像存档格式不正确")
        file = _text(
            str(entry.get("file", "")), label=f"第 {i} 个存档的文件名或路径", max_length=255
        )
        digest = str(entry.get("hash", "") or "").strip().lower()
        if digest and not _HASH.fullmatch(digest):
            raise ReviewRefused(
                f"第 {i} 个存档的哈希值应为 64 位十六进制（SM3 或 SHA-256），请核对后重新填写"
            )
        cleaned.append({"file": file, "hash": digest})
    return cleaned


def open_meeting(
    *,
    actor: Any,
    community_id: int,
    held_on: dt.date,
    place: str,
    chair: str = "",
    http_request: Any = None,
) -> ReviewMeeting:
    """登记一次评议会议; its roll is the panel's active members at this moment."""
    _gate(actor)
    community = selectors.community_get(actor, community_id)
    place = _text(place, label="评议地点", max_length=100)
    chair = _text(chair, label="主持人", max_length=50, required=False)
    with transaction.atomic():
        members = list(
            PanelMember.objects.filter(panel__community=community, active=True).order_by("id")
        )
        if not members:
            raise ReviewRefused("该社区尚未组建民主评议小组，请先登记评议小组成员")
        now = clock.now()
        meeting = ReviewMeeting.objects.create(
            community=community,
            held_on=held_on,
            place=place,
            chair=chair,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=member, present=False) for member in members
        )
        audit_record(
            action="review.meeting_open",
            actor=actor,
            request=http_request,
            object_type=MEETING,
            object_id=meeting.pk,
            details={
                "community": community.code,
                "held_on": held_on.isoformat(),
                "panel_size": len(members),
            },
        )
    return meeting


def _locked_meeting(actor: Any, meeting_id: int) -> ReviewMeeting:
    meeting = selectors.visible_meetings(actor).select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound()
    return meeting


def _ensure_open(meeting: ReviewMeeting) -> None:
    if meeting.status != MeetingStatus.OPEN:
        raise ReviewRefused("该次评议会议已结束，不能再修改", code="meeting_closed")


def _ensure_held(meeting: ReviewMeeting) -> None:
    if meeting.held_on > clock.today():
        raise ReviewRefused(
            f"会议定于 {meeting.held_on:%Y-%m-%d} 召开，召开后才能登记到会和表决",
            code="meeting_not_held",
        )


def _touch(meeting: ReviewMeeting) -> None:
    meeting.version += 1
    meeting.updated_at = clock.now()


@_audited_refusal("review.meeting_edit")
def meeting_update(
    *,
    actor: Any,
    meeting_id: int,
    held_on: dt.date,
    place: str,
    chair: str,
    minutes: str,
    recordings: list[dict[str, str]],
    expected_version: int | None = None,
    http_request: Any = None,
) -> ReviewMeeting:
    """Edit the meeting's facts, its minutes and the references to its recordings."""
    _gate(actor)
    place = _text(place, label="评议地点", max_length=100)
    chair = _text(chair, label="主持人", max_length=50, required=False)
    minutes = (minutes or "").strip()
    if len(minutes) > 20000:
        raise ReviewRefused("会议记录不能超过 20000 个字")
    cleaned = clean_recordings(recordings)
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        if expected_version is not None and meeting.version != expected_version:
            raise StaleVersion("该次会议已被他人修改，请刷新页面后重新编辑")
        _ensure_open(meeting)
        if held_on != meeting.held_on and meeting.conclusions.exists():
            raise ReviewRefused("已有评议结论，不能再修改评议日期")
        changed = [
            name
            for name, new in (
                ("held_on", held_on),
                ("place", place),
                ("chair", chair),
                ("minutes", minutes),
                ("recordings", cleaned),
            )
            if getattr(meeting, name) != new
        ]
        if changed:
            meeting.held_on, meeting.place, meeting.chair = held_on, place, chair
            meeting.minutes, meeting.recordings = minutes, cleaned
            _touch(meeting)
            meeting.save()
            audit_record(
                action="review.meeting_edit",
                actor=actor,
                request=http_request,
                object_type=MEETING,
                object_id=meeting.pk,
                details={"fields": changed, "recordings": len(cleaned)},
            )
    return meeting


@_audited_refusal("review.meeting_close")
def close_meeting(
    *,
    actor: Any,
    meeting_id: int,
    expected_version: int | None = None,
    http_request: Any = None,
) -> ReviewMeeting:
    """结束会议: from now on nothing of it changes. Needs the minutes and the recordings."""
    _gate(actor)
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        if expected_version is not None and meeting.version != expected_version:
            raise StaleVersion("该次会议已被他人修改，请刷新页面后查看")
        _ensure_open(meeting)
        _ensure_held(meeting)
        if not meeting.minutes.strip():
            raise ReviewRefused("请先填写会议记录，再结束会议")
        if not meeting.recordings:
            raise ReviewRefused("请先登记会议录音录像的存档文件，再结束会议")
        meeting.status = MeetingStatus.CLOSED
        _touch(meeting)
        meeting.save()
        audit_record(
            action="review.meeting_close",
            actor=actor,
            request=http_request,
            object_type=MEETING,
            object_id=meeting.pk,
            details={"conclusions": meeting.conclusions.count()},
        )
    return meeting


@_audited_refusal("review.attendance")
def record_attendance(
    *,
    actor: Any,
    meeting_id: int,
    present_member_ids: Collection[int],
    http_request: Any = None,
) -> list[Attendance]:
    """登记到会: the members present; everyone else on the roll is absent."""
    _gate(actor)
    present = {int(pk) for pk in present_member_ids}
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _ensure_open(meeting)
        _ensure_held(meeting)
        lines = selectors.roll(meeting)
        names = {line.member_id: line.member.name for line in lines}
        strangers = present - names.keys()
        if strangers:
            raise ReviewRefused("所选人员不在本次会议的评议小组名单中")
        if meeting.conclusions.exists():
            raise ReviewRefused("本次会议已有评议结论，不能再修改到会情况")
        voted = set(ReviewVote.objects.filter(meeting=meeting).values_list("member_id", flat=True))
        leaving = sorted(voted - present)
        if leaving:
            who = "、".join(names[pk] for pk in leaving)
            raise ReviewRefused(f"{who}已参加表决或登记回避，不能登记为缺席")
        for line in lines:
            is_present = line.member_id in present
            if line.present != is_present:
                line.present = is_present
                line.save(update_fields=["present"])
        _touch(meeting)
        meeting.save(update_fields=["version", "updated_at"])
        audit_record(
            action="review.attendance",
            actor=actor,
            request=http_request,
            object_type=MEETING,
            object_id=meeting.pk,
            details={"panel_size": len(lines), "present": len(present)},
        )
    return lines


def _case_for_review(actor: Any, meeting: ReviewMeeting, case_id: int) -> Case:
    case = casework_services.case_get(actor, case_id)  # jurisdiction: NotFound otherwise
    if case.household.community_id != meeting.community_id:
        raise ReviewRefused("该申请不属于本社区，不能由本社区评议小组评议")
    if case.state != selectors.REVIEW_STATE:
        raise ReviewRefused("该申请当前不在民主评议环节", code="case_not_in_review")
    if ReviewConclusion.objects.filter(meeting=meeting, case=case).exists():
        raise ReviewRefused("本次会议对该申请已有评议结论，不能再修改", code="already_concluded")
    return case


@_audited_refusal("review.votes")
def record_votes(
    *,
    actor: Any,
    meeting_id: int,
    case_id: int,
    votes: Mapping[int, str],
    recusals: Mapping[int, str] | None = None,
    http_request: Any = None,
) -> list[ReviewVote]:
    """录入表决: votes {member id: agree|disagree|abstain} and recusals {member id: reason}.

    A member who is related to the applicant or otherwise interested is recused;
    once recused for this case at this meeting, their vote is refused. Votes may
    be corrected until the conclusion; members not named keep what they had.
    """
    _gate(actor)
    recusals = dict(recusals or {})
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _ensure_open(meeting)
        _ensure_held(meeting)
        case = _case_for_review(actor, meeting, case_id)
        lines = {line.member_id: line for line in selectors.roll(meeting)}

        def on_roll_and_present(member_id: int) -> str:
            line = lines.get(member_id)
            if line is None:
                raise ReviewRefused("所选人员不在本次会议的评议小组名单中")
            if not line.present:
                raise ReviewRefused(f"{line.member.name}未到会，不能表决或登记回避")
            return line.member.name

        existing = selectors.case_votes(meeting, case)
        for member_id, reason in recusals.items():
            name = on_roll_and_present(member_id)
            _text(reason, label=f"{name}的回避原因", max_length=200)
        recused = set(recusals) | {pk for pk, v in existing.items() if v.recused}
        for member_id, vote in votes.items():
            name = on_roll_and_present(member_id)
            if member_id in recused:
                raise ReviewRefused(
                    f"{name}是该申请的利害关系人，已登记回避，其表决不予接受",
                    code="recused_member_vote",
                )
            if vote not in Vote.values:
                raise ReviewRefused(f"{name}的表决意见应为同意、不同意或弃权")
        now = clock.now()
        for member_id, reason in recusals.items():
            ReviewVote.objects.update_or_create(
                meeting=meeting,
                case=case,
                member_id=member_id,
                defaults={
                    "vote": "",
                    "recused": True,
                    "recusal_reason": reason.strip(),
                    "recorded_by": actor,
                    "recorded_at": now,
                },
            )
        for member_id, vote in votes.items():
            ReviewVote.objects.update_or_create(
                meeting=meeting,
                case=case,
                member_id=member_id,
                defaults={
                    "vote": vote,
                    "recused": False,
                    "recusal_reason": "",
                    "recorded_by": actor,
                    "recorded_at": now,
                },
            )
        audit_record(
            action="review.votes",
            actor=actor,
            request=http_request,
            object_type=MEETING,
            object_id=meeting.pk,
            details={"case": case.pk, "votes": len(votes), "recused": sorted(recused)},
        )
    return list(ReviewVote.objects.filter(meeting=meeting, case=case).order_by("member_id"))


def _ratio(table: Any, name: str, region: str, on: dt.date) -> tuple[Fraction, dict[str, Any]]:
    value = table.resolve(name, region, on)
    if not isinstance(value.value, Fraction):  # pragma: no cover - the catalogue says ratio
        raise ReviewRefused(f"参数 {name} 的取值不是比例")
    return value.value, value.as_dict()


@_audited_refusal("review.conclude")
def conclude(
    *, actor: Any, meeting_id: int, case_id: int, http_request: Any = None
) -> ReviewConclusion:
    """评议结论: quorum and pass ratio counted exactly; a pass goes on the case's file.

    Returns the conclusion; `passed` False with the reason (人数不足 / 同意票不足)
    leaves the case untouched. Every conclusion is audited.
    """
    _gate(actor)
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _ensure_open(meeting)
        _ensure_held(meeting)
        case = _case_for_review(actor, meeting, case_id)
        lines = selectors.roll(meeting)
        present = {line.member_id: line.member.name for line in lines if line.present}
        votes = selectors.case_votes(meeting, case)
        recused = {pk for pk, v in votes.items() if v.recused and pk in present}
        ballots = {pk: v.vote for pk, v in votes.items() if not v.recused and pk in present}
        missing = [name for pk, name in present.items() if pk not in recused and pk not in ballots]
        if missing:
            raise ReviewRefused(
                f"尚有到会成员未表决或登记回避：{'、'.join(missing)}", code="votes_missing"
            )
        tally = rules.Tally(
            panel_size=len(lines),
            present=len(present),
            recused=len(recused),
            agree=sum(1 for v in ballots.values() if v == Vote.AGREE),
            disagree=sum(1 for v in ballots.values() if v == Vote.DISAGREE),
            abstain=sum(1 for v in ballots.values() if v == Vote.ABSTAIN),
        )
        table = policy_services.parameter_table()
        region = meeting.community.code
        quorum, quorum_used = _ratio(table, QUORUM_PARAMETER, region, meeting.held_on)
        pass_ratio, pass_used = _ratio(table, RATIO_PARAMETER, region, meeting.held_on)
        outcome = rules.decide(tally, quorum=quorum, pass_ratio=pass_ratio)
        try:
            with transaction.atomic():
                conclusion = ReviewConclusion.objects.create(
                    meeting=meeting,
                    case=case,
                    passed=outcome.passed,
                    reason_code=outcome.code,
                    reason=outcome.reason,
                    panel_size=tally.panel_size,
                    present=tally.present,
                    recused=tally.recused,
                    agree=tally.agree,
                    disagree=tally.disagree,
                    abstain=tally.abstain,
                    parameter_versions=[quorum_used, pass_used],
                    concluded_by=actor,
                    concluded_at=clock.now(),
                )
        except IntegrityError:
            raise ReviewRefused(
                "本次会议对该申请已有评议结论，不能再修改", code="already_concluded"
            ) from None
        audit_record(
            action="review.conclude",
            actor=actor,
            request=http_request,
            object_type=MEETING,
            object_id=meeting.pk,
            details={
                "case": case.pk,
                "passed": outcome.passed,
                "outcome": outcome.code,
                "panel_size": tally.panel_size,
                "present": tally.present,
                "recused": tally.recused,
                "agree": tally.agree,
                "disagree": tally.disagree,
                "abstain": tally.abstain,
                "parameters": [quorum_used["version"], pass_used["version"]],
            },
        )
        if outcome.passed:
            casework_services.record_on_file(
                actor=actor, case_id=case.pk, requirement=REQUIREMENT, http_request=http_request
            )
    return conclusion
