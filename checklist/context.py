"""A command's context: which database, which templates, what day it is, who acts, and the clock.

Two times matter and are kept apart. ``today`` is the day the work is for — the real date, or the
as-of date ``CHECKLIST_TODAY`` sets (tests, "as of" reports) — and history entries say it in
``at``. ``clock`` is the real clock: every entry also says when it was really ``recorded``, so a
claim for an earlier day shows as such (``checklist report`` lists claims recorded late). Tests
that need a fixed clock pass one; the command line always uses the real one.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from checklist.i18n import _

if TYPE_CHECKING:
    from checklist.core.calendar import WorkCalendar
    from checklist.core.models import TemplateSet
    from checklist.store import Store


def real_clock() -> datetime:
    return datetime.now().astimezone()


@dataclass
class Env:
    """Where this run reads and writes, what day it is, who is acting, and the clock."""

    db: str | Path
    templates: Path | None  # the folder given with --templates / CHECKLIST_TEMPLATES, if any
    today: date
    actor: str = ""  # who the history names: the acting roster person's id once known (see checklist.identity)
    wait: float = 10.0
    clock: Callable[[], datetime] | None = None  # None: the real clock
    user: str = ""  # the account the user runs as: CHECKLIST_USER, else the login name
    actor_name: str = ""

    def __post_init__(self) -> None:
        if not self.user:
            self.user = self.actor

    def who(self) -> dict[str, str]:
        """The history's actor fields."""
        return {"actor": self.actor, "actor_name": self.actor_name} if self.actor_name else {"actor": self.actor}

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else real_clock()

    def store(self) -> Store:
        from checklist.store import open_store

        return open_store(self.db, wait=self.wait)

    def templates_folder(self) -> Path:
        """The folder to apply when none is applied yet: the one given, else the shipped templates."""
        from checklist.paths import shipped_templates

        return self.templates if self.templates is not None else shipped_templates()

    def at(self, day: date | None = None) -> str:
        """The moment work is claimed for: ``day`` (default today) at the clock's time of day."""
        clock = self.now()
        return datetime.combine(day or self.today, clock.timetz()).isoformat(timespec="seconds")

    def recorded(self) -> str:
        """The real clock time, as history records it."""
        return self.now().isoformat(timespec="seconds")


def default_actor() -> str:
    name = os.environ.get("CHECKLIST_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def calendar_warnings(templates: TemplateSet, calendar: WorkCalendar) -> list[str]:
    """One warning per year a campaign runs in that the calendar has no holiday data for."""
    years: dict[int, list[str]] = {}
    for campaign in templates.campaigns.values():
        for year in range(campaign.start.year, campaign.end.year + 1):
            years.setdefault(year, []).append(campaign.key)
    return [
        _("warning: no holiday data for {year} (campaigns {keys}); Monday to Friday count as working days. Add a "
          "calendar: file to the templates folder (see docs/templates.md).").format(year=year, keys=", ".join(keys))
        for year, keys in sorted(years.items())
        if year not in calendar.years
    ]


def uncovered_warnings(calendar: WorkCalendar) -> list[str]:
    """After a computation: one warning per year it needed and had no holiday data for."""
    return [
        _("note: items due in {year} count Monday to Friday as working days until holiday data for {year} is "
          "installed (pip install -U chinesecalendar, then checklist sync) or given in a calendar: file").format(
            year=year)
        for year in sorted(calendar.uncovered)
    ]
