"""民主评议 screens, mounted at /reviews/: panel, meetings, roll, votes per case, conclusion.

Only the assistance officer and the community worker of the jurisdiction get
here; anyone else, and any meeting, member, community or case outside the
jurisdiction, gets the same 404 page as a missing record (audited as denied).
Views parse the request, call one service and render (post/redirect/get); the
services' Chinese refusals are shown on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.audit.access import denied
from jiuzhu.audit.services import audit_record
from jiuzhu.casework.models import Case
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, StaleVersion
from jiuzhu.domain.policy.parameters import ParameterError, format_ratio
from jiuzhu.policy import services as policy_services
from jiuzhu.reviews import rules, selectors, services
from jiuzhu.reviews.forms import (
    MeetingEditForm,
    MeetingOpenForm,
    PanelMemberForm,
    recordings_from_text,
    recordings_to_text,
)
from jiuzhu.reviews.models import (
    Attendance,
    MeetingStatus,
    MemberRole,
    ReviewMeeting,
    Vote,
)

View = Callable[..., HttpResponse]
MEETING = services.MEETING


def review_staff(view: View) -> View:
    """Anonymous → the login page; a role that does not organise reviews → 404 (audited)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.may_review(request.user):
            audit_record(
                action="review.view",
                result="denied",
                request=request,
                details={"reason": "no_permission", "path": request.path},
            )
            raise NotFound()
        return view(request, *args, **kwargs)

    return wrapped


def _denied(request: HttpRequest, object_type: str, object_id: object) -> NotFound:
    return denied(request, "review.view", object_type, object_id)


def _meeting(request: HttpRequest, pk: int) -> ReviewMeeting:
    try:
        return selectors.meeting_get(request.user, pk)
    except NotFound:
        raise _denied(request, MEETING, pk) from None


def _case(request: HttpRequest, meeting: ReviewMeeting, raw: str | None) -> Case:
    try:
        case_id = int(raw or "")
    except ValueError:
        raise NotFound() from None
    try:
        return selectors.meeting_case_get(request.user, meeting, case_id)
    except NotFound:
        raise _denied(request, "casework.Case", case_id) from None


def _votes_url(meeting: ReviewMeeting, case: Case) -> str:
    return f"{reverse('reviews:case_votes', args=[meeting.pk])}?case={case.pk}"


@dataclass(frozen=True)
class QuorumHint:
    ratio: str
    needed: int


def _quorum_hint(meeting: ReviewMeeting, panel_size: int) -> QuorumHint | None:
    try:
        value = (
            policy_services.parameter_table()
            .resolve(services.QUORUM_PARAMETER, meeting.community.code, meeting.held_on)
            .value
        )
    except ParameterError:
        return None
    if not isinstance(value, Fraction):
        return None
    return QuorumHint(ratio=format_ratio(value), needed=rules.required(value, panel_size))


# -- meetings -------------------------------------------------------------------------


@review_staff
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = (
        selectors.visible_meetings(request.user)
        .annotate(
            panel_size=Count("attendance", distinct=True),
            present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
            conclusion_count=Count("conclusions", distinct=True),
        )
        .order_by("-held_on", "-id")
    )
    page = Paginator(meetings, 20).get_page(request.GET.get("page"))
    return render(request, "reviews/meeting_list.html", {"page": page})


@review_staff
@require_http_methods(["GET", "POST"])
def meeting_open(request: HttpRequest) -> HttpResponse:
    communities = selectors.visible_communities(request.user)
    if request.method == "POST":
        form = MeetingOpenForm(request.POST, communities=communities)
        if form.is_valid():
            try:
                meeting = services.open_meeting(
                    actor=request.user,
                    community_id=form.cleaned_data["community"].pk,
                    held_on=form.cleaned_data["held_on"],
                    place=form.cleaned_data["place"],
                    chair=form.cleaned_data["chair"],
                    http_request=request,
                )
            except services.ReviewRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "评议会议已登记，请登记到会情况。")
                return redirect("reviews:meeting_attendance", pk=meeting.pk)
    else:
        form = MeetingOpenForm(initial={"held_on": clock.today()}, communities=communities)
    return render(request, "reviews/meeting_form.html", {"form": form, "meeting": None})


@review_staff
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    lines = selectors.roll(meeting)
    present = sum(1 for line in lines if line.present)
    context = {
        "meeting": meeting,
        "lines": lines,
        "present": present,
        "quorum": _quorum_hint(meeting, len(lines)),
        "agenda": selectors.agenda(request.user, meeting),
        "is_open": meeting.status == MeetingStatus.OPEN,
        "held": meeting.held_on <= clock.today(),
    }
    return render(request, "reviews/meeting_detail.html", context)


@review_staff
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if meeting.status != MeetingStatus.OPEN:
        messages.error(request, "该次评议会议已结束，不能再修改。")
        return redirect("reviews:meeting_detail", pk=meeting.pk)
    if request.method == "POST":
        form = MeetingEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_update(
                    actor=request.user,
                    meeting_id=meeting.pk,
                    held_on=data["held_on"],
                    place=data["place"],
                    chair=data["chair"],
                    minutes=data["minutes"],
                    recordings=recordings_from_text(data["recordings"]),
                    expected_version=data["version"],
                    http_request=request,
                )
            except (services.ReviewRefused, StaleVersion) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "会议信息已保存。")
                return redirect("reviews:meeting_detail", pk=meeting.pk)
    else:
        form = MeetingEditForm(
            initial={
                "held_on": meeting.held_on,
                "place": meeting.place,
                "chair": meeting.chair,
                "minutes": meeting.minutes,
                "recordings": recordings_to_text(meeting.recordings),
                "version": meeting.version,
            }
        )
    return render(request, "reviews/meeting_form.html", {"form": form, "meeting": meeting})


@review_staff
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.close_meeting(
            actor=request.user,
            meeting_id=meeting.pk,
            expected_version=version,
            http_request=request,
        )
    except (services.ReviewRefused, StaleVersion) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "评议会议已结束，会议记录和表决结果不再修改。")
    return redirect("reviews:meeting_detail", pk=meeting.pk)


@review_staff
@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if request.method == "POST":
        try:
            present = [int(value) for value in request.POST.getlist("present")]
        except ValueError:
            present = None
        if present is None:
            messages.error(request, "到会名单格式不正确，请重新勾选。")
        else:
            try:
                services.record_attendance(
                    actor=request.user,
                    meeting_id=meeting.pk,
                    present_member_ids=present,
                    http_request=request,
                )
            except services.ReviewRefused as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"到会情况已保存：实到 {len(set(present))} 人。")
                return redirect("reviews:meeting_detail", pk=meeting.pk)
    lines = selectors.roll(meeting)
    context = {
        "meeting": meeting,
        "lines": lines,
        "quorum": _quorum_hint(meeting, len(lines)),
        "editable": meeting.status == MeetingStatus.OPEN,
    }
    return render(request, "reviews/attendance.html", context)


# -- votes on one case ----------------------------------------------------------------


@dataclass(frozen=True)
class VoteRow:
    member_id: int
    name: str
    role: str
    present: bool
    vote: str
    recused: bool
    recusal_reason: str
    locked_recusal: bool  # recused before: the recusal stands, no vote can be entered


def _vote_rows(
    lines: list[Attendance], existing: dict[int, Any], posted: dict[str, Any] | None
) -> list[VoteRow]:
    rows = []
    for line in lines:
        current = existing.get(line.member_id)
        locked = bool(current is not None and current.recused)
        vote = current.vote if current is not None else ""
        recused = locked
        reason = current.recusal_reason if current is not None else ""
        if posted is not None and line.present and not locked:
            vote = str(posted.get(f"vote_{line.member_id}", ""))
            recused = posted.get(f"recuse_{line.member_id}") == "on"
            reason = str(posted.get(f"reason_{line.member_id}", ""))
        rows.append(
            VoteRow(
                member_id=line.member_id,
                name=line.member.name,
                role=line.member.get_role_display(),
                present=line.present,
                vote=vote,
                recused=recused,
                recusal_reason=reason,
                locked_recusal=locked,
            )
        )
    return rows


@review_staff
@require_http_methods(["GET", "POST"])
def case_votes(request: HttpRequest, pk: int) -> HttpResponse:
    """录入表决 for one case (`?case=` on the page, a hidden field when saving)."""
    meeting = _meeting(request, pk)
    raw_case = request.POST.get("case") if request.method == "POST" else request.GET.get("case")
    case = _case(request, meeting, raw_case)
    lines = selectors.roll(meeting)
    posted: dict[str, Any] | None = None
    if request.method == "POST":
        votes: dict[int, str] = {}
        recusals: dict[int, str] = {}
        for line in lines:
            if not line.present:
                continue
            vote = request.POST.get(f"vote_{line.member_id}", "")
            if request.POST.get(f"recuse_{line.member_id}") == "on":
                recusals[line.member_id] = request.POST.get(f"reason_{line.member_id}", "")
            if vote:
                votes[line.member_id] = vote
        try:
            services.record_votes(
                actor=request.user,
                meeting_id=meeting.pk,
                case_id=case.pk,
                votes=votes,
                recusals=recusals,
                http_request=request,
            )
        except services.ReviewRefused as exc:
            messages.error(request, exc.message)
            posted = dict(request.POST.items())
        else:
            messages.success(request, "表决情况已保存。")
            return redirect(_votes_url(meeting, case))
    conclusion = selectors.conclusion_of(meeting, case)
    rows = _vote_rows(lines, selectors.case_votes(meeting, case), posted)
    context = {
        "meeting": meeting,
        "case": case,
        "head": selectors.head_name(case),
        "rows": rows,
        "choices": Vote.choices,
        "conclusion": conclusion,
        "editable": (
            meeting.status == MeetingStatus.OPEN
            and conclusion is None
            and case.state == selectors.REVIEW_STATE
            and meeting.held_on <= clock.today()
        ),
        "present": sum(1 for line in lines if line.present),
        "quorum": _quorum_hint(meeting, len(lines)),
    }
    return render(request, "reviews/votes.html", context)


@review_staff
@require_POST
def case_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    case = _case(request, meeting, request.POST.get("case"))
    try:
        conclusion = services.conclude(
            actor=request.user, meeting_id=meeting.pk, case_id=case.pk, http_request=request
        )
    except services.ReviewRefused as exc:
        messages.error(request, exc.message)
    else:
        if conclusion.passed:
            messages.success(
                request,
                f"{conclusion.reason}。已登记民主评议结果，可在申请中办理“民主评议通过”。",
            )
        else:
            messages.warning(request, f"评议未通过。{conclusion.reason}。申请仍在民主评议环节。")
    return redirect(_votes_url(meeting, case))


# -- the panel ------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSummary:
    community_id: int
    name: str
    active: int
    by_role: list[tuple[str, int]]


@review_staff
@require_GET
def panel_list(request: HttpRequest) -> HttpResponse:
    communities = list(selectors.visible_communities(request.user))
    counts: dict[int, dict[str, int]] = {}
    for community_id, role, n in (
        selectors.visible_members(request.user)
        .filter(active=True)
        .values_list("panel__community_id", "role")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(community_id, {})[role] = n
    summaries = [
        PanelSummary(
            community_id=c.pk,
            name=c.name,
            active=sum(counts.get(c.pk, {}).values()),
            by_role=[
                (label, counts.get(c.pk, {}).get(value, 0)) for value, label in MemberRole.choices
            ],
        )
        for c in communities
    ]
    return render(request, "reviews/panel_list.html", {"panels": summaries})


@review_staff
@require_http_methods(["GET", "POST"])
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One community's panel (pk: the community); add a member."""
    try:
        community = selectors.community_get(request.user, pk)
    except NotFound:
        raise _denied(request, "divisions.Division", pk) from None
    if request.method == "POST":
        form = PanelMemberForm(request.POST)
        if form.is_valid():
            try:
                services.panel_member_add(
                    actor=request.user,
                    community_id=community.pk,
                    name=form.cleaned_data["name"],
                    role=form.cleaned_data["role"],
                    http_request=request,
                )
            except services.ReviewRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "评议小组成员已登记。")
                return redirect("reviews:panel_detail", pk=community.pk)
    else:
        form = PanelMemberForm()
    context = {
        "community": community,
        "members": selectors.panel_members(community),
        "form": form,
    }
    return render(request, "reviews/panel_detail.html", context)


@review_staff
@require_POST
def member_active(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        member = selectors.member_get(request.user, pk)
    except NotFound:
        raise _denied(request, services.MEMBER, pk) from None
    active = request.POST.get("active") == "1"
    services.panel_member_set_active(
        actor=request.user, member_id=member.pk, active=active, http_request=request
    )
    messages.success(request, f"{member.name}已{'恢复为' if active else '不再担任'}评议小组成员。")
    return redirect("reviews:panel_detail", pk=member.panel.community_id)
