"""Benchmark: `checklist import status` of a 100,000-row CSV, whole process, median of runs.

    python bench/status_import.py [--rows 100000] [--runs 3]

Builds a world big enough (about 300 officers, a year of items each), writes a status file of
the first N items as a clerk would (工号, 事项编码, 期间, 状态, 完成时间, 备注), and times importing it
into a fresh copy of the database each run, and once more into the already-updated database (the
idempotent re-run). Prints the figures and the machine's `import rich.console` time for scale.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from world import build, checklist, write_status  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="checklist-bench-"))
    officers = max(60, args.rows // 330 + 1)
    db = build(work / "world", officers, done=0)
    status = work / "status.csv"
    count = write_status(db, status, limit=args.rows)
    if count < args.rows:
        sys.exit(f"only {count} items in the world; raise --officers")
    times = []
    for _ in range(args.runs):
        copy = work / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(db.parent, copy)
        times.append(timed(lambda: checklist(copy / db.name, "import", "status", str(status))))
    rerun = timed(lambda: checklist(copy / db.name, "import", "status", str(status)))
    base = statistics.median(timed(lambda: subprocess.run([sys.executable, "-c", "import rich.console"], check=True))
                             for _ in range(5))
    print(f"import status, {count:,} rows, {officers} officers: median {statistics.median(times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)}); re-run (nothing changes) {rerun:.2f} s; "
          f"python -c 'import rich.console' {base * 1000:.0f} ms")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
