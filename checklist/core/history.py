"""The history: entries, the hash chain that links them, and the replay that explains every item.

Every change is an entry. Its ``seq`` is one more than the entry before it, its ``prev`` is that
entry's ``hash``, and its own ``hash`` is sha256 over ``prev`` and the entry's canonical JSON
(sorted keys, UTF-8, without ``hash``). So an entry cannot be altered, removed or moved without
breaking the link after it, and a head (``seq-hash``) written down elsewhere pins everything up
to it. Every backend links entries with ``link`` here, so the chain is the same on all of them.

An entry says when the work is claimed for (``at``: the as-of day, or ``done --on``) and when it
was really recorded (``recorded``: the clock), who did it (``actor``), and what changed. Its
``action`` is one of:

* ``done`` ``skip`` ``undo`` ``import`` — one item's status (``item``, ``before``, ``after``);
* ``follow-up`` ``follow-up-reply`` ``follow-up-return`` ``follow-up-close`` ``follow-up-escalate`` — a
  follow-up (督办) opened, answered by its target, sent back to be done again (退回重办), closed, or
  found late and climbed to the opener's lead (``follow_up``: its id; ``officer``: the officer it is
  aimed at, none for a department or court; ``item`` when it is on an item). They are replayed by
  ``checklist.core.followups.replay`` against the follow-up register. (checklist 0.1 wrote
  ``follow-up`` and ``follow-up-close`` on items, without ``follow_up``; those come before the
  upgrade and are not replayed.)
* ``sync`` — what a sync did to one officer's items, in ``items``: ``new`` (id → [period, due,
  plan]), ``due`` and ``plan`` (id → [old, new]), ``withdrawn`` and ``restored`` (ids);
* ``reassign`` — an open item handed to someone else (a person who left, 离岗): two entries, one
  for the officer it leaves (``item``, open → withdrawn, ``to``) and one for the officer it goes
  to (``items``: ``new`` as in a sync, ``from``);
* ``roster`` — an officer added or changed (``before``/``after`` are roster records);
* ``templates`` — templates applied to the database (``after``: their fingerprint);
* ``upgrade`` — a database from checklist 0.1 taken over: the officer's record (``after``) and
  every item as found (``items``: id → [period, due, plan, status, done_at, follow-up open]).
  0.1 logged no item's creation, so the replay starts from here; the 0.1 entries before it stay
  in the chain (and are checked as such) but are not replayed.

``plan`` is a digest of what an item shares with its duty (title, campaigns, priority, …): the
replay compares digests rather than copying every title into the log.

``replay`` runs one officer's entries from nothing and says what their roster record and each of
their items must be; ``audit verify`` compares that with what is stored. Nothing here reads a file
or a clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import orjson

from checklist.core import lifecycle

GENESIS = "0" * 64
PLAN_FIELDS = ("key", "title", "priority", "campaigns", "tags", "sources", "basis", "every")
PLAN_OPTIONAL = ("case",)  # kept only when set, so items made before cases existed keep their digests
ROSTER_FIELDS = ("id", "name", "court", "department", "roles", "lead", "since")
ROSTER_OPTIONAL = ("until", "login", "tags")  # kept only when set, so records written before them compare equal
ITEM_ACTIONS = ("done", "skip", "undo", "import", "follow-up", "follow-up-close")  # the last two: 0.1's follow-ups
FOLLOW_UP_ACTIONS = ("follow-up", "follow-up-reply", "follow-up-return", "follow-up-close", "follow-up-escalate")
LEGACY_ACTIONS = ("withdrawn", "restored", "rescheduled")  # one item's sync change, as checklist 0.1 wrote it
OFFICER_ACTIONS = (*ITEM_ACTIONS, *LEGACY_ACTIONS, "sync", "roster", "upgrade", "reassign")
GLOBAL_ACTIONS = ("templates",)
# what the replay compares with each stored item: everything a report counts
COMPARED = ("period", "due", "plan", "status", "done_at", "recorded_at")


def canonical(entry: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: its JSON with sorted keys, without the hash itself."""
    return orjson.dumps({k: v for k, v in entry.items() if k != "hash"}, option=orjson.OPT_SORT_KEYS)


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(str(entry["prev"]).encode() + canonical(entry)).hexdigest()


def link(entries: Iterable[dict[str, Any]], head: tuple[int, str]) -> list[dict[str, Any]]:
    """``entries`` numbered and chained onto ``head`` (the last entry's seq and hash)."""
    seq, previous = head
    linked = []
    for entry in entries:
        seq += 1
        entry = {**entry, "seq": seq, "prev": previous}
        entry["hash"] = previous = entry_hash(entry)
        linked.append(entry)
    return linked


def plan_digest(item: dict[str, Any]) -> str:
    """A digest of an item's duty-wide fields (title, campaigns, …), the same on every backend."""
    plan = {name: item.get(name) for name in PLAN_FIELDS}
    plan.update({name: item[name] for name in PLAN_OPTIONAL if item.get(name)})
    return hashlib.sha256(orjson.dumps(plan, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def roster_record(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields of an officer the history keeps (and the replay compares)."""
    record = {name: doc.get(name) for name in ROSTER_FIELDS}
    record.update({name: doc[name] for name in ROSTER_OPTIONAL if doc.get(name)})
    return record


# -- checking one entry's shape ----------------------------------------------------------------------


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_moment(value: Any) -> bool:
    if not _is_str(value):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def shape_problem(entry: Any) -> str | None:
    """Why ``entry`` is not an entry checklist writes (a wrong type anywhere), or None.

    The chain is checked first; this catches what a forger could add with correct hashes — a
    field of the wrong type must be named, not crash the check.
    """
    if not isinstance(entry, dict):
        return "not an object"
    for name in ("seq",):
        if not isinstance(entry.get(name), int) or isinstance(entry.get(name), bool):
            return f"'{name}' is not a number"
    for name in ("prev", "hash", "at", "actor", "action"):
        if not _is_str(entry.get(name)):
            return f"'{name}' is missing or not text"
    if "recorded" in entry:  # written since 0.2: both times are ISO 8601 with their UTC offset
        for name in ("at", "recorded"):
            if not _is_moment(entry[name]):
                return f"'{name}' is not a date and time with its UTC offset"
    if not all(entry.get(name) is None or _is_str(entry[name]) for name in ("note", "reason")):
        return "'note' or 'reason' is not text"
    action = entry["action"]
    officer = entry.get("officer")
    if "follow_up" in entry and action in FOLLOW_UP_ACTIONS:
        if not _is_str(entry["follow_up"]) or not (officer is None or _is_str(officer)):
            return "'follow_up' or 'officer' is not text"
        if not (entry.get("item") is None or _is_str(entry["item"])):
            return "'item' is not text"
        return None if isinstance(entry.get("after"), dict) else "'after' is not an object"
    if action in GLOBAL_ACTIONS:
        if officer is not None:
            return f"a '{action}' entry names an officer"
        return None if isinstance(entry.get("after"), dict) else "'after' is not an object"
    if action not in OFFICER_ACTIONS:
        return f"unknown action '{action}'"
    if not _is_str(officer):
        return "'officer' is missing or not text"
    if action == "reassign" and "items" in entry:
        return _sync_shape(entry["items"]) or (None if set(entry["items"]) == {"new"} else "'items' holds more than 'new'")
    if action in ITEM_ACTIONS or action in LEGACY_ACTIONS or action == "reassign":
        if not _is_str(entry.get("item")):
            return "'item' is missing or not text"
        for name in ("before", "after"):
            part = entry.get(name)
            if not isinstance(part, dict):
                return f"'{name}' is not an object"
            if not all(part.get(field) is None or _is_str(part.get(field))
                       for field in ("status", "done_at", "recorded_at", "due")):
                return f"'{name}' holds a field of the wrong type"
        return None
    if action == "roster":
        if not isinstance(entry.get("after"), dict) or not (entry.get("before") is None or
                                                             isinstance(entry.get("before"), dict)):
            return "'before'/'after' are not officer records"
        return None
    if action == "upgrade":
        items = entry.get("items")
        if not isinstance(entry.get("after"), dict) or not isinstance(items, dict) or not all(
                isinstance(v, list) and len(v) == 6 and all(_is_str(x) for x in v[:4])
                and (v[4] is None or _is_str(v[4])) and isinstance(v[5], bool) for v in items.values()):
            return "'after'/'items' are not what an upgrade records"
        return None
    return _sync_shape(entry.get("items"))


def _sync_shape(items: Any) -> str | None:
    if not isinstance(items, dict):
        return "'items' is not an object"
    for name, value in items.items():
        if name == "new":
            if not isinstance(value, dict) or not all(
                    isinstance(v, list) and len(v) == 3 and all(_is_str(x) for x in v) for v in value.values()):
                return "'items.new' is not id → [period, due, plan]"
        elif name in ("due", "plan"):
            if not isinstance(value, dict) or not all(
                    isinstance(v, list) and len(v) == 2 and all(x is None or _is_str(x) for x in v)
                    for v in value.values()):
                return f"'items.{name}' is not id → [old, new]"
        elif name in ("withdrawn", "restored"):
            if not isinstance(value, list) or not all(_is_str(v) for v in value):
                return f"'items.{name}' is not a list of ids"
        else:
            return f"unknown part 'items.{name}'"
    return None


# -- replaying one officer ------------------------------------------------------------------------------


@dataclass
class Replay:
    """One officer as their history tells it: their roster record and every item's state."""

    officer: str
    record: dict[str, Any] | None = None
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)  # (seq, code, details)

    def problem(self, entry: dict[str, Any], code: str, **details: Any) -> None:
        self.problems.append((entry["seq"], code, details))


def _new_item(period: str, due: str, plan: str) -> dict[str, Any]:
    return {"period": period, "due": due, "plan": plan, "status": "open", "done_at": None, "recorded_at": None}


def replay(officer: str, entries: Iterable[dict[str, Any]]) -> Replay:
    """Run ``officer``'s entries (in order, shapes already checked) and collect what breaks the rules."""
    state = Replay(officer)
    entries = list(entries)
    starts = [n for n, e in enumerate(entries) if e["action"] == "upgrade"]
    for entry in entries[starts[-1]:] if starts else entries:
        action = entry["action"]
        if action == "upgrade":
            state.record = roster_record(entry["after"])
            state.items = {iid: {"period": v[0], "due": v[1], "plan": v[2], "status": v[3], "done_at": v[4],
                                 "recorded_at": None} for iid, v in entry["items"].items()}
        elif action in LEGACY_ACTIONS:
            state.problem(entry, "legacy-after-upgrade", item=entry["item"])
        elif action == "roster":
            if (entry.get("before") or None) != state.record:
                state.problem(entry, "roster-before")
            state.record = roster_record(entry["after"])
        elif action == "sync" or (action == "reassign" and "items" in entry):
            _replay_sync(state, entry)
        elif "follow_up" in entry:  # the register's replay checks these
            if entry.get("item") is not None and entry["item"] not in state.items:
                state.problem(entry, "unknown-item", item=entry["item"])
        else:
            _replay_item(state, entry)
    return state


def _replay_sync(state: Replay, entry: dict[str, Any]) -> None:
    parts = entry["items"]
    for item_id, (period, due, plan) in parts.get("new", {}).items():
        if item_id in state.items:
            state.problem(entry, "created-twice", item=item_id)
        state.items[item_id] = _new_item(period, due, plan)
    for name in ("due", "plan"):
        for item_id, (old, new) in parts.get(name, {}).items():
            item = state.items.get(item_id)
            if item is None:
                state.problem(entry, "unknown-item", item=item_id)
                continue
            if item[name] != old:
                state.problem(entry, "before", item=item_id, field=name, said=old, was=item[name])
            if item["status"] in ("done", "skipped"):  # work done stays as it was worked
                state.problem(entry, "moved-worked", item=item_id, field=name)
            item[name] = new
    for name, action in (("withdrawn", "withdraw"), ("restored", "restore")):
        for item_id in parts.get(name, []):
            item = state.items.get(item_id)
            if item is None:
                state.problem(entry, "unknown-item", item=item_id)
                continue
            target = lifecycle.TARGET[action]
            if not lifecycle.allowed(item["status"], action, target, by_sync=True) or item["status"] == target:
                state.problem(entry, "transition", item=item_id, action=action, status=item["status"])
            item["status"] = target


def _replay_item(state: Replay, entry: dict[str, Any]) -> None:
    item_id = entry["item"]
    item = state.items.get(item_id)
    if item is None:
        state.problem(entry, "unknown-item", item=item_id)
        return
    action = entry["action"]
    before, after = entry["before"], entry["after"]
    if action in ("follow-up", "follow-up-close"):  # 0.1's item follow-ups after an upgrade: not what we write
        state.problem(entry, "legacy-after-upgrade", item=item_id)
        return
    if action == "reassign":  # handed to someone else: only an open item, and it leaves this list
        if item["status"] != "open" or after.get("status") != "withdrawn":
            state.problem(entry, "transition", item=item_id, action=action, status=item["status"])
        item["status"] = "withdrawn"
        return
    if "status" in before and before["status"] != item["status"]:
        state.problem(entry, "before", item=item_id, field="status", said=before["status"], was=item["status"])
    target = after.get("status", item["status"])
    kind = action if action != "import" else {"done": "done", "skipped": "skip", "open": "undo"}.get(target, "")
    if target != item["status"] or kind == "done":
        if not lifecycle.allowed(item["status"], kind, target, by_sync=False):
            state.problem(entry, "transition", item=item_id, action=action, status=item["status"])
    item["status"] = target
    for name in ("done_at", "recorded_at"):
        if name in after:
            item[name] = after[name]


def compare_item(expected: dict[str, Any], stored: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, stored value, value the history gives) for every field that disagrees."""
    found = {
        "period": stored.get("period"), "due": stored.get("due"), "plan": plan_digest(stored),
        "status": stored.get("status"), "done_at": stored.get("done_at"), "recorded_at": stored.get("recorded_at"),
    }
    return [(name, found[name], expected[name]) for name in COMPARED if found[name] != expected[name]]


def project(entry: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    """One item's part of an entry, shaped like a one-item entry (for ``show`` and ``log ID``).

    An entry of the wrong shape (a damaged or forged copy; ``audit verify`` names it) has no part.
    """
    if shape_problem(entry) is not None:
        return None
    if entry.get("item") == item_id:
        return entry
    if entry.get("action") == "upgrade" and isinstance(entry.get("items"), dict) and item_id in entry["items"]:
        state = entry["items"][item_id]
        return {**{k: v for k, v in entry.items() if k != "items"}, "item": item_id, "before": {},
                "after": {"status": state[3], "due": state[1]}}
    parts = entry.get("items") if entry.get("action") in ("sync", "reassign") else None
    if not isinstance(parts, dict):
        return None
    base = {k: v for k, v in entry.items() if k not in ("items",)}
    if entry.get("action") == "reassign" and item_id in parts.get("new", {}):
        _period, due, _plan = parts["new"][item_id]
        return {**base, "item": item_id, "before": {}, "after": {"due": due}}
    if item_id in parts.get("new", {}):
        period, due, _plan = parts["new"][item_id]
        return {**base, "action": "created", "item": item_id, "before": {}, "after": {"status": "open", "due": due}}
    if item_id in parts.get("withdrawn", []):
        return {**base, "action": "withdrawn", "item": item_id, "before": {"status": "open"},
                "after": {"status": "withdrawn"}}
    if item_id in parts.get("restored", []):
        return {**base, "action": "restored", "item": item_id, "before": {"status": "withdrawn"},
                "after": {"status": "open"}}
    if item_id in parts.get("due", {}):
        old, new = parts["due"][item_id]
        return {**base, "action": "rescheduled", "item": item_id, "before": {"due": old}, "after": {"due": new}}
    if item_id in parts.get("plan", {}):
        return {**base, "action": "updated", "item": item_id, "before": {}, "after": {}}
    return None


def mentions(entry: dict[str, Any], item_id: str) -> bool:
    return project(entry, item_id) is not None
