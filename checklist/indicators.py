"""`checklist indicators`: the figures a bureau is ranked on, from the imported cases, in the actor's scope.

The formulas are in ``checklist.core.indicators`` and docs/indicators.md; this module gathers the
cases and the case items they read, and writes the result as JSON, CSV or Markdown (the table is
in ``checklist.render.indicators``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checklist.context import Env
from checklist.core.indicators import FIELDS, RATES, Indicators, TargetProgress
from checklist.i18n import _, pgettext

GROUPINGS = ("officer", "department", "court", "intermediate")


@dataclass
class IndicatorResult:
    indicators: Indicators
    scope: dict[str, Any]
    cases: int
    targets: list[TargetProgress] = field(default_factory=list)


def make_indicators(env: Env, *, by: str = "court", viewer_id: str | None = None, start: date,
                    end: date) -> IndicatorResult:
    from checklist.calendars import stored_calendar
    from checklist.core.cases import Case
    from checklist.core.indicators import ItemFact, compute, target_progress
    from checklist.core.report import group_keys
    from checklist.errors import InputError
    from checklist.identity import identify
    from checklist.service import viewed_scope
    from checklist.sync import parse_bundle

    if by not in GROUPINGS:
        raise InputError(_("indicators group by one of {values}").format(values=", ".join(GROUPINGS)), field="by")
    with env.store().reading() as reader:
        access = identify(reader, env)
        members, label = viewed_scope(reader, access, viewer_id)
        people = {o.id: o for o in members}
        everyone = label.get("kind") == "everyone"
        files = reader.templates()
        templates = parse_bundle(files) if files else None
        rules = templates.clocks if templates else ()
        kinds = {r.key: "payout" for r in rules if r.start == "funds_received"}
        kinds.update({r.key: "recheck" for r in rules if r.start == "zhongben"})
        counted = getattr(reader, "indicator_facts", None)
        open_counts = None
        if counted is not None:  # a server counts the open cases and picks the items itself
            open_counts, closed, rows, count = counted(sorted(people), start, end, env.today, kinds)
            cases = [Case.from_record(c) for c in closed]
            facts = [ItemFact(kind, officer, due, status, done_on) for kind, officer, due, status, done_on in rows]
        else:
            cases = [Case.from_record(c) for c in reader.cases(None if everyone else sorted(people))
                     if c["officer"] in people]
            count = len(cases)
            facts = []
            # a case's items are its officer's, unless a rule gives them to a lead or a chief: then anyone's
            titles = access.rules.titles
            anyone = any(titles.get(role, role) != "officer" for r in rules if r.key in kinds for role in r.roles)
            holders = people if anyone else {c.officer for c in cases}
            for officer in sorted(holders) if kinds else ():
                for item in reader.items(officer):
                    kind = kinds.get(item["key"])
                    if kind is None or not item.get("case"):
                        continue
                    done_at = item.get("done_at")
                    facts.append(ItemFact(kind, officer, date.fromisoformat(item["due"]), item["status"],
                                          date.fromisoformat(done_at[:10]) if done_at else None))
        calendar = stored_calendar(reader.meta().get("calendar"))
        targeted = _targets(templates, members, start, end) if templates else []
        holders = sorted({o for _c, _d, found in targeted for o in found})
        target_cases = [Case.from_record(c) for c in reader.cases(holders)] if holders else []
    rollup = {o.court: access.rules.intermediate(o.court) for o in members}

    def keys(officer: str) -> list[tuple[str, str]]:
        person = people.get(officer)
        return group_keys(by, person, rollup=rollup) if person is not None else []

    groups = {pair for o in members for pair in group_keys(by, o, rollup=rollup)}
    result = compute(cases, facts, keys, start=start, end=end, as_of=env.today, by=by, calendar=calendar,
                     groups=sorted(groups), open_counts=open_counts)
    result.rows.sort(key=lambda r: r.group)
    progress = [target_progress(c, d, found, target_cases, keys, as_of=env.today) for c, d, found in targeted]
    return IndicatorResult(result, label, count, progress)


def _targets(templates: Any, members: list[Any], start: date, end: date) -> list[tuple[Any, Any, list[str]]]:
    """Each (campaign, duty, the people in scope it asks) of a duty with a measured target, for the
    campaigns that overlap ``start`` … ``end``."""
    wanted = [(templates.campaigns[d.campaign], d) for d in templates.duties if d.target and d.target.measure]
    wanted = [(c, d) for c, d in wanted if c.start <= end and c.end >= start]
    if not wanted:
        return []
    asked = {o.id: {id(d) for _c, d in templates.duties_for(o)} for o in members}
    found = []
    for campaign, duty in wanted:
        holders = [o.id for o in members if id(duty) in asked[o.id]]
        if holders:
            found.append((campaign, duty, holders))
    return found


def row_json(row: Any) -> dict[str, Any]:
    return {"group": row.group, "name": row.name, **{name: row.value(name) for name in FIELDS}}


def indicators_json(result: IndicatorResult) -> dict[str, Any]:
    found = result.indicators
    return {"from": found.start.isoformat(), "to": found.end.isoformat(), "as_of": found.as_of.isoformat(),
            "by": found.by, "scope": result.scope, "cases": result.cases,
            "rows": [row_json(r) for r in found.rows],
            "targets": [target_json(t) for t in result.targets]}


def target_json(progress: TargetProgress) -> dict[str, Any]:
    target = progress.duty.target
    assert target is not None
    return {"campaign": progress.campaign.key, "key": progress.duty.key, "title": progress.duty.title,
            "each": target.count, "unit": target.unit, "measure": target.measure,
            "from": progress.start.isoformat(), "to": progress.until.isoformat(),
            "rows": [{"group": r.group, "name": r.name, "people": r.people, "target": r.target,
                      "achieved": r.achieved, "rate": r.rate} for r in progress.rows]}


def _cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    return f"{value:.2%}" if name in RATES else value


def indicators_csv(result: IndicatorResult) -> str:
    from checklist.reporting import safe_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("group", "name", *FIELDS))
    for row in result.indicators.rows:
        writer.writerow([safe_cell(row.group), safe_cell(row.name),
                         *(_cell(name, row.value(name)) for name in FIELDS)])
    return "\ufeff" + out.getvalue()


def indicators_markdown(result: IndicatorResult) -> str:
    from checklist.reporting import _md

    found = result.indicators
    lines = [f"# {_('Indicators')} {found.start} … {found.end} ({_('as of {day}').format(day=found.as_of)})", "",
             "| " + " | ".join([_("group"), *(label(n) for n in FIELDS)]) + " |",
             "|" + "---|" * (len(FIELDS) + 1)]
    for row in found.rows:
        lines.append("| " + " | ".join([_md(row.name), *(str(_cell(n, row.value(n))) or "—" for n in FIELDS)]) + " |")
    return "\n".join(lines) + "\n"


def indicators_xlsx(result: IndicatorResult) -> bytes:
    """A workbook a chief can forward: heads in the interface language, rates as percentage cells (a
    rate with nothing to divide is an empty cell), widths that fit Chinese text, the head row frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from checklist.reporting import safe_cell

    found = result.indicators
    book = Workbook()
    sheet = book.active
    sheet.title = _("Indicators")[:31]
    heads = [_("group"), *(label(name) for name in FIELDS)]
    sheet.append(heads)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in found.rows:
        sheet.append([safe_cell(row.name), *(row.value(name) for name in FIELDS)])
    for column, name in enumerate(FIELDS, start=2):
        if name in RATES:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "0.0%"
    for column, head in enumerate(heads, start=1):
        values = [head, *(str(c.value or "") for (c,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column))]
        wide = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in v) for v in values)
        sheet.column_dimensions[get_column_letter(column)].width = min(max(wide + 2, 8), 40)
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def short_label(name: str) -> str:
    """A column head narrow enough for an 80-column table."""
    return {"open": pgettext("cases", "open"), "closed": pgettext("cases", "closed"), "full_rate": _("full"),
            "zhongben_rate": _("终本"), "on_time_rate": _("in term"), "paid_rate": _("paid"),
            "over_12_months": _(">12m"), "funds_overdue": _("funds"), "recheck_on_time_rate": _("recheck")}[name]


def label(name: str) -> str:
    """An indicator's name as a bureau says it."""
    return {"open": _("open cases"), "closed": pgettext("cases", "closed"), "full_rate": _("执行完毕率"),
            "zhongben_rate": _("终本率"), "on_time_rate": _("法定期限内结案率"), "paid_rate": _("执行到位率"),
            "over_12_months": _("超12个月未结"), "funds_overdue": _("案款超期未发放"),
            "recheck_on_time_rate": _("终本复查按期率")}[name]
