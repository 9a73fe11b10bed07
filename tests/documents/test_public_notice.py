"""公示: posted on start_publicity with exactly the fields of domain.md §7, objected,
re-posted and closed with the case; the golden test of the printed notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework import services as casework
from jiuzhu.casework.models import Case
from jiuzhu.casework.signals import case_transitioned
from jiuzhu.core import clock
from jiuzhu.documents import notices
from jiuzhu.documents.models import NoticeStatus, PublicNotice
from jiuzhu.domain.masking import mask_name
from jiuzhu.registry.models import Member
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY, household_of, step
from tests.documents.support import (
    AFTER_PUBLICITY,
    docx_text,
    docx_xml,
    in_publicity,
    looks_like_clear_numbers,
    pdf_text,
    personal_values,
    squeeze,
)

pytestmark = pytest.mark.django_db

#: domain.md §7: what a 公示 shows — and nothing else.
SECTION_7 = {
    "community",
    "head_name",
    "covered_size",
    "programme",
    "amount",
    "period",
    "complaint_phone",
    "issuing_office",
}
COMPLAINT_PHONE = "0280-12345"


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _complaint_phone(settings: Any) -> None:
    settings.JIUZHU_NOTICE_COMPLAINT_PHONE = COMPLAINT_PHONE


def head(household: Any) -> Member:
    return household.members.get(relation="head")


def test_the_notice_holds_exactly_the_fields_of_section_7(
    county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    household = household_of(county)
    case = in_publicity(cast.officer, household)
    notice = PublicNotice.objects.get(case=case)
    assert set(notice.fields) == SECTION_7 == notices.NOTICE_KEYS
    assert notice.fields == {
        "community": "A1社区",
        "head_name": mask_name(head(household).name),
        "covered_size": "2",
        "programme": "最低生活保障",
        "amount": "1900.00元/月",
        "period": "2026年9月28日至2026年10月13日",
        "complaint_phone": COMPLAINT_PHONE,
        "issuing_office": "A街道办事处",
    }
    assert "*" in notice.fields["head_name"]
    assert (notice.posted_on, notice.removal_on) == (dt.date(2026, 9, 28), case.due_on)
    assert (notice.status, notice.round, notice.community_id) == (
        NoticeStatus.POSTED,
        1,
        household.community_id,
    )


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_printed_notice_carries_no_personal_data(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any, fmt: str
) -> None:
    household = household_of(county)
    case = in_publicity(cast.officer, household)
    client.force_login(cast.community_worker)
    response = client.get(reverse("documents:render", args=[case.pk, "publicnotice", fmt]))
    assert response.status_code == 200, response.content.decode(errors="replace")[:500]
    raw = docx_xml(response.content) if fmt == "docx" else pdf_text(response.content)
    text = squeeze(docx_text(response.content) if fmt == "docx" else raw)
    masked_head = mask_name(head(household).name)
    for shown in (masked_head, "A1社区", "最低生活保障", "1900.00元/月", COMPLAINT_PHONE):
        assert shown in text
    assert "2026年9月28日至2026年10月13日" in text
    assert "A街道办事处" in text
    assert case.case_no in text  # the notice's reference number
    for value in personal_values(household):
        assert value not in raw, value
        assert squeeze(value) not in squeeze(raw), value
    assert looks_like_clear_numbers(text) == []
    for word in ("身份证", "住址", "银行", "残疾", "健康", "收入"):
        assert word not in text


def test_an_objection_marks_the_notice_and_a_new_publicity_posts_round_two(
    county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = in_publicity(cast.officer, household_of(county))
    case = step(cast.community_worker, case, "raise_objection", reason="邻居反映家中有经营性收入")
    notice = PublicNotice.objects.get(case=case)
    assert (notice.status, notice.objection) == (NoticeStatus.OBJECTED, "邻居反映家中有经营性收入")
    assert notice.objected_at == clock.now()
    monday.move_to(dt.datetime(2026, 10, 9, 1, tzinfo=dt.UTC))
    case = casework.record_on_file(actor=cast.officer, case_id=case.pk, requirement="home_visit")
    case = step(cast.officer, case, "complete_investigation")
    case = casework.record_on_file(
        actor=cast.officer, case_id=case.pk, requirement="democratic_review_quorum"
    )
    case = step(cast.officer, case, "record_democratic_review")
    case = step(cast.officer, case, "start_publicity")
    second = PublicNotice.objects.get(case=case, round=2)
    assert (second.status, second.posted_on, second.removal_on) == (
        NoticeStatus.POSTED,
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 19),
    )
    assert second.fields["period"] == "2026年10月9日至2026年10月19日"
    assert second.notice_no == f"{case.case_no}-2"
    monday.move_to(dt.datetime(2026, 10, 20, 1, tzinfo=dt.UTC))
    step(cast.officer, case, "close_publicity")
    second.refresh_from_db()
    assert second.status == NoticeStatus.CLOSED
    assert PublicNotice.objects.get(case=case, round=1).status == NoticeStatus.OBJECTED


def test_close_publicity_closes_the_notice(
    county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = in_publicity(cast.officer, household_of(county))
    monday.move_to(AFTER_PUBLICITY)
    step(cast.officer, case, "close_publicity")
    notice = PublicNotice.objects.get(case=case)
    assert notice.status == NoticeStatus.CLOSED
    assert notice.closed_at == clock.now()


def test_a_minor_head_is_not_named(
    county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    household = household_of(county)
    minor = head(household)
    minor.birth_date = dt.date(2010, 1, 1)
    minor.save()
    case = in_publicity(cast.officer, household)
    fields = PublicNotice.objects.get(case=case).fields
    assert fields["head_name"] == notices.MINOR_HEAD
    assert minor.name[0] not in fields["head_name"]


def tekun_case_for_minor(county: factories.County, officer: Any) -> Case:
    """A 特困 case (no workflow file yet) made directly, covering a 12-year-old."""
    household = factories.household(county.communities[0], county.grids[0], members=1)
    child = household.members.get()
    child.birth_date = dt.date(2014, 5, 1)
    child.save()
    return Case.objects.create(
        case_no="JZ2026092899999",
        programme="tekun",
        household=household,
        division_path=household.division_path,
        channel="window",
        state="publicity",
        state_entered_on=clock.today(),
        due_on=dt.date(2026, 10, 13),
        assessment_result={"amount": "1500.00", "covered_members": [f"m{child.pk}"]},
        created_by=officer,
        created_at=clock.now(),
        updated_at=clock.now(),
    )


def test_a_tekun_minor_is_not_publicised_and_the_reason_is_recorded(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = tekun_case_for_minor(county, cast.officer)
    case_transitioned.send(
        sender=Case,
        case=case,
        action="start_publicity",
        from_state="township_review",
        actor=cast.officer,
        http_request=None,
    )
    assert not PublicNotice.objects.filter(case=case).exists()
    withheld = AuditEvent.objects.get(action="publicity.withheld", object_id=str(case.pk))
    assert withheld.details["reason"] == notices.TEKUN_MINOR
    client.force_login(cast.officer)
    response = client.get(reverse("documents:render", args=[case.pk, "publicnotice", "pdf"]))
    assert response.status_code == 409
    assert "不予公示" in response.content.decode()
    # the other documents of the case still print
    ok = client.get(reverse("documents:render", args=[case.pk, "applicationform", "docx"]))
    assert ok.status_code == 200


def test_the_community_board_lists_the_posted_notices(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    households = [h for h in county.households if h.community_id == county.communities[0].pk]
    cases = [in_publicity(cast.officer, household) for household in households[:2]]
    client.force_login(cast.community_worker)
    url = reverse("documents:community_board_pdf", args=[county.communities[0].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = squeeze(pdf_text(response.content))
    for household in households[:2]:
        assert mask_name(head(household).name) in text
        for value in personal_values(household):
            assert squeeze(value) not in text
    assert cases[0].case_no not in text  # the board has 序号, not case numbers
    docx = client.get(reverse("documents:community_board_docx", args=[county.communities[0].pk]))
    assert docx.status_code == 200
    assert mask_name(head(households[0]).name) in docx_text(docx.content)
    other = reverse("documents:community_board_pdf", args=[county.communities[2].pk])
    assert client.get(other).status_code == 404


def test_the_notice_list_shows_masked_names_only(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    household = household_of(county)
    in_publicity(cast.officer, household)
    client.force_login(cast.officer)
    response = client.get(reverse("documents:notice_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert mask_name(head(household).name) in page
    assert head(household).name not in page
    assert response["Cache-Control"] == "no-store"
    filtered = client.get(reverse("documents:notice_list"), {"community": county.communities[1].pk})
    assert 'data-testid="notice-row"' not in filtered.content.decode()
    client.force_login(cast.grid_worker)
    assert client.get(reverse("documents:notice_list")).status_code == 404
