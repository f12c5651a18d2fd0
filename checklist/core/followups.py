"""督办 (follow-ups): what one is, whom it is aimed at, when it is late, whom it climbs to.

A follow-up is a record in the database's follow-up register, named ``F1``, ``F2`` … in the order
they were opened. It targets an item, an officer, a department (``dept``), a court or a case, and
carries who opened it, an optional document number (``no``) and source, a note and a reply
deadline. Its ``state`` is ``open`` → ``replied`` (the target says what was put right) → either
``closed`` (with an ``outcome``) or ``returned`` (退回重办: to be done again by a new deadline), and
from ``returned`` back to ``replied``.

A follow-up whose reply deadline has passed while it waits for a reply (``open`` or ``returned``) is
late (督办逾期未反馈). It then also appears on the list of the opener's own lead — or, for someone
with no lead, a chief of their court (or of the court above) — and the first time a write sees
it, the climb is recorded once per missed deadline (``escalations``).

``replay`` rebuilds every follow-up from the history entries alone, so ``audit verify`` can
compare it with the register. Nothing here reads a file or a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from checklist.core.access import Access
from checklist.core.models import Officer

KINDS = ("item", "officer", "dept", "court", "case")
STATES = ("open", "replied", "returned", "closed")
WAITING = ("open", "returned")  # waiting for the target's reply
OUTCOMES = ("none", "约谈", "通报批评", "问责")
OUTCOME_WORDS = {"none": "none", "无": "none", "talk": "约谈", "约谈": "约谈", "criticism": "通报批评",
                 "通报批评": "通报批评", "accountability": "问责", "问责": "问责", "追责": "问责"}
ACTIONS = ("follow-up", "follow-up-reply", "follow-up-return", "follow-up-close", "follow-up-escalate")
FID = re.compile(r"[#Ff]-?(\d{1,18})")


def fid(n: int) -> str:
    return f"F{n}"


def parse_fid(typed: str) -> int | None:
    """The number in 'F12', 'f12', 'F-12' or '#12'; None when it is not written as a follow-up id."""
    found = FID.fullmatch(typed.strip())
    return int(found.group(1)) if found else None


def number(follow_up: dict[str, Any]) -> int:
    return int(str(follow_up["id"])[1:])


def state(follow_up: dict[str, Any]) -> str:
    return str(follow_up.get("state") or ("closed" if follow_up.get("closed_at") else "open"))


def is_late(follow_up: dict[str, Any], today: date) -> bool:
    """Waiting for a reply after its deadline (督办逾期未反馈)."""
    return state(follow_up) in WAITING and follow_up["reply_due"] < today.isoformat()


def late_days(follow_up: dict[str, Any], today: date) -> int:
    if not is_late(follow_up, today):
        return 0
    return (today - date.fromisoformat(follow_up["reply_due"])).days


def standing(follow_up: dict[str, Any], day: date) -> dict[str, Any]:
    """The follow-up as it stood at the end of ``day``: its state and deadline then (for a report as of a
    past day), from its dated replies, returns and close."""
    last = day.isoformat()
    steps = [(str(r.get("at", "")), "replied", r.get("reply_due")) for r in follow_up.get("replies") or []]
    steps += [(str(r.get("at", "")), "returned", r.get("reply_due")) for r in follow_up.get("returns") or []]
    if follow_up.get("closed_at"):
        steps.append((str(follow_up["closed_at"]), "closed", None))
    current, due = "open", follow_up.get("first_reply_due") or follow_up["reply_due"]
    for moment, step, new_due in sorted(steps):
        if moment[:10] > last:
            break
        current = step
        if step == "returned" and new_due:
            due = new_due
    return {**follow_up, "state": current, "reply_due": due}


def escalated(follow_up: dict[str, Any]) -> bool:
    return bool(follow_up.get("escalations"))


def escalation_pending(follow_up: dict[str, Any], today: date) -> bool:
    """Late, and this deadline's climb not yet recorded (each missed deadline climbs once)."""
    return is_late(follow_up, today) and not any(
        e.get("reply_due") == follow_up["reply_due"] for e in follow_up.get("escalations") or [])


def last_reply(follow_up: dict[str, Any]) -> dict[str, Any] | None:
    replies = follow_up.get("replies") or []
    return replies[-1] if replies else None


# -- whom it concerns --------------------------------------------------------------------------------------


def answerers(target: dict[str, Any], access: Access) -> list[Officer]:
    """Who replies: the officer (item, officer, case); a department's leads, else its court's chiefs;
    a court's chiefs."""
    kind = target["kind"]
    if kind in ("item", "officer", "case"):
        found = access.roster.get(target.get("officer") or "")
        return [found] if found is not None else []
    court = str(target.get("court") or "")
    chiefs = access.holders("chief", court)
    if kind == "dept":
        return access.holders("lead", court, str(target.get("department") or "")) or chiefs
    return chiefs


def climbs_to(opener: str, access: Access) -> Officer | None:
    """Whom a late follow-up climbs to: the opener's lead; else a chief of their court (not themselves);
    else a chief of the court above."""
    person = access.roster.get(opener)
    if person is None:
        return None
    if person.lead and person.lead in access.roster:
        return access.roster[person.lead]
    for court in (person.court, *access.rules.ancestors(person.court)):
        chiefs = [o for o in access.holders("chief", court) if o.id != person.id]
        if chiefs:
            return chiefs[0]
    return None


def aimed_at(follow_up: dict[str, Any], person: Officer, access: Access) -> bool:
    return any(o.id == person.id for o in answerers(follow_up["target"], access))


def shows_on(follow_up: dict[str, Any], person: Officer, access: Access, today: date) -> str:
    """Why the follow-up is on ``person``'s list: 'target', 'escalated' (it climbed to them) or ''."""
    if state(follow_up) == "closed":
        return ""
    if aimed_at(follow_up, person, access):
        return "target"
    if is_late(follow_up, today):
        up = climbs_to(follow_up["by"], access)
        if up is not None and up.id == person.id:
            return "escalated"
    return ""


def courts_of(follow_up: dict[str, Any]) -> str:
    return str(follow_up["target"].get("court", ""))


# -- the replay --------------------------------------------------------------------------------------------


@dataclass
class Expected:
    """What the history says each follow-up must be."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, follow-up id, code)


COMPARED = ("state", "reply_due", "outcome", "by", "target")


def replay(entries: Iterable[dict[str, Any]]) -> Expected:
    """Every follow-up as its entries build it: state, deadline, outcome, replies, climbs."""
    found = Expected()
    for entry in entries:
        action = entry.get("action")
        name = entry.get("follow_up")
        if action not in ACTIONS or not isinstance(name, str):
            continue
        record = found.records.get(name)
        seq = int(entry.get("seq") or 0)
        after = entry.get("after") or {}
        if action == "follow-up":
            if record is not None:
                found.problems.append((seq, name, "opened-twice"))
            found.records[name] = {"state": "open", "reply_due": after.get("reply_due"), "outcome": None,
                                   "by": after.get("by") or entry.get("actor"), "target": after.get("target"),
                                   "replies": 0,
                                   "returns": 0, "escalations": 0}
            continue
        if record is None:
            found.problems.append((seq, name, "not-opened"))
            continue
        if record["state"] == "closed":
            found.problems.append((seq, name, "after-close"))
            continue
        if action == "follow-up-reply":
            record["state"] = "replied"
            record["replies"] += 1
        elif action == "follow-up-return":
            record["state"] = "returned"
            record["reply_due"] = after.get("reply_due")
            record["returns"] += 1
        elif action == "follow-up-close":
            record["state"] = "closed"
            record["outcome"] = after.get("outcome", "none")
        else:
            record["escalations"] += 1
    return found


def compare(expected: dict[str, Any], stored: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Where a stored follow-up differs from what its history says."""
    seen = {"state": state(stored), "reply_due": stored.get("reply_due"),
            "outcome": stored.get("outcome") if state(stored) == "closed" else None, "by": stored.get("by"),
            "target": stored.get("target"), "replies": len(stored.get("replies") or []),
            "returns": len(stored.get("returns") or []), "escalations": len(stored.get("escalations") or [])}
    return [(name, expected.get(name), seen[name]) for name in seen if expected.get(name) != seen[name]]


# -- in a report -------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """A group's 督办 over a report's range: opened, replies in time, late now, sent back, closed, outcomes."""

    opened: int = 0
    replied_in_time: int = 0
    late: int = 0  # waiting for a reply after its deadline, as of the report's day (督办逾期未反馈)
    returned: int = 0
    closed: int = 0
    outcomes: int = 0  # closed with 约谈, 通报批评 or 问责
    waiting: int = 0  # not closed as of the report's day

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    @property
    def activity(self) -> bool:
        """Something happened in the range (or is late now) — not merely open."""
        return any(getattr(self, name) for name in self.__dataclass_fields__ if name != "waiting")


def _day(moment: str | None) -> str:
    return str(moment or "")[:10]


def counts(record: dict[str, Any], start: date, end: date, as_of: date) -> Counts:
    """One follow-up's part in a report over ``start``..``end`` as of ``as_of``: only what happened by then."""
    first, last = start.isoformat(), min(end, as_of).isoformat()

    def within(moment: str | None) -> bool:
        return first <= _day(moment) <= last

    found = Counts()
    if _day(record["opened_at"]) > as_of.isoformat():
        return found
    found.opened = int(within(record["opened_at"]))
    found.replied_in_time = sum(1 for r in record.get("replies") or []
                                if within(r["at"]) and _day(r["at"]) <= str(r.get("reply_due") or "9999"))
    found.returned = sum(1 for r in record.get("returns") or [] if within(r["at"]))
    then = standing(record, as_of)
    if state(then) == "closed":
        if within(record.get("closed_at")):
            found.closed = 1
            found.outcomes = int(record.get("outcome") not in (None, "none"))
    else:
        found.waiting = 1
        found.late = int(is_late(then, as_of))
    return found


@dataclass(frozen=True)
class Sanction:
    """An outcome the 通报 names: who, for which follow-up, what was decided and when."""

    id: str
    outcome: str
    day: str
    no: str
    target: dict[str, Any]
    closed_by: str


def sanctions(records: Iterable[dict[str, Any]], start: date, end: date, as_of: date) -> list[Sanction]:
    """Outcomes other than none decided within the range (by the as-of day), in date order."""
    first, last = start.isoformat(), min(end, as_of).isoformat()
    found = [Sanction(r["id"], str(r["outcome"]), _day(r["closed_at"]), str(r.get("no") or ""), r["target"],
                      str(r.get("closed_by_name") or r.get("closed_by") or ""))
             for r in records if state(r) == "closed" and r.get("outcome") not in (None, "none")
             and first <= _day(r.get("closed_at")) <= last]
    return sorted(found, key=lambda s: (s.day, number({"id": s.id})))
