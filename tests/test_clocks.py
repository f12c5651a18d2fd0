"""Statutory clocks counted by hand (民事诉讼法 第85条; DOMAIN.md §1.E), on the 2026 calendar.

2026: Spring Festival 15–23 Feb off, Sat 14 Feb and Sat 28 Feb worked (调休); Mid-Autumn Fri 25 Sep off,
Sun 20 Sep worked; National Day 1–7 Oct off, Sat 10 Oct worked.
"""

from datetime import date

import pytest

from checklist.calendars import stored_calendar
from checklist.core.calendar import WorkCalendar
from checklist.core.clocks import Span, add_months, due_before, due_within, every, parse_span

CAL = stored_calendar(None)  # the shipped holiday data (chinesecalendar)
D = date


@pytest.mark.parametrize("text, span", [("10d", Span(10, "d")), ("5wd", Span(5, "wd")), ("6m", Span(6, "m")),
                                        (" 5y ", Span(5, "y")), ("30d", Span(30, "d"))])
def test_periods_are_written_nd_nwd_nm_ny(text, span):
    assert parse_span(text) == span


@pytest.mark.parametrize("text", ["10", "d", "6 months", "0d", "-3d", "1.5m", "", None, "10D"])
def test_anything_else_is_refused_with_the_forms(text):
    with pytest.raises(ValueError, match="Nd|at least 1"):
        parse_span(text)


def test_a_month_ends_on_the_same_numbered_day_else_the_months_last():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)  # a leap year
    assert add_months(D(2026, 3, 31), 6) == D(2026, 9, 30)
    assert add_months(D(2026, 8, 31), -6) == D(2026, 2, 28)


@pytest.mark.parametrize("start, span, due, why", [
    (D(2026, 1, 31), "1m", D(2026, 2, 28), "1月31日 + 1个月 = 2月28日, a Saturday worked for the Spring Festival"),
    (D(2026, 2, 5), "10d", D(2026, 2, 24), "15 Feb is in the Spring Festival: the next working day is 24 Feb"),
    (D(2026, 3, 1), "10d", D(2026, 3, 11), "the start day is not counted"),
    (D(2026, 3, 31), "6m", D(2026, 9, 30), "31 March + 6 months = 30 September"),
    (D(2026, 4, 1), "6m", D(2026, 10, 8), "1 October is National Day: 8 October"),
    (D(2026, 9, 30), "3wd", D(2026, 10, 10), "8, 9 and 10 October (a Saturday worked) are the working days"),
    (D(2026, 9, 18), "1wd", D(2026, 9, 20), "Sat 19 Sep is off, Sun 20 Sep a 调休 working day"),
    (D(2026, 9, 18), "7d", D(2026, 9, 28), "Fri 25 Sep is Mid-Autumn, then the weekend: Mon 28 Sep"),
])
def test_a_clock_runs_out_by_the_civil_procedure_laws_rule(start, span, due, why):
    assert due_within(start, parse_span(span), CAL) == due, why


def test_paused_periods_extend_the_clock_day_for_day():
    six = parse_span("6m")
    start = D(2026, 1, 10)  # plain end Fri 10 Jul
    assert due_within(start, six, CAL) == D(2026, 7, 10)
    one = [(D(2026, 3, 1), D(2026, 3, 10))]  # 10 days, both ends counted
    assert due_within(start, six, CAL, paused=one) == D(2026, 7, 20)
    two = one + [(D(2026, 6, 1), None)]  # still paused on the as-of day (30 June): 30 days more
    assert due_within(start, six, CAL, paused=two, as_of=D(2026, 6, 30)) == D(2026, 8, 19)
    # a pause that straddles the end: 5–10 Jul inside pushes the end to 16 Jul, which reaches 11–15 Jul
    straddle = [(D(2026, 7, 5), D(2026, 7, 15))]
    assert due_within(start, six, CAL, paused=straddle) == D(2026, 7, 21)
    # a pause before the start or after the end changes nothing
    assert due_within(start, six, CAL, paused=[(D(2025, 12, 1), D(2026, 1, 10))]) == D(2026, 7, 10)
    # an extension that lands in National Day moves on to the next working day
    assert due_within(D(2026, 3, 30), six, CAL, paused=[(D(2026, 5, 1), D(2026, 5, 1))]) == D(2026, 10, 8)


def test_a_reminder_before_an_expiry_is_never_after_it():
    assert due_before(D(2026, 10, 31), parse_span("30d"), CAL) == D(2026, 9, 30)  # 1 Oct is a holiday: the day before
    assert due_before(D(2026, 12, 20), parse_span("30d"), CAL) == D(2026, 11, 20)
    assert due_before(D(2026, 3, 1), parse_span("1m"), CAL) == D(2026, 1, 30)  # Sun 1 Feb: back to Fri 30 Jan
    assert due_before(D(2026, 2, 25), parse_span("3wd"), CAL) == D(2026, 2, 13)  # 24 Feb, then 14 Feb (worked), 13


def test_zhongben_rechecks_every_six_months_for_five_years():
    weekdays = WorkCalendar()  # later years: Monday to Friday
    found = every(D(2026, 8, 31), parse_span("6m"), parse_span("5y"), weekdays)
    assert found == [D(2027, 3, 1), D(2027, 8, 31), D(2028, 2, 29), D(2028, 8, 31), D(2029, 2, 28), D(2029, 8, 31),
                     D(2030, 2, 28), D(2030, 9, 2), D(2031, 2, 28), D(2031, 9, 1)]


def test_two_receipts_each_have_their_thirty_days():
    thirty = parse_span("30d")
    assert [due_within(r, thirty, CAL) for r in (D(2026, 2, 1), D(2026, 9, 5))] == [D(2026, 3, 3), D(2026, 10, 8)]
