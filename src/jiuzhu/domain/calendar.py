"""Working days (工作日) for procedural deadlines.

Three sources decide whether a day is a working day, the later ones
winning over the earlier ones (docs/decisions/0007):

1. the `chinesecalendar` package (module `chinese_calendar`), which carries
   the State Council's yearly notices up to the release installed;
2. a `YearSchedule` typed in from the State Council's notice (国务院办公厅
   关于某年部分节假日安排的通知) — for a year the package does not cover yet,
   or to correct it: for a year with a schedule, the schedule alone decides;
3. the county's own overrides (a day closed for a typhoon, or an extra
   working day it declares), which win over everything.

Conventions (the same as counting a legal period, 期间开始的当日不计入):

* `add_working_days(start, n)` for n >= 1 is the n-th working day *after*
  `start`; `start` itself is never counted, whether or not it is a working
  day. For n == 0 it is `start` when that is a working day, otherwise the
  next working day (the first day something can be done "on" `start`).
* `working_days_between(start, end)` counts the working days in the
  half-open interval (start, end]: `start` excluded, `end` included. It is
  0 when end == start and negative (minus the count of (end, start]) when
  end is before start, so `working_days_between(s, add_working_days(s, n))
  == n` for every n >= 1.

A date in a year that neither the package nor a supplied schedule covers
raises `CalendarNotCovered` (never a silent weekend-only count); only a date
the county has explicitly overridden is answered without the data. Nothing
here reads the clock: every date is an argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import chinese_calendar

from jiuzhu.domain.errors import DomainError

#: Corrections to `chinese_calendar` where it disagrees with the State
#: Council's published notice (date → True for a working day, False for a day
#: off). 2026 was checked day by day against 国务院办公厅关于2026年部分节假日
#: 安排的通知 (元旦 1-01..03, 春节 2-15..23, 清明 4-04..06, 劳动节 5-01..05,
#: 端午 6-19..21, 中秋 9-25..27, 国庆 10-01..07; 调休 working days 1-04, 2-14,
#: 2-28, 5-09, 9-20, 10-10): chinesecalendar 1.11.0 agrees on every day, so
#: the table is empty. A disagreement found in service is corrected without a
#: release by entering and confirming that year's schedule in the admin (a
#: `YearSchedule`, which decides its year); an entry here, with the notice it
#: comes from, is for a correction that ships with the code.
STATUTORY_CORRECTIONS: Mapping[dt.date, bool] = MappingProxyType({})


class CalendarNotCovered(DomainError):
    """The holiday data has no schedule for the year of a date."""

    code = "calendar_not_covered"
    default_message = (
        "工作日历尚未包含该年度的法定节假日安排，无法计算工作日，"
        "请系统管理员按国务院办公厅通知录入并确认该年度的节假日安排"
    )

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"工作日历尚未包含{year}年的法定节假日安排，无法计算工作日，"
            f"请系统管理员按国务院办公厅通知录入并确认{year}年的节假日安排"
        )


class InvalidYearSchedule(DomainError, ValueError):
    """A year schedule that cannot be the State Council's notice as typed."""

    code = "invalid_year_schedule"
    default_message = "节假日安排数据有误"


def _require_date(day: dt.date) -> None:
    # A datetime is a date subclass; its calendar day depends on its time
    # zone, so the caller must take `.date()` in Asia/Shanghai first.
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError("working-day arithmetic takes datetime.date values, not datetimes")


_WEEKDAY_NAMES = "一二三四五六日"


def _weekday_name(day: dt.date) -> str:
    return f"星期{_WEEKDAY_NAMES[day.weekday()]}"


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's statutory schedule, as published in the State Council's notice.

    `days_off` are the days of the holidays (法定节假日, weekend days inside a
    holiday included or not — a weekend is off either way); `make_up_days`
    are the 调休 weekend days worked instead; `source` names the notice
    (e.g. "国办发明电〔2026〕X号"). For its year the schedule alone decides:
    a day is a working day when it is a make-up day, or a Monday–Friday that
    is not a day off.
    """

    year: int
    days_off: frozenset[dt.date]
    make_up_days: frozenset[dt.date]
    source: str

    def __post_init__(self) -> None:
        # Accept any iterable of dates, store frozensets (the dataclass is frozen).
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "make_up_days", frozenset(self.make_up_days))
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise TypeError("year must be an int")
        if not 1 <= self.year <= 9999:
            raise InvalidYearSchedule(f"年度{self.year}无效")
        for day in self.days_off | self.make_up_days:
            _require_date(day)
        if not isinstance(self.source, str) or not self.source.strip():
            raise InvalidYearSchedule(f"{self.year}年节假日安排须注明依据的通知文号或标题")
        outside = sorted(d for d in self.days_off | self.make_up_days if d.year != self.year)
        if outside:
            raise InvalidYearSchedule(
                f"{self.year}年节假日安排中有不属于该年度的日期："
                + "、".join(d.isoformat() for d in outside)
            )
        if not self.days_off:
            # Every notice has 元旦 at least: an empty list is a half-entered year,
            # and using it would count weekends only — exactly what must not happen.
            raise InvalidYearSchedule(f"{self.year}年节假日安排没有任何放假日期")
        weekdays = sorted(d for d in self.make_up_days if d.weekday() < 5)
        if weekdays:
            raise InvalidYearSchedule(
                f"{self.year}年节假日安排中的调休上班日必须是周六或周日："
                + "、".join(f"{d.isoformat()}（{_weekday_name(d)}）" for d in weekdays)
            )
        both = sorted(self.days_off & self.make_up_days)
        if both:
            raise InvalidYearSchedule(
                f"{self.year}年节假日安排中有日期既是放假日又是调休上班日："
                + "、".join(d.isoformat() for d in both)
            )

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` (in this schedule's year) is a statutory working day."""
        _require_date(day)
        if day.year != self.year:
            raise ValueError(f"{day.isoformat()} is not in {self.year}")
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.days_off


def _statutory_is_working_day(day: dt.date) -> bool:
    if day in STATUTORY_CORRECTIONS:
        return STATUTORY_CORRECTIONS[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarNotCovered(day.year) from None


class WorkingCalendar:
    """The statutory calendar plus a county's own closed and open days.

    `schedules` supply years from the State Council's notices: for a year
    with a schedule, the schedule decides instead of the package. `closed`
    days are never working days (e.g. a typhoon closure); `open` days always
    are (an extra working day). A date may not be in both, and a year may
    have one schedule only.
    """

    __slots__ = ("_closed", "_open", "_schedules")

    def __init__(
        self,
        *,
        closed: Iterable[dt.date] = (),
        open: Iterable[dt.date] = (),
        schedules: Iterable[YearSchedule] = (),
    ) -> None:
        closed_days = frozenset(closed)
        open_days = frozenset(open)
        for day in closed_days | open_days:
            _require_date(day)
        both = closed_days & open_days
        if both:
            raise ValueError(f"dates both closed and open: {sorted(both)}")
        by_year: dict[int, YearSchedule] = {}
        for schedule in schedules:
            if not isinstance(schedule, YearSchedule):
                raise TypeError("schedules must be YearSchedule values")
            if schedule.year in by_year:
                raise ValueError(f"two schedules for {schedule.year}")
            by_year[schedule.year] = schedule
        self._closed = closed_days
        self._open = open_days
        self._schedules: Mapping[int, YearSchedule] = MappingProxyType(by_year)

    @property
    def closed(self) -> frozenset[dt.date]:
        return self._closed

    @property
    def open(self) -> frozenset[dt.date]:
        return self._open

    @property
    def schedules(self) -> Mapping[int, YearSchedule]:
        """The supplied year schedules by year (read-only)."""
        return self._schedules

    def is_working_day(self, day: dt.date) -> bool:
        """True when the office works on `day`; raises `CalendarNotCovered`
        for a year with neither package data nor a supplied schedule
        (unless the day is overridden)."""
        _require_date(day)
        if day in self._closed:
            return False
        if day in self._open:
            return True
        schedule = self._schedules.get(day.year)
        if schedule is not None:
            return schedule.is_working_day(day)
        return _statutory_is_working_day(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        _require_date(day)
        current = day + dt.timedelta(days=1)
        while not self.is_working_day(current):
            current += dt.timedelta(days=1)
        return current

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (n >= 0; see the module notes for n == 0)."""
        _require_date(start)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n must be an int")
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        current = start
        for _ in range(n):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when `end` is before `start`."""
        _require_date(start)
        _require_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start + dt.timedelta(days=1)
        while current <= end:
            if self.is_working_day(current):
                count += 1
            current += dt.timedelta(days=1)
        return count


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (earlier if negative), clamped to the
    month's end (31 Jan + 1 month = 28/29 Feb): review cycles, look-back windows."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


__all__ = [
    "STATUTORY_CORRECTIONS",
    "CalendarNotCovered",
    "InvalidYearSchedule",
    "WorkingCalendar",
    "YearSchedule",
    "shift_months",
]
