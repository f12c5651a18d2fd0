"""督办 as the screen shows it: the follow-ups on top of an officer's list, and the follow-ups table."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checklist.i18n import _, pgettext, short_date


def state_word(state: str) -> str:
    return {"open": _("awaiting reply"), "replied": _("replied"), "returned": _("sent back"),
            "closed": _("closed")}.get(state, state)


def outcome_word(outcome: str | None) -> str:
    return {"none": _("no further action"), None: ""}.get(outcome, outcome or "")


def kind_word(kind: str) -> str:
    return {"item": _("item"), "officer": _("person"), "dept": _("department"), "court": _("court"),
            "case": _("case")}.get(kind, kind)


def origin(record: dict[str, Any]) -> str:
    """'周敏 (DL001) · 省法院执行局 · 督〔2026〕12号': who opened it, on whose order, its number."""
    from checklist.followup import opener_shown

    return " · ".join(p for p in (opener_shown(record), record.get("source") or "", record.get("no") or "") if p)


def said(who: str, note: str) -> str:
    return _("{who}: {note}").format(who=who, note=note)


def deadline(record: dict[str, Any], today: date, late_days: int) -> Text:
    due = date.fromisoformat(record["reply_due"])
    if late_days:
        return Text(_("reply by {day} · {n}d late").format(day=short_date(due), n=late_days), style="bold red")
    return Text(_("reply by {day}").format(day=short_date(due)), style="bold" if due <= today else "")


def latest(record: dict[str, Any]) -> Text | None:
    """The last word on it: the target's reply, or what the opener said when sending it back."""
    state = record.get("state")
    if state == "returned" and record.get("returns"):
        return Text(_("sent back: {note}").format(note=record["returns"][-1]["note"]), style="yellow")
    if record.get("replies"):
        return Text(_("replied: {note}").format(note=record["replies"][-1]["note"]), style="green")
    return None


def day_lines(lines: list[Any], today: date) -> list[RenderableType]:
    """The follow-ups at the top of ``today``: one block each, id first."""
    from checklist.followup import target_shown

    out: list[RenderableType] = []
    for line in lines:
        record = line.record
        head = Text(f"  {record['id']:<6}", style="bold magenta")
        if line.why == "escalated":
            head.append(_("[late, climbed to you] "), style="bold red")
        head.append(target_shown(record["target"]))
        head.append("  ")
        head.append_text(deadline(record, today, line.late_days))
        out.append(head)
        style = "dim" if line.why == "escalated" else ""
        out.append(Text("        " + said(origin(record), record["note"]), style=style))
        last = latest(record)
        if last is not None:
            out.append(Text("        ").append_text(last))
    return out


def _state_cell(line: Any, today: date) -> Text:
    record = line.record
    if line.state == "closed":
        cell = Text(state_word("closed") + " " + short_date(date.fromisoformat(record["closed_at"][:10])))
        if record.get("outcome") and record["outcome"] != "none":
            cell.append("\n" + record["outcome"], style="bold red")
        return cell
    cell = Text(state_word(line.state) + "\n")
    cell.append_text(deadline(record, today, line.late_days))
    if line.late_days:
        cell.append("\n" + _("督办逾期未反馈"), style="red")
    return cell


def _table(lines: list[Any], today: date) -> Table:
    from checklist.followup import target_shown

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name, wrap in ((_("id"), False), (_("on"), True), (pgettext("follow-up column: who opened it", "by"), True),
                       (pgettext("follow-up column: who asked what", "asked"), True), (_("state"), True)):
        table.add_column(name, overflow="fold", no_wrap=not wrap, ratio=None if not wrap else 1)
    for line in lines:
        record = line.record
        by = Text(record.get("by_name") or str(record.get("by", "")))  # the id is in --json
        for extra in (record.get("source"), record.get("no")):  # on whose order, its number
            if extra:
                by.append("\n" + extra, style="dim")
        asked = Text(record["note"])
        last = latest(record)
        if last is not None:
            asked.append("\n").append_text(last)
        on = Text(kind_word(record["target"]["kind"]) + " ", style="dim")
        on.append(target_shown(record["target"]))
        table.add_row(Text(record["id"], style="cyan"), on, by, asked, _state_cell(line, today))
    return table


def follow_ups_view(found: Any) -> RenderableType:
    from checklist.render.lead import scope_label

    word = {"waiting": _("Follow-ups not yet closed"), "open": _("Follow-ups awaiting a reply"),
            "replied": _("Follow-ups replied to"), "returned": _("Follow-ups sent back"),
            "overdue": _("Follow-ups with a late reply (督办逾期未反馈)"), "closed": _("Closed follow-ups"),
            "all": _("All follow-ups")}[found.state]
    title = Text(_("{what} (督办) · {scope}").format(what=word, scope=scope_label(found.scope)), style="bold")
    if not found.lines:
        return Group(title, Text(_("None."), style="green"))
    if not found.by:
        return Group(title, _table(found.lines, found.today))
    parts: list[RenderableType] = [title]
    groups: dict[str, list[Any]] = {}
    for line in found.lines:
        groups.setdefault(found.groups[line.record["id"]], []).append(line)
    for name, lines in groups.items():
        parts += [Text(""), Text(f"{name} · {len(lines)}", style="bold"), _table(lines, found.today)]
    return Group(*parts)
