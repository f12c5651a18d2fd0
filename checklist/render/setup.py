"""Setting up and looking after: the plan, the templates, the roster, and doctor's checks."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checklist.i18n import _, every_word, ngettext, pgettext
from checklist.render import officer_heading, officer_json, schedule_text

if TYPE_CHECKING:
    from checklist.core.merge import Plan
    from checklist.core.models import Campaign, Officer, Rule, TemplateSet


# -- plan --------------------------------------------------------------------------------------------


def plan_json(officer: Officer, plan: Plan, templates: TemplateSet, today: date) -> dict[str, Any]:
    clocks = {r.key: r for r in templates.clock_rules(officer.court)}
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
                "clock": _clock_json(clocks.get(line.key)),
                "phase": line.phase or None,
                "target": {"count": line.target.count, "unit": line.target.unit,
                           "measure": line.target.measure or None} if line.target else None,
                "only_tagged": list(line.only_tagged),
            }
            for line in plan.lines
        ],
        "summary": {"duties": plan.duties, "campaigns": plan.campaigns, "lines": len(plan.lines),
                    "merged": plan.merged},
    }


def _clock_json(rule: Rule | None) -> dict[str, Any] | None:
    """The statutory clock a line is also (its per-case items answer the campaigns' ticks)."""
    if rule is None:
        return None
    return {"title": rule.title, "from": rule.start, "basis": rule.basis or None}


def relief_line(plan: Plan) -> str:
    """'10 duties asked by 3 campaigns → 7 lines on your list (3 merged)'."""
    duties = ngettext("{n} duty", "{n} duties", plan.duties).format(n=plan.duties)
    campaigns = ngettext("{n} campaign", "{n} campaigns", plan.campaigns).format(n=plan.campaigns)
    lines = ngettext("{n} line", "{n} lines", len(plan.lines)).format(n=len(plan.lines))
    return _("{duties} asked by {campaigns} → {lines} on your list ({merged} merged)").format(
        duties=duties, campaigns=campaigns, lines=lines, merged=plan.merged)


def plan_view(officer: Officer, plan: Plan, templates: TemplateSet, today: date) -> RenderableType:
    if not plan.lines:
        return Group(officer_heading(officer, today),
                     Text(_("No campaign asks anything of this officer."), style="dim"))
    campaigns = templates.campaigns
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("duty"), overflow="fold")
    table.add_column(pgettext("plan column: how often", "when"), no_wrap=True)
    table.add_column(_("campaigns"), overflow="fold", max_width=22)
    clocks = {r.key: r for r in templates.clock_rules(officer.court)}
    for line in plan.lines:
        clock = clocks.get(line.key)
        merged = len(line.sources) > 1
        finest = line.sources[0][1]
        when = every_word(finest.every) if merged else schedule_text(finest)
        labels = pgettext("between names", ", ").join(campaigns[c].label for c in line.campaigns)
        title = Text(line.title, style="bold")
        notes = [text for text in (
            pgettext("plan", "stage: {phase}").format(phase=line.phase) if line.phase else "",
            pgettext("plan", "target: {target} each").format(target=line.target.text) if line.target else "",
            pgettext("plan", "only for {tags}").format(tags="、".join(line.only_tagged)) if line.only_tagged else "",
        ) if text]
        if notes:
            title.append("\n" + " · ".join(notes), style="cyan")
        table.add_row(title, when, labels)
        if merged:
            for campaign, duty in line.sources:
                table.add_row(
                    Text(f"↳{duty.title}", style="dim"),
                    Text(schedule_text(duty), style="dim"),
                    Text(f"{campaign.label} {_window(campaign)}", style="dim"),
                )
        if clock is not None:  # each case's item of this clock answers the campaigns' tick for its period
            table.add_row(Text(f"↳{clock.title}", style="dim"), Text(_("per case"), style="dim"),
                          Text(_("statutory clock"), style="dim"))
    return Group(officer_heading(officer, today), table, Text(relief_line(plan), style="bold green"))


def _window(campaign: Campaign) -> str:
    return f"{campaign.start:%m-%d}…{campaign.end:%m-%d}"


# -- templates ------------------------------------------------------------------------------------------


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
    status_words = {"upcoming": _("upcoming"), "ended": _("ended"), "active": _("active")}
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("campaign"), overflow="fold")
    table.add_column(_("dates"), no_wrap=True)
    table.add_column(_("scope"), overflow="fold")
    table.add_column(_("duties"), justify="right")
    for c in templates.campaigns.values():
        status = campaign_status(c, today)
        name = Text(c.name, style="bold" if status == "active" else "dim")
        name.append(f"\n{c.key}", style="dim")
        scope = "、".join(c.scope.courts + c.scope.departments) or _("everyone")
        dates = Text(f"{c.start} …\n{c.end}")
        if status != "active":
            dates.append(f" ({status_words[status]})", style="dim")
        table.add_row(name, dates, scope, str(counts.get(c.key, 0)))
    footer = Text(_("{n} standard duties in the library").format(n=len(templates.library)), style="dim")
    return Group(table, footer)


# -- roster and doctor ------------------------------------------------------------------------------------


def roster_view(officers: list[tuple[Officer, str]]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name, wrap in ((_("id"), False), (_("name"), True), (_("court"), True), (_("department"), True),
                       (_("roles"), True), (pgettext("roster column: the direct superior", "lead"), True),
                       (_("since"), False)):
        table.add_column(name, overflow="fold", no_wrap=not wrap)
    for o, level in officers:
        roles = "、".join(level_word(r) if r in ("officer", "lead", "chief", "admin") else r for r in o.roles)
        if level and level not in o.roles and level_word(level) not in o.roles:  # not 局长（局长）
            roles += _(" ({what})").format(what=level_word(level))
        since = o.since.isoformat() if o.since else ""
        if o.until is not None:
            since += "–" + o.until.isoformat()
        table.add_row(o.id, o.name, o.court, o.department, roles, o.lead, since)
    return Group(table, Text(ngettext("{n} officer", "{n} officers", len(officers)).format(n=len(officers)), style="dim"))


def whoami_view(found: dict[str, Any]) -> RenderableType:
    person = found["person"]
    lines = []
    if person is None:
        lines.append(_("{login}: not on the roster of this database").format(login=found["login"]))
        if found.get("did_you_mean"):
            lines.append(_("did you mean {accounts}? (accounts are matched exactly)").format(
                accounts=_(" or ").join(found["did_you_mean"])))
        if found["owner"]:
            lines.append(_("you made this database, so you act as its admin"))
        elif found["server"]:
            lines.append(_("a server database lets only people on its roster in; ask its administrator"))
        else:
            lines.append(_("on a file database you may read everything its files let you read, and change nothing; "
                           "set CHECKLIST_USER to your account (your 账号, else your id)"))
    else:
        lines.append(_("{name} ({id}), {court} {department}").format(
            name=person["name"], id=person["id"], court=person["court"], department=person["department"]).strip())
        lines.append(_("titles: {titles}; level: {level}").format(titles="、".join(person["roles"]),
                                                                 level=level_word(found["level"] or "")))
        if found["owner"]:
            lines.append(_("you made this database, so you also act as its admin"))
    sees = found["sees"]
    kinds = {"everyone": _("everyone"), "court": _("your court and the courts below it"), "team": _("your team"),
             "officer": _("yourself"), "nobody": _("nobody")}
    lines.append(ngettext("you see: {whom} — {n} person in {courts}", "you see: {whom} — {n} people in {courts}",
                          sees["people"]).format(whom=kinds.get(sees["kind"], sees["kind"]), n=sees["people"],
                                                 courts="、".join(sees["courts"]) or "—"))
    may = found["may"]
    work = {"all": _("anyone's items"), "team": _("your own items and your people's"), "own": _("your own items"),
            "none": _("no items")}[may["work_items"]]
    yes_no = {True: _("yes"), False: _("no")}
    lines.append(_("you may work: {items}; open follow-ups: {open}; import people: {people}; apply templates: "
                   "{apply}; audit: {audit}").format(
        items=work, open=yes_no[may["open_follow_ups"]], people=yes_no[may["import"]],
        apply=yes_no[may["apply_templates"]], audit=yes_no[may["audit"]]))
    return Text("\n".join(lines))


def level_word(level: str) -> str:
    return {"officer": pgettext("level", "officer"), "lead": pgettext("level", "lead"),
            "chief": pgettext("level", "chief"), "admin": pgettext("level", "admin")}.get(level, level)


def doctor_view(checks: list[Any]) -> RenderableType:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    names = {"templates": _("templates"), "calendar": _("calendar"), "lock": _("lock"), "database": _("database"),
             "history": _("history"), "files": _("files"), "server": _("server"), "schema": _("schema")}
    for check in checks:
        if check.warning:
            mark = Text(_("note"), style="yellow")
        else:
            mark = Text(_("ok") if check.ok else _("problem"), style="green" if check.ok else "bold red")
        detail = Text(check.detail)
        if check.advice:
            detail.append(f"\n→ {check.advice}", style="yellow")
        grid.add_row(mark, names.get(check.name, check.name), detail)
    return grid


# -- what a templates change does (templates apply --dry-run, templates diff) ------------------------------


CHANGE_MARKS = {"new": "+", "restored": "+", "re-dated": "~", "changed": "~", "withdrawn": "−"}


def change_word(kind: str) -> str:
    return {"new": _("new"), "restored": _("restored"), "re-dated": _("re-dated"), "changed": _("changed"),
            "withdrawn": pgettext("item status", "withdrawn")}[kind]


def changes_json(changes: list[Any], names: dict[str, str]) -> dict[str, Any]:
    counts = Counter(c.kind for c in changes)
    return {"changes": [{"officer": c.officer, "name": names.get(c.officer) or None, "kind": c.kind, "id": c.id,
                         "title": c.title, "period": c.period, "due": c.due, "before": c.before or None}
                        for c in changes],
            "summary": {"officers": len({c.officer for c in changes}), **counts}}


def changes_view(changes: list[Any], names: dict[str, str], *, per_officer: int = 12) -> RenderableType:
    """Per officer: a line of counts, then each item (+ new, ~ re-dated or changed, − withdrawn)."""
    from itertools import groupby

    from checklist.i18n import short_date

    if not changes:
        return Text(_("No item would change."), style="green")
    parts: list[RenderableType] = []
    for officer, found in groupby(changes, key=lambda c: c.officer):
        mine = list(found)
        counts = Counter(c.kind for c in mine)
        head = Text(f"{names.get(officer) or officer} ({officer})" if names.get(officer) else officer, style="bold")
        head.append("  " + _(", ").join(f"{change_word(k)} {counts[k]}" for k in counts), style="dim")
        parts.append(head)
        for c in mine[:per_officer]:
            line = Text(f"  {CHANGE_MARKS[c.kind]} ", style={"+": "green", "~": "yellow", "−": "red"}[
                CHANGE_MARKS[c.kind]])
            line.append(c.title)
            due = short_date(date.fromisoformat(c.due))
            if c.kind == "re-dated":
                line.append(f"  {c.period} · {short_date(date.fromisoformat(c.before))} → {due}", style="dim")
            else:
                line.append(f"  {c.period} · {due}", style="dim")
                if c.before:
                    line.append("  " + _("was: {title}").format(title=c.before), style="dim")
            parts.append(line)
        if len(mine) > per_officer:
            parts.append(Text("  " + _("… and {n} more (--json lists every one)").format(n=len(mine) - per_officer),
                              style="dim"))
    people = len({c.officer for c in changes})
    parts.append(Text(_("{items} would change for {people}").format(
        items=ngettext("{n} item", "{n} items", len(changes)).format(n=len(changes)),
        people=ngettext("{n} person", "{n} people", people).format(n=people)), style="bold"))
    return Group(*parts)
