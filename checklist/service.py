"""The library behind the commands: each function does one job and returns data.

Commands in ``checklist.cli`` call one function here and render what it returns. Functions take
``today`` as a parameter and raise ``ChecklistError``s; they never print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from checklist.core.calendar import WorkCalendar
from checklist.core.models import TemplateSet


@dataclass
class ValidationReport:
    summary: str
    warnings: list[str] = field(default_factory=list)


def calendar_warnings(templates: TemplateSet, calendar: WorkCalendar) -> list[str]:
    """One warning per year a campaign runs in that the calendar has no holiday data for."""
    warnings = []
    years: dict[int, list[str]] = {}
    for campaign in templates.campaigns.values():
        for year in range(campaign.start.year, campaign.end.year + 1):
            years.setdefault(year, []).append(campaign.key)
    for year in sorted(years):
        if year not in calendar.years:
            warnings.append(
                f"warning: no holiday data for {year} (campaigns {', '.join(years[year])}); Monday to Friday "
                f"count as working days. Add a calendar: file to the templates folder (see docs/templates.md)."
            )
    return warnings


def uncovered_warning(calendar: WorkCalendar) -> list[str]:
    """After a computation: one warning per year it needed and had no holiday data for."""
    return [
        f"warning: no holiday data for {year}; Monday to Friday count as working days "
        f"(add a calendar: file to the templates folder)"
        for year in sorted(calendar.uncovered)
    ]


def validate_templates(folder: Path, today: date) -> ValidationReport:
    from checklist.calendars import work_calendar
    from checklist.loader import load_templates

    templates = load_templates(folder)
    calendar = work_calendar(templates)
    active = sum(1 for c in templates.campaigns.values() if c.start <= today <= c.end)
    summary = (
        f"{folder}: OK — {len(templates.campaigns)} campaigns ({active} active on {today}), "
        f"{len(templates.duties)} duties, {len(templates.library)} in the duty library"
    )
    return ValidationReport(summary, calendar_warnings(templates, calendar))
