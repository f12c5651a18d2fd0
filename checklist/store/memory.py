"""A database in memory: the storage contract with nothing to crash, for tests and as a model.

It behaves as the file backend does — snapshots for readers, one writer at a time, a change
applied whole — so the contract suite can hold both to the same rules. State is never changed in
place: a commit builds the next state from the last and swaps it in, so a reader keeps the
snapshot it started with.
"""

from __future__ import annotations

import copy
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from checklist.core.history import GENESIS
from checklist.i18n import _
from checklist.store.contract import (
    Change, Finding, LogLine, MissingDatabase, day_item, item_in_range, last_number, merge_items, stamp_templates,
)


@dataclass(frozen=True)
class _State:
    meta: dict[str, Any] = field(default_factory=dict)
    officers: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # item id → officer
    log: tuple[dict[str, Any], ...] = ()
    templates: tuple[tuple[str, str], ...] = ()
    follow_ups: dict[str, dict[str, Any]] = field(default_factory=dict)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)


class MemoryReader:
    def __init__(self, state: _State, location: str):
        self._state = state
        self.location = location

    def meta(self) -> dict[str, Any]:
        return copy.deepcopy(self._state.meta)

    def officers(self) -> list[dict[str, Any]]:
        return [dict(o) for o in self._state.officers.values()]

    def officer(self, officer_id: str) -> dict[str, Any] | None:
        found = self._state.officers.get(officer_id)
        return dict(found) if found is not None else None

    def items(self, officer_id: str, due_from: str = "", due_to: str = "9999") -> list[dict[str, Any]]:
        return [copy.deepcopy(i) for i in self._state.items.get(officer_id, []) if item_in_range(i, due_from, due_to)]

    def day_items(self, officer_id: str, first: str, last: str, today: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(i) for i in self._state.items.get(officer_id, []) if day_item(i, first, last, today)]

    def find_ids(self, prefix: str) -> list[tuple[str, str]]:
        return sorted((i, o) for i, o in self._state.owners.items() if i.startswith(prefix))

    def history(self, officer_id: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(e) for e in self._state.log if e.get("officer") == officer_id]

    def log(self, after: int = 0) -> Iterator[LogLine]:
        for entry in self._state.log[after:]:
            yield LogLine(f"entry {entry['seq']}", copy.deepcopy(entry))

    def head(self) -> tuple[int, str]:
        return (len(self._state.log), self._state.log[-1]["hash"]) if self._state.log else (0, GENESIS)

    def templates(self) -> list[tuple[str, str]]:
        return list(self._state.templates)

    def follow_ups(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(f) for f in self._state.follow_ups.values()]

    def last_follow_up(self) -> int:
        return last_number(self.follow_ups())

    def cases(self, officers: list[str] | None = None) -> list[dict[str, Any]]:
        wanted = None if officers is None else set(officers)
        return [copy.deepcopy(c) for _n, c in sorted(self._state.cases.items())
                if wanted is None or c["officer"] in wanted]


class MemoryWriter(MemoryReader):
    def __init__(self, store: MemoryStore, state: _State):
        super().__init__(state, store.location)
        self._store = store

    def commit(self, change: Change) -> list[dict[str, Any]]:
        state = self._state
        linked = change.chained(self.head())
        officers = dict(state.officers)
        for doc in change.officers:
            officers[doc["id"]] = dict(doc)
        items = dict(state.items)
        owners = dict(state.owners)
        for officer, changed in change.items.items():
            items[officer] = merge_items(items.get(officer, []), copy.deepcopy(changed))
            owners.update((i["id"], officer) for i in changed)
        follow_ups = dict(state.follow_ups)
        follow_ups.update((f["id"], copy.deepcopy(f)) for f in change.follow_ups)
        cases = dict(state.cases)
        cases.update((c["number"], copy.deepcopy(c)) for c in change.cases)
        self._state = _State(
            meta=stamp_templates({**state.meta, **copy.deepcopy(change.meta)}, linked), officers=officers,
            items=items, owners=owners, follow_ups=follow_ups, cases=cases,
            log=state.log + tuple(copy.deepcopy(linked)),
            templates=tuple(change.templates) if change.templates is not None else state.templates)
        self._store._state = self._state
        return linked


class MemoryStore:
    """The contract over a Python object; ``location`` only names it in messages."""

    def __init__(self, location: str = "memory"):
        self.location = location
        self._state: _State | None = None
        self._lock = threading.Lock()

    def exists(self) -> bool:
        return self._state is not None

    @contextmanager
    def reading(self) -> Iterator[MemoryReader]:
        if self._state is None:
            raise MissingDatabase(_("there is no database at {path} yet").format(path=self.location))
        yield MemoryReader(self._state, self.location)

    @contextmanager
    def writing(self, *, create: bool = False) -> Iterator[MemoryWriter]:
        with self._lock:
            if self._state is None:
                if not create:
                    raise MissingDatabase(_("there is no database at {path} yet").format(path=self.location))
                state = _State()
            else:
                state = self._state
            yield MemoryWriter(self, state)  # a database exists once something is committed

    def health(self) -> list[Finding]:
        return []
