"""What the command line gives, turned into values the library takes (and refused in its words).

The library works with dates, numbers and names; only the command line knows that a week came
from ``--week`` or a reason from ``--reason``. So parsing options, and the messages that name
them, live here; ``FIELD_HINTS`` maps a library error's ``field`` to the option that sets it.
"""

from __future__ import annotations

import re

from datetime import date

from checklist.errors import UsageError
from checklist.i18n import _


def field_hint(field: str) -> str:
    """How to give the value a library error is about, on the command line."""
    return {
        "officer": _("give --officer ID or set CHECKLIST_OFFICER"),
        "days": _("see --days"),
        "reason": _("give it with --reason"),
        "note": _("give it with --note"),
        "by": _("see --by"),
        "threshold": _("see --threshold"),
        "status": _("see --status"),
        "format": _("see --format"),
        "sheet": _("see --sheet"),
        "encoding": _("or name its encoding with --encoding"),
        "map": _("name your headers with --map 表头=column"),
    }.get(field, "")


BY_WORDS = {
    "人员": "officer", "干警": "officer", "部门": "department", "庭室": "department", "法院": "court",
    "中院": "intermediate", "中级法院": "intermediate", "活动": "campaign", "专项活动": "campaign",
    "阶段": "phase",
}


def grouping(by: str) -> str:
    """--by in English (officer, department, court, intermediate, campaign, phase) or Chinese (人员, 部门, 法院,
    中院, 活动, 阶段)."""
    from checklist.core.report import GROUPINGS

    by = BY_WORDS.get(by.strip(), by.strip().lower())
    if by not in GROUPINGS:
        raise UsageError(_("--by takes one of {values}").format(
            values=", ".join(GROUPINGS) + " (" + "、".join(("人员", "部门", "法院", "中院", "活动", "阶段")) + ")"))
    return by


def date_range(today: date, week: str | None, month: str | None, start: str | None,
               end: str | None) -> tuple[date, date]:
    """A report's range: a week, a month, or from/to; by default the month of ``today``."""
    from checklist.core.periods import parse_period, period_of

    chosen = [name for name, value in (("--week", week), ("--month", month), ("--from/--to", start or end))
              if value]
    if len(chosen) > 1:
        raise UsageError(_("give one of --week, --month or --from/--to, not {both}").format(both=" & ".join(chosen)))
    try:
        if week or month:
            period = parse_period(week or month or "")
            if period.every != ("week" if week else "month"):
                raise ValueError
            return in_range(period.start, "--week" if week else "--month"), period.end
    except (ValueError, OverflowError):
        what = _("--week takes a week like 2026-W48") if week else _("--month takes a month like 2026-11")
        raise UsageError(what) from None
    if start or end:
        first = parse_day(start, "--from", today) if start else date(today.year, today.month, 1)
        last = parse_day(end, "--to", today) if end else today
        if first > last and not end:
            raise UsageError(_("--from {first} is after today ({today}): a report counts up to today; "
                               "give --to for a later end").format(first=first, today=today))
        if first > last and not start:
            raise UsageError(_("--to {last} is before the 1st of this month, where --from starts when it is not "
                               "given; give --from too").format(last=last))
        if first > last:
            raise UsageError(_("--from {first} is after --to {last}").format(first=first, last=last))
        return first, last
    month_period = period_of("month", today)
    return month_period.start, month_period.end


def item_range(today: date, week: str | None, month: str | None, start: str | None,
               end: str | None) -> tuple[date | None, date | None]:
    """An export's due-date bounds as given: a week, a month, or --from and/or --to (None: open)."""
    if week or month:
        return date_range(today, week, month, start, end)  # refuses a week or month given with --from/--to
    if start and end:
        return date_range(today, None, None, start, end)
    return (parse_day(start, "--from", today) if start else None), (parse_day(end, "--to", today) if end else None)


_DAY_FORMS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),  # 2026-11-01, 2026/9/1, 2026.9.1
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?"),  # 2026年9月1日
    re.compile(r"()(\d{1,2})月(\d{1,2})[日号]?"),  # 9月1日: this year
)


def parse_day(text: str, option: str, today: date | None = None) -> date:
    """A day as people write it — 2026-11-01, 2026/9/1, 2026年9月1日, or 9月1日 (the year of ``today``) —
    with full-width digits as well."""
    import unicodedata

    typed = unicodedata.normalize("NFKC", text).strip()
    for form in _DAY_FORMS:
        found = form.fullmatch(typed)
        if found is None:
            continue
        year = int(found.group(1)) if found.group(1) else (today.year if today else None)
        if year is None:
            break
        try:
            return in_range(date(year, int(found.group(2)), int(found.group(3))), option)
        except ValueError:
            break
    raise UsageError(_("{option} takes a date like 2026-11-01 (or 2026/11/1, 2026年11月1日, 11月1日), "
                       "not '{text}'").format(option=option, text=text))


def in_range(day: date, option: str) -> date:
    """``day`` if checklist works with it (years 2000 to 2099), else a refusal naming ``option``."""
    from checklist.core.periods import EARLIEST, LATEST

    if not EARLIEST <= day <= LATEST:
        raise UsageError(_("{option}: {day} is outside the years checklist works with ({first} to {last})").format(
            option=option, day=day, first=EARLIEST.year, last=LATEST.year))
    return day
