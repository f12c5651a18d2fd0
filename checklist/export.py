"""`checklist export`: items, the roster or a report, as CSV, JSON or XLSX.

CSV is UTF-8 with a BOM and CRLF line ends, so Excel opens Chinese text cleanly. No cell, in CSV
or XLSX, can run as a formula: text that starts with ``=`` ``+`` ``-`` ``@``, a tab or CR gets a
leading ``'`` (and ``checklist import status`` takes it off again), and XLSX text cells are
written as text. Items export with the columns ``checklist import status`` reads, so a clerk can
export, fill in the status column and import the same file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from checklist.context import Env
from checklist.errors import InputError
from checklist.i18n import _
from checklist.reporting import safe_cell

ITEM_COLUMNS = ("id", "officer", "name", "court", "department", "key", "title", "period", "due", "status",
                "done_at", "note", "priority", "campaigns", "overdue_days", "case")
ROSTER_COLUMNS = ("id", "name", "court", "department", "roles", "lead", "since", "until", "login", "tags")
FORMATS = ("csv", "json", "xlsx")


@dataclass
class ItemFilter:
    officer: str | None = None  # scope: the officer's team, or a chief's court
    court: str | None = None
    department: str | None = None
    campaign: str | None = None
    start: date | None = None
    end: date | None = None
    status: str | None = None

    def matches(self, item: dict[str, Any]) -> bool:
        if self.campaign and self.campaign not in item["campaigns"]:
            return False
        if self.start and item["due"] < self.start.isoformat():
            return False
        if self.end and item["due"] > self.end.isoformat():
            return False
        if self.status:
            if self.status == "overdue":
                return False  # decided by the caller, which knows today
            if item["status"] != self.status:
                return False
        elif item["status"] == "withdrawn":
            return False
        return True


STATUSES = ("open", "done", "skipped", "withdrawn", "overdue")


def named(selection: ItemFilter, members: list[Any], campaigns: dict[str, dict[str, str]]) -> ItemFilter:
    """The filter with the court, department and campaign the user meant: a name (or key) exactly, else
    the only one containing what they typed (道里 → 哈尔滨市道里区人民法院, thunder → thunder-2026). A name that
    matches none, or several, is refused with the names there are — an export of nothing is a mistake."""
    from dataclasses import replace

    from checklist.followup import pick_name

    court, department, campaign = selection.court, selection.department, selection.campaign
    if court:
        court = pick_name(court, [o.court for o in members if o.court], _("court"))
    if department:
        department = pick_name(department, [o.department for o in members if o.department
                                            and (not court or o.court == court)], _("department"))
    if campaign:
        names = {key: key for key in campaigns}
        for key, c in campaigns.items():
            for word in (c.get("short"), c.get("name")):
                if word:
                    names.setdefault(word, key)
        campaign = pick_name(campaign, names, _("campaign"))
    return replace(selection, court=court, department=department, campaign=campaign)


def item_rows(env: Env, selection: ItemFilter, progress: Any = None) -> list[dict[str, Any]]:
    from checklist.identity import identify
    from checklist.service import viewed_scope

    if selection.status and selection.status not in STATUSES:
        raise InputError(_("a status is one of {values}").format(values=", ".join(STATUSES)), field="status")
    today = env.today.isoformat()
    rows = []
    with env.store().reading() as session:
        members, _label = viewed_scope(session, identify(session, env), selection.officer)
        selection = named(selection, members, session.meta().get("campaigns", {}))
        for n, officer in enumerate(members):
            if progress is not None:
                progress(n, len(members))
            if selection.court and officer.court != selection.court:
                continue
            if selection.department and officer.department != selection.department:
                continue
            for item in session.items(officer.id):
                overdue = item["status"] == "open" and item["due"] < today
                if selection.status == "overdue":
                    if not overdue or not ItemFilter(campaign=selection.campaign, start=selection.start,
                                                     end=selection.end).matches(item):
                        continue
                elif not selection.matches(item):
                    continue
                rows.append({
                    "id": item["id"], "officer": officer.id, "name": officer.name, "court": officer.court,
                    "department": officer.department, "key": item["key"], "title": item["title"],
                    "period": item["period"], "due": item["due"], "status": item["status"],
                    "done_at": item.get("done_at") or "", "note": item.get("note") or item.get("reason") or "",
                    "priority": item["priority"], "campaigns": item["campaigns"],
                    "overdue_days": (env.today - date.fromisoformat(item["due"])).days if overdue else 0,
                    "case": item.get("case") or "",
                })
    rows.sort(key=lambda r: (r["court"], r["department"], r["officer"], r["due"], r["key"]))
    return rows


def roster_rows(env: Env, selection: ItemFilter) -> list[dict[str, Any]]:
    from checklist.identity import identify
    from checklist.service import viewed_scope

    with env.store().reading() as session:
        members, _label = viewed_scope(session, identify(session, env), selection.officer)
    selection = named(selection, members, {})
    return [
        {"id": o.id, "name": o.name, "court": o.court, "department": o.department, "roles": list(o.roles),
         "lead": o.lead, "since": o.since.isoformat() if o.since else "",
         "until": o.until.isoformat() if o.until else "", "login": o.login, "tags": list(o.tags)}
        for o in members
        if (not selection.court or o.court == selection.court)
        and (not selection.department or o.department == selection.department)
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = "、".join(str(v) for v in value)
    return safe_cell(value)


def to_csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c, "")) for c in columns])
    return "\ufeff" + out.getvalue()


def to_xlsx(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], title: str) -> bytes:
    """A workbook with one sheet; text cells are stored as text, never as formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cell(value: Any) -> WriteOnlyCell:
        value = _cell(value)
        if isinstance(value, str):  # control characters (a pasted \x0b line break) a workbook cannot hold
            value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # text, never a formula
        return c

    sheet.append([cell(c) for c in columns])
    for row in rows:
        sheet.append([cell(row.get(c, "")) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: str, title: str) -> bytes:
    """The export's bytes in ``fmt`` (csv, json or xlsx)."""
    if fmt not in FORMATS:
        raise InputError(_("an export is one of {values}").format(values=", ".join(FORMATS)), field="format")
    if fmt == "csv":
        return to_csv(rows, columns).encode("utf-8")
    if fmt == "json":
        return (json.dumps({title: rows}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return to_xlsx(rows, columns, title)
