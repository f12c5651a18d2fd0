"""``templates lint``: what a careful reader of several 实施方案 would query before they are merged.

Two kinds of finding, each naming the templates' lines:

* **near-duplicate** — two duties under different keys, in different campaigns, that look like one
  duty: a role in common, titles alike (``similarity`` at least ``ALIKE``), and schedules that could
  merge (both recurring, at most one step apart: weekly and half-monthly, not daily and yearly).
  If they are one duty, give them one key; if not, say so with ``distinct_from: [other-key]``.
* **one key, two duties** — duties sharing a key whose ``basis`` differ, whose titles share no word,
  or which a statutory duty (one with a ``basis`` in the duty library) is asked on another schedule
  by a campaign: the merge would make them one line, and one of them would go unasked.

A finding is advice, not a refusal. Nothing here reads a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from checklist.core.models import Duty, TemplateSet
from checklist.core.periods import EVERY
from checklist.i18n import _, every_word

ALIKE = 0.5
RANK = {every: n for n, every in enumerate(EVERY)}
# words every duty title has: they say nothing about which duty it is
COMMON = ("案件", "执行", "工作", "情况", "每周", "每月", "每季", "报送", "开展", "进行", "有关", "相关", "落实")
_NOISE = re.compile(r"[\s\d（）()【】\[\]《》〈〉“”\"'‘’、，,。.:：;；！!？?·\-—/]+")


@dataclass(frozen=True)
class Finding:
    code: str  # "near-duplicate" | "key-conflict"
    where: str  # FILE:LINE of the first duty
    message: str
    keys: tuple[str, ...]
    also: str = ""  # FILE:LINE of the other duty


def words(title: str) -> set[str]:
    """A title's character pairs (bigrams), without punctuation, digits and the words every title has."""
    text = _NOISE.sub(" ", title)
    for word in COMMON:
        text = text.replace(word, " ")
    return {part[i:i + 2] for part in text.split() for i in range(len(part) - 1)}


def similarity(a: str, b: str) -> float:
    """How alike two titles are: shared character pairs over all (Dice's coefficient), 0 … 1."""
    x, y = words(a), words(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _mergeable(a: Duty, b: Duty) -> bool:
    return "once" not in (a.every, b.every) and abs(RANK[a.every] - RANK[b.every]) <= 1


def lint(templates: TemplateSet) -> list[Finding]:
    """Every finding, in the order of the files' lines."""
    found: list[Finding] = []
    library = templates.library
    # near-duplicates: the campaigns' duties under different keys (a library duty stands for its key)
    by_key: dict[str, Duty] = {}
    for duty in templates.duties:
        by_key.setdefault(duty.key, library.get(duty.key) or duty)
    apart: dict[str, set[str]] = {}  # distinct_from, said on any of a key's duties (the library's or a campaign's)
    for duty in (*library.values(), *templates.duties):
        apart.setdefault(duty.key, set()).update(duty.distinct_from)
    for a, b in combinations(sorted(by_key.values(), key=lambda d: d.key), 2):
        if a.key in apart.get(b.key, ()) or b.key in apart.get(a.key, ()):
            continue
        owners_a = {d.campaign for d in templates.duties if d.key == a.key}
        owners_b = {d.campaign for d in templates.duties if d.key == b.key}
        if owners_a == owners_b and len(owners_a) == 1:
            continue  # one campaign's own two duties: its author meant two
        if not set(a.roles) & set(b.roles) or not _mergeable(a, b):
            continue
        alike = similarity(a.title, b.title)
        if alike >= ALIKE:
            found.append(Finding("near-duplicate", a.where, _(
                "'{a}' ({title_a}) and '{b}' ({title_b}) look like one duty under two keys: titles {share:.0%} "
                "alike, both for {role}, {every_a} and {every_b}; give them one key, or add distinct_from: [{b}] "
                "if they are two").format(a=a.key, title_a=a.title, b=b.key, title_b=b.title, share=alike,
                                          role="/".join(sorted(set(a.roles) & set(b.roles))),
                                          every_a=every_word(a.every), every_b=every_word(b.every)), (a.key, b.key), b.where))
    # one key, two duties
    for key in sorted({d.key for d in templates.duties}):
        sources = [d for d in templates.duties if d.key == key]
        base = library.get(key)
        first = base or sources[0]
        for duty in sources:
            if duty is first:
                continue
            if base is not None and base.basis and duty.every != base.every:
                message = _("'{key}' is a statutory duty in the library ({every_lib}: {basis}); {campaign} asks it "
                            "{every}: if it is another duty, give it its own key").format(
                    key=key, every_lib=every_word(base.every), basis=base.basis, campaign=duty.campaign,
                    every=every_word(duty.every))
            elif duty.basis and first.basis and duty.basis != first.basis:
                message = _("'{key}' has two bases: '{a}' and '{b}' ({campaign}); one key is one duty").format(
                    key=key, a=first.basis, b=duty.basis, campaign=duty.campaign)
            elif duty.title != first.title and not words(duty.title) & words(first.title):
                message = _("'{key}' is '{a}' and, in {campaign}, '{b}': the titles share no word; if they are two "
                            "duties, give them two keys").format(key=key, a=first.title, b=duty.title,
                                                               campaign=duty.campaign)
            else:
                continue
            found.append(Finding("key-conflict", duty.where, message, (key,), first.where))
    return sorted(found, key=lambda f: _place(f.where))


def _place(where: str) -> tuple[str, int]:
    path, _sep, line = where.rpartition(":")
    return (path, int(line)) if line.isdigit() else (where, 0)
