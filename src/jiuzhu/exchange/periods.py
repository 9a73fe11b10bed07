"""Quarters (`YYYYQn`): the period an extract is imported for."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from jiuzhu.exchange.errors import BadPeriod

_QUARTER = re.compile(r"([0-9]{4})Q([1-4])")


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """'2026Q1' → Quarter(2026, 1); a lower-case 'q' and surrounding blanks are accepted."""
        match = _QUARTER.fullmatch(text.strip().upper())
        if match is None or int(match.group(1)) < 1900:
            raise BadPeriod(f"期间“{text}”格式不正确，应为“年份Q季度”，如 2026Q1")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> dt.date:
        """First day of the quarter."""
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def as_quarter(value: Quarter | str) -> Quarter:
    return value if isinstance(value, Quarter) else Quarter.parse(value)
