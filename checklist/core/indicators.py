"""The indicators a bureau is ranked on (SPEC.md → Indicators; DOMAIN.md §7), from the imported cases.

For a range ``start``..``end`` as of ``as_of`` (the range is cut at the as-of day), per group:

* ``open`` — cases filed on or before the as-of day and not closed by then;
* ``closed`` — cases whose closing day falls in the range;
* ``full_rate`` — of those, closed by 执行完毕; ``zhongben_rate`` — closed by 终本;
* ``on_time_rate`` — of those, closed within the statutory 6 months from filing, the paused
  periods not counted (the same clock as the ``term`` rule: start day not counted, a last day on a
  rest day moves to the next working day);
* ``paid_rate`` — 执行到位率: the money paid over the money applied for, over the closed cases that
  say how much was applied for;
* ``over_12_months`` — open cases filed more than 12 months before the as-of day;
* ``funds_overdue`` — 案款 payout items (a receipt's 30 days) past their due day and not done;
* ``recheck_on_time_rate`` — 终本 re-check items due in the range: done by their due day ÷ due.

A rate with nothing to divide is None (null): no case closed is not a 0% bureau. Nothing here reads
a file or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from checklist.core.calendar import WorkCalendar
from checklist.core.cases import Case
from checklist.core.clocks import Span, add_months, due_within
from checklist.core.models import Campaign, Duty

TERM = Span(6, "m")
FIELDS = ("open", "closed", "full_rate", "zhongben_rate", "on_time_rate", "paid_rate", "over_12_months",
          "funds_overdue", "recheck_on_time_rate")
RATES = ("full_rate", "zhongben_rate", "on_time_rate", "paid_rate", "recheck_on_time_rate")


def _rate(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Row:
    group: str
    name: str
    open: int = 0
    closed: int = 0
    full: int = 0
    zhongben: int = 0
    on_time: int = 0
    amount: float = 0.0
    paid: float = 0.0
    over_12_months: int = 0
    funds_overdue: int = 0
    rechecks_due: int = 0
    rechecks_on_time: int = 0

    @property
    def full_rate(self) -> float | None:
        return _rate(self.full, self.closed)

    @property
    def zhongben_rate(self) -> float | None:
        return _rate(self.zhongben, self.closed)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.closed)

    @property
    def paid_rate(self) -> float | None:
        return _rate(self.paid, self.amount)

    @property
    def recheck_on_time_rate(self) -> float | None:
        return _rate(self.rechecks_on_time, self.rechecks_due)

    def value(self, name: str) -> float | int | None:
        return getattr(self, name)


@dataclass(frozen=True)
class ItemFact:
    """What the indicators read of one item: its kind (payout, recheck), its officer, due and done days."""

    kind: str  # "payout" | "recheck"
    officer: str
    due: date
    status: str
    done_on: date | None


@dataclass
class Indicators:
    start: date
    end: date
    as_of: date
    by: str
    rows: list[Row] = field(default_factory=list)


def closed_on_time(case: Case, calendar: WorkCalendar) -> bool:
    """Closed within 6 months of filing, the paused periods not counted."""
    assert case.closed is not None
    return case.closed <= due_within(case.filed, TERM, calendar, paused=case.paused, as_of=case.closed)


def compute(cases: Iterable[Case], items: Iterable[ItemFact], keys: Callable[[str], list[tuple[str, str]]], *,
            start: date, end: date, as_of: date, by: str, calendar: WorkCalendar,
            groups: Iterable[tuple[str, str]] = (), open_counts: dict[str, tuple[int, int]] | None = None) -> Indicators:
    """Every group's indicators; ``keys(officer id)`` gives the (group, name) pairs an officer counts in,
    ``groups`` the rows to show even with nothing in them. ``open_counts`` (officer → open, open over 12
    months), when a database counted them itself, stand for the open cases: ``cases`` then need hold
    only those closed in the range."""
    until = min(end, as_of)
    old = add_months(as_of, -12)
    rows: dict[str, Row] = {key: Row(key, name) for key, name in groups}

    def rows_of(officer: str) -> list[Row]:
        return [rows.setdefault(key, Row(key, name)) for key, name in keys(officer)]

    for officer, (opened, old_open) in (open_counts or {}).items():
        for row in rows_of(officer):
            row.open += opened
            row.over_12_months += old_open
    for case in cases:
        if case.filed > as_of:
            continue
        found = rows_of(case.officer)
        is_open = open_counts is None and (case.closed is None or case.closed > as_of)
        closed_here = case.closed is not None and start <= case.closed <= until
        on_time = closed_here and closed_on_time(case, calendar)
        for row in found:
            if is_open:
                row.open += 1
                row.over_12_months += case.filed < old
            if closed_here:
                row.closed += 1
                row.full += case.closing == "full"
                row.zhongben += case.closing == "zhongben"
                row.on_time += on_time
                if case.amount:
                    row.amount += case.amount
                    row.paid += case.paid or 0.0
    for item in items:
        found = rows_of(item.officer)
        done_by = item.status == "done" and item.done_on is not None
        for row in found:
            if item.kind == "payout" and item.status == "open" and item.due < as_of:
                row.funds_overdue += 1
            if item.kind == "recheck" and item.status != "withdrawn" and start <= item.due <= until \
                    and (item.due < as_of or done_by):
                row.rechecks_due += 1
                row.rechecks_on_time += bool(done_by and item.done_on <= item.due)  # type: ignore[operator]
    return Indicators(start, end, as_of, by, list(rows.values()))


# -- targets (``target:`` on a duty, with a measure): what each person was asked to reach, and reached ----


def _measured(measure: str, case: Case) -> bool:
    if measure == "full":
        return case.closing == "full"
    if measure == "zhongben":
        return case.closing == "zhongben"
    if measure == "old-closed":
        return case.closed is not None and case.filed < add_months(case.closed, -12)
    return True  # closed


@dataclass
class TargetRow:
    group: str
    name: str
    people: int = 0
    target: float = 0.0
    achieved: int = 0

    @property
    def rate(self) -> float | None:
        return _rate(self.achieved, self.target)


@dataclass
class TargetProgress:
    """One duty's target in one campaign: the cases of the people it asks, closed from the campaign's
    start to its end or the as-of day, that meet its measure."""

    campaign: Campaign
    duty: Duty
    start: date
    until: date
    rows: list[TargetRow] = field(default_factory=list)


def target_progress(campaign: Campaign, duty: Duty, holders: Iterable[str], cases: Iterable[Case],
                    keys: Callable[[str], list[tuple[str, str]]], *, as_of: date) -> TargetProgress:
    """``holders``: the people the duty asks (each to reach ``duty.target.count``); ``keys`` their groups."""
    assert duty.target is not None
    until = min(campaign.end, as_of)
    found = TargetProgress(campaign, duty, campaign.start, until)
    rows: dict[str, TargetRow] = {}
    holders = set(holders)
    for officer in sorted(holders):
        for key, name in keys(officer):
            row = rows.setdefault(key, TargetRow(key, name))
            row.people += 1
            row.target += duty.target.count
    for case in cases:
        if case.officer in holders and case.closed is not None and campaign.start <= case.closed <= until \
                and _measured(duty.target.measure, case):
            for key, name in keys(case.officer):
                rows[key].achieved += 1
    found.rows = sorted(rows.values(), key=lambda r: r.group)
    return found
