"""Periods: the time slots a recurring duty repeats in, and how they are written.

A period has an id (as shown to users and stored with items) and a first and last day:

    day        2026-11-27
    week       2026-W48      ISO week, Monday to Sunday
    halfmonth  2026-11-H2    H1 = days 1-15, H2 = day 16 to the month's end (半月)
    month      2026-11
    quarter    2026-Q4
    year       2026
    once       once          a one-off duty; its days are the campaign's window

Schedules are ranked from finest to coarsest by ``RANK``: a finer schedule can absorb a coarser
one (see ``merge``).
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

# the days checklist works with: work is never claimed before EARLIEST, and nothing it computes
# (a report's trend, a reply deadline) runs past the last day Python's dates can hold
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)

EVERY = ("day", "week", "halfmonth", "month", "quarter", "year", "once")
RANK = {every: rank for rank, every in enumerate(EVERY)}


@dataclass(frozen=True, slots=True)
class Period:
    every: str
    id: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def month_length(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def clamp_day(year: int, month: int, day: int) -> date:
    """The given day of the month, or the month's last day if it is shorter (31 → 28 Feb)."""
    return date(year, month, min(day, month_length(year, month)))


def period_of(every: str, day: date, *, window: tuple[date, date] | None = None) -> Period:
    """The period of kind ``every`` that contains ``day``.

    ``once`` has no calendar of its own: its period is the campaign ``window``.
    """
    y, m = day.year, day.month
    if every == "day":
        return Period(every, day.isoformat(), day, day)
    if every == "week":
        iso = day.isocalendar()
        monday = day - timedelta(days=iso.weekday - 1)
        return Period(every, f"{iso.year}-W{iso.week:02d}", monday, monday + timedelta(days=6))
    if every == "halfmonth":
        if day.day <= 15:
            return Period(every, f"{y}-{m:02d}-H1", date(y, m, 1), date(y, m, 15))
        return Period(every, f"{y}-{m:02d}-H2", date(y, m, 16), clamp_day(y, m, 31))
    if every == "month":
        return Period(every, f"{y}-{m:02d}", date(y, m, 1), clamp_day(y, m, 31))
    if every == "quarter":
        q = (m - 1) // 3 + 1
        first = 3 * q - 2
        return Period(every, f"{y}-Q{q}", date(y, first, 1), clamp_day(y, first + 2, 31))
    if every == "year":
        return Period(every, str(y), date(y, 1, 1), date(y, 12, 31))
    if every == "once":
        if window is None:
            raise ValueError("a one-off period needs the campaign window")
        return Period(every, "once", window[0], window[1])
    raise ValueError(f"unknown schedule {every!r}")


def periods_between(every: str, start: date, end: date) -> Iterator[Period]:
    """Every period of kind ``every`` that overlaps ``start``..``end``, in order."""
    if start > end:
        return
    if every == "once":
        yield period_of("once", start, window=(start, end))
        return
    period = period_of(every, start)
    while period.start <= end:
        yield period
        period = period_of(every, period.end + timedelta(days=1))


def parse_period(text: str) -> Period:
    """Read a period id as users write it (``2026-W48``, ``2026-11-H2``, ``2026-Q4`` …).

    ``once`` cannot be read this way (its days depend on a campaign); ValueError for anything
    that is not a period.
    """
    text = text.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return period_of("year", date(int(text), 1, 1))
        if len(text) == 7 and text[4] == "-" and text[5] in "Qq":
            year, q = int(text[:4]), int(text[6])
            if not 1 <= q <= 4:
                raise ValueError
            return period_of("quarter", date(year, 3 * q - 2, 1))
        if len(text) == 8 and text[4] == "-" and text[5] in "Ww":
            week = date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
            return period_of("week", week)
        if len(text) == 7 and text[4] == "-":
            return period_of("month", date(int(text[:4]), int(text[5:]), 1))
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[8] in "Hh":
            year, month, half = int(text[:4]), int(text[5:7]), text[9]
            if half not in "12":
                raise ValueError
            return period_of("halfmonth", date(year, month, 1 if half == "1" else 16))
        return period_of("day", date.fromisoformat(text))
    except ValueError:
        pass
    raise ValueError(f"not a period: {text!r} (write 2026-11-27, 2026-W48, 2026-11-H2, 2026-11, 2026-Q4 or 2026)")
