"""The home visit pages: phone-first sections, attachments checked by content, 404 elsewhere."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework.models import Case
from jiuzhu.registry.models import Income
from jiuzhu.visits import services
from jiuzhu.visits.models import HomeVisit, HomeVisitAttachment, VisitStatus
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY, household_of
from tests.visits.support import NOTES, investigating_case, ready_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday() -> Iterator[None]:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False):
        yield


@pytest.fixture
def case(county: factories.County, cast: factories.Cast) -> Case:
    return investigating_case(cast.officer, household_of(county))


@pytest.fixture
def officer(client: Client, cast: factories.Cast) -> Client:
    client.force_login(cast.officer)
    return client


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(client: Client, visit: HomeVisit, name: str, content: bytes, **extra: str) -> object:
    return client.post(
        reverse("visits:visit_edit", args=[visit.pk]),
        {"step": "attachment", "file": SimpleUploadedFile(name, content), **extra},
        follow=True,
    )


def test_start_fill_and_complete_through_the_pages(
    officer: Client, case: Case, cast: factories.Cast
) -> None:
    new = reverse("visits:visit_new", args=[case.pk])
    page = officer.get(new)
    assert page.status_code == 200
    assert "开始入户调查" in page.content.decode()
    response = officer.post(new)
    visit = HomeVisit.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:visit_edit", args=[visit.pk])
    assert officer.post(new)["Location"] == response["Location"]  # a second click: same draft

    edit = reverse("visits:visit_edit", args=[visit.pk])
    html = officer.get(edit).content.decode()
    for title in ("一、看住房", "二、查财产", "三、问收支", "四、访邻里", "签字确认", "照片和附件"):
        assert title in html
    assert "入户调查须由至少 2 名人员共同进行（现登记 1 名）" in html

    # Visitors: the officer and the community worker of the case's community.
    response = officer.post(
        edit,
        {
            "step": "visitors",
            "visited_on": "2026-09-28",
            "staff": [cast.officer.pk, cast.community_worker.pk],
            "others": "",
        },
    )
    assert response.status_code == 302
    assert visit.visitors.count() == 2

    # A step through htmx: the section comes back, with the completion panel out of band.
    response = officer.post(
        edit, {"step": "housing", "housing-notes": NOTES["housing"]}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="section-housing"' in body
    assert 'hx-swap-oob="true"' in body
    assert "尚未填写「看住房」" not in body
    for step in ("assets", "neighbours"):
        officer.post(edit, {"step": step, f"{step}-notes": NOTES[step]})

    head = case.household.members.order_by("id").first()
    assert head is not None
    income = {
        "step": "income",
        "income-notes": NOTES["income"],
        "inc-TOTAL_FORMS": "2",
        "inc-INITIAL_FORMS": "0",
        "inc-MIN_NUM_FORMS": "0",
        "inc-MAX_NUM_FORMS": "30",
        "inc-0-member": str(head.pk),
        "inc-0-category": "wage",
        "inc-0-monthly_amount": "1200",
        "inc-0-basis": "assessed",
        "inc-0-reason": "",
        "exp-TOTAL_FORMS": "1",
        "exp-INITIAL_FORMS": "0",
        "exp-MIN_NUM_FORMS": "0",
        "exp-MAX_NUM_FORMS": "30",
        "exp-0-kind": "student",
        "exp-0-amount": "3600",
    }
    refused = officer.post(edit, income)
    assert refused.status_code == 400
    assert "入户评估的收入须写明评估理由" in refused.content.decode()
    income["inc-0-reason"] = "灵活就业，无工资凭据"
    assert officer.post(edit, income).status_code == 302
    assert list(visit.incomes.values_list("monthly_amount", "basis")) == [
        (Decimal("1200.00"), "assessed")
    ]
    assert list(visit.expenses.values_list("kind", "amount")) == [("student", Decimal("3600.00"))]

    complete = reverse("visits:visit_complete", args=[visit.pk])
    visit.refresh_from_db()
    response = officer.post(complete, {"version": visit.version}, follow=True)
    assert "尚未由被调查家庭成员签字确认" in response.content.decode()

    signatures = {"step": "signatures", "sig-family_signatory": "王小明", "sig-family_signed": "on"}
    for visitor in visit.visitors.all():
        signatures[f"sig-signed_{visitor.pk}"] = "on"
    officer.post(edit, signatures)
    visit.refresh_from_db()
    stale = officer.post(complete, {"version": visit.version - 1}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    response = officer.post(complete, {"version": visit.version}, follow=True)
    assert "入户调查已完成" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    assert Income.objects.filter(household=case.household, basis="assessed").count() == 7

    detail = officer.get(edit).content.decode()
    assert "灵活就业，无工资凭据" in detail
    assert 'name="step"' not in detail  # read-only once completed


def test_attachments_are_checked_by_content_and_served_only_through_the_gate(
    officer: Client, case: Case, cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:
    visit = services.start_visit(actor=cast.officer, case_id=case.pk)

    response = upload(officer, visit, "住房.jpg", b"<html><script>alert(1)</script></html>")
    assert "仅支持 JPEG、PNG 格式的照片或 PDF 文件" in response.content.decode()
    response = upload(officer, visit, "签字表.pdf", png())
    assert "文件扩展名与文件内容不符" in response.content.decode()
    too_big = b"%PDF-1.7\n" + b"0" * services.MAX_ATTACHMENT_BYTES
    assert "附件不能超过 10 MB" in upload(officer, visit, "大.pdf", too_big).content.decode()
    assert not HomeVisitAttachment.objects.exists()

    response = upload(officer, visit, "../../etc/住房外景.png", png(), caption="住房外景")
    assert "附件已上传" in response.content.decode()
    photo = HomeVisitAttachment.objects.get()
    assert (photo.kind, photo.content_type, photo.caption) == ("photo", "image/png", "住房外景")
    assert photo.original_name == "住房外景.png"
    assert photo.file.name.startswith(f"{visit.pk}/")
    assert photo.file.name.endswith(".png")
    assert ".." not in photo.file.name
    pdf = upload(officer, visit, "scan.PDF", b"%PDF-1.4\n%test\n")
    assert "附件已上传" in pdf.content.decode()

    response = officer.get(reverse("visits:attachment", args=[photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(
        action="visit.attachment.download", object_id=str(photo.pk)
    ).exists()

    other = Client()
    for outsider in (cast.other_community_worker, cast.grid_worker, cast.approver):
        other.force_login(outsider)
        assert other.get(reverse("visits:attachment", args=[photo.pk])).status_code == 404
    other.logout()
    anonymous = other.get(reverse("visits:attachment", args=[photo.pk]))
    assert anonymous.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        officer.post(
            reverse("visits:visit_edit", args=[visit.pk]),
            {"step": "attachment_remove", "attachment": photo.pk},
        )
    assert not HomeVisitAttachment.objects.filter(pk=photo.pk).exists()
    assert not photo.file.storage.exists(photo.file.name)


def test_another_jurisdiction_gets_404_everywhere(
    client: Client, case: Case, cast: factories.Cast
) -> None:
    visit = ready_visit(cast.officer, cast.community_worker, case)
    urls = [
        ("get", reverse("visits:visit_new", args=[case.pk])),
        ("post", reverse("visits:visit_new", args=[case.pk])),
        ("get", reverse("visits:visit_edit", args=[visit.pk])),
        ("post", reverse("visits:visit_edit", args=[visit.pk])),
        ("post", reverse("visits:visit_complete", args=[visit.pk])),
    ]
    for outsider in (cast.other_community_worker, cast.grid_worker, cast.approver, cast.auditor):
        client.force_login(outsider)
        for method, url in urls:
            response = getattr(client, method)(url, {"step": "housing", "housing-notes": "x"})
            assert response.status_code == 404, (outsider.username, method, url)
    assert HomeVisit.objects.get(pk=visit.pk).status == VisitStatus.DRAFT
    assert HomeVisit.objects.get(pk=visit.pk).housing_notes == NOTES["housing"]
    missing = reverse("visits:visit_edit", args=[visit.pk + 1000])
    client.force_login(cast.officer)
    assert client.get(missing).status_code == 404
    assert AuditEvent.objects.filter(action="visit.access", result="denied").exists()


def test_the_page_fits_a_phone(officer: Client, case: Case, cast: factories.Cast) -> None:
    visit = ready_visit(cast.officer, cast.community_worker, case)
    html = officer.get(reverse("visits:visit_edit", args=[visit.pk])).content.decode()
    assert 'name="viewport"' in html
    assert "<script>" not in html  # strict CSP: nothing inline
    assert "style=" not in html
    assert "提交，完成入户调查" in html
