"""Working days, checked against the State Council's published 2026 schedule.

Expectations come from 国务院办公厅关于2026年部分节假日安排的通知, typed in
below by hand, not from the chinesecalendar package the code uses:

  元旦   1月1日–3日放假，1月4日（周日）上班
  春节   2月15日–23日放假共9天，2月14日（周六）、2月28日（周六）上班
  清明节 4月4日–6日放假
  劳动节 5月1日–5日放假，5月9日（周六）上班
  端午节 6月19日–21日放假
  中秋节 9月25日–27日放假
  国庆节 10月1日–7日放假，9月20日（周日）、10月10日（周六）上班
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from jiuzhu.domain.calendar import (
    CalendarNotCovered,
    InvalidYearSchedule,
    WorkingCalendar,
    YearSchedule,
    shift_months,
)
from jiuzhu.domain.errors import DomainError

D = dt.date


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


OFFICIAL_2026_DAYS_OFF = frozenset(
    _span(D(2026, 1, 1), D(2026, 1, 3))
    + _span(D(2026, 2, 15), D(2026, 2, 23))
    + _span(D(2026, 4, 4), D(2026, 4, 6))
    + _span(D(2026, 5, 1), D(2026, 5, 5))
    + _span(D(2026, 6, 19), D(2026, 6, 21))
    + _span(D(2026, 9, 25), D(2026, 9, 27))
    + _span(D(2026, 10, 1), D(2026, 10, 7))
)
OFFICIAL_2026_MAKE_UP_DAYS = frozenset(
    {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)}
)


def official_is_working_day(day: dt.date) -> bool:
    if day in OFFICIAL_2026_MAKE_UP_DAYS:
        return True
    return day.weekday() < 5 and day not in OFFICIAL_2026_DAYS_OFF


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_schedule_as_typed_has_the_published_sizes() -> None:
    # 3 + 9 + 3 + 5 + 3 + 3 + 7 days off; six 调休 working days, all on weekends.
    assert len(OFFICIAL_2026_DAYS_OFF) == 33
    assert all(day.weekday() >= 5 for day in OFFICIAL_2026_MAKE_UP_DAYS)
    assert D(2026, 1, 4).weekday() == 6  # 周日
    assert D(2026, 10, 10).weekday() == 5  # 周六


def test_every_day_of_2026_follows_the_official_schedule(cal: WorkingCalendar) -> None:
    disagreements = [
        day
        for day in _span(D(2026, 1, 1), D(2026, 12, 31))
        if cal.is_working_day(day) != official_is_working_day(day)
    ]
    assert disagreements == []


@pytest.mark.parametrize("day", sorted(OFFICIAL_2026_MAKE_UP_DAYS))
def test_make_up_weekend_days_are_working_days(cal: WorkingCalendar, day: dt.date) -> None:
    assert cal.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 2),
        D(2026, 2, 16),
        D(2026, 2, 23),
        D(2026, 4, 6),
        D(2026, 5, 5),
        D(2026, 6, 19),
        D(2026, 9, 25),
        D(2026, 10, 1),
        D(2026, 10, 7),
    ],
)
def test_weekday_holidays_are_not_working_days(cal: WorkingCalendar, day: dt.date) -> None:
    assert day.weekday() < 5
    assert not cal.is_working_day(day)


def test_ordinary_weekend_is_not_a_working_day(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(D(2026, 10, 11))  # Sunday after the 10-10 调休 Saturday
    assert not cal.is_working_day(D(2026, 3, 7))  # a plain Saturday
    assert cal.is_working_day(D(2026, 3, 9))  # a plain Monday


def test_working_days_in_2026_counted_by_hand(cal: WorkingCalendar) -> None:
    # 2026-01-01 is a Thursday and the year has 365 days: 52 weeks + 1 Thursday,
    # so 52×5 + 1 = 261 weekdays. Days off that fall on weekdays:
    # 元旦 1-1 Thu, 1-2 Fri (2); 春节 2-16..2-20 Mon–Fri, 2-23 Mon (6); 清明 4-6 Mon (1);
    # 劳动节 5-1 Fri, 5-4 Mon, 5-5 Tue (3); 端午 6-19 Fri (1); 中秋 9-25 Fri (1);
    # 国庆 10-1 Thu, 10-2 Fri, 10-5 Mon, 10-6 Tue, 10-7 Wed (5) → 19.
    # Plus 6 调休 days: 261 − 19 + 6 = 248.
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


# --- add_working_days ---------------------------------------------------------------


def test_seven_working_days_after_28_september(cal: WorkingCalendar) -> None:
    # Counting from the day after 9-28 (Mon):
    #   9-29 Tue → 1, 9-30 Wed → 2,
    #   10-1..10-7 国庆 off,
    #   10-8 Thu → 3, 10-9 Fri → 4, 10-10 Sat (调休 working day) → 5,
    #   10-11 Sun off, 10-12 Mon → 6, 10-13 Tue → 7.
    assert cal.add_working_days(D(2026, 9, 28), 7) == D(2026, 10, 13)


def test_one_working_day_after_13_february_is_the_make_up_saturday(cal: WorkingCalendar) -> None:
    # 2-13 is a Friday; 2-14 (Sat) is a 调休 working day.
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    # 2-15..2-23 is 春节, so the second is Tuesday 2-24.
    assert cal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Start not counted, even when it is a working day.
        (D(2026, 3, 9), 1, D(2026, 3, 10)),
        (D(2026, 3, 13), 1, D(2026, 3, 16)),  # Fri → Mon
        (D(2026, 3, 9), 5, D(2026, 3, 16)),
        # 元旦: 1-2 and 1-3 off, 1-4 (Sun) works.
        (D(2026, 1, 1), 1, D(2026, 1, 4)),
        (D(2026, 1, 4), 1, D(2026, 1, 5)),
        # 劳动节: 4-30 Thu; 5-1..5-5 off; 5-6 Wed; 5-9 Sat works.
        (D(2026, 4, 30), 1, D(2026, 5, 6)),
        (D(2026, 4, 30), 4, D(2026, 5, 9)),
        (D(2026, 4, 30), 5, D(2026, 5, 11)),
        # 国庆 make-up Sunday 9-20 counts: 9-18 Fri → 9-20 Sun.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        # 春节 make-up Saturday 2-28: 2-26 Thu → 2-27 Fri, 2-28 Sat, 3-2 Mon.
        (D(2026, 2, 26), 3, D(2026, 3, 2)),
        # A start on a holiday counts from the next day.
        (D(2026, 10, 3), 1, D(2026, 10, 8)),
    ],
)
def test_add_working_days(cal: WorkingCalendar, start: dt.date, n: int, expected: dt.date) -> None:
    assert cal.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 9, 28), D(2026, 9, 28)),  # a working day: itself
        (D(2026, 10, 10), D(2026, 10, 10)),  # a 调休 Saturday: itself
        (D(2026, 10, 1), D(2026, 10, 8)),  # a holiday: the next working day
        (D(2026, 10, 11), D(2026, 10, 12)),  # a Sunday
        (D(2026, 2, 15), D(2026, 2, 24)),
    ],
)
def test_zero_working_days(cal: WorkingCalendar, start: dt.date, expected: dt.date) -> None:
    assert cal.add_working_days(start, 0) == expected


def test_negative_n_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        cal.add_working_days(D(2026, 3, 9), -1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 8)),
        (D(2026, 10, 9), D(2026, 10, 10)),
        (D(2026, 10, 10), D(2026, 10, 12)),
        (D(2026, 2, 13), D(2026, 2, 14)),
        (D(2026, 3, 9), D(2026, 3, 10)),  # strictly after, even from a working day
    ],
)
def test_next_working_day(cal: WorkingCalendar, day: dt.date, expected: dt.date) -> None:
    assert cal.next_working_day(day) == expected


# --- working_days_between -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 9, 28), D(2026, 10, 13), 7),  # the 7 counted above
        (D(2026, 9, 30), D(2026, 10, 8), 1),  # the whole 国庆 break in between
        (D(2026, 9, 30), D(2026, 10, 7), 0),
        # (9-26, 10-11]: 9-27 Sun off; 9-28, 9-29, 9-30; 10-1..7 off; 10-8, 10-9, 10-10; 10-11 off.
        (D(2026, 9, 26), D(2026, 10, 11), 6),
        # (9-18, 9-30]: 9-20 Sun works; 9-21..9-24; 9-25..27 中秋; 9-28..9-30 → 1 + 4 + 3.
        (D(2026, 9, 18), D(2026, 9, 30), 8),
        (D(2026, 3, 9), D(2026, 3, 9), 0),
        (D(2026, 3, 9), D(2026, 3, 10), 1),  # end included, start excluded
        (D(2026, 10, 13), D(2026, 9, 28), -7),  # reversed: negative
    ],
)
def test_working_days_between(
    cal: WorkingCalendar, start: dt.date, end: dt.date, expected: int
) -> None:
    assert cal.working_days_between(start, end) == expected


@pytest.mark.parametrize("start", [D(2026, 9, 20), D(2026, 9, 30), D(2026, 2, 10), D(2026, 1, 1)])
def test_between_undoes_add(cal: WorkingCalendar, start: dt.date) -> None:
    for n in range(1, 25):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


# --- local overrides ---------------------------------------------------------------------


def test_typhoon_closure_moves_a_deadline() -> None:
    typhoon = D(2026, 7, 15)  # a Wednesday
    plain = WorkingCalendar()
    closed = WorkingCalendar(closed=[typhoon])
    assert plain.is_working_day(typhoon)
    assert not closed.is_working_day(typhoon)
    # 3 working days after Tue 7-14: normally 7-15, 7-16, 7-17; with 7-15 closed 7-16, 7-17, 7-20.
    assert plain.add_working_days(D(2026, 7, 14), 3) == D(2026, 7, 17)
    assert closed.add_working_days(D(2026, 7, 14), 3) == D(2026, 7, 20)
    assert closed.working_days_between(D(2026, 7, 13), D(2026, 7, 17)) == 3
    assert closed.next_working_day(D(2026, 7, 14)) == D(2026, 7, 16)


def test_closure_can_cancel_a_make_up_day_and_open_can_add_one() -> None:
    cal = WorkingCalendar(closed=[D(2026, 10, 10)], open=[D(2026, 7, 18), D(2026, 10, 5)])
    assert not cal.is_working_day(D(2026, 10, 10))
    assert cal.is_working_day(D(2026, 7, 18))  # a Saturday declared a working day
    assert cal.is_working_day(D(2026, 10, 5))  # a holiday the county works
    assert cal.add_working_days(D(2026, 7, 17), 1) == D(2026, 7, 18)
    # 国庆 with 10-5 open and 10-10 closed: 9-30 → 10-5 → 10-8 → 10-9 → 10-12.
    assert cal.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)


def test_a_day_both_closed_and_open_is_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(closed=[D(2026, 7, 15)], open=[D(2026, 7, 15)])


def test_overrides_are_exposed_read_only() -> None:
    cal = WorkingCalendar(closed=iter([D(2026, 7, 15)]), open=(D(2026, 7, 18),))
    assert cal.closed == frozenset({D(2026, 7, 15)})
    assert cal.open == frozenset({D(2026, 7, 18)})


# --- coverage ------------------------------------------------------------------------------


def test_crossing_into_an_uncovered_year_raises(cal: WorkingCalendar) -> None:
    # 12-29 Tue, 12-30 Wed, 12-31 Thu are working days; the 4th would be in 2027.
    assert cal.add_working_days(D(2026, 12, 28), 3) == D(2026, 12, 31)
    with pytest.raises(CalendarNotCovered) as caught:
        cal.add_working_days(D(2026, 12, 28), 4)
    error = caught.value
    assert isinstance(error, DomainError)
    assert error.code == "calendar_not_covered"
    assert error.year == 2027
    assert "2027" in str(error)
    assert re.search(r"[\u4e00-\u9fff]", str(error))


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_working_day(D(2027, 1, 4)),
        lambda c: c.is_working_day(D(2027, 1, 2)),  # even a Saturday is not guessed
        lambda c: c.is_working_day(D(2003, 12, 31)),
        lambda c: c.next_working_day(D(2026, 12, 31)),
        lambda c: c.working_days_between(D(2026, 12, 1), D(2027, 1, 5)),
        lambda c: c.working_days_between(D(2027, 1, 5), D(2026, 12, 1)),
        lambda c: c.add_working_days(D(2027, 3, 1), 0),
    ],
)
def test_uncovered_years_are_never_counted_silently(
    cal: WorkingCalendar, call: Callable[[WorkingCalendar], object]
) -> None:
    with pytest.raises(CalendarNotCovered):
        call(cal)


def test_an_explicit_override_answers_for_an_uncovered_year() -> None:
    cal = WorkingCalendar(closed=[D(2027, 1, 4)], open=[D(2027, 1, 2)])
    assert not cal.is_working_day(D(2027, 1, 4))
    assert cal.is_working_day(D(2027, 1, 2))
    with pytest.raises(CalendarNotCovered):
        cal.is_working_day(D(2027, 1, 5))


# --- inputs ------------------------------------------------------------------------------


def test_datetimes_are_refused(cal: WorkingCalendar) -> None:
    moment = dt.datetime(2026, 10, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(TypeError):
        cal.is_working_day(moment)
    with pytest.raises(TypeError):
        cal.add_working_days(moment, 1)
    with pytest.raises(TypeError):
        WorkingCalendar(closed=[moment])


# --- year schedules (a notice typed in as data) ---------------------------------------------

#: TEST FIXTURE, NOT THE REAL 2027 NOTICE (which is not published as of this
#: writing): a small, clearly made-up schedule so the arithmetic can be checked
#: by hand. 2027-01-01 is a Friday.
#:   days off:   1-01 Fri, 1-02 Sat, 1-03 Sun (a fictional 元旦 break)
#:   make-up:    1-09 Sat (a fictional 调休 working Saturday)
TEST_2027 = YearSchedule(
    year=2027,
    days_off=frozenset({D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)}),
    make_up_days=frozenset({D(2027, 1, 9)}),
    source="测试用虚构安排（非国务院办公厅通知）",
)

OFFICIAL_2026 = YearSchedule(
    year=2026,
    days_off=OFFICIAL_2026_DAYS_OFF,
    make_up_days=OFFICIAL_2026_MAKE_UP_DAYS,
    source="国务院办公厅关于2026年部分节假日安排的通知（测试中手工录入）",
)


def test_fixture_dates_are_the_weekdays_the_comments_say() -> None:
    assert D(2027, 1, 1).weekday() == 4  # Friday
    assert D(2027, 1, 9).weekday() == 5  # Saturday
    assert D(2026, 12, 20).weekday() == 6  # Sunday
    assert D(2027, 1, 29).weekday() == 4  # Friday


def test_a_supplied_schedule_makes_an_uncovered_year_computable() -> None:
    cal = WorkingCalendar(schedules=[TEST_2027])
    assert not cal.is_working_day(D(2027, 1, 1))  # a day off on a Friday
    assert not cal.is_working_day(D(2027, 1, 2))  # weekend inside the break
    assert cal.is_working_day(D(2027, 1, 4))  # a plain Monday
    assert cal.is_working_day(D(2027, 1, 9))  # the make-up Saturday
    assert not cal.is_working_day(D(2027, 1, 10))  # a plain Sunday
    assert not cal.is_working_day(D(2027, 1, 16))  # a plain Saturday
    assert cal.next_working_day(D(2026, 12, 31)) == D(2027, 1, 4)
    assert cal.schedules[2027] is TEST_2027


def test_thirty_working_days_from_20_december_need_the_next_years_schedule() -> None:
    # Without 2027 data the count cannot finish: it must refuse, not guess.
    with pytest.raises(CalendarNotCovered) as caught:
        WorkingCalendar().add_working_days(D(2026, 12, 20), 30)
    assert caught.value.year == 2027

    # With the test schedule, counting from the day after Sun 12-20:
    #   12-21..12-25 Mon–Fri → 5, 12-28..12-31 Mon–Thu → 9,
    #   1-01 Fri off, 1-02/1-03 weekend off,
    #   1-04..1-08 → 14, 1-09 Sat (make-up) → 15,
    #   1-11..1-15 → 20, 1-18..1-22 → 25, 1-25..1-29 → 30.
    cal = WorkingCalendar(schedules=[TEST_2027])
    assert cal.add_working_days(D(2026, 12, 20), 30) == D(2027, 1, 29)
    assert cal.working_days_between(D(2026, 12, 20), D(2027, 1, 29)) == 30
    # Without the make-up Saturday the 30th would be Monday 2-01.
    no_make_up = dataclasses.replace(TEST_2027, make_up_days=frozenset())
    assert WorkingCalendar(schedules=[no_make_up]).add_working_days(D(2026, 12, 20), 30) == D(
        2027, 2, 1
    )


def test_a_schedule_covers_its_own_year_only() -> None:
    cal = WorkingCalendar(schedules=[TEST_2027])
    with pytest.raises(CalendarNotCovered) as caught:
        cal.is_working_day(D(2028, 1, 3))
    assert caught.value.year == 2028
    with pytest.raises(CalendarNotCovered):
        cal.add_working_days(D(2027, 12, 30), 5)  # runs into 2028
    with pytest.raises(CalendarNotCovered):
        cal.is_working_day(D(2003, 12, 31))


def test_a_schedule_typed_from_the_2026_notice_agrees_with_the_package_every_day() -> None:
    package = WorkingCalendar()
    typed = WorkingCalendar(schedules=[OFFICIAL_2026])
    days = _span(D(2026, 1, 1), D(2026, 12, 31))
    assert [d for d in days if typed.is_working_day(d) != package.is_working_day(d)] == []
    assert [d for d in days if typed.is_working_day(d) != official_is_working_day(d)] == []
    assert typed.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_a_schedule_takes_precedence_over_the_package_for_its_year() -> None:
    # A (hypothetical) corrected notice that also gives 10-08 off and makes
    # Sat 10-17 a make-up day: the schedule, not the package, decides 2026.
    corrected = dataclasses.replace(
        OFFICIAL_2026,
        days_off=OFFICIAL_2026_DAYS_OFF | {D(2026, 10, 8)},
        make_up_days=OFFICIAL_2026_MAKE_UP_DAYS | {D(2026, 10, 17)},
    )
    cal = WorkingCalendar(schedules=[corrected])
    assert WorkingCalendar().is_working_day(D(2026, 10, 8))
    assert not cal.is_working_day(D(2026, 10, 8))
    assert cal.is_working_day(D(2026, 10, 17))
    # 9-30 → 10-09 (Fri), 10-10 (Sat make-up), 10-12 (Mon).
    assert cal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 12)
    # Other years still come from the package.
    assert cal.is_working_day(D(2025, 10, 9)) == WorkingCalendar().is_working_day(D(2025, 10, 9))


def test_local_overrides_win_over_a_schedule() -> None:
    cal = WorkingCalendar(
        schedules=[TEST_2027],
        closed=[D(2027, 1, 4), D(2027, 1, 9)],  # a typhoon Monday; the make-up Saturday cancelled
        open=[D(2027, 1, 1)],  # the county works its (test) holiday
    )
    assert not cal.is_working_day(D(2027, 1, 4))
    assert not cal.is_working_day(D(2027, 1, 9))
    assert cal.is_working_day(D(2027, 1, 1))
    # 12-31 → 1-01 (open) → 1-05 → 1-06.
    assert cal.add_working_days(D(2026, 12, 31), 3) == D(2027, 1, 6)


def test_a_schedule_accepts_any_iterable_of_dates_and_is_immutable() -> None:
    schedule = YearSchedule(
        year=2027,
        days_off=[D(2027, 1, 1)],  # type: ignore[arg-type]
        make_up_days=iter([D(2027, 1, 9)]),  # type: ignore[arg-type]
        source="测试",
    )
    assert schedule.days_off == frozenset({D(2027, 1, 1)})
    assert schedule.make_up_days == frozenset({D(2027, 1, 9)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.year = 2028  # type: ignore[misc]


def _schedule(**changes: object) -> YearSchedule:
    return dataclasses.replace(TEST_2027, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"days_off": frozenset({D(2027, 1, 1), D(2026, 12, 31)})}, "2026-12-31"),
        ({"make_up_days": frozenset({D(2028, 1, 8)})}, "2028-01-08"),
        ({"make_up_days": frozenset({D(2027, 1, 11)})}, "周六或周日"),  # a Monday
        ({"make_up_days": frozenset({D(2027, 1, 2)})}, "既是放假日又是调休上班日"),
        ({"days_off": frozenset()}, "没有任何放假日期"),
        ({"source": "  "}, "通知"),
    ],
)
def test_an_impossible_schedule_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidYearSchedule, match=message) as caught:
        _schedule(**changes)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "invalid_year_schedule"


def test_schedule_dates_must_be_dates() -> None:
    moment = dt.datetime(2027, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(TypeError):
        _schedule(days_off=frozenset({moment}))
    with pytest.raises(TypeError):
        _schedule(year="2027")


def test_two_schedules_for_one_year_are_refused() -> None:
    with pytest.raises(ValueError, match="2027"):
        WorkingCalendar(schedules=[TEST_2027, _schedule(source="另一份")])


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 6, 15), 6, dt.date(2026, 12, 15)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 6, 15), -12, dt.date(2025, 6, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 1), 12, dt.date(2027, 12, 1)),
    ],
)
def test_shift_months_clamps_to_the_end_of_the_month(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert shift_months(day, months) == expected
