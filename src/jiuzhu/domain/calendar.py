"""Working days (工作日) for procedural deadlines.

Statutory holidays and the 调休 make-up working days come from the
`chinesecalendar` package (module `chinese_calendar`), which carries the
State Council's yearly notices; a county may add its own overrides on top
(a day closed for a typhoon, or an extra working day it declares).

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

A date in a year the holiday data does not cover raises `CalendarNotCovered`
(never a silent weekend-only count); only a date the county has explicitly
overridden is answered without the data. Nothing here reads the clock:
every date is an argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import chinese_calendar

from jiuzhu.domain.errors import DomainError

#: Corrections to `chinese_calendar` where it disagrees with the State
#: Council's published notice (date → True for a working day, False for a day
#: off). 2026 was checked day by day against 国务院办公厅关于2026年部分节假日
#: 安排的通知 (元旦 1-01..03, 春节 2-15..23, 清明 4-04..06, 劳动节 5-01..05,
#: 端午 6-19..21, 中秋 9-25..27, 国庆 10-01..07; 调休 working days 1-04, 2-14,
#: 2-28, 5-09, 9-20, 10-10): chinesecalendar 1.11.0 agrees on every day, so
#: the table is empty. Add an entry here, with the notice it comes from, when a
#: published notice and the installed package disagree.
STATUTORY_CORRECTIONS: Mapping[dt.date, bool] = MappingProxyType({})


class CalendarNotCovered(DomainError):
    """The holiday data has no schedule for the year of a date."""

    code = "calendar_not_covered"
    default_message = "工作日历尚未包含该年度的法定节假日安排，无法计算工作日，请更新节假日数据"

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"工作日历尚未包含{year}年的法定节假日安排，无法计算工作日，请更新节假日数据"
        )


def _require_date(day: dt.date) -> None:
    # A datetime is a date subclass; its calendar day depends on its time
    # zone, so the caller must take `.date()` in Asia/Shanghai first.
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError("working-day arithmetic takes datetime.date values, not datetimes")


def _statutory_is_working_day(day: dt.date) -> bool:
    if day in STATUTORY_CORRECTIONS:
        return STATUTORY_CORRECTIONS[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarNotCovered(day.year) from None


class WorkingCalendar:
    """The statutory calendar plus a county's own closed and open days.

    `closed` days are never working days (e.g. a typhoon closure); `open`
    days always are (an extra working day). A date may not be in both.
    """

    __slots__ = ("_closed", "_open")

    def __init__(
        self,
        *,
        closed: Iterable[dt.date] = (),
        open: Iterable[dt.date] = (),
    ) -> None:
        closed_days = frozenset(closed)
        open_days = frozenset(open)
        for day in closed_days | open_days:
            _require_date(day)
        both = closed_days & open_days
        if both:
            raise ValueError(f"dates both closed and open: {sorted(both)}")
        self._closed = closed_days
        self._open = open_days

    @property
    def closed(self) -> frozenset[dt.date]:
        return self._closed

    @property
    def open(self) -> frozenset[dt.date]:
        return self._open

    def is_working_day(self, day: dt.date) -> bool:
        """True when the office works on `day`; raises `CalendarNotCovered`
        for a year without holiday data (unless the day is overridden)."""
        _require_date(day)
        if day in self._closed:
            return False
        if day in self._open:
            return True
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


__all__ = ["STATUTORY_CORRECTIONS", "CalendarNotCovered", "WorkingCalendar"]
