"""The storage contract: what every backend offers, and the one change a write hands it.

A backend stores the roster, each officer's items, the follow-up (督办) register, the history (a
hash-chained log, plus each officer's copy of their own entries), the applied templates and a
little metadata. The layer
above talks to it only through these types:

* ``Store.reading()`` — a ``Reader``: a consistent snapshot that never waits for a writer and
  never writes (so it also works on a read-only copy of the database);
* ``Store.writing()`` — a ``Writer``: the same reads on the newest state, serialised with every
  other writer, and one ``commit(change)`` that stores a whole ``Change`` — roster records, items,
  history entries, templates — atomically: after a crash at any moment, readers see either all
  of it or none of it. Entries are linked into the chain by ``checklist.core.history.link``, the
  same on every backend; the id index and the officers' history copies follow from the change.

Items are plain dicts as ``checklist today --json`` shows them (``id``, ``officer``, ``key``,
``period``, ``due``, ``status``, ``title`` …). Items are never deleted: sync withdraws them.

Backends raise ``StoreError`` (exit 3) when the database cannot be read or written, and
``MissingDatabase`` when there is none yet. ``tests/test_store_contract.py`` runs the same suite
on every backend.
"""

from __future__ import annotations

import gc
import re
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

from checklist.core.history import link
from checklist.errors import InputError
from checklist.i18n import _


class MissingDatabase(InputError):
    """There is no database at that place yet (a clean refusal: exit 1)."""


@dataclass
class Change:
    """Everything one command changes, written in one atomic step."""

    meta: dict[str, Any] = field(default_factory=dict)  # fields to set (others are kept)
    officers: list[dict[str, Any]] = field(default_factory=list)  # roster records, added or replaced by id
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # officer → items added or replaced by id
    entries: list[dict[str, Any]] = field(default_factory=list)  # history, in order, not yet linked
    follow_ups: list[dict[str, Any]] = field(default_factory=list)  # 督办 records, added or replaced by id
    cases: list[dict[str, Any]] = field(default_factory=list)  # case records, added or replaced by number
    templates: list[tuple[str, str]] | None = None  # a new templates bundle: (path, text) per file
    # entries already linked elsewhere, stored as they are (``db copy``): they must continue the
    # chain from this database's head; ``entries`` must then be empty
    linked: list[dict[str, Any]] | None = None

    def put_items(self, officer: str, items: list[dict[str, Any]]) -> None:
        self.items.setdefault(officer, []).extend(items)

    @property
    def empty(self) -> bool:
        return not (self.meta or self.officers or self.items or self.entries or self.templates is not None
                    or self.linked or self.follow_ups or self.cases)

    def chained(self, head: tuple[int, str]) -> list[dict[str, Any]]:
        """The change's entries linked onto ``head`` (the backend's last seq and hash).

        Entries copied whole from another database keep their seq, prev and hash; they are
        refused unless they go on from ``head`` one by one and each still has its hash.
        """
        from checklist.core.history import entry_hash

        if self.linked is None:
            return link(self.entries, head)
        seq, previous = head
        for entry in self.linked:
            seq += 1
            if entry.get("seq") != seq or entry.get("prev") != previous or entry_hash(entry) != entry.get("hash"):
                raise InputError(_("the history being copied does not go on from entry {seq} of this database; "
                                   "nothing was copied").format(seq=seq - 1))
            previous = entry["hash"]
        return list(self.linked)


@dataclass
class LogLine:
    """One line of the history log as read back: the entry, or why it could not be read."""

    where: str  # "FILE:LINE" (file backend) or "entry N" — for messages
    entry: dict[str, Any] | None
    damage: str = ""  # set when the line is not a readable entry


class Reader(Protocol):
    """A consistent snapshot of one database."""

    location: str

    def meta(self) -> dict[str, Any]: ...

    def officers(self) -> list[dict[str, Any]]: ...

    def officer(self, officer_id: str) -> dict[str, Any] | None: ...

    def items(self, officer_id: str, due_from: str = "", due_to: str = "9999") -> list[dict[str, Any]]:
        """An officer's items due in ``due_from`` … ``due_to`` (ISO dates, inclusive)."""
        ...

    def day_items(self, officer_id: str, first: str, last: str, today: str) -> list[dict[str, Any]]:
        """What ``checklist today`` shows and counts: the officer's items due in ``first`` … ``last``, and
        those due earlier that are still open or were done on ``today`` (``day_item``) — not the year
        of work done before."""
        ...

    def find_ids(self, prefix: str) -> list[tuple[str, str]]:
        """``(item id, officer id)`` for every item whose id starts with ``prefix`` (≥ 2 characters)."""
        ...

    def history(self, officer_id: str) -> list[dict[str, Any]]:
        """The officer's own entries (their copy of the log), oldest first."""
        ...

    def log(self, after: int = 0) -> Iterator[LogLine]:
        """Every entry after sequence number ``after``, oldest first, streamed (bounded memory)."""
        ...

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the last entry; (0, GENESIS) before the first."""
        ...

    def templates(self) -> list[tuple[str, str]]:
        """The applied templates, (path, text) per file; [] if none were applied."""
        ...

    def follow_ups(self) -> list[dict[str, Any]]:
        """The follow-up (督办) register as far as this reader may see it, in the order they were opened."""
        ...

    def last_follow_up(self) -> int:
        """The number of the last follow-up opened (0 before the first), seen or not: numbers are never reused."""
        ...

    def cases(self, officers: list[str] | None = None) -> list[dict[str, Any]]:
        """The imported cases (as far as this reader may see them), by case number; only those of
        ``officers`` if given."""
        ...


class Writer(Reader, Protocol):
    def commit(self, change: Change) -> list[dict[str, Any]]:
        """Store ``change`` atomically; returns its entries as linked into the chain."""
        ...


@dataclass
class Finding:
    """Something ``checklist doctor`` should say about the storage itself."""

    name: str
    ok: bool
    detail: str
    advice: str = ""


class Store(Protocol):
    location: str

    def exists(self) -> bool: ...

    def reading(self) -> AbstractContextManager[Reader]: ...

    def writing(self, *, create: bool = False) -> AbstractContextManager[Writer]:
        """Serialised with every other writer; ``create`` allows making a new, empty database."""
        ...

    def health(self) -> list[Finding]:
        """Leftovers, unknown files, the lock: what only the backend can see."""
        ...


FOLLOW_UP_ID = re.compile(r"F[1-9][0-9]{0,17}")
FOLLOW_UP_KINDS = ("item", "officer", "dept", "court", "case")
FOLLOW_UP_STATES = ("open", "replied", "returned", "closed")


def follow_up_ok(record: Any) -> bool:
    """A follow-up record with the fields and types every command relies on (a backend refuses others as
    damage rather than let a listing crash on them)."""
    if type(record) is not dict or not (isinstance(record.get("id"), str) and FOLLOW_UP_ID.fullmatch(record["id"])):
        return False
    target = record.get("target")
    if type(target) is not dict or target.get("kind") not in FOLLOW_UP_KINDS or not isinstance(target.get("id"), str) \
            or not all(target.get(k) is None or isinstance(target[k], str) for k in ("officer", "court", "department",
                                                                                      "name")):
        return False
    if not all(isinstance(record.get(k), str) for k in ("by", "note", "opened_at", "reply_due")) \
            or not due_ok({"due": record["reply_due"]}) or record.get("state") not in FOLLOW_UP_STATES:
        return False
    steps = [record.get(k) or [] for k in ("replies", "returns", "escalations")]
    return all(type(s) is list and all(type(step) is dict and isinstance(step.get("at"), str) for step in s)
               for s in steps) and all(record.get(k) is None or isinstance(record[k], str)
                                       for k in ("no", "source", "closed_at", "closed_by", "outcome", "close_note"))


CASE_DATES = ("paused", "seized", "seal_expires", "funds_received")


def case_ok(record: Any) -> bool:
    """A case record with the fields and types the commands rely on."""
    if type(record) is not dict or not all(isinstance(record.get(k), str) and record[k]
                                           for k in ("number", "officer", "filed")):
        return False
    if not all(record.get(k) is None or isinstance(record[k], str) for k in ("court", "closed", "closing")):
        return False
    if not all(record.get(k) is None or (isinstance(record[k], (int, float)) and not isinstance(record[k], bool))
               for k in ("amount", "paid")):
        return False
    return all(type(record.get(k) or []) is list for k in CASE_DATES)


def last_number(follow_ups: list[dict[str, Any]]) -> int:
    return max((int(f["id"][1:]) for f in follow_ups), default=0)


def merge_items(stored: list[dict[str, Any]], changed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An officer's items with ``changed`` put in by id, in due-date order (shared by backends)."""
    by_id = {item["id"]: item for item in stored}
    for item in changed:
        by_id[item["id"]] = item
    return sorted(by_id.values(), key=lambda i: (i["due"], i["key"], i["period"]))


def item_in_range(item: dict[str, Any], due_from: str, due_to: str) -> bool:
    return due_from <= item["due"] <= due_to


def day_item(item: dict[str, Any], first: str, last: str, today: str) -> bool:
    """Whether ``Reader.day_items`` returns ``item`` (a stored record: its due, status and done_at)."""
    due = item["due"]
    if not isinstance(due, str) or due > last:
        return False
    return due >= first or item.get("status") == "open" or (
        item.get("status") == "done" and str(item.get("done_at") or "")[:10] == today)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector paused for a bulk step that keeps many objects alive while it makes more.

    A 100,000-row status import holds every row and every item of the people it touches; each burst
    of new dicts set off collections that walked all of them again — a quarter of the import. What
    such a step makes holds no cycles worth collecting early; whatever it leaves is collected after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- what a stored item record must look like ---------------------------------------------------------------
# A backend checks each record it reads with ``record_ok``: a damaged but well-formed file (a due
# date of "x", a number where a note was) must be named as damage, never crash a command later.

_ID = re.compile(r"[0-9a-hjkmnp-tv-z]{12}").fullmatch
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+([+-][0-9:]+|Z)?)?").fullmatch
_STATUSES = frozenset(("open", "done", "skipped", "withdrawn"))
_OPTIONAL = (("done_at", True), ("recorded_at", True), ("skipped_at", True), ("note", False), ("reason", False))


def _time_or_none(value: Any) -> bool:
    return value is None or (type(value) is str and _TIME(value) is not None)


def _follow_up_ok(record: Any) -> bool:
    if type(record) is not dict or type(record.get("opened_at")) is not str or type(record.get("by")) is not str:
        return False
    reply_due = record.get("reply_due")
    return _TIME(record["opened_at"]) is not None and _time_or_none(record.get("closed_at")) \
        and (reply_due is None or (type(reply_due) is str and _DAY(reply_due) is not None)) \
        and all(record.get(name) is None or type(record[name]) is str for name in ("note", "closed_by", "close_note"))


def due_ok(record: dict[str, Any]) -> bool:
    """Whether the record's due date is an ISO date (checked before a read filters by it)."""
    due = record.get("due")
    return type(due) is str and _DAY(due) is not None


def record_ok(record: dict[str, Any]) -> bool:
    """Whether a stored item record has the fields and types every command relies on.

    Called for every record a command uses (a province report reads hundreds of thousands), so it
    is written for speed: plain type checks, compiled patterns, optional fields only when present.
    """
    try:
        if _ID(record["id"]) is None or _DAY(record["due"]) is None or record["status"] not in _STATUSES \
                or type(record["period"]) is not str:
            return False
    except (KeyError, TypeError):
        return False
    for name, is_time in _OPTIONAL:
        value = record.get(name)
        if value is not None and (type(value) is not str or (is_time and _TIME(value) is None)):
            return False
    follow_ups = record.get("follow_ups")
    return follow_ups is None or (type(follow_ups) is list and all(_follow_up_ok(f) for f in follow_ups))


def stamp_templates(meta: dict[str, Any], linked: list[dict[str, Any]]) -> dict[str, Any]:
    """``meta`` with the applied templates' record pointing at the entry that applied them.

    ``audit verify --from`` reads that one entry to prove the stored templates are the ones the
    history applied, without reading the log from the start.
    """
    for entry in linked:
        if entry["action"] == "templates" and isinstance(meta.get("templates"), dict):
            meta = {**meta, "templates": {**meta["templates"], "seq": entry["seq"]}}
    return meta
