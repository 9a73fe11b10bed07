"""Money: the data-exchange amount grammar, half-up rounding to the fen, fen round trips."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.money import (
    AmountError,
    NegativeAmount,
    format_yuan,
    from_fen,
    parse_amount,
    round_fen,
    to_fen,
)

CJK = re.compile(r"[\u4e00-\u9fff]")

# --- parse_amount (data-exchange.md, General rules) --------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", "12.50"),
        ("950", "950.00"),
        ("950.00", "950.00"),
        ("0", "0.00"),
        ("0.0", "0.00"),
        ("0.01", "0.01"),
        ("007", "7.00"),
        (" 35.8 ", "35.80"),  # trimmed
        ("\t1234\n", "1234.00"),
        ("123456789012.99", "123456789012.99"),
    ],
)
def test_plain_amounts(raw: str, expected: str) -> None:
    amount = parse_amount(raw)
    assert amount == Decimal(expected)
    assert str(amount) == expected  # always two places
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", ["-0.00", "-0", "-5", "-0.5", " -12.34 ", "-950.00"])
def test_negative_amounts(raw: str) -> None:
    with pytest.raises(NegativeAmount) as caught:
        parse_amount(raw)
    assert caught.value.code == "negative_amount"


@pytest.mark.parametrize(
    "raw",
    [
        "+5",
        ".5",
        "1,234",
        "¥35",
        "35元",
        "1e3",
        "1E3",
        "1.234",  # three decimals
        "-1.234",  # a minus does not make three decimals negative_amount
        "12.",
        "1_000",  # Python's Decimal would accept this; the standard does not
        "１２",  # full-width digits
        "12.5 0",
        "- 5",
        "--5",
        "5-",
        "-¥5",
        "NaN",
        "Infinity",
        "0x10",
        "abc",
        "",
        "   ",
        None,
    ],
)
def test_non_numeric_amounts(raw: str | None) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(raw)
    assert not isinstance(caught.value, NegativeAmount)
    assert caught.value.code == "non_numeric_amount"


@pytest.mark.parametrize(
    ("raw", "code"), [("abc", "non_numeric_amount"), ("-1", "negative_amount")]
)
def test_amount_errors_are_domain_errors_with_chinese_messages(raw: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_amount(raw)
    assert caught.value.code == code
    assert CJK.search(str(caught.value))


@pytest.mark.parametrize("value", [12.5, 0.1, 950, Decimal("950")])
def test_parse_amount_takes_text_only(value: Any) -> None:
    with pytest.raises(TypeError):
        parse_amount(value)


# --- round_fen: half up, to the fen ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.005"), "0.01"),
        (Decimal("0.015"), "0.02"),
        (Decimal("0.025"), "0.03"),  # half-even would give 0.02
        (Decimal("2.675"), "2.68"),  # the binary float 2.675 would give 2.67
        (Decimal("1.004999"), "1.00"),
        (Decimal("316.666666"), "316.67"),  # 950 / 3
        (Decimal("0.004"), "0.00"),
        (Decimal("-0.005"), "-0.01"),  # half away from zero on both sides
        (Decimal("-2.675"), "-2.68"),
        (Decimal("1E+2"), "100.00"),
        (5, "5.00"),
        ("12.345", "12.35"),
        ("950", "950.00"),
    ],
)
def test_round_fen_is_half_up(value: Decimal | int | str, expected: str) -> None:
    result = round_fen(value)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_thirds_of_the_standard() -> None:
    # 950 yuan shared three ways: each share rounds to 316.67.
    assert round_fen(Decimal(950) / 3) == Decimal("316.67")
    assert round_fen(Decimal(950) * Decimal("1.3")) == Decimal("1235.00")


@pytest.mark.parametrize("value", [0.1, 2.675, 1.0, True])
def test_round_fen_refuses_floats(value: Any) -> None:
    with pytest.raises(TypeError):
        round_fen(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_round_fen_refuses_non_finite(value: Decimal) -> None:
    with pytest.raises(ValueError, match="finite"):
        round_fen(value)


# --- fen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        (Decimal("950.00"), 95000),
        (Decimal("950"), 95000),
        (Decimal("0.01"), 1),
        (Decimal("0"), 0),
        (Decimal("12.345"), 1235),  # rounded half up first
        (Decimal("12.344"), 1234),
        (Decimal("-1.50"), -150),
        (Decimal("10000000000000.01"), 1000000000000001),
    ],
)
def test_to_fen(amount: Decimal, fen: int) -> None:
    assert to_fen(amount) == fen
    assert type(to_fen(amount)) is int


@pytest.mark.parametrize(
    ("fen", "expected"),
    [
        (95000, "950.00"),
        (1, "0.01"),
        (0, "0.00"),
        (10, "0.10"),
        (-150, "-1.50"),
        (1000000000000001, "10000000000000.01"),
    ],
)
def test_from_fen(fen: int, expected: str) -> None:
    assert str(from_fen(fen)) == expected


@pytest.mark.parametrize("fen", [0, 1, 9, 10, 99, 100, 101, 95000, 123456789, -1, -99, 10**15 + 7])
def test_fen_round_trip(fen: int) -> None:
    assert to_fen(from_fen(fen)) == fen


@pytest.mark.parametrize("raw", ["0", "0.01", "0.1", "12.5", "950", "99999999.99"])
def test_text_fen_text_round_trip(raw: str) -> None:
    amount = parse_amount(raw)
    assert from_fen(to_fen(amount)) == amount


@pytest.mark.parametrize("value", [1.0, 0.5, True, "100"])
def test_from_fen_takes_int_only(value: Any) -> None:
    with pytest.raises(TypeError):
        from_fen(value)


def test_to_fen_refuses_floats() -> None:
    with pytest.raises(TypeError):
        to_fen(0.1)  # type: ignore[arg-type]


def test_sums_are_exact() -> None:
    total = sum((parse_amount("0.10") for _ in range(3)), Decimal("0"))
    assert total == Decimal("0.30")
    assert to_fen(total) == 30


# --- format_yuan ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("950"), "950.00"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (Decimal("999.995"), "1,000.00"),
        (Decimal("-1234.5"), "-1,234.50"),
    ],
)
def test_format_yuan(amount: Decimal, expected: str) -> None:
    assert format_yuan(amount) == expected
