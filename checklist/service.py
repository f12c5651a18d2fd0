"""The roster in the database: importing it, listing it, and finding the officer a command is for.

Commands in ``checklist.cli`` build an ``Env`` (``checklist.context``), call one function here or
in a sibling module (``sync``, ``work``, ``status``, ``reporting``, ``export``, ``audit``) and
render what it returns. Functions raise ``ChecklistError``s and never print.

A roster import is all or nothing. It adds and updates officers (each change a ``roster``
history entry), applies the templates if the database has none yet (the first import), and
brings the lists of the officers it touched up to date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from checklist.context import Env, calendar_warnings
from checklist.core.history import roster_record
from checklist.core.models import Officer
from checklist.errors import InputError
from checklist.i18n import _, ngettext
from checklist.roster import officer_doc, officer_from_doc
from checklist.store import Change
from checklist.store.contract import collector_paused

if TYPE_CHECKING:
    from checklist.core.access import Access
    from checklist.store import Reader
    from checklist.sync import SyncResult


@dataclass
class ValidationReport:
    summary: str
    warnings: list[str] = field(default_factory=list)


def validate_templates(folder: Path, today: date, officers: list[Officer] | None = None) -> ValidationReport:
    """Check a templates folder; with ``officers`` (the roster), also warn of duties nobody can hold."""
    from checklist.calendars import work_calendar
    from checklist.loader import load_templates

    templates = load_templates(folder)
    unheld = []
    for duty, role in templates.unheld(officers) if officers else ():
        campaign = templates.campaigns[duty.campaign]
        unheld.append(_("warning: {where}: duty '{key}' ({campaign}) asks for role '{role}', which nobody on the "
                        "roster in its scope holds").format(where=f"{folder}/{duty.where}", key=duty.key, campaign=campaign.label,
                                                            role=role))
    for duty in templates.untagged(officers) if officers else ():
        unheld.append(_("warning: {where}: duty '{key}' ({campaign}) is only for people tagged {tags}, and nobody on "
                        "the roster in its scope is (add the tag in the roster's tags column)").format(
            where=f"{folder}/{duty.where}", key=duty.key, campaign=templates.campaigns[duty.campaign].label,
            tags=" / ".join(duty.only_tagged)))
    calendar = work_calendar(templates)
    active = sum(1 for c in templates.campaigns.values() if c.start <= today <= c.end)
    summary = _("{folder}: OK — {campaigns} campaigns ({active} active on {today}), {duties} duties, "
                "{library} in the duty library").format(
        folder=folder, campaigns=len(templates.campaigns), active=active, today=today,
        duties=len(templates.duties), library=len(templates.library))
    return ValidationReport(summary, calendar_warnings(templates, calendar) + unheld)


@dataclass
class RosterImport:
    path: str
    rows: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False
    sync: SyncResult | None = None
    idle: list[str] = field(default_factory=list)  # people no duty of the templates applies to
    # (row, officer shown, {field: (before, after)}; empty for a newcomer): what a dry run lists
    details: list[tuple[int, str, dict[str, tuple[Any, Any]]]] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        found = list(self.sync.warnings) if self.sync is not None else []
        if self.idle:
            shown = "、".join(self.idle[:20]) + ("…" if len(self.idle) > 20 else "")
            found.append(ngettext("warning: {n} person matches no duty of the templates: {names}",
                                  "warning: {n} people match no duty of the templates: {names}",
                                  len(self.idle)).format(n=len(self.idle), names=shown))
        return found

    def as_json(self) -> dict[str, Any]:
        doc = {"file": self.path, "rows": self.rows, "added": self.added, "changed": self.changed,
               "unchanged": self.unchanged, "dry_run": self.dry_run,
               "items": None if self.sync is None else {
                   "new": self.sync.created, "updated": self.sync.updated, "withdrawn": self.sync.withdrawn,
                   "restored": self.sync.restored}}
        if self.dry_run:
            doc["changes"] = [{"row": row, "officer": who, "fields": {k: list(v) for k, v in fields.items()} or None}
                              for row, who, fields in self.details]
        return doc

    def listing(self) -> list[str]:
        """A dry run's lines: each newcomer (+) and each change (~ field: before → after)."""
        lines = []
        for row, who, fields in self.details:
            if not fields:
                lines.append(_("  row {row}  + {officer}").format(row=row, officer=who))
                continue
            said = "; ".join(f"{name}: {_shown(before)} → {_shown(after)}" for name, (before, after) in fields.items())
            lines.append(_("  row {row}  ~ {officer}  {changes}").format(row=row, officer=who, changes=said))
        return lines

    def summary(self) -> str:
        if not self.added and not self.changed:
            return ngettext("{file}: {rows} officer, already up to date; nothing changed",
                            "{file}: {rows} officers, all already up to date; nothing changed", self.rows).format(
                file=self.path, rows=self.rows)
        text = ngettext("{file}: {rows} officer: {added} new, {changed} changed, {unchanged} unchanged",
                        "{file}: {rows} officers: {added} new, {changed} changed, {unchanged} unchanged",
                        self.rows).format(file=self.path, rows=self.rows, added=len(self.added),
                                          changed=len(self.changed), unchanged=self.unchanged)
        if self.sync is not None and self.sync.changed:
            text += _("; items: {changes}").format(changes=self.sync.changes())
        if self.dry_run:
            text += _(" (dry run: nothing was written)")
        return text


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value)) or "—"
    return "—" if value in (None, "") else str(value)


@collector_paused()  # a first import syncs everyone: see sync.sync_all
def import_roster(env: Env, path: Path, *, sheet: str | None = None, encoding: str | None = None,
                  mapping: dict[str, str] | None = None, dry_run: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> RosterImport:
    """Upsert officers from a spreadsheet: all or nothing, every bad row named."""
    from checklist.identity import acting, identify, manage_refusal, require_manage, require_writer, rules_of
    from checklist.roster import ALIASES, REQUIRED, check_accounts, check_leads, check_titles, parse_roster
    from checklist.spreadsheets import read_sheet, refuse
    from checklist.sync import applied, needs_sync, parse_bundle, read_bundle, sync_all, templates_change

    table = read_sheet(path, ALIASES, REQUIRED, sheet=sheet, encoding=encoding, mapping=mapping)
    rows, problems = parse_roster(table)
    store = env.store()
    if dry_run and not store.exists():
        problems += check_leads(table.path, rows, {})
        problems += check_titles(table.path, rows, parse_bundle(read_bundle(env.templates_folder())).rules)
        problems += check_accounts(table.path, rows, {})
        refuse(table, problems)
        return RosterImport(table.path, len(rows), added=[r.officer.id for r in rows], dry_run=True,
                            details=[(r.row, r.officer.shown, {}) for r in rows])

    first_files = None
    if not store.exists():  # the first import applies the templates: check them before anything is written
        first_files = read_bundle(env.templates_folder())
    with (store.reading() if dry_run else store.writing(create=True)) as writer:  # a dry run never waits or tidies
        known = {d["id"]: officer_from_doc(d) for d in writer.officers()}
        first = not known
        access = identify(writer, env, known.values())
        if not first:
            require_writer(access)
        env = acting(env, access)
        if first_files is None and not writer.templates():
            first_files = read_bundle(env.templates_folder())
        rules = parse_bundle(first_files).rules if first_files is not None else rules_of(writer.meta())
        problems += check_leads(table.path, rows, known)
        problems += check_titles(table.path, rows, rules)
        problems += check_accounts(table.path, rows, known)
        refuse(table, problems)
        if not first:  # a chief imports their court's people (checked row by row below); an admin anyone's
            require_manage(access, what=_("importing a roster"))
        result = RosterImport(table.path, len(rows), dry_run=dry_run)
        change = Change()
        absent = {name for name in ("court", "department", "lead", "until", "login", "tags") if name not in table.columns}
        at, recorded = env.at(), env.recorded()
        for r in rows:
            officer = r.officer
            old = known.get(officer.id)
            if old is not None:  # a column the file does not have keeps what the database knows
                officer = replace(officer, **{name: getattr(old, name) for name in absent})
                if not r.has_since:
                    officer = replace(officer, since=old.since)
            elif not r.has_since:  # a newcomer starts today: no backlog from before they joined
                officer = replace(officer, since=env.today)
            if old is not None and old == officer:
                result.unchanged += 1
                continue
            refused = None if first else manage_refusal(access, officer, old)
            if refused is not None:
                problems.append(f"{table.path}:{r.row}: {refused}")
                continue
            if old is None:
                result.added.append(officer.id)
            else:
                result.changed.append(officer.id)
            result.details.append((r.row, officer.shown, {} if old is None else {
                name: (getattr(old, name), getattr(officer, name)) for name in officer.__slots__
                if getattr(old, name) != getattr(officer, name)}))
            doc = officer_doc(officer)
            change.officers.append(doc)
            change.entries.append({
                "at": at, "recorded": recorded, **env.who(), "action": "roster", "officer": officer.id,
                "before": roster_record(officer_doc(old)) if old is not None else None,
                "after": roster_record(doc), "note": f"{table.path}:{r.row}"})
        refuse(table, problems)
        if not change.officers:
            return result
        if first:
            change.meta["owner"] = access.actor.login  # who made the database acts as its admin (SPEC.md → Who may do what)
        everyone = {d["id"]: d for d in writer.officers()} | {d["id"]: d for d in change.officers}
        if first_files is not None or not writer.templates():
            files = first_files or read_bundle(env.templates_folder())
            templates_change(files, env.templates_folder(), env, change)
            templates = parse_bundle(files)
            touched = list(everyone.values())
        else:
            templates = applied(writer)
            touched = [everyone[i] for i in (*result.added, *result.changed)]
            if needs_sync(writer.meta()):  # the holiday data or the rules changed too: bring everyone up to date
                touched = list(everyone.values())
        result.sync = sync_all(writer, templates, env, change, touched, progress=progress,
                               newcomers=frozenset(result.added))
        result.idle = [o.shown for o in map(officer_from_doc, touched)
                       if not templates.duties_for(o) and templates.rules.levels(o) != {"admin"}]
        if not dry_run:
            writer.commit(change)
        return result


def roster(env: Env) -> list[tuple[Officer, str]]:
    """The people the acting person may see, by court and department, each with their level."""
    from checklist.identity import identify

    with env.store().reading() as reader:
        access = identify(reader, env)
        members, _label = viewed_scope(reader, access, None)
    return [(o, access.rules.level(o)) for o in sorted(members, key=lambda o: (o.court, o.department, o.id))]


def require_manager(env: Env, what: str) -> None:
    """Refuse unless the acting person may manage the whole database (db roles, db copy, db upgrade)."""
    from checklist.identity import require_manage_all, writer_access

    with env.store().reading() as reader:
        if reader.officers():
            require_manage_all(writer_access(reader, env)[0], what)


def require_officer(reader: Reader, officer_id: str | None) -> Officer:
    """The roster officer a command is for; a clean refusal if none is named or the id is unknown."""
    if not officer_id:
        raise InputError(_("which officer? give their id (工号) — checklist roster lists them"))
    from checklist.spreadsheets import clean

    doc = reader.officer(officer_id)
    if doc is None:
        doc = reader.officer(clean(officer_id))
    if doc is None:
        doc = _likely_officer(reader, clean(officer_id))
    return officer_from_doc(doc)


def _likely_officer(reader: Reader, typed: str) -> dict[str, Any]:
    """The roster entry meant by an id typed in another case (dl001), or by a name on the roster only
    once (周敏); else a refusal that names the likeliest ids."""
    import difflib

    everyone = reader.officers()
    folded = typed.casefold()
    found = [d for d in everyone if d["id"].casefold() == folded] or [d for d in everyone if d.get("name") == typed]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise InputError(_("'{typed}' is the name of {n} people on the roster: give the id (工号) — {ids}").format(
            typed=typed, n=len(found), ids="、".join(f"{d['id']} {d.get('court', '')}" for d in found[:8])))
    ids = {d["id"].casefold(): d for d in everyone}
    close = [ids[i] for i in difflib.get_close_matches(folded, list(ids), n=3, cutoff=0.6)]
    if close:
        raise InputError(_("no officer '{id}' on the roster; did you mean {ids}?").format(
            id=typed, ids=_(" or ").join(f"{d['id']} ({d.get('name') or d['id']})" for d in close)))
    raise InputError(_("no officer '{id}' on the roster (checklist roster lists them)").format(id=typed))


def officer_for(reader: Reader, access: Access, officer_id: str | None) -> Officer:
    """The officer a command is for: the one named, else the acting person themself."""
    if not officer_id and access.actor.person is not None:
        return access.actor.person
    return require_officer(reader, officer_id)


def viewed_scope(reader: Reader, access: Access, viewer_id: str | None) -> tuple[list[Officer], dict[str, str]]:
    """Whom a listing covers: the acting person's scope, or — with ``viewer_id`` — the scope of that lead
    or chief, if the acting person may see them."""
    from checklist.identity import require_reader, require_see

    require_reader(access)
    everyone = sorted(access.roster.values(), key=lambda o: o.id)
    if viewer_id:
        viewer = require_officer(reader, viewer_id)
        require_see(access, viewer)
        members, label = access.scope_of(viewer, everyone)
        return [o for o in members if access.may_see(o)], label  # a lead's team may reach past what you see
    return access.scope(everyone)
