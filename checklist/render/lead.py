"""A lead's views: the report with its trend and 通报 list, and open follow-ups (督办)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checklist.i18n import _, ngettext, pgettext, short_date
from checklist.render import status_word, text_bar

SPARKS = "▁▂▃▄▅▆▇█"


def group_label(by: str) -> str:
    return {"officer": _("officer"), "department": _("department"), "court": _("court"),
            "intermediate": "中院", "campaign": _("campaign")}.get(by, by)


def scope_label(scope: dict[str, Any]) -> str:
    """Whom a report covers, in words: everyone, a court, a lead's team, one officer."""
    kind = scope.get("kind")
    if kind == "court":
        if scope.get("below"):
            return _("{court} and the {n} courts below it").format(court=scope.get("court"), n=len(scope["below"]))
        return scope.get("court") or _("everyone")
    if kind == "team":
        return _("{name}'s team").format(name=scope.get("name") or scope.get("officer"))
    if kind == "officer":
        return scope.get("name") or scope.get("officer") or ""
    return _("everyone")


def flag_text(flag: dict[str, Any], report: Any) -> str:
    """Why a group is flagged, in words ("completion 60% is below 80%")."""
    if flag["code"] == "low_completion":
        return _("completion {completion} is below {threshold}").format(
            completion=f"{flag['completion']:.0%}", threshold=f"{flag['threshold']:.0%}")
    return _("overdue by {n} working days (more than {limit})").format(n=flag["workdays"], limit=flag["limit"])


def _percent(value: float) -> str:
    return f"{value:.0%}"


def report_view(result: Any, width: int = 100) -> RenderableType:
    """The lead's view: a row per group with a progress bar, the weekly trend, and the 通报 list."""
    from checklist.reporting import weeks_label

    report = result.report
    heading = Text(_("Report {period} ({start} … {end}) · as of {as_of} · by {by} · {scope}").format(
        period=weeks_label(report.start, report.end), start=report.start, end=report.end, as_of=report.as_of,
        by=group_label(report.by), scope=scope_label(result.scope)), style="bold")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(group_label(report.by), overflow="fold", min_width=8)
    for name in (pgettext("report column: items due so far", "due"), _("done"), _("on time"), _("overdue"),
                 _("督办")):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(_("completion"), no_wrap=True)
    table.add_column(_("on-time %"), justify="right", no_wrap=True)
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
        trend = Text(_("trend"), style="bold")
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
    if not laggards:
        parts.append(Text(_("Nobody is flagged."), style="green"))
        parts += _recorded_late(result)
        return Group(*parts)
    parts.append(Text(ngettext("通报 · {n} flagged, worst first", "通报 · {n} flagged, worst first",
                               len(laggards)).format(n=len(laggards)), style="bold red"))
    for n, row in enumerate(laggards, 1):
        line = Text(f"{n}. ", style="bold")
        line.append(row.name, style="bold")
        if row.responsible is not None and report.by != "officer":
            line.append(" — " + _("responsible: {name}").format(name=row.responsible.name or row.responsible.id))
        line.append(" — " + _("; ").join(flag_text(f, report) for f in row.flags), style="red")
        parts.append(line)
        for item in row.late[:3]:
            owner = result.names.get(item.officer, item.officer)
            late = Text(f"   {item.title}")
            late.append("  " + _("{owner} · due {day} · {n}d late").format(
                owner=owner, day=short_date(item.due), n=item.overdue_days), style="dim")
            parts.append(late)
        if len(row.late) > 3:
            parts.append(Text("   " + _("… and {n} more late").format(n=len(row.late) - 3), style="dim"))
    parts += _recorded_late(result)
    return Group(*parts)


def _recorded_late(result: Any) -> list[RenderableType]:
    """Work claimed for a day but recorded (by the clock) more working days later than allowed."""
    records = result.recorded_late
    if not records:
        return []
    parts: list[RenderableType] = [Text(_("Recorded late · {n} done items entered more than {days} working days "
                                          "after the day they claim").format(n=len(records), days=result.record_days),
                                        style="bold yellow")]
    for record in records[:10]:
        line = Text(f"   {record.title}")
        line.append("  " + _("{owner} · done {claimed} · recorded {recorded} ({n} working days later)").format(
            owner=result.names.get(record.officer, record.officer), claimed=short_date(record.claimed),
            recorded=short_date(record.recorded), n=record.workdays), style="dim")
        parts.append(line)
    if len(records) > 10:
        parts.append(Text("   " + _("… and {n} more (--json lists them all)").format(n=len(records) - 10), style="dim"))
    return parts


def asked(follow_up: dict[str, Any]) -> Text:
    """Who asked what, and where it stands: the officer's last reply, or that it was sent back."""
    from checklist.work import opener_name

    text = Text(f"{opener_name(follow_up)}: {follow_up['note']}")
    state = follow_up.get("state", "open")
    if state == "replied" and follow_up.get("replies"):
        text.append("\n" + _("replied: {note}").format(note=follow_up["replies"][-1]["note"]), style="green")
    elif state == "returned" and follow_up.get("returns"):
        text.append("\n" + _("returned: {note}").format(note=follow_up["returns"][-1]["note"]), style="yellow")
    return text


def follow_ups_view(listing: Any) -> RenderableType:
    if not listing.rows:
        return Text(_("No open follow-ups ({scope}).").format(scope=scope_label(listing.scope)), style="green")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name, wrap in ((_("id"), False), (_("officer"), True), (_("duty"), True), (_("asked"), True),
                       (_("open for"), False), (_("reply by"), False)):
        table.add_column(name, overflow="fold", no_wrap=not wrap)
    today = listing.today
    for officer, item, follow_up in listing.rows:
        opened = date.fromisoformat(follow_up["opened_at"][:10])
        reply = date.fromisoformat(follow_up["reply_due"])
        duty = Text(item["title"])
        duty.append(f" ({status_word(item['status'])})", style="green" if item["status"] == "done" else "dim")
        table.add_row(
            Text(item["id"][:6], style="cyan"), officer.name or officer.id, duty,
            asked(follow_up), _("{n}d").format(n=(today - opened).days),
            Text(short_date(reply), style="bold red" if reply < today else ""),
        )
    title = _("Open follow-ups (督办) · {scope} · oldest first").format(scope=scope_label(listing.scope))
    return Group(Text(title, style="bold"), table)
