"""Reading campaign templates: strict YAML in, a validated ``TemplateSet`` out.

A templates folder holds three kinds of YAML file, told apart by their top-level keys:

* a **campaign** (``campaign:`` and ``duties:``) — see SPEC.md → Template format;
* a **duty library** (``duties:`` only) — standard duties a campaign names by key (标准任务化);
* a **calendar** (``calendar:``) — rest days and make-up working days for years or local rest
  days the built-in holiday data lacks;
* a **roles** file (``roles:``) — job titles added to the shipped ones, by level
  (``lead: [执行团队负责人]``; see ``checklist.core.access``);
* a **courts** file (``courts:``) — each court's 代字, level (高/中/基) and parent court;
* a **rules** file (``rules:``, optionally with ``scope: {courts: [...]}``) — statutory clocks per
  case (SPEC.md → Cases and statutory clocks); a scoped rule replaces the general one of the same
  key for its courts.

The parser is strict on purpose: the safe loader, no anchors or aliases (an alias bomb is refused
at its first ``&``), no duplicate or unknown keys, one document per file. Every problem is
collected with its ``FILE:LINE`` before anything is refused, so a user fixes a file in one go.

This module reads no files: the caller hands it ``(path, text)`` pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

import yaml

from checklist.core.access import COURT_LEVELS, LEVELS, Court, builtin_titles
from checklist.core.models import (
    MEASURES, PRIORITIES, RULE_STARTS, Campaign, Duty, Rule, Scope, Target, TemplateSet, WeekdayDue, WorkdayDue,
)
from checklist.core.periods import EVERY, month_length
from checklist.core.text import control_character
from checklist.errors import TemplateError, by_place
from checklist.i18n import _, ngettext

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
WEEKDAYS = {
    "mon": 0, "monday": 0, "周一": 0, "星期一": 0,
    "tue": 1, "tuesday": 1, "周二": 1, "星期二": 1,
    "wed": 2, "wednesday": 2, "周三": 2, "星期三": 2,
    "thu": 3, "thursday": 3, "周四": 3, "星期四": 3,
    "fri": 4, "friday": 4, "周五": 4, "星期五": 4,
    "sat": 5, "saturday": 5, "周六": 5, "星期六": 5,
    "sun": 6, "sunday": 6, "周日": 6, "星期日": 6, "周天": 6, "星期天": 6,
}
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_DUE = {"week": "fri", "halfmonth": "last", "month": "last", "quarter": "last", "year": "12-31"}
MAX_TEMPLATE_BYTES = 1_000_000
MAX_DUTIES = 500  # in all campaigns and the library together: real 实施方案 list a few dozen
MAX_DEPTH = 20  # nesting of YAML collections: a template is a few levels deep
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # dates a template may name
MAX_CAMPAIGN_DAYS = 366 * 5  # a campaign runs for months, a few years at most
MAX_RANGE_DAYS = 366  # one line of a calendar file

CAMPAIGN_FIELDS = {"key", "name", "short", "start", "end", "scope", "description"}
SCOPE_FIELDS = {"courts", "departments"}
DUTY_FIELDS = {"key", "title", "role", "every", "due", "priority", "tags", "shift", "basis", "covers", "only_tagged",
               "tags_required", "phase", "target", "distinct_from"}
TARGET_FIELDS = {"count", "unit", "measure"}
_TARGET_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(\S{0,12})")
CALENDAR_FIELDS = {"name", "years", "holidays", "workdays"}
COURT_FIELDS = {"name", "code", "level", "parent"}
RULE_FIELDS = {"key", "title", "from", "within", "before", "every", "for", "paused", "role", "basis", "priority"}
MAX_RULES = 200
MAX_COURTS = 1000  # a province has a few hundred


class _Refused(yaml.MarkedYAMLError):
    pass


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors, aliases and tags before anything is built from them."""

    def compose_node(self, parent, index):  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                problem=_("anchors and aliases (& and *) are not allowed in templates"),
                problem_mark=event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN_TAGS and tag != "!":
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(problem=_("YAML tags like '{tag}' are not allowed in templates").format(tag=shown),
                           problem_mark=event.start_mark)
        return super().compose_node(parent, index)


def _too_deep(text: str) -> int:
    """The line where YAML collections nest deeper than MAX_DEPTH (0 if they never do).

    Counted from the token stream before anything is composed: the composer recurses once per
    level, so a file nested 200,000 deep would otherwise exhaust the interpreter's stack.
    """
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                                  yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1
            elif isinstance(token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
    except yaml.YAMLError:
        return 0  # the composer reports syntax errors with their place
    return 0


def yaml_problem(problem: str) -> str:
    """PyYAML's words for the usual mistakes, in the interface language and with what to do; others as
    PyYAML says them."""
    usual = (
        (r"mapping values are not allowed here", _("a ':' where none may be (indentation, or a value with ': ' in it "
                                                   "that needs quotes)")),
        (r"found character '\\t' that cannot start any token", _("a tab; indent with spaces")),
        (r"could not find expected ':'", _("a line without its ':' (key: value)")),
        (r"expected <block end>, but found '(.*)'", _("the indentation does not line up (found {0})")),
        (r"found unexpected end of stream", _("the file ends inside a quoted text or a list; close it")),
        (r"expected ',' or '\]', but got '(.*)'", _("a list in [ ] is not closed (found {0})")),
        (r"expected ',' or '\}', but got '(.*)'", _("a mapping in braces is not closed (found {0})")),
        (r"found undefined alias '(.*)'", _("an alias *{0} with no anchor")),
    )
    for pattern, words in usual:
        found = re.fullmatch(pattern, problem.strip())
        if found:
            return words.format(*(_("the end of the file") if g == "<stream end>" else g for g in found.groups()))
    return problem


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


@dataclass
class _Field:
    value: Any
    line: int


class _Reader:
    """Walks one file's YAML nodes, turning them into values and collecting problems."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        self.loader: _StrictLoader | None = None

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def compose(self, text: str) -> yaml.Node | None:
        if len(text.encode("utf-8", "surrogatepass")) > MAX_TEMPLATE_BYTES:
            self.problem(1, _("file is larger than {n} MB; a template is a short list").format(
                n=MAX_TEMPLATE_BYTES // 1_000_000))
            return None
        deep = _too_deep(text)
        if deep:
            self.problem(deep, _("nested more than {n} levels deep; a template is a few levels of lists and "
                                 "fields").format(n=MAX_DEPTH))
            return None
        try:
            self.loader = _StrictLoader(text)
            return self.loader.get_single_node()
        except yaml.reader.ReaderError as err:  # a control character the YAML reader will not take
            position = err.position if isinstance(err.position, int) else 0
            self.problem(text[:position].count("\n") + 1,
                         _("contains a character YAML does not allow (code {code}); is this a text file?").format(
                             code=f"{err.character:#x}"))
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = mark.line + 1 if mark else 1
            what = err.problem or str(err)
            if isinstance(err, _Refused):
                self.problem(line, what)
            else:
                self.problem(line, _("YAML syntax error: {what}").format(what=yaml_problem(what)))
        except yaml.YAMLError as err:
            self.problem(1, _("YAML error: {what}").format(what=err))
        return None

    def scalar(self, node: yaml.Node) -> Any:
        """A scalar's value; text that only looks like a date or number (2026-02-30) stays text."""
        assert self.loader is not None
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return node.value

    def mapping(self, node: yaml.Node, what: str, allowed: set[str]) -> dict[str, tuple[yaml.Node, int]]:
        """A mapping's entries as ``{key: (value node, line)}``; unknown and repeated keys refused."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(_line(node), _("{what} must be a mapping of 'name: value' lines").format(what=what))
            return {}
        found: dict[str, tuple[yaml.Node, int]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            line = _line(key_node)
            if not isinstance(key, str):
                self.problem(line, _("{what}: keys must be words, not {key}").format(what=what, key=repr(key)))
                continue
            if key in found:
                self.problem(line, _("{what}: '{key}' is given twice (first on line {line})").format(
                    what=what, key=key, line=found[key][1]))
                continue
            if key not in allowed:
                self.problem(line, _("{what}: unknown field '{key}' (allowed: {allowed})").format(
                    what=what, key=key, allowed=", ".join(sorted(allowed))))
                continue
            found[key] = (value_node, line)
        return found

    def text(self, entry: tuple[yaml.Node, int], what: str) -> str | None:
        node, line = entry
        value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.problem(line, _("{what} must be non-empty text").format(what=what))
            return None
        bad = control_character(value)
        if bad is not None:
            self.problem(line, _("{what} holds a control character ({char}); remove it").format(what=what, char=bad))
            return None
        return value.strip()

    def key(self, entry: tuple[yaml.Node, int], what: str) -> str | None:
        value = self.text(entry, what)
        if value is not None and not KEY_PATTERN.match(value):
            self.problem(entry[1], _("{what} '{value}' must be letters, digits, '-', '_' or '.' (at most 64)").format(
                what=what, value=value))
            return None
        return value

    def texts(self, entry: tuple[yaml.Node, int], what: str) -> tuple[str, ...] | None:
        """A list of text, or a single text standing for a list of one."""
        node, line = entry
        if isinstance(node, yaml.ScalarNode):
            one = self.text(entry, what)
            return None if one is None else (one,)
        if not isinstance(node, yaml.SequenceNode):
            self.problem(line, _("{what} must be a list").format(what=what))
            return None
        values = []
        for item in node.value:
            value = self.text((item, _line(item)), _("{what} entry").format(what=what))
            if value is None:
                return None
            if value not in values:
                values.append(value)
        return tuple(values)

    def day(self, entry: tuple[yaml.Node, int], what: str) -> date | None:
        node, line = entry
        value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, datetime):
            self.problem(line, _("{what} must be a date like 2026-01-31, without a time").format(what=what))
            return None
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                pass
        if isinstance(value, date):
            if not FIRST_DAY <= value <= LAST_DAY:
                self.problem(line, _("{what} {value} is outside the years {first}–{last}").format(
                    what=what, value=value, first=FIRST_DAY.year, last=LAST_DAY.year))
                return None
            return value
        self.problem(line, _("{what} must be a date like 2026-01-31, not {value}").format(what=what, value=_show(value)))
        return None


def _show(value: Any) -> str:
    return _("nothing") if value is None else repr(value) if not isinstance(value, str) else f"'{value}'"


# -- duties ---------------------------------------------------------------------------------------


def _read_duty(reader: _Reader, node: yaml.Node, owner: str) -> dict[str, _Field] | None:
    """A duty's fields, each checked on its own; cross-field checks come after the library merge."""
    fields = reader.mapping(node, owner, DUTY_FIELDS)
    if not fields and isinstance(node, yaml.MappingNode) and not node.value:
        reader.problem(_line(node), _("{owner}: empty duty").format(owner=owner))
        return None
    if "key" not in fields:
        if fields or isinstance(node, yaml.MappingNode):
            reader.problem(_line(node), _("{owner}: duty has no 'key'").format(owner=owner))
        return None
    key = reader.key(fields["key"], _("duty key"))
    if key is None:
        return None
    label = _("duty '{key}'").format(key=key)
    out: dict[str, _Field] = {"key": _Field(key, fields["key"][1])}
    ok = True
    for name, entry in fields.items():
        line = entry[1]
        if name == "key":
            continue
        if name in ("title", "basis", "phase"):
            value = reader.text(entry, f"{label}: {name}")
        elif name == "role":
            value = reader.texts(entry, f"{label}: role")  # field names stay as written in templates
        elif name in ("tags", "only_tagged", "tags_required", "distinct_from"):
            value = reader.texts(entry, f"{label}: {name}")
            if name == "tags_required" and value is not None:  # the name the first drafts used
                if "only_tagged" in fields:
                    reader.problem(line, _("{label}: give only_tagged or tags_required, not both").format(label=label))
                    value = None
                name = "only_tagged"
        elif name == "target":
            value = _read_target(reader, entry, label)
        elif name == "every":
            value = reader.scalar(entry[0]) if isinstance(entry[0], yaml.ScalarNode) else None
            if value not in EVERY:
                reader.problem(line, _("{label}: every must be one of {values}").format(label=label, values=", ".join(EVERY)))
                value = None
        elif name == "priority":
            value = reader.scalar(entry[0]) if isinstance(entry[0], yaml.ScalarNode) else None
            if value not in PRIORITIES:
                reader.problem(line, _("{label}: priority must be one of {values}").format(
                    label=label, values=", ".join(PRIORITIES)))
                value = None
        elif name == "shift":
            value = reader.scalar(entry[0]) if isinstance(entry[0], yaml.ScalarNode) else None
            if value in ("none", False):
                value = False
            elif value in ("next", True):
                value = True
            else:
                reader.problem(line, _("{label}: shift must be 'none' (keep the exact date) or 'next'").format(label=label))
                value = None
        elif name == "covers":
            value = reader.scalar(entry[0]) if isinstance(entry[0], yaml.ScalarNode) else None
            if value != "previous":
                reader.problem(line, _("{label}: covers must be 'previous' (a report due in the period after the one "
                                       "it covers)").format(label=label))
                value = None
        else:  # due: checked against 'every' once the library is merged in
            value = reader.scalar(entry[0]) if isinstance(entry[0], yaml.ScalarNode) else entry[0]
            if value is None or value == "":
                reader.problem(line, _("{label}: due is empty; give the day, or leave the line out for the "
                                       "schedule's default").format(label=label))
                value = None
        if value is None:
            ok = False
            continue
        out[name] = _Field(value, line)
    if not ok:
        # the duty is refused, but its due date is still checked so every problem shows at once
        if "every" in out and "due" in out:
            result = _normalise_due(out["every"].value, out["due"].value)
            if isinstance(result, str):
                reader.problem(out["due"].line, f"{label}: {result}")
        return None
    return out


WORKDAY_LIMIT = {"week": 7, "halfmonth": 12, "month": 23, "quarter": 66, "year": 252}  # at most that many in a period
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
            "5th": 5, "last": -1}


def _read_target(reader: _Reader, entry: tuple[yaml.Node, int], label: str) -> Target | None:
    """``target: 30 件``, or ``target: {count: 30, unit: 件, measure: old-closed}``."""
    node, line = entry
    problem = _("{label}: target must be a number and a unit, like '30 件', or count, unit and measure "
                "(measure: {measures})").format(label=label, measures=", ".join(MEASURES))
    if isinstance(node, yaml.MappingNode):
        fields = reader.mapping(node, f"{label}: target", TARGET_FIELDS)
        count = reader.scalar(fields["count"][0]) if "count" in fields and isinstance(
            fields["count"][0], yaml.ScalarNode) else None
        unit = reader.text(fields["unit"], f"{label}: target unit") if "unit" in fields else ""
        measure = reader.scalar(fields["measure"][0]) if "measure" in fields and isinstance(
            fields["measure"][0], yaml.ScalarNode) else ""
        if "measure" in fields and measure not in MEASURES:
            reader.problem(fields["measure"][1], _("{label}: target measure must be one of {values}").format(
                label=label, values=", ".join(MEASURES)))
            return None
    else:
        raw = reader.scalar(node) if isinstance(node, yaml.ScalarNode) else None
        found = _TARGET_TEXT.fullmatch(str(raw).strip()) if raw is not None and not isinstance(raw, bool) else None
        count, unit, measure = (found[1], found[2], "") if found else (None, "", "")
    try:
        number = float(count) if count is not None and not isinstance(count, bool) else None
    except ValueError:
        number = None
    if number is None or not 0 < number < 1e9 or unit is None:
        reader.problem(line, problem)
        return None
    return Target(number, unit or "", measure or "")


def _due_form(text: str, every: str) -> tuple[object, str] | str | None:
    """``5wd``, ``last-wd`` (the N-th or last working day of the period) or ``first-fri`` … ``last-mon``
    (the N-th or last weekday of a month) as (due, text); an error message; or None for neither."""
    found = re.fullmatch(r"(\d{1,3})wd", text)
    if found or text == "last-wd":
        n = int(found[1]) if found else -1
        if found and not 1 <= n <= WORKDAY_LIMIT[every]:
            return _("due {value}: a {every} period has at most {n} working days").format(
                value=text, every=every, n=WORKDAY_LIMIT[every])
        return WorkdayDue(n), text
    found = re.fullmatch(r"([a-z0-9]+)-(mon|tue|wed|thu|fri|sat|sun)", text)
    if found and found[1] in ORDINALS:
        if every != "month":
            return _("due {value}: a weekday of the month is for a monthly duty").format(value=text)
        return WeekdayDue(ORDINALS[found[1]], WEEKDAY_NAMES.index(found[2])), text
    return None


def _normalise_due(every: str, raw: Any) -> tuple[object, str] | str:
    """(normalised due, its text) for a schedule, or an error message."""
    if every == "day":
        return _("due does not apply to a daily duty (it is due each working day)") if raw is not None else (None, "")
    if raw is None:
        if every == "once":
            return _("a one-off duty needs 'due: YYYY-MM-DD'")
        raw = DEFAULT_DUE[every]
    if isinstance(raw, str) and every in WORKDAY_LIMIT:
        form = _due_form(raw.strip().lower(), every)
        if form is not None:
            return form
    if every == "week":
        weekday = WEEKDAYS.get(str(raw).strip().lower())
        if weekday is None:
            return _("due for a weekly duty must be mon, tue, wed, thu, fri, sat or sun, not {value}").format(
                value=_show(raw))
        return weekday, WEEKDAY_NAMES[weekday]
    if every in ("halfmonth", "month", "quarter"):
        top = 16 if every == "halfmonth" else 31
        if raw == "last":
            return top, "last"
        if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= top:
            return raw, str(raw)
        message = {
            "halfmonth": _("due for a halfmonth duty must be a day of the half month (1 … 16) or 'last', not {value}"),
            "month": _("due for a month duty must be a day of the month (1 … 31) or 'last', not {value}"),
            "quarter": _("due for a quarter duty must be a day of the quarter's last month (1 … 31) or 'last', "
                         "not {value}"),
        }[every]
        return message.format(value=_show(raw))
    if every == "year":
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(raw).strip()) if isinstance(raw, str) else None
        if match:
            month, day = int(match[1]), int(match[2])
            if 1 <= month <= 12 and 1 <= day <= month_length(2024, month):
                return (month, day), f"{month:02d}-{day:02d}"
        return _("due for a yearly duty must be MM-DD (like 12-31), not {value}").format(value=_show(raw))
    # once
    if isinstance(raw, datetime):
        return _("due for a one-off duty must be a date like 2026-04-05, without a time")
    if isinstance(raw, str):
        try:
            raw = date.fromisoformat(raw.strip())
        except ValueError:
            pass
    if isinstance(raw, date):
        return raw, raw.isoformat()
    return _("due for a one-off duty must be a date like 2026-04-05, not {value}").format(value=_show(raw))


def _resolve_duty(
    path: str, fields: dict[str, _Field], library: dict[str, Duty], campaign: str, problems: list[str]
) -> Duty | None:
    """A campaign's (or the library's) duty with the library's fields filled in and checked whole."""
    key = fields["key"].value
    where = f"{path}:{fields['key'].line}"
    base = library.get(key) if campaign else None
    merged: dict[str, Any] = {}
    if base is not None:
        merged = {
            "title": base.title, "role": base.roles, "every": base.every, "priority": base.priority,
            "tags": base.tags, "shift": base.shift, "basis": base.basis, "covers": base.covers,
            "only_tagged": base.only_tagged, "phase": base.phase, "target": base.target,
            "distinct_from": base.distinct_from,
        }
        if "every" not in fields and "due" not in fields:
            merged["due_parsed"] = (base.due, base.due_text)
    merged.update({name: f.value for name, f in fields.items()})
    missing = [name for name in ("title", "role", "every") if name not in merged]
    if missing:
        if base is not None or not campaign:
            message = _("duty '{key}': missing {fields}")
        else:
            message = _("duty '{key}': missing {fields} (or define the key in the duty library)")
        problems.append(f"{where}: " + message.format(key=key, fields=", ".join(missing)))
        return None
    every = merged["every"]
    if "due_parsed" in merged:
        due, due_text = merged["due_parsed"]
    else:
        result = _normalise_due(every, merged.get("due"))
        if isinstance(result, str):
            line = fields["due"].line if "due" in fields else fields["key"].line
            problems.append(f"{path}:{line}: " + _("duty '{key}': {problem}").format(key=key, problem=result))
            return None
        due, due_text = result
    covers = merged.get("covers") or ""
    if covers and every in ("day", "once"):
        problems.append(f"{where}: " + _("duty '{key}': covers: previous is for a report on a week, half-month, "
                                         "month, quarter or year").format(key=key))
        return None
    if merged.get("phase") and every != "once":
        line = fields["phase"].line if "phase" in fields else fields["key"].line
        problems.append(f"{path}:{line}: " + _("duty '{key}': a phase is for a one-off deliverable (every: once)").format(
            key=key))
        return None
    return Duty(
        key=key,
        title=merged["title"],
        roles=tuple(merged["role"]),
        every=every,
        due=due,
        due_text=due_text,
        priority=merged.get("priority", "normal"),
        tags=tuple(merged.get("tags", ())),
        shift=merged.get("shift", True),
        basis=merged.get("basis", ""),
        campaign=campaign,
        where=where,
        covers=covers,
        only_tagged=tuple(merged.get("only_tagged", ())),
        phase=merged.get("phase", ""),
        target=merged.get("target"),
        distinct_from=tuple(merged.get("distinct_from", ())),
    )


def _read_duty_list(reader: _Reader, entry: tuple[yaml.Node, int], owner: str) -> list[dict[str, _Field]]:
    node, line = entry
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(line, _("{owner}: duties must be a list of '- key: …' entries").format(owner=owner))
        return []
    if not node.value:
        reader.problem(line, _("{owner}: the duty list is empty").format(owner=owner))
    duties: list[dict[str, _Field]] = []
    seen: dict[str, int] = {}
    for item in node.value:
        fields = _read_duty(reader, item, owner)
        if fields is None:
            continue
        key, key_line = fields["key"].value, fields["key"].line
        if key in seen:
            reader.problem(key_line, _("duty '{key}' appears twice in {owner} (first on line {line})").format(
                key=key, owner=owner, line=seen[key]))
            continue
        seen[key] = key_line
        duties.append(fields)
    return duties


# -- campaigns and calendars --------------------------------------------------------------------


def _read_campaign(reader: _Reader, entry: tuple[yaml.Node, int]) -> Campaign | None:
    fields = reader.mapping(entry[0], _("campaign"), CAMPAIGN_FIELDS)
    if not fields:
        return None
    ok = True
    for required in ("key", "name", "start", "end"):
        if required not in fields:
            reader.problem(entry[1], _("campaign: missing {field}").format(field=required))
            ok = False
    key = reader.key(fields["key"], _("campaign key")) if "key" in fields else None
    name = reader.text(fields["name"], _("campaign name")) if "name" in fields else None
    short = reader.text(fields["short"], _("campaign short name")) if "short" in fields else ""
    start = reader.day(fields["start"], _("campaign start")) if "start" in fields else None
    end = reader.day(fields["end"], _("campaign end")) if "end" in fields else None
    if "description" in fields:
        reader.text(fields["description"], _("campaign description"))
    scope = Scope()
    if "scope" in fields:
        scope_fields = reader.mapping(fields["scope"][0], _("campaign scope"), SCOPE_FIELDS)
        courts = reader.texts(scope_fields["courts"], _("scope courts")) if "courts" in scope_fields else ()
        departments = (
            reader.texts(scope_fields["departments"], _("scope departments")) if "departments" in scope_fields else ()
        )
        scope = Scope(courts or (), departments or ())
    if start and end and start > end:
        reader.problem(fields["end"][1], _("campaign end {end} is before its start {start}").format(end=end, start=start))
        ok = False
    elif start and end and (end - start).days > MAX_CAMPAIGN_DAYS:
        reader.problem(fields["end"][1], _("campaign runs from {start} to {end}, more than five years; split it "
                                           "into campaigns by year").format(start=start, end=end))
        ok = False
    if not (ok and key and name and start and end and short is not None):
        return None
    return Campaign(key, name, start, end, short=short, scope=scope, where=f"{reader.path}:{_line(entry[0])}")


def _date_list(reader: _Reader, entry: tuple[yaml.Node, int], what: str) -> set[date]:
    """Dates or ranges written ``2027-02-06..2027-02-12``."""
    node, line = entry
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(line, _("calendar {what} must be a list of dates").format(what=what))
        return set()
    days: set[date] = set()
    for item in node.value:
        value = reader.scalar(item) if isinstance(item, yaml.ScalarNode) else None
        if isinstance(value, str) and ".." in value:
            first, _dots, last = value.partition("..")
            try:
                a, b = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
            except ValueError:
                a = b = None
            if a is None or b is None or a > b:
                reader.problem(_line(item), _("calendar {what}: '{value}' is not a range like 2027-02-06..2027-02-12").format(
                    what=what, value=value))
                continue
            if not (FIRST_DAY <= a and b <= LAST_DAY) or (b - a).days >= MAX_RANGE_DAYS:
                reader.problem(_line(item), _("calendar {what}: '{value}' must lie in {first}–{last} and span at most "
                                              "a year").format(what=what, value=value, first=FIRST_DAY.year,
                                                               last=LAST_DAY.year))
                continue
            days.update(date.fromordinal(n) for n in range(a.toordinal(), b.toordinal() + 1))
        else:
            day = reader.day((item, _line(item)), _("calendar {what} entry").format(what=what))
            if day is not None:
                days.add(day)
    return days


def _read_calendar(reader: _Reader, entry: tuple[yaml.Node, int]) -> tuple[set[date], set[date], set[int]]:
    fields = reader.mapping(entry[0], _("calendar"), CALENDAR_FIELDS)
    rest = _date_list(reader, fields["holidays"], "holidays") if "holidays" in fields else set()
    work = _date_list(reader, fields["workdays"], "workdays") if "workdays" in fields else set()
    years: set[int] = set()
    if "years" in fields:
        node, line = fields["years"]
        values = [reader.scalar(n) for n in node.value] if isinstance(node, yaml.SequenceNode) else None
        if values is None or not all(isinstance(v, int) and FIRST_DAY.year <= v <= LAST_DAY.year for v in values):
            reader.problem(line, _("calendar years must be a list of years like [2027]"))
        else:
            years = set(values)
    for day in sorted(rest & work):
        reader.problem(fields["workdays"][1], _("calendar: {day} is listed both as a holiday and as a working day").format(
            day=day))
    return rest, work, years


# -- roles and courts ---------------------------------------------------------------------------


def _read_roles(reader: _Reader, entry: tuple[yaml.Node, int], titles: dict[str, str],
                first: dict[str, str]) -> None:
    """Add a roles file's titles (level → list of titles) to ``titles``."""
    fields = reader.mapping(entry[0], _("roles"), set(LEVELS))
    for level, (node, line) in fields.items():
        words = reader.texts((node, line), _("roles {level}").format(level=level))
        for word in words or ():
            shown = f"{reader.path}:{line}"
            if word in LEVELS and word != level:
                reader.problem(line, _("roles: '{title}' is a level name; it cannot be a {level} title").format(
                    title=word, level=level))
            elif titles.get(word, level) != level:
                reader.problem(line, _("roles: '{title}' is already a {other} title ({where}); a title has one "
                                       "level").format(title=word, other=titles[word],
                                                       where=first.get(word, _("shipped"))))
            else:
                titles[word] = level
                first.setdefault(word, shown)


def _read_courts(reader: _Reader, entry: tuple[yaml.Node, int], courts: dict[str, Court]) -> None:
    node, line = entry
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(line, _("courts must be a list of '- name: …' entries"))
        return
    for item in node.value:
        fields = reader.mapping(item, _("court"), COURT_FIELDS)
        if not fields:
            continue
        if "name" not in fields:
            reader.problem(_line(item), _("court: missing name"))
            continue
        name = reader.text(fields["name"], _("court name"))
        if name is None:
            continue
        where = f"{reader.path}:{fields['name'][1]}"
        values = {key: reader.text(fields[key], _("court {field}").format(field=key)) or ""
                  for key in ("code", "level", "parent") if key in fields}
        level = values.get("level", "")
        if level and level not in COURT_LEVELS:
            reader.problem(fields["level"][1], _("court '{name}': level must be 高, 中 or 基 (high, intermediate, "
                                                 "basic), not '{value}'").format(name=name, value=level))
            continue
        if name in courts:
            reader.problem(fields["name"][1], _("court '{name}' is already named at {where}").format(
                name=name, where=courts[name].where))
            continue
        courts[name] = Court(name, values.get("code", ""), COURT_LEVELS.get(level, ""), values.get("parent", ""), where)


def _check_courts(courts: dict[str, Court], problems: list[str]) -> None:
    codes: dict[str, Court] = {}
    for court in courts.values():
        if court.code and court.code in codes:
            problems.append(f"{court.where}: " + _("court '{name}': code {code} is also {other}'s").format(
                name=court.name, code=court.code, other=codes[court.code].name))
        if court.code:
            codes.setdefault(court.code, court)
        if court.parent and court.parent not in courts:
            problems.append(f"{court.where}: " + _("court '{name}': parent '{parent}' is not a court in the courts "
                                                   "file").format(name=court.name, parent=court.parent))
            continue
        seen, current = {court.name}, court.parent
        while current:
            if current in seen:
                problems.append(f"{court.where}: " + _("court '{name}': its parents loop back through '{parent}'").format(
                    name=court.name, parent=current))
                break
            seen.add(current)
            current = courts[current].parent if current in courts else ""


# -- statutory clocks ----------------------------------------------------------------------------


def _read_span(reader: _Reader, entry: tuple[yaml.Node, int], what: str) -> Any:
    from checklist.core.clocks import parse_span

    value = reader.scalar(entry[0]) if isinstance(entry[0], yaml.ScalarNode) else None
    try:
        return parse_span(value)
    except ValueError as err:
        if "longer than" in str(err):
            reader.problem(entry[1], _("{what}: {value} is longer than any statutory clock").format(
                what=what, value=_show(value)))
            return None
        reader.problem(entry[1], _("{what}: {value} is not a period; write Nd (days), Nwd (working days), Nm "
                                   "(months) or Ny (years)").format(what=what, value=_show(value)))
        return None


def _repeats(step: Any, length: Any) -> float:
    """About how many times ``step`` comes round in ``length``."""
    days = {"d": 1, "wd": 1.4, "m": 30.4, "y": 365.25}
    return length.count * days[length.unit] / (step.count * days[step.unit])


def _read_rules(reader: _Reader, entry: tuple[yaml.Node, int], courts: tuple[str, ...]) -> list[Rule]:
    node, line = entry
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(line, _("rules must be a list of '- key: …' entries"))
        return []
    found = []
    for item in node.value:
        fields = reader.mapping(item, _("rule"), RULE_FIELDS)
        if not fields:
            continue
        missing = [name for name in ("key", "title", "from") if name not in fields]
        if missing:
            reader.problem(_line(item), _("rule: missing {fields}").format(fields=", ".join(missing)))
            continue
        key = reader.key(fields["key"], _("rule key"))
        title = reader.text(fields["title"], _("rule title"))
        what = _("rule '{key}'").format(key=key)
        start = reader.text(fields["from"], _("{what} from").format(what=what))
        if start is not None and start not in RULE_STARTS:
            reader.problem(fields["from"][1], _("{what}: from must be one of {values}, not '{value}'").format(
                what=what, values=", ".join(RULE_STARTS), value=start))
            start = None
        kinds = [name for name in ("within", "every") if name in fields]
        if len(kinds) > 1 or not (kinds or "before" in fields) or ("every" in fields and "before" in fields):
            reader.problem(_line(item), _("{what}: give within, before (a reminder ahead of the date, or of within's "
                                          "end), or every with for").format(what=what))
            continue
        spans = {name: _read_span(reader, fields[name], f"{what} {name}") for name in ("within", "before", "every",
                                                                                      "for") if name in fields}
        if "every" in fields and "for" not in fields:
            reader.problem(fields["every"][1], _("{what}: every needs for (how long it goes on, like 5y)").format(
                what=what))
            continue
        if "for" in fields and "every" not in fields:
            reader.problem(fields["for"][1], _("{what}: for goes with every").format(what=what))
            continue
        step, length = spans.get("every"), spans.get("for")
        if step is not None and length is not None and _repeats(step, length) > 60:
            reader.problem(fields["every"][1], _("{what}: every {every} for {length} is more than 60 times per "
                                                 "case").format(what=what, every=step, length=length))
            continue
        extend = False
        if "paused" in fields:
            paused = reader.text(fields["paused"], _("{what} paused").format(what=what))
            if paused not in ("extend", "ignore"):
                reader.problem(fields["paused"][1], _("{what}: paused must be extend (the paused periods lengthen "
                                                      "the clock) or ignore").format(what=what))
                continue
            extend = paused == "extend"
        roles = reader.texts(fields["role"], _("{what} role").format(what=what)) if "role" in fields else ("officer",)
        priority = reader.text(fields["priority"], _("{what} priority").format(what=what)) if "priority" in fields \
            else "normal"
        if priority is not None and priority not in PRIORITIES:
            reader.problem(fields["priority"][1], _("{what}: priority must be low, normal or high").format(what=what))
            continue
        basis = reader.text(fields["basis"], _("{what} basis").format(what=what)) if "basis" in fields else ""
        if None in (key, title, start, roles, priority, basis) or None in spans.values():
            continue
        found.append(Rule(key=key, title=title, start=start, within=spans.get("within"), before=spans.get("before"),
                          every=spans.get("every"), length=spans.get("for"), extend=extend, roles=tuple(roles),
                          basis=basis, priority=priority, courts=courts, where=f"{reader.path}:{fields['key'][1]}"))
    return found


def _check_rules(rules: list[Rule], problems: list[str]) -> None:
    seen: dict[tuple[str, str], Rule] = {}
    for rule in rules:
        for court in rule.courts or ("",):
            earlier = seen.get((rule.key, court))
            if earlier is not None:
                problems.append(f"{rule.where}: " + _("rule '{key}' is already given at {where}{court}").format(
                    key=rule.key, where=earlier.where, court=_(" for {court}").format(court=court) if court else ""))
                break
            seen[(rule.key, court)] = rule


# -- the whole folder ---------------------------------------------------------------------------


def parse_templates(files: Iterable[tuple[str, str]]) -> TemplateSet:
    """Validate every ``(path, text)`` and return the resolved set; TemplateError lists all problems."""
    files = sorted(files)
    problems: list[str] = []
    campaign_files: list[tuple[_Reader, Campaign | None, list[dict[str, _Field]]]] = []
    library_files: list[tuple[_Reader, list[dict[str, _Field]]]] = []
    rest_days: set[date] = set()
    working_days: set[date] = set()
    years: set[int] = set()
    titles = builtin_titles()
    title_places: dict[str, str] = {}
    courts: dict[str, Court] = {}
    clocks: list[Rule] = []

    for path, text in files:
        reader = _Reader(path, problems)
        root = reader.compose(text)
        if root is None:
            if not any(p.startswith(f"{path}:") for p in problems):
                reader.problem(1, _("the file is empty"))
            continue
        top = reader.mapping(root, _("file"), {"campaign", "duties", "calendar", "roles", "courts", "rules", "scope"})
        alone = [name for name in ("roles", "courts") if name in top]
        if alone and len(top) > 1:
            reader.problem(top[alone[0]][1], _("a {kind} file holds only '{kind}:'").format(kind=alone[0]))
            continue
        if "scope" in top and ("rules" not in top or len(top) > 2):
            reader.problem(top["scope"][1], _("a scope: at the top of a file goes with rules: only (a campaign's "
                                              "scope is inside campaign:)"))
            continue
        if "rules" in top:
            if len(top) > 1 + ("scope" in top):
                reader.problem(top["rules"][1], _("a rules file holds only 'rules:' (and 'scope:')"))
                continue
            scoped: tuple[str, ...] = ()
            if "scope" in top:
                scope_fields = reader.mapping(top["scope"][0], _("scope"), {"courts"})
                if "courts" not in scope_fields:
                    reader.problem(top["scope"][1], _("a rules file's scope names its courts: scope: {courts: [...]}"))
                    continue
                scoped = reader.texts(scope_fields["courts"], _("scope courts")) or ()
                if not scoped:
                    continue
            clocks += _read_rules(reader, top["rules"], scoped)
        elif "roles" in top:
            _read_roles(reader, top["roles"], titles, title_places)
        elif "courts" in top:
            _read_courts(reader, top["courts"], courts)
        elif "calendar" in top:
            if len(top) > 1:
                reader.problem(top["calendar"][1], _("a calendar file holds only 'calendar:'"))
                continue
            rest, work, covered = _read_calendar(reader, top["calendar"])
            rest_days |= rest
            working_days |= work
            years |= covered
        elif "campaign" in top:
            campaign = _read_campaign(reader, top["campaign"])
            if "duties" not in top:
                reader.problem(top["campaign"][1], _("campaign: no 'duties:' list"))
                duties = []
            else:
                owner = _("campaign '{key}'").format(key=campaign.key) if campaign else _("campaign")
                duties = _read_duty_list(reader, top["duties"], owner)
            campaign_files.append((reader, campaign, duties))
        elif "duties" in top:
            library_files.append((reader, _read_duty_list(reader, top["duties"], _("the duty library"))))
        elif isinstance(root, yaml.MappingNode):
            reader.problem(_line(root), _("expected 'campaign:' and 'duties:' (a campaign), 'duties:' alone "
                                          "(a duty library), 'calendar:', 'roles:', 'courts:' or 'rules:'"))

    library: dict[str, Duty] = {}
    for reader, entries in library_files:
        for fields in entries:
            duty = _resolve_duty(reader.path, fields, {}, "", problems)
            if duty is None:
                continue
            if duty.key in library:
                problems.append(f"{duty.where}: " + _("duty '{key}' is already in the library at {where}").format(
                    key=duty.key, where=library[duty.key].where))
                continue
            library[duty.key] = duty

    campaigns: dict[str, Campaign] = {}
    duties: list[Duty] = []
    for reader, campaign, entries in campaign_files:
        if campaign is not None and campaign.key in campaigns:
            reader.problem(_line_of(campaign), _("campaign key '{key}' is already used by {where}").format(
                key=campaign.key, where=campaigns[campaign.key].where))
            campaign = None
        for fields in entries:
            duty = _resolve_duty(reader.path, fields, library, campaign.key if campaign else "?", problems)
            if duty is not None and campaign is not None:
                duties.append(duty)
        if campaign is not None:
            campaigns[campaign.key] = campaign

    for duty in (*library.values(), *duties):
        unknown = [role for role in duty.roles if role not in titles]
        if unknown:
            problems.append(f"{duty.where}: " + _("duty '{key}': role '{role}' is not a level (officer, lead, chief, "
                                                  "admin) or a known title; add it to a roles: file").format(
                key=duty.key, role=unknown[0]))
    _check_courts(courts, problems)
    _check_rules(clocks, problems)
    _check_phases(campaigns, duties, problems)
    for rule in clocks:
        unknown = [role for role in rule.roles if role not in titles]
        if unknown:
            problems.append(f"{rule.where}: " + _("rule '{key}': role '{role}' is not a level or a known title").format(
                key=rule.key, role=unknown[0]))
        for court in rule.courts:
            if courts and court not in courts:
                problems.append(f"{rule.where}: " + _("rule '{key}': '{court}' is not a court in the courts file").format(
                    key=rule.key, court=court))
    if len(clocks) > MAX_RULES:
        problems.append(f"{clocks[0].where}: " + _("more than {n} rules").format(n=MAX_RULES))
    if len(courts) > MAX_COURTS:
        problems.append(f"{next(iter(courts.values())).where}: " + _("more than {n} courts").format(n=MAX_COURTS))
    count_duties = len(duties) + len(library)
    if count_duties > MAX_DUTIES:
        problems.append(f"{files[0][0] if files else '?'}:1: " + _(
            "the templates hold {n} duties, more than {limit}; a templates folder is a few campaigns").format(
            n=count_duties, limit=MAX_DUTIES))
    if problems:
        count = len(problems)
        raise TemplateError(ngettext("{n} problem in the templates; nothing was loaded",
                                     "{n} problems in the templates; nothing was loaded", count).format(n=count),
                            by_place(problems))
    duties.sort(key=lambda d: (d.key, d.campaign))
    return TemplateSet(
        campaigns=dict(sorted(campaigns.items())),
        duties=tuple(duties),
        library=dict(sorted(library.items())),
        rest_days=frozenset(rest_days),
        working_days=frozenset(working_days),
        calendar_years=frozenset(years),
        titles=titles,
        courts=dict(sorted(courts.items())),
        clocks=tuple(sorted(clocks, key=lambda r: (r.key, r.courts))),
    )


def _check_phases(campaigns: dict[str, Campaign], duties: list[Duty], problems: list[str]) -> None:
    """A stage ends with its last deliverable, inside its campaign; two stages cannot end on one day."""
    ends: dict[tuple[str, date], str] = {}
    last: dict[tuple[str, str], Duty] = {}
    for duty in duties:
        campaign = campaigns.get(duty.campaign)
        if not duty.phase or campaign is None or not isinstance(duty.due, date):
            continue
        if not campaign.start <= duty.due <= campaign.end:
            problems.append(f"{duty.where}: " + _("duty '{key}': a deliverable of stage '{phase}' is due {day}, outside "
                                                  "its campaign ({start} … {end})").format(
                key=duty.key, phase=duty.phase, day=duty.due, start=campaign.start, end=campaign.end))
            continue
        known = last.get((duty.campaign, duty.phase))
        if known is None or duty.due > known.due:  # type: ignore[operator]
            last[(duty.campaign, duty.phase)] = duty
    for (campaign, phase), duty in sorted(last.items(), key=lambda kv: (kv[1].due, kv[1].where)):
        other = ends.setdefault((campaign, duty.due), phase)  # type: ignore[arg-type]
        if other != phase:
            problems.append(f"{duty.where}: " + _("duty '{key}': stages '{other}' and '{phase}' both end on {day}; a "
                                                  "stage ends with its last deliverable, so give them different "
                                                  "days").format(key=duty.key, other=other, phase=phase, day=duty.due))


def _line_of(campaign: Campaign) -> int:
    return int(campaign.where.rsplit(":", 1)[1])

