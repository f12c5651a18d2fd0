"""The storage contract: what every backend offers, and the one change a write hands it.

A backend stores the roster, each officer's items, the history (a hash-chained log, plus each
officer's copy of their own entries), the applied templates and a little metadata. The layer
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

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

from checklist.errors import InputError


class MissingDatabase(InputError):
    """There is no database at that place yet (a clean refusal: exit 1)."""


@dataclass
class Change:
    """Everything one command changes, written in one atomic step."""

    meta: dict[str, Any] = field(default_factory=dict)  # fields to set (others are kept)
    officers: list[dict[str, Any]] = field(default_factory=list)  # roster records, added or replaced by id
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # officer → items added or replaced by id
    entries: list[dict[str, Any]] = field(default_factory=list)  # history, in order, not yet linked
    templates: list[tuple[str, str]] | None = None  # a new templates bundle: (path, text) per file

    def put_items(self, officer: str, items: list[dict[str, Any]]) -> None:
        self.items.setdefault(officer, []).extend(items)

    @property
    def empty(self) -> bool:
        return not (self.meta or self.officers or self.items or self.entries or self.templates is not None)


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


def merge_items(stored: list[dict[str, Any]], changed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An officer's items with ``changed`` put in by id, in due-date order (shared by backends)."""
    by_id = {item["id"]: item for item in stored}
    for item in changed:
        by_id[item["id"]] = item
    return sorted(by_id.values(), key=lambda i: (i["due"], i["key"], i["period"]))


def item_in_range(item: dict[str, Any], due_from: str, due_to: str) -> bool:
    return due_from <= item["due"] <= due_to
