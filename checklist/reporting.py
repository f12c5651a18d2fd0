"""`checklist report`: gather the items in the viewer's scope, count them, and write the result.

The counting rules live in ``checklist.core.report``; this module chooses the date range and the
scope, reads the items, and turns the report into JSON, CSV or Markdown (the Rich table is in
``checklist.render``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from checklist.context import Env
from checklist.core.report import GROUPINGS, GroupRow, Report, ReportItem, build_report, group_keys
from checklist.errors import InputError
from checklist.core.models import Officer
from checklist.i18n import _, ngettext, pgettext, short_date


@dataclass(frozen=True)
class LateRecord:
    """Work claimed for one day but recorded (by the clock) some working days later."""

    id: str
    officer: str
    title: str
    claimed: date
    recorded: date
    workdays: int


@dataclass(frozen=True)
class Leaver:
    """Someone who left (离岗) and still has open items for their lead to hand on."""

    officer: Officer
    open: list[str]


@dataclass
class ReportResult:
    report: Report
    scope: dict[str, str]
    campaigns: dict[str, str]
    names: dict[str, str]  # officer id → name, for the 通报 list
    recorded_late: list[LateRecord] = field(default_factory=list)
    record_days: int = 3
    notes: list[str] = field(default_factory=list)
    left: list[Leaver] = field(default_factory=list)
    answering: dict[str, list[Officer]] = field(default_factory=dict)  # follow-up id → whom it holds to account
    ranked: Ranking | None = None  # --rank-by: the 通报 on an indicator
    follow_ups: list[dict[str, Any]] = field(default_factory=list)  # in the scope and open at some point of the range


@dataclass
class Ranking:
    """The bottom groups on one indicator (``report --rank-by``): worst first; groups with nothing to
    divide are left out, not ranked last."""

    indicator: str
    rows: list[tuple[str, str, float | int]]  # (group, name, value)
    bottom: int


# The most overdue items any page names under one group (the workbook; the table names 3, html and md 5).
LATE_NAMED = 10


def make_report(env: Env, *, by: str = "officer", viewer_id: str | None = None, start: date, end: date,
                threshold: float = 0.8, late_days: int = 5, record_days: int = 3, bottom: int = 3,
                late_each: int | None = None) -> ReportResult:
    """The report for ``start`` … ``end`` as of today, in the viewer's scope (a read: it never writes).

    Each group's overdue items are all listed, or with ``late_each`` only the first that many (a server
    then sends no more; a page names no more, and the group's ``overdue`` count says how many there are)."""
    from checklist.calendars import stored_calendar
    from checklist.sync import phases_from_meta, templates_notes

    if by not in GROUPINGS:
        raise InputError(_("a report groups by one of {values}").format(values=", ".join(GROUPINGS)), field="by")
    if not 0 <= threshold <= 1:
        raise InputError(_("the completion threshold is a share between 0 and 1, like 0.8"), field="threshold")
    from checklist.identity import identify
    from checklist.service import viewed_scope

    with env.store().reading() as reader:
        access = identify(reader, env)
        members, label = viewed_scope(reader, access, viewer_id)
        notes = templates_notes(reader, env)
        stored = reader.meta()
        calendar = stored_calendar(stored.get("calendar"))
        meta = stored.get("campaigns", {})
        phases = phases_from_meta(meta)
        rules = access.rules
        rollup = {o.court: rules.intermediate(o.court) for o in members}
        items: list[ReportItem] = []
        late_records: list[LateRecord] = []
        tallies = None
        counted_by_server = getattr(reader, "report_tallies", None)
        if counted_by_server is not None:  # a server counts in SQL: the same rules, without every item in Python
            ids = [o.id for o in members]
            group_of = {o.id: key for o in members for key, _name in group_keys(by, o, rollup=rollup)}
            tallies, recorded = counted_by_server(ids, start, end, env.today, record_days, by=by, phases=phases,
                                                  late_each=late_each, group_of=group_of)
            for item_id, officer_id, title, done_on, recorded_on in recorded:
                gap = calendar.workdays_between(done_on, recorded_on)
                if gap > record_days:
                    late_records.append(LateRecord(item_id, officer_id, title, done_on, recorded_on, gap))
        for officer in members if tallies is None else ():
            for doc in reader.items(officer.id, start.isoformat(), end.isoformat()):
                due = date.fromisoformat(doc["due"])
                done_at = doc.get("done_at")
                done_on = date.fromisoformat(done_at[:10]) if done_at else None
                items.append(ReportItem(
                    id=doc["id"], officer=officer.id, key=doc["key"], title=doc["title"], due=due,
                    status=counted_status(doc), done_on=done_on,
                    campaigns=tuple(doc["campaigns"]), every=doc.get("every") or "month",
                    priority=doc.get("priority") or "normal",
                ))
                recorded_at = doc.get("recorded_at")
                if doc["status"] == "done" and done_on is not None and recorded_at:
                    recorded_on = date.fromisoformat(recorded_at[:10])
                    gap = calendar.workdays_between(done_on, recorded_on) if recorded_on > done_on else 0
                    if gap > record_days:
                        late_records.append(LateRecord(doc["id"], officer.id, doc["title"], done_on, recorded_on, gap))
        register = reader.follow_ups()
        left = [Leaver(o, [i["id"] for i in reader.items(o.id) if i["status"] == "open"])
                for o in members if o.until is not None and o.until < env.today]
        left = [leaver for leaver in left if leaver.open]
    campaigns = {
        key: c.get("short") or c.get("name") or key for key, c in meta.items()
        if c.get("start", "") <= end.isoformat() and c.get("end", "9999") >= start.isoformat()
    }
    from checklist.core.followups import answerers as fu_answerers

    follow_ups = answered_follow_ups(register, access, members, label)
    report = build_report(members, items, by=by, start=start, end=end, as_of=env.today, calendar=calendar,
                          threshold=threshold, late_days=late_days, campaigns=campaigns, rollup=rollup,
                          levels=rules.levels,
                          tallies=tallies, follow_ups=follow_ups, bottom=bottom, phases=phases)
    late_records.sort(key=lambda r: (-r.workdays, r.officer, r.claimed, r.title, r.id))
    for leaver in left:
        o = leaver.officer
        notes.append(ngettext(
            "note: {name} ({id}) left on {day} with {n} open item; hand it on: checklist reassign {ids} --to ID",
            "note: {name} ({id}) left on {day} with {n} open items; hand them on: checklist reassign {ids} --to ID",
            len(leaver.open)).format(name=o.name, id=o.id, day=o.until, n=len(leaver.open),
                                     ids=" ".join(i[:6] for i in leaver.open)))
    answering = {record["id"]: fu_answerers(record["target"], access) for record, _answerer in follow_ups}
    return ReportResult(report, label, campaigns, {o.id: o.name for o in members}, late_records, record_days, notes,
                        left, answering, follow_ups=[record for record, _answerer in follow_ups
                                                     if open_within(record, start, end)])


def answered_follow_ups(register: list[dict[str, Any]], access: Any, members: list[Officer],
                        label: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
    """The follow-ups in the report's scope, each with the officer who answers it (a department's or
    court's first lead or chief; None when it has none)."""
    from checklist.core import followups as fu
    from checklist.followup import in_scope

    ids = {o.id for o in members}
    found = []
    for record in register:
        if not in_scope(record, access, ids, label.get("kind") == "everyone"):
            continue
        people = fu.answerers(record["target"], access)
        answerer = record["target"].get("officer") or (people[0].id if people else None)
        found.append((record, answerer))
    return found


HIGHER_IS_WORSE = ("over_12_months", "funds_overdue")


def rank(env: Env, indicator: str, *, by: str, viewer_id: str | None, start: date, end: date,
         bottom: int) -> Ranking:
    """The groups ranked on ``indicator`` over the same range and scope, worst first."""
    from checklist.core.indicators import FIELDS
    from checklist.indicators import GROUPINGS, make_indicators

    if indicator not in FIELDS:
        raise InputError(_("--rank-by takes one of {values}").format(values=", ".join(FIELDS)), field="rank-by")
    if by not in GROUPINGS:
        raise InputError(_("--rank-by ranks officers, departments, courts or 中院, not {by}").format(by=by),
                         field="by")
    found = make_indicators(env, by=by, viewer_id=viewer_id, start=start, end=end).indicators
    valued = [(row.group, row.name, row.value(indicator)) for row in found.rows]
    rows = [(g, n, v) for g, n, v in valued if v is not None]
    rows.sort(key=lambda r: (-r[2] if indicator in HIGHER_IS_WORSE else r[2], r[0]))  # type: ignore[operator]
    return Ranking(indicator, rows, bottom)


def open_within(record: dict[str, Any], start: date, end: date) -> bool:
    """Whether a follow-up was open at some point of ``start`` … ``end`` (what the workbook and page list)."""
    closed = str(record.get("closed_at") or "")[:10]
    return record["opened_at"][:10] <= end.isoformat() and (not closed or closed >= start.isoformat())


def row_label(row: GroupRow, by: str) -> str:
    """A group's name as a sheet or page shows it: an officer with their id."""
    return row.name if by != "officer" or row.name == row.group else f"{row.name} ({row.group})"


def sanctioned(sanction: Any, result: ReportResult) -> list[dict[str, str]]:
    """Whom a 通报 outcome names: the officer, or the lead or chief answering for a department or court."""
    return [{"id": o.id, "name": o.name} for o in result.answering.get(sanction.id, [])]


def counted_status(item: dict[str, Any]) -> str:
    """The status a report counts: an item handed on (reassign) after it fell due stays an open item of
    the officer who did not do it — their past figures do not change; one handed on in time is theirs no more."""
    if item.get("reassigned_to") and item["due"] < (item.get("reassigned_on") or ""):
        return "open"
    return item["status"]


# -- output formats --------------------------------------------------------------------------------------


def row_json(row: GroupRow) -> dict[str, Any]:
    return {
        "group": row.group, "name": row.name, "due": row.due, "done": row.done, "on_time": row.on_time,
        "overdue": row.overdue, "skipped": row.skipped, "follow_ups": row.follow_ups,
        "completion": round(row.completion, 4), "on_time_rate": round(row.on_time_rate, 4),
        "weighted_completion": round(row.weighted, 4),
        "max_overdue_workdays": row.max_overdue_workdays, "flagged": row.flagged, "flags": row.flags,
        "responsible": {"id": row.responsible.id, "name": row.responsible.name} if row.responsible else None,
        "follow_up": asdict(row.follow_up),
    }


def report_json(result: ReportResult) -> dict[str, Any]:
    report = result.report
    return {
        "from": report.start.isoformat(), "to": report.end.isoformat(), "as_of": report.as_of.isoformat(),
        "by": report.by, "scope": result.scope, "threshold": report.threshold, "late_days": report.late_days,
        "bottom": report.bottom,
        "rows": [row_json(r) for r in report.rows],
        "laggards": [
            {
                **row_json(r),
                "late": [{"id": i.id, "officer": i.officer, "officer_name": result.names.get(i.officer, ""),
                          "title": i.title, "due": i.due.isoformat(), "overdue_days": i.overdue_days,
                          "overdue_workdays": i.overdue_workdays} for i in r.late],
            }
            for r in report.laggards
        ],
        "trend": [{"week": p.week, "due": p.due, "done": p.done,
                   "completion": None if p.completion is None else round(p.completion, 4)} for p in report.trend],
        "recorded_late": [
            {"id": r.id, "officer": r.officer, "officer_name": result.names.get(r.officer, ""), "title": r.title,
             "claimed": r.claimed.isoformat(), "recorded": r.recorded.isoformat(), "workdays": r.workdays}
            for r in result.recorded_late
        ],
        "recorded_late_days": result.record_days,
        **({"ranked": {"by": result.ranked.indicator, "bottom": result.ranked.bottom,
                       "rows": [{"group": g, "name": n, "value": v} for g, n, v in result.ranked.rows]}}
           if result.ranked else {}),
        "sanctions": [{"id": s.id, "outcome": s.outcome, "date": s.day, "no": s.no or None,
                       "target": {"kind": s.target["kind"], "id": s.target["id"], "name": s.target.get("name")},
                       "people": sanctioned(s, result), "closed_by": s.closed_by} for s in report.sanctions],
        "left": [{"officer": {"id": leaver.officer.id, "name": leaver.officer.name},
                  "until": leaver.officer.until.isoformat() if leaver.officer.until else None, "open": leaver.open}
                 for leaver in result.left],
    }


CSV_COLUMNS = ("group", "name", "due", "done", "on_time", "overdue", "skipped", "follow_ups", "completion",
               "on_time_rate", "weighted_completion", "max_overdue_workdays", "flagged", "responsible")


def safe_cell(value: Any) -> Any:
    """A cell no spreadsheet will run as a formula: text starting with = + - @ tab or CR gets a '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def row_cells(row: GroupRow) -> dict[str, Any]:
    """A report row flattened for a spreadsheet: text and numbers only."""
    data = row_json(row)
    data["flagged"] = "yes" if row.flagged else "no"
    data["responsible"] = (row.responsible.name or row.responsible.id) if row.responsible else ""
    return data


def report_csv(result: ReportResult) -> str:
    """UTF-8 with a BOM (so Excel opens it cleanly), one row per group."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.report.rows:
        data = row_cells(row)
        writer.writerow([safe_cell(data[c]) for c in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def _md(text: Any) -> str:
    from checklist.core.text import visible

    return visible(str(text)).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def report_markdown(result: ReportResult) -> str:
    from checklist.render.lead import flag_text, group_label, scope_label

    report = result.report
    lines = [
        "# " + _("Report {start} … {end} (as of {as_of}), by {by}").format(
            start=report.start, end=report.end, as_of=report.as_of, by=group_label(report.by)),
        "",
        _("Scope: {scope}").format(scope=_md(scope_label(result.scope))),
        "",
        "| " + " | ".join((group_label(report.by), pgettext("report column: items due so far", "due"), _("done"),
                           _("on time"), _("overdue"), _("督办"), _("completion"), _("on-time rate"), _("weighted"),
                           _("flagged"))) + " |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in report.rows:
        rates = (f"{row.completion:.0%} | {row.on_time_rate:.0%} | {row.weighted:.0%}" if row.due else "— | — | —")
        lines.append(
            f"| {_md(row.name)} | {row.due} | {row.done} | {row.on_time} | {row.overdue} | {row.follow_ups} | "
            f"{rates} | {'⚑' if row.flagged else ''} |"
        )
    if report.laggards:
        lines += ["", "## " + _("通报 (flagged, worst first)"), ""]
        for n, row in enumerate(report.laggards, 1):
            who = ""
            if row.responsible and report.by != "officer":  # an officer answers for themselves: said once
                who = " — " + _("responsible: {name}").format(name=_md(row.responsible.name or row.responsible.id))
            flags = _("; ").join(_md(flag_text(f, report)) for f in row.flags)
            lines.append(f"{n}. **{_md(row.name)}**{who} — {flags}")
            for item in row.late[:5]:
                owner = result.names.get(item.officer, item.officer)
                lines.append("   - " + _md(item.title) + "  " + _md(ngettext(
                    "{owner} · due {day} · {n} working day late ({days}d)",
                    "{owner} · due {day} · {n} working days late ({days}d)", item.overdue_workdays).format(
                    owner=owner, day=short_date(item.due), n=item.overdue_workdays, days=item.overdue_days)))
    return "\n".join(lines) + "\n"


def weeks_label(start: date, end: date) -> str:
    days = (end - start).days + 1
    if days == 7 and start.weekday() == 0:
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if start.day == 1 and (end + timedelta(days=1)).day == 1 and start.month == end.month:
        return f"{start:%Y-%m}"
    return f"{start} … {end}"
