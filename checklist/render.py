"""What users see: Rich tables and lines built from the library's results, and JSON for scripts.

Each ``*_view`` function returns Rich renderables for one command's result; each ``*_json``
returns the JSON document SPEC.md promises. Both take the same result object, so the table and
``--json`` never disagree. Nothing here decides anything: it only lays out what it is given.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the core's merge and templates are not loaded by `checklist today`
    from checklist.core.merge import Plan
    from checklist.core.models import Campaign, Duty, Officer, TemplateSet

WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_WORD = {
    "day": "daily", "week": "weekly", "halfmonth": "half-monthly", "month": "monthly",
    "quarter": "quarterly", "year": "yearly", "once": "once",
}


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def emit_json(document: Any) -> None:
    """One JSON document on stdout (Chinese as text, dates as ISO strings)."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def schedule_text(duty: Duty) -> str:
    """'weekly, Mon' · 'monthly, 20th' · 'half-monthly, last day' · 'every working day'."""
    if duty.every == "day":
        return "every working day"
    if duty.every == "once":
        return f"once, {duty.due_text}"
    if duty.every == "week":
        return f"weekly, {WEEKDAY[int(duty.due)]}"  # type: ignore[arg-type]
    if duty.every == "year":
        return f"yearly, {duty.due_text}"
    day = "last day" if duty.due_text == "last" else ordinal(int(duty.due_text))
    return f"{EVERY_WORD[duty.every]}, {day}"


def officer_json(officer: Officer) -> dict[str, Any]:
    return {
        "id": officer.id, "name": officer.name, "court": officer.court, "department": officer.department,
        "roles": list(officer.roles), "lead": officer.lead or None, "since": officer.since,
    }


def officer_heading(officer: Officer, today: date) -> Text:
    text = Text()
    text.append(officer.name or officer.id, style="bold")
    if officer.name:
        text.append(f" ({officer.id})")
    where = " ".join(x for x in (officer.court, officer.department) if x)
    if where:
        text.append(f" · {where}")
    text.append(f" · {today.isoformat()}", style="dim")
    return text


# -- plan -------------------------------------------------------------------------------------


def plan_json(officer: Officer, plan: Plan, templates: TemplateSet, today: date) -> dict[str, Any]:
    return {
        "officer": officer_json(officer),
        "date": today,
        "lines": [
            {
                "key": line.key,
                "title": line.title,
                "every": line.every,
                "campaigns": list(line.campaigns),
                "sources": [
                    {"campaign": c.key, "title": d.title, "every": d.every, "due": d.due_text or None,
                     "start": c.start, "end": c.end}
                    for c, d in line.sources
                ],
            }
            for line in plan.lines
        ],
        "summary": {"duties": plan.duties, "campaigns": plan.campaigns, "lines": len(plan.lines),
                    "merged": plan.merged},
    }


def relief_line(plan: Plan) -> str:
    lines = len(plan.lines)
    return (
        f"{plan.duties} dut{'ies' if plan.duties != 1 else 'y'} asked by {plan.campaigns} "
        f"campaign{'s' if plan.campaigns != 1 else ''} → {lines} line{'s' if lines != 1 else ''} "
        f"on your list ({plan.merged} merged)"
    )


def plan_view(officer: Officer, plan: Plan, templates: TemplateSet, today: date) -> RenderableType:
    if not plan.lines:
        return Group(officer_heading(officer, today), Text("No campaign asks anything of this officer.", style="dim"))
    campaigns = templates.campaigns
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Duty", overflow="fold")
    table.add_column("When", no_wrap=True)
    table.add_column("Campaigns", overflow="fold", max_width=22)
    for line in plan.lines:
        merged = len(line.sources) > 1
        finest = line.sources[0][1]
        when = EVERY_WORD[finest.every] if merged else schedule_text(finest)
        labels = ", ".join(campaigns[c].label for c in line.campaigns)
        table.add_row(Text(line.title, style="bold"), when, labels)
        if merged:
            for campaign, duty in line.sources:
                table.add_row(
                    Text(f"↳{duty.title}", style="dim"),
                    Text(schedule_text(duty), style="dim"),
                    Text(f"{campaign.label} {_window(campaign)}", style="dim"),
                )
    return Group(officer_heading(officer, today), table, Text(relief_line(plan), style="bold green"))


def _window(campaign: Campaign) -> str:
    return f"{campaign.start:%m-%d}…{campaign.end:%m-%d}"


# -- templates ---------------------------------------------------------------------------------


def campaign_status(campaign: Campaign, today: date) -> str:
    if today < campaign.start:
        return "upcoming"
    return "ended" if today > campaign.end else "active"


def templates_json(templates: TemplateSet, today: date) -> dict[str, Any]:
    by_campaign: dict[str, list[str]] = {}
    for duty in templates.duties:
        by_campaign.setdefault(duty.campaign, []).append(duty.key)
    return {
        "date": today,
        "campaigns": [
            {
                "key": c.key, "name": c.name, "short": c.short or None, "start": c.start, "end": c.end,
                "status": campaign_status(c, today),
                "scope": {"courts": list(c.scope.courts), "departments": list(c.scope.departments)},
                "duties": by_campaign.get(c.key, []), "file": c.where.rsplit(":", 1)[0],
            }
            for c in templates.campaigns.values()
        ],
        "library": [{"key": d.key, "title": d.title, "every": d.every} for d in templates.library.values()],
    }


def templates_view(templates: TemplateSet, today: date) -> RenderableType:
    counts: dict[str, int] = {}
    for duty in templates.duties:
        counts[duty.campaign] = counts.get(duty.campaign, 0) + 1
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Campaign", overflow="fold")
    table.add_column("Dates", no_wrap=True)
    table.add_column("Scope", overflow="fold")
    table.add_column("Duties", justify="right")
    for c in templates.campaigns.values():
        status = campaign_status(c, today)
        name = Text(c.name, style="bold" if status == "active" else "dim")
        name.append(f"\n{c.key}", style="dim")
        scope = "、".join(c.scope.courts + c.scope.departments) or "everyone"
        dates = Text(f"{c.start} …\n{c.end}")
        if status != "active":
            dates.append(f" ({status})", style="dim")
        table.add_row(name, dates, scope, str(counts.get(c.key, 0)))
    footer = Text(f"{len(templates.library)} standard duties in the library", style="dim")
    return Group(table, footer)


def lines_to(console: Console, lines: Iterable[str], style: str = "") -> None:
    for line in lines:
        console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)


# -- today -------------------------------------------------------------------------------------------


def day_name(day: date) -> str:
    return WEEKDAY[day.weekday()]


def _relative(item: dict[str, Any], today: date) -> Text:
    due = date.fromisoformat(item["due"])
    status = item["status"]
    if status != "open":
        return Text(status, style="green" if status == "done" else "dim")
    delta = (due - today).days
    if delta < 0:
        return Text(f"{-delta}d late", style="bold red")
    if delta == 0:
        return Text("today", style="bold yellow")
    if delta == 1:
        return Text("tomorrow")
    return Text(f"in {delta}d", style="dim")


PRIORITY_STYLE = {"high": ("high", "bold red"), "normal": ("norm", "dim"), "low": ("low", "dim")}


def text_bar(done: int, total: int, width: int = 16) -> Text:
    """A progress bar that reads without colour too: █████░░░░░."""
    filled = width if total == 0 else round(width * done / total)
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    return bar


def campaign_marks(labels: dict[str, str]) -> dict[str, str]:
    """A one- or two-character mark per campaign (its short name's first characters), all distinct."""
    marks: dict[str, str] = {}
    for key in sorted(labels):
        label = labels[key]
        for size in range(1, len(label) + 1):
            mark = label[:size]
            if mark not in marks.values():
                break
        else:
            mark = key
        marks[key] = mark
    return marks


OVERDUE_SHOWN = 10  # a list read in a blink: the oldest ten, and a count of the rest


def today_view(view: Any, width: int = 80, show_all: bool = False) -> RenderableType:
    """``checklist today``: overdue, due today, coming up, and the week's progress.

    Below 100 columns, campaigns are shown by a one-character mark with a legend underneath, so
    the duty's title keeps the room.
    """
    today = view.date
    heading = officer_heading(view.officer, today)
    heading.append(f" {day_name(today)}", style="dim")
    parts: list[RenderableType] = [heading]
    used = sorted({c for items in (view.follow_ups, view.overdue, view.due_today, view.upcoming) for i in items
                   for c in i["campaigns"]})
    labels = {c: view.label(c) for c in used}
    compact = width < 100
    marks = campaign_marks(labels) if compact else labels

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=True)
    table.add_column("id", no_wrap=True)
    table.add_column("duty", overflow="fold", min_width=16)
    table.add_column("due", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("campaigns", overflow="fold", max_width=10 if compact else 30)
    table.add_column("pri", no_wrap=True)

    def add(item: dict[str, Any], extra: str = "") -> None:
        due = date.fromisoformat(item["due"])
        open_ = item["status"] == "open"
        title = Text(item["title"], style="" if open_ else "dim")
        if extra:
            title.append(f" ({extra})", style="dim")
        word, style = PRIORITY_STYLE.get(item["priority"], ("norm", "dim"))
        table.add_row(
            Text(view.short.get(item["id"], item["id"][:6]), style="cyan" if open_ else "dim"),
            title,
            f"{day_name(due)} {due:%m-%d}",
            _relative(item, today),
            Text(" ".join(marks.get(c, c) for c in item["campaigns"]), style="" if open_ else "dim"),
            Text(word, style=style if open_ else "dim"),
        )

    def add_grouped(items: list[dict[str, Any]], more: str, limit: int | None = None) -> int:
        """Daily duties appear once per key: the first, with how many more there are.

        Returns how many items did not fit under ``limit`` lines.
        """
        daily: dict[str, int] = {}
        for item in items:
            if item["every"] == "day":
                daily[item["key"]] = daily.get(item["key"], 0) + 1
        shown: set[str] = set()
        lines = covered = 0
        for item in items:
            if item["every"] == "day" and item["key"] in shown:
                continue
            if limit is not None and lines >= limit:
                break
            lines += 1
            if item["every"] != "day":
                add(item)
                covered += 1
            else:
                shown.add(item["key"])
                count = daily[item["key"]] - 1
                add(item, f"daily, {count} more {more}" if count else "")
                covered += daily[item["key"]]
        return len(items) - covered

    def section(title: str, count: int, style: str) -> None:
        if table.row_count:
            table.add_row()
        table.add_row("", Text(f"{title} · {count}", style=style))

    if view.follow_ups:
        from checklist.work import open_follow_up

        section("Follow-ups (督办)", len(view.follow_ups), "bold magenta")
        for item in view.follow_ups:
            follow_up = open_follow_up(item) or {}
            add(item, f"督办 {follow_up.get('by', '')}: {follow_up.get('note', '')}; reply by "
                      f"{follow_up.get('reply_due', '')[5:]}")
    if view.overdue:
        section("Overdue", len(view.overdue), "bold red")
        hidden = add_grouped(view.overdue, "overdue", None if show_all else OVERDUE_SHOWN)
        if hidden:
            table.add_row("", Text(f"+{hidden} more overdue (--all)",
                                   style="red"))
    if view.due_today:
        section("Due today", sum(1 for i in view.due_today if i["status"] == "open"), "bold yellow")
        for item in view.due_today:
            add(item)
    upcoming = [i for i in view.upcoming if i["status"] == "open"]
    if upcoming:
        section(f"Next {view.days} days", len(upcoming), "bold")
        add_grouped(upcoming, "to come")
    if table.row_count:
        parts.append(table)
    else:
        parts.append(Text(f"Nothing overdue and nothing due in the next {view.days} days.", style="green"))
    if compact and marks:
        legend = Text("  ".join(f"{marks[c]} = {labels[c]}" for c in used), style="dim")
        parts.append(legend)

    due_today = sum(1 for i in view.due_today if i["status"] == "open")
    summary = text_bar(view.week_done, view.week_due)
    follow = f"{len(view.follow_ups)} follow-up{'s' if len(view.follow_ups) != 1 else ''} · " if view.follow_ups else ""
    summary.append(
        f" this week {view.week_done}/{view.week_due} done · {follow}{len(view.overdue)} overdue · "
        f"{due_today} due today · {len(upcoming)} coming",
        style="bold",
    )
    parts.append(summary)
    return Group(*parts)


# -- one item -------------------------------------------------------------------------------------------


def show_view(detail: Any) -> RenderableType:
    item = detail.item
    due = date.fromisoformat(item["due"])
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    head = Text(item["id"], style="cyan")
    head.append("  ")
    head.append(item["title"], style="bold")
    who = f"{detail.officer.name} ({detail.officer.id})" if detail.officer.name else detail.officer.id
    grid.add_row("officer", who)
    grid.add_row("due", f"{due.isoformat()} {day_name(due)} · period {item['period']} ({EVERY_WORD[item['every']]})")
    status = Text(item["status"], style="green" if item["status"] == "done" else "")
    days = (detail.today - due).days
    if item["status"] == "open" and days > 0:
        status.append(f" · {days} days overdue", style="bold red")
    if item.get("done_at"):
        status.append(f" · {item['done_at'][:16].replace('T', ' ')}", style="dim")
    grid.add_row("status", status)
    grid.add_row("priority", item["priority"])
    sources = Text()
    for n, source in enumerate(item.get("sources", [])):
        if n:
            sources.append("\n")
        label = detail.campaigns.get(source["campaign"], {}).get("short") or source["campaign"]
        sources.append(f"{label}: ", style="bold")
        sources.append(source["title"])
        if source.get("absorbed"):
            sources.append(f" ({EVERY_WORD[source['every']]}, covered by this item)", style="dim")
    grid.add_row("campaigns", sources)
    if item.get("tags"):
        grid.add_row("tags", "、".join(item["tags"]))
    if item.get("basis"):
        grid.add_row("basis", item["basis"])
    for field_name in ("note", "reason"):
        if item.get(field_name):
            grid.add_row(field_name, item[field_name])
    parts: list[RenderableType] = [head, grid]
    if detail.history:
        history = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=None)
        history.add_column("when", no_wrap=True)
        history.add_column("who", overflow="fold")
        history.add_column("what", overflow="fold")
        for entry in detail.history:
            what = Text(entry["action"], style="bold")
            before, after = entry.get("before") or {}, entry.get("after") or {}
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key) and key not in ("done_at", "note", "reason"):
                    what.append(f"  {key}: {before.get(key)} → {after.get(key)}", style="dim")
            if entry.get("note"):
                what.append(f"  “{entry['note']}”")
            history.add_row(entry["at"][:16].replace("T", " "), entry["actor"], what)
        parts += [Text("history", style="bold"), history]
    else:
        parts.append(Text("no changes yet", style="dim"))
    return Group(*parts)


# -- roster -----------------------------------------------------------------------------------------------


def roster_view(officers: list[Officer]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in ("id", "name", "court", "department", "roles", "lead", "since"):
        table.add_column(name, overflow="fold", no_wrap=name in ("id", "since"))
    for o in officers:
        table.add_row(o.id, o.name, o.court, o.department, ", ".join(o.roles), o.lead,
                      o.since.isoformat() if o.since else "")
    return Group(table, Text(f"{len(officers)} officers", style="dim"))


# -- report -----------------------------------------------------------------------------------------------

SPARKS = "▁▂▃▄▅▆▇█"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def report_view(result: Any, width: int = 100) -> RenderableType:
    """The lead's view: a row per group with a progress bar, the weekly trend, and the 通报 list."""
    from checklist.reporting import weeks_label

    report = result.report
    heading = Text()
    heading.append(f"Report {weeks_label(report.start, report.end)}", style="bold")
    heading.append(f" ({report.start} … {report.end}) · as of {report.as_of} · by {report.by} · "
                   f"{result.scope}", style="dim")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(report.by, overflow="fold", min_width=8)
    for name in ("due", "done", "on time", "overdue", "督办"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("completion", no_wrap=True)
    table.add_column("on-time %", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    bar_width = 10 if width >= 100 else 6
    for row in report.rows:
        name = Text(row.name)
        if report.by == "officer" and row.name != row.group:
            name.append(f" {row.group}", style="dim")
        completion = text_bar(row.done, row.due, bar_width) if row.due else Text("·" * bar_width, style="dim")
        completion.append(f" {_percent(row.completion):>4}", style="bold red" if row.flagged else "")
        table.add_row(
            name, str(row.due), str(row.done), str(row.on_time),
            Text(str(row.overdue), style="red" if row.overdue else ""),
            Text(str(row.follow_ups), style="magenta" if row.follow_ups else ""),
            completion, _percent(row.on_time_rate), Text("⚑" if row.flagged else "", style="bold red"),
        )
    parts: list[RenderableType] = [heading, table]

    if len(report.trend) > 1:
        trend = Text("trend", style="bold")
        for point in report.trend:
            trend.append(f"  {point.week[-3:]} ", style="dim")
            if point.completion is None:
                trend.append("·    —", style="dim")
            else:
                spark = SPARKS[min(len(SPARKS) - 1, int(point.completion * (len(SPARKS) - 1) + 0.5))]
                trend.append(spark, style="green" if point.completion >= report.threshold else "red")
                trend.append(f" {_percent(point.completion):>4}")
        parts.append(trend)

    laggards = report.laggards
    if laggards:
        parts.append(Text(f"通报 · {len(laggards)} flagged, worst first", style="bold red"))
        for n, row in enumerate(laggards, 1):
            line = Text(f"{n}. ", style="bold")
            line.append(row.name, style="bold")
            if row.responsible is not None and report.by != "officer":
                line.append(f" — responsible: {row.responsible.name or row.responsible.id}")
            line.append(f" — {'; '.join(row.flags)}", style="red")
            parts.append(line)
            for item in row.late[:3]:
                owner = result.names.get(item.officer, item.officer)
                late = Text(f"   {item.title}", style="")
                late.append(f"  {owner} · due {item.due:%m-%d} · {item.overdue_days}d late", style="dim")
                parts.append(late)
            if len(row.late) > 3:
                parts.append(Text(f"   … and {len(row.late) - 3} more late", style="dim"))
    else:
        parts.append(Text("Nobody is flagged.", style="green"))
    return Group(*parts)


def follow_ups_view(listing: Any) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in ("id", "officer", "duty", "asked", "open", "reply by"):
        table.add_column(name, overflow="fold", no_wrap=name in ("id", "open", "reply by"))
    today = listing.today
    for officer, item, follow_up in listing.rows:
        opened = date.fromisoformat(follow_up["opened_at"][:10])
        reply = date.fromisoformat(follow_up["reply_due"])
        duty = Text(item["title"])
        duty.append(f" ({item['status']})", style="green" if item["status"] == "done" else "dim")
        table.add_row(
            Text(item["id"][:6], style="cyan"), officer.name or officer.id, duty,
            f"{follow_up['by']}: {follow_up['note']}", f"{(today - opened).days}d",
            Text(f"{reply:%m-%d}", style="bold red" if reply < today else ""),
        )
    if not listing.rows:
        return Text(f"No open follow-ups ({listing.scope}).", style="green")
    return Group(Text(f"Open follow-ups (督办) · {listing.scope} · oldest first", style="bold"), table)


# -- progress ---------------------------------------------------------------------------------------------


class Progress:
    """A progress bar on stderr for long imports and exports — only on a terminal, never in a pipe."""

    def __init__(self, description: str):
        self.description = description
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> "Progress":
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TimeRemainingColumn

            self._bar = RichProgress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=stderr_console(), transient=True)
            self._bar.__enter__()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task(self.description, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


# -- history and health ------------------------------------------------------------------------------------


def log_view(entries: list[dict[str, Any]]) -> RenderableType:
    if not entries:
        return Text("No history yet.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in ("#", "when", "who", "what", "item"):
        table.add_column(name, overflow="fold", no_wrap=name in ("#", "when"),
                         justify="right" if name == "#" else "left")
    for entry in entries:
        what = Text(entry.get("action", ""), style="bold")
        before, after = entry.get("before") or {}, entry.get("after") or {}
        if "status" in after and before.get("status") != after.get("status"):
            what.append(f" {before.get('status')} → {after.get('status')}", style="dim")
        if entry.get("note"):
            what.append(f" “{entry['note']}”")
        table.add_row(str(entry.get("seq", "")), str(entry.get("at", ""))[:16].replace("T", " "),
                      str(entry.get("actor", "")), what, f"{str(entry.get('item', ''))[:6]} {entry.get('officer', '')}")
    return table


def doctor_view(checks: list[Any]) -> RenderableType:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for check in checks:
        if check.warning:
            mark = Text("note", style="yellow")
        else:
            mark = Text("ok" if check.ok else "problem", style="green" if check.ok else "bold red")
        detail = Text(check.detail)
        if check.advice:
            detail.append(f"\n→ {check.advice}", style="yellow")
        grid.add_row(mark, check.name, detail)
    return grid
