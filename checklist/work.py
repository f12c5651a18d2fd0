"""An officer's day: the list for today, and working its items (done, undo, skip, show).

Every change to an item is written together with a history entry (who, when, what it was, what
it became) in the same atomic write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from checklist.core.ids import ALPHABET, MIN_PREFIX, normalise_prefix, short_ids
from checklist.core.models import Officer
from checklist.errors import InputError
from checklist.i18n import _, ngettext
from checklist.service import Env, require_officer, up_to_date
from checklist.store import Session

MAX_NOTE = 2000  # characters: a note or reason is a sentence or two, not a document


def check_note(note: str | None) -> None:
    if note is not None and len(note) > MAX_NOTE:
        raise InputError(_("a note may be at most {n} characters (this one has {length})").format(
            n=MAX_NOTE, length=len(note)))


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
    """The officer's overdue, due-today and coming items; syncs first if the templates changed."""
    if not 0 <= days <= 366:
        raise InputError(_("--days is a number of days from 0 to 366"))
    store = env.store()
    warnings: list[str] = []
    with store.session(write=True) as session:
        officer = require_officer(session, officer_id)
        warnings = up_to_date(session, env)
        items = session.items(officer.id)
        campaigns = session.meta().get("campaigns", {})
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


def open_follow_up(item: dict[str, Any]) -> dict[str, Any] | None:
    """The item's open follow-up (督办), if a lead has opened one and not closed it."""
    follow_ups = item.get("follow_ups") or []
    return follow_ups[-1] if follow_ups and not follow_ups[-1].get("closed_at") else None


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


def resolve(session: Session, typed: str, officer_id: str | None = None) -> dict[str, Any]:
    """The one item whose id starts with what the user typed (at least 4 characters)."""
    prefix = normalise_prefix(typed)
    if len(prefix) < MIN_PREFIX:
        raise InputError(_("'{typed}': give at least {n} characters of the item id").format(typed=typed, n=MIN_PREFIX))
    if any(c not in ALPHABET for c in prefix):
        raise InputError(_("no item '{typed}' (ids are shown by checklist today)").format(typed=typed))
    matches: list[dict[str, Any]] = []
    if officer_id and session.officer(officer_id) is not None:
        matches = [i for i in session.items(officer_id) if i["id"].startswith(prefix)]
    if not matches:
        owners: dict[str, list[str]] = {}
        for iid, owner in session.find_ids(prefix):
            owners.setdefault(owner, []).append(iid)
        for owner, ids in owners.items():
            matches += [i for i in session.items(owner) if i["id"] in ids]
    if not matches:
        raise InputError(_("no item '{typed}' (ids are shown by checklist today)").format(typed=typed))
    if len(matches) > 1:
        shown = ", ".join(f"{i['id']} ({i['officer']} {i['title']} {i['due']})" for i in matches[:5])
        raise InputError(_("'{typed}' matches {n} items: {items}; type more of the id").format(
            typed=typed, n=len(matches), items=shown))
    return matches[0]


# -- working items -----------------------------------------------------------------------------------------


@dataclass
class Change:
    item: dict[str, Any]
    action: str
    changed: bool
    message: str


_TARGET = {"done": "done", "skip": "skipped", "undo": "open"}  # action → the status it leads to


def _refusal(item: dict[str, Any], action: str) -> str | None:
    status = item["status"]
    name = _("{id} ({title}, due {due})").format(id=item["id"][:6], title=item["title"], due=item["due"])
    if status == "withdrawn":
        return _("{item} was withdrawn: no campaign asks for it any more").format(item=name)
    if action == "skip" and status == "done":
        return _("{item} is already done; undo it first to skip it").format(item=name)
    if action == "done" and status == "skipped":
        return _("{item} was skipped; undo it first to mark it done").format(item=name)
    if action == "undo" and status == "open":
        return _("{item} is open: there is nothing to undo").format(item=name)
    return None


def work(env: Env, typed_ids: list[str], action: str, *, officer_id: str | None = None,
         note: str | None = None) -> list[Change]:
    """Mark items done, skipped (``note`` is the reason) or open again; all or nothing."""
    target = _TARGET[action]
    if action == "skip" and not (note and note.strip()):
        raise InputError(_("say why with --reason (it is kept in the item's history)"))
    check_note(note)
    with env.store().session(write=True) as session:
        items, problems, seen = [], [], set()
        for typed in typed_ids:
            try:
                item = resolve(session, typed, officer_id)
            except InputError as err:
                problems.append(err.message)
                continue
            if item["id"] not in seen:  # the same item named twice (09ghc5 09GHC) is worked once
                seen.add(item["id"])
                items.append(item)
        for item in items:
            refusal = _refusal(item, action)
            if refusal:
                problems.append(refusal)
        if problems:
            count = len(problems)
            raise InputError(ngettext("{n} problem; nothing was changed", "{n} problems; nothing was changed",
                                      count).format(n=count), problems)
        now = env.now()
        changes = []
        by_officer: dict[str, list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]] = {}
        for item in items:
            if item["status"] == target:  # done twice: nothing to do, and say so
                already = {"done": _("{id} was already done"), "skipped": _("{id} was already skipped"),
                           "open": _("{id} was already open")}[target]
                changes.append(Change(item, action, False, already.format(id=item["id"][:6])))
                continue
            before = {k: item.get(k) for k in ("status", "done_at", "skipped_at", "note", "reason")}
            after = {"status": target, "done_at": now if target == "done" else None,
                     "skipped_at": now if target == "skipped" else None,
                     "note": note if action == "done" else None, "reason": note if action == "skip" else None}
            by_officer.setdefault(item["officer"], []).append((item, before, after))
            changes.append(Change({**item, **after}, action, True, ""))
        for owner, entries in by_officer.items():
            history = []
            for item, before, after in entries:
                session.update_item(owner, item["id"], after)
                history.append({"at": now, "actor": env.actor, "action": action, "item": item["id"],
                                "before": before, "after": after, "note": note})
            session.append_history(owner, history)
        return changes


@dataclass
class ItemDetail:
    item: dict[str, Any]
    officer: Officer
    history: list[dict[str, Any]]
    campaigns: dict[str, dict[str, str]]
    today: date


def show(env: Env, typed: str, officer_id: str | None = None) -> ItemDetail:
    from checklist.roster import officer_from_doc

    with env.store().session() as session:
        item = resolve(session, typed, officer_id)
        officer = officer_from_doc(session.officer(item["officer"]) or {"id": item["officer"]})
        return ItemDetail(item, officer, session.history(item["officer"], item["id"]),
                          session.meta().get("campaigns", {}), env.today)


def show_json(detail: ItemDetail) -> dict[str, Any]:
    item = detail.item
    return {
        **item_json(item, detail.today),
        "officer_name": detail.officer.name,
        "sources": item.get("sources", []),
        "basis": item.get("basis") or None,
        "history": [
            {"at": h["at"], "actor": h["actor"], "action": h["action"], "before": h.get("before"),
             "after": h.get("after"), "note": h.get("note")}
            for h in detail.history
        ],
    }


# -- follow-ups (督办) -----------------------------------------------------------------------------------


def open_follow_up_on(env: Env, typed: str, note: str, days: int = 3, officer_id: str | None = None) -> dict[str, Any]:
    """A lead asks for a reply on an item within ``days`` working days; it tops the officer's list."""
    from checklist.calendars import stored_calendar

    if not note.strip():
        raise InputError(_("say what you want done with --note (the officer sees it)"))
    check_note(note)
    if not 1 <= days <= 250:
        raise InputError(_("--days is a number of working days from 1 to 250"))
    with env.store().session(write=True) as session:
        up_to_date(session, env)
        calendar = stored_calendar(session.meta().get("calendar"))
        item = resolve(session, typed, officer_id)
        name = f"{item['id'][:6]} ({item['title']})"
        if item["status"] == "withdrawn":
            raise InputError(_("{item} was withdrawn: no campaign asks for it any more").format(item=name))
        current = open_follow_up(item)
        if current is not None:
            raise InputError(_("{item} already has an open follow-up from {by} (since {since}); close it first").format(
                item=name, by=current["by"], since=current["opened_at"][:10]))
        now = env.now()
        follow_up = {"opened_at": now, "by": env.actor, "note": note.strip(),
                     "reply_due": calendar.add_workdays(env.today, days).isoformat(), "closed_at": None}
        follow_ups = [*(item.get("follow_ups") or []), follow_up]
        session.update_item(item["officer"], item["id"], {"follow_ups": follow_ups})
        session.append_history(item["officer"], [{
            "at": now, "actor": env.actor, "action": "follow-up", "item": item["id"],
            "before": {"follow_up": None}, "after": {"follow_up": "open", "reply_due": follow_up["reply_due"]},
            "note": follow_up["note"]}])
        return {**item, "follow_ups": follow_ups}


def close_follow_up(env: Env, typed: str, note: str | None = None, officer_id: str | None = None) -> dict[str, Any]:
    """The lead has checked the reply: the follow-up is closed and leaves the officer's list."""
    with env.store().session(write=True) as session:
        item = resolve(session, typed, officer_id)
        current = open_follow_up(item)
        if current is None:
            closed = [f for f in item.get("follow_ups") or [] if f.get("closed_at")]
            name = f"{item['id'][:6]} ({item['title']})"
            if closed:
                raise InputError(_("{item} has no open follow-up (the last one was closed on {day})").format(
                    item=name, day=closed[-1]["closed_at"][:10]))
            raise InputError(_("{item} has no open follow-up").format(item=name))
        now = env.now()
        current = {**current, "closed_at": now, "closed_by": env.actor, "close_note": note}
        follow_ups = [*(item.get("follow_ups") or [])[:-1], current]
        session.update_item(item["officer"], item["id"], {"follow_ups": follow_ups})
        session.append_history(item["officer"], [{
            "at": now, "actor": env.actor, "action": "follow-up-close", "item": item["id"],
            "before": {"follow_up": "open"}, "after": {"follow_up": "closed"}, "note": note}])
        return {**item, "follow_ups": follow_ups}


@dataclass
class FollowUpList:
    rows: list[tuple[Officer, dict[str, Any], dict[str, Any]]]  # officer, item, open follow-up
    today: date
    scope: dict[str, str]


def list_follow_ups(env: Env, viewer_id: str | None = None) -> FollowUpList:
    """Open follow-ups in the viewer's scope (their team or court; everyone without a viewer), oldest first."""
    from checklist.core.report import scope
    from checklist.roster import officer_from_doc

    with env.store().session() as session:
        officers = [officer_from_doc(d) for d in session.officers()]
        viewer = require_officer(session, viewer_id) if viewer_id else None
        members, label = scope(officers, viewer)
        rows = []
        for officer in members:
            for item in session.items(officer.id):
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
                "note": f["note"], "reply_due": f["reply_due"],
                "open_days": (today - date.fromisoformat(f["opened_at"][:10])).days,
                "reply_overdue": f["reply_due"] < today.isoformat(),
            }
            for officer, item, f in listing.rows
        ],
    }
