"""An item's life: which changes of status are allowed, to whom, and what each one sets.

This is the one place the rules live; ``done``/``undo``/``skip``, ``import status``, sync and the
audit replay all ask it. The states are ``open``, ``done``, ``skipped`` and ``withdrawn``.

People (an officer, a lead, a clerk's status import) cause ``done``, ``skip`` and ``undo``:

======================  ========  ========  ==========  ===========
from \\ action           done      skip      undo        (by sync)
======================  ========  ========  ==========  ===========
open                    done      skipped   (no change) withdraw
done                    (*)       refused   open        —
skipped                 done      (*)       open        —
withdrawn               refused   refused   refused     restore
======================  ========  ========  ==========  ===========

(*) no change, unless the time or the words differ: then it is a correction, recorded as such.

Doing the work supersedes a skip (the duty turned out to apply after all), but work that was
done is never turned into a skip by a slip of the id: it must be undone first. Sync alone
withdraws an open item whose duty left the templates (done and skipped items stay as worked) and
restores a withdrawn one when the duty comes back; nobody works a withdrawn item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUSES = ("open", "done", "skipped", "withdrawn")
PERSON_ACTIONS = ("done", "skip", "undo")
SYNC_ACTIONS = ("withdraw", "restore")
TARGET = {"done": "done", "skip": "skipped", "undo": "open", "withdraw": "withdrawn", "restore": "open"}
# the fields a change of status sets; anything else on an item is left alone
STATE_FIELDS = ("status", "done_at", "recorded_at", "skipped_at", "note", "reason")


class Refused(Exception):
    """The change is not allowed; ``why`` is one of the codes below, for the caller to word."""

    def __init__(self, why: str, status: str):
        super().__init__(why)
        self.why = why  # "withdrawn" | "done-not-skipped" | "not-by-people" | "not-by-sync"
        self.status = status


@dataclass(frozen=True)
class Step:
    """One change to one item: its fields before and after (only the fields that change)."""

    action: str
    before: dict[str, Any]
    after: dict[str, Any]


def next_status(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status`` (the same status when nothing changes).

    Raises ``Refused`` for a change the rules above do not allow.
    """
    if action in SYNC_ACTIONS:
        if action == "withdraw":
            return "withdrawn" if status == "open" else status
        return "open" if status == "withdrawn" else status
    if action not in PERSON_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if status == "withdrawn":
        raise Refused("withdrawn", status)
    if action == "skip" and status == "done":
        raise Refused("done-not-skipped", status)
    return TARGET[action]


def step(item: dict[str, Any], action: str, *, at: str, recorded: str, note: str | None = None,
         done_at: str | None = None) -> Step | None:
    """What ``action`` does to ``item``; None when it is already so.

    ``at`` is the moment the work is claimed for (the as-of day), ``recorded`` the real clock
    time the change is written; ``done_at`` a done time given explicitly (``done --on``, a status
    import's 完成时间), which makes a done item's time a correction rather than no change. For
    ``skip``, ``note`` is the reason.
    """
    status = item["status"]
    target = next_status(status, action)
    if action == "done":
        when = done_at or at
        if status == "done":
            same_time = done_at is None or (item.get("done_at") or "")[:19] == when[:19]
            same_note = note is None or note == item.get("note")
            if same_time and same_note:
                return None
            after = {"done_at": when, "recorded_at": recorded,
                     "note": note if note is not None else item.get("note")}
        else:
            after = {"status": "done", "done_at": when, "recorded_at": recorded, "skipped_at": None,
                     "note": note, "reason": None}
    elif action == "skip":
        if status == "skipped" and item.get("reason") == note:
            return None
        after = {"status": "skipped", "skipped_at": at, "recorded_at": recorded, "done_at": None, "note": None,
                 "reason": note}
    elif action == "undo":
        if status == "open":
            return None
        after = {"status": "open", "done_at": None, "recorded_at": None, "skipped_at": None, "note": None,
                 "reason": None}
    else:  # withdraw / restore, by sync
        if target == status:
            return None
        after = {"status": target}
    after = {k: v for k, v in after.items() if item.get(k) != v}
    before = {k: item.get(k) for k in after}
    return Step(action, before, after)


def allowed(status: str, action: str, after_status: str, *, by_sync: bool) -> bool:
    """Whether a recorded change — ``status`` → ``after_status`` by ``action`` — obeys the rules.

    The audit replay asks this of every history entry: an entry that breaks them was not written
    by checklist.
    """
    if by_sync != (action in SYNC_ACTIONS):
        return False
    try:
        return next_status(status, action) == after_status
    except (Refused, ValueError):
        return False
