"""Working days in China: weekends, statutory holidays (法定节假日) and make-up working days (调休).

``WorkCalendar`` is plain data: the rest days and make-up working days it knows, and the years it
knows completely. Where it comes from (the ``chinesecalendar`` package, a user file) is the edge's
business (``checklist.calendars``).

For a year the calendar has no data for, Monday to Friday count as working days and the year is
noted in ``uncovered`` so the caller can warn once; nothing fails.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

ONE_DAY = timedelta(days=1)


class WorkCalendar:
    def __init__(
        self,
        rest_days: Iterable[date] = (),
        working_days: Iterable[date] = (),
        years: Iterable[int] = (),
    ):
        self.rest_days = frozenset(rest_days)
        self.working_days = frozenset(working_days)
        self.years = frozenset(years)
        self.uncovered: set[int] = set()
        self._between: dict[tuple[date, date], int] = {}

    def is_workday(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.rest_days:
            return False
        if day.year not in self.years:
            self.uncovered.add(day.year)
        return day.weekday() < 5

    def roll_forward(self, day: date) -> date:
        """``day`` if it is a working day, else the first working day after it.

        This is the Civil Procedure Law's rule (民事诉讼法 第85条) for a period whose last day is
        a rest day; a make-up working day (调休上班日) counts as a working day.
        """
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_workdays(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
        while count > 0:
            day += ONE_DAY
            if self.is_workday(day):
                count -= 1
        return day

    def workdays_between(self, first: date, last: date) -> int:
        """Working days after ``first`` up to and including ``last`` (0 if ``last`` ≤ ``first``)."""
        known = self._between.get((first, last))  # reports ask the same question for many items
        if known is not None:
            return known
        count = 0
        day = first
        while day < last:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        self._between[(first, last)] = count
        return count
