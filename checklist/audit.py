"""History you can trust: re-link the hash chain and replay it against the items.

``verify`` reads the whole log (``PATH.d/log.jsonl``) in order and checks, for every entry:

* it is valid JSON with the fields an entry has;
* its sequence number is the next one (a gap means entries were removed; going back means
  entries were reordered);
* its ``prev`` is the hash of the entry before it, and its ``hash`` is what its content gives.

The first entry that fails is named (everything after it follows from it). Then the log is
replayed: starting from "open", each entry's ``after`` sets an item's status and done time, and
follow-ups open and close. Every item whose stored state the log does not explain is named — an
item marked done by editing the file, say. Each officer's copy of their entries must match the
log too.

``head`` is the last entry's sequence number and hash. A lead can write it down or send it
elsewhere; ``verify --head`` later proves the log up to that entry was not rewritten since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from checklist.errors import InputError
from checklist.i18n import _
from checklist.service import Env
from checklist.store import GENESIS, entry_hash

FIELDS = ("seq", "at", "actor", "action", "item", "officer", "prev", "hash")


@dataclass
class AuditResult:
    entries: int = 0
    items: int = 0
    head: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def format_head(seq: int, digest: str) -> str:
    return f"{seq}-{digest}"


def parse_head(text: str) -> tuple[int, str]:
    seq, sep, digest = text.strip().partition("-")
    if not sep or not seq.isdigit() or len(digest) < 16 or any(c not in "0123456789abcdef" for c in digest.lower()):
        raise InputError(_("'{text}' is not a head: give it as checklist audit head prints it, like 1234-3f9a…").format(
            text=text))
    return int(seq), digest.lower()


def head(env: Env) -> str:
    store = env.store()
    with store.session():
        seq, digest = store.log_head()
    return format_head(seq, digest)


def _replay(state: dict[str, Any], entry: dict[str, Any]) -> None:
    after = entry.get("after") or {}
    if entry["action"] == "follow-up":
        state["follow_up"] = True
    elif entry["action"] == "follow-up-close":
        state["follow_up"] = False
    for name in ("status", "done_at"):
        if name in after:
            state[name] = after[name]


def _appears_later(handle: Any, seq: int) -> bool:
    """Whether an entry with this sequence number comes further down the log (then it moved)."""
    import re

    pattern = re.compile(rb'"seq":\s*%d\s*[,}]' % seq)
    return any(pattern.search(line) for line in handle)


def verify(env: Env, expected_head: str | None = None) -> AuditResult:
    from checklist.work import open_follow_up

    wanted = parse_head(expected_head) if expected_head else None
    store = env.store()
    result = AuditResult()
    states: dict[str, dict[str, Any]] = {}
    entries: dict[int, dict[str, Any]] = {}
    with store.session() as session:
        previous, expected_seq, broken = GENESIS, 1, False
        try:
            handle = open(store.log, "rb")
        except FileNotFoundError:
            handle = None
        if handle is not None:
            with handle:
                for line_number, line in enumerate(handle, start=1):
                    if broken:
                        break
                    where = f"{store.log}:{line_number}"
                    try:
                        entry = orjson.loads(line)
                        if not isinstance(entry, dict) or any(k not in entry for k in FIELDS):
                            raise ValueError
                    except ValueError:
                        result.problems.append(f"{where}: " + _("entry {seq} is damaged (not a whole entry); the log was "
                                                                "altered here").format(seq=expected_seq))
                        broken = True
                        continue
                    seq = entry["seq"]
                    if seq != expected_seq:
                        moved = not isinstance(seq, int) or seq < expected_seq or _appears_later(handle, expected_seq)
                        message = (_("entry {seq} where entry {expected} should be; entries were reordered here")
                                   if moved else
                                   _("entry {seq} where entry {expected} should be; entries were removed here"))
                        result.problems.append(f"{where}: " + message.format(seq=seq, expected=expected_seq))
                        broken = True
                        continue
                    if entry["prev"] != previous:
                        result.problems.append(f"{where}: " + _("entry {seq} does not follow entry {before}: an entry "
                                                                "before it was altered, removed or reordered").format(
                            seq=seq, before=seq - 1))
                        broken = True
                        continue
                    if entry_hash(entry) != entry["hash"]:
                        result.problems.append(f"{where}: " + _("entry {seq} was altered after it was written (its "
                                                                "hash does not match its content)").format(seq=seq))
                        broken = True
                        continue
                    state = states.setdefault(entry["item"], {"status": "open", "done_at": None,
                                                              "follow_up": False, "officer": entry["officer"]})
                    before = (entry.get("before") or {}).get("status")
                    if before is not None and before != state["status"] and not broken:
                        result.problems.append(f"{where}: " + _("entry {seq} says item {item} was '{before}' before, "
                                                                "but the log up to it leaves it '{state}'").format(
                            seq=seq, item=entry["item"][:6], before=before, state=state["status"]))
                    _replay(state, entry)
                    entries[seq] = entry
                    previous, expected_seq = entry["hash"], seq + 1
        result.entries = expected_seq - 1
        result.head = format_head(result.entries, previous)

        if wanted is not None:
            seq, digest = wanted
            entry = entries.get(seq)
            if entry is None:
                result.problems.append(_("head {head}: the log has no intact entry {seq}; it was cut back or "
                                         "rewritten since that head was taken").format(head=expected_head, seq=seq))
            elif not entry["hash"].startswith(digest):
                result.problems.append(_("head {head}: entry {seq} now has hash {hash}…; the log up to it was "
                                         "rewritten since that head was taken").format(
                    head=expected_head, seq=seq, hash=entry["hash"][:16]))

        if not broken:  # a broken chain explains nothing after it: item checks would only echo it
            for doc in session.officers():
                officer = doc["id"]
                for item in session.items(officer):
                    result.items += 1
                    state = states.get(item["id"], {"status": "open", "done_at": None, "follow_up": False})
                    found = {"status": item["status"], "done_at": item.get("done_at"),
                             "follow_up": open_follow_up(item) is not None}
                    expected = {k: state[k] for k in found}
                    if found != expected:
                        diffs = _(", ").join(_("{field} is {found} but the history says {expected}").format(
                            field=k, found=repr(found[k]), expected=repr(expected[k]))
                            for k in found if found[k] != expected[k])
                        result.problems.append(_("item {id} ({officer} {title}, due {due}): {diffs}").format(
                            id=item["id"], officer=officer, title=item["title"], due=item["due"], diffs=diffs))
                copies = session.history(officer)
                for copy in copies:
                    original = entries.get(copy.get("seq"))
                    if original != copy:
                        result.problems.append(_("officer {officer}: the copy of entry {seq} in their history file "
                                                 "does not match the log").format(officer=officer, seq=copy.get("seq")))
                missing = sorted({s for s, e in entries.items() if e["officer"] == officer} -
                                 {c.get("seq") for c in copies})
                if missing:
                    result.problems.append(_("officer {officer}: entries {seqs} are missing from their history "
                                             "file").format(officer=officer, seqs=", ".join(map(str, missing[:10]))))
    return result


# -- reading the log ---------------------------------------------------------------------------------------


def read_log(env: Env, typed: str | None = None, since: str | None = None,
             officer_id: str | None = None) -> list[dict[str, Any]]:
    """History entries, oldest first: one item's (any unique id prefix), or everyone's."""
    from datetime import date

    from checklist.work import resolve

    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise InputError(_("--since takes a date like 2026-11-01, not '{since}'").format(since=since)) from None
    store = env.store()
    with store.session() as session:
        if typed:
            item = resolve(session, typed, officer_id)
            found = session.history(item["officer"], item["id"])
        else:
            found = []
            try:
                with open(store.log, "rb") as handle:
                    for line in handle:
                        try:
                            found.append(orjson.loads(line))
                        except orjson.JSONDecodeError:
                            continue  # `audit verify` names damaged lines; reading goes on
            except FileNotFoundError:
                pass
    return [e for e in found if since is None or str(e.get("at", ""))[:10] >= since]


# -- doctor --------------------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    advice: str = ""
    warning: bool = False  # worth knowing, but nothing is wrong yet


def doctor(env: Env) -> list[Check]:
    """Look at the database, the history, the lock, the templates and the calendar; say what to do."""
    from datetime import timedelta

    from checklist.lock import FileLock, LockTimeout

    from checklist.calendars import work_calendar
    from checklist.errors import ChecklistError
    from checklist.loader import load_templates

    checks: list[Check] = []
    store = env.store()
    templates = None
    try:
        templates = load_templates(env.templates)
        checks.append(Check("templates", True, _("{folder}: {campaigns} campaigns, {duties} duties").format(
            folder=env.templates, campaigns=len(templates.campaigns), duties=len(templates.duties))))
    except ChecklistError as err:
        first = (err.problems or [err.message])[0]
        checks.append(Check("templates", False, _("{n} problem(s), first: {first}").format(
            n=len(err.problems) or 1, first=first), _("run checklist templates validate {folder} and fix each line "
                                                      "it lists").format(folder=env.templates)))

    calendar = work_calendar(templates)
    years = sorted({env.today.year, (env.today + timedelta(days=365)).year})
    missing = [y for y in years if y not in calendar.years]
    if missing:
        current = env.today.year in missing
        checks.append(Check("calendar", not current, _("no holiday data for {years}; Monday to Friday would count "
                                                       "as working days").format(years=", ".join(map(str, missing))),
                            _("upgrade chinesecalendar once the State Council's notice is out (usually November): "
                              "pip install -U chinesecalendar; or add a calendar: file to the templates folder "
                              "(docs/templates.md)"), warning=not current))
    else:
        checks.append(Check("calendar", True, _("holiday data for {years}").format(years=", ".join(map(str, years)))))

    if not store.exists():
        checks.append(Check("database", False, _("no database at {path}").format(path=store.path),
                            _("import a roster to create it: checklist import roster FILE")))
        return checks

    lock = FileLock(str(store.lock_path), timeout=0)
    try:
        lock.acquire()
        lock.release()
        checks.append(Check("lock", True, _("free")))
    except LockTimeout:
        checks.append(Check("lock", False, _("held by {holder}").format(holder=store._holder()),
                            _("wait for that command to finish; if the process is gone, the lock frees itself")))
    except OSError as err:
        checks.append(Check("lock", False, _("cannot be taken: {reason}").format(reason=err.strerror or err),
                            _("make {folder} writable for this account").format(folder=store.path.parent)))

    try:
        with store.session() as session:
            officers = session.officers()
            count = sum(len(session.items(o["id"])) for o in officers)
        checks.append(Check("database", True, _("{path}: {officers} officers, {items} items").format(
            path=store.path, officers=len(officers), items=count)))
    except ChecklistError as err:
        checks.append(Check("database", False, err.message, _("restore the named file from a backup")))
        return checks

    try:
        result = verify(env)
    except ChecklistError as err:
        checks.append(Check("history", False, err.message, _("restore the log from a backup")))
        return checks
    if result.ok:
        checks.append(Check("history", True, _("{n} entries, chain intact, every item explained; head {head}…").format(
            n=result.entries, head=result.head[:24])))
    else:
        checks.append(Check("history", False, _("{n} problem(s), first: {first}").format(
            n=len(result.problems), first=result.problems[0]),
            _("run checklist audit verify for the whole list; restore altered files from a backup and ask who "
              "changed them")))
    return checks
