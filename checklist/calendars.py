"""The working-day calendar in use: built-in holiday data plus the user's calendar files.

Statutory holidays and make-up working days (调休) come from the ``chinesecalendar`` package,
which follows the State Council's notices (2004 through its latest year). A ``calendar:`` file in
the templates folder adds years the package lacks and local rest days, and wins where the two
disagree. See ``checklist.core.calendar`` for the rules themselves.
"""

from __future__ import annotations

from datetime import date

from checklist.core.calendar import WorkCalendar
from checklist.core.models import TemplateSet


def builtin_days() -> tuple[set[date], set[date], set[int]]:
    """(rest days, make-up working days, years covered) from the chinesecalendar package."""
    from chinese_calendar import constants

    rest = set(constants.holidays) | set(constants.in_lieu_days)
    work = set(constants.workdays)
    years = {d.year for d in constants.holidays}
    return rest, work, set(range(min(years), max(years) + 1))


def work_calendar(templates: TemplateSet | None = None) -> WorkCalendar:
    rest, work, years = builtin_days()
    if templates is not None:
        rest = (rest - templates.working_days) | templates.rest_days
        work = (work - templates.rest_days) | templates.working_days
        years |= templates.calendar_years
    return WorkCalendar(rest, work, years)


def calendar_extras(templates: TemplateSet) -> dict[str, list]:
    """The templates' own calendar entries, as stored with the database at each sync."""
    return {"rest": sorted(d.isoformat() for d in templates.rest_days),
            "work": sorted(d.isoformat() for d in templates.working_days),
            "years": sorted(templates.calendar_years)}


def stored_calendar(extras: dict[str, list] | None) -> WorkCalendar:
    """The calendar as of the last sync — without reading (or parsing) the templates again."""
    rest, work, years = builtin_days()
    extras = extras or {}
    user_rest = {date.fromisoformat(d) for d in extras.get("rest", [])}
    user_work = {date.fromisoformat(d) for d in extras.get("work", [])}
    return WorkCalendar((rest - user_work) | user_rest, (work - user_rest) | user_work,
                        years | set(extras.get("years", [])))
