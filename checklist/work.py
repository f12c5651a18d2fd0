"""An officer's day: the list for today, and working its items (done, undo, skip, show).

Every change to an item is written together with a history entry (who, when, what it was, what
it became) in the same atomic write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from checklist.core.ids import ALPHABET, MIN_PREFIX, normalise_prefix, short_ids
from checklist.core.periods import EARLIEST
from checklist.core.models import Officer
from checklist.errors import InputError
from checklist.i18n import _, ngettext
from checklist.context import Env
from checklist.service import officer_for
from checklist.store import Change

if TYPE_CHECKING:
    from checklist.store import Reader

MAX_NOTE = 2000  # characters: a note or reason is a sentence or two, not a document


def check_note(note: str | None) -> None:
    from checklist.core.text import control_character

    if note is None:
        return
    if len(note) > MAX_NOTE:
        raise InputError(_("a note may be at most {n} characters (this one has {length})").format(
            n=MAX_NOTE, length=len(note)))
    bad = control_character(note)
    if bad is not None:
        raise InputError(_("the note holds a control character ({char}); type it as plain text").format(char=bad))


@dataclass
class DayList:
    """What ``checklist today`` shows: one officer's open work, sorted into sections."""

    officer: Officer
    date: date
    days: int
    follow_ups: list[Any]  # checklist.followup.Line: aimed at the officer, or climbed to them
    overdue: list[dict[str, Any]]
    due_today: list[dict[str, Any]]
    upcoming: list[dict[str, Any]]
    short: dict[str, str]
    campaigns: dict[str, dict[str, str]]
    week_due: int
    week_done: int
    done_today: int
    warnings: list[str] = field(default_factory=list)

    def label(self, campaign: str) -> str:
        return self.campaigns.get(campaign, {}).get("short") or campaign


def _priority_rank(item: dict[str, Any]) -> int:
    return {"high": 0, "normal": 1, "low": 2}.get(item.get("priority", "normal"), 1)


def overdue_days(item: dict[str, Any], today: date) -> int:
    due = date.fromisoformat(item["due"])
    return (today - due).days if item["status"] == "open" and due < today else 0


def day_list(env: Env, officer_id: str | None, days: int = 7) -> DayList:
    """The officer's overdue, due-today and coming items (a read: it never writes or waits)."""
    from checklist.identity import identify, require_see
    from checklist.sync import templates_notes

    _check_days(days)
    with env.store().reading() as reader:
        access = identify(reader, env)
        officer = officer_for(reader, access, officer_id)
        require_see(access, officer)
        return _day_list(reader, access, officer, env.today, days, templates_notes(reader, env))


def team_lists(env: Env, officer_id: str | None, days: int = 7) -> tuple[list[DayList], str, str]:
    """``today --team``: the list of everyone below a lead or chief (not theirs), in one read — with a
    heading and a subheading for the page."""
    from checklist.identity import identify, require_see
    from checklist.render.lead import scope_label
    from checklist.service import viewed_scope
    from checklist.sync import templates_notes

    _check_days(days)
    with env.store().reading() as reader:
        access = identify(reader, env)
        head = officer_for(reader, access, officer_id)
        require_see(access, head)
        notes = templates_notes(reader, env)
        members, label = viewed_scope(reader, access, head.id)
        below = sorted((o for o in members if o.id != head.id), key=lambda o: (o.court, o.department, o.id))
        if not below:
            raise InputError(_("{name} ({id}) has nobody below them; --team is for a lead or a chief").format(
                name=head.name, id=head.id), field="team")
        lists = [_day_list(reader, access, o, env.today, days, notes) for o in below]
    heading = _("Lists of {scope}").format(scope=scope_label(label))
    subheading = ngettext("{n} person", "{n} people", len(lists)).format(n=len(lists))
    return lists, heading, subheading


def _check_days(days: int) -> None:
    if not 0 <= days <= 366:
        raise InputError(_("the number of days ahead must be from 0 to 366"), field="days")


def _day_list(reader: Any, access: Any, officer: Officer, today: date, days: int, warnings: list[str]) -> DayList:
    from checklist.followup import for_person

    horizon = today + timedelta(days=days)
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    # nothing due after the list's horizon (or this week) is shown: a caseload's clocks run years ahead;
    # and of what fell due before this week, only what is still open or was done today
    items = reader.day_items(officer.id, monday.isoformat(), max(horizon, sunday).isoformat(), today.isoformat())
    campaigns = reader.meta().get("campaigns", {})
    follow_ups = for_person(reader, access, officer, today)
    overdue, due_today, upcoming = [], [], []
    week_due = week_done = done_today = 0
    for item in items:
        due = date.fromisoformat(item["due"])
        status = item["status"]
        if status == "withdrawn":
            continue
        if monday <= due <= sunday and status != "skipped":  # as in a report: a skipped item is not due
            week_due += 1
            week_done += status == "done"
        if status == "done" and (item.get("done_at") or "")[:10] == today.isoformat():
            done_today += 1
        if due < today:
            if status == "open":
                overdue.append(item)
        elif due == today:
            due_today.append(item)
        elif due <= horizon:
            upcoming.append(item)
    overdue.sort(key=lambda i: (i["due"], _priority_rank(i), i["key"]))
    due_today.sort(key=lambda i: (i["status"] != "open", _priority_rank(i), i["key"]))
    upcoming.sort(key=lambda i: (i["due"], _priority_rank(i), i["key"]))
    return DayList(
        officer=officer, date=today, days=days, follow_ups=follow_ups, overdue=overdue, due_today=due_today, upcoming=upcoming,
        short=short_ids(i["id"] for i in items), campaigns=campaigns, week_due=week_due, week_done=week_done,
        done_today=done_today, warnings=warnings,
    )


def item_json(item: dict[str, Any], today: date, short: str | None = None) -> dict[str, Any]:
    """An item as scripts see it (SPEC.md → today --json)."""
    return {
        "id": item["id"], "short_id": short or item["id"][:6], "officer": item["officer"], "key": item["key"],
        "title": item["title"], "due": item["due"], "period": item["period"], "every": item["every"],
        "status": item["status"], "overdue_days": overdue_days(item, today), "campaigns": item["campaigns"],
        "priority": item["priority"], "tags": item.get("tags", []), "done_at": item.get("done_at"),
        "note": item.get("note"), "reason": item.get("reason"), "case": item.get("case"),
    }


def day_list_json(view: DayList) -> dict[str, Any]:
    rows = []
    from checklist.followup import line_json

    sections = (("overdue", view.overdue), ("today", view.due_today), ("upcoming", view.upcoming))
    for section, items in sections:
        for item in items:
            rows.append({**item_json(item, view.date, view.short.get(item["id"])), "section": section})
    return {
        "officer": {"id": view.officer.id, "name": view.officer.name},
        "date": view.date.isoformat(),
        "days": view.days,
        "follow_ups": [line_json(line) for line in view.follow_ups],
        "items": rows,
        "summary": {
            "follow_ups": len(view.follow_ups),
            "overdue": len(view.overdue),
            "due_today": sum(1 for i in view.due_today if i["status"] == "open"),
            "upcoming": sum(1 for i in view.upcoming if i["status"] == "open"),
            "done": view.done_today,
            "week": {"due": view.week_due, "done": view.week_done},
        },
    }


# -- finding an item ---------------------------------------------------------------------------------------


def resolve(reader: Reader, typed: str, officer_id: str | None = None, *, strict: bool = False) -> dict[str, Any]:
    """The one item whose id starts with what the user typed (at least 4 characters).

    ``officer_id`` is looked at first; with ``strict`` (``--officer`` given on the command line) an
    item of someone else is refused rather than worked for its real officer.
    """
    prefix = normalise_prefix(typed)
    if len(prefix) < MIN_PREFIX:
        raise InputError(_("'{typed}': give at least {n} characters of the item id").format(typed=typed, n=MIN_PREFIX))
    if any(c not in ALPHABET for c in prefix):
        raise InputError(_("no item '{typed}' (ids are shown by checklist today)").format(typed=typed))
    matches: list[dict[str, Any]] = []
    if officer_id and reader.officer(officer_id) is not None:
        matches = [i for i in reader.items(officer_id) if i["id"].startswith(prefix)]
    if not matches:
        owners: dict[str, list[str]] = {}
        for iid, owner in reader.find_ids(prefix):
            owners.setdefault(owner, []).append(iid)
        for owner, ids in owners.items():
            matches += [i for i in reader.items(owner) if i["id"] in ids]
    if not matches:
        hidden = getattr(reader, "hidden_owners", None)  # a server hides what the session may not see
        owners = sorted({o for _i, o in hidden(prefix)}) if hidden is not None else []
        if len(owners) == 1:
            from checklist.identity import Refused

            doc = reader.officer(owners[0]) or {"id": owners[0]}
            raise Refused(_("'{typed}' is {officer}'s item, which you may neither see nor change").format(
                typed=typed, officer=f"{doc.get('name')} ({doc['id']})" if doc.get("name") else doc["id"]))
        raise InputError(_("no item '{typed}' (ids are shown by checklist today)").format(typed=typed))
    if strict and officer_id and len(matches) == 1 and matches[0]["officer"] != officer_id:
        raise InputError(_("{item} is {owner}'s item, not {officer}'s; nothing was changed for anyone else").format(
            item=item_name(matches[0]), owner=matches[0]["officer"], officer=officer_id))
    if len(matches) > 1:
        shown = ", ".join(f"{i['id']} ({i['officer']} {i['title']} {i['due']})" for i in matches[:5])
        raise InputError(_("'{typed}' matches {n} items: {items}; type more of the id").format(
            typed=typed, n=len(matches), items=shown))
    return matches[0]


def item_name(item: dict[str, Any]) -> str:
    return _("{id} ({title}, due {due})").format(id=item["id"][:6], title=item["title"], due=item["due"])


def refusal_text(item: dict[str, Any], why: str) -> str:
    """A lifecycle refusal in words, naming the item."""
    name = item_name(item)
    if why == "withdrawn" and item.get("reassigned_to"):
        return _("{item} was handed on to {officer} on {day}: it is theirs now").format(
            item=name, officer=item["reassigned_to"], day=item.get("reassigned_on") or "")
    if why == "withdrawn":
        return _("{item} was withdrawn: no campaign asks for it any more").format(item=name)
    return _("{item} is done; undo it first to skip it").format(item=name)


# -- working items -----------------------------------------------------------------------------------------


@dataclass
class Worked:
    item: dict[str, Any]
    action: str
    changed: bool
    message: str



def work(env: Env, typed_ids: list[str], action: str, *, officer_id: str | None = None, strict: bool = True,
         note: str | None = None, on: date | None = None) -> list[Worked]:
    """Mark items done, skipped (``note`` is the reason) or open again; all or nothing.

    ``on`` claims the work for an earlier day (``done --on``); the history records both that
    day and when it was really recorded.
    """
    from checklist.core import lifecycle

    if action == "skip" and not (note and note.strip()):
        raise InputError(_("say why the item does not apply (the reason is kept in its history)"), field="reason")
    check_note(note)
    if on is not None and on < EARLIEST:
        raise InputError(_("'{day}' is before {earliest}; that cannot be when this work was done").format(
            day=on, earliest=EARLIEST))
    if on is not None and on > env.today:
        raise InputError(_("work cannot be claimed for {day}, after today ({today})").format(day=on, today=env.today))
    from checklist.identity import person_of, work_refusal, writer_access

    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        items, problems, seen = [], [], set()
        for typed in typed_ids:
            try:
                item = resolve(writer, typed, officer_id, strict=strict)
            except InputError as err:
                problems.append(err.message)
                continue
            refused = work_refusal(access, person_of(access, item["officer"]), item_name(item))
            if refused is not None:
                problems.append(refused)
            elif item["id"] not in seen:  # the same item named twice (09ghc5 09GHC) is worked once
                seen.add(item["id"])
                items.append(item)
        at, recorded = env.at(on), env.recorded()
        steps = []
        for item in items:
            try:
                steps.append((item, lifecycle.step(item, action, at=at, recorded=recorded, note=note,
                                                   done_at=at if on is not None else None)))
            except lifecycle.Refused as err:
                problems.append(refusal_text(item, err.why))
        if problems:
            count = len(problems)
            raise InputError(ngettext("{n} problem; nothing was changed", "{n} problems; nothing was changed",
                                      count).format(n=count), problems)
        change = Change()
        results = []
        for item, done in steps:
            if done is None:  # done twice: nothing to do, and say so
                already = {"done": _("{id} was already done"), "skip": _("{id} was already skipped"),
                           "undo": _("{id} was already open")}[action]
                results.append(Worked(item, action, False, already.format(id=item["id"][:6])))
                continue
            worked = {**item, **done.after}
            change.put_items(item["officer"], [worked])
            change.entries.append({"at": at, "recorded": recorded, **env.who(), "action": action,
                                   "officer": item["officer"], "item": item["id"], "before": done.before,
                                   "after": done.after, "note": note})
            results.append(Worked(worked, action, True, ""))
        if not change.empty:
            writer.commit(change)
        return results


@dataclass
class ItemDetail:
    item: dict[str, Any]
    officer: Officer
    history: list[dict[str, Any]]
    campaigns: dict[str, dict[str, str]]
    today: date
    follow_ups: list[dict[str, Any]] = field(default_factory=list)  # on this item, oldest first


def waiting_on_items(register: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Item id → its follow-up not yet closed."""
    from checklist.core.followups import state

    return {r["target"]["id"]: r for r in register if r["target"]["kind"] == "item" and state(r) != "closed"}


def show(env: Env, typed: str, officer_id: str | None = None) -> ItemDetail:
    from checklist.core.history import project
    from checklist.roster import officer_from_doc

    from checklist.identity import identify, require_see

    with env.store().reading() as reader:
        access = identify(reader, env)
        item = resolve(reader, typed, officer_id)
        officer = access.roster.get(item["officer"]) or officer_from_doc({"id": item["officer"]})
        require_see(access, officer)
        history = [p for p in (project(e, item["id"]) for e in reader.history(item["officer"])) if p is not None]
        on_item = [r for r in reader.follow_ups() if r["target"]["kind"] == "item" and r["target"]["id"] == item["id"]]
        return ItemDetail(item, officer, history, reader.meta().get("campaigns", {}), env.today, on_item)


def show_json(detail: ItemDetail) -> dict[str, Any]:
    item = detail.item
    return {
        **item_json(item, detail.today),
        "officer_name": detail.officer.name,
        "sources": item.get("sources", []),
        "basis": item.get("basis") or None,
        "recorded_at": item.get("recorded_at"),
        "follow_up": next((f for f in reversed(detail.follow_ups) if f.get("state") != "closed"), None),
        "follow_ups": detail.follow_ups,
        "history": [
            {"seq": h.get("seq"), "at": h["at"], "recorded": h.get("recorded"), "actor": h["actor"],
             "action": h["action"], "before": h.get("before"), "after": h.get("after"), "note": h.get("note")}
            for h in detail.history
        ],
    }


# -- reassigning (a person who left, 离岗) ---------------------------------------------------------------


def reassign(env: Env, typed_ids: list[str], to_id: str, *,
             note: str | None = None) -> tuple[Officer, list[dict[str, Any]]]:
    """Hand open items to another officer (all or nothing); both officers' histories say so.

    The item leaves its officer's list (withdrawn, ``reassigned_to``); if it was already overdue, it
    still counts in their figures as the open item it was — past figures do not change. A new item for the same duty and
    period joins the other officer's list (``reassigned_from``), due the same day or, if that has
    passed, today. Whoever does it must be allowed to work the items of both (their lead, a chief of
    their court); an item with an open follow-up is closed first.
    """
    from checklist.core.ids import item_id
    from checklist.identity import person_of, work_refusal, writer_access
    from checklist.service import require_officer

    check_note(note)
    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        target = require_officer(writer, to_id)
        problems: list[str] = []
        if target.until is not None and target.until < env.today:
            raise InputError(_("{officer} left on {day}; hand the items to someone still here").format(
                officer=target.shown, day=target.until))
        if work_refusal(access, target, _("the items")) is not None:
            from checklist.identity import Refused

            raise Refused(_("{target} is not one of the people whose items you work ({you}); hand items only to "
                            "them").format(target=target.shown, you=access.actor.shown()))
        theirs = {i["id"] for i in writer.items(target.id)}
        waiting = waiting_on_items(writer.follow_ups())
        moves: list[tuple[dict[str, Any], str]] = []
        for typed in typed_ids:
            try:
                item = resolve(writer, typed)
            except InputError as err:
                problems.append(err.message)
                continue
            name = item_name(item)
            why = work_refusal(access, person_of(access, item["officer"]), name)
            new_id = item_id(target.id, item["key"], item["period"])
            if why is not None:
                problems.append(why)
            elif item["officer"] == target.id:
                problems.append(_("{item} is already {officer}'s").format(item=name, officer=target.id))
            elif item["status"] != "open":
                problems.append(_("{item} is {status}; only open items are handed on").format(
                    item=name, status=item["status"]))
            elif item["id"] in waiting:
                problems.append(_("{item} has an open follow-up ({fid}); close it before handing the item on").format(
                    item=name, fid=waiting[item["id"]]["id"]))
            elif new_id in theirs or any(new_id == n for _old, n in moves):
                problems.append(_("{officer} already has this duty for {period} ({id}); skip this one instead").format(
                    officer=target.id, period=item["period"], id=new_id[:6]))
            else:
                moves.append((item, new_id))
        if problems:
            raise InputError(ngettext("{n} problem; nothing was changed", "{n} problems; nothing was changed",
                                      len(problems)).format(n=len(problems)), problems)
        change = Change()
        moved = [hand_over(change, env, item, target.id, note) for item, _new_id in moves]
        writer.commit(change)
        return target, moved


def hand_over(change: Change, env: Env, item: dict[str, Any], to: str, note: str | None) -> dict[str, Any]:
    """Add to ``change`` one open item leaving its officer for ``to``: withdrawn there (``reassigned_to``), and
    a new item for the same duty and period on ``to``'s list, due the same day or, if that has passed,
    today. Both histories say so. Returns the new item."""
    from checklist.core.history import plan_digest
    from checklist.core.ids import item_id

    at, recorded = env.at(), env.recorded()
    left = {**item, "status": "withdrawn", "reassigned_to": to, "reassigned_on": env.today.isoformat()}
    change.put_items(item["officer"], [left])
    change.entries.append({"at": at, "recorded": recorded, **env.who(), "action": "reassign",
                           "officer": item["officer"], "item": item["id"], "before": {"status": "open"},
                           "after": {"status": "withdrawn"}, "to": to, "note": note})
    fields = {k: v for k, v in item.items() if k not in ("follow_ups", "note", "reason")}
    due = max(item["due"], env.today.isoformat())  # handed over today: not overdue the moment it arrives
    new_id = item_id(to, item["key"], item["period"])
    new = {**fields, "id": new_id, "officer": to, "status": "open", "due": due, "reassigned_from": item["id"]}
    change.put_items(to, [new])
    change.entries.append({"at": at, "recorded": recorded, **env.who(), "action": "reassign",
                           "officer": to, "from": item["officer"], "note": note,
                           "items": {"new": {new_id: [item["period"], due, plan_digest(item)]}}})
    return new
