"""Progress reports: who is behind, by officer, department, court, campaign or phase (SPEC.md → report).

For a date range and an as-of date, each group counts the items due from the range's start up to
the earlier of its end and the as-of date:

* ``due`` — items due so far: due before the as-of date, or on it and already done (an item due
  today is not behind until the day is over, so a morning report does not flag everyone);
  skipped items (the duty did not apply, with a reason) and withdrawn ones are left out and
  ``skipped`` counts the former;
* ``done`` — of those, done by the as-of date; ``on_time`` — done no later than their due date;
* ``overdue`` — not done and due before the as-of date;
* ``completion`` = done ÷ due and ``on_time_rate`` = on time ÷ due, both 1.0 when nothing is due;
* ``follow_ups`` — follow-ups (督办) aimed at the group and not closed by the as-of date; and
  ``follow_up`` — the group's 督办 over the range: opened, replied in time, late now (督办逾期未反馈),
  sent back, closed, closed with an outcome (约谈, 通报批评, 问责). A follow-up belongs to the group of
  the officer who answers it (for a department or court target: the department or court itself).

The 通报 weighs what was missed: each item counts by its schedule and priority (``weight``: a
quarterly 评查 is not a daily glance), and ``weighted`` = weight done ÷ weight due. It names every
group whose weighted completion is below the threshold, and the ``bottom`` lowest groups that missed
anything (the 排名后N位; at most a third of the groups with anything due: none of fewer than three); an item
overdue by more than ``late_days`` working days is then one more reason given, not a reason to be
named. In ``by="campaign"`` an item counts once for every campaign
it credits, and in ``by="phase"`` once for the stage of each such campaign its due date falls in
(campaigns without stages are left out); everywhere else it counts once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping

from checklist.core.calendar import WorkCalendar
from checklist.core.followups import Counts, Sanction, counts as follow_up_counts, sanctions
from checklist.core.models import Officer, Phase

GROUPINGS = ("officer", "department", "court", "intermediate", "campaign", "phase")  # intermediate: → their 中院
BY_ITEM = ("campaign", "phase")  # groupings an item's campaigns (not its officer) decide


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
    every: str = "month"  # the schedule (or "case"), and the priority: what missing it weighs
    priority: str = "normal"


# What missing an item weighs on the 通报 (docs/report.md → Weighting): how often it comes round, times how
# much it matters. A statutory clock of a case weighs as a monthly duty.
EVERY_WEIGHT = {"day": 1.0, "week": 2.0, "halfmonth": 3.0, "month": 4.0, "quarter": 6.0, "year": 8.0, "once": 8.0,
                "case": 4.0}
PRIORITY_WEIGHT = {"low": 0.5, "normal": 1.0, "high": 2.0}


def weight(every: str, priority: str) -> float:
    return EVERY_WEIGHT.get(every, 4.0) * PRIORITY_WEIGHT.get(priority, 1.0)


@dataclass(frozen=True, slots=True)
class LateItem:
    id: str
    officer: str
    title: str
    due: date
    overdue_days: int
    overdue_workdays: int


@dataclass
class Tally:
    """Counts: one officer's (for ``by="campaign"``, one officer's in one campaign), or a group's."""

    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    skipped: int = 0
    follow_ups: int = 0
    weight_due: float = 0.0  # the weights (``weight``) of the items due and of those done
    weight_done: float = 0.0

    def add(self, other: Tally) -> None:
        self.due += other.due
        self.done += other.done
        self.on_time += other.on_time
        self.overdue += other.overdue
        self.skipped += other.skipped
        self.follow_ups += other.follow_ups
        self.weight_due += other.weight_due
        self.weight_done += other.weight_done


@dataclass
class GroupRow(Tally):
    group: str = ""
    name: str = ""
    late: list[LateItem] = field(default_factory=list)
    responsible: Officer | None = None
    flags: list[dict[str, object]] = field(default_factory=list)
    follow_up: Counts = field(default_factory=Counts)  # flags: {"code": "low_completion" | "bottom" | "long_overdue", …}

    @property
    def completion(self) -> float:
        return self.done / self.due if self.due else 1.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.due if self.due else 1.0

    @property
    def weighted(self) -> float:
        """Weighted completion: the weight of what is done ÷ the weight of what is due (what the 通报 ranks on)."""
        return self.weight_done / self.weight_due if self.weight_due else self.completion

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
    sanctions: list[Sanction] = field(default_factory=list)  # outcomes decided in the range, for the 通报
    bottom: int = 3

    @property
    def laggards(self) -> list[GroupRow]:
        """The groups the 通报 names, worst first: lowest weighted completion, then the longest overdue."""
        return sorted((r for r in self.rows if r.flagged), key=_standing)


def _standing(row: GroupRow) -> tuple[float, int, int, str]:
    return (row.weighted, -row.max_overdue_workdays, -row.overdue, row.group)


def _counted(item: ReportItem, start: date, until: date, as_of: date) -> bool:
    """Due in the range so far: before the as-of day — or on it, once handled (its day is not over)."""
    if item.status == "withdrawn" or not start <= item.due <= until:
        return False
    return item.due < as_of or item.status == "skipped" or _done_by(item, as_of)


def _done_by(item: ReportItem, day: date) -> bool:
    return item.status == "done" and item.done_on is not None and item.done_on <= day


def group_keys(by: str, officer: Officer, rollup: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The (group id, display name) pairs an officer's items count in (by campaign or phase: none —
    the item decides, ``item_groups``).

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
    return []


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



@dataclass
class Tallies:
    """What a report is made of: counts per (officer, campaign or None), the overdue items (for the
    通报 list) and per ISO week the items fell due in [due, done as of the report's day]. Made from items here (``tally``), or by
    a database that counts for itself (a server's ``report_tallies``) — the same figures either way."""

    counts: dict[tuple[str, str | None], Tally] = field(default_factory=dict)
    late: list[ReportItem] = field(default_factory=list)
    weeks: dict[str, list[int]] = field(default_factory=dict)


def week_of(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def item_groups(by: str, campaigns: Iterable[str], due: date, phases: Mapping[str, tuple[Phase, ...]]) -> list[str]:
    """The groups an item of ``campaigns`` due on ``due`` counts in, by campaign or by phase."""
    if by == "campaign":
        return list(campaigns)
    return [p.key for c in campaigns for p in phases.get(c, ()) if p.start <= due <= p.end]


def tally(items: Iterable[ReportItem], officers: Iterable[str], *, start: date, end: date, as_of: date,
          by: str = "officer", phases: Mapping[str, tuple[Phase, ...]] | None = None) -> Tallies:
    """Count ``items`` of ``officers`` due in ``start``..``end`` as of ``as_of`` (see the module's rules);
    for ``by`` campaign or phase, per (officer, group)."""
    wanted = set(officers)
    until = min(end, as_of)
    found = Tallies()
    for item in items:
        if item.officer not in wanted or item.status == "withdrawn" or not start <= item.due <= end:
            continue
        counted = _counted(item, start, until, as_of)
        groups = item_groups(by, item.campaigns, item.due, phases or {}) if by in BY_ITEM else (None,)
        for campaign in groups:
            counts = found.counts.setdefault((item.officer, campaign), Tally())
            if not counted:
                continue
            if item.status == "skipped":
                counts.skipped += 1
                continue
            counts.due += 1
            counts.weight_due += weight(item.every, item.priority)
            if _done_by(item, as_of):
                counts.done += 1
                counts.weight_done += weight(item.every, item.priority)
                if item.done_on is not None and item.done_on <= item.due:
                    counts.on_time += 1
            elif item.due < as_of:
                counts.overdue += 1
        if counted and item.status != "skipped":
            if not _done_by(item, as_of) and item.due < as_of:
                found.late.append(item)
            week = found.weeks.setdefault(week_of(item.due), [0, 0])
            week[0] += 1
            week[1] += _done_by(item, as_of)  # the same measure as the rows: done as of the report's day
    return found


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
    tallies: Tallies | None = None,
    follow_ups: Iterable[tuple[dict, str | None]] = (),
    bottom: int = 3,
    phases: Mapping[str, tuple[Phase, ...]] | None = None,
) -> Report:
    """Count every group's items over ``start``..``end`` as of ``as_of`` (see the module's rules).

    ``campaigns`` maps campaign keys to display names; with ``by="campaign"`` every campaign in it
    gets a row, even one with nothing due yet. ``rollup`` maps courts to their intermediate court
    (``by="intermediate"``); ``levels`` gives an officer's levels (default: the level names among
    their roles), to name whom a department or court answers to. ``tallies``, when a database
    counted for itself, stand for ``items``. ``follow_ups`` are the follow-up records in scope, each
    with the officer who answers it (None for a department or court without one). ``bottom``: how many
    of the lowest groups the 通报 names whatever their completion. ``phases``: each campaign's stages,
    for ``by="phase"`` (every stage of a campaign in ``campaigns`` that overlaps the range gets a row).
    """
    levels = levels or (lambda o: o.roles)
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    officers = list(officers)
    by_id = {o.id: o for o in officers}
    if tallies is None:
        tallies = tally(items, by_id, start=start, end=end, as_of=as_of, by=by, phases=phases)
    until = min(end, as_of)
    rows: dict[str, GroupRow] = {}
    members: dict[str, list[Officer]] = {}
    names = dict(campaigns or {})
    if by == "phase":
        names = {p.key: f"{names[c]} · {p.name}" for c in sorted(names) for p in (phases or {}).get(c, ())
                 if p.start <= end and p.end >= start}
    if by in BY_ITEM:
        for key, name in names.items():
            rows[key] = GroupRow(group=key, name=name)
    else:
        for officer in sorted(officers, key=lambda o: o.id):
            for key, name in group_keys(by, officer, rollup=rollup):
                rows.setdefault(key, GroupRow(group=key, name=name))
                members.setdefault(key, []).append(officer)

    def groups(officer: Officer, campaign: str | None) -> list[tuple[str, str]]:
        return [(campaign, campaign)] if campaign is not None else group_keys(by, officer, rollup=rollup)

    for (officer_id, campaign), counts in sorted(tallies.counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        officer = by_id.get(officer_id)
        if officer is None:
            continue
        for key, name in groups(officer, campaign):
            rows.setdefault(key, GroupRow(group=key, name=names.get(key, name))).add(counts)
    workdays: dict[date, int] = {}  # a province's overdue items share a few dozen due dates
    listed: set[str] = set()  # a server's first few of each campaign can name an item under two of them
    for item in tallies.late:
        officer = by_id.get(item.officer)
        if officer is None or item.id in listed:
            continue
        listed.add(item.id)
        if item.due not in workdays:
            workdays[item.due] = calendar.workdays_between(item.due, as_of)
        keys = item_groups(by, item.campaigns, item.due, phases or {}) if by in BY_ITEM else \
            [key for key, _name in group_keys(by, officer, rollup=rollup)]
        for key in keys:
            rows.setdefault(key, GroupRow(group=key, name=names.get(key, key))).late.append(LateItem(item.id, item.officer, item.title, item.due, (as_of - item.due).days,
                                           workdays[item.due]))

    follow_ups = list(follow_ups)
    for record, answerer in follow_ups:
        found = follow_up_counts(record, start, end, as_of)
        if not found.any:
            continue
        officer = by_id.get(answerer or "")
        target = record["target"]
        if by in BY_ITEM:  # a follow-up on an item counts for the campaigns (their stages) the item credits
            due = target.get("due")
            keys = [(k, k) for k in item_groups(by, target.get("campaigns") or [], date.fromisoformat(due) if due
                                                else as_of, phases or {}) if k in rows]
        elif officer is not None:
            keys = group_keys(by, officer, rollup=rollup)
        elif by == "department" and target.get("department"):
            keys = [(f"{target['court']}/{target['department']}", f"{target['court']} {target['department']}")]
        elif by in ("court", "department"):
            keys = [(str(target.get("court") or ""), str(target.get("court") or ""))]
        elif by == "intermediate":
            upper = (rollup or {}).get(target.get("court") or "", target.get("court") or "")
            keys = [(upper, upper)]
        else:
            continue
        for key, name in keys:
            row = rows.setdefault(key, GroupRow(group=key, name=name))
            row.follow_up.add(found)
            row.follow_ups += found.waiting

    for key, row in rows.items():
        row.late.sort(key=lambda i: (i.due, i.officer, i.title, i.id))
        row.responsible = _responsible(by, key, members.get(key, []), by_id, levels)
        if row.due and row.weighted < threshold:
            row.flags.append({"code": "low_completion", "completion": round(row.weighted, 4), "threshold": threshold})
    missed = sorted((r for r in rows.values() if r.due and r.weighted < 1), key=_standing)
    # the 排名后N位, named even above the threshold — but never more than a third of the groups ranked: three
    # departments have no "bottom three", and one or two groups no bottom at all
    named = min(bottom, sum(1 for r in rows.values() if r.due) // 3)
    for rank, row in enumerate(missed[:named], 1):
        if not row.flags:
            row.flags.append({"code": "bottom", "rank": rank, "of": bottom, "completion": round(row.weighted, 4)})
    for row in rows.values():
        if row.flags and row.max_overdue_workdays > late_days:  # a reason more, for a group already named
            row.flags.append({"code": "long_overdue", "workdays": row.max_overdue_workdays, "limit": late_days})

    trend = []
    week = start - timedelta(days=start.weekday())
    while week <= until:
        label = week_of(week)
        due, done = tallies.weeks.get(label, (0, 0))
        trend.append(TrendPoint(label, due, done))
        week += timedelta(days=7)
    return Report(start, end, as_of, by, list(rows.values()), trend, threshold, late_days,
                  sanctions((record for record, _answerer in follow_ups), start, end, as_of), bottom)
