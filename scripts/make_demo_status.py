"""Writes templates/status-demo.csv: three months of the demo bureau's work (September to November 2026).

The quick start imports it after the demo roster, so a lead's and a chief's report have something
to show: most items done on time, some late, a few skipped with a reason, some never done — each
person at their own pace (郑洁 and 沈佳 fall behind, 韩冰 never does; 周敏 is up to date but for the
last week and a half). The rows are what an office's
台账 holds: 工号, 事项编码, 期间, 状态, 完成时间, 备注. Made-up, and deterministic:
`python scripts/make_demo_status.py` writes the same file every time from the shipped templates
and templates/roster-demo.csv (tests/test_demo.py checks the file is what it would write).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAST = date(2026, 11, 30)  # the history ends here; the demo's "today" is 2 December 2026
# each person: the share of their items done, and the share of those done late
PACE = {"DL001": (0.9, 0.15), "DL002": (0.96, 0.05), "DL003": (0.62, 0.35), "DL004": (0.9, 0.1),
        "DL005": (0.8, 0.25), "DL010": (0.93, 0.1), "DL011": (0.88, 0.15), "DL020": (0.85, 0.1),
        "NG001": (0.94, 0.05), "NG002": (0.72, 0.3), "NG003": (0.99, 0.0), "NG010": (0.9, 0.1),
        "NG020": (0.86, 0.1)}
BEHIND_SINCE = {"DL001": date(2026, 11, 23)}  # 周敏, the README's officer: up to date until this week's work
REASONS = {"zhongben-recheck": "本月无届满6个月的终本案件", "gongjian-asset-sweep": "本周无在办攻坚案件",
           "fund-reconcile": "本月无到账超30日的案款", "long-pending-review": "本月无立案超一年的未结案件",
           "weekly-ledger": "本周台账无变动"}
HEAD = ("工号", "姓名", "事项编码", "事项", "期间", "截止日期", "状态", "完成时间", "备注")


def rows() -> list[tuple[str, ...]]:
    from checklist.calendars import work_calendar
    from checklist.core.merge import merge_sources
    from checklist.loader import load_templates
    from checklist.roster import ALIASES, REQUIRED, parse_roster
    from checklist.spreadsheets import read_sheet

    templates = load_templates(ROOT / "templates")
    calendar = work_calendar(templates)
    people, problems = parse_roster(read_sheet(ROOT / "templates" / "roster-demo.csv", ALIASES, REQUIRED))
    assert not problems, problems
    out = []
    for person in sorted((r.officer for r in people), key=lambda o: o.id):
        rnd = random.Random(person.id)
        done_share, late_share = PACE[person.id]
        items = merge_sources(templates.duties_for(person), templates, calendar)
        for item in sorted(items, key=lambda i: (i.due, i.key)):
            if person.since is not None and item.due < person.since or item.due > LAST:
                continue
            age = (LAST - item.due).days
            share = done_share * 0.75 if age < 7 else done_share if age < 45 else max(done_share, 0.97)
            if person.id in BEHIND_SINCE:
                share = 0.3 if item.due >= BEHIND_SINCE[person.id] else 1.0
            roll = rnd.random()  # the last week's work is less often done yet; what is old was caught up on
            if item.every != "day" and item.key in REASONS and roll < 0.05:
                status, at, note = "跳过", "", REASONS[item.key]
            elif roll < share:
                late = rnd.random() < late_share
                day = calendar.add_workdays(item.due, rnd.randint(1, 6)) if late else item.due
                if day > LAST:
                    continue  # not done yet, as far as the 台账 knows
                at = datetime.combine(day, time(rnd.choice((9, 10, 11, 14, 15, 16)), rnd.choice((0, 15, 30, 45))))
                status, at, note = "已完成", at.strftime("%Y-%m-%d %H:%M"), ""
            else:
                continue  # never done: it stays open, and late
            out.append((person.id, person.name, item.key, item.title, item.period, item.due.isoformat(), status, at,
                        note))
    return out


def text() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEAD)
    writer.writerows(rows())
    return buffer.getvalue()


def main() -> None:
    (ROOT / "templates" / "status-demo.csv").write_text(text(), encoding="utf-8")


if __name__ == "__main__":
    main()
