"""Small builders for exchange test files.

ID numbers are computed here with the GB 11643 weights, independently of
`jiuzhu.domain.identity`, so the tests do not grade the code with its own
arithmetic.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def make_id(birth: dt.date = dt.date(1980, 5, 17), region: str = "510104", order: int = 123) -> str:
    """A valid 18-character resident ID number (ISO 7064 MOD 11-2 check character)."""
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]


def wrong_check(number: str) -> str:
    """The same number with another check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


def write_text(
    path: Path, lines: list[str], *, encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    """Write physical lines exactly as given (a BOM only when the encoding adds one)."""
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path
