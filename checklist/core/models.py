"""The product's nouns as plain, immutable data: campaigns, duties, officers, merged items.

Nothing here touches files, the clock or the screen; see SPEC.md → Concepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

if TYPE_CHECKING:
    from checklist.core.access import Court, Rules
    from checklist.core.calendar import WorkCalendar
    from checklist.core.clocks import Span

PRIORITIES = ("low", "normal", "high")
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


@dataclass(frozen=True, slots=True)
class Scope:
    """Who a campaign applies to; an empty list means 'any'."""

    courts: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()

    def includes(self, officer: Officer) -> bool:
        return (not self.courts or officer.court in self.courts) and (
            not self.departments or officer.department in self.departments
        )


@dataclass(frozen=True, slots=True)
class Campaign:
    key: str
    name: str
    start: date
    end: date
    short: str = ""
    scope: Scope = Scope()
    where: str = ""  # "file:line" of the campaign, for messages

    @property
    def label(self) -> str:
        """The short name users see in narrow columns."""
        return self.short or self.name or self.key

    def active_on(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Duty:
    """One duty as a campaign (or the duty library) asks for it.

    ``due`` is normalised by schedule: ``week`` → weekday 0 (Mon) … 6 (Sun); ``halfmonth``,
    ``month``, ``quarter`` → day number, with ``last`` stored as the largest day (16 or 31) so
    clamping gives the last day; ``year`` → (month, day); ``once`` → a date; ``day`` → None; the forms
    ``5wd``/``last-wd`` → ``WorkdayDue`` (any schedule from week to year) and ``first-fri`` …
    ``last-mon`` → ``WeekdayDue`` (month only). ``due_text`` keeps what the template said, for display.
    """

    key: str
    title: str
    roles: tuple[str, ...]
    every: str
    due: object
    due_text: str
    priority: str = "normal"
    tags: tuple[str, ...] = ()
    shift: bool = True
    basis: str = ""  # the rule the duty comes from (法律依据), shown with the item
    campaign: str = ""  # campaign key; "" in the duty library
    where: str = ""
    covers: str = ""  # "previous": the report on a period, due in the period after it (每周一报上周)
    only_tagged: tuple[str, ...] = ()  # reaches only people with one of these roster tags (党员)
    phase: str = ""  # a one-off deliverable's stage of the campaign (动员部署 / 集中攻坚 / 总结验收)
    target: Target | None = None
    distinct_from: tuple[str, ...] = ()  # keys of duties `templates lint` should not call this one's duplicate


@dataclass(frozen=True, slots=True)
class Target:
    """``target: 30 件`` — what a duty asks each person holding it to reach in the campaign; with
    ``measure`` (one of ``MEASURES``) the indicators count it from the imported cases."""

    count: float
    unit: str
    measure: str = ""

    @property
    def text(self) -> str:
        number = int(self.count) if self.count == int(self.count) else self.count
        return f"{number} {self.unit}".strip() if self.unit.isascii() else f"{number}{self.unit}"


# what a target can be counted by, from each person's cases closed in the campaign: any closing, 执行完毕,
# 终本, or a case filed more than 12 months before it closed (清理长期未结)
MEASURES = ("closed", "full", "zhongben", "old-closed")


@dataclass(frozen=True, slots=True)
class WorkdayDue:
    """``due: 5wd`` — the N-th working day of the period (调休 days count, holidays do not); ``last-wd``:
    n = -1. Already a working day, so never shifted."""

    n: int


@dataclass(frozen=True, slots=True)
class WeekdayDue:
    """``due: first-fri`` … ``2nd-tue``, ``last-mon`` — the N-th given weekday (0 Mon … 6 Sun) of a month;
    n = -1 for the last. Shifted off a rest day like any date."""

    n: int
    weekday: int


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    name: str = ""
    court: str = ""
    department: str = ""
    roles: tuple[str, ...] = ()
    lead: str = ""
    since: date | None = None
    until: date | None = None  # the last day they work here (离岗日期); no items after it
    login: str = ""  # the account they act as (账号); their id when empty
    tags: tuple[str, ...] = ()  # roster tags (标签): 党员, 速执团队 … a duty may be for tagged people only

    @property
    def account(self) -> str:
        """The name they act as: their login, else their id."""
        return self.login or self.id

    @property
    def shown(self) -> str:
        """'周敏 (DL001)' — or the id alone for someone without a name."""
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(frozen=True, slots=True)
class Source:
    """One campaign's part in a merged item: its own wording and whether it was absorbed."""

    campaign: str
    title: str
    every: str
    absorbed: bool = False


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One line of a merged list for one period (before any officer or status is attached)."""

    key: str
    period: str
    every: str
    due: date
    title: str
    priority: str
    campaigns: tuple[str, ...]
    tags: tuple[str, ...]
    sources: tuple[Source, ...] = field(default=())
    basis: str = ""
    case: str = ""  # the 案号, for an item a case's clock asks for


RULE_STARTS = ("filed", "closed", "zhongben", "seized", "seal_expires", "funds_received")


@dataclass(frozen=True, slots=True)
class Rule:
    """One statutory clock (节点) per case: from a case date, ``within`` a period, ``before`` a date, or
    ``every`` period ``length`` long; ``extend``: paused periods lengthen it. ``courts``: a local rule
    that replaces the general one of the same key for those courts."""

    key: str
    title: str
    start: str  # RULE_STARTS
    within: Span | None = None
    before: Span | None = None
    every: Span | None = None
    length: Span | None = None  # `for:` with `every:`
    extend: bool = False
    roles: tuple[str, ...] = ("officer",)
    basis: str = ""
    priority: str = "normal"
    courts: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True, slots=True)
class Phase:
    """A stage of a campaign (动员部署, 集中攻坚, 总结验收): from the day after the previous stage's last
    deliverable (the campaign's start for the first) to its own last deliverable (the campaign's end
    for the last stage)."""

    campaign: str
    name: str
    start: date
    end: date

    @property
    def key(self) -> str:
        """The report's group key: ``thunder-2026:集中攻坚`` (a campaign key holds no colon)."""
        return f"{self.campaign}:{self.name}"


def phases_of(campaign: Campaign, duties: Iterable[Duty],
              due_of: Callable[[Campaign, Duty], date | None] | None = None) -> tuple[Phase, ...]:
    """The campaign's stages, in the order of their deliverables (``phase:`` on its one-off duties).

    ``due_of`` gives a deliverable's due date as its item has it (moved off a rest day); without it,
    the date the template gives. The last stage has no end: what falls due after the campaign (a
    report on its last week, a date moved off a holiday) still counts in it.
    """
    last: dict[str, date] = {}
    for duty in duties:
        if duty.campaign == campaign.key and duty.phase and isinstance(duty.due, date):
            due = due_of(campaign, duty) if due_of is not None else duty.due
            if due is not None:
                last[duty.phase] = max(last.get(duty.phase, due), due)
    order = sorted(last, key=lambda name: (last[name], name))
    found, start = [], campaign.start
    for n, name in enumerate(order):
        end = date.max if n == len(order) - 1 else last[name]
        found.append(Phase(campaign.key, name, start, end))
        if end < date.max:
            start = end + timedelta(days=1)
    return tuple(found)


def reaches(duty: Duty, officer: Officer) -> bool:
    """A duty for tagged people only (``only_tagged: [党员]``) reaches those with one of the tags."""
    return not duty.only_tagged or not set(duty.only_tagged).isdisjoint(officer.tags)


@dataclass(frozen=True)
class TemplateSet:
    """Everything read from a templates folder, validated and resolved against the library."""

    campaigns: dict[str, Campaign]
    duties: tuple[Duty, ...]
    library: dict[str, Duty]
    rest_days: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    calendar_years: frozenset[int] = frozenset()
    titles: Mapping[str, str] = field(default_factory=dict)  # job title → level; empty: the shipped ones
    courts: Mapping[str, Court] = field(default_factory=dict)
    clocks: tuple[Rule, ...] = ()  # statutory clocks per case, from `rules:` files

    def clock_rules(self, court: str) -> list[Rule]:
        """The rules a case of ``court`` runs: the general ones, each replaced by a local one of that court."""
        local = {r.key: r for r in self.clocks if court in r.courts}
        general = [r for r in self.clocks if not r.courts and r.key not in local]
        return sorted([*general, *local.values()], key=lambda r: r.key)

    @property
    def rules(self) -> Rules:
        from checklist.core.access import Rules, builtin_titles

        return Rules(self.titles or builtin_titles(), self.courts)

    def unheld(self, officers: list[Officer]) -> list[tuple[Duty, str]]:
        """Each (duty, role) of a campaign that no officer in the campaign's scope holds (a title or its level)."""
        titles = self.rules.titles
        found = []
        for duty in self.duties:
            scope = self.campaigns[duty.campaign].scope
            held = {r for o in officers if scope.includes(o) for t in o.roles for r in (t, titles.get(t, t))}
            found += [(duty, role) for role in duty.roles if role not in held]
        return found

    def untagged(self, officers: list[Officer]) -> list[Duty]:
        """Each duty for tagged people (``only_tagged``) that nobody in its campaign's scope is tagged for."""
        return [d for d in self.duties if d.only_tagged and not any(
            self.campaigns[d.campaign].scope.includes(o) and reaches(d, o) for o in officers)]

    def phases(self, calendar: WorkCalendar | None = None) -> dict[str, tuple[Phase, ...]]:
        """Each campaign's stages (only campaigns that name any); with ``calendar``, ended by the days
        their deliverables' items fall due."""
        from checklist.core.schedule import occurrences

        def item_due(campaign: Campaign, duty: Duty) -> date | None:
            assert calendar is not None
            return next((o.due for o in occurrences(campaign, duty, calendar)), None)

        found = {key: phases_of(c, self.duties, item_due if calendar is not None else None)
                 for key, c in self.campaigns.items()}
        return {key: phases for key, phases in found.items() if phases}

    def duties_for(self, officer: Officer) -> list[tuple[Campaign, Duty]]:
        """Every (campaign, duty) that applies to ``officer`` by scope and role (a title or its level)."""
        titles = self.rules.titles
        roles = set(officer.roles) | {titles[r] for r in officer.roles if r in titles}
        found = []
        for duty in self.duties:
            campaign = self.campaigns[duty.campaign]
            if campaign.scope.includes(officer) and roles.intersection(duty.roles) and reaches(duty, officer):
                found.append((campaign, duty))
        return found
