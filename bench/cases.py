"""Cases at scale: importing a year's case list, `today` with a caseload, and the indicators.

    python bench/cases.py                          # a city: 500 officers, 20,000 cases, file database
    python bench/cases.py --officers 3000 --cases 200000 --server   # a province, on a throwaway PostgreSQL
                                                                    # (tests/pgserver.py; --url for your own)

The world is bench/world.py's (a year of items, 70% of the past done). The case list is made up
but shaped like a real one: filed over the last two years, a third closed (执行完毕, 终本, 终结执行),
some paused, some with seizures and receipts, spread over the officers (an officer at 60 cases a
year; the first officer of the first court is given 300 open cases, for `today`). Medians of a few
processes, as bench/run.py. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import baseline, env, run  # noqa: E402
from world import build, roster_rows  # noqa: E402

TODAY = date(2026, 11, 27)


def write_cases(path: Path, officers: int, count: int, heavy: str, seed: int = 11) -> None:
    rnd = random.Random(seed)
    people = [r for r in roster_rows(officers) if r["roles"] == "officer"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["案号", "承办人", "立案日期", "结案日期", "结案方式", "申请执行标的", "到位金额", "暂缓中止期间",
                      "查封日期", "查封到期日", "案款到账日"])
        for n in range(count):
            officer = heavy if n < 300 else rnd.choice(people)["id"]
            filed = TODAY - timedelta(days=rnd.randint(0 if n < 300 else 1, 120 if n < 300 else 720))
            closed, how = "", ""
            if n >= 300 and rnd.random() < 0.35:
                day = filed + timedelta(days=rnd.randint(20, 400))
                if day < TODAY:
                    closed, how = day.isoformat(), rnd.choice(["执行完毕", "执行完毕", "终本", "终结执行"])
            amount = rnd.randint(5, 500) * 1000
            paid = amount if how == "执行完毕" else rnd.randint(0, amount // 1000) * 1000 if rnd.random() < 0.3 else 0
            paused = ""
            if rnd.random() < 0.1:
                start = filed + timedelta(days=rnd.randint(5, 60))
                paused = f"{start}~{start + timedelta(days=rnd.randint(10, 60))}"
            seized = seal = ""
            if rnd.random() < 0.4:
                day = filed + timedelta(days=rnd.randint(3, 30))
                seized, seal = day.isoformat(), (day + timedelta(days=365 * rnd.choice([1, 2, 3]))).isoformat()
            receipts = "；".join(sorted((filed + timedelta(days=rnd.randint(10, 300))).isoformat()
                                      for _ in range(rnd.choice([0, 0, 1, 2]))))
            court = 1 + n % 90
            out.writerow([f"(2026)黑{court:02d}02执{n + 1}号", officer, filed.isoformat(), closed, how, amount, paid,
                          paused, seized, seal, receipts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--server", action="store_true", help="copy the world onto PostgreSQL and measure there")
    parser.add_argument("--url", help="a PostgreSQL server of your own (with --server)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="checklist-cases-"))
    db: Path | str = build(work / f"c{args.officers}", args.officers, done=0.7)
    target = None
    if args.server:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from server import Target

        target = Target(args.url)
        _name, url = target.database()
        copied = subprocess.run([sys.executable, "-m", "checklist", "db", "copy", str(db), url], env=env(db),
                                capture_output=True, text=True)
        if copied.returncode != 0:
            raise SystemExit(copied.stderr[-2000:])
        db = url
    heavy = next(r["id"] for r in roster_rows(args.officers) if r["roles"] == "officer")
    sheet = work / "cases.csv"
    write_cases(sheet, args.officers, args.cases, heavy)
    unit = baseline(args.runs)
    before = statistics.median(run(db, "today", "--officer", heavy)[0] for _ in range(args.runs))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checklist", "import", "cases", str(sheet)], env=env(db),
                          capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    print(proc.stdout.strip(), file=sys.stderr)
    after = statistics.median(run(db, "today", "--officer", heavy)[0] for _ in range(args.runs))
    again = statistics.median(run(db, "import", "cases", str(sheet))[0] for _ in range(min(args.runs, 3)))
    indicators = statistics.median(run(db, "indicators", "--by", "court", "--month", "2026-11")[0]
                                   for _ in range(args.runs))
    caseload = statistics.median(run(db, "cases", "--officer", heavy)[0] for _ in range(args.runs))
    print(f"| measure ({args.officers} officers, {args.cases:,} cases) | median | × import rich.console |")
    print("| --- | ---: | ---: |")
    for label, value in ((f"import cases, {args.cases:,} new", took), ("import cases again, nothing changed", again),
                         ("today, officer before cases", before), ("today, the same officer with 300 open cases", after),
                         ("indicators --by court --month", indicators), ("cases --officer (300 cases)", caseload)):
        print(f"| {label} | {value * 1000:.0f} ms | {value / unit:.1f} |")
    print(f"today with cases ÷ without: {after / before:.2f}")
    if target is not None:
        target.stop()


if __name__ == "__main__":
    main()
