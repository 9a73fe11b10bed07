"""Calendar rows for the tests of the working-day tables."""

from __future__ import annotations

import datetime as dt

from jiuzhu.core.models import StatutoryDay, StatutoryKind, StatutoryYear

D = dt.date

#: TEST FIXTURE, NOT THE REAL 2027 NOTICE (unpublished as of this writing): a
#: made-up schedule small enough to count by hand. 2027-01-01 is a Friday.
#:   days off: 1-01 Fri, 1-02 Sat, 1-03 Sun;   调休 working day: 1-09 Sat.
TEST_SOURCE_2027 = "测试用虚构安排（非国务院办公厅通知）"
TEST_DAYS_OFF_2027 = (D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3))
TEST_MAKE_UP_2027 = (D(2027, 1, 9),)


def enter_test_2027(*, confirmed: bool) -> StatutoryYear:
    """Type the test schedule in, as the administrator would, confirmed or not."""
    year = StatutoryYear.objects.create(year=2027, source=TEST_SOURCE_2027, confirmed=False)
    for day in TEST_DAYS_OFF_2027:
        StatutoryDay.objects.create(day=day, kind=StatutoryKind.DAY_OFF, source=TEST_SOURCE_2027)
    for day in TEST_MAKE_UP_2027:
        StatutoryDay.objects.create(day=day, kind=StatutoryKind.MAKE_UP, source=TEST_SOURCE_2027)
    if confirmed:
        year.confirmed = True
        year.full_clean()
        year.save()
    return year
