"""The six case documents render in Word and PDF with the case's data; the gate, the
audit, the office's own templates, and a missing PDF font."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from docx import Document

from jiuzhu.audit.models import AuditEvent
from jiuzhu.casework.models import Case
from jiuzhu.documents import contexts
from jiuzhu.documents.layouts import LAYOUTS, Kind
from jiuzhu.documents.templates_docx import default_template
from jiuzhu.domain.masking import MaskLevel, mask_id_number
from tests import factories
from tests.casework.support import MONDAY_BEFORE_NATIONAL_DAY, household_of, open_dibao
from tests.documents.support import (
    REFUSAL_REASON,
    docx_text,
    docx_xml,
    pdf_text,
    refused,
    squeeze,
)

pytestmark = pytest.mark.django_db

KINDS = [kind.value for kind in Kind]
#: Something of the case each document must show, beside the case number.
EXPECTED: dict[str, list[str]] = {
    "applicationform": ["最低生活保障申请书", "A1社区", "告知承诺书：已签署"],
    "homevisit": ["入户调查表", "看住房", "访邻里", "登记入户调查"],
    "reviewminutes": ["民主评议记录", "登记民主评议结果", "三分之二"],
    "publicnotice": ["最低生活保障公示", "1900.00元/月"],
    "approval": ["审核审批表", "1900.00", "提出初审意见并公示", "不予批准", REFUSAL_REASON],
    "refusal": ["不予批准通知书", REFUSAL_REASON, "行政复议", "行政诉讼"],
}


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(MONDAY_BEFORE_NATIONAL_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def refused_case(county: factories.County, cast: factories.Cast, monday: Any) -> Case:
    return refused(cast.officer, cast.approver, household_of(county), monday)


def url(case: Case, kind: str, fmt: str) -> str:
    return reverse("documents:render", args=[case.pk, kind, fmt])


def text_of(content: bytes, fmt: str) -> str:
    return squeeze(pdf_text(content) if fmt == "pdf" else docx_text(content))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_document_renders_with_the_case_data(
    client: Client, cast: factories.Cast, refused_case: Case, kind: str, fmt: str
) -> None:
    client.force_login(cast.officer)
    response = client.get(url(refused_case, kind, fmt))
    assert response.status_code == 200, response.content.decode(errors="replace")[:500]
    assert response["Cache-Control"] == "no-store"
    expected_type = "application/pdf" if fmt == "pdf" else "wordprocessingml"
    assert expected_type in response["Content-Type"]
    assert refused_case.case_no in response["Content-Disposition"]
    text = text_of(response.content, fmt)
    assert refused_case.case_no in text
    for expected in EXPECTED[kind]:
        assert squeeze(expected) in text, (kind, fmt, expected)
    assert "{{" not in text
    assert "{%" not in text
    printed = AuditEvent.objects.get(action="document.print", object_id=str(refused_case.pk))
    assert printed.details == {"kind": kind, "format": fmt}


def test_internal_documents_show_ids_masked_as_on_screen(
    client: Client, cast: factories.Cast, refused_case: Case
) -> None:
    head = refused_case.household.members.get(relation="head")
    client.force_login(cast.officer)
    for fmt in ("docx", "pdf"):
        response = client.get(url(refused_case, "applicationform", fmt))
        raw = docx_xml(response.content) if fmt == "docx" else pdf_text(response.content)
        text = text_of(response.content, fmt)
        assert head.id_number not in raw
        assert head.phone not in raw
        assert mask_id_number(head.id_number, level=MaskLevel.SCREEN) in text
        assert head.name in text  # names are shown in full to the jurisdiction's staff


def test_the_refusal_notice_needs_a_refusal(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    case = open_dibao(cast.officer, household_of(county))
    client.force_login(cast.officer)
    response = client.get(url(case, "refusal", "pdf"))
    assert response.status_code == 409
    assert "未作出不予批准决定" in response.content.decode()
    notice = client.get(url(case, "publicnotice", "docx"))
    assert (notice.status_code, "尚未进入公示环节" in notice.content.decode()) == (409, True)


def test_the_refusal_names_the_review_body_and_the_court(
    client: Client, cast: factories.Cast, refused_case: Case
) -> None:
    client.force_login(cast.community_worker)
    text = text_of(client.get(url(refused_case, "refusal", "pdf")).content, "pdf")
    assert "六十日内向示范县人民政府申请行政复议" in text
    assert "六个月内依法向人民法院提起行政诉讼" in text
    assert "示范县民政局" in text  # refused by the county approver


def test_other_jurisdictions_roles_and_unknown_documents_get_404(
    client: Client, county: factories.County, cast: factories.Cast, refused_case: Case
) -> None:
    nobody = factories.user("norole", "", county.communities[0])
    for user in (cast.other_community_worker, cast.grid_worker, cast.auditor, cast.admin,
                 cast.liaison, cast.no_division, nobody):  # fmt: skip
        client.force_login(user)
        assert client.get(url(refused_case, "approval", "pdf")).status_code == 404, user.username
    client.force_login(cast.approver)
    assert client.get(url(refused_case, "approval", "pdf")).status_code == 200
    assert client.get(url(refused_case, "nosuch", "pdf")).status_code == 404
    assert client.get(url(refused_case, "approval", "odt")).status_code == 404
    assert (
        client.get(reverse("documents:render", args=[999999, "approval", "pdf"])).status_code == 404
    )
    assert client.post(url(refused_case, "approval", "pdf")).status_code == 405
    denied = AuditEvent.objects.filter(action="document.print", result="denied")
    assert denied.count() >= 6
    client.logout()
    anonymous = client.get(url(refused_case, "approval", "pdf"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_office_template_wins_and_a_notice_template_cannot_pull_personal_data(
    client: Client, cast: factories.Cast, refused_case: Case, settings: Any, tmp_path: Any
) -> None:
    settings.JIUZHU_DOCX_TEMPLATE_DIR = str(tmp_path)
    document = Document()
    document.add_paragraph("本街道自定义申请书 {{ case_no }} {{ applicant_name }}")
    document.save(tmp_path / "applicationform-dibao.docx")
    greedy = Document()
    greedy.add_paragraph(
        "公示 {{ case_no }}|{{ applicant_id_number }}|{{ address }}|{{ reference }}"
    )
    greedy.save(tmp_path / "publicnotice.docx")
    client.force_login(cast.officer)
    own = docx_text(client.get(url(refused_case, "applicationform", "docx")).content)
    assert "本街道自定义申请书" in own
    assert refused_case.case_no in own
    notice = docx_text(client.get(url(refused_case, "publicnotice", "docx")).content)
    head = refused_case.household.members.get(relation="head")
    # no case data in the notice's context: only its own reference
    assert notice.strip() == f"公示 |||公示编号：{refused_case.case_no}-1"
    assert refused_case.household.address not in notice
    assert mask_id_number(head.id_number, level=MaskLevel.SCREEN) not in notice
    # the PDF keeps the built-in layout
    pdf = text_of(client.get(url(refused_case, "applicationform", "pdf")).content, "pdf")
    assert "本街道自定义申请书" not in pdf


def test_a_broken_office_template_gives_a_clear_error(
    client: Client, cast: factories.Cast, refused_case: Case, settings: Any, tmp_path: Any
) -> None:
    settings.JIUZHU_DOCX_TEMPLATE_DIR = str(tmp_path)
    broken = Document()
    broken.add_paragraph("{{ case_no ")
    broken.save(tmp_path / "approval.docx")
    (tmp_path / "homevisit.docx").write_bytes(b"not a word file")
    client.force_login(cast.officer)
    for kind in ("approval", "homevisit"):
        response = client.get(url(refused_case, kind, "docx"))
        assert response.status_code == 503
        assert "无法使用" in response.content.decode()


def test_a_missing_pdf_font_gives_a_clear_chinese_error(
    client: Client, cast: factories.Cast, refused_case: Case, settings: Any
) -> None:
    settings.JIUZHU_PDF_FONT = "/nonexistent/no-such-font.ttf"
    client.force_login(cast.officer)
    response = client.get(url(refused_case, "approval", "pdf"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "未找到可用的中文字体" in page
    assert "fonts-wqy-microhei" in page
    assert client.get(url(refused_case, "approval", "docx")).status_code == 200


def test_the_default_templates_use_only_keys_their_context_provides(
    cast: factories.Cast, refused_case: Case
) -> None:
    for kind, layout in LAYOUTS.items():
        context = contexts.build_context(kind, refused_case, cast.officer)
        assert set(layout.keys()) <= set(context), kind
        body = docx_text(default_template(kind))
        assert "{{ title }}" in body


def test_a_section_provider_fills_the_home_visit_form(
    client: Client, cast: factories.Cast, refused_case: Case
) -> None:
    def visits(case: Case, user: Any) -> dict[str, Any]:
        return {
            "visitors": "张三、李四",
            "visit_steps": [{"step": "看住房", "finding": "砖混住房一处"}],
        }

    contexts.register_section("homevisit", visits)
    try:
        client.force_login(cast.officer)
        text = text_of(client.get(url(refused_case, "homevisit", "pdf")).content, "pdf")
    finally:
        contexts.unregister_section("homevisit", visits)
    assert "张三、李四" in text
    assert "砖混住房一处" in text
    with pytest.raises(ValueError, match="公示"):
        contexts.register_section("publicnotice", visits)


def test_the_export_command_writes_editable_templates(tmp_path: Any) -> None:
    from django.core.management import call_command

    call_command("document_templates", "--to", str(tmp_path), stdout=io.StringIO())
    for kind in Kind:
        assert (tmp_path / f"{kind.value}.docx").is_file()
    assert "case_no" in (tmp_path / "字段说明.txt").read_text(encoding="utf-8")


def test_values_cannot_inject_word_markup(
    client: Client, county: factories.County, cast: factories.Cast, monday: Any
) -> None:
    reason = '收入<w:t>注入</w:t> & "{{ 7*7 }}" 未申报'
    case = refused(cast.officer, cast.approver, household_of(county), monday, reason=reason)
    client.force_login(cast.officer)
    response = client.get(url(case, "refusal", "docx"))
    assert response.status_code == 200
    body = Document(io.BytesIO(response.content))  # still a well-formed package
    text = "".join(paragraph.text for paragraph in body.paragraphs)
    assert reason in text
    assert "49" not in text
