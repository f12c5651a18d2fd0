"""Merging every campaign's duties into one list per officer (SPEC.md → Merging into one list).

For one officer, the duties of every campaign in scope whose role matches are grouped by key:
the same key is the same duty. Within a key:

* sources with the same schedule give one item per period, due on the earliest of their dates;
* a source's period P is **absorbed** when another source with a finer schedule
  (day < week < halfmonth < month < quarter < year < once) is active for the whole of P; the
  finer items due inside both P and the absorbed campaign's window then credit it too;
* otherwise the source's item stands — and it also stands when no finer item falls due inside
  both P and the absorbed campaign's window (a short campaign at a month's end, say), so a
  campaign's duty never vanishes without an item crediting it.

A merged item takes its title from the duty library if the key is there, else from the source
with the finest schedule (ties: the campaign key that sorts first); its priority is the highest
and its tags the union over every campaign it credits, absorbed ones included.

Everything here is deterministic and independent of the order templates were read in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from checklist.core.calendar import WorkCalendar
from checklist.core.models import PRIORITY_RANK, Campaign, Duty, Officer, PlannedItem, Source, Target, TemplateSet
from checklist.core.periods import RANK, Period, parse_period
from checklist.core.schedule import Occurrence, occurrences


@dataclass
class _Slot:
    """One (schedule, period) of a key while it is being merged."""

    period: Period
    due: date
    standing: dict[str, Duty] = field(default_factory=dict)
    absorbed: dict[str, Duty] = field(default_factory=dict)


def merge_key(
    sources: list[tuple[Campaign, Duty]], library_duty: Duty | None, calendar: WorkCalendar
) -> list[PlannedItem]:
    """The merged items of one key, given every (campaign, duty) that asks for it."""
    sources = sorted(sources, key=lambda s: (RANK[s[1].every], s[0].key))
    slots: dict[tuple[str, str], _Slot] = {}
    absorbed: list[tuple[Campaign, Duty, Occurrence]] = []

    def stand(campaign: Campaign, duty: Duty, occ: Occurrence) -> None:
        slot = slots.get((duty.every, occ.period.id))
        if slot is None:
            slots[(duty.every, occ.period.id)] = _Slot(occ.period, occ.due, {campaign.key: duty})
        else:
            slot.due = min(slot.due, occ.due)
            slot.standing[campaign.key] = duty

    for campaign, duty in sources:
        finer = [c for c, d in sources if RANK[d.every] < RANK[duty.every]]
        for occ in occurrences(campaign, duty, calendar):
            period = occ.period
            if any(c.start <= period.start and period.end <= c.end for c in finer):
                absorbed.append((campaign, duty, occ))
            else:
                stand(campaign, duty, occ)

    # Finer sources first, so one that ends up standing can take credit for coarser ones in turn.
    for campaign, duty, occ in sorted(absorbed, key=lambda a: (RANK[a[1].every], a[0].key, a[2].period.start)):
        first, last = max(occ.period.start, campaign.start), min(occ.period.end, campaign.end)
        credited = [slot for slot in slots.values()
                    if RANK[slot.period.every] < RANK[duty.every] and first <= slot.due <= last]
        if not credited:  # nothing finer falls due in time: the duty would vanish, so it stands
            stand(campaign, duty, occ)
        for slot in credited:
            slot.absorbed.setdefault(campaign.key, duty)

    return [_item(slot, library_duty) for slot in slots.values()]


def _item(slot: _Slot, library_duty: Duty | None) -> PlannedItem:
    credits = {**slot.absorbed, **slot.standing}
    ordered = sorted(credits.items())
    if library_duty is not None:
        title = library_duty.title
    else:
        title = min(slot.standing.items(), key=lambda kv: (RANK[kv[1].every], kv[0]))[1].title
    tags: list[str] = []
    for _, duty in ordered:
        tags.extend(t for t in duty.tags if t not in tags)
    some = next(iter(slot.standing.values()))
    bases = [library_duty.basis] if library_duty is not None else []
    bases += [d.basis for _, d in ordered]
    return PlannedItem(
        key=some.key,
        period=slot.period.id,
        every=slot.period.every,
        due=slot.due,
        title=title,
        priority=max((d.priority for d in credits.values()), key=PRIORITY_RANK.__getitem__),
        campaigns=tuple(key for key, _ in ordered),
        tags=tuple(tags),
        sources=tuple(
            Source(key, duty.title, duty.every, absorbed=key not in slot.standing) for key, duty in ordered
        ),
        basis=next((b for b in bases if b), ""),
    )


def merge_sources(
    sources: list[tuple[Campaign, Duty]], templates: TemplateSet, calendar: WorkCalendar
) -> list[PlannedItem]:
    """Merged items for a set of applicable duties (officers with the same set share the result)."""
    by_key: dict[str, list[tuple[Campaign, Duty]]] = defaultdict(list)
    for campaign, duty in sources:
        by_key[duty.key].append((campaign, duty))
    items: list[PlannedItem] = []
    for key in sorted(by_key):
        items.extend(merge_key(by_key[key], templates.library.get(key), calendar))
    items.sort(key=lambda i: (i.due, i.key, i.period))
    return items


def merge_with_cases(
    items: list[PlannedItem], case_items: list[PlannedItem], campaigns: dict[str, Campaign]
) -> tuple[list[PlannedItem], list[PlannedItem]]:
    """One officer's campaign items and case items, merged where a campaign duty names a rule's key.

    A rule's per-case items are the finest schedule of its key. So a campaign item of that key is
    absorbed, campaign by campaign, when a case item falls due inside its period and that
    campaign's window; those case items then credit the campaign. A campaign that no case item
    falls due for keeps its item (the same rule as ``merge_key``: a duty never vanishes without an
    item crediting it). Returns (the campaign items left, the case items with their credits).
    """
    by_key: dict[str, list[int]] = defaultdict(list)
    for n, item in enumerate(case_items):
        by_key[item.key].append(n)
    credits: dict[int, list[tuple[Source, PlannedItem]]] = defaultdict(list)
    kept: list[PlannedItem] = []
    for item in items:
        mine = by_key.get(item.key)
        if not mine:
            kept.append(item)
            continue
        period = _period_of(item)
        standing = []
        for source in item.sources:
            campaign = campaigns.get(source.campaign)
            first = max(period.start, campaign.start) if campaign else period.start
            last = min(period.end, campaign.end) if campaign else period.end
            hits = [n for n in mine if first <= case_items[n].due <= last]
            for n in hits:
                credits[n].append((replace(source, absorbed=True), item))
            if not hits:
                standing.append(source)
        if len(standing) == len(item.sources):
            kept.append(item)
        elif standing:
            names = {s.campaign for s in standing}
            kept.append(replace(item, sources=tuple(standing),
                                campaigns=tuple(c for c in item.campaigns if c in names)))
    merged = list(case_items)
    for n, found in credits.items():
        case = case_items[n]
        sources = {s.campaign: s for s in case.sources}
        tags = list(case.tags)
        priority = case.priority
        for source, item in found:
            sources.setdefault(source.campaign, source)
            tags.extend(t for t in item.tags if t not in tags)
            priority = max(priority, item.priority, key=PRIORITY_RANK.__getitem__)
        merged[n] = replace(case, sources=tuple(sources[k] for k in sorted(sources)), campaigns=tuple(sorted(sources)),
                            tags=tuple(tags), priority=priority)
    return kept, merged


def _period_of(item: PlannedItem) -> Period:
    if item.every == "once":  # a one-off's period is its campaigns' window: any case item inside one counts
        return Period("once", "once", date.min, date.max)
    return parse_period(item.period)


def items_for(
    officer: Officer, templates: TemplateSet, calendar: WorkCalendar, *, since: date | None = None
) -> list[PlannedItem]:
    """One officer's merged list over every campaign window, from their start date on."""
    start = since or officer.since
    items = merge_sources(templates.duties_for(officer), templates, calendar)
    return [i for i in items if start is None or i.due >= start]


# -- the plan: what the merge does for one officer --------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    key: str
    title: str
    every: str  # the finest schedule among the sources
    campaigns: tuple[str, ...]
    sources: tuple[tuple[Campaign, Duty], ...]

    @property
    def phase(self) -> str:
        return next((d.phase for _c, d in self.sources if d.phase), "")

    @property
    def target(self) -> Target | None:
        return next((d.target for _c, d in self.sources if d.target), None)

    @property
    def only_tagged(self) -> tuple[str, ...]:
        """The tags the line is for (empty: anyone holding the role, as one of its sources asks)."""
        if not all(d.only_tagged for _c, d in self.sources):
            return ()
        return tuple(dict.fromkeys(t for _c, d in self.sources for t in d.only_tagged))


@dataclass(frozen=True)
class Plan:
    lines: tuple[PlanLine, ...]
    duties: int
    campaigns: int

    @property
    def merged(self) -> int:
        return self.duties - len(self.lines)


def plan_for(officer: Officer, templates: TemplateSet, *, today: date | None = None) -> Plan:
    """The officer's merged duty list, one line per key, with where each line comes from.

    With ``today``, campaigns that ended before it are left out.
    """
    sources = [
        (c, d) for c, d in templates.duties_for(officer) if today is None or c.end >= today
    ]
    by_key: dict[str, list[tuple[Campaign, Duty]]] = defaultdict(list)
    for campaign, duty in sources:
        by_key[duty.key].append((campaign, duty))
    lines = []
    def order(key: str) -> tuple:  # by schedule, finest first; one-off deliverables by their dates
        dates = [d.due for _c, d in by_key[key] if isinstance(d.due, date)]
        return min(RANK[d.every] for _c, d in by_key[key]), min(dates) if dates else date.min, key

    for key in sorted(by_key, key=order):
        group = sorted(by_key[key], key=lambda s: (RANK[s[1].every], s[0].key))
        library_duty = templates.library.get(key)
        lines.append(
            PlanLine(
                key=key,
                title=library_duty.title if library_duty else group[0][1].title,
                every=group[0][1].every,
                campaigns=tuple(sorted({c.key for c, _ in group})),
                sources=tuple(group),
            )
        )
    return Plan(lines=tuple(lines), duties=len(sources), campaigns=len({c.key for c, _ in sources}))
