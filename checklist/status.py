"""`checklist import status`: mark items done, skipped or open again from a spreadsheet.

A row names its item either by the item id (an ``id`` / ``事项ID`` column, as ``checklist export
items`` writes it) or by officer, duty key and period — the period written as a period
(``2026-W48``) or as the item's due date (``2026-11-23``). Columns, in English or Chinese:

    id / 事项ID   officer / 工号   key / 任务编码   period / 期间   status / 状态
    done_at / 完成时间   note / 备注

Status words: done / 完成 / 已完成 / 已办结, skipped / 跳过 / 不适用, open / 未完成 / 待办. A skipped row
needs its reason in the note column.

The import is all or nothing and idempotent: every row is checked first (unknown officers and
items, disagreeing duplicates, impossible dates, done times in the future are bad rows), and a
row whose item is already in that state changes nothing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from checklist.context import Env
from checklist.core.periods import EARLIEST
from checklist.errors import InputError
from checklist.i18n import _, ngettext
from checklist.store import Change
from checklist.store.contract import collector_paused

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("事项ID", "事项id", "item", "item_id"),
    "officer": ("工号", "承办人工号", "officer_id", "人员编号"),
    "key": ("事项编码", "任务编码", "duty"),
    "period": ("期间", "周期"),
    "due": ("截止日期", "到期日", "应完成日期"),
    "status": ("状态", "完成情况"),
    "done_at": ("完成时间", "完成日期", "done"),
    "note": ("备注", "说明", "reason", "原因"),
}
STATUS_WORDS = {
    "done": "done", "完成": "done", "已完成": "done", "已办结": "done", "办结": "done",
    "skipped": "skipped", "skip": "skipped", "跳过": "skipped", "已跳过": "skipped", "不适用": "skipped",
    "open": "open", "未完成": "open", "待办": "open", "未办": "open",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_NOTE = 2000
ACTION = {"done": "done", "skipped": "skip", "open": "undo"}  # the status a row asks for → the lifecycle action


def _undefuse(text: str) -> str:
    """Exports put a ' before text that looks like a formula; take it off again on the way in."""
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_START else text


@dataclass
class StatusImport:
    path: str
    rows: int
    done: int = 0
    skipped: int = 0
    reopened: int = 0
    unchanged: int = 0
    duplicates: int = 0
    dry_run: bool = False
    officers: set[str] = field(default_factory=set)
    # (row, officer, item id, title, status before, status after, done at): what a dry run lists
    details: list[tuple[int, str, str, str, str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.done + self.skipped + self.reopened

    def summary(self) -> str:
        parts = [what.format(n=n) for n, what in (
            (self.done, _("{n} done")), (self.skipped, _("{n} skipped")), (self.reopened, _("{n} reopened")),
            (self.unchanged, _("{n} unchanged")),
            (self.duplicates, ngettext("{n} repeated row", "{n} repeated rows", self.duplicates))) if n]
        text = ngettext("{file}: {rows} row: {what}", "{file}: {rows} rows: {what}", self.rows).format(
            file=self.path, rows=self.rows, what=_(", ").join(parts) or _("nothing to do"))
        if self.dry_run:
            text += _(" (dry run: nothing was written)")
        elif not self.changed:
            text += _("; nothing changed")
        return text

    def as_json(self) -> dict[str, Any]:
        doc = {"file": self.path, "rows": self.rows, "done": self.done, "skipped": self.skipped,
               "reopened": self.reopened, "unchanged": self.unchanged, "duplicates": self.duplicates,
               "dry_run": self.dry_run}
        if self.dry_run:
            doc["changes"] = [{"row": row, "officer": officer, "id": iid, "title": title, "before": before,
                               "after": after, "done_at": done_at or None}
                              for row, officer, iid, title, before, after, done_at in self.details]
        return doc

    def listing(self) -> list[str]:
        """A dry run's lines: each item that would change, with its row."""
        from checklist.render import status_word

        return [_("  row {row}  {id}  {officer}  {title}  {before} → {after}").format(
            row=row, id=iid[:6], officer=officer, title=title, before=status_word(before), after=status_word(after))
            + (f" ({done_at[:16].replace('T', ' ')})" if done_at else "")
            for row, officer, iid, title, before, after, done_at in self.details]


_TIME = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日?)\s*[ T]?(\d{1,2})[:：](\d{2})"
                   r"(?:[:：](\d{2}))?")


def _when(value: Any, today: date) -> datetime | str | None:
    """A done time from a cell: a date, a date and time, or an Excel serial; or why not."""
    from checklist.spreadsheets import clean, date_of

    if value is None or (isinstance(value, str) and not clean(value)):
        return None
    if isinstance(value, datetime):
        stamp = value
    else:
        text = clean(str(value)) if isinstance(value, str) else None
        stamp = None
        match = _TIME.fullmatch(text) if text else None
        if text and match is None and len(text) > 10 and (" " in text or "T" in text):
            try:  # ISO 8601, as checklist's own exports write it (2026-11-28T09:14:03+08:00)
                stamp = datetime.fromisoformat(text)
            except ValueError:
                return _("'{value}' is not a date and time (write 2026-11-20 14:30)").format(value=text)
        elif match is not None:
            day = date_of(match[1])
            if isinstance(day, str) or day is None:
                return day
            hour, minute, second = int(match[2]), int(match[3]), int(match[4] or 0)
            if hour > 23 or minute > 59 or second > 59:
                return _("'{value}' is not a real time of day").format(value=text)
            stamp = datetime(day.year, day.month, day.day, hour, minute, second)
        if stamp is None:
            day = date_of(value)
            if isinstance(day, str) or day is None:
                return day
            stamp = datetime(day.year, day.month, day.day)
    if stamp.date() > today:
        return _("'{day}' is after today ({today}); a done time cannot be in the future").format(
            day=stamp.date(), today=today)
    if stamp.date() < EARLIEST:
        return _("'{day}' is before {earliest}; that cannot be when this work was done").format(
            day=stamp.date(), earliest=EARLIEST)
    return stamp


@collector_paused()  # the sheet's rows and the items they name stay alive throughout: nothing to collect early
def import_status(env: Env, path: Path, *, sheet: str | None = None, encoding: str | None = None,
                  mapping: dict[str, str] | None = None, dry_run: bool = False, backfill: bool = False,
                  progress: Any = None) -> StatusImport:
    from checklist.core.ids import normalise_prefix
    from checklist.spreadsheets import clean, read_sheet, refuse, text_of

    table = read_sheet(path, ALIASES, ("status",), sheet=sheet, encoding=encoding, mapping=mapping)
    has_id = "id" in table.columns
    if not has_id:
        missing = [c for c in ("officer", "key") if c not in table.columns]
        if "period" not in table.columns and "due" not in table.columns:
            missing.append(_("period (or due)"))
        if missing:
            raise InputError(f"{table.path}:{table.header_row}: " + _(
                "give either an item id column (id/事项ID) or officer, key and period (or due date) columns; "
                "missing {columns}").format(columns=", ".join(missing)))
    result = StatusImport(table.path, len(table.rows), dry_run=dry_run)
    problems: list[str] = []
    from checklist.core import lifecycle
    from checklist.work import refusal_text

    from checklist.identity import require_manage, writer_access

    store = env.store()
    # a dry run only reads: it neither waits for a writer nor can change anything
    with (store.reading() if dry_run else store.writing()) as session:
        access, env = writer_access(session, env)
        require_manage(access, what=_("importing status"))  # a chief (their courts' rows: checked below) or admin
        if backfill:
            from checklist.identity import require_manage_all

            require_manage_all(access, _("loading past work as it was recorded then (--backfill)"))
        at, recorded = env.at(), env.recorded()
        items_of: dict[str, dict[str, dict[str, Any]]] = {}  # officer → id → item
        by_name: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = {}  # officer → (key, period|due)

        def items(officer: str) -> dict[str, dict[str, Any]]:
            if officer not in items_of:
                items_of[officer] = {i["id"]: i for i in session.items(officer)}
                index: dict[tuple[str, str], list[dict[str, Any]]] = {}
                for item in items_of[officer].values():
                    index.setdefault((item["key"], item["period"]), []).append(item)
                    if item["due"] != item["period"]:
                        index.setdefault((item["key"], "due:" + item["due"]), []).append(item)
                by_name[officer] = index
            return items_of[officer]

        # each distinct cell read once: a 台账's officers, duties, periods, status words, times and notes repeat
        stamp_of = _remembered(lambda cell: _stamp(_when(cell, env.today)))  # (the time as stored, or the problem)
        period_of = _remembered(lambda cell: _period_or_day(text_of(cell), cell))
        status_of, note_of = _remembered(_status_of), _remembered(_note_of)
        officer_of = _remembered(lambda cell: clean(_undefuse(text_of(cell))))
        key_of = _remembered(lambda cell: clean(text_of(cell)))
        manages = functools.cache(lambda court: access.may_manage([court]))  # a court's rows asked once
        wanted: dict[str, tuple[int, dict[str, Any], str]] = {}  # item id → (row, change, officer)
        for n, row in enumerate(table.rows):
            if progress is not None and n % 2000 == 0:
                progress(n, len(table.rows))
            where = f"{table.path}:{row.number}"
            values = row.values
            status, bad_status = status_of(values.get("status"))
            bad = [bad_status] if bad_status else []
            note, bad_note = note_of(values.get("note"))
            stamp, bad_time = stamp_of(values.get("done_at"))
            if bad_time:
                bad.append(f"done_at: {bad_time}")
            if status == "skipped" and not note:
                bad.append("note: " + _("a skipped item needs its reason in the note column"))
            bad += bad_note

            item = None
            if has_id and text_of(values.get("id")):
                typed = normalise_prefix(clean(_undefuse(text_of(values.get("id")))))
                matches = session.find_ids(typed) if len(typed) >= 4 else []
                if len(matches) == 1:
                    item = items(matches[0][1]).get(matches[0][0])
                if item is None:
                    # a chief is shown their courts' items only (on a server, the only ones it lets them see)
                    missing = _("no item '{id}'") if access.admin else _("no item '{id}' among your courts' items")
                    bad.append("id: " + (missing if len(matches) < 2 else
                                         _("'{id}' matches several items; give the whole id")).format(id=values.get("id")))
            else:
                officer = officer_of(values.get("officer"))
                key = key_of(values.get("key"))
                if not officer:
                    bad.append("officer: " + _("empty"))
                elif officer not in access.roster:
                    bad.append("officer: " + _("'{id}' is not on the roster").format(id=officer))
                elif not manages(access.roster[officer].court):  # before their items: on a server the
                    # importer could not see those, and would be told the duty is missing
                    person = access.roster[officer]
                    bad.append("officer: " + _("{officer} works at {court}, not in your courts").format(
                        officer=person.shown, court=person.court or _("(no court)")))
                elif key:
                    period, day = period_of(values.get("period"))
                    if not period and day is None:  # no period: the due date names the item
                        period, day = period_of(values.get("due"))
                    if isinstance(day, str):
                        bad.append(f"period: {day}")
                    else:
                        items(officer)
                        if day is None:
                            found = by_name[officer].get((key, period), [])
                        else:  # a due date: a daily item's period, or any other item's due date
                            found = by_name[officer].get((key, day.isoformat()), []) + \
                                by_name[officer].get((key, "due:" + day.isoformat()), [])
                        if len(found) == 1:
                            item = found[0]
                        elif not found:
                            bad.append("key: " + _("officer {officer} has no item '{key}' for {period}").format(
                                officer=officer, key=key, period=period or _("that period")))
                        else:
                            bad.append("period: " + _("{n} items of '{key}' are due on {day}; give the period").format(
                                n=len(found), key=key, day=day))
                elif not key:
                    bad.append("key: " + _("empty"))
            step = None
            if item is not None and status is not None and not bad:
                try:
                    # a back-fill of the office's own 台账: each row counts as recorded when it says the work was
                    # done, so the report does not list it as recorded late; its history entry says so
                    step = lifecycle.step(item, ACTION[status], at=at, recorded=stamp if backfill and stamp else recorded,
                                          note=note, done_at=stamp)
                except lifecycle.Refused as err:
                    bad.append("status: " + refusal_text(item, err.why))
            if bad:
                problems += [f"{where}: {b}" for b in bad]
                continue
            assert item is not None and status is not None
            change = {"status": status, "done_at": stamp, "note": note, "step": step}
            if item["id"] in wanted:
                first_row, first, _owner = wanted[item["id"]]
                if {**first, "step": None} != {**change, "step": None}:  # both rows are wrong: name each, pointing at the other
                    problems.append(f"{where}: status: " + _("the same item is on row {row} with a different "
                                                             "status, time or note").format(row=first_row))
                    first_where = f"{table.path}:{first_row}: status: " + _(
                        "the same item is on row {row} with a different status, time or note").format(row=row.number)
                    if first_where not in problems:
                        problems.append(first_where)
                else:
                    result.duplicates += 1
                continue
            owner = access.roster.get(item["officer"])
            if owner is not None and not manages(owner.court):
                problems.append(f"{where}: officer: " + _("{officer} works at {court}, not in your courts").format(
                    officer=owner.shown, court=owner.court or _("(no court)")))
                continue
            wanted[item["id"]] = (row.number, change, item["officer"])
        refuse(table, problems)

        change = Change()
        for item_id, (row_number, wanted_change, owner) in wanted.items():
            item = items_of[owner][item_id]
            step = wanted_change["step"]
            if step is None:
                result.unchanged += 1
                continue
            if wanted_change["status"] == "done":
                result.done += 1
            elif wanted_change["status"] == "skipped":
                result.skipped += 1
            else:
                result.reopened += 1
            result.officers.add(owner)
            if dry_run:
                result.details.append((row_number, owner, item_id, item["title"], item["status"],
                                       step.after.get("status", item["status"]), step.after.get("done_at") or ""))
            item.update(step.after)
            change.put_items(owner, [item])
            claimed = at
            if backfill and step.after.get("done_at"):  # a back-fill is claimed for when the 台账 says, in our zone
                moment = datetime.fromisoformat(step.after["done_at"])
                zone = datetime.fromisoformat(at).tzinfo
                claimed = (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat(timespec="seconds")
            change.entries.append({
                "at": claimed, "recorded": recorded, **env.who(), "action": "import", "officer": owner,
                "item": item_id, "before": step.before, "after": step.after, "note": f"{table.path}:{row_number}",
                **({"backfill": True} if backfill else {})})
        if not dry_run and not change.empty:
            session.commit(change)  # type: ignore[attr-defined]
    return result


def _remembered(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``read(cell)`` with its answers kept for this import: a 台账's cells repeat (a few hundred distinct
    done times, periods, officers among 100,000 rows). Cells are told apart by type too (1, 1.0 and True
    are three)."""
    seen: dict[tuple[type, Any], Any] = {}

    def remembered(cell: Any) -> Any:
        key = (cell.__class__, cell)
        try:
            return seen[key]
        except KeyError:
            seen[key] = found = read(cell)
            return found
        except TypeError:  # a cell that cannot be a key
            return read(cell)

    return remembered


def _stamp(when: datetime | str | None) -> tuple[str | None, str | None]:
    """A done time as an item stores it (to the second), or (None, why it is not one)."""
    if isinstance(when, str):
        return None, when
    return (when.isoformat(timespec="seconds") if when is not None else None), None


def _status_of(cell: Any) -> tuple[str | None, str | None]:
    """The status a cell asks for, or (None, the problem)."""
    from checklist.spreadsheets import text_of

    text = text_of(cell).lower()
    status = STATUS_WORDS.get(text)
    if status is not None:
        return status, None
    return None, "status: " + (_("'{value}' is not a status (done/完成, skipped/跳过, open/未完成)").format(
        value=text) if text else _("empty"))


def _note_of(cell: Any) -> tuple[str | None, tuple[str, ...]]:
    """A note cell's text (None if empty), and what is wrong with it."""
    from checklist.core.text import control_character

    text = str(cell).strip() if cell is not None else ""
    if not text:
        return None, ()
    note = _undefuse(text)
    problems = []
    if len(note) > MAX_NOTE:
        problems.append("note: " + _("a note may be at most {n} characters (this one has {length})").format(
            n=MAX_NOTE, length=len(note)))
    char = control_character(note)
    if char is not None:
        problems.append("note: " + _("holds a control character ({char}); remove it").format(char=char))
    return note, tuple(problems)


def _period_or_day(text: str, cell: Any) -> tuple[str, Any]:
    """A period id as stored (2026-w49 → 2026-W49), or a due date (2026-11-30, 2026/11/30, 20261130)."""
    from checklist.core.periods import parse_period
    from checklist.spreadsheets import date_of

    if not text or text.lower() == "once":
        return text.lower(), None
    try:
        period = parse_period(text)
    except ValueError:
        return text, date_of(cell)  # a date written another way, or the reason it is not one
    if period.every == "day":  # a day is a due date: any item due that day, daily or not
        return text, period.start
    return period.id, None
