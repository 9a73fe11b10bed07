"""Money: `Decimal` yuan with two places, one rounding rule (half up, to the fen).

Amounts cross the system boundary as text (`"950.00"`) or integer fen, never
as binary float.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from jiuzhu.domain.errors import DomainError

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

_PLAIN_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


class AmountError(DomainError):
    code = "non_numeric_amount"
    default_message = "金额格式不正确，应为不超过两位小数的数字（如 950 或 950.50）"


class NegativeAmount(AmountError):
    code = "negative_amount"
    default_message = "金额不能为负数"


def round_fen(value: Decimal | Fraction | int | str) -> Decimal:
    """The platform's one rounding rule: to the fen, half up (四舍五入到分).

    A `Fraction` (the policy engine computes exactly, e.g. 2100 × 1/6 or
    1750 ÷ 3) is rounded once, here, half away from zero.
    """
    if isinstance(value, float | bool):
        raise TypeError("money must not be a float")
    if isinstance(value, Fraction):
        fen = abs(value) * 100
        whole = int(fen + Fraction(1, 2))  # floor of a non-negative number
        return (Decimal(whole if value >= 0 else -whole) / 100).quantize(FEN)
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError("money must be a finite number")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_amount(raw: str | None) -> Decimal:
    """Parse a plain non-negative yuan amount as the exchange standard writes it.

    `[0-9]+(\\.[0-9]{1,2})?` after trimming; a leading '-' before such a
    number is `negative_amount` (-0.00 included); anything else is
    `non_numeric_amount`.
    """
    if raw is not None and not isinstance(raw, str):
        # A spreadsheet's numeric cell (often a float) must be turned into
        # text by the importer first; it is never guessed at here.
        raise TypeError("parse_amount takes the text of an amount")
    text = (raw or "").strip()
    if _PLAIN_AMOUNT.fullmatch(text):
        return round_fen(text)
    if text.startswith("-") and _PLAIN_AMOUNT.fullmatch(text[1:]):
        raise NegativeAmount()
    raise AmountError()


def to_fen(amount: Decimal) -> int:
    """Integer fen, for bank files and integrity checks."""
    return int((round_fen(amount) * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    """Yuan from integer fen (exact)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("fen must be an int")
    return (Decimal(fen) / 100).quantize(FEN)


def format_yuan(amount: Decimal) -> str:
    """'1,234.50' — thousands separators for screens and documents."""
    return f"{round_fen(amount):,.2f}"


__all__ = [
    "FEN",
    "ZERO",
    "AmountError",
    "NegativeAmount",
    "format_yuan",
    "from_fen",
    "parse_amount",
    "round_fen",
    "to_fen",
]
