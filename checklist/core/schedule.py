"""When a duty falls due: one occurrence per period of its campaign's window.

The rules (SPEC.md → Template format):

1. the nominal due date inside the period, from ``due`` (clamped to short months: the 31st in
   February is the 28th or 29th; ``first-fri`` … ``last-mon``: that weekday of the month; ``5wd``,
   ``last-wd``: that working day of the period, which is never shifted);
2. capped at the campaign's end;
3. if that is before the campaign's start, the period yields nothing for this campaign;
4. then, unless the duty says ``shift: none``, a due date on a rest day moves to the next working
   day (民事诉讼法 第85条), while a make-up working day (调休上班日) stays.

A daily duty is due on each working day of the window and never moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from checklist.core.calendar import WorkCalendar
from checklist.core.models import Campaign, Duty, WeekdayDue, WorkdayDue
from checklist.core.periods import Period, clamp_day, period_of, periods_between


@dataclass(frozen=True, slots=True)
class Occurrence:
    period: Period
    due: date


def nth_weekday(year: int, month: int, n: int, weekday: int) -> date:
    """The ``n``-th ``weekday`` (0 Mon … 6 Sun) of a month; n = -1, or an n the month has not: the last."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    found = [d for d in (day + timedelta(days=7 * k) for k in range(5)) if d.month == month]
    return found[-1] if n == -1 or n > len(found) else found[n - 1]


def nth_workday(period: Period, n: int, calendar: WorkCalendar) -> date | None:
    """The ``n``-th working day of ``period`` (n = -1, or more than it has: the last); None if it has none."""
    days = [period.start + timedelta(days=k) for k in range((period.end - period.start).days + 1)]
    working = [d for d in days if calendar.is_workday(d)]
    if not working:
        return None
    return working[-1] if n == -1 or n > len(working) else working[n - 1]


def nominal_due(duty: Duty, period: Period) -> date:
    """The due date the template asks for in ``period``, before capping and shifting (``5wd`` needs the
    calendar: see ``occurrences``)."""
    every, due = duty.every, duty.due
    if isinstance(due, WeekdayDue):
        return nth_weekday(period.start.year, period.start.month, due.n, due.weekday)
    if every == "day":
        return period.start
    if every == "week":
        return period.start + timedelta(days=int(due))  # type: ignore[arg-type]
    if every == "halfmonth":
        return min(period.start + timedelta(days=int(due) - 1), period.end)  # type: ignore[arg-type]
    if every in ("month", "quarter"):
        return clamp_day(period.end.year, period.end.month, int(due))  # type: ignore[arg-type]
    if every == "year":
        month, day = due  # type: ignore[misc]
        return clamp_day(period.start.year, month, day)
    return due  # type: ignore[return-value]  # once: the date itself


def reported_in(duty: Duty, covered: Period, calendar: WorkCalendar) -> date | None:
    """``covers: previous``: when the report on ``covered`` falls due — its ``due`` read in the next period
    (for a quarter or a year, in its first month: Q3 with ``due: 10`` is due 10 October), moved off a rest
    day unless ``shift: none``; not capped at the campaign's end."""
    following = period_of(duty.every, covered.end + timedelta(days=1))
    due = duty.due
    if isinstance(due, WorkdayDue):
        return nth_workday(following, due.n, calendar)
    if isinstance(due, WeekdayDue):
        day = nth_weekday(following.start.year, following.start.month, due.n, due.weekday)
    elif duty.every == "quarter":
        day = clamp_day(following.start.year, following.start.month, int(due))  # type: ignore[arg-type]
    else:
        day = nominal_due(duty, following)
    return calendar.roll_forward(day) if duty.shift else day


def occurrences(campaign: Campaign, duty: Duty, calendar: WorkCalendar) -> Iterator[Occurrence]:
    """Every period of ``campaign`` in which ``duty`` falls due, with its final due date (with
    ``covers: previous``, every period the campaign covers, each due in the period after it)."""
    if duty.covers == "previous":
        for period in periods_between(duty.every, campaign.start, campaign.end):
            due = reported_in(duty, period, calendar)
            if due is not None:
                yield Occurrence(period, due)
        return
    for period in periods_between(duty.every, campaign.start, campaign.end):
        if duty.every == "day":
            if calendar.is_workday(period.start):
                yield Occurrence(period, period.start)
            continue
        if isinstance(duty.due, WorkdayDue):  # a working day already: shifted only if the campaign's end cut it
            workday = nth_workday(period, duty.due.n, calendar)
            if workday is None:
                continue
            due = min(workday, campaign.end)
            if due < campaign.start:
                continue
            yield Occurrence(period, calendar.roll_forward(due) if due != workday and duty.shift else due)
            continue
        due = min(nominal_due(duty, period), campaign.end)
        if due < campaign.start:
            continue
        if duty.shift:
            due = calendar.roll_forward(due)
        yield Occurrence(period, due)
