"""Helpers of the document tests: cases walked through the real services, and the text
of rendered files (PDF through pypdf, Word as the XML of every part)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from pypdf import PdfReader

from jiuzhu.casework.models import Case
from jiuzhu.domain.masking import MaskLevel, mask_bank_account, mask_id_number, mask_phone
from tests.casework.support import open_dibao, step, to_publicity

#: The day after the 7th working day of a 公示 posted on MONDAY_BEFORE_NATIONAL_DAY.
AFTER_PUBLICITY = dt.datetime(2026, 10, 14, 1, tzinfo=dt.UTC)
REFUSAL_REASON = "经入户核查，家庭有经营性收入未如实申报"
_ID = re.compile(r"\d{17}[\dX]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CARD = re.compile(r"\d{16,19}")


def in_publicity(officer: Any, household: Any) -> Case:
    return to_publicity(officer, open_dibao(officer, household))


def refused(
    officer: Any, approver: Any, household: Any, traveller: Any, reason: str = REFUSAL_REASON
) -> Case:
    case = in_publicity(officer, household)
    traveller.move_to(AFTER_PUBLICITY)
    case = step(officer, case, "close_publicity")
    return step(approver, case, "refuse", reason=reason)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    meta = reader.metadata or {}
    return text + "".join(str(value) for value in meta.values())


def docx_xml(content: bytes) -> str:
    """Every XML part of the package (body, headers, footers, properties)."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return "".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith((".xml", ".rels"))
        )


def docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        body = package.read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", body)


def squeeze(text: str) -> str:
    """Without white space: PDF text extraction breaks lines wherever the layout did."""
    return re.sub(r"\s+", "", text)


def personal_values(household: Any) -> list[str]:
    """What a 公示 must never carry, clear or masked (beside the allowed masked head name)."""
    values = [household.address, household.bank_account, mask_bank_account(household.bank_account)]
    for member in household.members.all():
        values += [
            member.id_number,
            mask_id_number(member.id_number, level=MaskLevel.SCREEN),
            mask_id_number(member.id_number, level=MaskLevel.PUBLIC),
            member.phone,
            mask_phone(member.phone),
            member.name,
        ]
    return [value for value in values if value]


def looks_like_clear_numbers(text: str) -> list[str]:
    found = _ID.findall(text) + _MOBILE.findall(text) + _CARD.findall(text)
    return sorted(set(found))
