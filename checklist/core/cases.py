"""Cases and their statutory clocks: a case list's rows as cases, and each case's items.

A case is what the case-management system exports for it: 案号, 承办人, 立案日期, 结案日期 and 结案方式,
the amounts, the paused periods (暂缓、中止 …), and the dates of seizures, seal expiries and money
received. ``case_items`` turns a case and the rules (``rules:`` files) into the items of its one
list: one per rule and occurrence, identified by (officer, rule key, ``案号#N``). Nothing here reads
a file or a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from checklist.core.calendar import WorkCalendar
from checklist.core.clocks import Paused, due_before, due_within, every
from checklist.core.models import PlannedItem, Rule

# 结案方式 as case systems write them → the word the indicators use
CLOSINGS = {
    "执行完毕": "full", "full": "full",
    "终结本次执行程序": "zhongben", "终本": "zhongben", "zhongben": "zhongben",
    "终结执行": "terminated", "terminated": "terminated",
    "不予执行": "refused", "refused": "refused",
    "驳回申请": "rejected", "rejected": "rejected",
    "销案": "withdrawn", "withdrawn": "withdrawn",
    "和解": "settled", "执行和解": "settled", "settled": "settled",
}
CLOSING_WORDS = ("执行完毕", "终本", "终结执行", "不予执行", "驳回申请", "销案", "和解")
FROM_CLOSING = ("closed", "zhongben")  # rules that start when a case closes: they outlive it
_WIDE = str.maketrans({"（": "(", "）": ")", "〔": "(", "〕": ")", "【": "(", "】": ")", "［": "(", "］": ")",
                       "[": "(", "]": ")", "﹝": "(", "﹞": ")", **{chr(0xFF10 + n): str(n) for n in range(10)}})
NUMBER = re.compile(r"\((\d{4})\)(.+?)(\d+)号")
RANGE = re.compile(r"\s*(\S+?)\s*(?:~|～|至|—|––|--)\s*(\S*)\s*")


def normalise_number(text: str) -> str:
    """'（2026）黑0102执 123 号' → '(2026)黑0102执123号': brackets and digits half-width, no spaces."""
    return re.sub(r"\s+", "", str(text).translate(_WIDE))


def looks_like_number(number: str) -> bool:
    return NUMBER.fullmatch(number) is not None


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[；;,，、\n]", text) if part.strip()]


@dataclass(frozen=True)
class Case:
    number: str  # normalised 案号
    officer: str
    filed: date
    court: str = ""
    closed: date | None = None
    closing: str = ""  # CLOSINGS value: full | zhongben | terminated | refused | rejected | withdrawn | settled
    amount: float | None = None
    paid: float | None = None
    paused: tuple[Paused, ...] = ()
    seized: tuple[date, ...] = ()
    seal_expires: tuple[date, ...] = ()
    funds_received: tuple[date, ...] = ()

    def record(self) -> dict[str, Any]:
        """As the database keeps it."""
        return {
            "number": self.number, "officer": self.officer, "court": self.court, "filed": self.filed.isoformat(),
            "closed": self.closed.isoformat() if self.closed else None, "closing": self.closing or None,
            "amount": self.amount, "paid": self.paid,
            "paused": [[b.isoformat(), e.isoformat() if e else None] for b, e in self.paused],
            "seized": [d.isoformat() for d in self.seized],
            "seal_expires": [d.isoformat() for d in self.seal_expires],
            "funds_received": [d.isoformat() for d in self.funds_received],
        }

    @classmethod
    def from_record(cls, doc: dict[str, Any]) -> Case:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            number=doc["number"], officer=doc["officer"], filed=date.fromisoformat(doc["filed"]),
            court=doc.get("court") or "", closed=day(doc.get("closed")), closing=doc.get("closing") or "",
            amount=doc.get("amount"), paid=doc.get("paid"),
            paused=tuple((date.fromisoformat(b), day(e)) for b, e in doc.get("paused") or []),
            seized=tuple(date.fromisoformat(d) for d in doc.get("seized") or []),
            seal_expires=tuple(date.fromisoformat(d) for d in doc.get("seal_expires") or []),
            funds_received=tuple(date.fromisoformat(d) for d in doc.get("funds_received") or []),
        )

    def starts(self, start: str) -> list[date]:
        """The dates a rule's clock runs from (``from:``), in date order."""
        if start == "filed":
            return [self.filed]
        if start == "closed":
            return [self.closed] if self.closed else []
        if start == "zhongben":
            return [self.closed] if self.closed and self.closing == "zhongben" else []
        return sorted(getattr(self, start))


def case_items(case: Case, rules: Iterable[Rule], calendar: WorkCalendar, as_of: date) -> list[PlannedItem]:
    """The items the rules give ``case``: one per rule and occurrence, period ``案号#N``.

    Once a case is closed, only the rules that start from the closing go on, and the other rules'
    occurrences due after the closing day are not asked for (what fell due before it stays).
    """
    found = []
    for rule in rules:
        for n, due in occurrences(case, rule, calendar, as_of):
            if case.closed and rule.start not in FROM_CLOSING and due > case.closed:
                continue
            found.append(PlannedItem(key=rule.key, period=f"{case.number}#{n}", every="case", due=due,
                                     title=rule.title, priority=rule.priority, campaigns=(), tags=(), sources=(),
                                     basis=rule.basis, case=case.number))
    return found


def occurrences(case: Case, rule: Rule, calendar: WorkCalendar, as_of: date) -> list[tuple[int, date]]:
    """(N, due) for each time ``rule`` falls due for ``case``."""
    starts = case.starts(rule.start)
    paused = case.paused if rule.extend else ()
    if rule.every is not None and rule.length is not None:
        return [(n, due) for start in starts[:1]
                for n, due in enumerate(every(start, rule.every, rule.length, calendar), start=1)]
    found = []
    for n, start in enumerate(starts, start=1):
        if rule.within is not None:
            due = due_within(start, rule.within, calendar, paused=paused, as_of=as_of)
            if rule.before is not None:
                due = due_before(due, rule.before, calendar)
        else:
            assert rule.before is not None
            due = due_before(start, rule.before, calendar)
        found.append((n, due))
    return found


def paused_problem(periods: list[Paused]) -> str | None:
    """Why these paused periods cannot be, or None: an end before its start, two that overlap."""
    for begin, end in periods:
        if end is not None and end < begin:
            return f"{begin}~{end}"
    ordered = sorted(periods, key=lambda p: p[0])
    for (b1, e1), (b2, _e2) in zip(ordered, ordered[1:]):
        if e1 is None or e1 >= b2:
            return f"{b1}~{e1 or ''} / {b2}~"
    return None
