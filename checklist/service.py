"""The library behind the commands: roster import, sync, and the run's context.

Commands in ``checklist.cli`` build an ``Env`` (where the database and templates are, what day it
is, who is acting), call one function here or in ``checklist.work``, and render what it returns.
Functions raise ``ChecklistError``s and never print.

Sync turns templates + roster into stored items. It runs by itself when the templates (or the
holiday data) changed since the last sync, and after every roster import. It never loses work: a
done or skipped item stays as it is; a duty that disappears from the templates withdraws only its
open items, and they come back if the duty does.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from checklist.core.ids import item_id
from checklist.core.models import Officer
from checklist.errors import InputError
from checklist.i18n import _
from checklist.roster import officer_doc, officer_from_doc
from checklist.store import Session, Store

if TYPE_CHECKING:
    from checklist.core.calendar import WorkCalendar
    from checklist.core.models import PlannedItem, TemplateSet

SYNC_VERSION = 3  # bump when the merge rules or what a sync stores change: every database re-syncs once


@dataclass
class Env:
    """Where this run reads and writes, what day it is, and who is acting."""

    db: Path
    templates: Path
    today: date
    actor: str = ""
    wait: float = 10.0

    def store(self) -> Store:
        return Store(self.db, wait=self.wait)

    def now(self) -> str:
        """A timestamp for history: the real time of day, on ``today`` (so CHECKLIST_TODAY holds)."""
        clock = datetime.now().astimezone()
        return datetime.combine(self.today, clock.timetz()).isoformat(timespec="seconds")


def default_actor() -> str:
    name = os.environ.get("CHECKLIST_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


# -- templates ---------------------------------------------------------------------------------------------


@dataclass
class ValidationReport:
    summary: str
    warnings: list[str] = field(default_factory=list)


def calendar_warnings(templates: TemplateSet, calendar: WorkCalendar) -> list[str]:
    """One warning per year a campaign runs in that the calendar has no holiday data for."""
    years: dict[int, list[str]] = {}
    for campaign in templates.campaigns.values():
        for year in range(campaign.start.year, campaign.end.year + 1):
            years.setdefault(year, []).append(campaign.key)
    return [
        _("warning: no holiday data for {year} (campaigns {keys}); Monday to Friday count as working days. Add a "
          "calendar: file to the templates folder (see docs/templates.md).").format(year=year, keys=", ".join(keys))
        for year, keys in sorted(years.items())
        if year not in calendar.years
    ]


def uncovered_warnings(calendar: WorkCalendar) -> list[str]:
    """After a computation: one warning per year it needed and had no holiday data for."""
    return [
        _("warning: no holiday data for {year}; Monday to Friday count as working days (add a calendar: file to "
          "the templates folder)").format(year=year)
        for year in sorted(calendar.uncovered)
    ]


def validate_templates(folder: Path, today: date) -> ValidationReport:
    from checklist.calendars import work_calendar
    from checklist.loader import load_templates

    templates = load_templates(folder)
    calendar = work_calendar(templates)
    active = sum(1 for c in templates.campaigns.values() if c.start <= today <= c.end)
    summary = _("{folder}: OK — {campaigns} campaigns ({active} active on {today}), {duties} duties, "
                "{library} in the duty library").format(
        folder=folder, campaigns=len(templates.campaigns), active=active, today=today,
        duties=len(templates.duties), library=len(templates.library))
    return ValidationReport(summary, calendar_warnings(templates, calendar))


def templates_fingerprint(folder: Path) -> str:
    """Changes when a template file, the holiday data or the merge rules change."""
    from checklist.loader import fingerprint

    spec = find_spec("chinese_calendar")
    holidays = ""
    if spec is not None and spec.origin:
        constants = Path(spec.origin).with_name("constants.py")
        stat = constants.stat() if constants.exists() else None
        holidays = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else ""
    return f"{SYNC_VERSION}|{folder.resolve()}|{fingerprint(folder)}|{holidays}"


# -- sync ---------------------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    officers: int = 0
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    restored: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn or self.restored)

    def changes(self) -> str:
        """'359 new, 2 withdrawn' — what happened to items."""
        return _(", ").join(what.format(n=n) for n, what in (
            (self.created, _("{n} new")), (self.updated, _("{n} updated")), (self.withdrawn, _("{n} withdrawn")),
            (self.restored, _("{n} restored"))) if n)

    def summary(self) -> str:
        if not self.changed:
            return _("{n} officers: every item is up to date").format(n=self.officers)
        return _("{n} officers: {changes} items").format(n=self.officers, changes=self.changes())


def _plan_fields(p: PlannedItem) -> dict[str, Any]:
    return {
        "key": p.key, "period": p.period, "every": p.every, "due": p.due.isoformat(), "title": p.title,
        "priority": p.priority, "campaigns": list(p.campaigns), "tags": list(p.tags),
        "sources": [{"campaign": s.campaign, "title": s.title, "every": s.every, "absorbed": s.absorbed}
                    for s in p.sources],
        "basis": p.basis,
    }


def _reconcile(session: Session, officer: Officer, planned: list[PlannedItem], env: Env, result: SyncResult) -> None:
    stored = session.items(officer.id)
    by_id = {i["id"]: i for i in stored}
    items: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    new_ids: list[str] = []
    planned_ids = set()
    now = env.now()

    def note(action: str, item: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
        history.append({"at": now, "actor": env.actor, "action": action, "item": item["id"],
                        "before": before, "after": after})

    for p in planned:
        iid = item_id(officer.id, p.key, p.period)
        planned_ids.add(iid)
        fields = _plan_fields(p)
        old = by_id.get(iid)
        if old is None:
            items.append({"id": iid, "officer": officer.id, **fields, "status": "open"})
            new_ids.append(iid)
            result.created += 1
            continue
        item = dict(old)
        changed = {k: v for k, v in fields.items() if old.get(k) != v}
        if changed:
            item.update(changed)
            result.updated += 1
            if "due" in changed:
                note("rescheduled", item, {"due": old.get("due")}, {"due": item["due"]})
        if old["status"] == "withdrawn":
            item["status"] = "open"
            note("restored", item, {"status": "withdrawn"}, {"status": "open"})
            result.restored += 1
        items.append(item)
    for old in stored:
        if old["id"] in planned_ids:
            continue
        if old["status"] == "open":
            old = {**old, "status": "withdrawn"}
            note("withdrawn", old, {"status": "open"}, {"status": "withdrawn"})
            result.withdrawn += 1
        items.append(old)

    if new_ids or history or len(items) != len(stored) or any(by_id.get(i["id"]) != i for i in items):
        items.sort(key=lambda i: (i["due"], i["key"], i["period"]))
        session.put_items(officer.id, items)
        session.append_history(officer.id, history)
        session.index_ids(officer.id, new_ids)


def sync_in(session: Session, env: Env, only: set[str] | None = None,
            progress: Callable[[int, int], None] | None = None) -> SyncResult:
    """Materialise items for every officer (or ``only`` these ids) inside an open write session.

    ``progress(done, total)`` is told how far it has got, for a progress bar.
    """
    from checklist.calendars import calendar_extras, work_calendar
    from checklist.core.merge import merge_sources
    from checklist.loader import load_templates

    templates = load_templates(env.templates)
    calendar = work_calendar(templates)
    result = SyncResult()
    shared: dict[tuple[Any, ...], list[PlannedItem]] = {}
    docs = [d for d in session.officers() if only is None or d["id"] in only]
    for n, doc in enumerate(docs):
        if progress is not None:
            progress(n, len(docs))
        officer = officer_from_doc(doc)
        profile = (officer.court, officer.department, tuple(sorted(officer.roles)))
        if profile not in shared:  # officers in the same court, department and roles share one merge
            shared[profile] = merge_sources(templates.duties_for(officer), templates, calendar)
        since = officer.since
        planned = [p for p in shared[profile] if since is None or p.due >= since]
        _reconcile(session, officer, planned, env, result)
        result.officers += 1
    session.set_meta(
        templates_fp=templates_fingerprint(env.templates),
        synced_at=env.now(),
        campaigns={c.key: {"name": c.name, "short": c.label, "start": c.start.isoformat(), "end": c.end.isoformat()}
                   for c in templates.campaigns.values()},
        calendar=calendar_extras(templates),
    )
    result.warnings = uncovered_warnings(calendar)
    return result


def needs_sync(session: Session, env: Env) -> bool:
    return session.meta().get("templates_fp") != templates_fingerprint(env.templates)


def up_to_date(session: Session, env: Env) -> list[str]:
    """Sync first if the templates changed since the last sync; the sync's warnings, if any."""
    return sync_in(session, env).warnings if needs_sync(session, env) else []


def sync(env: Env, force: bool = False, progress: Callable[[int, int], None] | None = None) -> SyncResult:
    """Bring every officer's items up to date; without ``force``, only if the templates changed."""
    with env.store().session(write=True) as session:
        if not force and not needs_sync(session, env):
            return SyncResult(officers=len(session.officers()))
        return sync_in(session, env, progress=progress)


# -- roster -------------------------------------------------------------------------------------------------


@dataclass
class RosterImport:
    path: str
    rows: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False
    sync: SyncResult | None = None

    def as_json(self) -> dict[str, Any]:
        return {"file": self.path, "rows": self.rows, "added": self.added, "changed": self.changed,
                "unchanged": self.unchanged, "dry_run": self.dry_run,
                "items": None if self.sync is None else {
                    "new": self.sync.created, "updated": self.sync.updated, "withdrawn": self.sync.withdrawn,
                    "restored": self.sync.restored}}

    def summary(self) -> str:
        if not self.added and not self.changed:
            return _("{file}: {rows} officers, all already up to date; nothing changed").format(
                file=self.path, rows=self.rows)
        text = _("{file}: {rows} officers: {added} new, {changed} changed, {unchanged} unchanged").format(
            file=self.path, rows=self.rows, added=len(self.added), changed=len(self.changed), unchanged=self.unchanged)
        if self.dry_run:
            return text + _(" (dry run: nothing was written)")
        if self.sync is not None and self.sync.changed:
            text += _("; items: {changes}").format(changes=self.sync.changes())
        return text


def import_roster(env: Env, path: Path, *, sheet: str | None = None, encoding: str | None = None,
                  mapping: dict[str, str] | None = None, dry_run: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> RosterImport:
    """Upsert officers from a spreadsheet: all or nothing, every bad row named."""
    from checklist.roster import ALIASES, REQUIRED, check_leads, parse_roster
    from checklist.spreadsheets import read_sheet, refuse

    table = read_sheet(path, ALIASES, REQUIRED, sheet=sheet, encoding=encoding, mapping=mapping)
    rows, problems = parse_roster(table)
    store = env.store()
    if dry_run and not store.exists():
        known: dict[str, Officer] = {}
        problems += check_leads(table.path, rows, known)
        refuse(table, problems)
        return RosterImport(table.path, len(rows), added=[r.officer.id for r in rows], dry_run=True)

    with store.session(write=not dry_run, create=not dry_run) as session:
        known = {d["id"]: officer_from_doc(d) for d in session.officers()}
        problems += check_leads(table.path, rows, known)
        refuse(table, problems)
        result = RosterImport(table.path, len(rows), dry_run=dry_run)
        docs = []
        absent = {name for name in ("court", "department", "lead") if name not in table.columns}
        for r in rows:
            officer = r.officer
            old = known.get(officer.id)
            if old is not None:  # a column the file does not have keeps what the database knows
                officer = replace(officer, **{name: getattr(old, name) for name in absent})
                if not r.has_since:
                    officer = replace(officer, since=old.since)
            elif not r.has_since:  # a newcomer starts today: no backlog from before they joined
                officer = replace(officer, since=env.today)
            if old is None:
                result.added.append(officer.id)
            elif old != officer:
                result.changed.append(officer.id)
            else:
                result.unchanged += 1
                continue
            docs.append(officer_doc(officer))
        if dry_run or not docs:
            return result
        session.put_officers(docs)
        touched = set(result.added) | set(result.changed)
        if needs_sync(session, env):
            touched = None  # templates changed too: bring everyone up to date
        result.sync = sync_in(session, env, only=touched, progress=progress)
        return result


def roster(env: Env) -> list[Officer]:
    with env.store().session() as session:
        return sorted((officer_from_doc(d) for d in session.officers()), key=lambda o: (o.court, o.department, o.id))


def require_officer(session: Session, officer_id: str | None) -> Officer:
    if not officer_id:
        raise InputError(_("which officer? give --officer ID or set CHECKLIST_OFFICER (checklist roster lists them)"))
    doc = session.officer(officer_id)
    if doc is None:
        from checklist.spreadsheets import clean

        doc = session.officer(clean(officer_id))
    if doc is None:
        raise InputError(_("no officer '{id}' on the roster (checklist roster lists them)").format(id=officer_id))
    return officer_from_doc(doc)
