"""An officer's views: the day's list, one item with its history, the history log."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checklist.i18n import _, compact_date, every_word, ngettext, pgettext, relative, short_date
from checklist.render import officer_heading, priority_word, status_word, text_bar

OVERDUE_SHOWN = 10  # a list read in a blink: the oldest ten, and a count of the rest
PRIORITY_STYLE = {"high": "bold red", "normal": "dim", "low": "dim"}


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


def _relative(item: dict[str, Any], today: date) -> Text:
    status = item["status"]
    if status != "open":
        return Text(status_word(status), style="green" if status == "done" else "dim")
    due = date.fromisoformat(item["due"])
    delta = (due - today).days
    style = "bold red" if delta < 0 else "bold yellow" if delta == 0 else "" if delta == 1 else "dim"
    return Text(relative(due, today), style=style)


def by_case(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` in their order, except that each case's items follow the first of them."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    order: list[Any] = []
    for item in items:
        case = item.get("case")
        if not case:
            order.append(item)
        elif case not in grouped:
            grouped[case] = [item]
            order.append(case)
        else:
            grouped[case].append(item)
    return [i for entry in order for i in (grouped[entry] if isinstance(entry, str) else [entry])]


def today_view(view: Any, width: int = 80, show_all: bool = False) -> RenderableType:
    """``checklist today``: follow-ups, overdue, due today, coming up, and the week's progress.

    Below 100 columns, campaigns are shown by a one-character mark with a legend underneath, so
    the duty's title keeps the room.
    """
    today = view.date
    parts: list[RenderableType] = [officer_heading(view.officer, today)]
    if view.follow_ups:
        from checklist.render.followups import day_lines

        parts.append(Text(_("Follow-ups (督办) · {n}").format(n=len(view.follow_ups)), style="bold magenta"))
        parts.extend(day_lines(view.follow_ups, today))
        parts.append(Text(""))
    used = sorted({c for items in (view.overdue, view.due_today, view.upcoming) for i in items
                   for c in i["campaigns"]})
    labels = {c: view.label(c) for c in used}
    compact = width < 100
    marks = campaign_marks(labels) if compact else labels

    rows: list[tuple[Any, ...]] = []  # laid out at the end, when the other columns' widths are known

    def add(item: dict[str, Any], extra: str = "") -> None:
        open_ = item["status"] == "open"
        title = Text(item["title"], style="" if open_ else "dim")
        if item.get("case") in same_case:  # the case's other clocks follow it, under its 案号
            title = Text("↳ ", style="dim").append_text(title)
        elif item.get("case"):  # a case's statutory clock: which case
            title.append(" · " + item["case"], style="cyan" if open_ else "dim")
            same_case.add(item["case"])
        if extra:
            title.append(_(" ({what})").format(what=extra), style="dim")
        rows.append((
            Text(view.short.get(item["id"], item["id"][:6]), style="cyan" if open_ else "dim"),
            title,
            Text((compact_date if compact else short_date)(date.fromisoformat(item["due"]))),
            _relative(item, today),
            Text(" ".join(marks.get(c, c) for c in item["campaigns"]), style="" if open_ else "dim"),
            Text(priority_word(item["priority"]), style=PRIORITY_STYLE.get(item["priority"], "") if open_ else "dim"),
        ))

    same_case: set[str] = set()  # cases already named in the current section

    def add_grouped(items: list[dict[str, Any]], upcoming: bool, limit: int | None = None) -> int:
        """Daily duties appear once per key: the first, with how many more there are (with --all, each
        one); a case's several items stand together, where its first one falls.

        Returns how many items did not fit under ``limit`` lines.
        """
        same_case.clear()
        items = by_case(items)
        daily: dict[str, int] = {}
        for item in items:
            if item["every"] == "day" and not show_all:
                daily[item["key"]] = daily.get(item["key"], 0) + 1
        shown: set[str] = set()
        lines = covered = 0
        for item in items:
            if item["key"] in shown:
                continue
            if limit is not None and lines >= limit:
                break
            lines += 1
            if item["key"] not in daily:
                add(item)
                covered += 1
                continue
            shown.add(item["key"])
            count = daily[item["key"]] - 1
            more = _("daily, {n} more to come") if upcoming else _("daily, {n} more overdue; --all lists them")
            add(item, more.format(n=count) if count else "")
            covered += daily[item["key"]]
        return len(items) - covered

    def section(title: str, style: str) -> None:
        if rows:
            rows.append(())
        rows.append((Text(""), Text(title, style=style)))

    due_today = sum(1 for i in view.due_today if i["status"] == "open")
    upcoming = [i for i in view.upcoming if i["status"] == "open"]
    if view.overdue:
        section(_("Overdue · {n}").format(n=len(view.overdue)), "bold red")
        hidden = add_grouped(view.overdue, False, None if show_all else OVERDUE_SHOWN)
        if hidden:
            rows.append((Text(""), Text(_("+{n} more overdue (--all)").format(n=hidden), style="red")))
    if view.due_today:
        handled = len(view.due_today) - due_today
        title = _("Due today · {n}").format(n=len(view.due_today))
        if handled:
            title += _(" ({n} handled)").format(n=handled)
        section(title, "bold yellow")
        same_case.clear()
        for item in by_case(view.due_today):
            add(item)
    if upcoming:
        section(ngettext("Next day · {n}", "Next {days} days · {n}", view.days).format(days=view.days, n=len(upcoming)),
                "bold")
        add_grouped(upcoming, True)
    if rows:
        parts.append(_day_table(rows, width, compact))
    else:
        parts.append(Text(_("Nothing overdue and nothing due in the next {days} days.").format(days=view.days),
                          style="green"))
    if compact and marks:
        parts.append(Text("  ".join(f"{marks[c]} = {labels[c]}" for c in used), style="dim"))

    summary = text_bar(view.week_done, view.week_due, 10 if compact else 16)
    words = [_("week {done}/{due} done").format(done=view.week_done, due=view.week_due)]
    if view.follow_ups:
        words.append(ngettext("{n} follow-up", "{n} follow-ups", len(view.follow_ups)).format(n=len(view.follow_ups)))
    words += [_("{n} overdue").format(n=len(view.overdue)), _("{n} due today").format(n=len(view.due_today)),
              _("{n} coming").format(n=len(upcoming))]
    summary.append(" " + " · ".join(words), style="bold")
    parts.append(summary)
    return Group(*parts)


def _day_table(rows: list[tuple[Any, ...]], width: int, compact: bool) -> Table:
    """The day's rows in a table as wide as the screen: every column but the duty as wide as its widest
    cell, and the duty's title the rest, broken as Chinese is broken (the console's line divider)."""
    heads = [_("id"), _("duty"), _("due"), "", _("campaigns"), _("pri.")]
    widest = [max([Text(h).cell_len] + [row[n].cell_len for row in rows if len(row) > n]) for n, h in enumerate(heads)]
    widest[4] = min(widest[4], 10 if compact else 30)
    shown = list(range(len(heads)))

    def room() -> int:  # what the duty's title has: the screen less the other columns and " │ " between them
        return width - sum(widest[n] for n in shown if n != 1) - 3 * (len(shown) - 1)

    for dropped in (5, 4):  # on a very narrow screen the priority, then the campaigns, give way — never the id
        if room() < 16:
            shown.remove(dropped)
    title = max(16, room())
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=True)
    for n in shown:
        if n == 1:
            table.add_column(heads[n], overflow="fold", width=min(title, widest[1]) if not compact else title)
        elif n == 4:
            table.add_column(heads[n], overflow="fold", width=widest[4])
        else:
            table.add_column(heads[n], no_wrap=True)
    for row in rows:
        if not row:
            table.add_row()
            continue
        table.add_row(*(row[n] for n in shown if n < len(row)))
    return table


def show_view(detail: Any) -> RenderableType:
    """``checklist show``: one item — where it comes from, its state, its whole history."""
    item = detail.item
    due = date.fromisoformat(item["due"])
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    head = Text(item["id"], style="cyan")
    head.append("  ")
    head.append(item["title"], style="bold")
    who = detail.officer.shown
    grid.add_row(_("officer"), who)
    grid.add_row(_("due"), _("{day} · period {period} ({every})").format(
        day=short_date(due), period=item["period"], every=every_word(item["every"])))
    status = Text(status_word(item["status"]), style="green" if item["status"] == "done" else "")
    days = (detail.today - due).days
    if item["status"] == "open" and days > 0:
        status.append(" · " + relative(due, detail.today), style="bold red")
    if item.get("done_at"):
        status.append(f" · {item['done_at'][:16].replace('T', ' ')}", style="dim")
        recorded = item.get("recorded_at") or ""
        if recorded and recorded[:10] != item["done_at"][:10]:
            status.append(" · " + _("recorded {when}").format(when=recorded[:16].replace("T", " ")), style="yellow")
    grid.add_row(_("status"), status)
    grid.add_row(_("priority"), priority_word(item["priority"]))
    sources = Text()
    for n, source in enumerate(item.get("sources", [])):
        if n:
            sources.append("\n")
        label = detail.campaigns.get(source["campaign"], {}).get("short") or source["campaign"]
        sources.append(_("{campaign}: ").format(campaign=label), style="bold")
        sources.append(source["title"])
        if source.get("absorbed"):
            sources.append(_(" ({every}, covered by this item)").format(every=every_word(source["every"])),
                           style="dim")
    grid.add_row(_("campaigns"), sources)
    if item.get("tags"):
        grid.add_row(_("tags"), "、".join(item["tags"]))
    if item.get("basis"):
        grid.add_row(_("basis"), item["basis"])
    if item.get("note"):
        grid.add_row(_("note"), item["note"])
    if item.get("reason"):
        grid.add_row(_("reason"), item["reason"])
    waiting = [f for f in detail.follow_ups if f.get("state") != "closed"]
    if waiting:
        from checklist.render.followups import deadline, latest, origin, said, state_word
        from checklist.core.followups import late_days

        record = waiting[-1]
        text = Text(f"{record['id']}  ", style="bold magenta")
        text.append(said(origin(record), record["note"]) + "\n")
        text.append(state_word(record["state"]) + " · ")
        text.append_text(deadline(record, detail.today, late_days(record, detail.today)))
        last = latest(record)
        if last is not None:
            text.append("\n").append_text(last)
        grid.add_row(_("督办"), text)
    parts: list[RenderableType] = [head, grid]
    if detail.history:
        parts += [Text(_("history"), style="bold"), _history_table(detail.history, with_item=False)]
    else:
        parts.append(Text(_("no changes yet"), style="dim"))
    return Group(*parts)


def action_word(action: str) -> str:
    return {
        "done": pgettext("history action", "done"), "undo": pgettext("history action", "undo"),
        "skip": pgettext("history action", "skip"), "import": pgettext("history action", "import"),
        "follow-up": pgettext("history action", "follow-up opened"), "follow-up-close": _("follow-up closed"),
        "withdrawn": pgettext("history action", "withdrawn"),
        "follow-up-reply": _("follow-up replied"), "follow-up-return": _("follow-up returned"),
        "follow-up-escalate": _("follow-up late, climbed"),
        "reassign": _("reassigned"),
        "restored": _("restored"), "rescheduled": _("rescheduled"), "created": _("created"),
        "updated": _("duty updated"), "sync": _("sync"), "roster": _("roster"), "templates": _("templates applied"),
        "upgrade": _("taken over from checklist 0.1"),
    }.get(action, action)


def _when(entry: dict[str, Any]) -> Text:
    """When the work is claimed for, and — if on another day — when it was really recorded."""
    at = str(entry.get("at", ""))[:16].replace("T", " ")
    text = Text(at)
    recorded = str(entry.get("recorded") or "")
    if recorded and recorded[:10] != at[:10]:
        text.append("\n" + _("recorded {when}").format(when=recorded[:16].replace("T", " ")), style="yellow")
    return text


def _sync_summary(entry: dict[str, Any]) -> str:
    parts = entry.get("items") or {}
    counts = [(len(parts.get("new", {})), _("{n} new")), (len(parts.get("due", {})), _("{n} rescheduled")),
              (len(parts.get("withdrawn", [])), _("{n} withdrawn")), (len(parts.get("restored", [])), _("{n} restored"))]
    return _(", ").join(what.format(n=n) for n, what in counts if n)


def _history_table(entries: list[dict[str, Any]], with_item: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("when"), no_wrap=True)
    table.add_column(_("who"), overflow="fold")
    table.add_column(_("what"), overflow="fold")
    if with_item:
        table.add_column(_("item"), overflow="fold")
    for entry in entries:
        what = Text(action_word(entry.get("action", "")), style="bold")
        before, after = entry.get("before") or {}, entry.get("after") or {}
        if entry.get("follow_up"):  # 督办: its number first; where it went, how it ended
            what = Text(f"{entry['follow_up']} ", style="bold magenta").append_text(what)
            if after.get("outcome") and after["outcome"] != "none":
                what.append(f" {after['outcome']}", style="bold red")
            if after.get("to"):
                what.append(" → " + str(after["to"]), style="dim")
        if entry.get("action") == "created":
            what.append(" " + _("due {day}").format(day=after.get("due")), style="dim")
        elif "status" in after and before.get("status") != after.get("status"):
            what.append(pgettext("history: between the action and the change", ": ") +
                        f"{status_word(str(before.get('status')))} → {status_word(str(after.get('status')))}",
                        style="dim")
        if "due" in after and "due" in before and before.get("due") != after.get("due"):
            what.append(f" {before.get('due')} → {after.get('due')}", style="dim")
        if entry.get("action") == "sync":
            what.append(" " + _sync_summary(entry), style="dim")
        if entry.get("note"):
            what.append(_(" “{note}”").format(note=entry["note"]))
        if entry.get("action") == "reassign":
            what.append(" " + (_("to {officer}").format(officer=entry["to"]) if entry.get("to") else
                               _("from {officer}").format(officer=entry.get("from") or "")), style="dim")
        actor = str(entry.get("actor", ""))
        row = [str(entry.get("seq", "")), _when(entry), f"{entry['actor_name']} ({actor})" if entry.get("actor_name")
               else actor, what]
        if with_item:
            row.append(f"{str(entry.get('item') or '')[:6]} {entry.get('officer') or ''}".strip())
        table.add_row(*row)
    return table


def log_view(entries: list[dict[str, Any]], total: int | None = None) -> RenderableType:
    """History entries as given (``log`` passes them newest first); ``total``: how many there are in
    all, to say how to see the rest."""
    if not entries:
        return Text(_("No history yet."), style="dim")
    table = _history_table(entries, with_item=True)
    if total is None or total <= len(entries):
        return table
    more = Text(ngettext("the newest {n} of {total} entry; -n {more} for more, --all for every one",
                         "the newest {n} of {total} entries; -n {more} for more, --all for every one",
                         total).format(n=len(entries), total=total, more=min(total, len(entries) * 4)), style="dim")
    return Group(table, more)

