"""`checklist indicators` as a table: one row per group, rates as percentages, — where nothing divides."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checklist.i18n import _, pgettext


def indicators_view(result: Any, width: int = 160) -> RenderableType:
    from checklist.core.indicators import FIELDS, RATES
    from checklist.indicators import short_label
    from checklist.render.lead import group_label, scope_label, short_names

    found = result.indicators
    heading = Text(_("Indicators {start} … {end} · as of {as_of} · by {by} · {scope} · {n} cases").format(
        start=found.start, end=found.end, as_of=found.as_of, by=group_label(found.by), scope=scope_label(result.scope),
        n=result.cases), style="bold")
    if not result.cases:
        return Group(heading, Text(_("No cases in this scope yet: load the case list with checklist import cases."),
                                   style="yellow"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=True)
    short = short_names(found) if width < 120 else {}  # 道里区 执行一庭 on a narrow screen, as the report says it
    longest = max((Text(short.get(r.group, r.name)).cell_len for r in found.rows), default=8)
    table.add_column(group_label(found.by), overflow="fold", min_width=min(max(longest, 8), 24))
    for name in FIELDS:
        table.add_column(short_label(name), justify="right", no_wrap=True)
    for row in found.rows:
        cells: list[Any] = [short.get(row.group, row.name)]
        for name in FIELDS:
            value = row.value(name)
            if value is None:
                cells.append(Text("—", style="dim"))
            elif name in RATES:
                cells.append(f"{value:.0%}")
            else:
                bad = name in ("over_12_months", "funds_overdue") and value
                cells.append(Text(str(value), style="bold red" if bad else ""))
        table.add_row(*cells)
    legend = _("rates in %: full 执行完毕率, 终本 终本率, in term 法定期限内结案率, paid 执行到位率, recheck 终本复查按期率; "
               ">12m: cases open over 12 months; funds: 案款 payouts overdue; —: nothing to divide")
    return Group(heading, table, Text(legend, style="dim"), *(targets_view(t, found.by) for t in result.targets))


def targets_view(progress: Any, by: str) -> RenderableType:
    """One duty's target: per group, how many people it asks, the sum of their targets, and what their
    cases reached."""
    from checklist.render.lead import group_label

    target = progress.duty.target
    title = Text("\n" + _("Target · {title} ({campaign}): {each} each, counted as {measure}, {start} … {until}").format(
        title=progress.duty.title, campaign=progress.campaign.label, each=target.text,
        measure=measure_word(target.measure), start=progress.start, until=progress.until), style="bold")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    table.add_column(group_label(by), overflow="fold", min_width=8)
    for head in (pgettext("target", "people"), pgettext("target", "target"), pgettext("target", "reached"),
                 pgettext("target", "share")):
        table.add_column(head, justify="right", no_wrap=True)
    for row in progress.rows:
        rate = row.rate
        share = Text("—", style="dim") if rate is None else Text(f"{rate:.0%}", style="" if rate >= 1 else "yellow")
        table.add_row(row.name, str(row.people), f"{row.target:g}", str(row.achieved), share)
    return Group(title, table)


def measure_word(measure: str) -> str:
    return {"closed": _("cases closed"), "full": _("cases closed by 执行完毕"), "zhongben": _("cases closed by 终本"),
            "old-closed": _("cases over 12 months old closed")}.get(measure, measure)
