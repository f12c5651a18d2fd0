"""What users see: Rich renderables built from the library's results, and JSON for scripts.

Each ``*_view`` function lays out one command's result for people; each ``*_json`` returns the
document scripts read. Both take the same result object, so the table and ``--json`` never
disagree. Nothing here decides anything. Words come through ``checklist.i18n`` in the user's
language; JSON never changes with the language.

The views are split by who reads them: ``day`` (an officer's list, an item, the history),
``lead`` (reports, follow-ups), ``setup`` (plans, templates, the roster, doctor). This module holds
what they share; ``checklist today`` imports only this and ``day``.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

from rich.console import Console
from rich.text import Text

from checklist.i18n import _, long_date, pgettext

if TYPE_CHECKING:
    from checklist.core.models import Duty, Officer


class SafeConsole(Console):
    """A console that shows control characters in text as escapes instead of sending them, and breaks
    lines as Chinese is broken (checklist.helptext.break_offsets: no line starts with a closing mark).

    Names, titles and notes come from spreadsheets and templates; an escape sequence in one could
    recolour, move or hide what the terminal shows. Rich's own styling travels in control
    segments and styles, not in the text, so it is untouched.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from checklist.helptext import install_breaking

        install_breaking()
        super().__init__(*args, **kwargs)

    def render(self, renderable: Any, options: Any = None) -> Any:
        from rich.segment import Segment

        from checklist.core.text import CONTROL, visible

        for segment in super().render(renderable, options):
            if segment.control is None and CONTROL.search(segment.text):
                segment = Segment(visible(segment.text), segment.style)
            yield segment


def stdout_console() -> Console:
    # markup=False: notes, names and titles are shown as typed, even with [brackets] in them
    return SafeConsole(highlight=False, soft_wrap=False, markup=False)


def stderr_console() -> Console:
    return SafeConsole(stderr=True, highlight=False, markup=False)


def say(text: str, *, err: bool = False) -> None:
    """One plain line on stdout (or stderr), control characters shown harmlessly."""
    from checklist.core.text import visible

    stream = sys.stderr if err else sys.stdout
    stream.write(visible(text) + "\n")
    stream.flush()


def emit_json(document: Any) -> None:
    """One JSON document on stdout (Chinese as text, dates as ISO strings).

    JSON escapes the C0 control characters itself; the C1 ones (U+0080–U+009F, an 8-bit escape
    among them) are escaped here too, so the document is safe to look at on a terminal.
    """
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    if any("\x80" <= c <= "\x9f" for c in text):
        text = "".join(f"\\u{ord(c):04x}" if "\x80" <= c <= "\x9f" else c for c in text)
    sys.stdout.write(text + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def lines_to(console: Console, lines: Iterable[str], style: str = "") -> None:
    for line in lines:
        console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)


def status_word(status: str) -> str:
    return {"open": _("open"), "done": _("done"), "skipped": _("skipped"), "withdrawn": _("withdrawn")}.get(
        status, status)


def priority_word(priority: str) -> str:
    return {"high": _("high"), "normal": _("normal"), "low": _("low")}.get(priority, priority)


def schedule_text(duty: Duty) -> str:
    """'weekly, Fri' · 'monthly, day 20' · 'quarterly, day 25 of its last month' · 'yearly, 20 Dec' —
    in Chinese as a court writes it: 每周五 · 每月20日 · 每季度末月25日 · 每年12月20日."""
    from checklist.i18n import weekday_name

    from checklist.core.models import WeekdayDue, WorkdayDue

    every, due = duty.every, duty.due_text
    if every == "day":
        return _("every working day")
    if duty.covers == "previous":
        return _report_on_previous(duty)
    if isinstance(duty.due, WorkdayDue):
        period = {"week": _("each week"), "halfmonth": _("each half-month"), "month": _("each month"),
                  "quarter": _("each quarter"), "year": _("each year")}[every]
        if duty.due.n == -1:
            return _("{period}, last working day").format(period=period)
        return _("{period}, working day {n}").format(period=period, n=duty.due.n)
    if isinstance(duty.due, WeekdayDue):
        nth = {1: pgettext("ordinal", "first"), 2: pgettext("ordinal", "second"), 3: pgettext("ordinal", "third"),
               4: pgettext("ordinal", "fourth"), 5: pgettext("ordinal", "fifth"),
               -1: pgettext("ordinal", "last")}[duty.due.n]
        return _("monthly, {nth} {weekday}").format(nth=nth, weekday=weekday_name(duty.due.weekday))
    if every == "once":
        return _("once, {day}").format(day=due)
    if every == "week":
        return _("weekly, {weekday}").format(weekday=weekday_name(int(duty.due)))  # type: ignore[arg-type]
    if every == "year":
        month, _sep, day = due.partition("-")
        if month.isdigit() and day.isdigit():
            return _("yearly, {month}/{day}").format(month=int(month), day=int(day))
        return _("yearly, {day}").format(day=due)
    last = due == "last"
    if every == "month":
        return _("monthly, last day") if last else _("monthly, day {n}").format(n=due)
    if every == "quarter":
        return _("quarterly, last day") if last else _("quarterly, day {n} of its last month").format(n=due)
    return _("half-monthly, last day") if last else _("half-monthly, day {n} of each half").format(n=due)


def _report_on_previous(duty: Duty) -> str:
    """``covers: previous`` in words: 每周一报上周, 每月5日报上月, 每季度首月10日报上季度."""
    from dataclasses import replace

    from checklist.core.models import WeekdayDue, WorkdayDue
    from checklist.i18n import weekday_name

    every, due = duty.every, duty.due_text
    if isinstance(duty.due, (WorkdayDue, WeekdayDue)) or due == "last":
        return _("{when}, on the period before").format(when=schedule_text(replace(duty, covers="")))
    if every == "week":
        return _("weekly, {weekday}, on the week before").format(weekday=weekday_name(int(duty.due)))  # type: ignore
    if every == "halfmonth":
        return _("half-monthly, day {n}, on the half before").format(n=due)
    if every == "month":
        return _("monthly, day {n}, on the month before").format(n=due)
    if every == "quarter":
        return _("quarterly, day {n} of its first month, on the quarter before").format(n=due)
    month, _sep, day = due.partition("-")
    return _("yearly, {month}/{day}, on the year before").format(month=int(month), day=int(day))


def officer_json(officer: Officer, level: str | None = None) -> dict[str, Any]:
    doc = {
        "id": officer.id, "name": officer.name, "court": officer.court, "department": officer.department,
        "roles": list(officer.roles), "lead": officer.lead or None, "since": officer.since,
        "until": officer.until, "login": officer.login or None, "tags": list(officer.tags),
    }
    if level is not None:
        doc["level"] = level or None
    return doc


def officer_heading(officer: Officer, today: date) -> Text:
    text = Text()
    text.append(officer.name or officer.id, style="bold")
    if officer.name:
        text.append(f" ({officer.id})")
    where = " ".join(x for x in (officer.court, officer.department) if x)
    if where:
        text.append(f" · {where}")
    text.append(f" · {long_date(today)}", style="dim")
    return text


def fold(text: Text, width: int, indent: str = "") -> Text:
    """``text`` in lines of at most ``width`` columns, broken as Chinese is broken (never before closing
    punctuation, after opening punctuation, or inside a number or a Latin word: checklist.helptext),
    its styles kept; lines after the first start with ``indent``. A table column given the result and
    ``no_wrap`` shows exactly these lines."""
    from checklist.helptext import break_offsets

    plain = text.plain
    if text.cell_len <= width or "\n" in plain:
        return text
    first = break_offsets(plain, width)[:1]
    offsets = first + [first[0] + o for o in break_offsets(plain[first[0]:], width - len(indent))] if first else []
    bounds = [0, *offsets, len(plain)]
    lines = []
    for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
        piece = text[a:b]
        piece.rstrip()
        lines.append(Text(indent).append_text(piece) if n and indent else piece)
    return Text("\n").join(lines)


def text_bar(done: int, total: int, width: int = 16) -> Text:
    """A progress bar that reads without colour too: █████░░░░░."""
    if total == 0:  # nothing due: nothing to fill (a full bar would read as all done)
        return Text("·" * width, style="dim")
    filled = round(width * done / total)
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    return bar


class Progress:
    """A progress bar on stderr for long imports and exports — only on a terminal, never in a pipe."""

    def __init__(self, description: str):
        self.description = description
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("{task.description}", style="progress.description", markup=False),
                                     BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                     console=stderr_console(), transient=True)
            self._bar.__enter__()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task(self.description, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
