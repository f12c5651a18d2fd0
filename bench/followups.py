"""What a busy 督办 register costs: `today`, `follow-ups`, `report` and the nightly `sync` with it.

    python bench/followups.py                      # a city (500 officers), 1 follow-up per 5 officers
    python bench/followups.py --officers 3000      # a province

The world is bench/world.py's (a year of items, 70% of the past done). Then, on 2 November, each
court's chief opens follow-ups on one officer in five (every fourth on a department instead), and
half of them are answered; on 27 November, the day measured, the other half are late and climb to
the opener's lead. Each command runs as a separate process; medians, as bench/run.py. Results:
docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import baseline, run  # noqa: E402
from world import build, roster_rows  # noqa: E402


def open_register(db: Path, officers: int) -> int:
    """Open and half-answer the follow-ups, in this process (each one a separate write, as a chief would)."""
    from typer.testing import CliRunner

    from checklist.cli import app

    runner = CliRunner()
    rows = roster_rows(officers)
    base = {"CHECKLIST_DB": str(db), "CHECKLIST_TODAY": "2026-11-02", "NO_COLOR": "1"}
    opened = 0
    targets = [r for r in rows if r["roles"] == "officer"][::5]
    for n, row in enumerate(targets):
        chief = row["id"].split("-")[0] + "-000"
        target = f"dept:{row['court']}/{row['department']}" if n % 4 == 3 else f"officer:{row['id']}"
        result = runner.invoke(app, ["follow-up", "open", target, "--note", "请说明逾期原因并整改"],
                               env={**base, "CHECKLIST_USER": chief})
        if result.exit_code != 0:
            if "already has an open follow-up" in result.stderr:
                continue
            raise SystemExit(result.output)
        opened += 1
        if opened % 2 == 0:
            fid = result.stdout.split()[0]
            answerer = row["id"] if target.startswith("officer:") else row["lead"]
            answered = runner.invoke(app, ["follow-up", "reply", fid, "--note", "已整改"],
                                     env={**base, "CHECKLIST_TODAY": "2026-11-03", "CHECKLIST_USER": answerer})
            if answered.exit_code != 0:
                raise SystemExit(answered.output)
    return opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the world here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="checklist-bench-"))
    db = build(work / f"fu{args.officers}", args.officers, done=0.7)
    start = time.perf_counter()
    opened = open_register(db, args.officers)
    print(f"opened {opened} follow-ups in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    rows = roster_rows(args.officers)
    officer = next(r["id"] for r in rows if r["roles"] == "officer")
    chief = rows[0]["id"]
    unit = baseline(args.runs)
    cases = [
        ("today, an officer with a follow-up", ("today", "--officer", officer)),
        ("today, a chief (late ones climbed to them)", ("today", "--officer", chief)),
        ("follow-ups (everyone's not closed)", ("follow-ups",)),
        ("follow-ups --state overdue --by court", ("follow-ups", "--state", "overdue", "--by", "court")),
        ("report --by court --month", ("report", "--by", "court", "--month", "2026-11")),
        ("export follow-ups --format csv", ("export", "follow-ups", "--format", "csv")),
    ]
    print(f"| command ({args.officers} officers, {opened} follow-ups) | median | × import rich.console |")
    print("| --- | ---: | ---: |")
    for label, command in cases:
        median = statistics.median(run(db, *command)[0] for _ in range(args.runs))
        print(f"| {label} | {median * 1000:.0f} ms | {median / unit:.1f} |")
    first, _memory = run(db, "sync")  # records every late follow-up's climb: one write
    again = statistics.median(run(db, "sync")[0] for _ in range(args.runs))
    print(f"| sync, recording the climbs | {first * 1000:.0f} ms | {first / unit:.1f} |")
    print(f"| sync, nothing left to record | {again * 1000:.0f} ms | {again / unit:.1f} |")


if __name__ == "__main__":
    main()
