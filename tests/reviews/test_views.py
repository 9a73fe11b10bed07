"""The 民主评议 screens: the whole meeting from a phone, and 404 outside the jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework import services as casework
from jiuzhu.core.permissions import Role
from jiuzhu.registry.models import Household
from jiuzhu.reviews.models import ReviewMeeting, ReviewVote
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY, open_dibao, step
from tests.reviews.support import case_in_review, make_panel, open_with_roll

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def a1(county: factories.County) -> Any:
    return county.communities[0]


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_meeting_from_opening_to_the_case_moving_on(
    county: factories.County, cast: factories.Cast, a1: Any, monday: Any
) -> None:
    client = client_of(cast.community_worker)
    panel_url = reverse("reviews:panel_detail", args=[a1.pk])
    for name, role in [
        ("张建国", "two_committees"),
        ("李秀英", "party_rep"),
        ("王志强", "resident_rep"),
    ]:
        response = client.post(panel_url, {"name": name, "role": role})
        assert response.status_code == 302
    assert "王志强" in client.get(panel_url).content.decode()
    case = case_in_review(cast.officer, county)

    response = client.post(
        reverse("reviews:meeting_open"),
        {
            "community": a1.pk,
            "held_on": "2026-09-28",
            "place": "A1社区党群服务中心",
            "chair": "张建国",
        },
    )
    assert response.status_code == 302
    meeting = ReviewMeeting.objects.get()
    assert response["Location"] == reverse("reviews:meeting_attendance", args=[meeting.pk])
    members = [line.member for line in meeting.attendance.order_by("member_id")]
    response = client.post(
        reverse("reviews:meeting_attendance", args=[meeting.pk]),
        {"present": [m.pk for m in members]},
    )
    assert response.status_code == 302

    detail = client.get(reverse("reviews:meeting_detail", args=[meeting.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200
    assert case.case_no in page
    assert "应到 3 人，实到 3 人" in page
    assert "须至少 2 人到会" in page

    votes_url = reverse("reviews:case_votes", args=[meeting.pk])
    assert client.get(votes_url, {"case": case.pk}).status_code == 200
    # A relative recused and voting at once: refused, shown on the page, nothing saved.
    refused = client.post(
        votes_url,
        {
            "case": case.pk,
            f"vote_{members[0].pk}": "agree",
            f"recuse_{members[2].pk}": "on",
            f"reason_{members[2].pk}": "申请人之兄",
            f"vote_{members[2].pk}": "agree",
        },
    )
    assert refused.status_code == 200
    assert "利害关系人" in refused.content.decode()
    assert not ReviewVote.objects.exists()
    saved = client.post(
        votes_url,
        {
            "case": case.pk,
            f"vote_{members[0].pk}": "agree",
            f"vote_{members[1].pk}": "agree",
            f"recuse_{members[2].pk}": "on",
            f"reason_{members[2].pk}": "申请人之兄",
        },
    )
    assert saved.status_code == 302
    assert "已回避：申请人之兄" in client.get(votes_url, {"case": case.pk}).content.decode()

    concluded = client.post(
        reverse("reviews:case_conclude", args=[meeting.pk]), {"case": case.pk}, follow=True
    )
    text = concluded.content.decode()
    assert "评议通过" in text
    assert "回避 1 人不计" in text
    case = step(cast.officer, case, "record_democratic_review")
    assert case.state == "township_review"

    edit_url = reverse("reviews:meeting_edit", args=[meeting.pk])
    form = client.get(edit_url)
    assert form.status_code == 200
    response = client.post(
        edit_url,
        {
            "held_on": "2026-09-28",
            "place": "A1社区党群服务中心",
            "chair": "张建国",
            "minutes": "评议 1 件，通过 1 件。",
            "recordings": "评议录像/20260928-A1.mp4 | " + "ab" * 32,
            "version": form.context["form"].initial["version"],
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.recordings == [{"file": "评议录像/20260928-A1.mp4", "hash": "ab" * 32}]
    closed = client.post(
        reverse("reviews:meeting_close", args=[meeting.pk]),
        {"version": meeting.version},
        follow=True,
    )
    assert "评议会议已结束" in closed.content.decode()
    assert "<script>" not in closed.content.decode().split("</head>", 1)[1]  # no inline script
    assert client.get(reverse("reviews:meeting_list")).status_code == 200


def test_a_stale_edit_is_refused(cast: factories.Cast, a1: Any, monday: Any) -> None:
    panel = make_panel(cast.officer, a1, size=3)
    meeting = open_with_roll(cast.officer, a1, panel, present=3)
    client = client_of(cast.officer)
    response = client.post(
        reverse("reviews:meeting_edit", args=[meeting.pk]),
        {"held_on": "2026-09-28", "place": "会议室", "version": 1},
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()


@pytest.fixture
def scene(county: factories.County, cast: factories.Cast, a1: Any, monday: Any) -> dict[str, Any]:
    panel = make_panel(cast.officer, a1, size=3)
    case = case_in_review(cast.officer, county)
    meeting = open_with_roll(cast.officer, a1, panel, present=3)
    return {"panel": panel, "case": case, "meeting": meeting}


def urls(scene: dict[str, Any], a1: Any) -> list[tuple[str, str, dict[str, Any]]]:
    meeting, case = scene["meeting"].pk, scene["case"].pk
    return [
        ("get", reverse("reviews:meeting_detail", args=[meeting]), {}),
        ("get", reverse("reviews:meeting_edit", args=[meeting]), {}),
        ("get", reverse("reviews:meeting_attendance", args=[meeting]), {}),
        ("post", reverse("reviews:meeting_attendance", args=[meeting]), {"present": []}),
        ("get", reverse("reviews:case_votes", args=[meeting]), {"case": case}),
        ("post", reverse("reviews:case_votes", args=[meeting]), {"case": case}),
        ("post", reverse("reviews:case_conclude", args=[meeting]), {"case": case}),
        ("post", reverse("reviews:meeting_close", args=[meeting]), {}),
        ("get", reverse("reviews:panel_detail", args=[a1.pk]), {}),
        ("post", reverse("reviews:member_active", args=[scene["panel"][0].pk]), {"active": "0"}),
    ]


def test_another_jurisdiction_gets_404(
    county: factories.County, cast: factories.Cast, a1: Any, scene: dict[str, Any]
) -> None:
    neighbour = factories.user("community_a2", Role.COMMUNITY_WORKER, county.communities[1])
    for user in (cast.other_community_worker, neighbour):
        client = client_of(user)
        for method, url, data in urls(scene, a1):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (user.username, url)
        assert client.get(reverse("reviews:meeting_list")).status_code == 200
        assert (
            scene["case"].case_no
            not in client.get(reverse("reviews:meeting_list")).content.decode()
        )
    assert ReviewVote.objects.count() == 0
    assert AuditEvent.objects.filter(action="review.view", result="denied").exists()


def test_other_roles_get_404_and_staff_of_the_jurisdiction_get_the_page(
    cast: factories.Cast, a1: Any, scene: dict[str, Any]
) -> None:
    for user in (cast.grid_worker, cast.approver, cast.liaison, cast.auditor, cast.admin):
        client = client_of(user)
        for method, url, data in urls(scene, a1)[:1]:
            assert getattr(client, method)(url, data).status_code == 404, user.username
        assert client.get(reverse("reviews:meeting_list")).status_code == 404
        assert client.get(reverse("reviews:panel_list")).status_code == 404
    for user in (cast.officer, cast.community_worker):
        client = client_of(user)
        assert client.get(urls(scene, a1)[0][1]).status_code == 200
        assert client.get(reverse("reviews:panel_list")).status_code == 200
    anonymous = Client().get(urls(scene, a1)[0][1])
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_a_case_of_another_community_is_not_on_this_meetings_page(
    county: factories.County, cast: factories.Cast, a1: Any, scene: dict[str, Any]
) -> None:
    a2_household = Household.objects.filter(community=county.communities[1]).first()
    other = open_dibao(cast.officer, a2_household)
    other = step(cast.officer, other, "start_investigation")
    client = client_of(cast.officer)
    url = reverse("reviews:case_votes", args=[scene["meeting"].pk])
    assert client.get(url, {"case": other.pk}).status_code == 404
    assert client.get(url, {"case": "x"}).status_code == 404
    assert client.get(url).status_code == 404
    assert casework.case_get(cast.officer, other.pk)  # visible to the officer, just not here
