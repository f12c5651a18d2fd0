"""Benchmarks at court, city and province scale: whole-process medians, as ratios to `import rich.console`.

    python bench/run.py                       # court and city (a few minutes)
    python bench/run.py --scales province     # 3,000 officers (building it takes a few minutes more)

For each scale a world is built (bench/world.py: officers in courts of ~60 with leads and a bureau
chief, the shipped campaigns, a year of items each, 70% of past items done) and each command is
run as a separate process several times:

    today            checklist today --officer <an officer>
    done             checklist done <an item>          (undone again between runs, untimed)
    report           checklist report --by court --month 2026-11
    sync, unchanged  checklist sync                    (templates and roster as they were)
    audit verify     the whole history; and --from a head taken 10 entries earlier (a nightly check)
    full sync        checklist import roster into an empty database: every item for the year
    import roster    the same roster with 1 in 20 officers moved to another department
    import status    a 100,000-row status CSV (city and province)

plus the peak memory (max RSS) of `today`. The last column is the median divided by the median of
`python -c "import rich.console"` measured in the same run, so figures from a busy machine can be
compared. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from world import build, write_status  # noqa: E402

SCALES = {"court": 60, "city": 500, "province": 3000}
TODAY = "2026-11-27"


def env(db: Path) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE would make every run compile the package again; an installed
    # checklist has its bytecode compiled at install time, so measure that.
    base = {k: v for k, v in os.environ.items() if not k.startswith("CHECKLIST_") and k != "PYTHONDONTWRITEBYTECODE"}
    base.update({"CHECKLIST_DB": str(db), "CHECKLIST_TODAY": TODAY, "CHECKLIST_USER": "bench"})
    return base


GC_OFF = "import gc, sys; gc.disable(); sys.argv[0] = 'checklist'; from checklist.cli import main; main()"


def run(db: Path, *args: str, gc_off: bool = False) -> tuple[float, int]:
    """Seconds and peak memory (KB) of one `checklist …` process (``gc_off``: with the cycle collector off)."""
    start = time.perf_counter()
    program = ["-c", GC_OFF] if gc_off else ["-m", "checklist"]
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, *program, *args], env=env(db),
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"checklist {' '.join(args)} failed: {proc.stderr[-500:]}")
    return elapsed, int(proc.stderr.strip().splitlines()[-1])


def median_of(times: list[float]) -> float:
    return statistics.median(times)


def baseline(runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import rich.console"], check=True)
        times.append(time.perf_counter() - start)
    return median_of(times)


def pick(db: Path) -> tuple[str, str]:
    """An ordinary officer (not a lead) and one of their open items."""
    proc = subprocess.run([sys.executable, "-m", "checklist", "export", "items", "--status", "open", "--court",
                           "哈尔滨市道里区人民法院", "--json"], env=env(db), capture_output=True, text=True, check=True)
    import json

    items = [i for i in json.loads(proc.stdout)["items"] if i["officer"].endswith("-012")]
    return items[0]["officer"], items[0]["id"]


def bench_scale(name: str, officers: int, work: Path, runs: int,
                gc_compare: bool = False) -> list[tuple[str, float, int | None]]:
    results: list[tuple[str, float, int | None]] = []
    folder = work / name
    start = time.perf_counter()
    db = build(folder, officers, done=0.7)
    print(f"[{name}] world of {officers} officers built in {time.perf_counter() - start:.0f} s", file=sys.stderr)

    officer, item = pick(db)
    samples = [run(db, "today", "--officer", officer) for _ in range(runs)]
    results.append(("today", median_of([s[0] for s in samples]), max(s[1] for s in samples)))

    done = []
    for _ in range(runs):
        done.append(run(db, "done", item)[0])
        run(db, "undo", item)
    results.append(("done", median_of(done), None))

    results.append(("report --by court --month", median_of([run(db, "report", "--by", "court", "--month",
                                                                  "2026-11")[0] for _ in range(runs)]), None))
    if gc_compare:  # the same report with the cycle collector off for the whole process
        results.append(("report --by court --month, gc off", median_of([run(db, "report", "--by", "court", "--month",
                                                                            "2026-11", gc_off=True)[0]
                                                                        for _ in range(runs)]), None))
    results.append(("sync, nothing changed", median_of([run(db, "sync")[0] for _ in range(runs)]), None))

    verify = [run(db, "audit", "verify") for _ in range(max(1, runs // 3))]
    results.append(("audit verify (whole history)", median_of([v[0] for v in verify]), max(v[1] for v in verify)))
    head = subprocess.run([sys.executable, "-m", "checklist", "audit", "head"], env=env(db), capture_output=True,
                          text=True, check=True).stdout.strip()
    for _ in range(5):  # a day's work after the head was written down
        run(db, "done", item)
        run(db, "undo", item)
    nightly = [run(db, "audit", "verify", "--from", head) for _ in range(runs)]
    results.append(("audit verify --from HEAD (10 entries later)", median_of([v[0] for v in nightly]),
                    max(v[1] for v in nightly)))

    for gc_off in (False, True) if gc_compare else (False,):
        full = []
        for n in range(max(1, runs // 2)):
            empty = folder / f"empty{n}" / "checklist.json"
            full.append(run(empty, "import", "roster", str(folder / "roster.csv"), gc_off=gc_off)[0])
            shutil.rmtree(empty.parent)
        results.append(("full sync (a year, empty database)" + (", gc off" if gc_off else ""), median_of(full), None))

    moved = folder / "roster-moved.csv"
    rows = list(csv.DictReader(open(folder / "roster.csv", encoding="utf-8")))
    for n, row in enumerate(rows):
        if n % 20 == 7 and row["roles"] == "officer":
            row["department"] = "执行二庭" if row["department"] != "执行二庭" else "执行一庭"
    with open(moved, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    roster_times = []
    for _ in range(max(1, runs // 2)):
        copy = folder / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("copy", "empty*"))
        roster_times.append(run(copy / "checklist.json", "import", "roster", str(moved))[0])
    results.append(("import roster (1 in 20 moved)", median_of(roster_times), None))

    if officers >= 300:
        status = folder / "status-100k.csv"
        count = write_status(db, status, limit=100_000, until=None)
        status_times = []
        for _ in range(max(1, runs // 3)):
            copy = folder / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("copy", "empty*"))
            status_times.append(run(copy / "checklist.json", "import", "status", str(status))[0])
        results.append((f"import status, {count:,} rows", median_of(status_times), None))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="checklist benchmarks")
    parser.add_argument("--scales", nargs="+", default=["court", "city"], choices=list(SCALES))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the worlds here and keep them")
    parser.add_argument("--gc-compare", action="store_true",
                        help="also run report and full sync with the cycle collector off")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="checklist-bench-"))
    base = baseline(args.runs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"python -c 'import rich.console': {base * 1000:.0f} ms (the unit of the ratio column)\n")
    print("| scale | command | median | × import rich.console | peak memory |")
    print("| --- | --- | ---: | ---: | ---: |")
    for scale in args.scales:
        for command, seconds, memory in bench_scale(scale, SCALES[scale], work, args.runs, args.gc_compare):
            shown = f"{seconds * 1000:.0f} ms" if seconds < 2 else f"{seconds:.1f} s"
            mem = f"{memory / 1024:.0f} MB" if memory else ""
            print(f"| {scale} ({SCALES[scale]:,}) | {command} | {shown} | {seconds / base:.1f} | {mem} |", flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
