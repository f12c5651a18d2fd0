"""督办 (follow-ups) at the edge: open one on an item, a person, a department, a court or a case;
the target replies; the opener (or someone above them) sends it back or closes it; a late one climbs.

Every step changes the follow-up's record in the register and writes a history entry naming the
follow-up (``follow_up``: its id), in one atomic write. The rules — whom it is aimed at, when it is
late, whom it climbs to — are in ``checklist.core.followups``; who may do what in
``checklist.core.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from checklist.core import followups as fu
from checklist.core.models import Officer
from checklist.errors import InputError
from checklist.i18n import _
from checklist.store import Change

if TYPE_CHECKING:
    from checklist.context import Env
    from checklist.core.access import Access
    from checklist.store import Reader

MAX_DAYS = 250
MAX_LABEL = 100  # a document number or a source is a short line
KIND_WORDS = {
    "item": "item", "事项": "item", "officer": "officer", "person": "officer", "人员": "officer",
    "承办人": "officer", "dept": "dept", "department": "dept", "部门": "dept", "court": "court", "法院": "court",
    "case": "case", "案件": "case", "案号": "case",
}


# -- naming things ---------------------------------------------------------------------------------------


def split_target(typed: str) -> tuple[str, str]:
    """('officer', 'DL010') for 'officer:DL010' (or 人员：DL010); ('item', typed) for an item id."""
    text = typed.strip().replace("：", ":")
    word, colon, rest = text.partition(":")
    if colon and word.strip().lower() in KIND_WORDS:
        return KIND_WORDS[word.strip().lower()], rest.strip()
    if colon:
        raise InputError(_("'{typed}': a follow-up is opened on an item id, officer:ID, dept:COURT/NAME, court:NAME "
                           "or case:案号").format(typed=typed))
    return "item", text


def pick_name(typed: str, names: list[str] | dict[str, str], what: str) -> str:
    """The one name the user meant: exact, else the only one containing what they typed. ``names`` may map
    each word to what it names (a campaign's key, short and full names → its key): then words naming the
    same thing are one choice. Nothing found: the likeliest names, else the names there are."""
    meant = names if isinstance(names, dict) else {n: n for n in names}
    if typed in meant:
        return meant[typed]
    folded = typed.casefold()
    found = {meant[n] for n in meant if typed and folded in n.casefold()}
    if len(found) == 1:
        return found.pop()
    if found:
        raise InputError(_("'{typed}' could be any of: {names}; type more of the {what}").format(
            typed=typed, names="、".join(sorted(found)[:8]), what=what))
    known = sorted(set(meant))
    import difflib

    close = difflib.get_close_matches(typed, known, n=3, cutoff=0.6)
    if not close and not typed.isascii():  # Chinese names: those sharing half the characters typed
        close = [n for n in known if sum(ch in n for ch in typed) * 2 >= len(typed)]
    if close:
        raise InputError(_("no {what} '{typed}'; did you mean {names}?").format(
            what=what, typed=typed, names=_(" or ").join(close[:3])))
    raise InputError(_("no {what} '{typed}' (known: {names})").format(
        what=what, typed=typed, names="、".join(known[:12]) + ("…" if len(known) > 12 else "")))


def court_names(access: Access) -> list[str]:
    return sorted({o.court for o in access.roster.values() if o.court} | set(access.rules.courts))


def resolve_target(reader: Reader, access: Access, typed: str,
                   officer_id: str | None = None) -> tuple[dict[str, Any], Officer | None]:
    """The target record for what was typed, and the officer it is about (None for a department or court)."""
    from checklist.identity import person_of
    from checklist.work import resolve

    kind, rest = split_target(typed)
    if not rest:
        raise InputError(_("'{typed}': say which one after the colon").format(typed=typed))
    if kind == "item":
        item = resolve(reader, rest, officer_id)
        person = person_of(access, item["officer"])
        return ({"kind": "item", "id": item["id"], "name": item["title"], "officer": person.id, "court": person.court,
                 "department": person.department, "due": item["due"], "period": item["period"],
                 "campaigns": list(item.get("campaigns") or [])}, person)
    if kind == "officer":
        from checklist.service import require_officer

        person = require_officer(reader, rest)
        return ({"kind": "officer", "id": person.id, "name": person.name, "officer": person.id, "court": person.court,
                 "department": person.department}, person)
    if kind == "case":
        from checklist.core.cases import normalise_number

        number = normalise_number(rest)
        found = next((c for c in reader.cases() if c["number"] == number), None)
        if found is None:
            raise InputError(_("'{typed}': there is no case {case} in this database (cases come in with checklist import "
                               "cases)").format(typed=typed, case=number))
        person = person_of(access, found["officer"])
        return ({"kind": "case", "id": number, "name": number, "officer": person.id, "court": person.court,
                 "department": person.department}, person)
    if kind == "court":
        court = pick_name(rest, court_names(access), _("court"))
        return {"kind": "court", "id": court, "name": court, "officer": None, "court": court}, None
    court_typed, slash, dept_typed = rest.replace("／", "/").rpartition("/")
    if not slash or not dept_typed.strip():
        raise InputError(_("'{typed}': name the department as dept:COURT/DEPARTMENT").format(typed=typed))
    court = pick_name(court_typed.strip(), court_names(access), _("court")) if court_typed.strip() else ""
    if not court:
        courts = {o.court for o in access.roster.values() if dept_typed.strip() in o.department}
        if len(courts) != 1:
            raise InputError(_("'{typed}': name the court too, as dept:COURT/DEPARTMENT").format(typed=typed))
        court = courts.pop()
    departments = sorted({o.department for o in access.roster.values() if o.court == court and o.department})
    if not departments:
        raise InputError(_("'{typed}': nobody on the roster works in {court}").format(typed=typed, court=court))
    department = pick_name(dept_typed.strip(), departments, _("department of {court}").format(court=court))
    return ({"kind": "dept", "id": f"{court}/{department}", "name": department, "officer": None, "court": court,
             "department": department}, None)


def target_shown(target: dict[str, Any]) -> str:
    """How a target reads in a line: '周敏 (DL001)', '道里法院 执行一庭', 'item 3fk2x9 (…)'."""
    kind = target["kind"]
    if kind == "officer":
        return f"{target['name']} ({target['id']})" if target.get("name") else target["id"]
    if kind == "dept":
        return f"{target['court']} {target['name']}"
    if kind == "item":
        return f"{target['id'][:6]} {target['name']}"
    return str(target["name"])


def record_shown(record: dict[str, Any]) -> str:
    return _("{id} on {target}").format(id=record["id"], target=target_shown(record["target"]))


def opener_shown(record: dict[str, Any]) -> str:
    name = record.get("by_name")
    return f"{name} ({record['by']})" if name else str(record.get("by", ""))


def seen_by(access: Access, register: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The follow-ups the acting person may see — what a server's row-level security lets through."""
    members, label = access.scope(access.roster.values())
    ids = {o.id for o in members}
    return [r for r in register if in_scope(r, access, ids, label.get("kind") == "everyone")]


def find(reader: Reader, typed: str, access: Access) -> dict[str, Any]:
    """The follow-up named by its id (F12, #12) — or, the old way, by the item it is on."""
    wanted = fu.parse_fid(typed)
    register = seen_by(access, reader.follow_ups())
    if wanted is not None:
        for record in register:
            if fu.number(record) == wanted:
                return record
        if 1 <= wanted <= reader.last_follow_up():
            from checklist.identity import Refused

            raise Refused(_("follow-up F{n} is not one you may see").format(n=wanted))
        raise InputError(_("no follow-up F{n} (checklist follow-ups lists them)").format(n=wanted))
    from checklist.work import resolve

    item = resolve(reader, typed)
    on_item = [r for r in register if r["target"]["kind"] == "item" and r["target"]["id"] == item["id"]]
    if not on_item:
        raise InputError(_("{item} has no follow-up").format(item=f"{item['id'][:6]} ({item['title']})"))
    waiting = [r for r in on_item if fu.state(r) != "closed"]
    return (waiting or on_item)[-1]


# -- checks ------------------------------------------------------------------------------------------------


def check_text(value: str | None, what: str) -> str | None:
    from checklist.work import check_note

    if value is None:
        return None
    value = value.strip()
    check_note(value)
    if len(value) > MAX_LABEL:
        raise InputError(_("{what} may be at most {n} characters").format(what=what, n=MAX_LABEL))
    return value or None


def check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise InputError(_("the reply deadline must be from 1 to {n} working days").format(n=MAX_DAYS), field="days")


def outcome_of(typed: str | None) -> str:
    if typed is None:
        return "none"
    found = fu.OUTCOME_WORDS.get(typed.strip().lower()) or fu.OUTCOME_WORDS.get(typed.strip())
    if found is None:
        raise InputError(_("'{typed}' is not an outcome; use none, 约谈, 通报批评 or 问责").format(typed=typed),
                         field="outcome")
    return found


def _you(access: Access) -> str:
    from checklist.identity import _you as you

    return you(access)


def require_open_on(access: Access, target: dict[str, Any], person: Officer | None) -> None:
    from checklist.identity import Refused, require_open

    if person is not None:
        require_open(access, person, _("a follow-up on {target}").format(target=target_shown(target)))
        return
    if not access.may_open_court(target["court"]):
        raise Refused(_("a follow-up on {target} is opened by a chief of {court} or of a court above it, or an admin; "
                        "you are {you}").format(target=target_shown(target), court=target["court"], you=_you(access)))
    me = access.actor.person
    if me is not None and any(p.id == me.id for p in fu.answerers(target, access)):
        raise Refused(_("a follow-up on {target} would be yours to answer; it is opened from above you").format(
            target=target_shown(target)))


def require_reply(access: Access, record: dict[str, Any]) -> None:
    from checklist.identity import Refused

    if access.actor.owner:
        return
    people = fu.answerers(record["target"], access)
    if access.actor.person is not None and any(p.id == access.actor.person.id for p in people):
        return
    names = "、".join(p.shown for p in people) or target_shown(record["target"])
    raise Refused(_("{fid} is for {people} to answer; you are {you}").format(
        fid=record_shown(record), people=names, you=_you(access)))


def require_settle(access: Access, record: dict[str, Any]) -> None:
    from checklist.identity import Refused

    me = access.actor.person
    opener = access.roster.get(record["by"])
    if me is not None and any(p.id == me.id for p in fu.answerers(record["target"], access)) and not (
            opener is not None and access.above(me.id, opener)):
        raise Refused(_("{fid} is yours to answer; {opener} or someone above them sends it back or closes it").format(
            fid=record_shown(record), opener=opener_shown(record)))
    if not access.may_close(record["by"]):
        raise Refused(_("{fid} was opened by {opener}; only they or someone above them may send it back or close it "
                        "(you are {you})").format(fid=record_shown(record), opener=opener_shown(record),
                                                   you=_you(access)))


def require_not_closed(record: dict[str, Any], verb: str) -> None:
    if fu.state(record) == "closed":
        raise InputError(_("{fid} was closed on {day} by {who}; {verb} a closed follow-up is not possible — open a new "
                           "one").format(fid=record_shown(record), day=str(record.get("closed_at") or "")[:10],
                                         who=record.get("closed_by_name") or record.get("closed_by") or "?",
                                         verb=verb))


# -- the steps ---------------------------------------------------------------------------------------------


def _entry(env: Env, record: dict[str, Any], action: str, after: dict[str, Any], note: str | None,
           at: str, recorded: str) -> dict[str, Any]:
    target = record["target"]
    entry = {"at": at, "recorded": recorded, **env.who(), "action": action, "follow_up": record["id"],
             "officer": target.get("officer"), "after": after, "note": note}
    if target["kind"] == "item":
        entry["item"] = target["id"]
    return entry


def open_follow_up(env: Env, typed: str, note: str, days: int = 3, *, no: str | None = None,
                   source: str | None = None, officer_id: str | None = None) -> dict[str, Any]:
    """Open a follow-up on what ``typed`` names; it tops its target's list until it is closed."""
    from checklist.calendars import stored_calendar
    from checklist.identity import writer_access

    note = _required(note, _("say what you want done (the target reads it)"))
    check_days(days)
    no, source = check_text(no, _("a document number")), check_text(source, _("a source"))
    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        target, person = resolve_target(writer, access, typed, officer_id)
        require_open_on(access, target, person)
        if target["kind"] == "item":
            item = next(i for i in writer.items(person.id) if i["id"] == target["id"])  # type: ignore[union-attr]
            if item["status"] == "withdrawn":
                raise InputError(_("{item} was withdrawn: no campaign asks for it any more").format(
                    item=target_shown(target)))
        for record in writer.follow_ups():
            if (record["target"]["kind"], record["target"]["id"]) == (target["kind"], target["id"]) \
                    and fu.state(record) != "closed":
                raise InputError(_("{target} already has an open follow-up, {fid} from {by} (since {since}); close it "
                                   "first").format(target=target_shown(target), fid=record["id"],
                                                   by=opener_shown(record), since=record["opened_at"][:10]))
        calendar = stored_calendar(writer.meta().get("calendar"))
        at, recorded = env.at(), env.recorded()
        reply_due = calendar.add_workdays(env.today, days).isoformat()
        record = {
            "id": fu.fid(writer.last_follow_up() + 1), "target": target, "by": env.actor, "by_name": env.actor_name,
            "no": no, "source": source, "note": note, "opened_at": at, "recorded": recorded, "days": days,
            "first_reply_due": reply_due, "reply_due": reply_due, "state": "open", "replies": [],
            "returns": [], "escalations": [], "closed_at": None, "closed_by": None, "closed_by_name": None,
            "close_note": None, "outcome": None,
        }
        return _write(writer, access, env, Step(record, "follow-up", {
            "follow_up": "open", "state": "open", "reply_due": reply_due, "target": target, "by": env.actor,
            "no": no, "source": source}, note), at, recorded)


def reply(env: Env, typed: str, note: str) -> dict[str, Any]:
    """The target says what was put right (整改情况); the opener checks it and closes or sends it back."""
    note = _required(note, _("say what was done (the opener reads it)"))

    def replied(writer: Reader, env: Env, record: dict[str, Any], at: str, recorded: str) -> Step:
        step = _said(env, at, recorded, note, record["reply_due"])
        return Step({**record, "state": "replied", "replies": [*(record.get("replies") or []), step]},
                    "follow-up-reply", {"follow_up": "replied", "state": "replied"}, note)

    return _take_step(env, typed, _("replying to"), require_reply, replied)


def send_back(env: Env, typed: str, note: str, days: int = 3) -> dict[str, Any]:
    """退回重办: the opener (or someone above them) finds the reply wanting; a new deadline."""
    from checklist.calendars import stored_calendar

    note = _required(note, _("say what is still missing (the target reads it)"))
    check_days(days)

    def returned(writer: Reader, env: Env, record: dict[str, Any], at: str, recorded: str) -> Step:
        reply_due = stored_calendar(writer.meta().get("calendar")).add_workdays(env.today, days).isoformat()
        step = _said(env, at, recorded, note, reply_due)
        return Step({**record, "state": "returned", "reply_due": reply_due,
                     "returns": [*(record.get("returns") or []), step]},
                    "follow-up-return", {"follow_up": "returned", "state": "returned", "reply_due": reply_due}, note)

    return _take_step(env, typed, _("sending back"), require_settle, returned)


def close(env: Env, typed: str, note: str | None = None, outcome: str | None = None) -> dict[str, Any]:
    """Checked and closed; an outcome other than none (约谈, 通报批评, 问责) goes into the next 通报."""
    from checklist.work import check_note

    check_note(note)
    decided = outcome_of(outcome)

    def closed(writer: Reader, env: Env, record: dict[str, Any], at: str, recorded: str) -> Step:
        said = (note or "").strip() or None
        return Step({**record, "state": "closed", "closed_at": at, "closed_by": env.actor,
                     "closed_by_name": env.actor_name, "close_note": said, "outcome": decided},
                    "follow-up-close", {"follow_up": "closed", "state": "closed", "outcome": decided}, said)

    return _take_step(env, typed, _("closing"), require_settle, closed)


@dataclass
class Step:
    """One step on a follow-up: the record as it becomes, and the history entry's action, after and note."""

    record: dict[str, Any]
    action: str
    after: dict[str, Any]
    note: str | None


def _required(note: str, missing: str) -> str:
    from checklist.work import check_note

    if not note.strip():
        raise InputError(missing, field="note")
    check_note(note)
    return note.strip()


def _said(env: Env, at: str, recorded: str, note: str, reply_due: str) -> dict[str, Any]:
    """A reply or a return as the record keeps it: who, when, what, and the deadline it answers to."""
    return {"at": at, "recorded": recorded, "by": env.actor, "by_name": env.actor_name, "note": note,
            "reply_due": reply_due}


def _take_step(env: Env, typed: str, verb: str, require: Any, make: Any) -> dict[str, Any]:
    """Find the follow-up, refuse a closed one or a person who may not take this step, and write the step."""
    from checklist.identity import writer_access

    with env.store().writing() as writer:
        access, env = writer_access(writer, env)
        record = find(writer, typed, access)
        require_not_closed(record, verb)
        require(access, record)
        at, recorded = env.at(), env.recorded()
        step = make(writer, env, record, at, recorded)
        return _write(writer, access, env, step, at, recorded)


def _write(writer: Any, access: Access, env: Env, step: Step, at: str, recorded: str) -> dict[str, Any]:
    """The step's record and entry in one write, with any late follow-up's climb the writer may record."""
    change = Change(follow_ups=[step.record])
    change.entries.append(_entry(env, step.record, step.action, step.after, step.note, at, recorded))
    _climbs(writer, access, env, change, skip=step.record["id"])
    writer.commit(change)
    return step.record


def _climbs(reader: Reader, access: Access, env: Env, change: Change, *, skip: str = "") -> int:
    """Record, once per missed deadline, each late follow-up climbing to the opener's lead or chief.

    Only follow-ups the acting person could settle (the opener, someone above them, a chief, an admin)
    are recorded by their write; everyone's list shows a late one at once, recorded or not.
    """
    today = env.today
    at, recorded = env.at(), env.recorded()
    count = 0
    for record in reader.follow_ups():
        if record["id"] == skip or not fu.escalation_pending(record, today):
            continue
        if not (access.may_close(record["by"]) or access.may_manage([fu.courts_of(record)])):
            continue
        up = fu.climbs_to(record["by"], access)
        climb = {"at": at, "recorded": recorded, "reply_due": record["reply_due"],
                 "to": up.id if up is not None else None, "to_name": up.name if up is not None else None}
        record = {**record, "escalations": [*(record.get("escalations") or []), climb]}
        change.follow_ups.append(record)
        change.entries.append(_entry(env, record, "follow-up-escalate", {
            "escalated": True, "to": climb["to"], "reply_due": record["reply_due"]}, None, at, recorded))
        count += 1
    return count


def record_climbs(writer: Reader, access: Access, env: Env, change: Change) -> int:
    """For ``checklist sync`` (the nightly job): every late follow-up it may record climbs once."""
    return _climbs(writer, access, env, change)


# -- reading -----------------------------------------------------------------------------------------------


@dataclass
class Line:
    """A follow-up as a list shows it: the record, why it is on this person's list, its item."""

    record: dict[str, Any]
    why: str  # 'target' | 'escalated' | '' (a listing)
    today: date

    @property
    def late_days(self) -> int:
        return fu.late_days(self.record, self.today)

    @property
    def state(self) -> str:
        return fu.state(self.record)


def for_person(reader: Reader, access: Access, person: Officer, today: date) -> list[Line]:
    """The follow-ups on ``person``'s list: aimed at them (or their department or court), or climbed to them."""
    lines = []
    for record in reader.follow_ups():
        why = fu.shows_on(record, person, access, today)
        if why:
            lines.append(Line(record, why, today))
    lines.sort(key=lambda line: (line.why != "target", line.record["reply_due"], fu.number(line.record)))
    return lines


def line_json(line: Line) -> dict[str, Any]:
    """A follow-up as scripts see it (SPEC.md → 督办: follow-ups --json)."""
    r = line.record
    target = r["target"]
    return {
        "id": r["id"],
        "target": {"kind": target["kind"], "id": target["id"], "name": target.get("name"),
                   **({"officer": target["officer"]} if target.get("officer") else {}),
                   "court": target.get("court"), **({"department": target["department"]}
                                                    if target.get("department") else {})},
        "opened_by": {"id": r["by"], "name": r.get("by_name") or None},
        "no": r.get("no"), "source": r.get("source"), "note": r["note"], "opened_at": r["opened_at"],
        "reply_due": r["reply_due"], "state": line.state, "overdue_days": line.late_days,
        "late": fu.is_late(r, line.today), "escalated": fu.escalated(r) or fu.is_late(r, line.today),
        "escalations": r.get("escalations") or [],
        "replies": r.get("replies") or [], "returns": r.get("returns") or [],
        "closed_at": r.get("closed_at"), "closed_by": r.get("closed_by"), "outcome": r.get("outcome"),
        **({"why": line.why} if line.why else {}),
    }


LIST_STATES = ("waiting", "open", "replied", "returned", "overdue", "closed", "all")
STATE_WORDS = {"waiting": "waiting", "未办结": "waiting", "open": "open", "待反馈": "open", "replied": "replied",
               "已反馈": "replied", "returned": "returned", "退回": "returned", "退回重办": "returned",
               "overdue": "overdue", "late": "overdue", "逾期": "overdue", "逾期未反馈": "overdue",
               "closed": "closed", "已办结": "closed", "办结": "closed", "all": "all", "全部": "all"}
GROUPINGS = ("officer", "department", "court")


@dataclass
class Listing:
    lines: list[Line]
    today: date
    scope: dict[str, Any]
    state: str
    by: str | None
    groups: dict[str, str]  # follow-up id → the group it is listed under (with --by)


def in_scope(record: dict[str, Any], access: Access, members: set[str], everyone: bool) -> bool:
    """Whether a listing over ``members`` (a person's scope) takes this follow-up."""
    if everyone:
        return True
    target = record["target"]
    if target.get("officer") in members or record["by"] in members:
        return True
    return target.get("officer") is None and any(p.id in members for p in fu.answerers(target, access))


def matches(record: dict[str, Any], state: str, today: date) -> bool:
    now = fu.state(record)
    if state == "all":
        return True
    if state == "waiting":
        return now != "closed"
    if state == "overdue":
        return fu.is_late(record, today)
    return now == state


def group_of(record: dict[str, Any], by: str, access: Access) -> str:
    target = record["target"]
    if by == "court":
        return str(target.get("court") or "—")
    if by == "department":
        if target.get("department"):
            return f"{target.get('court')} {target['department']}".strip()
        return str(target.get("court") or "—")
    if target.get("officer"):
        person = access.roster.get(target["officer"])
        return person.shown if person is not None else str(target["officer"])
    people = fu.answerers(target, access)
    return "、".join(p.shown for p in people) or target_shown(target)


def listing(env: Env, *, viewer_id: str | None = None, state: str = "waiting", by: str | None = None) -> Listing:
    """Follow-ups in the acting person's scope (or a lead's or chief's they may see), oldest first."""
    from checklist.identity import identify
    from checklist.service import viewed_scope

    typed, state = state, STATE_WORDS.get(state.strip().lower(), STATE_WORDS.get(state.strip(), ""))
    if not state:
        raise InputError(_("'{typed}' is not a follow-up state; use {states}").format(
            typed=typed, states=", ".join(LIST_STATES)), field="state")
    if by is not None and by not in GROUPINGS:
        raise InputError(_("'{typed}' is not a grouping; use {names}").format(typed=by, names=", ".join(GROUPINGS)),
                         field="by")
    with env.store().reading() as reader:
        access = identify(reader, env)
        members, label = viewed_scope(reader, access, viewer_id)
        register = reader.follow_ups()
    everyone = label.get("kind") == "everyone"
    ids = {o.id for o in members}
    today = env.today
    lines = [Line(r, "", today) for r in register
             if in_scope(r, access, ids, everyone) and matches(r, state, today)]
    groups = {line.record["id"]: group_of(line.record, by, access) for line in lines} if by else {}
    lines.sort(key=lambda line: (groups.get(line.record["id"], ""), fu.number(line.record)))
    return Listing(lines, today, label, state, by, groups)


def listing_json(found: Listing) -> dict[str, Any]:
    return {
        "date": found.today.isoformat(), "scope": found.scope, "state": found.state, "by": found.by,
        "follow_ups": [{**line_json(line), **({"group": found.groups[line.record["id"]]} if found.by else {})}
                       for line in found.lines],
    }


LEDGER_COLUMNS = ("id", "no", "source", "opened_at", "opened_by", "kind", "target", "court", "department",
                  "officer", "note", "reply_due", "state", "overdue_days", "escalated", "replies", "last_reply",
                  "replied_at", "returns", "closed_at", "closed_by", "outcome", "close_note")


def ledger_rows(found: Listing) -> list[dict[str, Any]]:
    """The 督办台账: one row per follow-up, the columns a bureau keeps (``export follow-ups``)."""
    rows = []
    for line in found.lines:
        r = line.record
        target = r["target"]
        last = fu.last_reply(r) or {}
        rows.append({
            "id": r["id"], "no": r.get("no") or "", "source": r.get("source") or "", "opened_at": r["opened_at"][:10],
            "opened_by": opener_shown(r), "kind": target["kind"], "target": target_shown(target),
            "court": target.get("court") or "", "department": target.get("department") or "",
            "officer": target.get("officer") or "", "note": r["note"], "reply_due": r["reply_due"],
            "state": line.state, "overdue_days": line.late_days,
            "escalated": "yes" if fu.escalated(r) or fu.is_late(r, line.today) else "",
            "replies": len(r.get("replies") or []), "last_reply": last.get("note", ""),
            "replied_at": str(last.get("at", ""))[:10], "returns": len(r.get("returns") or []),
            "closed_at": str(r.get("closed_at") or "")[:10],
            "closed_by": r.get("closed_by_name") or r.get("closed_by") or "", "outcome": r.get("outcome") or "",
            "close_note": r.get("close_note") or "",
        })
    return rows
