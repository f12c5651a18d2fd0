"""Build realistic worlds for benchmarks: courts, departments, leads and officers, on the shipped campaigns.

    python bench/world.py --officers 500 --out /tmp/city      # roster.csv and a synced database

Officers are spread over courts of about 60 people (执行一庭, 执行二庭, 速执团队, 执行局), with a lead per
department and a bureau chief per court; the first court is 哈尔滨市道里区人民法院 so the 攻坚 campaign (scoped
to it) has work too. Everyone starts on 1 January, so the database holds the whole year's items
(about 350–500 per officer). ``--done`` marks that share of past items done, at random but
repeatably, so reports have something to count.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURTS = ["哈尔滨市道里区人民法院", "哈尔滨市南岗区人民法院", "香坊区人民法院", "道外区人民法院", "平房区人民法院", "松北区人民法院",
          "呼兰区人民法院", "阿城区人民法院", "双城区人民法院", "依兰县人民法院"]
DEPARTMENTS = ["执行一庭", "执行二庭", "速执团队"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "敏刚洁磊雪立新红强文佳冰帆振华伟芳娜秀英静丽军平杰涛明超勇艳霞玲桂芳"


def roster_rows(officers: int, seed: int = 7) -> list[dict[str, str]]:
    rnd = random.Random(seed)
    rows = []
    per_court = 60
    courts = max(1, (officers + per_court - 1) // per_court)
    n = 0
    for c in range(courts):
        court = COURTS[c] if c < len(COURTS) else f"第{c + 1}基层人民法院"
        prefix = f"C{c:03d}"
        chief = f"{prefix}-000"
        rows.append({"id": chief, "name": rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
                     "court": court, "department": "执行局", "roles": "chief", "lead": "", "since": "2026-01-01"})
        n += 1
        leads = {}
        for d, department in enumerate(DEPARTMENTS):
            lead = f"{prefix}-{d + 1:03d}"
            leads[department] = lead
            rows.append({"id": lead, "name": rnd.choice(SURNAMES) + rnd.choice(GIVEN), "court": court,
                         "department": department, "roles": "lead", "lead": chief, "since": "2026-01-01"})
            n += 1
        k = 10
        while n < officers and k < per_court + 10:
            department = DEPARTMENTS[k % len(DEPARTMENTS)]
            rows.append({"id": f"{prefix}-{k:03d}", "name": rnd.choice(SURNAMES) + rnd.choice(GIVEN),
                         "court": court, "department": department, "roles": "officer", "lead": leads[department],
                         "since": "2026-01-01"})
            n += 1
            k += 1
        if n >= officers:
            break
    return rows[:officers]


def write_roster(path: Path, officers: int) -> None:
    rows = roster_rows(officers)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def checklist(db: Path, *args: str, today: str = "2026-11-27", check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKLIST_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"CHECKLIST_DB": str(db), "CHECKLIST_TODAY": today, "CHECKLIST_USER": "bench"})
    return subprocess.run([sys.executable, "-m", "checklist", *args], env=env, capture_output=True, text=True,
                          check=check)


def build(out: Path, officers: int, done: float = 0.7) -> Path:
    """A database of ``officers`` with the year's items, ``done`` of the past ones done."""
    out.mkdir(parents=True, exist_ok=True)
    roster = out / "roster.csv"
    write_roster(roster, officers)
    db = out / "checklist.json"
    start = time.perf_counter()
    checklist(db, "import", "roster", str(roster))
    print(f"built {officers} officers in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if done:
        status = out / "status-past.csv"
        write_status(db, status, share=done, until="2026-11-26")
        checklist(db, "import", "status", "--backfill", str(status))  # as a bureau loads its past 台账
    return db


def write_status(db: Path, path: Path, *, share: float = 1.0, until: str | None = None, limit: int | None = None,
                 seed: int = 11) -> int:
    """A status file marking ``share`` of the items (due up to ``until``) done, as a clerk would send it."""
    rnd = random.Random(seed)
    exported = checklist(db, "export", "items", "--format", "csv", *(["--to", until] if until else [])).stdout
    rows = list(csv.DictReader(exported.lstrip("\ufeff").splitlines()))
    picked = [r for r in rows if rnd.random() < share][:limit]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工号", "事项编码", "期间", "状态", "完成时间", "备注"])
        for r in picked:
            writer.writerow([r["officer"], r["key"], r["period"], "完成", min(r["due"], "2026-11-27"), "按时完成"])
    return len(picked)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=60)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--done", type=float, default=0.7)
    args = parser.parse_args()
    print(build(args.out, args.officers, args.done))
