"""The working-day calendar the platform uses, built from the calendar tables.

`working_calendar()` is the one function the rest of the platform calls for
deadlines: the `chinesecalendar` package, then the confirmed year schedules
(`StatutoryYear` + `StatutoryDay`), then the county's overrides
(`WorkingDayOverride`), each winning over the one before (docs/decisions/0007).

No cache on purpose. The tables are small (a few dozen rows a year), so a
build costs three small queries; a cache kept in the process would go stale
in the other processes (the task worker, a second app server) when the
administrator saves a typhoon closure, and would keep rows of a transaction
that was rolled back. A caller that computes many deadlines at once (a list
page, a batch job) calls `working_calendar()` once and reuses the returned
calendar, which is immutable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from jiuzhu.core.models import (
    OverrideKind,
    StatutoryDay,
    StatutoryKind,
    StatutoryYear,
    WorkingDayOverride,
)
from jiuzhu.domain.calendar import InvalidYearSchedule, WorkingCalendar, YearSchedule


def _schedules(sources: dict[int, str]) -> list[YearSchedule]:
    """The schedules of the given years (year → notice), from their `StatutoryDay` rows."""
    days_off: dict[int, set[dt.date]] = defaultdict(set)
    make_up: dict[int, set[dt.date]] = defaultdict(set)
    if sources:
        rows = StatutoryDay.objects.filter(year__in=list(sources)).values_list("day", "kind")
        for day, kind in rows:
            if day.year not in sources:  # `year` out of step with `day` (a raw update)
                continue
            (make_up if kind == StatutoryKind.MAKE_UP else days_off)[day.year].add(day)
    return [
        YearSchedule(
            year=year,
            days_off=frozenset(days_off[year]),
            make_up_days=frozenset(make_up[year]),
            source=source,
        )
        for year, source in sorted(sources.items())
    ]


def working_calendar() -> WorkingCalendar:
    """The calendar for deadlines: package + confirmed years + local overrides.

    A year that is neither in the package nor confirmed raises
    `CalendarNotCovered` when a date in it is asked for; a confirmed year
    whose days do not make a valid schedule raises `InvalidYearSchedule`
    (confirming checks this, so only data written around the admin can).
    """
    confirmed = dict(StatutoryYear.objects.filter(confirmed=True).values_list("year", "source"))
    closed: list[dt.date] = []
    open_days: list[dt.date] = []
    for day, kind in WorkingDayOverride.objects.values_list("day", "kind"):
        (closed if kind == OverrideKind.CLOSED else open_days).append(day)
    return WorkingCalendar(closed=closed, open=open_days, schedules=_schedules(confirmed))


def schedule_problem(year: int, source: str) -> str:
    """Why the rows entered for `year` cannot be confirmed ("" when they can)."""
    try:
        _schedules({year: source})
    except InvalidYearSchedule as exc:
        return exc.message
    return ""


__all__ = ["schedule_problem", "working_calendar"]
