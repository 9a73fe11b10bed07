"""`working_calendar()`: the package, confirmed year schedules and the county's overrides.

Expected dates are counted by hand in the comments (the 2026 ones against the
State Council's 2026 notice, see tests/domain/test_calendar.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from pytest_django import DjangoAssertNumQueries

from jiuzhu.core.models import (
    OverrideKind,
    StatutoryDay,
    StatutoryKind,
    StatutoryYear,
    WorkingDayOverride,
)
from jiuzhu.core.workdays import working_calendar
from jiuzhu.domain.calendar import CalendarNotCovered, InvalidYearSchedule
from tests.core.support import TEST_SOURCE_2027, enter_test_2027

pytestmark = pytest.mark.django_db

D = dt.date
TYPHOON = "台风红色预警停止办公"


def close(day: dt.date, reason: str = TYPHOON) -> WorkingDayOverride:
    return WorkingDayOverride.objects.create(day=day, kind=OverrideKind.CLOSED, reason=reason)


# --- the county's override table --------------------------------------------------------


def test_empty_tables_give_the_package_calendar() -> None:
    # 9-29 Tue, 9-30 Wed; 10-1..10-7 国庆; 10-8 Thu, 10-9 Fri, 10-10 Sat (调休), 10-12 Mon, 10-13 Tue.
    assert working_calendar().add_working_days(D(2026, 9, 28), 7) == D(2026, 10, 13)


def test_a_typhoon_closure_moves_a_deadline_by_one_day() -> None:
    close(D(2026, 10, 8))
    # 9-29 → 1, 9-30 → 2, 10-8 closed, 10-9 → 3, 10-10 → 4, 10-12 → 5, 10-13 → 6, 10-14 → 7.
    cal = working_calendar()
    assert not cal.is_working_day(D(2026, 10, 8))
    assert cal.add_working_days(D(2026, 9, 28), 7) == D(2026, 10, 14)


def test_an_open_day_makes_a_weekend_a_working_day() -> None:
    WorkingDayOverride.objects.create(
        day=D(2026, 7, 18), kind=OverrideKind.OPEN, reason="防汛抢险集中办公"
    )
    # Fri 7-17 → Sat 7-18 (declared a working day).
    assert working_calendar().add_working_days(D(2026, 7, 17), 1) == D(2026, 7, 18)


def test_an_override_needs_a_reason_and_a_known_kind() -> None:
    with pytest.raises(ValidationError) as caught:
        WorkingDayOverride(day=D(2026, 7, 15), kind=OverrideKind.CLOSED, reason="").full_clean()
    assert "reason" in caught.value.message_dict
    # The database refuses them too, whatever writes the row.
    with transaction.atomic(), pytest.raises(IntegrityError):
        WorkingDayOverride.objects.create(day=D(2026, 7, 15), kind=OverrideKind.CLOSED, reason="")
    with transaction.atomic(), pytest.raises(IntegrityError):
        WorkingDayOverride.objects.create(day=D(2026, 7, 16), kind="holiday", reason=TYPHOON)


def test_one_override_per_day() -> None:
    close(D(2026, 7, 15))
    with transaction.atomic(), pytest.raises(IntegrityError):
        WorkingDayOverride.objects.create(day=D(2026, 7, 15), kind=OverrideKind.OPEN, reason="补班")


# --- confirmed years -------------------------------------------------------------------


def test_2027_is_not_covered_without_data() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        working_calendar().add_working_days(D(2026, 12, 20), 30)
    assert caught.value.year == 2027


def test_an_unconfirmed_year_is_not_used() -> None:
    enter_test_2027(confirmed=False)
    with pytest.raises(CalendarNotCovered) as caught:
        working_calendar().add_working_days(D(2026, 12, 20), 30)
    assert caught.value.year == 2027
    with pytest.raises(CalendarNotCovered):
        working_calendar().is_working_day(D(2027, 1, 1))


def test_confirming_the_year_makes_2027_computable() -> None:
    year = enter_test_2027(confirmed=False)
    year.confirmed = True
    year.full_clean()
    year.save()
    cal = working_calendar()
    # From the day after Sun 12-20: 12-21..12-25 → 5, 12-28..12-31 → 9; 1-01..1-03 off;
    # 1-04..1-08 → 14; Sat 1-09 (调休) → 15; 1-11..1-15 → 20; 1-18..1-22 → 25; 1-25..1-29 → 30.
    assert cal.add_working_days(D(2026, 12, 20), 30) == D(2027, 1, 29)
    assert cal.schedules[2027].source == TEST_SOURCE_2027
    assert not cal.is_working_day(D(2027, 1, 1))
    assert cal.is_working_day(D(2027, 1, 9))
    with pytest.raises(CalendarNotCovered):  # 2028 still is not
        cal.is_working_day(D(2028, 1, 3))


def test_overrides_win_over_a_confirmed_year() -> None:
    enter_test_2027(confirmed=True)
    close(D(2027, 1, 4))
    # 12-31 Thu → 1-05 Tue (1-01..1-03 off, 1-04 closed).
    assert working_calendar().add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 5)


def test_a_confirmed_year_overrides_the_package_for_its_year() -> None:
    # A (hypothetical) corrected 2026 notice that also gives 10-08 off. The test
    # enters only the weekday days off and the make-up days; weekends are off anyway.
    source = "假设的更正通知（测试）"
    for day in [D(2026, 10, d) for d in (1, 2, 5, 6, 7, 8)]:
        StatutoryDay.objects.create(day=day, kind=StatutoryKind.DAY_OFF, source=source)
    StatutoryYear.objects.create(year=2026, source=source, confirmed=True)
    cal = working_calendar()
    assert not cal.is_working_day(D(2026, 10, 8))
    # Without the other make-up days typed in, Sat 10-10 is an ordinary Saturday now:
    # the schedule alone decides its year.
    assert not cal.is_working_day(D(2026, 10, 10))


def test_confirming_needs_a_valid_schedule() -> None:
    year = StatutoryYear.objects.create(year=2027, source=TEST_SOURCE_2027)
    year.confirmed = True
    with pytest.raises(ValidationError) as caught:
        year.full_clean()  # no day entered yet: never count weekends only
    assert "没有任何放假日期" in caught.value.message_dict["confirmed"][0]


def test_a_make_up_day_must_be_a_weekend_day() -> None:
    day = StatutoryDay(day=D(2027, 1, 11), kind=StatutoryKind.MAKE_UP, source=TEST_SOURCE_2027)
    with pytest.raises(ValidationError) as caught:
        day.full_clean()
    assert "周六或周日" in caught.value.message_dict["kind"][0]
    assert "星期一" in caught.value.message_dict["kind"][0]


def test_days_of_a_confirmed_year_cannot_be_added_through_validation() -> None:
    enter_test_2027(confirmed=True)
    extra = StatutoryDay(day=D(2027, 2, 8), kind=StatutoryKind.DAY_OFF, source=TEST_SOURCE_2027)
    with pytest.raises(ValidationError) as caught:
        extra.full_clean()
    assert "先取消" in caught.value.message_dict["day"][0]


def test_the_year_is_derived_from_the_day() -> None:
    row = StatutoryDay.objects.create(
        day=D(2027, 1, 1), kind=StatutoryKind.DAY_OFF, source=TEST_SOURCE_2027
    )
    assert StatutoryDay.objects.get(pk=row.pk).year == 2027
    row.day = D(2028, 1, 1)
    row.save(update_fields=["day"])
    assert StatutoryDay.objects.get(pk=row.pk).year == 2028


def test_bad_rows_written_around_the_admin_fail_loudly() -> None:
    # A weekday "make-up day" written straight into the table: the calendar refuses
    # to guess rather than compute deadlines from a schedule that cannot be right.
    enter_test_2027(confirmed=True)
    StatutoryDay.objects.create(
        day=D(2027, 1, 11), kind=StatutoryKind.MAKE_UP, source=TEST_SOURCE_2027
    )
    with pytest.raises(InvalidYearSchedule):
        working_calendar()


# --- freshness and cost ----------------------------------------------------------------


def test_every_call_sees_the_tables_as_they_are_now() -> None:
    start = D(2026, 9, 28)
    assert working_calendar().add_working_days(start, 7) == D(2026, 10, 13)
    override = close(D(2026, 10, 8))
    assert working_calendar().add_working_days(start, 7) == D(2026, 10, 14)
    # A change that sends no signal (a queryset update) is seen as well.
    WorkingDayOverride.objects.filter(pk=override.pk).update(day=D(2026, 10, 9))
    assert working_calendar().is_working_day(D(2026, 10, 8))
    assert not working_calendar().is_working_day(D(2026, 10, 9))
    override.refresh_from_db()
    override.kind = OverrideKind.OPEN
    override.reason = "集中办理年度复核"
    override.save()
    assert working_calendar().is_working_day(D(2026, 10, 9))
    override.delete()
    assert working_calendar().add_working_days(start, 7) == D(2026, 10, 13)

    year = enter_test_2027(confirmed=True)
    assert working_calendar().is_working_day(D(2027, 1, 4))
    StatutoryYear.objects.filter(pk=year.pk).update(confirmed=False)
    with pytest.raises(CalendarNotCovered):
        working_calendar().is_working_day(D(2027, 1, 4))


def test_a_rolled_back_change_is_not_remembered() -> None:
    start = D(2026, 9, 28)
    try:
        with transaction.atomic():
            close(D(2026, 10, 8))
            assert working_calendar().add_working_days(start, 7) == D(2026, 10, 14)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert working_calendar().add_working_days(start, 7) == D(2026, 10, 13)


def test_one_query_per_table(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    enter_test_2027(confirmed=True)
    close(D(2026, 10, 8))
    with django_assert_num_queries(3):
        working_calendar()
