"""Column types of the exchange standard and the checks they make.

A column type is declared once in `specs` and compiled, for one file and
one context (latest plausible birth date, the period, the roster lookups),
into a parser: `parse(cell) -> typed value`, raising `RowRejected` with
exactly one reason code and a Chinese message naming the column. A parser
sees one cell; rules across rows (duplicates, conflicts) live elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from jiuzhu.domain.identity import EARLIEST_BIRTH_DATE, IdNumberError, parse_resident_id
from jiuzhu.domain.money import AmountError, parse_amount
from jiuzhu.exchange.codes import CodeList
from jiuzhu.exchange.reader import NumberCell

Parser = Callable[[str], object]

#: How a file's dates relate to its period: no rule (roster), not after its
#: end (snapshots, deaths), or inside it (income and medical files).
PeriodRule = Literal["none", "end", "quarter"]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DIVISION_CODE = re.compile(r"[0-9]{12}")
_AREA = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?")

#: The registry stores money as DECIMAL(12, 2): at most ten digits before the point.
MAX_AMOUNT = Decimal("9999999999.99")

#: Distinct cell texts remembered per parser for dates, months and amounts:
#: the same values recur across rows, so parsing is skipped and the
#: (immutable) `date`/`Decimal` objects are shared between rows.
_CACHE_SIZE = 4096


class RowRejected(Exception):
    """One row's defect: a reason code of the standard and a Chinese message."""

    __slots__ = ("column", "message", "reason")

    def __init__(self, reason: str, message: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Period:
    """The dates a file may carry: `start` (for `quarter`) and `end` (for `end`, `quarter`)."""

    rule: PeriodRule
    start: dt.date | None
    end: dt.date | None
    label: str  # "2026Q1（2026-01-01 至 2026-03-31）"


@dataclass(frozen=True, slots=True)
class Context:
    """What the parsers of one file need to know besides the cell."""

    latest_birth_date: dt.date
    latest_birth_label: str  # "本期末日 2026-03-31" / "导入日 2026-11-29"
    period: Period
    #: households.region_code: None when the community is known and inside the
    #: importer's jurisdiction, else the Chinese reason.
    region_problem: Callable[[str], str | None] | None = None
    #: members.household_id: the loaded household's key (shared string), or None.
    household_key: Callable[[str], str | None] | None = None


@dataclass(frozen=True, slots=True)
class ColumnType:
    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class IdNumber(ColumnType):
    """GB 11643 resident ID: blank, format, check character, birth date (≥ 1900, ≤ the bound)."""

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        bound = ctx.latest_birth_date
        messages = {
            "blank_id": f"{label}为空",
            "bad_id_format": f"{label}格式错误：应为18位，前17位为数字，最后一位为数字或X",
            "bad_check_digit": f"{label}校验码不正确",
            "bad_birth_date": (
                f"{label}中的出生日期不存在、早于 {EARLIEST_BIRTH_DATE.isoformat()} "
                f"或晚于{ctx.latest_birth_label}"
            ),
        }
        numeric = f"{label}在表格中以数字格式存储（会丢失位数），应设为文本格式"

        def parse(raw: str) -> str:
            if type(raw) is NumberCell:
                raise RowRejected("bad_id_format", numeric, column)
            try:
                return parse_resident_id(raw, latest_birth_date=bound, check_region="none").number
            except IdNumberError as error:
                raise RowRejected(
                    error.code, messages.get(error.code, f"{label}：{error.message}"), column
                ) from None

        return parse


@dataclass(frozen=True, slots=True)
class Text(ColumnType):
    """Free text, trimmed; `required` makes an empty cell `bad_value`."""

    max_length: int
    required: bool = False

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        max_length, required = self.max_length, self.required
        too_long = f"{label}过长（不超过 {max_length} 个字符）"
        empty = f"{label}不能为空"

        def parse(raw: str) -> str:
            text = raw.strip()
            if len(text) > max_length:
                raise RowRejected("bad_value", too_long, column)
            if required and not text:
                raise RowRejected("bad_value", empty, column)
            return text

        return parse


def _period_check(ctx: Context, label: str, column: str) -> Callable[[dt.date, dt.date], None]:
    """Checks a date (or a month's first and last day) against the file's period."""
    period = ctx.period
    start = period.start if period.rule == "quarter" else None
    end = period.end if period.rule in ("end", "quarter") else None
    after = f"{label}晚于本期 {period.label} 的最后一天"
    outside = f"{label}不在本期 {period.label} 内（收入和医疗数据只能包含本季度的月份或日期）"

    def check(first: dt.date, last: dt.date) -> None:
        if end is not None and first > end:
            raise RowRejected("out_of_period", after if start is None else outside, column)
        if start is not None and last < start:
            raise RowRejected("out_of_period", outside, column)

    return check


@dataclass(frozen=True, slots=True)
class Date(ColumnType):
    """`YYYY-MM-DD`; empty is `bad_date` unless `optional` (then None)."""

    optional: bool = False

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        optional = self.optional
        bad = f"{label}应为 YYYY-MM-DD 格式的有效日期"
        empty = f"{label}不能为空"
        check = _period_check(ctx, label, column)
        fullmatch = _DATE.fullmatch
        fromisoformat = dt.date.fromisoformat

        cache: dict[str, dt.date] = {}

        def parse(raw: str) -> dt.date | None:
            day = cache.get(raw)
            if day is not None:
                return day
            text = raw.strip()
            if not text:
                if optional:
                    return None
                raise RowRejected("bad_date", empty, column)
            if fullmatch(text) is None:
                raise RowRejected("bad_date", bad, column)
            try:
                day = fromisoformat(text)
            except ValueError:
                raise RowRejected("bad_date", bad, column) from None
            check(day, day)
            if len(cache) < _CACHE_SIZE:
                cache[raw] = day
            return day

        return parse


@dataclass(frozen=True, slots=True)
class Month(ColumnType):
    """`YYYY-MM`, kept as the first day of the month."""

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        bad = f"{label}应为 YYYY-MM 格式的有效月份"
        check = _period_check(ctx, label, column)
        fullmatch = _MONTH.fullmatch

        cache: dict[str, dt.date] = {}

        def parse(raw: str) -> dt.date:
            cached = cache.get(raw)
            if cached is not None:
                return cached
            match = fullmatch(raw.strip())
            if match is None:
                raise RowRejected("bad_month", bad, column)
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12 or year < 1:
                raise RowRejected("bad_month", bad, column)
            first = dt.date(year, month, 1)
            if month == 12:
                last = dt.date(year, 12, 31)
            else:
                last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
            check(first, last)
            if len(cache) < _CACHE_SIZE:
                cache[raw] = first
            return first

        return parse


@dataclass(frozen=True, slots=True)
class Money(ColumnType):
    """Yuan, `[0-9]+(\\.[0-9]{1,2})?` after trimming.

    A leading '-' before such a number is `negative_amount`; anything else is
    `non_numeric_amount`, and so is an amount above `MAX_AMOUNT`.
    """

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        messages = {
            "non_numeric_amount": (
                f"{label}应为不超过两位小数的数字（如 950 或 950.50），不能有逗号、货币符号或空白"
            ),
            "negative_amount": f"{label}不能为负数",
        }
        too_large = f"{label}过大（不超过 {MAX_AMOUNT:,} 元）"

        cache: dict[str, Decimal] = {}

        def parse(raw: str) -> Decimal:
            amount = cache.get(raw)
            if amount is not None:
                return amount
            try:
                amount = parse_amount(raw)
            except AmountError as error:
                raise RowRejected(
                    error.code, messages.get(error.code, error.message), column
                ) from None
            if amount > MAX_AMOUNT:
                raise RowRejected("non_numeric_amount", too_large, column)
            if len(cache) < _CACHE_SIZE:
                cache[raw] = amount
            return amount

        return parse


@dataclass(frozen=True, slots=True)
class Code(ColumnType):
    """A code of a list: the English word (any case) or its Chinese label; empty is `bad_value`."""

    codes: CodeList

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        lookup = self.codes.lookup
        bad = f"{label}的取值不在代码表内，应为：{self.codes.describe()}"

        def parse(raw: str) -> str:
            word = lookup(raw.strip().lower())
            if word is None:
                raise RowRejected("bad_value", bad, column)
            return word

        return parse


@dataclass(frozen=True, slots=True)
class Area(ColumnType):
    """A non-negative decimal (square metres)."""

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        bad = f"{label}应为非负数字（平方米，如 89.5）"
        fullmatch = _AREA.fullmatch

        def parse(raw: str) -> Decimal:
            text = raw.strip()
            if fullmatch(text) is None:
                raise RowRejected("bad_value", bad, column)
            return Decimal(text)

        return parse


@dataclass(frozen=True, slots=True)
class Flag(ColumnType):
    """`0` or `1`."""

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        bad = f"{label}应为 0 或 1"

        def parse(raw: str) -> bool:
            text = raw.strip()
            if text == "1":
                return True
            if text == "0":
                return False
            raise RowRejected("bad_value", bad, column)

        return parse


@dataclass(frozen=True, slots=True)
class IntRange(ColumnType):
    """An integer between `low` and `high` inclusive, written with digits only."""

    low: int
    high: int

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        low, high = self.low, self.high
        bad = f"{label}应为 {low} 到 {high} 之间的整数"

        def parse(raw: str) -> int:
            text = raw.strip()
            if not (text.isascii() and text.isdigit()) or len(text) > 6:
                raise RowRejected("bad_value", bad, column)
            value = int(text)
            if not low <= value <= high:
                raise RowRejected("bad_value", bad, column)
            return value

        return parse


@dataclass(frozen=True, slots=True)
class DivisionCode(ColumnType):
    """A 12-digit statistical division code; `optional` allows empty (None)."""

    optional: bool = False

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        optional = self.optional
        bad = f"{label}应为12位数字的统计用区划代码"
        fullmatch = _DIVISION_CODE.fullmatch

        def parse(raw: str) -> str | None:
            text = raw.strip()
            if not text and optional:
                return None
            if fullmatch(text) is None:
                raise RowRejected("bad_value", bad, column)
            return text

        return parse


@dataclass(frozen=True, slots=True)
class RegionRef(ColumnType):
    """A household's community: known and inside the jurisdiction, else `unknown_division`."""

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        problem_of = ctx.region_problem
        if problem_of is None:  # pragma: no cover - a programming error
            raise ValueError("RegionRef needs Context.region_problem")

        def parse(raw: str) -> str:
            text = raw.strip()
            problem = problem_of(text)
            if problem is not None:
                raise RowRejected("unknown_division", f"{label}{problem}", column)
            return text

        return parse


@dataclass(frozen=True, slots=True)
class HouseholdRef(ColumnType):
    """A member's household: loaded from households.csv, else `unknown_household`."""

    def compile(self, label: str, column: str, ctx: Context) -> Parser:
        key_of = ctx.household_key
        if key_of is None:  # pragma: no cover - a programming error
            raise ValueError("HouseholdRef needs Context.household_key")
        missing = f"{label}在家庭表中不存在，或该家庭的行已被拒绝"

        def parse(raw: str) -> str:
            key = key_of(raw.strip())
            if key is None:
                raise RowRejected("unknown_household", missing, column)
            return key

        return parse
