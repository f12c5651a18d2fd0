"""The roster (人员名单): officers read from a spreadsheet, checked row by row.

Columns, in English or Chinese (more names are accepted; ``--map`` adds your own):

    id / 工号   name / 姓名   court / 法院   department / 部门   roles / 角色   lead / 上级
    since / 起始日期   until / 离岗日期   login / 账号   tags / 标签

Roles are job titles (执行法官, 团队长, 局长 …), separated by ``,`` ``，`` ``、`` ``;`` or spaces, kept
as written (English words in lower case). Each must be a level (officer, lead, chief, admin) or a
title the shipped list or a ``roles:`` file knows (``checklist.core.access``); the import checks
that against the templates the database runs on, so nobody is silently left with no duties. Tags
(党员, 速执团队 …) are free words in the same separators; a duty with ``only_tagged`` reaches only
people with one of its tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from checklist.core.models import Officer
from checklist.i18n import _

if TYPE_CHECKING:
    from checklist.core.access import Rules
    from checklist.spreadsheets import Sheet

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("工号", "人员编号", "编号", "警号", "officer", "officer_id"),
    "name": ("姓名", "名字"),
    "court": ("法院", "所属法院", "单位"),
    "department": ("部门", "庭室", "团队", "dept"),
    "roles": ("角色", "role", "岗位角色"),
    "lead": ("上级", "直接上级", "上级工号", "团队长工号"),
    "since": ("起始日期", "开始日期", "入职日期", "start"),
    "until": ("离岗日期", "离职日期", "调离日期", "end", "left"),
    "login": ("账号", "登录名", "用户名", "account", "user"),
    "tags": ("标签", "tag", "人员标签"),
}
REQUIRED = ("id", "name", "roles")
_ROLE_SPLIT = re.compile(r"[,，、;；/\s]+")
ID_PATTERN = re.compile(r"^[^\s,，;；]{1,40}$")


def parse_roles(text: str) -> tuple[str, ...]:
    roles: list[str] = []
    for word in _ROLE_SPLIT.split(text):
        if not word:
            continue
        role = word.lower() if word.isascii() else word
        if role not in roles:
            roles.append(role)
    return tuple(roles)


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags as written, in order, each once (``党员、速执团队``)."""
    return tuple(dict.fromkeys(word for word in _ROLE_SPLIT.split(text) if word))


@dataclass
class RosterRow:
    row: int
    officer: Officer
    has_since: bool


def parse_roster(sheet: Sheet) -> tuple[list[RosterRow], list[str]]:
    """Officers from the sheet's rows, and one ``FILE:ROW: column: reason`` per problem.

    Leads are checked by the caller, who also knows the officers already in the database.
    """
    from checklist.core.text import control_character
    from checklist.spreadsheets import date_of, text_of

    problems: list[str] = []
    parsed: list[RosterRow] = []
    seen: dict[str, tuple[int, Officer]] = {}
    for row in sheet.rows:
        where = f"{sheet.path}:{row.number}"
        values: dict[str, Any] = row.values
        bad = False

        def problem(column: str, reason: str) -> None:
            nonlocal bad
            bad = True
            problems.append(f"{where}: {column}: {reason}")

        for column in ("id", "name", "court", "department", "roles", "lead", "login", "tags"):
            bad_char = control_character(text_of(values.get(column)))
            if bad_char is not None:
                problem(column, _("holds a control character ({char}); remove it").format(char=bad_char))
        if bad:
            continue
        oid = text_of(values.get("id"))
        if not oid:
            problem("id", _("empty"))
        elif not ID_PATTERN.match(oid):
            problem("id", _("'{value}' is not an id (no spaces or commas, at most 40 characters)").format(value=oid))
        name = text_of(values.get("name"))
        if not name:
            problem("name", _("empty"))
        roles = parse_roles(text_of(values.get("roles")))
        if not roles:
            problem("roles", _("empty (give at least one, e.g. officer, lead, chief or 承办人)"))
        since = date_of(values.get("since"))
        if isinstance(since, str):
            problem("since", since)
            since = None
        until = date_of(values.get("until"))
        if isinstance(until, str):
            problem("until", until)
            until = None
        if since is not None and until is not None and until < since:
            problem("until", _("{until} is before their start ({since})").format(until=until, since=since))
        login = text_of(values.get("login"))
        if login and not ID_PATTERN.match(login):
            problem("login", _("'{value}' is not an account name (no spaces or commas, at most 40 characters)").format(
                value=login))
        if bad:
            continue
        officer = Officer(
            id=oid, name=name, court=text_of(values.get("court")), department=text_of(values.get("department")),
            roles=roles, lead=text_of(values.get("lead")), since=since, until=until, login=login,
            tags=parse_tags(text_of(values.get("tags"))),
        )
        if officer.lead == oid:
            problems.append(f"{where}: lead: " + _("'{id}' cannot be their own lead").format(id=oid))
            continue
        if oid in seen:
            first_row, first = seen[oid]
            if first != officer:
                problems.append(f"{where}: id: " + _("'{id}' is also on row {row} with different details").format(
                    id=oid, row=first_row))
            continue
        seen[oid] = (row.number, officer)
        parsed.append(RosterRow(row.number, officer, since is not None))
    return parsed, problems


def check_leads(sheet_path: str, rows: list[RosterRow], known: dict[str, Officer]) -> list[str]:
    """Every lead must be an officer (in the file or the database), and the chain must not loop."""
    everyone = {**known, **{r.officer.id: r.officer for r in rows}}
    problems = []
    for r in rows:
        lead = r.officer.lead
        if lead and lead not in everyone:
            problems.append(f"{sheet_path}:{r.row}: lead: " + _("'{id}' is not on the roster").format(id=lead))
            continue
        seen = {r.officer.id}
        while lead and lead in everyone:
            if lead in seen:
                problems.append(f"{sheet_path}:{r.row}: lead: " + _("the chain of leads from '{id}' loops back "
                                                                     "through '{lead}'").format(id=r.officer.id, lead=lead))
                break
            seen.add(lead)
            lead = everyone[lead].lead
    return problems


def check_titles(sheet_path: str, rows: list[RosterRow], rules: Rules) -> list[str]:
    """Every role word must be a level or a known title; the message names the known ones."""
    problems = []
    for r in rows:
        unknown = rules.unknown_titles(r.officer.roles)
        if unknown:
            problems.append(f"{sheet_path}:{r.row}: roles: " + _("'{title}' is not a known title (known: {known}); "
                                                                 "add it to a roles: file in the templates").format(
                title=unknown[0], known=rules.known_titles()))
    return problems


def check_accounts(sheet_path: str, rows: list[RosterRow], known: dict[str, Officer]) -> list[str]:
    """Two people cannot log in as the same account (their login, else their id)."""
    owners = {o.account: o.id for o in known.values()}
    problems = []
    for r in rows:
        owners.pop(next((a for a, i in owners.items() if i == r.officer.id), ""), None)
    for r in rows:
        name = r.officer.account
        other = owners.get(name)
        if other is not None and other != r.officer.id:
            problems.append(f"{sheet_path}:{r.row}: login: " + _("'{login}' is already {other}'s account").format(
                login=name, other=other))
            continue
        owners[name] = r.officer.id
    return problems


def officer_from_doc(doc: dict[str, Any]) -> Officer:
    since, until = doc.get("since"), doc.get("until")
    return Officer(
        id=doc["id"], name=doc.get("name", ""), court=doc.get("court", ""), department=doc.get("department", ""),
        roles=tuple(doc.get("roles", ())), lead=doc.get("lead", "") or "",
        since=date.fromisoformat(since) if since else None, until=date.fromisoformat(until) if until else None,
        login=doc.get("login") or "", tags=tuple(doc.get("tags") or ()),
    )


def officer_doc(officer: Officer) -> dict[str, Any]:
    doc = {
        "id": officer.id, "name": officer.name, "court": officer.court, "department": officer.department,
        "roles": list(officer.roles), "lead": officer.lead, "since": officer.since.isoformat() if officer.since else None,
    }
    if officer.until is not None:  # written only when set: records of people who never left stay as they were
        doc["until"] = officer.until.isoformat()
    if officer.login:
        doc["login"] = officer.login
    if officer.tags:
        doc["tags"] = list(officer.tags)
    return doc
