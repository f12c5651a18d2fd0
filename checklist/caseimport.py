"""`checklist import cases`: the case list a case-management system exports, in.

Columns, in English or Chinese (SPEC.md → Cases and statutory clocks):

    case / 案号   officer / 承办人 (工号, or a name unique on the roster)   filed / 立案日期
    closed / 结案日期   closing / 结案方式   amount / 申请执行标的   paid / 到位金额
    paused / 暂缓中止期间 (2026-03-01~2026-04-15；2026-06-01~)   seized / 查封日期
    seal_expires / 查封到期日   funds_received / 案款到账日 (several dates: ；or ,)

All or nothing and idempotent, like every import: each row is checked first and every problem is
named with its FILE:ROW; a re-import changes only what changed. A case whose officer changed has
its open items handed to the new one (in both histories); a case that closed stops asking for
what its clocks would have asked after the closing. Then the officers concerned are synced, so the
clocks' items are on their lists at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from checklist.context import Env
from checklist.core.cases import CLOSING_WORDS, CLOSINGS, Case, normalise_number, paused_problem, split_list
from checklist.i18n import _, ngettext
from checklist.store import Change

ALIASES: dict[str, tuple[str, ...]] = {
    "case": ("案号", "执行案号", "案件编号", "number"),
    "officer": ("承办人", "承办法官", "承办人工号", "执行员"),
    "filed": ("立案日期", "立案时间", "收案日期"),
    "closed": ("结案日期", "结案时间"),
    "closing": ("结案方式",),
    "amount": ("申请执行标的", "执行标的", "标的额", "申请执行标的额"),
    "paid": ("到位金额", "执行到位金额", "实际到位金额"),
    "paused": ("暂缓中止期间", "扣除期间", "中止期间", "暂缓期间"),
    "seized": ("查封日期", "查扣冻日期", "查封扣押冻结日期"),
    "seal_expires": ("查封到期日", "查封到期日期", "冻结到期日"),
    "funds_received": ("案款到账日", "案款到账日期", "到账日期"),
}
MAX_NUMBER = 60  # a 案号 is about 20 characters
MONEY = re.compile(r"^-?\d+(\.\d+)?$")
PERIOD = re.compile(r"(\S+?)\s*(?:~|～|至|——|--)\s*(\S*)")


@dataclass
class CaseImport:
    path: str
    rows: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    reassigned: int = 0
    items: int = 0  # items the clocks put on lists (new)
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = _("{file}: {n} cases: {added} new, {updated} changed, {unchanged} unchanged").format(
            file=self.path, n=self.rows, added=self.added, updated=self.updated, unchanged=self.unchanged)
        if self.reassigned:
            text += _("; ") + ngettext("{n} handed to another officer", "{n} handed to other officers",
                                    self.reassigned).format(n=self.reassigned)
        text += _("; ") + ngettext("{n} new item", "{n} new items", self.items).format(n=self.items)
        return text + (" " + _("(dry run: nothing was written)") if self.dry_run else "")

    def as_json(self) -> dict[str, Any]:
        return {"file": self.path, "rows": self.rows, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "reassigned": self.reassigned, "items": self.items,
                "dry_run": self.dry_run, "warnings": self.warnings}


def _money(value: Any) -> float | str | None:
    from checklist.spreadsheets import text_of

    if value is None or text_of(value) == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = float(value)
    else:
        text = text_of(value).replace(",", "").replace("，", "").replace("元", "").strip()
        scale = 10000.0 if text.endswith("万") else 1.0
        text = text.rstrip("万")
        if not MONEY.match(text):
            return _("'{value}' is not an amount of money").format(value=text_of(value))
        amount = float(text) * scale
    if amount < 0:
        return _("'{value}' is less than nothing").format(value=text_of(value))
    return round(amount, 2)


def _dates(value: Any) -> list[date] | str:
    from checklist.spreadsheets import date_of, text_of

    if value is None or text_of(value) == "":
        return []
    single = date_of(value) if not isinstance(value, str) else None
    if isinstance(single, date):
        return [single]
    found = []
    for part in split_list(text_of(value)):
        day = date_of(part)
        if not isinstance(day, date):
            return day or _("'{value}' is not a date").format(value=part)
        found.append(day)
    return sorted(set(found))


def _periods(value: Any) -> list[tuple[date, date | None]] | str:
    from checklist.spreadsheets import date_of, text_of

    text = text_of(value)
    if not text:
        return []
    found: list[tuple[date, date | None]] = []
    for part in split_list(text):
        match = PERIOD.fullmatch(part)
        if match is None:
            return _("'{value}' is not a period: write 2026-03-01~2026-04-15 (or 2026-06-01~ while it lasts)").format(
                value=part)
        begin_text, end_text = match.groups()
        begin = date_of(begin_text)
        end = date_of(end_text) if end_text.strip() else None
        if not isinstance(begin, date) or isinstance(end, str):
            return _("'{value}' is not a period: write 2026-03-01~2026-04-15 (or 2026-06-01~ while it lasts)").format(
                value=part)
        found.append((begin, end))
    problem = paused_problem(found)
    if problem is not None:
        return _("paused periods must not end before they start or overlap ({periods})").format(periods=problem)
    return sorted(found, key=lambda p: p[0])


def _officer(value: Any, roster: dict[str, Any], by_name: dict[str, list[Any]]) -> Any:
    """The roster officer a cell names (工号, or a name unique on the roster), or why not."""
    from checklist.spreadsheets import clean, text_of

    text = clean(text_of(value))
    if not text:
        return _("empty")
    if text in roster:
        return roster[text]
    named = by_name.get(text, [])
    if len(named) == 1:
        return named[0]
    if named:
        return _("'{name}' is the name of {n} people on the roster ({ids}); give the 工号").format(
            name=text, n=len(named), ids=", ".join(o.id for o in named))
    return _("'{value}' is neither a 工号 nor a name on the roster").format(value=text)


OPTIONAL = {"closed": ("closed", "closing"), "closing": ("closed", "closing"), "amount": ("amount",),
            "paid": ("paid",), "paused": ("paused",), "seized": ("seized",), "seal_expires": ("seal_expires",),
            "funds_received": ("funds_received",)}


def keep_absent(case: Case, old: dict[str, Any], columns: dict[str, str]) -> Case:
    """``case`` with the fields of columns the file does not have taken from the stored case: a narrower
    export does not reopen closed cases or forget receipts."""
    from dataclasses import replace

    stored = Case.from_record(old)
    kept = {field: getattr(stored, field) for column, fields in OPTIONAL.items() if column not in columns
            for field in fields}
    return replace(case, **kept) if kept else case


def import_cases(env: Env, path: Path, *, sheet: str | None = None, encoding: str | None = None,
                 mapping: dict[str, str] | None = None, dry_run: bool = False) -> CaseImport:
    from checklist.identity import require_manage, writer_access
    from checklist.spreadsheets import clean, date_of, read_sheet, refuse, text_of
    from checklist.sync import applied, plan_sync
    from checklist.work import hand_over

    table = read_sheet(path, ALIASES, ("case", "officer", "filed"), sheet=sheet, encoding=encoding, mapping=mapping)
    result = CaseImport(table.path, 0, dry_run=dry_run)
    store = env.store()
    with (store.reading() if dry_run else store.writing()) as session:
        access, env = writer_access(session, env)
        require_manage(access, what=_("importing cases"))
        roster = access.roster
        by_name: dict[str, list[Any]] = {}
        for person in roster.values():
            if person.name:
                by_name.setdefault(person.name, []).append(person)
        problems: list[str] = []
        cases: dict[str, tuple[int, Case]] = {}
        for row in table.rows:
            where = f"{table.path}:{row.number}"
            values = row.values
            bad: list[str] = []
            number = normalise_number(clean(text_of(values.get("case"))))
            if not number:
                bad.append("case: " + _("empty"))
            elif len(number) > MAX_NUMBER:
                bad.append("case: " + _("'{value}…' is too long for a 案号").format(value=number[:20]))
            person = _officer(values.get("officer"), roster, by_name)
            if isinstance(person, str):
                bad.append("officer: " + person)
            elif not access.may_manage([person.court]):
                bad.append("officer: " + _("{officer} works at {court}, not in your courts").format(
                    officer=person.shown, court=person.court or _("(no court)")))
            dates: dict[str, Any] = {}
            for name in ("filed", "closed"):
                day = date_of(values.get(name))
                if isinstance(day, str):
                    bad.append(f"{name}: {day}")
                elif day is not None and day > env.today:
                    bad.append(f"{name}: " + _("{day} is after today ({today})").format(day=day, today=env.today))
                else:
                    dates[name] = day
            if "filed" in dates and dates["filed"] is None:
                bad.append("filed: " + _("empty"))
            if dates.get("filed") and dates.get("closed") and dates["closed"] < dates["filed"]:
                bad.append("closed: " + _("{closed} is before the case was filed ({filed})").format(
                    closed=dates["closed"], filed=dates["filed"]))
            closing_text = clean(text_of(values.get("closing")))
            closing = CLOSINGS.get(closing_text.lower(), CLOSINGS.get(closing_text, "")) if closing_text else ""
            if closing_text and not closing:
                bad.append("closing: " + _("'{value}' is not a way a case closes ({words})").format(
                    value=closing_text, words="、".join(CLOSING_WORDS)))
            elif closing and not dates.get("closed") and "closed" in dates:
                bad.append("closed: " + _("empty, but the case closed ({how})").format(how=closing_text))
            elif dates.get("closed") and not closing_text:
                bad.append("closing: " + _("empty, but the case closed on {day}").format(day=dates["closed"]))
            money = {name: _money(values.get(name)) for name in ("amount", "paid")}
            bad += [f"{name}: {value}" for name, value in money.items() if isinstance(value, str)]
            paused = _periods(values.get("paused"))
            if isinstance(paused, str):
                bad.append("paused: " + paused)
            lists = {name: _dates(values.get(name)) for name in ("seized", "seal_expires", "funds_received")}
            bad += [f"{name}: {value}" for name, value in lists.items() if isinstance(value, str)]
            if bad:
                problems += [f"{where}: {b}" for b in bad]
                continue
            case = Case(number=number, officer=person.id, court=person.court, filed=dates["filed"],
                        closed=dates.get("closed"), closing=closing, amount=money["amount"], paid=money["paid"],
                        paused=tuple(paused), seized=tuple(lists["seized"]),  # type: ignore[arg-type]
                        seal_expires=tuple(lists["seal_expires"]),  # type: ignore[arg-type]
                        funds_received=tuple(lists["funds_received"]))  # type: ignore[arg-type]
            earlier = cases.get(number)
            if earlier is not None and earlier[1] != case:
                problems.append(f"{where}: case: " + _("{number} is also on row {row}, with different data").format(
                    number=number, row=earlier[0]))
                continue
            cases.setdefault(number, (row.number, case))
        refuse(table, problems)
        result.rows = len(cases)
        stored = {c["number"]: c for c in session.cases()}
        change = Change()
        moved: set[str] = set()
        worked: set[tuple[str, str]] = set()
        for number, (row_number, case) in sorted(cases.items()):
            old = stored.get(number)
            if old is not None:
                case = keep_absent(case, old, table.columns)  # a column the file lacks keeps what was stored
                if not access.may_manage([old.get("court") or ""]):
                    problems.append(f"{table.path}:{row_number}: case: " + _(
                        "{number} is a case of {court}, not one of your courts").format(
                        number=number, court=old.get("court") or _("(no court)")))
                    continue
            record = case.record()
            if old is None:
                result.added += 1
            elif {k: v for k, v in old.items() if k != "imported_at"} == record:
                result.unchanged += 1
                continue
            else:
                result.updated += 1
                if old["officer"] != case.officer:
                    result.reassigned += 1
                    moved |= {old["officer"], case.officer}
                    for item in session.items(old["officer"]):
                        if item.get("case") != number or item.get("reassigned_to"):
                            continue
                        if item["status"] in ("done", "skipped"):  # what they did stays theirs, and is not asked again
                            worked.add((item["key"], item["period"]))
                        elif item["status"] == "open":
                            hand_over(change, env, item, case.officer, _("case {number} handed to {officer}").format(
                                number=number, officer=case.officer))
            change.cases.append({**record, "imported_at": env.recorded()})
        refuse(table, problems)
        if change.cases:
            templates = applied(session)
            if not templates.clocks:
                result.warnings.append(_("the applied templates have no rules: files, so the cases put nothing on "
                                         "anyone's list; add a rules file and checklist templates apply"))
            from checklist.calendars import work_calendar

            merged = {**stored, **{c["number"]: c for c in change.cases}}
            concerned = {c["officer"] for c in change.cases} | moved
            officers = [doc for doc in session.officers() if doc["id"] in concerned]
            synced = plan_sync(session, templates, work_calendar(templates), env, change, officers,
                               cases=list(merged.values()), only_cases=True, worked=frozenset(worked))
            result.items = synced.created
            if not dry_run:
                session.commit(change)  # type: ignore[attr-defined]
    return result
