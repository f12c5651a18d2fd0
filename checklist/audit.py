"""History you can check: ``audit verify``, ``audit head``, ``log`` and ``doctor``.

``verify`` works in two passes, so its memory stays bounded at any scale:

1. It streams the log once and checks every entry: its shape (a forged field of the wrong type is
   named, not a crash), its sequence number (a gap means entries were removed, going back means
   reordered), its link to the entry before it and its own hash, and that the clock time it was
   recorded at does not go backwards. For each officer it keeps only a running digest of their
   entries' hashes and a count.
2. Officer by officer, it checks their history copy against that digest (so the copy *is* their
   part of the log), replays it (``checklist.core.history.replay``) and compares the result with
   what is stored: the roster record (name, court, department, roles, lead, since) and every
   item's period, due date, duty fields, status, done and recorded times and open follow-up —
   everything a report counts. An item or officer the history knows but the database lost is
   named, and so is one the database has but the history never made.

``verify --head H`` also proves that the entry ``H`` names still has that hash — so nothing up to
it was rewritten, even by someone who recomputed every hash after an edit. ``verify --from H``
checks only what follows ``H`` (the chain after it, and the officers it touched): a nightly check
that takes seconds. What the chain proves, and what it does not, is in docs/storage.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterator

from checklist.context import Env
from checklist.core.history import (
    FOLLOW_UP_ACTIONS, GENESIS, compare_item, entry_hash, replay, roster_record, shape_problem,
)
from checklist.core.ids import item_id
from checklist.errors import InputError, StoreError
from checklist.i18n import _, ngettext
from checklist.store import LogLine, Reader

CLOCK_SLACK = timedelta(minutes=5)  # a clock may be set back a little (NTP); more than this is flagged


@dataclass
class AuditResult:
    entries: int = 0
    items: int = 0
    officers: int = 0
    head: str = ""
    checked_from: int = 0
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
    from checklist.identity import identify, require_audit

    with env.store().reading() as reader:
        require_audit(identify(reader, env), _("audit head"))
        return format_head(*reader.head())


def _fold(digest: str, entry_hash_value: str) -> str:
    return hashlib.sha256((digest + entry_hash_value).encode()).hexdigest()


@dataclass
class _Chain:
    """What pass 1 learns: per officer, a digest of their entries' hashes and how many there were."""

    digests: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    templates: tuple[int, str] | None = None  # the last 'templates' entry: its seq and the fingerprint it applied
    last: int = 0
    previous: str = GENESIS
    broken: bool = False
    # a database taken over from checklist 0.1: its entries (no 'recorded'), then one block of a
    # 'templates' and one 'upgrade' per officer; an 'upgrade' anywhere else is forged
    phase: str = "start"  # start | legacy | upgrade | native
    upgraded: set[str] = field(default_factory=set)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)  # the follow-up entries, for their replay


def _stamp(text: Any) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


def _walk_chain(lines: Iterator[LogLine], chain: _Chain, result: AuditResult,
                wanted: tuple[int, str] | None, expected_head: str | None) -> None:
    recorded_before: tuple[int, datetime] | None = None
    for line in lines:
        where = line.where
        expected = chain.last + 1
        if line.entry is None:
            result.problems.append(f"{where}: " + _("entry {seq} is damaged (not a whole entry); the log was altered "
                                                    "here").format(seq=expected))
            chain.broken = True
            return
        entry = line.entry
        seq = entry.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq != expected:
            moved = seq < expected or any(
                later.entry is not None and later.entry.get("seq") == expected for later in lines)
            message = (_("entry {seq} where entry {expected} should be; entries were reordered here") if moved else
                       _("entry {seq} where entry {expected} should be; entries were removed here"))
            result.problems.append(f"{where}: " + message.format(seq=seq, expected=expected))
            chain.broken = True
            return
        if entry.get("prev") != chain.previous:
            result.problems.append(f"{where}: " + _("entry {seq} does not follow entry {before}: an entry before it "
                                                    "was altered, removed or reordered").format(
                seq=expected, before=expected - 1))
            chain.broken = True
            return
        if not isinstance(entry.get("hash"), str) or entry_hash(entry) != entry["hash"]:
            result.problems.append(f"{where}: " + _("entry {seq} was altered after it was written (its hash does not "
                                                    "match its content)").format(seq=expected))
            chain.broken = True
            return
        shape = shape_problem(entry)
        if shape is not None:
            result.problems.append(f"{where}: " + _("entry {seq} is not an entry checklist writes ({why})").format(
                seq=expected, why=shape))
            chain.broken = True
            return
        recorded = _stamp(entry.get("recorded")) if "recorded" in entry else None
        if recorded is not None:
            if recorded_before is not None and recorded < recorded_before[1] - CLOCK_SLACK:
                result.problems.append(f"{where}: " + _(
                    "entry {seq} was recorded at {time}, before entry {before} ({earlier}): the clock was set back, "
                    "or the entry was back-dated").format(seq=expected, time=entry["recorded"], before=recorded_before[0],
                                                          earlier=recorded_before[1].isoformat()))
            recorded_before = (expected, recorded)
        upgrade_problem = _upgrade_phase(chain, entry)
        if upgrade_problem:
            result.problems.append(f"{where}: " + upgrade_problem.format(seq=expected))
        if "follow_up" in entry and entry["action"] in FOLLOW_UP_ACTIONS:
            chain.follow_ups.append({k: entry.get(k) for k in ("seq", "action", "follow_up", "actor", "after")})
        officer = entry.get("officer")
        if officer is not None:
            chain.digests[officer] = _fold(chain.digests.get(officer, ""), entry["hash"])
            chain.counts[officer] = chain.counts.get(officer, 0) + 1
        elif entry["action"] == "templates":
            chain.templates = (expected, str(entry["after"].get("fingerprint")))
        if wanted is not None and expected == wanted[0] and not entry["hash"].startswith(wanted[1]):
            result.problems.append(_("head {head}: entry {seq} now has hash {hash}…; the log up to it was rewritten "
                                     "since that head was taken").format(head=expected_head, seq=expected,
                                                                         hash=entry["hash"][:16]))
        chain.last, chain.previous = expected, entry["hash"]


def _upgrade_phase(chain: _Chain, entry: dict[str, Any]) -> str:
    """Where an entry stands among 0.1's entries and the upgrade block; a problem's words, or "".

    The block starts with the 'templates' entry that ``db upgrade`` marks as its own (a 0.1
    database may have had no entries at all), then one 'upgrade' entry per officer.
    """
    action = entry["action"]
    if "recorded" not in entry:
        if chain.phase in ("start", "legacy"):
            chain.phase = "legacy"
            return ""
        return _("entry {seq} has no recorded time, as only checklist 0.1 wrote them, after newer entries")
    if action == "templates" and entry["after"].get("upgrade") is True:
        if chain.phase in ("start", "legacy"):
            chain.phase = "upgrade"
            return ""
        return _("entry {seq} is an upgrade record where no checklist 0.1 database was taken over")
    if action == "upgrade":
        if chain.phase == "upgrade" and entry["officer"] not in chain.upgraded:
            chain.upgraded.add(entry["officer"])
            return ""
        return _("entry {seq} is an upgrade record where no checklist 0.1 database was taken over")
    chain.phase = "native"
    return ""


def verify(env: Env, expected_head: str | None = None, from_head: str | None = None) -> AuditResult:
    """Check the chain and replay it against every officer and item; see the module docstring."""
    wanted = parse_head(expected_head) if expected_head else None
    start = parse_head(from_head) if from_head else None
    from checklist.identity import identify, require_audit

    result = AuditResult()
    chain = _Chain()
    with env.store().reading() as reader:
        require_audit(identify(reader, env), _("audit verify"))
        if start is not None:
            _start_at(reader, start, from_head or "", chain, result)
            if result.problems:
                return result
        _walk_chain(reader.log(chain.last), chain, result, wanted, expected_head)
        result.entries = chain.last
        result.head = format_head(chain.last, chain.previous)
        result.checked_from = start[0] if start else 0
        if wanted is not None and wanted[0] > chain.last and not chain.broken:
            result.problems.append(_("head {head}: the log has no intact entry {seq}; it was cut back or rewritten "
                                     "since that head was taken").format(head=expected_head, seq=wanted[0]))
        if chain.broken:  # a broken chain explains nothing after it: item checks would only echo it
            return result
        _check_templates(reader, chain, result, since=start[0] if start else 0)
        index = _Index()
        _check_officers(reader, chain, result, since=start[0] if start else 0, index=index)
        index.check(reader, result, None if start is None else set(chain.counts))
        _check_follow_ups(reader, chain, result, whole=start is None)
    return result


@dataclass
class _Index:
    """What the id index must hold, gathered while the items are read: per two-character bucket, a
    count and a sum of digests of (id, officer) — bounded memory at any scale."""

    expected: dict[str, tuple[int, int]] = field(default_factory=dict)

    @staticmethod
    def _digest(item_id: str, officer: str) -> int:
        return int.from_bytes(hashlib.blake2b(f"{item_id}\x1f{officer}".encode(), digest_size=8).digest(), "big")

    def add(self, item_id: str, officer: str) -> None:
        count, total = self.expected.get(item_id[:2], (0, 0))
        self.expected[item_id[:2]] = (count + 1, (total + self._digest(item_id, officer)) % (1 << 64))

    def check(self, reader: Reader, result: AuditResult, officers: set[str] | None) -> None:
        """The index must list every item under its own officer, and nothing else.

        ``officers``: only these officers' items were read (``verify --from``), so only the index
        records naming them are compared.
        """
        from checklist.core.ids import ALPHABET

        buckets = [a + b for a in ALPHABET for b in ALPHABET] if officers is None else sorted(self.expected)
        for bucket in buckets:
            count = total = 0
            for item_id, officer in reader.find_ids(bucket):
                if officers is None or officer in officers:
                    count, total = count + 1, (total + self._digest(item_id, officer)) % (1 << 64)
            items, wanted = self.expected.get(bucket, (0, 0))
            if count != items:
                result.problems.append(_("the id index for ids starting '{bucket}' does not match the items: it "
                                         "lists {found} where there are {items}").format(
                    bucket=bucket, found=count, items=items))
            elif total != wanted:
                result.problems.append(_("the id index for ids starting '{bucket}' does not match the items: it "
                                         "names other ids or other officers").format(bucket=bucket))


def _start_at(reader: Reader, start: tuple[int, str], text: str, chain: _Chain, result: AuditResult) -> None:
    """Position the chain check just after the head ``start``, proving that entry still has that hash."""
    seq, digest = start
    if seq == 0:
        return
    first = next(iter(reader.log(seq - 1)), None)
    entry = first.entry if first is not None else None
    if entry is None or entry.get("seq") != seq:
        result.problems.append(_("head {head}: the log has no intact entry {seq}; it was cut back or rewritten since "
                                 "that head was taken").format(head=text, seq=seq))
        return
    if shape_problem(entry) is not None or not str(entry["hash"]).startswith(digest) \
            or entry_hash(entry) != entry["hash"]:
        result.problems.append(_("head {head}: entry {seq} now has hash {hash}…; the log up to it was rewritten "
                                 "since that head was taken").format(head=text, seq=seq,
                                                                     hash=str(entry.get("hash", ""))[:16]))
        return
    chain.last, chain.previous = seq, entry["hash"]
    # what follows H is checked as what follows an entry like H: after 0.1's entries or inside the
    # upgrade block, the rest of the block may follow; after anything else, no 0.1 entry may
    if "recorded" not in entry:
        chain.phase = "legacy"
    elif entry["action"] == "upgrade" or (entry["action"] == "templates" and entry["after"].get("upgrade") is True):
        chain.phase = "upgrade"
    else:
        chain.phase = "native"


def _check_follow_ups(reader: Reader, chain: _Chain, result: AuditResult, whole: bool) -> None:
    """The follow-up register must be what its entries make of it: no follow-up without its history,
    none changed behind it. After a partial read (``--from``), only the follow-ups opened since."""
    from checklist.core import followups as fu

    expected = fu.replay(chain.follow_ups)
    opened_here = {e["follow_up"] for e in chain.follow_ups if e["action"] == "follow-up"}
    words = {"opened-twice": _("entry {seq} opens follow-up {id} a second time"),
             "not-opened": _("entry {seq} changes follow-up {id}, which no entry opened"),
             "after-close": _("entry {seq} changes follow-up {id} after it was closed")}
    for seq, name, code in expected.problems:
        if whole or name in opened_here:
            result.problems.append(words[code].format(seq=seq, id=name))
    stored = {r["id"]: r for r in reader.follow_ups()}
    for name, record in stored.items():
        wanted = expected.records.get(name)
        if wanted is None:
            if whole:
                result.problems.append(_("follow-up {id} is not in the history: it was added without a trace").format(
                    id=name))
            continue
        if not whole and name not in opened_here:
            continue
        diffs = fu.compare(wanted, record)
        if diffs:
            result.problems.append(_("follow-up {id}: {diffs}").format(id=name, diffs="; ".join(
                _("{field} is {found} but the history says {expected}").format(field=f, found=s, expected=e)
                for f, e, s in diffs)))
    for name in sorted(set(expected.records) - set(stored), key=lambda n: int(n[1:]) if n[1:].isdigit() else 0):
        if whole or name in opened_here:
            result.problems.append(_("follow-up {id} is in the history but not in the register (removed without a "
                                     "trace)").format(id=name))


def _check_templates(reader: Reader, chain: _Chain, result: AuditResult, since: int = 0) -> None:
    """The stored templates must be whole and the ones the history last applied.

    The database records which entry applied them; when only what follows entry ``since`` was
    read, that one entry is read to compare.
    """
    from checklist.sync import bundle_fingerprint

    record = reader.meta().get("templates") or {}
    stored, seq = record.get("fingerprint"), record.get("seq")
    files = reader.templates()
    if stored and not files:
        result.problems.append(_("the applied templates are missing from the database"))
        return
    if files and bundle_fingerprint(files) != stored:
        result.problems.append(_("the applied templates were changed without checklist templates apply (their "
                                 "fingerprint is not the one recorded)"))
        return
    logged = chain.templates
    if logged is None and isinstance(seq, int) and 0 < seq <= since:
        line = next(iter(reader.log(seq - 1)), None)
        entry = line.entry if line is not None else None
        if entry is not None and entry.get("seq") == seq and entry.get("action") == "templates" \
                and isinstance(entry.get("after"), dict) and entry_hash(entry) == entry.get("hash"):
            logged = (seq, str(entry["after"].get("fingerprint")))
    if logged is None and not stored:
        return
    if logged is None or (seq is not None and logged[0] != seq) or logged[1] != stored:
        result.problems.append(_("the applied templates ({stored}) are not the ones the history last applied "
                                 "({logged})").format(stored=stored, logged=logged[1] if logged else None))


def _replay_message(code: str, seq: int, details: dict[str, Any]) -> str:
    texts = {
        "roster-before": _("entry {seq}: the officer's record before this change is not what the history left it"),
        "created-twice": _("entry {seq} creates item {item}, which already exists"),
        "unknown-item": _("entry {seq} changes item {item}, which the history never created"),
        "before": _("entry {seq} says item {item} had {field} '{said}' before, but the log up to it leaves it "
                    "'{was}'"),
        "moved-worked": _("entry {seq} moves the {field} of item {item}, which was already done or skipped"),
        "transition": _("entry {seq}: '{action}' is not allowed on item {item} while it is {status}"),
        "follow-up-twice": _("entry {seq} opens a second follow-up on item {item}"),
        "follow-up-not-open": _("entry {seq} closes a follow-up on item {item} that was not open"),
        "legacy-after-upgrade": _("entry {seq} changes item {item} the way only checklist 0.1 did, after the "
                                  "upgrade"),
    }
    details = {k: (str(v)[:6] if k == "item" else v) for k, v in details.items()}
    return texts[code].format(seq=seq, **details)


def _seq(entry: dict[str, Any]) -> int:
    seq = entry.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else -1


def _check_officers(reader: Reader, chain: _Chain, result: AuditResult, since: int, index: _Index) -> None:
    roster = {d["id"]: d for d in reader.officers()}
    if since:
        officers = sorted(chain.counts)
    else:
        officers = sorted(set(roster) | set(chain.counts))
    uneven: list[str] = []
    for officer in officers:
        result.officers += 1
        try:
            copies = reader.history(officer)
        except StoreError as err:
            result.problems.append(_("officer {officer}: {problem}").format(officer=officer, problem=err.message))
            continue
        digest, count = "", 0
        for copy in copies:
            if shape_problem(copy) is not None or entry_hash(copy) != copy["hash"]:
                result.problems.append(_("officer {officer}: the copy of entry {seq} in their history file does not "
                                         "match the log").format(officer=officer, seq=str(copy.get("seq"))[:20]))
            if _seq(copy) > since:
                digest, count = _fold(digest, str(copy.get("hash"))), count + 1
        if (digest, count) != (chain.digests.get(officer, ""), chain.counts.get(officer, 0)):
            uneven.append(officer)
        if any(shape_problem(c) is not None for c in copies):
            continue  # named above: the copy is not the log's
        state = replay(officer, copies)
        for seq, code, details in state.problems:
            result.problems.append(_("officer {officer}: {problem}").format(
                officer=officer, problem=_replay_message(code, seq, details)))
        stored_doc = roster.get(officer)
        if stored_doc is None:
            if state.record is not None:
                result.problems.append(_("officer {officer} is in the history but not on the roster (removed "
                                         "without a trace)").format(officer=officer))
        elif state.record is None:
            result.problems.append(_("officer {officer} is on the roster but the history never added them").format(
                officer=officer))
        elif roster_record(stored_doc) != state.record:
            fields = [k for k, v in roster_record(stored_doc).items() if state.record.get(k) != v]
            result.problems.append(_("officer {officer}: {fields} on the roster differ from the history").format(
                officer=officer, fields=", ".join(fields)))
        stored_items = {i["id"]: i for i in reader.items(officer)}
        result.items += len(stored_items)
        for iid, item in stored_items.items():
            index.add(iid, officer)
            expected = state.items.get(iid)
            title = item.get("title", "")
            if expected is None:
                result.problems.append(_("item {id} ({officer} {title}, due {due}) is not in the history: it was added "
                                         "without a trace").format(id=iid, officer=officer, title=title,
                                                                   due=item.get("due")))
                continue
            if item_id(officer, str(item.get("key")), str(item.get("period"))) != iid:
                result.problems.append(_("item {id} ({officer} {title}): its id does not belong to its duty and "
                                         "period").format(id=iid, officer=officer, title=title))
            diffs = compare_item(expected, item)
            if diffs:
                words = _(", ").join(_("{field} is {found} but the history says {expected}").format(
                    field="duty fields" if name == "plan" else name, found=repr(found), expected=repr(want))
                    for name, found, want in diffs)
                result.problems.append(_("item {id} ({officer} {title}, due {due}): {diffs}").format(
                    id=iid, officer=officer, title=title, due=item.get("due"), diffs=words))
        for iid, expected in state.items.items():
            if iid not in stored_items:
                result.problems.append(_("item {id} ({officer}, period {period}, due {due}) is in the history but "
                                         "missing from the database").format(
                    id=iid, officer=officer, period=expected["period"], due=expected["due"]))
    if uneven:
        _name_uneven_copies(reader, uneven, result, since)


def _name_uneven_copies(reader: Reader, officers: list[str], result: AuditResult, since: int) -> None:
    """Which entries an officer's copy lacks or has too many of (a second look, for those officers only)."""
    wanted = set(officers)
    logged: dict[str, dict[int, str]] = {o: {} for o in officers}
    for line in reader.log(since):
        entry = line.entry
        if entry is not None and entry.get("officer") in wanted:
            logged[entry["officer"]][entry["seq"]] = entry["hash"]
    for officer in officers:
        listed = [_seq(c) for c in reader.history(officer) if _seq(c) > since]
        if listed != sorted(listed):
            result.problems.append(_("officer {officer}: their history file has entries out of order").format(
                officer=officer))
        copies = {_seq(c): c.get("hash") for c in reader.history(officer) if _seq(c) > since}
        missing = sorted(set(logged[officer]) - set(copies))
        extra = sorted(s for s in set(copies) - set(logged[officer]) if isinstance(s, int))
        differing = sorted(s for s in set(copies) & set(logged[officer]) if copies[s] != logged[officer][s])
        if missing:
            result.problems.append(_("officer {officer}: entries {seqs} are missing from their history file").format(
                officer=officer, seqs=", ".join(map(str, missing[:10]))))
        if extra:
            result.problems.append(_("officer {officer}: their history file has entries {seqs} that the log does "
                                     "not").format(officer=officer, seqs=", ".join(map(str, extra[:10]))))
        for seq in differing[:10]:
            result.problems.append(_("officer {officer}: the copy of entry {seq} in their history file does not "
                                     "match the log").format(officer=officer, seq=seq))


# -- reading the log ---------------------------------------------------------------------------------------


def read_log(env: Env, typed: str | None = None, since: str | None = None,
             officer_id: str | None = None) -> list[dict[str, Any]]:
    """History entries, oldest first: one item's (any unique id prefix), or everyone's."""
    from checklist.core.history import project
    from checklist.work import resolve

    from checklist.identity import identify, require_see
    from checklist.roster import officer_from_doc
    from checklist.service import viewed_scope

    with env.store().reading() as reader:
        access = identify(reader, env)
        if typed:
            item = resolve(reader, typed, officer_id)
            require_see(access, access.roster.get(item["officer"]) or officer_from_doc({"id": item["officer"]}))
            found = [p for p in (project(e, item["id"]) for e in reader.history(item["officer"])) if p is not None]
        else:
            members, label = viewed_scope(reader, access, officer_id)
            if label["kind"] == "everyone":
                found = [line.entry for line in reader.log() if line.entry is not None]
            else:  # someone's scope: their people's entries, the templates applied to everyone, and the
                # entries of the department's and court's follow-ups they see
                from checklist.followup import seen_by

                seen = {o.id for o in members}
                follow_ups = {r["id"] for r in seen_by(access, reader.follow_ups())}

                def shown(entry: dict[str, Any]) -> bool:
                    if entry.get("officer") is not None:
                        return entry["officer"] in seen
                    return entry.get("follow_up") is None or entry["follow_up"] in follow_ups

                found = [line.entry for line in reader.log() if line.entry is not None and shown(line.entry)]
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
    """Look at the templates, the calendar, the database, its files and the history; say what to do."""
    from checklist.calendars import work_calendar
    from checklist.errors import ChecklistError
    from checklist.sync import applied

    checks: list[Check] = []
    store = env.store()
    templates = None
    exists = store.exists()
    try:
        if exists:
            from checklist.identity import identify, require_audit

            with store.reading() as reader:
                if reader.officers():
                    require_audit(identify(reader, env), _("doctor"))
                templates = applied(reader)
            where = _("applied to the database")
        else:
            from checklist.loader import load_templates

            templates = load_templates(env.templates_folder())
            where = str(env.templates_folder())
        checks.append(Check("templates", True, _("{folder}: {campaigns} campaigns, {duties} duties").format(
            folder=where, campaigns=len(templates.campaigns), duties=len(templates.duties))))
    except ChecklistError as err:
        from checklist.identity import Refused

        if isinstance(err, Refused):
            raise
        first = (err.problems or [err.message])[0]
        count = len(err.problems) or 1
        checks.append(Check("templates", False, ngettext(
            "{n} problem, first: {first}", "{n} problems, first: {first}", count).format(n=count, first=first), _("check them with checklist templates validate DIR, then "
                                                      "checklist templates apply DIR")))

    calendar = work_calendar(templates)
    years = sorted({env.today.year, (env.today + timedelta(days=365)).year})
    missing = [y for y in years if y not in calendar.years]
    if missing:
        current = env.today.year in missing
        checks.append(Check("calendar", not current, _("no holiday data for {years}; Monday to Friday would count "
                                                       "as working days").format(years=", ".join(map(str, missing))),
                            _("upgrade chinesecalendar once the State Council's notice is out (usually November): "
                              "pip install -U chinesecalendar, then checklist sync; or add a calendar: file to the "
                              "templates (docs/templates.md)"), warning=not current))
    else:
        checks.append(Check("calendar", True, _("holiday data for {years}").format(years=", ".join(map(str, years)))))

    if not exists:
        checks.append(Check("database", False, _("no database at {path}").format(path=store.location),
                            _("import a roster to create it: checklist import roster FILE")))
        return checks
    for finding in store.health():
        checks.append(Check(finding.name, finding.ok, finding.detail, finding.advice))
    from checklist.store.postgres import PostgresStore

    on_server = isinstance(store, PostgresStore)
    try:
        with store.reading() as reader:
            officers = reader.officers()
            count = sum(len(reader.items(o["id"])) for o in officers)
        told = _("{officers} officers, {items} items") if on_server else _(  # a server's line named it
            "{path}: {officers} officers, {items} items")
        checks.append(Check("database", True, told.format(path=store.location, officers=len(officers), items=count)))
    except ChecklistError as err:
        checks.append(Check("database", False, err.message, _(
            "on the server: ask its administrator to restore the database from the last backup (pg_dump), or "
            "upgrade checklist if the schema is newer; never edit the tables by hand") if on_server else _(
            "copy the whole database (the file, its .d folder and the lock) aside, then restore the named file — or "
            "the whole database — from the last backup; never edit it by hand")))
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
        count = len(result.problems)
        checks.append(Check("history", False, ngettext(
            "{n} problem, first: {first}", "{n} problems, first: {first}", count).format(n=count, first=result.problems[0]),
            _("run checklist audit verify for the whole list; restore altered files from a backup and ask who "
              "changed them")))
    return checks
