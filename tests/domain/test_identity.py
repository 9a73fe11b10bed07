"""Resident ID numbers (GB 11643-1999), checked against an independent MOD 11-2.

Expected check characters come from `mod11_2` below, written from the
standard (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check value
(12 - sum mod 11) mod 11, 10 written X), not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.identity import (
    BadBirthDate,
    BadCheckCharacter,
    BadIdFormat,
    BadRegion,
    BlankIdNumber,
    IdNumberError,
    ResidentId,
    check_character,
    is_valid_id_number,
    normalise,
    parse_resident_id,
    upgrade_15_to_18,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "0123456789X"
CJK = re.compile(r"[\u4e00-\u9fff]")


def mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character, straight from GB 11643."""
    assert len(first17) == 17
    assert first17.isascii()
    assert first17.isdigit()
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + mod11_2(first17)


# --- the independent helper against published numbers --------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # GB 11643-1999 example
        "440524188001010014",  # GB 11643-1999 example (born 1880)
        "360426199101010071",  # python-stdnum's documented example
    ],
)
def test_helper_reproduces_published_examples(number: str) -> None:
    assert mod11_2(number[:17]) == number[17]


def test_helper_hand_computation() -> None:
    # 1 3 0 5 0 3 1 9 6 7 0 4 0 1 0 0 1 × weights:
    # 7+27+0+25+0+12+2+9+36+21+0+36+0+5+0+0+2 = 182; 182 mod 11 = 6; (12-6) mod 11 = 6
    assert mod11_2("13050319670401001") == "6"


# --- valid numbers ----------------------------------------------------------

# (first 17 characters, birth date, sex). Sequence codes ending in an odd digit
# are men. Those marked X were chosen so the check character is X.
VALID = [
    ("11010119800315005", dt.date(1980, 3, 15), "male"),  # X
    ("11010819751120005", dt.date(1975, 11, 20), "male"),  # X
    ("31010419620708002", dt.date(1962, 7, 8), "female"),  # X
    ("44030519881001003", dt.date(1988, 10, 1), "male"),  # X
    ("51010719550512001", dt.date(1955, 5, 12), "male"),  # X
    ("42010219700101004", dt.date(1970, 1, 1), "female"),  # X
    ("61011320100228007", dt.date(2010, 2, 28), "male"),  # X
    ("46010520160229002", dt.date(2016, 2, 29), "female"),  # X, leap day
    ("51011620010909011", dt.date(2001, 9, 9), "male"),
    ("33010619930606020", dt.date(1993, 6, 6), "female"),
    ("32010219681224131", dt.date(1968, 12, 24), "male"),
    ("50010319450815246", dt.date(1945, 8, 15), "female"),
    ("21010219591001357", dt.date(1959, 10, 1), "male"),
    ("37020219830430468", dt.date(1983, 4, 30), "female"),
    ("35020319991231579", dt.date(1999, 12, 31), "male"),
    ("43010420050505680", dt.date(2005, 5, 5), "female"),
    ("12010119610101791", dt.date(1961, 1, 1), "male"),
    ("41010519771212802", dt.date(1977, 12, 12), "female"),
    ("53010219860704913", dt.date(1986, 7, 4), "male"),
    ("65010219940317024", dt.date(1994, 3, 17), "female"),
    ("54010219720820135", dt.date(1972, 8, 20), "male"),
    ("64010419900115246", dt.date(1990, 1, 15), "female"),
    ("15010219480630357", dt.date(1948, 6, 30), "male"),
    ("23010219571111468", dt.date(1957, 11, 11), "female"),
    ("11010119000101001", dt.date(1900, 1, 1), "male"),  # the earliest accepted birth date
    ("81000020000229002", dt.date(2000, 2, 29), "female"),  # Hong Kong prefix, leap day 2000
]


def test_the_valid_set_is_large_and_has_several_x() -> None:
    assert len(VALID) >= 20
    assert sum(mod11_2(first17) == "X" for first17, _, _ in VALID) >= 8


@pytest.mark.parametrize(("first17", "birth_date", "sex"), VALID)
def test_valid_number_parses(first17: str, birth_date: dt.date, sex: str) -> None:
    number = with_check(first17)
    parsed = parse_resident_id(number)
    assert parsed == ResidentId(number=number, birth_date=birth_date)
    assert parsed.sex == sex
    assert parsed.region_code == first17[:6]
    assert str(parsed) == number
    assert is_valid_id_number(number)


@pytest.mark.parametrize(("first17", "birth_date", "sex"), VALID)
def test_check_character_matches_the_standard(first17: str, birth_date: dt.date, sex: str) -> None:
    assert check_character(first17) == mod11_2(first17)


def test_input_is_trimmed_and_upper_cased() -> None:
    number = "11010519491231002X"
    assert parse_resident_id("  11010519491231002x\t").number == number
    assert normalise(" 11010519491231002x ") == number
    assert normalise(None) == ""


# --- check character ----------------------------------------------------------

BASE17 = "51010719550512001"  # correct check character: X


@pytest.mark.parametrize("char", list(CHECK_CHARS))
def test_every_check_character_but_the_right_one_is_rejected(char: str) -> None:
    number = BASE17 + char
    if char == "X":
        assert parse_resident_id(number).number == number
    else:
        with pytest.raises(BadCheckCharacter) as caught:
            parse_resident_id(number)
        assert caught.value.code == "bad_check_digit"
        assert not is_valid_id_number(number)


def test_a_swapped_pair_of_digits_is_caught() -> None:
    number = with_check("11010119800315123")
    swapped = number[:14] + number[15] + number[14] + number[16:]
    assert swapped != number
    with pytest.raises(BadCheckCharacter):
        parse_resident_id(swapped)


# --- birth date ---------------------------------------------------------------


@pytest.mark.parametrize(
    "birth",
    [
        "19900230",  # 30 February
        "19900231",
        "19900431",  # April has 30 days
        "20230229",  # 2023 is not a leap year
        "19000229",  # 1900 is not a leap year (divisible by 100, not by 400)
        "19901301",  # month 13
        "19900001",  # month 0
        "19900100",  # day 0
        "18991231",  # the day before the 1900-01-01 floor
        "18800101",
    ],
)
def test_impossible_birth_date(birth: str) -> None:
    number = with_check("110101" + birth + "001")
    with pytest.raises(BadBirthDate) as caught:
        parse_resident_id(number)
    assert caught.value.code == "bad_birth_date"
    assert not is_valid_id_number(number)


def test_the_standards_own_1880_example_is_below_the_floor() -> None:
    with pytest.raises(BadBirthDate):
        parse_resident_id("440524188001010014")


def test_latest_birth_date_is_inclusive() -> None:
    number = with_check("11010120260301001")
    assert parse_resident_id(number, latest_birth_date=dt.date(2026, 3, 1)).birth_date == dt.date(
        2026, 3, 1
    )
    with pytest.raises(BadBirthDate):
        parse_resident_id(number, latest_birth_date=dt.date(2026, 2, 28))


# --- blank and format -----------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n", "\u3000"])
def test_blank(raw: str | None) -> None:
    with pytest.raises(BlankIdNumber) as caught:
        parse_resident_id(raw)
    assert caught.value.code == "blank_id"


@pytest.mark.parametrize(
    "raw",
    [
        "1101051949123100",  # 16 characters
        "11010519491231002",  # 17
        "11010519491231002X1",  # 19
        "110105194912310021X",  # 19, X last
        "130503670401001",  # a first-generation 15-digit number must be upgraded first
        "11010519491231002Y",  # check character not 0-9/X
        "1101051949123100X2",  # X not in last place
        "110105 19491231002X",  # inner blank
        "11010519491231002Ｘ",  # full-width X
        "１１０１０５１９４９１２３１００２X",  # full-width digits
        "11010519491231002²",  # a superscript two is a Unicode digit, not an ASCII one
        "11010519491231002X".replace("9", "٩"),  # Arabic-Indic nine
    ],
)
def test_bad_format(raw: str) -> None:
    with pytest.raises(BadIdFormat) as caught:
        parse_resident_id(raw)
    assert caught.value.code == "bad_id_format"
    assert not is_valid_id_number(raw)


def test_defects_are_reported_in_the_standards_order() -> None:
    # Wrong check character and an impossible date: the check character comes first.
    bad_date_first17 = "11010119900230001"
    wrong = "0" if mod11_2(bad_date_first17) != "0" else "1"
    with pytest.raises(BadCheckCharacter):
        parse_resident_id(bad_date_first17 + wrong)
    # An impossible date and an unknown region: the date comes first.
    with pytest.raises(BadBirthDate):
        parse_resident_id(with_check("99010119900230001"))


@pytest.mark.parametrize(
    ("raw", "error", "code"),
    [
        ("", BlankIdNumber, "blank_id"),
        ("123", BadIdFormat, "bad_id_format"),
        ("110105194912310020", BadCheckCharacter, "bad_check_digit"),
        (with_check("11010119900230001"), BadBirthDate, "bad_birth_date"),
        (with_check("99010119900101001"), BadRegion, "bad_region"),
    ],
)
def test_errors_have_stable_codes_and_chinese_messages(
    raw: str, error: type[IdNumberError], code: str
) -> None:
    with pytest.raises(error) as caught:
        parse_resident_id(raw)
    assert caught.value.code == code
    assert isinstance(caught.value, DomainError)
    assert CJK.search(str(caught.value)), str(caught.value)
    assert caught.value.message == str(caught.value)


# --- region -----------------------------------------------------------------------


def test_region_990101_is_rejected_in_province_mode() -> None:
    number = with_check("99010119900101001")
    with pytest.raises(BadRegion):
        parse_resident_id(number)
    with pytest.raises(BadRegion):
        parse_resident_id(number, check_region="county")
    assert parse_resident_id(number, check_region="none").number == number
    # is_valid_id_number checks form, check character and date only.
    assert is_valid_id_number(number)


def test_county_mode_checks_all_six_digits() -> None:
    # 110101 is 北京市东城区; there is no 110188 in Beijing's 1101xx series.
    real = with_check("11010119800315001")
    made_up = with_check("11018819800315001")
    assert parse_resident_id(real, check_region="county").number == real
    assert parse_resident_id(made_up, check_region="province").number == made_up
    with pytest.raises(BadRegion):
        parse_resident_id(made_up, check_region="county")


def test_unknown_region_mode_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="check_region"):
        parse_resident_id(with_check("11010119800315001"), check_region="country")  # type: ignore[arg-type]


# --- 15-digit upgrade ------------------------------------------------------------


def test_upgrade_15_to_18_hand_computed() -> None:
    # 130503 67 0401 001 → 130503 19 670401 001 + check; the check is 6 (see
    # test_helper_hand_computation for the sum).
    assert upgrade_15_to_18("130503670401001") == "130503196704010016"
    parsed = parse_resident_id("130503196704010016")
    assert parsed.birth_date == dt.date(1967, 4, 1)
    assert parsed.sex == "male"


@pytest.mark.parametrize(
    ("old", "first17"),
    [
        ("110105491231002", "11010519491231002"),  # the GB example's first generation: …002X
        ("510107550512002", "51010719550512002"),
        (" 440305881001004 ", "44030519881001004"),
    ],
)
def test_upgrade_inserts_19_and_appends_the_check(old: str, first17: str) -> None:
    upgraded = upgrade_15_to_18(old)
    assert upgraded == with_check(first17)
    assert parse_resident_id(upgraded).number == upgraded


def test_upgrade_gives_the_gb_example() -> None:
    assert upgrade_15_to_18("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("11010549123100", BadIdFormat),  # 14 digits
        ("1101054912310021", BadIdFormat),  # 16 digits
        ("11010519491231002X", BadIdFormat),  # already 18
        ("11010549123100X", BadIdFormat),
        ("", BadIdFormat),
        ("110105490230001", BadBirthDate),  # 1949-02-30
        ("110105000229001", BadBirthDate),  # 1900-02-29
    ],
)
def test_upgrade_rejects(raw: str, error: type[IdNumberError]) -> None:
    with pytest.raises(error) as caught:
        upgrade_15_to_18(raw)
    assert CJK.search(str(caught.value))


# --- sex and age -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sequence", "sex"),
    [("000", "female"), ("001", "male"), ("118", "female"), ("999", "male"), ("990", "female")],
)
def test_sex_is_the_parity_of_the_17th_digit(sequence: str, sex: str) -> None:
    assert parse_resident_id(with_check("11010119800315" + sequence)).sex == sex


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(1990, 6, 15), dt.date(1990, 6, 15), 0),
        (dt.date(1990, 6, 15), dt.date(2020, 6, 14), 29),
        (dt.date(1990, 6, 15), dt.date(2020, 6, 15), 30),
        (dt.date(1990, 6, 15), dt.date(2020, 12, 31), 30),
        (dt.date(1966, 1, 1), dt.date(2025, 12, 31), 59),
        (dt.date(1966, 1, 1), dt.date(2026, 1, 1), 60),
        # Born on 29 February: a year older on 1 March in a common year,
        # on 29 February in a leap year.
        (dt.date(2000, 2, 29), dt.date(2001, 2, 28), 0),
        (dt.date(2000, 2, 29), dt.date(2001, 3, 1), 1),
        (dt.date(2000, 2, 29), dt.date(2004, 2, 28), 3),
        (dt.date(2000, 2, 29), dt.date(2004, 2, 29), 4),
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
    ],
)
def test_age_on_a_date(born: dt.date, on: dt.date, age: int) -> None:
    number = with_check("110101" + born.strftime("%Y%m%d") + "002")
    assert parse_resident_id(number).age_on(on) == age
