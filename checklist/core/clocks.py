"""Statutory clocks (节点管理): how a per-case deadline is counted (SPEC.md → Cases and statutory clocks).

A period is written ``10d`` (calendar days), ``5wd`` (working days), ``6m`` (months) or ``5y``
(years). The Civil Procedure Law's rule (民事诉讼法 第85条, DOMAIN.md §1.E) counts it:

* the start day is not counted: ``10d`` from 1 March ends on 11 March;
* a month period ends on the same-numbered day of the month it lands in, else on that month's
  last day (31 January + 1 month = 28 February, or 29th in a leap year);
* holidays inside a period are not deducted, but a period whose last day is a rest day ends on
  the next working day — and a make-up working day (调休上班日) is a working day;
* ``Nwd`` counts working days (rest days skipped, 调休 days counted): its end is a working day.

``before`` counts back from a date (a seizure's expiry less 30 days); a result on a rest day moves
back to the working day before it, so the reminder is never later than the limit.

With paused periods (暂缓、中止, 公告送达 …, 法发〔2006〕35号 第13条) a clock that says ``paused: extend``
moves its end later by every paused day that falls inside it — both ends of a paused period count,
an open end runs to the as-of day — and again by the paused days the extension reaches into; then
the rest-day rule applies. Nothing here reads a file or a clock.
"""

from __future__ import annotations

import calendar as months
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from checklist.core.calendar import WorkCalendar

SPAN = re.compile(r"\s*(\d{1,4})\s*(d|wd|m|y)\s*")
LONGEST = {"d": 3660, "wd": 2500, "m": 120, "y": 10}  # a statutory clock runs for days to a few years
UNITS = {"d": "days", "wd": "working days", "m": "months", "y": "years"}
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Span:
    count: int
    unit: str  # d | wd | m | y

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    @property
    def months(self) -> int:
        return self.count * (12 if self.unit == "y" else 1)


def parse_span(text: object) -> Span:
    """'10d', '5wd', '6m', '5y' → Span; ValueError naming what is wrong."""
    found = SPAN.fullmatch(str(text)) if isinstance(text, (str, int)) else None
    if found is None:
        raise ValueError(f"'{text}' is not a period: write Nd (days), Nwd (working days), Nm (months) or Ny (years)")
    count, unit = int(found.group(1)), found.group(2)
    if count == 0:
        raise ValueError(f"'{text}' is no time at all: a period is at least 1")
    if count > LONGEST[unit]:
        raise ValueError(f"'{text}' is longer than any statutory clock: at most {LONGEST[unit]}{unit}")
    return Span(count, unit)


def add_months(day: date, count: int) -> date:
    """The same-numbered day ``count`` months later (earlier, if negative), else that month's last day."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, months.monthrange(year, month + 1)[1]))


def plain_end(start: date, span: Span, calendar: WorkCalendar) -> date:
    """The end of ``span`` after ``start`` (the start day not counted), before any rest-day rule."""
    if span.unit == "d":
        return start + timedelta(days=span.count)
    if span.unit == "wd":
        return calendar.add_workdays(start, span.count)
    return add_months(start, span.months)


Paused = tuple[date, date | None]


def paused_days(periods: Iterable[Paused], first: date, last: date, as_of: date) -> int:
    """Days from ``first`` to ``last`` (both included) that fall in a paused period (an open end runs to ``as_of``)."""
    count = 0
    for begin, end in periods:
        stop = min(end or as_of, last)
        start = max(begin, first)
        if stop >= start:
            count += (stop - start).days + 1
    return count


def extended(start: date, end: date, periods: Iterable[Paused], as_of: date) -> date:
    """``end`` moved later by the paused days inside the clock (start, end], and by those the move reaches."""
    periods = list(periods)
    moved = end
    counted = 0
    while True:
        total = paused_days(periods, start + ONE_DAY, moved, as_of)
        if total == counted:
            return moved
        moved += timedelta(days=total - counted)
        counted = total


def due_within(start: date, span: Span, calendar: WorkCalendar, *, paused: Iterable[Paused] = (),
               as_of: date | None = None) -> date:
    """When a clock of ``span`` from ``start`` runs out, by the rule above (``paused``: extend it)."""
    end = plain_end(start, span, calendar)
    periods = list(paused)
    if periods:
        end = extended(start, end, periods, as_of or end)
    return calendar.roll_forward(end)


def due_before(day: date, span: Span, calendar: WorkCalendar) -> date:
    """``span`` before ``day`` (a reminder ahead of an expiry), moved back off a rest day."""
    if span.unit == "d":
        found = day - timedelta(days=span.count)
    elif span.unit == "wd":
        found, left = day, span.count
        while left:
            found -= ONE_DAY
            left -= calendar.is_workday(found)
    else:
        found = add_months(day, -span.months)
    while not calendar.is_workday(found):
        found -= ONE_DAY
    return found


def every(start: date, step: Span, length: Span, calendar: WorkCalendar) -> list[date]:
    """Each time ``step`` comes round after ``start`` within ``length`` (终本 re-checks: every 6m for 5y)."""
    limit = plain_end(start, length, calendar)
    found = []
    n = 1
    while True:
        if step.unit in ("m", "y"):
            plain = add_months(start, step.months * n)  # from the start each time: 31 Aug → 28 Feb → 31 Aug
        elif step.unit == "d":
            plain = start + timedelta(days=step.count * n)
        else:
            plain = calendar.add_workdays(start, step.count * n)
        if plain > limit:
            return found
        found.append(calendar.roll_forward(plain))
        n += 1
