"""Periods and the working-day calendar (holidays, 调休, years without data)."""

from datetime import date

import pytest

from checklist.core.periods import parse_period, period_of, periods_between
from helpers import calendar, templates


@pytest.mark.parametrize(
    "every, day, period_id, first, last",
    [
        ("day", date(2026, 11, 27), "2026-11-27", date(2026, 11, 27), date(2026, 11, 27)),
        ("week", date(2026, 11, 27), "2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
        ("week", date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("halfmonth", date(2026, 2, 15), "2026-02-H1", date(2026, 2, 1), date(2026, 2, 15)),
        ("halfmonth", date(2026, 2, 16), "2026-02-H2", date(2026, 2, 16), date(2026, 2, 28)),
        ("month", date(2024, 2, 10), "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("quarter", date(2026, 11, 27), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("year", date(2026, 11, 27), "2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_period_of_gives_id_and_days(every, day, period_id, first, last):
    period = period_of(every, day)
    assert (period.id, period.start, period.end) == (period_id, first, last)
    assert parse_period(period_id) == period


def test_periods_between_covers_a_window_without_gaps():
    weeks = list(periods_between("week", date(2026, 11, 25), date(2026, 12, 10)))
    assert [w.id for w in weeks] == ["2026-W48", "2026-W49", "2026-W50"]
    halves = list(periods_between("halfmonth", date(2026, 1, 10), date(2026, 2, 20)))
    assert [h.id for h in halves] == ["2026-01-H1", "2026-01-H2", "2026-02-H1", "2026-02-H2"]


@pytest.mark.parametrize("text", ["2026-W54", "2026-13", "2026-02-30", "2026-Q5", "2026-11-H3", "soon", ""])
def test_parse_period_refuses_what_is_not_a_period(text):
    with pytest.raises(ValueError, match="not a period"):
        parse_period(text)


def test_statutory_holiday_rolls_forward_to_first_working_day():
    cal = calendar()
    assert cal.roll_forward(date(2026, 10, 1)) == date(2026, 10, 8)  # 国庆 1–7 Oct
    assert cal.roll_forward(date(2026, 2, 15)) == date(2026, 2, 24)  # 春节 15–23 Feb


def test_make_up_working_day_is_a_working_day():
    cal = calendar()
    assert date(2026, 10, 10).weekday() == 5  # a Saturday …
    assert cal.is_workday(date(2026, 10, 10))  # … worked in lieu of the National Day break
    assert cal.roll_forward(date(2026, 10, 10)) == date(2026, 10, 10)
    assert cal.is_workday(date(2026, 2, 14)) and cal.is_workday(date(2026, 2, 28))
    assert not cal.is_workday(date(2026, 10, 11))  # the Sunday after it is not
    assert cal.uncovered == set()


def test_working_days_are_counted_across_holidays():
    cal = calendar()
    # 3 working days after Wed 30 Sep 2026: 8, 9, 10 Oct (the 10th is a make-up Saturday)
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_year_without_data_falls_back_to_weekdays_and_says_so():
    cal = calendar()
    assert cal.is_workday(date(2031, 1, 1))  # a Wednesday; no holiday data for 2031
    assert not cal.is_workday(date(2031, 1, 4))  # a Saturday
    assert cal.uncovered == {2031}


def test_user_calendar_file_adds_a_year_and_local_rest_days():
    tset = templates(
        cal="""
        calendar:
          name: 2031年部分节假日（本地补充）
          years: [2031]
          holidays: [2031-01-01, "2031-01-22..2031-01-25"]
          workdays: [2031-01-26]
        """,
        local="""
        calendar:
          holidays: [2026-11-27]
        """,
    )
    cal = calendar(tset)
    assert not cal.is_workday(date(2031, 1, 1))
    assert not cal.is_workday(date(2031, 1, 23))
    assert cal.is_workday(date(2031, 1, 26))  # a Sunday made a working day
    assert not cal.is_workday(date(2026, 11, 27))  # a local rest day on a Friday
    assert cal.roll_forward(date(2026, 11, 27)) == date(2026, 11, 30)
    assert cal.uncovered == set()
