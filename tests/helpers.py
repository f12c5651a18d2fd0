"""Small builders shared by the tests: templates from literal YAML, a calendar, officers."""

from __future__ import annotations

import textwrap
from datetime import date

from checklist.calendars import work_calendar
from checklist.core.models import Officer, TemplateSet
from checklist.core.templates import parse_templates


def templates(**files: str) -> TemplateSet:
    """parse_templates over ``name=yaml`` pairs (names get a .yaml suffix)."""
    return parse_templates([(f"{name}.yaml", textwrap.dedent(text)) for name, text in files.items()])


def campaign_yaml(key: str, start: str, end: str, duties: str, scope: str = "") -> str:
    """A campaign file with the given duty lines (already indented YAML list entries)."""
    head = f"campaign:\n  key: {key}\n  name: {key}\n  start: {start}\n  end: {end}\n"
    if scope:
        head += "  scope:\n" + textwrap.indent(textwrap.dedent(scope).strip("\n"), "    ") + "\n"
    return head + "duties:\n" + textwrap.indent(textwrap.dedent(duties).strip("\n"), "  ") + "\n"


def officer(oid: str = "E01", *, court: str = "示例区人民法院", department: str = "执行一庭",
            roles: tuple[str, ...] = ("officer",), since: date | None = None) -> Officer:
    return Officer(oid, "周敏", court, department, roles, "", since)


def calendar(tset: TemplateSet | None = None):
    return work_calendar(tset)
