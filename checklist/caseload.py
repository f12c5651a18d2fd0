"""`checklist cases` and `checklist show CASE`: an officer's or a team's caseload with each case's next
deadline, and one case with its items and their history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checklist.context import Env
from checklist.errors import InputError
from checklist.i18n import _


@dataclass
class CaseLine:
    case: dict[str, Any]
    officer_name: str
    open_items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def next(self) -> dict[str, Any] | None:
        return min(self.open_items, key=lambda i: (i["due"], i["key"]), default=None)


@dataclass
class Caseload:
    lines: list[CaseLine]
    today: date
    scope: dict[str, Any]


def caseload(env: Env, *, viewer_id: str | None = None, only_open: bool = False,
             over: str | None = None) -> Caseload:
    """The cases of the people in scope (an officer: their own), each with its open items."""
    from checklist.core.clocks import add_months, parse_span
    from checklist.identity import identify
    from checklist.service import viewed_scope

    older = None
    if over is not None:
        try:
            span = parse_span(over)
        except ValueError as err:
            raise InputError(str(err), field="over") from None
        if span.unit not in ("m", "y"):
            raise InputError(_("--over takes months or years, like 12m"), field="over")
        older = add_months(env.today, -span.months).isoformat()
    with env.store().reading() as reader:
        access = identify(reader, env)
        members, label = viewed_scope(reader, access, viewer_id)
        people = {o.id: o for o in members}
        everyone = label.get("kind") == "everyone"
        chosen = [c for c in reader.cases(None if everyone else sorted(people)) if c["officer"] in people
                  and not ((only_open or older) and c.get("closed") and c["closed"] <= env.today.isoformat())
                  and not (older and c["filed"] >= older)]
        lines = {c["number"]: CaseLine(c, people[c["officer"]].name) for c in chosen}
        for officer in sorted({c["officer"] for c in chosen}):
            for item in reader.items(officer):
                line = lines.get(item.get("case") or "")
                if line is not None and item["status"] == "open":
                    line.open_items.append(item)
    ordered = sorted(lines.values(), key=lambda line: ((line.next or {}).get("due", "9999"), line.case["number"]))
    return Caseload(ordered, env.today, label)


def caseload_json(found: Caseload) -> dict[str, Any]:
    today = found.today.isoformat()
    return {
        "date": today, "scope": found.scope,
        "cases": [{
            **line.case, "officer_name": line.officer_name, "open_items": len(line.open_items),
            "overdue_items": sum(1 for i in line.open_items if i["due"] < today),
            "next": ({"id": line.next["id"], "key": line.next["key"], "title": line.next["title"],
                      "due": line.next["due"]} if line.next else None),
        } for line in found.lines],
    }


@dataclass
class CaseDetail:
    case: dict[str, Any]
    officer_name: str
    items: list[dict[str, Any]]
    history: list[dict[str, Any]]
    today: date


def show_case(env: Env, typed: str) -> CaseDetail | None:
    """One case by its 案号 (any bracket width, spaces ignored), or None when ``typed`` names no case."""
    from checklist.core.cases import normalise_number
    from checklist.core.history import project
    from checklist.identity import identify, person_of, require_see

    number = normalise_number(typed)
    with env.store().reading() as reader:
        found = next((c for c in reader.cases() if c["number"] == number), None)
        if found is None:
            return None
        access = identify(reader, env)
        person = person_of(access, found["officer"])
        require_see(access, person)
        items = [i for i in reader.items(found["officer"]) if i.get("case") == number]
        ids = {i["id"] for i in items}
        history = [p for e in reader.history(found["officer"]) for iid in ids
                   for p in (project(e, iid),) if p is not None]
    history.sort(key=lambda e: e.get("seq", 0))
    items.sort(key=lambda i: (i["due"], i["key"]))
    return CaseDetail(found, person.name, items, history, env.today)
