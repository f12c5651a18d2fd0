"""Cases on screen: the caseload with each case's next deadline, and one case with its items."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checklist.i18n import _, relative, short_date

CLOSING_WORDS = {"full": "执行完毕", "zhongben": "终本", "terminated": "终结执行", "refused": "不予执行",
                 "rejected": "驳回申请", "withdrawn": "销案", "settled": "和解"}


def _state(case: dict[str, Any], today: date) -> Text:
    if case.get("closed") and case["closed"] <= today.isoformat():
        return Text(_("closed {day} · {how}").format(day=case["closed"], how=CLOSING_WORDS.get(case.get("closing") or "",
                                                                                                 "")), style="dim")
    return Text(_("open since {day}").format(day=case["filed"]))  # the year matters: cases run for years


def caseload_view(found: Any) -> RenderableType:
    from checklist.render.lead import scope_label

    title = Text(_("Cases · {scope} · {n}, next deadline first").format(scope=scope_label(found.scope),
                                                                         n=len(found.lines)), style="bold")
    if not found.lines:
        return Group(title, Text(_("No cases: load the case list with checklist import cases."), style="yellow"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name, wrap in ((_("case"), True), (_("officer"), True), (_("state"), True), (_("next deadline"), True),
                       (_("open"), False)):
        table.add_column(name, overflow="fold", no_wrap=not wrap)
    today = found.today
    for line in found.lines:
        upcoming = line.next
        if upcoming is None:
            due = Text("—", style="dim")
        else:
            day = date.fromisoformat(upcoming["due"])
            due = Text(upcoming["title"] + "\n")
            due.append(f"{short_date(day)} · {relative(day, today)}", style="bold red" if day < today else "")
        late = sum(1 for i in line.open_items if i["due"] < today.isoformat())
        count = Text(str(len(line.open_items)))
        if late:
            count.append(" " + _("({n} late)").format(n=late), style="red")
        table.add_row(Text(line.case["number"], style="cyan"), line.officer_name or line.case["officer"],
                      _state(line.case, today), due, count)
    return Group(title, table)


def case_view(detail: Any) -> RenderableType:
    from checklist.render import status_word
    from checklist.render.day import _history_table

    case = detail.case
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(_("officer"), f"{detail.officer_name} ({case['officer']})" if detail.officer_name else case["officer"])
    grid.add_row(_("court"), case.get("court") or "")
    grid.add_row(_("state"), _state(case, detail.today))
    if case.get("amount") is not None:
        grid.add_row(_("amount"), _("{amount:,.2f} applied for · {paid:,.2f} paid").format(
            amount=case["amount"], paid=case.get("paid") or 0))
    for name, label in (("paused", _("paused")), ("seized", _("seized")), ("seal_expires", _("seal expires")),
                        ("funds_received", _("money received"))):
        values = case.get(name) or []
        if values:
            grid.add_row(label, "；".join(f"{v[0]}~{v[1] or ''}" if isinstance(v, list) else v for v in values))
    items = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in (_("id"), _("clock"), _("due"), _("status")):
        items.add_column(name, overflow="fold")
    for item in detail.items:
        day = date.fromisoformat(item["due"])
        late = item["status"] == "open" and day < detail.today
        items.add_row(Text(item["id"][:6], style="cyan"), item["title"], short_date(day),
                      Text(status_word(item["status"]) + (" · " + relative(day, detail.today) if late else ""),
                           style="bold red" if late else ""))
    parts: list[RenderableType] = [Text(case["number"], style="bold cyan"), grid]
    parts.append(items if detail.items else Text(_("no items on anyone's list for this case"), style="dim"))
    if detail.history:
        parts += [Text(_("history"), style="bold"), _history_table(detail.history, with_item=True)]
    return Group(*parts)
