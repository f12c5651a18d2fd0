"""Progress reports: who is behind, by officer, department, court or campaign (SPEC.md → report).

For a date range and an as-of date, each group counts the items due from the range's start up to
the earlier of its end and the as-of date:

* ``due`` — items due so far: due before the as-of date, or on it and already done (an item due
  today is not behind until the day is over, so a morning report does not flag everyone);
  skipped items (the duty did not apply, with a reason) and withdrawn ones are left out and
  ``skipped`` counts the former;
* ``done`` — of those, done by the as-of date; ``on_time`` — done no later than their due date;
* ``overdue`` — not done and due before the as-of date;
* ``completion`` = done ÷ due and ``on_time_rate`` = on time ÷ due, both 1.0 when nothing is due;
* ``follow_ups`` — open follow-ups (督办) on the group's items due in the range, whatever their
  due date.

A group is flagged when its completion is below the threshold or any item is overdue by more
than ``late_days`` working days. In ``by="campaign"`` an item counts once for every campaign it
credits; everywhere else it counts once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping

from checklist.core.calendar import WorkCalendar
from checklist.core.models import Officer

GROUPINGS = ("officer", "department", "court", "intermediate", "campaign")  # intermediate: basic courts → their 中院


@dataclass(frozen=True, slots=True)
class ReportItem:
    id: str
    officer: str
    key: str
    title: str
    due: date
    status: str  # open | done | skipped | withdrawn
    done_on: date | None
    campaigns: tuple[str, ...]
    follow_up_open: bool = False


@dataclass(frozen=True, slots=True)
class LateItem:
    id: str
    officer: str
    title: str
    due: date
    overdue_days: int
    overdue_workdays: int


@dataclass
class GroupRow:
    group: str
    name: str
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    skipped: int = 0
    follow_ups: int = 0
    late: list[LateItem] = field(default_factory=list)
    responsible: Officer | None = None
    flags: list[dict[str, object]] = field(default_factory=list)  # {"code": "low_completion" | "long_overdue", …}

    @property
    def completion(self) -> float:
        return self.done / self.due if self.due else 1.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.due if self.due else 1.0

    @property
    def max_overdue_workdays(self) -> int:
        return max((i.overdue_workdays for i in self.late), default=0)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class TrendPoint:
    week: str
    due: int
    done: int

    @property
    def completion(self) -> float | None:
        return self.done / self.due if self.due else None


@dataclass
class Report:
    start: date
    end: date
    as_of: date
    by: str
    rows: list[GroupRow]
    trend: list[TrendPoint]
    threshold: float
    late_days: int

    @property
    def laggards(self) -> list[GroupRow]:
        """Flagged groups, worst first: lowest completion, then the longest overdue."""
        flagged = [r for r in self.rows if r.flagged]
        return sorted(flagged, key=lambda r: (r.completion, -r.max_overdue_workdays, -r.overdue, r.group))


def _counted(item: ReportItem, start: date, until: date, as_of: date) -> bool:
    """Due in the range so far: before the as-of day — or on it, once handled (its day is not over)."""
    if item.status == "withdrawn" or not start <= item.due <= until:
        return False
    return item.due < as_of or item.status == "skipped" or _done_by(item, as_of)


def _done_by(item: ReportItem, day: date) -> bool:
    return item.status == "done" and item.done_on is not None and item.done_on <= day


def group_keys(by: str, officer: Officer, item: ReportItem | None = None,
               rollup: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The (group id, display name) pairs an officer's item counts in.

    ``rollup`` maps a court to the intermediate court (中院) it belongs to, for ``by="intermediate"``;
    a court it does not name stands for itself.
    """
    if by == "officer":
        return [(officer.id, officer.name or officer.id)]
    if by == "department":
        return [(f"{officer.court}/{officer.department}", f"{officer.court} {officer.department}".strip())]
    if by == "court":
        return [(officer.court, officer.court)]
    if by == "intermediate":
        upper = (rollup or {}).get(officer.court, officer.court)
        return [(upper, upper)]
    return [(c, c) for c in (item.campaigns if item else ())]


def _responsible(by: str, group: str, members: list[Officer], everyone: dict[str, Officer],
                 levels: Callable[[Officer], Iterable[str]]) -> Officer | None:
    if by == "officer":
        return members[0] if members else None
    if by == "department":
        leads = sorted((o for o in members if "lead" in levels(o)), key=lambda o: o.id)
        if leads:
            return leads[0]
        # no lead sits in the department (a team led from another one): whom its members answer to
        answer_to = Counter(o.lead for o in members if o.lead in everyone)
        return everyone[min(answer_to, key=lambda i: (-answer_to[i], i))] if answer_to else None
    if by in ("court", "intermediate"):
        chiefs = sorted((o for o in members if "chief" in levels(o) and o.court == group), key=lambda o: o.id)
        return chiefs[0] if chiefs else None
    return None


def build_report(
    officers: Iterable[Officer],
    items: Iterable[ReportItem],
    *,
    by: str,
    start: date,
    end: date,
    as_of: date,
    calendar: WorkCalendar,
    threshold: float = 0.8,
    late_days: int = 5,
    campaigns: dict[str, str] | None = None,
    rollup: Mapping[str, str] | None = None,
    levels: Callable[[Officer], Iterable[str]] | None = None,
) -> Report:
    """Count every group's items over ``start``..``end`` as of ``as_of`` (see the module's rules).

    ``campaigns`` maps campaign keys to display names; with ``by="campaign"`` every campaign in it
    gets a row, even one with nothing due yet. ``rollup`` maps courts to their intermediate court
    (``by="intermediate"``); ``levels`` gives an officer's levels (default: the level names among
    their roles), to name whom a department or court answers to.
    """
    levels = levels or (lambda o: o.roles)
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    officers = list(officers)
    by_id = {o.id: o for o in officers}
    until = min(end, as_of)
    rows: dict[str, GroupRow] = {}
    members: dict[str, list[Officer]] = {}
    if by == "campaign":
        for key, name in sorted((campaigns or {}).items()):
            rows[key] = GroupRow(key, name)
    else:
        for officer in sorted(officers, key=lambda o: o.id):
            for key, name in group_keys(by, officer, rollup=rollup):
                rows.setdefault(key, GroupRow(key, name))
                members.setdefault(key, []).append(officer)

    week_counts: dict[str, list[int]] = {}
    for item in items:
        officer = by_id.get(item.officer)
        if officer is None or item.status == "withdrawn" or not start <= item.due <= end:
            continue
        counted = _counted(item, start, until, as_of)
        for key, name in group_keys(by, officer, item, rollup):
            row = rows.setdefault(key, GroupRow(key, (campaigns or {}).get(key, name)))
            if item.follow_up_open:  # a 督办 is open whatever the item's due date
                row.follow_ups += 1
            if not counted:
                continue
            if item.status == "skipped":
                row.skipped += 1
                continue
            row.due += 1
            if _done_by(item, as_of):
                row.done += 1
                if item.done_on is not None and item.done_on <= item.due:
                    row.on_time += 1
            elif item.due < as_of:
                row.overdue += 1
                row.late.append(LateItem(item.id, item.officer, item.title, item.due, (as_of - item.due).days,
                                         calendar.workdays_between(item.due, as_of)))
        if counted and item.status != "skipped":
            iso = item.due.isocalendar()
            counts = week_counts.setdefault(f"{iso.year}-W{iso.week:02d}", [0, 0])
            counts[0] += 1
            counts[1] += _done_by(item, min(as_of, item.due + timedelta(days=6 - item.due.weekday())))

    for key, row in rows.items():
        row.late.sort(key=lambda i: (i.due, i.officer, i.title))
        row.responsible = _responsible(by, key, members.get(key, []), by_id, levels)
        if row.due and row.completion < threshold:
            row.flags.append({"code": "low_completion", "completion": round(row.completion, 4), "threshold": threshold})
        if row.max_overdue_workdays > late_days:
            row.flags.append({"code": "long_overdue", "workdays": row.max_overdue_workdays, "limit": late_days})

    trend = []
    week = start - timedelta(days=start.weekday())
    while week <= until:
        iso = week.isocalendar()
        label = f"{iso.year}-W{iso.week:02d}"
        due, done = week_counts.get(label, (0, 0))
        trend.append(TrendPoint(label, due, done))
        week += timedelta(days=7)
    return Report(start, end, as_of, by, list(rows.values()), trend, threshold, late_days)
