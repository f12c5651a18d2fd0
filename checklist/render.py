"""What users see: Rich tables and lines built from the library's results, and JSON for scripts.

Each ``*_view`` function returns Rich renderables for one command's result; each ``*_json``
returns the JSON document SPEC.md promises. Both take the same result object, so the table and
``--json`` never disagree. Nothing here decides anything: it only lays out what it is given.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any, Iterable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

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
