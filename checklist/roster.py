"""The roster (人员名单): officers read from a spreadsheet, checked row by row.

Columns, in English or Chinese (more names are accepted; ``--map`` adds your own):

    id / 工号   name / 姓名   court / 法院   department / 部门   roles / 角色   lead / 上级
    since / 起始日期

Roles are separated by ``,`` ``，`` ``、`` ``;`` or spaces. The usual Chinese role words map to
the role names templates use: 承办人 → officer, 团队长/庭长 → lead, 局长 → chief. Any other role
is kept as written, so a template may ask for it by that name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from checklist.core.models import Officer
from checklist.i18n import _

if TYPE_CHECKING:
    from checklist.spreadsheets import Sheet

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("工号", "人员编号", "编号", "警号", "officer", "officer_id"),
    "name": ("姓名", "名字"),
    "court": ("法院", "所属法院", "单位"),
    "department": ("部门", "庭室", "团队", "dept"),
    "roles": ("角色", "role", "岗位角色"),
    "lead": ("上级", "直接上级", "上级工号", "团队长工号"),
    "since": ("起始日期", "开始日期", "入职日期", "start"),
}
REQUIRED = ("id", "name", "roles")
ROLE_WORDS = {
    "承办人": "officer", "执行干警": "officer", "干警": "officer",
    "团队长": "lead", "庭长": "lead",
    "局长": "chief", "执行局长": "chief",
}
_ROLE_SPLIT = re.compile(r"[,，、;；/\s]+")
ID_PATTERN = re.compile(r"^[^\s,，;；]{1,40}$")


def parse_roles(text: str) -> tuple[str, ...]:
    roles: list[str] = []
    for word in _ROLE_SPLIT.split(text):
        if not word:
            continue
        role = ROLE_WORDS.get(word, word.lower() if word.isascii() else word)
        if role not in roles:
            roles.append(role)
    return tuple(roles)


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

        for column in ("id", "name", "court", "department", "roles", "lead"):
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
        if bad:
            continue
        officer = Officer(
            id=oid, name=name, court=text_of(values.get("court")), department=text_of(values.get("department")),
            roles=roles, lead=text_of(values.get("lead")), since=since,
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


def officer_from_doc(doc: dict[str, Any]) -> Officer:
    since = doc.get("since")
    return Officer(
        id=doc["id"], name=doc.get("name", ""), court=doc.get("court", ""), department=doc.get("department", ""),
        roles=tuple(doc.get("roles", ())), lead=doc.get("lead", "") or "",
        since=date.fromisoformat(since) if since else None,
    )


def officer_doc(officer: Officer) -> dict[str, Any]:
    return {
        "id": officer.id, "name": officer.name, "court": officer.court, "department": officer.department,
        "roles": list(officer.roles), "lead": officer.lead, "since": officer.since.isoformat() if officer.since else None,
    }
