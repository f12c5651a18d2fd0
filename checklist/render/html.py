"""Pages to print or share: the report, the indicators and an officer's (or a team's) list as HTML.

One self-contained file each — the styles inline, charts drawn as inline SVG, no script, no font,
no image and no address outside the file — so a page opens the same from a shared folder, a mail
attachment or a court intranet with no way out. The pages are Jinja2 templates (checklist/html/)
with autoescaping on: every text that comes from a roster, a template or a note is escaped, so a
note of ``<script>`` is shown as text. Jinja2 is imported only here, only for ``--format html``.

Words come from this module (so the translation tools see them) and reach the templates as ``t``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from checklist import i18n
from checklist.i18n import _, long_date, ngettext, relative, short_date

PAGES = Path(__file__).resolve().parent.parent / "html"


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(PAGES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render(template: str, title: str, as_of: date, **context: Any) -> str:
    from checklist import __version__

    footer = _("checklist {version} · as of {day}").format(version=__version__, day=long_date(as_of))
    page = _environment().get_template(template)
    return page.render(lang="zh-CN" if i18n.language == "zh" else "en", version=__version__, title=title,
                       footer=footer, **context)


def percent(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}%}"


# -- charts ------------------------------------------------------------------------------------------------


@dataclass
class Bar:
    name: str
    value: float | None  # 0 … 1; None: nothing to draw (a rate with nothing to divide)
    text: str
    flagged: bool = False


def bar_chart(bars: list[Bar], caption: str, threshold: float | None = None) -> dict[str, Any]:
    """Geometry for the SVG bar chart in macros.html.j2: one horizontal bar per group, 0 … 100%."""
    left, span, row, bar, top = 190, 420, 22, 14, 10
    height = top + row * len(bars) + 24
    drawn = []
    for n, b in enumerate(bars):
        value = None if b.value is None else min(max(b.value, 0.0), 1.0)
        label = b.name if len(b.name) <= 14 else b.name[:13] + "…"
        drawn.append({"name": b.name, "label": label, "value": b.value, "text": b.text, "flagged": b.flagged,
                      "y": top + n * row, "width": round((value or 0.0) * span, 1)})
    ticks = [{"x": left + round(span * f, 1), "label": f"{f:.0%}"} for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"bars": drawn, "caption": caption, "width": left + span + 70, "height": height, "left": left,
            "bar": bar, "top": top, "bottom": top + row * len(bars), "ticks": ticks, "threshold": threshold,
            "threshold_x": left + round(span * (threshold or 0), 1)}


# -- the report ----------------------------------------------------------------------------------------------


def report_page(result: Any) -> str:
    from checklist.core import followups as fu
    from checklist.render.lead import flag_text, group_label, scope_label
    from checklist.reporting import row_label, sanctioned, weeks_label

    report = result.report
    title = _("Completion of duties {period}").format(period=weeks_label(report.start, report.end))
    subtitle = _("{start} … {end} · as of {as_of} · {scope}").format(
        start=report.start, end=report.end, as_of=report.as_of, scope=scope_label(result.scope))
    due = sum(r.due for r in report.rows)
    done = sum(r.done for r in report.rows)
    cards = [
        {"label": group_label(report.by), "value": len(report.rows), "style": ""},
        {"label": _("items due so far"), "value": due, "style": ""},
        {"label": _("done"), "value": done, "style": ""},
        {"label": _("overdue"), "value": sum(r.overdue for r in report.rows), "style": "bad"},
        {"label": _("completion"), "value": percent(done / due if due else 1.0), "style": ""},
        {"label": _("flagged"), "value": len(report.laggards), "style": "bad" if report.laggards else ""},
    ]
    rows = [{
        "name": row_label(r, report.by),
        "due": r.due, "done": r.done, "on_time": r.on_time, "overdue": r.overdue, "skipped": r.skipped,
        "follow_ups": r.follow_ups, "completion": r.completion,
        "completion_text": percent(r.completion) if r.due else "—", "on_time_text": percent(r.on_time_rate) if r.due else "—",
        "weighted_text": percent(r.weighted) if r.due else "—",
        "flagged": r.flagged,
        "responsible": (r.responsible.name or r.responsible.id) if r.responsible else "",
    } for r in report.rows]
    chart = bar_chart([Bar(row["name"], row["completion"] if row["due"] else None, row["completion_text"],
                           row["flagged"]) for row in rows],
                      _("Completion by {group} (items done ÷ items due so far); the dashed line is the {threshold} "
                        "threshold").format(group=group_label(report.by), threshold=percent(report.threshold)),
                      report.threshold)
    laggards = []
    for r in report.laggards:
        late = [_("{title} ({owner}, due {due}, {n} working days late)").format(
            title=i.title, owner=result.names.get(i.officer, i.officer), due=short_date(i.due), n=i.overdue_workdays)
            for i in r.late[:5]]
        if r.overdue > 5:
            late.append(_("… and {n} more late").format(n=r.overdue - 5))
        laggards.append({"name": r.name, "reasons": _("; ").join(flag_text(f, report) for f in r.flags), "late": late,
                         "responsible": (r.responsible.name or r.responsible.id)
                         if r.responsible and report.by != "officer" else ""})
    ranked = None
    if result.ranked is not None:
        from checklist.core.indicators import RATES
        from checklist.indicators import label

        r = result.ranked
        ranked = {"title": _("通报 · {indicator}, the bottom {n}").format(indicator=label(r.indicator),
                                                                          n=min(r.bottom, len(r.rows))),
                  "rows": [f"{name} — {label(r.indicator)} "
                           f"{percent(value) if r.indicator in RATES else value}"
                           for _group, name, value in r.rows[:r.bottom]]}
    sanctions = [" · ".join(p for p in (s.id, "、".join(p["name"] or p["id"] for p in sanctioned(s, result))
                                        or s.target.get("name") or s.target["id"], s.outcome, s.day, s.no or "") if p)
                 for s in report.sanctions]
    counts = [{"name": r.name, "values": [r.follow_up.opened, r.follow_up.replied_in_time, r.follow_up.late,
                                          r.follow_up.returned, r.follow_up.closed, r.follow_up.outcomes]}
              for r in report.rows if r.follow_up.activity]
    trend = [{"week": p.week, "text": percent(p.completion)} for p in report.trend] if len(report.trend) > 1 else []
    words = {
        "figures": _("Figures"), "group": group_label(report.by), "responsible": _("responsible"),
        "numbers": [_("items due so far"), _("done"), _("on time"), _("overdue"), _("skipped"), _("督办"),
                    _("completion"), _("on-time rate"), _("weighted completion")],
        "flagged": _("flagged"), "nobody": _("Nobody in this scope."), "notice": _("通报"),
        "nobody_flagged": _("Nobody is flagged."), "sanctions": _("通报 · outcomes of 督办 · {n}").format(
            n=len(report.sanctions)),
        "follow_ups": _("督办 in the period"),
        "follow_up_numbers": [_("opened"), _("replied in time"), _("late"), _("sent back"), _("closed"), _("outcomes")],
        "trend": _("completion of the items due each week"),
    }
    return render("report.html.j2", title, report.as_of, subtitle=subtitle, cards=cards, rows=rows, chart=chart,
                  laggards=laggards, ranked=ranked, sanctions=sanctions, trend=trend, follow_up_counts=counts,
                  follow_ups=[_follow_up(r, report.as_of) for r in sorted(result.follow_ups, key=fu.number)], t=words)


def _follow_up(record: dict[str, Any], today: date) -> dict[str, Any]:
    from checklist.core import followups as fu
    from checklist.followup import target_shown
    from checklist.render.followups import origin, state_word

    state = fu.state(record)
    late = fu.late_days(record, today)
    if state == "closed":
        shown = state_word("closed") + " " + short_date(date.fromisoformat(str(record["closed_at"])[:10]))
        if record.get("outcome") and record["outcome"] != "none":
            shown += " · " + record["outcome"]
    else:
        shown = state_word(state) + " · " + _("reply by {day}").format(
            day=short_date(date.fromisoformat(record["reply_due"])))
        if late:
            shown += " · " + _("督办逾期未反馈") + " · " + _("{n}d late").format(n=late)
    latest = ""
    if state == "returned" and record.get("returns"):
        latest = _("sent back: {note}").format(note=record["returns"][-1]["note"])
    elif record.get("replies"):
        latest = _("replied: {note}").format(note=record["replies"][-1]["note"])
    return {"id": record["id"], "target": target_shown(record["target"]), "origin": origin(record),
            "note": record["note"], "state": shown, "late": bool(late), "latest": latest}


# -- indicators ----------------------------------------------------------------------------------------------


def indicators_page(result: Any) -> str:
    from checklist.core.indicators import FIELDS, RATES
    from checklist.indicators import label
    from checklist.render.lead import group_label, scope_label

    found = result.indicators
    title = _("Indicators {start} … {end}").format(start=found.start, end=found.end)
    subtitle = _("as of {day}").format(day=found.as_of) + " · " + scope_label(result.scope) + " · " + ngettext(
        "{n} case", "{n} cases", result.cases).format(n=result.cases)
    rows = [{"name": row.name, "cells": [
        {"field": name, "raw": "" if row.value(name) is None else row.value(name),
         "text": percent(row.value(name), 1) if name in RATES else row.value(name)}
        for name in FIELDS]} for row in found.rows]
    charts = [bar_chart([Bar(row.name, row.value(name), percent(row.value(name), 1)) for row in found.rows],
                        _("{indicator} by {group}").format(indicator=label(name), group=group_label(found.by)))
              for name in ("full_rate", "on_time_rate", "paid_rate") if found.rows]
    words = {"group": group_label(found.by), "nothing": _("No cases in this scope."),
             "null": _("— : nothing to divide (no case closed in the range, or no amount applied for)")}
    return render("indicators.html.j2", title, found.as_of, subtitle=subtitle, heads=[label(n) for n in FIELDS],
                  rows=rows, charts=charts, t=words)


# -- an officer's list, or a team's ----------------------------------------------------------------------------


def today_page(views: list[Any], heading: str = "", subheading: str = "") -> str:
    """One section per officer (a page each when printed): follow-ups, then every overdue item (none
    folded: a page has the room), due today and the coming days."""
    from checklist.render import priority_word, status_word

    if not views:
        raise ValueError("no lists")
    today = views[0].date
    statutory = _("statutory clock")
    people = []
    for view in views:
        o = view.officer
        open_today = [i for i in view.due_today if i["status"] == "open"]
        coming = [i for i in view.upcoming if i["status"] == "open"]

        def shown(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            from checklist.render.day import by_case

            rows = []
            for item in by_case(items):
                due = date.fromisoformat(item["due"])
                is_open = item["status"] == "open"
                rows.append({
                    "id": item["id"], "short": view.short.get(item["id"], item["id"][:6]), "title": item["title"],
                    "case": item.get("case") or "", "note": item.get("note") or item.get("reason") or "",
                    "due": short_date(due), "status": item["status"],
                    "when": relative(due, today) if is_open else status_word(item["status"]),
                    "when_style": "late" if is_open and due < today else "" if is_open else "ok",
                    "campaigns": [view.label(c) for c in item["campaigns"]] or ([statutory] if item.get("case") else []),
                    "priority": priority_word(item["priority"]),
                    "priority_style": "high" if item["priority"] == "high" and is_open else "",
                })
            return rows

        people.append({
            "id": o.id, "title": f"{o.name} ({o.id})" if o.name else o.id,
            "meta": " · ".join(p for p in (o.court, o.department, long_date(today)) if p),
            "cards": [
                {"label": _("done this week"), "value": f"{view.week_done}/{view.week_due}", "style": ""},
                {"label": _("follow-ups"), "value": len(view.follow_ups),
                 "style": "bad" if view.follow_ups else ""},
                {"label": _("overdue"), "value": len(view.overdue), "style": "bad" if view.overdue else ""},
                {"label": _("due today"), "value": len(open_today), "style": ""},
                {"label": _("coming"), "value": len(coming), "style": ""},
            ],
            "follow_ups": [_follow_up(line.record, today) for line in view.follow_ups],
            "parts": [
                {"title": _("Overdue · {n}").format(n=len(view.overdue)), "style": "late",
                 "items": shown(view.overdue), "empty": _("Nothing overdue.")},
                {"title": _("Due today · {n}").format(n=len(view.due_today)), "style": "",
                 "items": shown(view.due_today), "empty": _("Nothing due today.")},
                {"title": ngettext("Next day · {n}", "Next {days} days · {n}", view.days).format(
                    days=view.days, n=len(coming)), "style": "",
                 "items": shown(coming), "empty": _("Nothing due in the next {days} days.").format(days=view.days)},
            ],
        })
    words = {"id": _("id"), "duty": _("duty"), "due": _("due"), "when": _("when"), "campaigns": _("campaigns"),
             "priority": _("priority")}
    title = heading or people[0]["title"]
    return render("today.html.j2", title, today, heading=heading, subheading=subheading, people=people, t=words)
