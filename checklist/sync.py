"""The templates a database runs on, and sync: turning templates + roster into stored items.

The database owns its templates (SPEC.md → Storage). ``templates apply DIR`` reads and validates
the folder, stores every file's text in the database and re-syncs; the first roster import
applies ``--templates`` (else the shipped ones). Every other command works from the applied
copy, so two people whose ``--templates`` differ never re-sync each other's lists.

Sync never loses work. A done or skipped item keeps everything it was worked against — due date,
title, campaigns — whatever the templates say later. An open item follows the templates; one
whose duty left them is withdrawn (its history kept) and comes back if the duty does. What a sync
did to an officer's items is one ``sync`` history entry (see ``checklist.core.history``).

Sync runs on ``templates apply``, after a roster import (for the officers it touched) and on
``checklist sync``; reading commands never sync — they say when one is due (the holiday data or
the merge rules changed since).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from checklist.core.history import PLAN_FIELDS, plan_digest
from checklist.core.ids import item_id
from checklist.core.models import Phase
from checklist.i18n import _, ngettext
from checklist.store import Change
from checklist.store.contract import collector_paused

if TYPE_CHECKING:

    from checklist.context import Env
    from checklist.core.calendar import WorkCalendar
    from checklist.core.models import Campaign, Officer, PlannedItem, TemplateSet
    from checklist.store import Reader

SYNC_VERSION = 5  # bump when the merge rules or what a sync stores change: every database re-syncs once


# -- the templates bundle ------------------------------------------------------------------------------


def bundle_fingerprint(files: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for path, text in sorted(files):
        digest.update(path.encode("utf-8") + b"\0" + text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()[:16]


def read_bundle(folder: Path) -> list[tuple[str, str]]:
    """A templates folder's files as (path relative to the folder, text), checked and validated."""
    from checklist.loader import load_files

    from checklist.loader import parse_files

    files = load_files(folder)
    parse_files(files, folder)  # refuse what does not validate before anything is stored
    return files


def parse_bundle(files: list[tuple[str, str]]) -> TemplateSet:
    from checklist.loader import parse_files

    return parse_files(files)


def holidays_fingerprint() -> str:
    """Changes when the installed holiday data (chinesecalendar) changes."""
    spec = find_spec("chinese_calendar")
    if spec is None or not spec.origin:
        return ""
    constants = Path(spec.origin).with_name("constants.py")
    try:
        info = constants.stat()
    except OSError:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}"


def needs_sync(meta: dict[str, Any]) -> bool:
    """Whether the items were computed by other merge rules or other holiday data than now."""
    return meta.get("sync_version") != SYNC_VERSION or meta.get("holidays") != holidays_fingerprint()


def applied(reader: Reader) -> TemplateSet:
    """The templates the database runs on."""
    from checklist.errors import InputError

    files = reader.templates()
    if not files:
        raise InputError(_("no templates are applied to this database yet; apply some: checklist templates apply DIR"))
    return parse_bundle(files)


def templates_notes(reader: Reader, env: Env) -> list[str]:
    """What a command should say about the templates and the sync before it shows anything."""
    notes = []
    meta = reader.meta()
    if env.templates is not None and reader.templates():
        try:
            given = bundle_fingerprint(_quiet_files(env.templates))
        except Exception:  # a folder that cannot be read is not this command's business
            given = ""
        if given and given != meta.get("templates", {}).get("fingerprint"):
            notes.append(_("note: this database runs on the templates applied on {day}; the ones in {folder} differ "
                           "and are not used (apply them with checklist templates apply {folder})").format(
                day=str(meta.get("templates", {}).get("applied_at", ""))[:10], folder=env.templates))
    if meta and needs_sync(meta):
        notes.append(_("note: the holiday data or checklist itself changed since the last sync; due dates may move — "
                       "run checklist sync"))
    return notes


def _quiet_files(folder: Path) -> list[tuple[str, str]]:
    from checklist.loader import load_files

    return load_files(folder)


# -- sync -------------------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    officers: int = 0
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    restored: int = 0
    warnings: list[str] = field(default_factory=list)
    climbed: int = 0  # late follow-ups whose climb to the opener's lead this sync recorded

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
            text = ngettext("{n} officer: every item is up to date", "{n} officers: every item is up to date", self.officers).format(n=self.officers)
        else:
            text = ngettext("{n} officer: {changes} items", "{n} officers: {changes} items", self.officers).format(n=self.officers, changes=self.changes())
        if self.climbed:
            text += "; " + ngettext("{n} late follow-up climbed to the opener's lead or chief",
                                    "{n} late follow-ups climbed to the opener's lead or chief",
                                    self.climbed).format(n=self.climbed)
        return text


def _plan_fields(p: PlannedItem) -> dict[str, Any]:
    return {
        "key": p.key, "period": p.period, "every": p.every, "due": p.due.isoformat(), "title": p.title,
        "priority": p.priority, "campaigns": list(p.campaigns), "tags": list(p.tags),
        "sources": [{"campaign": s.campaign, "title": s.title, "every": s.every, "absorbed": s.absorbed}
                    for s in p.sources],
        "basis": p.basis,
        **({"case": p.case} if p.case else {}),
    }


@dataclass
class Planned:
    """A merged line ready to store: its fields, and the digest of its duty fields once one is needed.

    Officers with the same court, department and roles share these, so the digest is computed
    at most once per line however many officers get it.
    """

    key: str
    period: str
    due: str
    fields: dict[str, Any]
    _digest: str | None = None

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = plan_digest(self.fields)
        return self._digest


def prepare(planned: list[PlannedItem]) -> list[Planned]:
    return [Planned(p.key, p.period, fields["due"], fields) for p in planned
            for fields in (_plan_fields(p),)]


def reconcile(stored: list[dict[str, Any]], officer: Officer, planned: list[Planned], result: SyncResult,
              today: str, newcomer: bool,
              case_closed: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The officer's items to store and the ``sync`` entry's ``items`` part (empty: nothing to do).

    Past figures never change when a role, a scope or a template does: an open item no plan asks
    for any more is withdrawn only if it is not yet due (due today or later), and a new duty gives
    an officer already on the roster only what falls due from today (a ``newcomer``, just added to
    the roster, gets everything from their start date) — except after an officer's last day (``until``), when nothing is theirs.
    """
    by_id = {i["id"]: i for i in stored}
    changed: list[dict[str, Any]] = []
    parts: dict[str, Any] = {}
    planned_ids = set()
    officer_id = officer.id
    new: dict[str, list[str]] | None = None  # parts["new"], once there is one (a first sync: the year's items)
    for p in planned:
        iid = item_id(officer_id, p.key, p.period)
        planned_ids.add(iid)
        old = by_id.get(iid)
        if old is None:
            if not newcomer and p.due < today:
                continue  # a new duty for someone already here (a new role, a new campaign) starts today: the past stays
            changed.append({"id": iid, "officer": officer_id, **p.fields, "status": "open"})
            if new is None:
                new = parts.setdefault("new", {})
            new[iid] = [p.period, p.due, p.digest]
            continue
        if old["status"] in ("done", "skipped") or old.get("reassigned_to") or old.get("reassigned_from"):
            continue  # worked against what it was then (a template change does not re-date work done), or handed
            # on — or handed to this officer, due as it was handed (not overdue the moment it arrived)
        updated = False
        if p.due != old["due"]:
            parts.setdefault("due", {})[iid] = [old["due"], p.due]
            updated = True
        if any(old.get(name) != p.fields[name] for name in PLAN_FIELDS):
            parts.setdefault("plan", {})[iid] = [plan_digest(old), p.digest]
            updated = True
        if old["status"] == "withdrawn":
            parts.setdefault("restored", []).append(iid)
            result.restored += 1
        elif updated:
            result.updated += 1
        if updated or old["status"] == "withdrawn":
            changed.append({**old, **p.fields, "status": "open"})
    result.created += len(new or ())
    closed = case_closed or {}
    for old in stored:
        left = officer.until is not None and old["due"] > officer.until.isoformat()
        ended = old.get("case") in closed and old["due"] > closed[old["case"]]  # its case closed before it fell due
        if old.get("reassigned_from") and not left and not ended:
            continue  # handed to this officer by a lead: it stays theirs whatever their duties say
        if old["id"] not in planned_ids and old["status"] == "open" and (old["due"] >= today or left or ended):
            changed.append({**old, "status": "withdrawn"})
            parts.setdefault("withdrawn", []).append(old["id"])
            result.withdrawn += 1
    return changed, parts


def plan_sync(reader: Reader, templates: TemplateSet, calendar: WorkCalendar, env: Env, change: Change,
              officers: list[dict[str, Any]], progress: Callable[[int, int], None] | None = None,
              newcomers: frozenset[str] = frozenset(), cases: list[dict[str, Any]] | None = None,
              only_cases: bool = False, worked: frozenset[tuple[str, str]] = frozenset()) -> SyncResult:
    """Add to ``change`` what a sync of ``officers`` (roster records, as they will be) does.

    ``cases``: the case list as it will be (an import's), else the stored one. Items already in
    ``change`` (handed over by the same write) count as stored. ``only_cases``: only the case items,
    and the campaign items of a duty that is also a clock (a case import: the campaigns' other items
    are as the last sync left them). ``worked``: (key, period) of
    case clocks a previous officer already did or skipped — not asked again of the new one.
    """
    from checklist.core.merge import merge_sources, merge_with_cases
    from checklist.roster import officer_from_doc

    result = SyncResult()
    shared: dict[tuple[Any, ...], tuple[list[PlannedItem], list[Planned]]] = {}
    at, recorded = env.at(), env.recorded()
    by_case, case_closed = plan_cases(reader, templates, calendar, env.today, cases)
    named = {r.key for r in templates.clocks} & {d.key for d in templates.duties}  # campaign duties that are clocks
    for n, doc in enumerate(officers):
        if progress is not None:
            progress(n, len(officers))
        officer = officer_from_doc(doc)
        profile = (officer.court, officer.department, tuple(sorted(officer.roles)), tuple(sorted(officer.tags)))
        if profile not in shared and (named or not only_cases):  # officers in the same court, department,
            sources = templates.duties_for(officer)  # roles and tags share a merge
            if only_cases:  # a case import touches only the campaign items a case can answer (keys merge apart)
                sources = [(c, d) for c, d in sources if d.key in named]
            merged = merge_sources(sources, templates, calendar)
            shared[profile] = (merged, prepare(merged))
        since = officer.since.isoformat() if officer.since else ""
        until = officer.until.isoformat() if officer.until else "9999"
        mine = [p for p in by_case.get(officer.id, ()) if p.due.isoformat() <= until and (p.key, p.period) not in worked]
        if profile not in shared:
            campaign = []
        elif named and any(p.key in named for p in mine):
            kept, mine = merge_with_cases(shared[profile][0], mine, templates.campaigns)
            campaign = prepare(kept)
        else:
            campaign = shared[profile][1]
        planned = [p for p in campaign if since <= p.due <= until] + prepare(mine)
        if only_cases:
            picked = getattr(reader, "case_items", None)  # a server picks them itself
            stored = picked(officer.id, named) if picked else [i for i in reader.items(officer.id)
                                                                if i.get("case") or i["key"] in named]
        else:
            stored = reader.items(officer.id)
        if officer.id in change.items:
            from checklist.store.contract import merge_items

            stored = merge_items(stored, change.items[officer.id])
        items, parts = reconcile(stored, officer, planned, result, env.today.isoformat(), officer.id in newcomers,
                                 case_closed)
        if parts:
            change.put_items(officer.id, items)
            change.entries.append({"at": at, "recorded": recorded, **env.who(), "action": "sync",
                                   "officer": officer.id, "items": parts})
        result.officers += 1
    return result


def plan_cases(reader: Reader, templates: TemplateSet, calendar: WorkCalendar, today: date,
               cases: list[dict[str, Any]] | None = None) -> tuple[dict[str, list[PlannedItem]], dict[str, str]]:
    """Every case's items, by the officer they go to, and each closed case's closing day."""
    from checklist.core.cases import Case, case_items

    records = (reader.cases() if cases is None else cases) if templates.clocks else []
    roster = {doc["id"]: doc for doc in reader.officers()} if records else {}
    levels = templates.rules.titles
    by_officer: dict[str, list[PlannedItem]] = {}
    closed: dict[str, str] = {}
    for doc in records:
        case = Case.from_record(doc)
        if case.closed:
            closed[case.number] = case.closed.isoformat()
        rules = templates.clock_rules(case.court)
        by_key = {r.key: r for r in rules}
        for item in case_items(case, rules, calendar, today):
            to = recipient(by_key[item.key], case, roster, levels)
            if to:
                by_officer.setdefault(to, []).append(item)
    return by_officer, closed


def recipient(rule: Any, case: Any, roster: dict[str, dict[str, Any]], titles: Any) -> str | None:
    """Whom a case's item goes to: its officer (承办人) for an officer-level role; their lead for a lead-level
    one; the first chief of the case's court for a chief-level one."""
    levels = {titles.get(r, r) for r in rule.roles}
    if "officer" in levels or not levels & {"lead", "chief"}:
        return case.officer if case.officer in roster else None
    if "lead" in levels:
        lead = (roster.get(case.officer) or {}).get("lead")
        return lead if lead in roster else None
    chiefs = sorted(o["id"] for o in roster.values() if o.get("court") == case.court
                    and any(titles.get(r, r) == "chief" for r in o.get("roles") or []))
    return chiefs[0] if chiefs else None


def campaign_meta(campaign: Campaign, phases: tuple[Phase, ...]) -> dict[str, Any]:
    """What a report needs to know of a campaign without reading its templates (its stages only if it has any)."""
    doc: dict[str, Any] = {"name": campaign.name, "short": campaign.label, "start": campaign.start.isoformat(),
                           "end": campaign.end.isoformat()}
    if phases:
        doc["phases"] = [[p.name, p.start.isoformat(), p.end.isoformat()] for p in phases]
    return doc


def phases_from_meta(campaigns: dict[str, Any]) -> dict[str, tuple[Phase, ...]]:
    return {key: tuple(Phase(key, name, date.fromisoformat(a), date.fromisoformat(b)) for name, a, b in c["phases"])
            for key, c in campaigns.items() if c.get("phases")}


def sync_meta(templates: TemplateSet, env: Env, calendar: WorkCalendar) -> dict[str, Any]:
    from checklist.calendars import calendar_extras
    from checklist.identity import access_meta

    phases = templates.phases(calendar)
    return {
        "sync_version": SYNC_VERSION, "holidays": holidays_fingerprint(), "synced_at": env.recorded(),
        "campaigns": {c.key: campaign_meta(c, phases.get(c.key, ())) for c in templates.campaigns.values()},
        "calendar": calendar_extras(templates),
        "access": access_meta(templates),
    }


def sync_all(reader: Reader, templates: TemplateSet, env: Env, change: Change,
             officers: list[dict[str, Any]] | None = None,
             progress: Callable[[int, int], None] | None = None, newcomers: frozenset[str] = frozenset()) -> SyncResult:
    """Sync ``officers`` (default: everyone) into ``change``, with the metadata a sync records.

    ``newcomers`` are the officers this change adds to the roster: only they get items that fell
    due before today (from their start date on).
    """
    from checklist.calendars import work_calendar
    from checklist.context import uncovered_warnings

    calendar = work_calendar(templates)
    # a year's items for everyone, kept until the commit: nothing to collect (the commands that sync and
    # then commit keep it paused throughout: enabled between the two, it walked the million items once more)
    with collector_paused():
        result = plan_sync(reader, templates, calendar, env, change,
                           reader.officers() if officers is None else officers, progress, newcomers)
    change.meta.update(sync_meta(templates, env, calendar))
    result.warnings = uncovered_warnings(calendar)
    return result


@collector_paused()
def sync(env: Env, force: bool = False, progress: Callable[[int, int], None] | None = None) -> SyncResult:
    """Bring every officer's items up to date with the applied templates (if anything changed, or ``force``)."""
    from checklist.identity import require_manage_all, writer_access

    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        require_manage_all(access, _("sync"))
        from checklist.followup import record_climbs

        change = Change()
        if force or needs_sync(writer.meta()):
            result = sync_all(writer, applied(writer), env, change, progress=progress)
        else:
            result = SyncResult(officers=len(writer.officers()))
        result.climbed = record_climbs(writer, access, env, change)  # the nightly sync writes down late 督办
        if not change.empty:
            writer.commit(change)
        return result


# -- applying templates --------------------------------------------------------------------------------------


@dataclass
class ApplyResult:
    folder: str
    fingerprint: str
    campaigns: int
    changed: bool
    sync: SyncResult | None = None
    preview: list[ItemChange] | None = None  # a dry run's changes, item by item

    def summary(self) -> str:
        if not self.changed:
            return _("{folder}: these templates are already applied; nothing changed").format(folder=self.folder)
        text = _("{folder}: applied ({campaigns} campaigns)").format(folder=self.folder, campaigns=self.campaigns)
        if self.sync is not None:
            text += "; " + self.sync.summary()
        return text


def templates_change(files: list[tuple[str, str]], folder: Path, env: Env, change: Change) -> str:
    """Put a templates bundle and its history entry into ``change``; returns its fingerprint."""
    fingerprint = bundle_fingerprint(files)
    change.templates = files
    change.meta["templates"] = {"fingerprint": fingerprint, "applied_at": env.recorded(), "applied_by": env.actor,
                                "folder": str(folder), "files": len(files)}
    change.entries.insert(0, {"at": env.at(), "recorded": env.recorded(), **env.who(), "action": "templates",
                              "officer": None, "after": {"fingerprint": fingerprint, "files": len(files)}})
    return fingerprint


@collector_paused()
def apply_templates(env: Env, folder: Path, progress: Callable[[int, int], None] | None = None, *,
                    dry_run: bool = False) -> ApplyResult:
    """Make ``folder`` the templates this database runs on, and re-sync everyone; with ``dry_run``, only
    say what would change for whom (``preview``), writing nothing."""
    from checklist.identity import require_manage_all, writer_access

    files = read_bundle(folder)
    templates = parse_bundle(files)
    store = env.store()
    with (store.reading() if dry_run else store.writing()) as writer:
        access, env = writer_access(writer, env)
        require_manage_all(access, _("applying templates"))
        meta = writer.meta()
        fingerprint = bundle_fingerprint(files)
        if meta.get("templates", {}).get("fingerprint") == fingerprint and not needs_sync(meta):
            return ApplyResult(str(folder), fingerprint, len(templates.campaigns), False, preview=[] if dry_run else None)
        change = Change()
        templates_change(files, folder, env, change)
        result = sync_all(writer, templates, env, change, progress=progress)
        if dry_run:
            preview = [c for officer, docs in sorted(change.items.items())
                       for c in item_changes(officer, writer.items(officer), docs)]
            return ApplyResult(str(folder), fingerprint, len(templates.campaigns), True, result, preview)
        writer.commit(change)
        return ApplyResult(str(folder), fingerprint, len(templates.campaigns), True, result)


# -- what a templates change does, item by item (templates apply --dry-run, templates diff) ----------------


@dataclass(frozen=True)
class ItemChange:
    officer: str
    kind: str  # new | withdrawn | restored | re-dated | changed
    id: str
    title: str
    period: str
    due: str  # as it will be
    before: str = ""  # the due date it had (re-dated), or its title (changed)


CHANGE_ORDER = ("new", "restored", "re-dated", "changed", "withdrawn")


def item_changes(officer: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[ItemChange]:
    """What ``after`` (items added or replaced) does to ``before`` (the officer's items), one line per item."""
    old = {i["id"]: i for i in before}
    found = []
    for doc in after:
        was = old.get(doc["id"])
        kind, previous = "changed", ""
        if was is None:
            kind = "new"
        elif doc["status"] == "withdrawn" and was["status"] != "withdrawn":
            kind = "withdrawn"
        elif was["status"] == "withdrawn" and doc["status"] != "withdrawn":
            kind = "restored"
        elif was["due"] != doc["due"]:
            kind, previous = "re-dated", was["due"]
        elif was["title"] != doc["title"]:
            previous = was["title"]
        found.append(ItemChange(officer, kind, doc["id"], doc["title"], doc["period"], doc["due"], previous))
    return sorted(found, key=lambda c: (CHANGE_ORDER.index(c.kind), c.due, c.title, c.id))


def diff_templates(env: Env, old_folder: Path | None, new_folder: Path) -> list[ItemChange]:
    """What applying ``new_folder`` instead of ``old_folder`` (default: the applied templates) would do to
    the campaign items of everyone on the roster from today on, had they followed the old ones to the
    letter (done and case items aside: ``templates apply --dry-run`` weighs the database's own items)."""
    from checklist.calendars import work_calendar
    from checklist.core.merge import merge_sources
    from checklist.roster import officer_from_doc

    with env.store().reading() as reader:
        old = parse_bundle(read_bundle(old_folder)) if old_folder is not None else applied(reader)
        roster = [officer_from_doc(d) for d in reader.officers()]
    new = parse_bundle(read_bundle(new_folder))
    today = env.today.isoformat()
    old_calendar, new_calendar = work_calendar(old), work_calendar(new)
    changes = []
    for officer in sorted(roster, key=lambda o: o.id):
        since = officer.since.isoformat() if officer.since else ""
        until = officer.until.isoformat() if officer.until else "9999"
        kept = [p for p in prepare(merge_sources(old.duties_for(officer), old, old_calendar))
                if since <= p.due <= until]
        stored = [{"id": item_id(officer.id, p.key, p.period), "officer": officer.id, **p.fields, "status": "open"}
                  for p in kept]
        planned = [p for p in prepare(merge_sources(new.duties_for(officer), new, new_calendar))
                   if since <= p.due <= until]
        after, _parts = reconcile(stored, officer, planned, SyncResult(), today, False)
        changes += item_changes(officer.id, stored, after)
    return changes
