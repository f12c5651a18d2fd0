"""A lead's views: the report with its trend and 通报 list, and open follow-ups (督办)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checklist.i18n import _, ngettext, pgettext, short_date
from checklist.render import fold, text_bar

SPARKS = "▁▂▃▄▅▆▇█"


def group_label(by: str) -> str:
    return {"officer": _("officer"), "department": _("department"), "court": _("court"),
            "intermediate": "中院", "campaign": _("campaign"), "phase": pgettext("campaign stage", "phase")}.get(by, by)


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
    """Why a group is on the 通报, in words ("weighted completion 60% is below 80%")."""
    if flag["code"] == "low_completion":
        return _("weighted completion {completion} is below {threshold}").format(
            completion=f"{flag['completion']:.0%}", threshold=f"{flag['threshold']:.0%}")
    if flag["code"] == "bottom":
        return _("one of the {n} lowest (weighted completion {completion})").format(
            n=flag["of"], completion=f"{flag['completion']:.0%}")
    return _("overdue by {n} working days (more than {limit})").format(n=flag["workdays"], limit=flag["limit"])


def _percent(value: float) -> str:
    return f"{value:.0%}"


def report_view(result: Any, width: int = 100) -> RenderableType:
    """The lead's view: a row per group with a progress bar, the weekly trend, and the 通报 list."""
    from checklist.reporting import weeks_label

    report = result.report
    period = weeks_label(report.start, report.end)
    if "…" in period:  # --from/--to: the range is the period, said once
        title = _("Report {start} … {end} · as of {as_of} · by {by} · {scope}")
    elif "W" not in period:  # a month says its days itself: the line then fits 80 columns
        title = _("Report {period} · as of {as_of} · by {by} · {scope}")
    else:  # a week's number, with its days
        title = _("Report {period} ({start} … {end}) · as of {as_of} · by {by} · {scope}")
    heading = Text(title.format(period=period, start=report.start, end=report.end, as_of=report.as_of,
                                by=group_label(report.by), scope=scope_label(result.scope)), style="bold")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    short = short_names(report) if width < 120 else {}
    longest = max((Text(short.get(r.group, r.name) + (f" {r.group}" if report.by == "officer" else "")).cell_len
                   for r in report.rows), default=8)
    bar_width = 10 if width >= 100 else 6
    counts = (pgettext("report column: items due so far", "due"), _("done"), _("on time"), _("overdue"), _("督办"))
    biggest = max((r.due for r in report.rows), default=0)
    others = sum(max(Text(name).cell_len, len(str(biggest))) for name in counts) + max(
        Text(_("completion")).cell_len, bar_width + 5) + max(Text(_("weighted")).cell_len, 6) + 3 * len(counts) + 6
    # the names as wide as the widest, but never pushing a figure off the screen: a long one folds instead
    table.add_column(group_label(report.by), overflow="fold", min_width=max(8, min(longest, 24, width - others)))
    for name in counts:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(_("completion"), no_wrap=True)
    table.add_column(_("weighted"), justify="left", no_wrap=True)  # with ⚑ for a group the 通报 names
    for row in report.rows:
        name = Text(short.get(row.group, row.name))
        if report.by == "officer" and row.name != row.group:
            name.append(f" {row.group}", style="dim")
        completion = text_bar(row.done, row.due, bar_width)
        completion.append(f" {_percent(row.completion) if row.due else '—':>4}",
                          style="bold red" if row.flagged else "")
        table.add_row(
            name, str(row.due), str(row.done), str(row.on_time),
            Text(str(row.overdue), style="red" if row.overdue else ""),
            Text(str(row.follow_ups), style="magenta" if row.follow_ups else ""),
            completion, Text(f"{_percent(row.weighted) if row.due else '—':>4}" + (" ⚑" if row.flagged else ""),
                             style="bold red" if row.flagged else ""),
        )
    parts: list[RenderableType] = [heading, table]
    if any(not row.due for row in report.rows):
        parts.append(Text(_("— : nothing due in the range yet"), style="dim"))

    if len(report.trend) > 1:
        parts.append(_trend(report, width))

    parts += _follow_up_table(report)
    parts += _ranked(result)
    laggards = report.laggards
    if not laggards:
        parts.append(Text(_("Nobody is flagged."), style="green"))
        parts += _sanctions(result)
        parts += _recorded_late(result, width)
        return Group(*parts)
    flagged = ngettext("通报 · {n} person flagged, worst first", "通报 · {n} people flagged, worst first",
                       len(laggards)) if report.by == "officer" else \
        ngettext("通报 · {n} flagged, worst first", "通报 · {n} flagged, worst first", len(laggards))
    parts.append(Text(flagged.format(n=len(laggards)), style="bold red"))
    for n, row in enumerate(laggards, 1):
        line = Text(f"{n}. ", style="bold")
        line.append(short.get(row.group, row.name), style="bold")
        if row.responsible is not None and report.by != "officer":
            line.append(" — " + _("responsible: {name}").format(name=row.responsible.name or row.responsible.id))
        line.append(" — " + _("; ").join(flag_text(f, report) for f in row.flags), style="red")
        parts.append(fold(line, width, "   "))
        for item in row.late[:3]:
            owner = result.names.get(item.officer, item.officer)
            parts.append(_titled(item.title, ngettext(
                "{owner} · due {day} · {n} working day late ({days}d)",
                "{owner} · due {day} · {n} working days late ({days}d)", item.overdue_workdays).format(
                owner=owner, day=short_date(item.due), n=item.overdue_workdays, days=item.overdue_days), width))
        if row.overdue > 3:
            parts.append(Text("   " + _("… and {n} more late").format(n=row.overdue - 3), style="dim"))
    parts += _sanctions(result)
    parts += _recorded_late(result, width)
    return Group(*parts)


def _titled(title: str, details: str, width: int) -> Text:
    """'   title  details' on one line; when it does not fit, the details on the next, indented."""
    line = Text(f"   {title}")
    if line.cell_len + 2 + Text(details).cell_len <= width:
        return line.append("  " + details, style="dim")
    return fold(line, width, "   ").append("\n").append_text(fold(Text("     " + details, style="dim"), width, "     "))


def short_names(report: Any) -> dict[str, str]:
    """Group names for a narrow screen: courts without 人民法院 and without the part of their names all
    the report's courts share (哈尔滨市道里区人民法院 执行一庭 → 道里区 执行一庭); one court's departments by
    their own names (the heading names the court). Full names stay in JSON, the workbook and the page."""
    if report.by not in ("department", "court", "intermediate"):
        return {}
    courts = {row.group.split("/")[0] for row in report.rows}
    if len(courts) == 1 and report.by == "department":  # one court (named in the heading): its departments
        return {row.group: row.group.partition("/")[2] or row.name for row in report.rows}
    if len(courts) < 2:
        return {}
    import os

    common = os.path.commonprefix(sorted(courts))
    common = common[:max(0, min(len(common), min(len(c) for c in courts) - 3))]

    def short(court: str) -> str:
        name = court[len(common):] if court.startswith(common) else court
        return name.removesuffix("人民法院") or court

    names = {}
    for row in report.rows:
        court, _sep, department = row.group.partition("/")
        names[row.group] = f"{short(court)} {department}".strip() if report.by == "department" else short(court)
    return names


def _trend(report: Any, width: int) -> Text:
    """'by week due  W45 █ 100%  W46 ▅  64% …' on one line: closer together, then the latest weeks only,
    when the screen is narrow."""

    def line(points: list[Any], gap: str, fill: str) -> Text:
        text = Text(_("by week due"), style="bold")
        for point in points:
            text.append(f"{gap}{point.week[-3:]}{fill}", style="dim")
            if point.completion is None:
                text.append(f"·{fill}   —", style="dim")
                continue
            spark = SPARKS[min(len(SPARKS) - 1, int(point.completion * (len(SPARKS) - 1) + 0.5))]
            text.append(spark, style="green" if point.completion >= report.threshold else "red")
            text.append(f"{fill}{_percent(point.completion):>4}")
        return text

    roomy = line(report.trend, "  ", " ")
    if roomy.cell_len <= width:
        return roomy
    points = list(report.trend)
    while len(points) > 1 and line(points, " ", "").cell_len > width:
        points = points[1:]
    return line(points, " ", "")


def _ranked(result: Any) -> list[RenderableType]:
    """The 通报 on an indicator (--rank-by): the bottom groups, worst first."""
    ranked = result.ranked
    if ranked is None:
        return []
    from checklist.core.indicators import RATES
    from checklist.indicators import label

    parts: list[RenderableType] = [Text(_("通报 · {indicator}, the bottom {n}").format(
        indicator=label(ranked.indicator), n=min(ranked.bottom, len(ranked.rows))), style="bold red")]
    if not ranked.rows:
        parts.append(Text("   " + _("nothing to rank: no group has a value yet"), style="dim"))
    for n, (_group, name, value) in enumerate(ranked.rows[:ranked.bottom], 1):
        shown = f"{value:.0%}" if ranked.indicator in RATES else str(value)
        parts.append(Text(f"{n}. {name} — {label(ranked.indicator)} {shown}"))
    return parts


def _follow_up_table(report: Any) -> list[RenderableType]:
    """督办 over the range, per group that had any: opened, replied in time, late, sent back, closed, outcomes."""
    active = [row for row in report.rows if row.follow_up.activity]
    if not active:
        return []
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(group_label(report.by), overflow="fold", min_width=8)
    for name in (_("opened"), _("replied in time"), _("late"), _("sent back"), _("closed"), _("outcomes")):
        table.add_column(name, justify="right", overflow="fold")
    for row in active:
        counts = row.follow_up
        table.add_row(row.name, str(counts.opened), str(counts.replied_in_time),
                      Text(str(counts.late), style="bold red" if counts.late else ""), str(counts.returned),
                      str(counts.closed), Text(str(counts.outcomes), style="bold red" if counts.outcomes else ""))
    late = sum(row.follow_up.late for row in active)
    parts: list[RenderableType] = [Text(_("督办 in the period"), style="bold magenta"), table]
    if late:
        parts.append(Text(ngettext("{n} follow-up not answered in time (督办逾期未反馈)",
                                   "{n} follow-ups not answered in time (督办逾期未反馈)", late).format(n=late),
                          style="red"))
    return parts


def _sanctions(result: Any) -> list[RenderableType]:
    """The 通报's accountability part: outcomes of 督办 decided in the range."""
    from checklist.reporting import sanctioned

    sanctions = result.report.sanctions
    if not sanctions:
        return []
    title = _("通报 · outcomes of 督办 · {n}").format(n=len(sanctions))
    parts: list[RenderableType] = [Text(title, style="bold red")]
    for sanction in sanctions:
        people = "、".join(f"{p['name']} ({p['id']})" if p["name"] else p["id"] for p in sanctioned(sanction, result))
        line = Text(f"   {sanction.id}  ", style="bold")
        line.append(f"{people or sanction.target.get('name') or sanction.target['id']}  ")
        line.append(sanction.outcome, style="bold red")
        line.append("  " + " · ".join(p for p in (short_date(date.fromisoformat(sanction.day)), sanction.no) if p),
                    style="dim")
        parts.append(line)
    return parts


def _recorded_late(result: Any, width: int = 100) -> list[RenderableType]:
    """Work claimed for a day but recorded (by the clock) more working days later than allowed."""
    records = result.recorded_late
    if not records:
        return []
    parts: list[RenderableType] = [Text(_("Recorded late · {n} done items entered more than {days} working days "
                                          "after the day they claim").format(n=len(records), days=result.record_days),
                                        style="bold yellow")]
    for record in records[:10]:
        parts.append(_titled(record.title, _("{owner} · done {claimed} · recorded {recorded} ({n} working days "
                                             "later)").format(
            owner=result.names.get(record.officer, record.officer), claimed=short_date(record.claimed),
            recorded=short_date(record.recorded), n=record.workdays), width))
    if len(records) > 10:
        parts.append(Text("   " + _("… and {n} more (--json lists them all)").format(n=len(records) - 10), style="dim"))
    return parts
