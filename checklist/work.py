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
from checklist.core.history import open_follow_up
from checklist.service import officer_for, viewed_scope
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
    follow_ups: list[dict[str, Any]]
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
    from checklist.sync import templates_notes

    if not 0 <= days <= 366:
        raise InputError(_("the number of days ahead must be from 0 to 366"), field="days")
    from checklist.identity import identify, require_see

    with env.store().reading() as reader:
        access = identify(reader, env)
        officer = officer_for(reader, access, officer_id)
        require_see(access, officer)
        warnings = templates_notes(reader, env)
        items = reader.items(officer.id)
        campaigns = reader.meta().get("campaigns", {})
    today = env.today
    horizon = today + timedelta(days=days)
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    follow_ups, overdue, due_today, upcoming = [], [], [], []
    week_due = week_done = done_today = 0
    for item in items:
        due = date.fromisoformat(item["due"])
        status = item["status"]
        if status == "withdrawn":
            continue
        if monday <= due <= sunday:
            week_due += 1
            week_done += status in ("done", "skipped")
        if status == "done" and (item.get("done_at") or "")[:10] == today.isoformat():
            done_today += 1
        if open_follow_up(item) is not None:
            follow_ups.append(item)  # 督办 tops the list until the lead closes it, done or not
        elif due < today:
            if status == "open":
                overdue.append(item)
        elif due == today:
            due_today.append(item)
        elif due <= horizon:
            upcoming.append(item)
    follow_ups.sort(key=lambda i: (open_follow_up(i) or {}).get("opened_at", ""))
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
        "note": item.get("note"), "reason": item.get("reason"), "follow_up": open_follow_up(item),
    }


def day_list_json(view: DayList) -> dict[str, Any]:
    rows = []
    sections = (("follow_up", view.follow_ups), ("overdue", view.overdue), ("today", view.due_today),
                ("upcoming", view.upcoming))
    for section, items in sections:
        for item in items:
            rows.append({**item_json(item, view.date, view.short.get(item["id"])), "section": section})
    return {
        "officer": {"id": view.officer.id, "name": view.officer.name},
        "date": view.date.isoformat(),
        "days": view.days,
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


def opener_shown(follow_up: dict[str, Any]) -> str:
    """Who opened a follow-up: '陈立新 (DL010)', or the account for one opened before names were kept."""
    name = follow_up.get("by_name")
    return f"{name} ({follow_up['by']})" if name else str(follow_up.get("by", ""))


def opener_name(follow_up: dict[str, Any]) -> str:
    """The opener as a list shows them: their name, else their account."""
    return str(follow_up.get("by_name") or follow_up.get("by", ""))


def item_name(item: dict[str, Any]) -> str:
    return _("{id} ({title}, due {due})").format(id=item["id"][:6], title=item["title"], due=item["due"])


def refusal_text(item: dict[str, Any], why: str) -> str:
    """A lifecycle refusal in words, naming the item."""
    name = item_name(item)
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
        return ItemDetail(item, officer, history, reader.meta().get("campaigns", {}), env.today)


def show_json(detail: ItemDetail) -> dict[str, Any]:
    item = detail.item
    return {
        **item_json(item, detail.today),
        "officer_name": detail.officer.name,
        "sources": item.get("sources", []),
        "basis": item.get("basis") or None,
        "recorded_at": item.get("recorded_at"),
        "history": [
            {"seq": h.get("seq"), "at": h["at"], "recorded": h.get("recorded"), "actor": h["actor"],
             "action": h["action"], "before": h.get("before"), "after": h.get("after"), "note": h.get("note")}
            for h in detail.history
        ],
    }


# -- follow-ups (督办) -----------------------------------------------------------------------------------


def open_follow_up_on(env: Env, typed: str, note: str, days: int = 3, officer_id: str | None = None) -> dict[str, Any]:
    """A lead asks for a reply on an item within ``days`` working days; it tops the officer's list."""
    from checklist.calendars import stored_calendar

    if not note.strip():
        raise InputError(_("say what you want done (the officer sees it)"), field="note")
    check_note(note)
    if not 1 <= days <= 250:
        raise InputError(_("the reply deadline must be from 1 to 250 working days"), field="days")
    from checklist.identity import person_of, require_open, writer_access

    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        calendar = stored_calendar(writer.meta().get("calendar"))
        item = resolve(writer, typed, officer_id)
        name = f"{item['id'][:6]} ({item['title']})"
        require_open(access, person_of(access, item["officer"]), item_name(item))
        if item["status"] == "withdrawn":
            raise InputError(_("{item} was withdrawn: no campaign asks for it any more").format(item=name))
        current = open_follow_up(item)
        if current is not None:
            raise InputError(_("{item} already has an open follow-up from {by} (since {since}); close it first").format(
                item=name, by=opener_shown(current), since=current["opened_at"][:10]))
        at, recorded = env.at(), env.recorded()
        follow_up = {"opened_at": at, "recorded": recorded, "by": env.actor, "by_name": env.actor_name,
                     "note": note.strip(),
                     "reply_due": calendar.add_workdays(env.today, days).isoformat(), "closed_at": None}
        follow_ups = [*(item.get("follow_ups") or []), follow_up]
        change = Change()
        change.put_items(item["officer"], [{**item, "follow_ups": follow_ups}])
        change.entries.append({
            "at": at, "recorded": recorded, **env.who(), "action": "follow-up", "officer": item["officer"],
            "item": item["id"], "before": {"follow_up": None},
            "after": {"follow_up": "open", "reply_due": follow_up["reply_due"]}, "note": follow_up["note"]})
        writer.commit(change)
        return {**item, "follow_ups": follow_ups}


def close_follow_up(env: Env, typed: str, note: str | None = None, officer_id: str | None = None) -> dict[str, Any]:
    """The lead has checked the reply: the follow-up is closed and leaves the officer's list."""
    from checklist.identity import require_close, writer_access

    check_note(note)
    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        item = resolve(writer, typed, officer_id)
        current = open_follow_up(item)
        if current is None:
            closed = [f for f in item.get("follow_ups") or [] if f.get("closed_at")]
            name = f"{item['id'][:6]} ({item['title']})"
            if closed:
                raise InputError(_("{item} has no open follow-up (the last one was closed on {day})").format(
                    item=name, day=closed[-1]["closed_at"][:10]))
            raise InputError(_("{item} has no open follow-up").format(item=name))
        require_close(access, current, _("the follow-up on {item}").format(item=item_name(item)))
        at, recorded = env.at(), env.recorded()
        current = {**current, "closed_at": at, "closed_by": env.actor, "close_note": note}
        follow_ups = [*(item.get("follow_ups") or [])[:-1], current]
        change = Change()
        change.put_items(item["officer"], [{**item, "follow_ups": follow_ups}])
        change.entries.append({
            "at": at, "recorded": recorded, **env.who(), "action": "follow-up-close",
            "officer": item["officer"], "item": item["id"], "before": {"follow_up": "open"},
            "after": {"follow_up": "closed"}, "note": note})
        writer.commit(change)
        return {**item, "follow_ups": follow_ups}


def answer_follow_up(env: Env, typed: str, action: str, note: str, days: int = 3,
                     officer_id: str | None = None) -> dict[str, Any]:
    """``reply``: the officer says what was done (整改情况); ``return``: the opener (or someone above them)
    sends it back to be done again (退回重办) with a new reply deadline. The follow-up stays open."""
    from checklist.calendars import stored_calendar
    from checklist.identity import Refused, person_of, require_close, writer_access

    if not note.strip():
        raise InputError(_("say what was done (the lead reads it)") if action == "reply" else
                         _("say what is still missing (the officer reads it)"), field="note")
    check_note(note)
    if not 1 <= days <= 250:
        raise InputError(_("the reply deadline must be from 1 to 250 working days"), field="days")
    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        item = resolve(writer, typed, officer_id)
        current = open_follow_up(item)
        if current is None:
            raise InputError(_("{item} has no open follow-up").format(item=item_name(item)))
        target = person_of(access, item["officer"])
        what = _("the follow-up on {item}").format(item=item_name(item))
        if action == "reply":
            if not access.may_reply(target):
                raise Refused(_("{what} is for {officer} to answer; you are {you}").format(
                    what=what, officer=target.shown, you=access.actor.shown()))
        else:
            require_close(access, current, what)
        at, recorded = env.at(), env.recorded()
        step = {"at": at, "by": env.actor, "by_name": env.actor_name, "note": note.strip()}
        if action == "reply":
            current = {**current, "replies": [*(current.get("replies") or []), step], "state": "replied"}
            after = {"follow_up": "replied"}
        else:
            calendar = stored_calendar(writer.meta().get("calendar"))
            reply_due = calendar.add_workdays(env.today, days).isoformat()
            current = {**current, "returns": [*(current.get("returns") or []), step], "state": "returned",
                       "reply_due": reply_due}
            after = {"follow_up": "returned", "reply_due": reply_due}
        follow_ups = [*(item.get("follow_ups") or [])[:-1], current]
        change = Change()
        change.put_items(item["officer"], [{**item, "follow_ups": follow_ups}])
        change.entries.append({
            "at": at, "recorded": recorded, **env.who(), "action": f"follow-up-{action}", "officer": item["officer"],
            "item": item["id"], "before": {"follow_up": "open"}, "after": after, "note": note.strip()})
        writer.commit(change)
        return {**item, "follow_ups": follow_ups}


@dataclass
class FollowUpList:
    rows: list[tuple[Officer, dict[str, Any], dict[str, Any]]]  # officer, item, open follow-up
    today: date
    scope: dict[str, str]


def list_follow_ups(env: Env, viewer_id: str | None = None) -> FollowUpList:
    """Open follow-ups in the viewer's scope (their team or court; everyone without a viewer), oldest first."""
    from checklist.identity import identify

    with env.store().reading() as reader:
        access = identify(reader, env)
        members, label = viewed_scope(reader, access, viewer_id)
        rows = []
        for officer in members:
            for item in reader.items(officer.id):
                current = open_follow_up(item)
                if current is not None:
                    rows.append((officer, item, current))
    rows.sort(key=lambda r: r[2]["opened_at"])
    return FollowUpList(rows, env.today, label)


def follow_ups_json(listing: FollowUpList) -> dict[str, Any]:
    today = listing.today
    return {
        "date": today.isoformat(),
        "scope": listing.scope,
        "follow_ups": [
            {
                "id": item["id"], "officer": {"id": officer.id, "name": officer.name}, "title": item["title"],
                "due": item["due"], "status": item["status"], "opened_at": f["opened_at"], "by": f["by"],
                "by_name": f.get("by_name") or None,
                "note": f["note"], "reply_due": f["reply_due"], "state": f.get("state", "open"),
                "replies": f.get("replies", []), "returns": f.get("returns", []),
                "open_days": (today - date.fromisoformat(f["opened_at"][:10])).days,
                "reply_overdue": f["reply_due"] < today.isoformat(),
            }
            for officer, item, f in listing.rows
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
    from checklist.core.history import plan_digest
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
            elif open_follow_up(item) is not None:
                problems.append(_("{item} has an open follow-up (督办); close it before handing the item on").format(
                    item=name))
            elif new_id in theirs or any(new_id == n for _old, n in moves):
                problems.append(_("{officer} already has this duty for {period} ({id}); skip this one instead").format(
                    officer=target.id, period=item["period"], id=new_id[:6]))
            else:
                moves.append((item, new_id))
        if problems:
            raise InputError(ngettext("{n} problem; nothing was changed", "{n} problems; nothing was changed",
                                      len(problems)).format(n=len(problems)), problems)
        at, recorded = env.at(), env.recorded()
        change = Change()
        moved = []
        for item, new_id in moves:
            left = {**item, "status": "withdrawn", "reassigned_to": target.id, "reassigned_on": env.today.isoformat()}
            change.put_items(item["officer"], [left])
            change.entries.append({"at": at, "recorded": recorded, **env.who(), "action": "reassign",
                                   "officer": item["officer"], "item": item["id"], "before": {"status": "open"},
                                   "after": {"status": "withdrawn"}, "to": target.id, "note": note})
            fields = {k: v for k, v in item.items() if k not in ("follow_ups", "note", "reason")}
            due = max(item["due"], env.today.isoformat())  # handed over today: not overdue the moment it arrives
            new = {**fields, "id": new_id, "officer": target.id, "status": "open", "due": due,
                   "reassigned_from": item["id"]}
            change.put_items(target.id, [new])
            change.entries.append({"at": at, "recorded": recorded, **env.who(), "action": "reassign",
                                   "officer": target.id, "from": item["officer"], "note": note,
                                   "items": {"new": {new_id: [item["period"], due, plan_digest(item)]}}})
            moved.append(new)
        writer.commit(change)
        return target, moved
