"""Resident identity numbers (公民身份号码, GB 11643-1999).

Validation leans on python-stdnum's `stdnum.cn.ric` (check character with
ISO 7064 MOD 11-2, birth date, birth-place table); this module adds what the
platform needs on top: one typed error per defect in the order the data
exchange standard ranks them, the 1900-01-01 floor and an upper bound for the
birth date, derived facts (birth date, sex, age at a date) and the upgrade of
15-digit numbers issued before 1999.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from jiuzhu.domain.errors import DomainError

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)

# ASCII digits only: str.isdigit() also accepts full-width and other Unicode
# digits (and "²"), which are not a valid ID number's characters.
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
_REGION_MODES = ("none", "province", "county")

#: The first two digits of a region code: provinces, autonomous regions,
#: municipalities, Hong Kong/Macao/Taiwan (GB/T 2260).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip


class IdNumberError(DomainError):
    """A resident ID number that is not valid; `code` names the defect."""

    code = "bad_id_format"
    default_message = "身份证号码格式不正确"


class BlankIdNumber(IdNumberError):
    code = "blank_id"
    default_message = "身份证号码为空"


class BadIdFormat(IdNumberError):
    code = "bad_id_format"
    default_message = "身份证号码应为18位：17位数字加1位校验码（0-9或X）"


class BadCheckCharacter(IdNumberError):
    code = "bad_check_digit"
    default_message = "身份证号码校验码不正确，请核对后重新输入"


class BadBirthDate(IdNumberError):
    code = "bad_birth_date"
    default_message = "身份证号码中的出生日期不存在或不合理"


class BadRegion(IdNumberError):
    code = "bad_region"
    default_message = "身份证号码中的地区代码不存在"


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A validated 18-character resident ID number in its normalised form."""

    number: str
    birth_date: dt.date

    @property
    def region_code(self) -> str:
        return self.number[:6]

    @property
    def sex(self) -> str:
        """'male' or 'female', from the parity of the 17th digit (顺序码)."""
        return "male" if int(self.number[16]) % 2 == 1 else "female"

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)

    def __str__(self) -> str:
        return self.number


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years of age on `day` (a person born on 29 Feb turns a year older on 1 Mar)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def normalise(raw: str | None) -> str:
    """Trim and upper-case: the form that is stored, indexed and matched."""
    return (raw or "").strip().upper()


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits."""
    return ric.calc_check_digit(first17 + "0")


def parse_resident_id(
    raw: str | None,
    *,
    latest_birth_date: dt.date | None = None,
    check_region: Literal["none", "province", "county"] = "province",
) -> ResidentId:
    """Validate an 18-character ID number, raising the first defect found.

    Defects are checked in the order of the data exchange standard: blank,
    format, check character, birth date; then the region prefix.
    `latest_birth_date` is the last plausible birth date (e.g. the last day of
    a file's period, or today); `check_region` is "none", "province" (the two
    leading digits) or "county" (the full six digits against the GB/T 2260
    table shipped with python-stdnum, valid in the birth year).
    """
    if check_region not in _REGION_MODES:
        raise ValueError(f"check_region must be one of {_REGION_MODES}, not {check_region!r}")
    number = normalise(raw)
    if not number:
        raise BlankIdNumber()
    if not _ID18.fullmatch(number):
        raise BadIdFormat()
    if number[17] != check_character(number[:17]):
        raise BadCheckCharacter()
    try:
        birth_date = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise BadBirthDate() from None
    too_late = latest_birth_date is not None and birth_date > latest_birth_date
    if birth_date < EARLIEST_BIRTH_DATE or too_late:
        raise BadBirthDate()
    if check_region != "none" and number[:2] not in PROVINCE_CODES:
        raise BadRegion()
    if check_region == "county":
        try:
            ric.get_birth_place(number)
        except (stdnum_errors.ValidationError, KeyError):
            # python-stdnum raises KeyError (not a ValidationError) when the
            # prefix names a province or city but no county, e.g. 110188.
            raise BadRegion() from None
    return ResidentId(number=number, birth_date=birth_date)


def upgrade_15_to_18(raw: str) -> str:
    """Upgrade a first-generation 15-digit number: insert '19' before the
    two-digit birth year and append the check character."""
    number = normalise(raw)
    if not _ID15.fullmatch(number):
        raise BadIdFormat("15位身份证号码应为15位数字")
    first17 = number[:6] + "19" + number[6:]
    upgraded = first17 + check_character(first17)
    try:
        ric.get_birth_date(upgraded)
    except stdnum_errors.ValidationError:
        raise BadBirthDate() from None
    return upgraded


def is_valid_id_number(raw: str | None) -> bool:
    """True for a well-formed 18-character number with a valid check character and birth date."""
    try:
        parse_resident_id(raw, check_region="none")
    except IdNumberError:
        return False
    return True
