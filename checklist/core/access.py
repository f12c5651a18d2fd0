"""Who may do what (SPEC.md → Who may do what): levels, job titles, the court hierarchy, the rules.

A roster's role words are job titles (执行法官, 团队长, 局长 …). Each title belongs to one of four
levels — ``officer``, ``lead``, ``chief``, ``admin`` — by the built-in table below, extended by
``roles:`` files in the templates folder; the level names themselves are always accepted as
titles. A ``courts:`` file names each court's parent and level (高/中/基), so a chief of an
intermediate or high court sees the courts below it.

``Access`` answers every permission question for one acting person against one roster; every
command asks it, so the rules live here and nowhere else. Nothing here reads a file or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from checklist.core.models import Officer

LEVELS = ("officer", "lead", "chief", "admin")
RANK = {level: n for n, level in enumerate(LEVELS)}

# the shipped titles, by level; a templates folder adds its own with a ``roles:`` file
BUILTIN_TITLES: dict[str, tuple[str, ...]] = {
    "officer": ("执行法官", "法官助理", "书记员", "执行员", "法警", "承办人", "执行干警", "干警",
                "judge", "assistant", "clerk", "enforcer", "bailiff"),
    "lead": ("团队长", "庭长", "副庭长", "team-lead", "division-head", "deputy-division-head"),
    "chief": ("局长", "副局长", "执行局长", "执行局副局长", "director", "deputy-director"),
    "admin": ("内勤", "系统管理员", "office-staff", "sysadmin"),
}

COURT_LEVELS = {"高": "高", "中": "中", "基": "基", "high": "高", "intermediate": "中", "basic": "基"}


def builtin_titles() -> dict[str, str]:
    titles = {title: level for level, words in BUILTIN_TITLES.items() for title in words}
    titles.update({level: level for level in LEVELS})
    return titles


@dataclass(frozen=True, slots=True)
class Court:
    name: str
    code: str = ""  # 代字, like 黑0102
    level: str = ""  # 高 | 中 | 基
    parent: str = ""
    where: str = ""


@dataclass(frozen=True)
class Rules:
    """The titles this database knows (title → level) and its courts (name → Court)."""

    titles: Mapping[str, str] = field(default_factory=builtin_titles)
    courts: Mapping[str, Court] = field(default_factory=dict)

    def levels(self, officer: Officer) -> frozenset[str]:
        return frozenset(self.titles[r] for r in officer.roles if r in self.titles)

    def level(self, officer: Officer) -> str:
        """The highest level among the officer's titles ('' when none is known)."""
        return max(self.levels(officer), key=RANK.__getitem__, default="")

    def unknown_titles(self, roles: Iterable[str]) -> list[str]:
        return [r for r in roles if r not in self.titles]

    def known_titles(self) -> str:
        """The known titles, by level, for a message."""
        by_level: dict[str, list[str]] = {}
        for title, level in self.titles.items():
            if title != level:
                by_level.setdefault(level, []).append(title)
        return "; ".join(f"{level}: {'、'.join([level, *by_level.get(level, [])])}" for level in LEVELS)

    def ancestors(self, court: str) -> list[str]:
        """The courts above ``court``, nearest first."""
        found: list[str] = []
        current = self.courts.get(court)
        while current is not None and current.parent and current.parent not in found and current.parent != court:
            found.append(current.parent)
            current = self.courts.get(current.parent)
        return found

    def covers(self, upper: str, court: str) -> bool:
        """Whether ``court`` is ``upper`` or below it."""
        return bool(upper) and (court == upper or upper in self.ancestors(court))

    def intermediate(self, court: str) -> str:
        """The intermediate court (中院) ``court`` rolls up to: itself if it is one, or has none above it."""
        for name in (court, *self.ancestors(court)):
            found = self.courts.get(name)
            if found is not None and found.level == "中":
                return name
        return court


@dataclass(frozen=True)
class Actor:
    """Who is acting: a roster person, the database's owner (acts as admin), or a stranger."""

    login: str
    person: Officer | None = None
    level: str = ""  # the person's highest level; "admin" for the owner
    owner: bool = False

    @property
    def id(self) -> str:
        return self.person.id if self.person is not None else self.login

    @property
    def name(self) -> str:
        return self.person.name if self.person is not None else ""

    @property
    def stranger(self) -> bool:
        return self.person is None and not self.owner

    def shown(self) -> str:
        """'周敏 (DL001)', or the login for someone not on the roster."""
        return self.person.shown if self.person is not None else self.login


class Access:
    """Every permission question for one actor against one roster."""

    def __init__(self, rules: Rules, roster: Mapping[str, Officer], actor: Actor, *, server: bool = False):
        self.rules = rules
        self.roster = roster
        self.actor = actor
        self.server = server  # on a server database a stranger may not even read
        self._holders: dict[tuple[str, str, str | None], list[Officer]] | None = None

    # -- relations ---------------------------------------------------------------------------------------

    def above(self, person: str, officer: Officer) -> bool:
        """Whether ``person`` is in ``officer``'s chain of leads (their lead, their lead's lead, …)."""
        seen = {officer.id}
        current = officer.lead
        while current and current not in seen:
            if current == person:
                return True
            seen.add(current)
            found = self.roster.get(current)
            current = found.lead if found is not None else ""
        return False

    def _chief_of(self, court: str, *, below: bool) -> bool:
        person = self.actor.person
        if person is None or "chief" not in self.rules.levels(person):
            return False
        return person.court == court or (below and self.rules.covers(person.court, court))

    @property
    def admin(self) -> bool:
        return self.actor.owner or self.actor.level == "admin"

    def _is(self, officer: Officer) -> bool:
        return self.actor.person is not None and self.actor.person.id == officer.id

    def holders(self, level: str, court: str, department: str | None = None) -> list[Officer]:
        """The people holding a title at ``level`` in ``court`` (and ``department``), by id: a
        department's leads, a court's chiefs. Indexed once, so a province's register is quick."""
        if self._holders is None:
            self._holders = {}
            for person in sorted(self.roster.values(), key=lambda o: o.id):
                for held in self.rules.levels(person):
                    self._holders.setdefault((held, person.court, None), []).append(person)
                    self._holders.setdefault((held, person.court, person.department), []).append(person)
        return self._holders.get((level, court, department), [])

    # -- the table ---------------------------------------------------------------------------------------

    def may_see(self, officer: Officer) -> bool:
        """today, plan, show of someone's items."""
        if self.actor.stranger:
            return not self.server
        return (self.admin or self._is(officer) or self.above(self.actor.id, officer)
                or self._chief_of(officer.court, below=True))

    def may_work(self, officer: Officer) -> bool:
        """done, undo, skip on an item of ``officer`` (the database's owner may: it can edit the data anyway)."""
        if self.actor.owner:
            return True
        if self.actor.person is None:
            return False
        return self._is(officer) or self.above(self.actor.id, officer) or self._chief_of(officer.court, below=False)

    def may_open(self, officer: Officer) -> bool:
        """follow-up open on ``officer`` (or on one of their items)."""
        if self.admin:
            return True
        if self.actor.person is None or self.actor.level not in ("lead", "chief"):
            return False  # a 督办 comes from a lead or a chief, whatever the chain of leads says
        return self.above(self.actor.id, officer) or self._chief_of(officer.court, below=True)

    def may_open_court(self, court: str) -> bool:
        """follow-up open on a court or one of its departments: a chief of it (or above it), an admin."""
        return self.admin or self._chief_of(court, below=True)

    def may_reply(self, officer: Officer) -> bool:
        """follow-up reply: the target."""
        return self._is(officer)

    def may_close(self, opener: str) -> bool:
        """follow-up close / return: the person who opened it, or anyone above that person."""
        if self.actor.person is None:
            return self.actor.owner and opener == self.actor.login
        if self.actor.id == opener:
            return True
        found = self.roster.get(opener)
        if found is None:  # opened by the owner or someone who left the roster: an admin settles it
            return self.admin
        return self.above(self.actor.id, found) or self._chief_of(found.court, below=True)

    def may_manage(self, courts: Iterable[str] = ()) -> bool:
        """Imports, templates apply, sync, db …: a chief for their court's people, or admin."""
        if self.admin:
            return True
        if self.actor.person is None or self.actor.level != "chief":
            return False
        return all(self.rules.covers(self.actor.person.court, c) for c in courts)

    def may_audit(self) -> bool:
        return self.admin or self.actor.level == "chief"

    # -- what the actor sees ----------------------------------------------------------------------------

    def scope(self, officers: Iterable[Officer]) -> tuple[list[Officer], dict[str, str]]:
        """Whom report, export, follow-ups and log cover for this actor, and a description of it.

        officer → self; lead → everyone below them; chief → their court and the courts below it;
        admin (and, on a file database, someone not on the roster) → everyone.
        """
        everyone = sorted(officers, key=lambda o: o.id)
        person = self.actor.person
        if person is None or self.admin:
            return everyone, {"kind": "everyone"}
        return self.scope_of(person, everyone)

    def scope_of(self, viewer: Officer, everyone: list[Officer]) -> tuple[list[Officer], dict[str, str]]:
        """The scope ``viewer`` has (a lead's team, a chief's courts), as seen by them."""
        if "chief" in self.rules.levels(viewer):
            courts = [viewer.court] + [c for c in self.rules.courts if self.rules.covers(viewer.court, c)
                                       and c != viewer.court]
            members = [o for o in everyone if o.court in courts]
            below = sorted({o.court for o in members} - {viewer.court})
            return members, {"kind": "court", "court": viewer.court, "officer": viewer.id, "name": viewer.name,
                             **({"below": below} if below else {})}
        team = [o for o in everyone if o.id == viewer.id or self.above(viewer.id, o)]
        return team, {"kind": "team" if len(team) > 1 else "officer", "officer": viewer.id, "name": viewer.name}
