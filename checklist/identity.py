"""Who is acting, and the permission checks every command makes (SPEC.md → Who may do what).

The acting person is the roster person whose account (``login``, else ``id``) equals
``CHECKLIST_USER`` (default: the login name); on PostgreSQL it is the server's session user, and
``CHECKLIST_USER`` cannot change it. The database's owner — on a file database whoever made it
(the first roster import), on PostgreSQL the role that owns the database — acts as admin.

The rules themselves are in ``checklist.core.access``; this module reads what they need from the
database (the roster, the titles and courts of the applied templates, the owner) and turns a
"no" into a refusal that names whose item or follow-up it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from checklist.core.access import Access, Actor, Court, Rules, builtin_titles
from checklist.errors import ChecklistError
from checklist.i18n import _

if TYPE_CHECKING:
    from checklist.context import Env
    from checklist.core.models import Officer, TemplateSet
    from checklist.store import Reader


class Refused(ChecklistError):
    """The acting person may not do this (exit 1); nothing was written."""


def access_meta(templates: TemplateSet) -> dict[str, Any]:
    """What the database keeps of the templates' roles and courts files (meta ``access``): every title
    (the shipped ones too: a server database checks levels itself) and every court."""
    return {
        "titles": dict(sorted({**builtin_titles(), **templates.titles}.items())),
        "courts": {c.name: {"code": c.code, "level": c.level, "parent": c.parent} for c in templates.courts.values()},
    }


def rules_of(meta: dict[str, Any]) -> Rules:
    stored = meta.get("access") or {}
    titles = {**builtin_titles(), **stored.get("titles", {})}
    courts = {name: Court(name, c.get("code", ""), c.get("level", ""), c.get("parent", ""))
              for name, c in stored.get("courts", {}).items()}
    return Rules(titles, courts)


def owner_of(reader: Reader, meta: dict[str, Any]) -> str:
    """Who made a file database (meta ``owner``; before owners were recorded, the first entry's actor)."""
    if meta.get("owner"):
        return str(meta["owner"])
    for line in reader.log():  # a database made before owners were recorded: who made it
        return str(line.entry.get("actor") or "")
    return ""


class Roster(Mapping[str, "Officer"]):
    """The roster as the permission checks see it, read as they ask: one person at a time (the acting
    person, the one whose list it is, their leads), and everyone only when a command goes through
    everyone (a report, a scope, an import). ``today`` on a province's server so reads a handful of
    people, not three thousand. Used inside the read it came from."""

    def __init__(self, reader: Reader, everyone: Iterable[Officer] | None = None):
        self._reader = reader
        self._one: dict[str, Officer | None] = {}
        self._everyone = {o.id: o for o in everyone} if everyone is not None else None

    def __getitem__(self, officer_id: str) -> Officer:
        if self._everyone is not None:
            return self._everyone[officer_id]
        if officer_id not in self._one:
            doc = self._reader.officer(officer_id)
            self._one[officer_id] = _officer(doc) if doc is not None else None
        found = self._one[officer_id]
        if found is None:
            raise KeyError(officer_id)
        return found

    def _all(self) -> dict[str, Officer]:
        if self._everyone is None:
            self._everyone = {doc["id"]: _officer(doc) for doc in self._reader.officers()}
        return self._everyone

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def read(self, doc: dict[str, Any]) -> Officer:
        """The person of an entry already read (a server sends the acting person's with the session)."""
        known = (self._everyone if self._everyone is not None else self._one).get(doc["id"])
        if known is None:
            known = self._one[doc["id"]] = _officer(doc)
        return known

    def with_account(self, account: str) -> Officer | None:
        """Who logs in as ``account`` (their login, else their id)."""
        if self._everyone is not None:
            return next((o for o in self._everyone.values() if o.account == account), None)
        doc = next((d for d in self._reader.officers() if (d.get("login") or d["id"]) == account), None)
        return self.read(doc) if doc is not None else None


def _officer(doc: dict[str, Any]) -> Officer:
    from checklist.roster import officer_from_doc

    return officer_from_doc(doc)


def identify(reader: Reader, env: Env, officers: Iterable[Officer] | None = None) -> Access:
    """Who is acting against this database, with the rules that apply to them (``officers``: the
    roster, when the caller has read it already)."""
    meta = reader.meta()
    roster = Roster(reader, officers)
    session = getattr(reader, "session", None)  # a server says who is connected; a file database is told
    if session is not None:
        login, owner, doc = session()
        person = roster.read(doc) if doc is not None else None
    else:
        login = env.user
        owner = bool(login) and login == owner_of(reader, meta)
        person = roster.with_account(login)
    rules = rules_of(meta)
    level = rules.level(person) if person is not None else ""
    actor = Actor(login, person, level or ("admin" if owner else ""), owner)
    return Access(rules, roster, actor, server=session is not None)


def acting(env: Env, access: Access) -> Env:
    """``env`` with the history's actor set to the acting person."""
    from dataclasses import replace

    return replace(env, actor=access.actor.id, actor_name=access.actor.name)


def writer_access(writer: Reader, env: Env) -> tuple[Access, Env]:
    """Who is about to write — refused unless on the roster (or the owner) — and ``env`` naming them."""
    access = identify(writer, env)
    require_writer(access)
    return access, acting(env, access)


# -- refusals -------------------------------------------------------------------------------------------


def _you(access: Access) -> str:
    actor = access.actor
    if actor.person is None:
        return _("'{login}' (not on the roster)").format(login=actor.login)
    return actor.shown()


def _stranger(access: Access) -> str:
    """'nobody' — or, when that is the id of someone who logs in with an account, who they are."""
    login = access.actor.login
    found = access.roster.get(login)
    if found is not None and found.login:
        return _("'{login}' ({name}'s id; they log in as '{account}')").format(
            login=login, name=found.name or found.id, account=found.account)
    alike = alike_accounts(access)
    if alike:
        return _("'{login}' (did you mean {accounts}?)").format(login=login, accounts=_(" or ").join(alike))
    return f"'{login}'"


def alike_accounts(access: Access) -> list[str]:
    """Accounts that differ from the acting login only in case or width (dl001, ＤＬ００１ → DL001)."""
    from checklist.core.text import clean

    typed = clean(access.actor.login).casefold()
    return sorted(o.account for o in access.roster.values() if clean(o.account).casefold() == typed)


def require_reader(access: Access) -> None:
    """A read by someone not on the roster: allowed on a file database, refused on a server."""
    if access.actor.stranger and access.server:
        raise Refused(_("{you} is not on the roster of this database; ask its administrator to add you").format(
            you=_stranger(access)))


def require_see(access: Access, officer: Officer) -> None:
    require_reader(access)
    if not access.may_see(officer):
        raise Refused(_("{officer}'s list is not yours to see: you are {you}").format(
            officer=officer.shown, you=_you(access)))


def person_of(access: Access, officer_id: str) -> Officer:
    """The roster person an item belongs to — or, for an id no longer on the roster, just that id."""
    from checklist.core.models import Officer

    return access.roster.get(officer_id) or Officer(officer_id)


def work_refusal(access: Access, officer: Officer, item: str) -> str | None:
    """Why the acting person may not work ``officer``'s item (done, undo, skip, reassign), or None."""
    if access.may_work(officer):
        return None
    if officer.id not in access.roster:
        return _("{item} belongs to {officer}, who is not on the roster; only the database's owner may work it").format(
            item=item, officer=officer.id)
    return _("{item} is {officer}'s item; you ({you}) are neither them nor above them").format(
        item=item, officer=officer.shown, you=_you(access))


def require_open(access: Access, officer: Officer, what: str) -> None:
    if access.actor.person is not None and access.actor.person.id == officer.id and not access.admin:
        raise Refused(_("{what}: a follow-up is opened by someone above you, not on your own items").format(what=what))
    if not access.may_open(officer):
        raise Refused(_("{what}: {officer} is not below you ({you}); a follow-up is opened by their lead, a chief "
                        "of their court or an admin").format(what=what, officer=officer.shown, you=_you(access)))


def require_manage(access: Access, courts: Iterable[str] = (), *, what: str) -> None:
    """Imports, templates apply, sync, db …: a chief for their court's people, or admin."""
    courts = sorted(set(courts))
    if access.may_manage(courts):
        return
    actor = access.actor
    if actor.person is not None and actor.level == "chief":
        outside = [c or _("(no court)") for c in courts if not access.rules.covers(actor.person.court, c)]
        raise Refused(_("{what}: {courts} is not your court; you ({you}) manage {court} and the courts below "
                        "it").format(what=what, courts="、".join(outside), you=_you(access), court=actor.person.court))
    raise Refused(_("{what} is for a chief or an admin; you are {you}").format(what=what, you=_you(access)))


def manage_refusal(access: Access, officer: Officer, old: Officer | None) -> str | None:
    """Why the acting person may not add or change this roster person (``column: reason``), or None.

    A chief manages the people of their court and the courts below it — where someone is moved
    from as well as to — but not their own record, and only an admin makes someone an admin (an
    admin sees everything)."""
    for court in dict.fromkeys((officer.court, *((old.court,) if old is not None else ()))):
        if not access.may_manage([court]):
            return "court: " + _("{court} is not among the courts you manage ({mine} and the courts below it)").format(
                court=court or _("(no court)"), mine=access.actor.person.court if access.actor.person else "—")
    if access.actor.person is not None and access.actor.person.id == officer.id and not access.admin:
        return "id: " + _("{id} is you: your own roster record is changed by an admin").format(id=officer.id)
    admin_now = "admin" in access.rules.levels(officer)
    admin_before = old is not None and "admin" in access.rules.levels(old)
    if (admin_now or admin_before) and not access.admin:
        return "roles: " + _("only an admin may give or take an admin's title ({titles})").format(
            titles="、".join(officer.roles if admin_now else old.roles if old else ()))
    return None


def require_manage_all(access: Access, what: str) -> None:
    """What the whole database runs on (templates, a sync of everyone, db roles, db copy): an admin, or a
    chief whose courts cover everyone on the roster."""
    require_manage(access, {o.court for o in access.roster.values()}, what=what)


def require_audit(access: Access, what: str) -> None:
    """audit verify, audit head, doctor: a chief or an admin. On a server, which shows each person only
    the rows they may see, the whole history is checked only by someone who sees everyone."""
    require_reader(access)
    if not access.may_audit() and not (access.actor.stranger and not access.server):
        raise Refused(_("{what} is for a chief or an admin; you are {you}").format(what=what, you=_you(access)))
    if access.server and not access.admin:
        members, _label = access.scope(access.roster.values())
        if len(members) < len(access.roster):
            raise Refused(_("{what} on a server database checks every court's history, and you ({you}) see only "
                            "{n} of its {total} people; ask an admin or the chief of the court above").format(
                what=what, you=_you(access), n=len(members), total=len(access.roster)))


def require_writer(access: Access) -> None:
    """Anyone who changes anything must be on the roster (or be the database's owner)."""
    if access.actor.stranger:
        raise Refused(_("{you} is not on the roster of this database, so cannot change it; set CHECKLIST_USER to "
                        "your account (checklist whoami tells who you are)").format(you=_stranger(access)))


# -- whoami ---------------------------------------------------------------------------------------------


def whoami(env: Env) -> dict[str, Any]:
    """Who the tool thinks you are, your level, whom you see and what you may do (``checklist whoami``)."""
    with env.store().reading() as reader:
        access = identify(reader, env)
        everyone = sorted(access.roster.values(), key=lambda o: o.id)
    actor = access.actor
    person = actor.person
    if actor.stranger and access.server:
        members, scope = [], {"kind": "nobody"}
    else:
        members, scope = access.scope(everyone)
    return {
        "login": actor.login,
        "on_roster": person is not None,
        "did_you_mean": alike_accounts(access) if person is None else [],
        "person": None if person is None else {
            "id": person.id, "name": person.name, "court": person.court, "department": person.department,
            "roles": list(person.roles), "lead": person.lead or None},
        "level": actor.level or None,
        "owner": actor.owner,
        "server": access.server,
        "sees": {**scope, "people": len(members), "courts": sorted({o.court for o in members})},
        "may": {
            "work_items": "all" if actor.owner else "none" if person is None
            else "team" if any(access.may_work(o) for o in everyone if o.id != person.id)
            else "own",
            "open_follow_ups": access.admin or bool(person is not None and any(
                access.may_open(o) for o in members if o.id != person.id)),
            "import": not actor.stranger and access.may_manage([]),
            "apply_templates": not actor.stranger and access.may_manage({o.court for o in everyone}),
            "audit": access.may_audit() or (actor.stranger and not access.server),
        },
    }
