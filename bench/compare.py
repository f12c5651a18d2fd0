"""This checkout against another one, interleaved run by run, on worlds of the same size.

    git worktree add /tmp/checklist-0.1 v0.1.0          # or any commit
    python bench/compare.py --other /tmp/checklist-0.1 --officers 500 --runs 11

Each version builds its own world (bench/world.py, driving that version's command line) and the
commands below are run alternately — this, other, this, other … — so a machine that slows down
or speeds up part-way affects both alike. Prints the medians and this ÷ other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import world  # noqa: E402

HERE = Path(__file__).resolve().parent.parent


def env(db: Path, code: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CHECKLIST_") and k != "PYTHONDONTWRITEBYTECODE"}
    base.update({"CHECKLIST_DB": str(db), "CHECKLIST_TODAY": "2026-11-27", "CHECKLIST_USER": "bench",
                 "PYTHONPATH": str(code)})
    return base


def timed(db: Path, code: Path, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checklist", *args], env=env(db, code), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{code}: checklist {' '.join(args)} failed: {proc.stderr[-400:]}")
    return time.perf_counter() - start


def build(folder: Path, code: Path, officers: int) -> tuple[Path, str, str]:
    os.environ["PYTHONPATH"] = str(code)  # world.py runs `python -m checklist` with this environment
    db = world.build(folder, officers, done=0.7)
    proc = subprocess.run([sys.executable, "-m", "checklist", "export", "items", "--status", "open", "--court",
                           "哈尔滨市道里区人民法院", "--json"], env=env(db, code), capture_output=True, text=True, check=True)
    item = next(i for i in json.loads(proc.stdout)["items"] if i["officer"].endswith("-012"))
    return db, item["officer"], item["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="another checkout of checklist")
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--no-verify", action="store_true", help="leave out audit verify (slow at province scale)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="checklist-compare-"))
    versions = {"this": HERE, "other": args.other.resolve()}
    worlds = {name: build(work / name, code, args.officers) for name, code in versions.items()}
    commands = {
        "today": lambda o, i: ("today", "--officer", o),
        "done + undo": lambda o, i: ("done", i),
        "report --by court --month": lambda o, i: ("report", "--by", "court", "--month", "2026-11"),
        "audit verify": lambda o, i: ("audit", "verify"),
    }
    if args.no_verify:
        del commands["audit verify"]
    print(f"{args.officers} officers, {args.runs} runs each, interleaved\n")
    print("| command | this | other | this ÷ other |")
    print("| --- | ---: | ---: | ---: |")
    for label, make in commands.items():
        times: dict[str, list[float]] = {"this": [], "other": []}
        for _ in range(args.runs):
            for name, code in versions.items():
                db, officer, item = worlds[name]
                times[name].append(timed(db, code, *make(officer, item)))
                if label.startswith("done"):
                    timed(db, code, "undo", item)
        this, other = statistics.median(times["this"]), statistics.median(times["other"])
        print(f"| {label} | {this * 1000:.0f} ms | {other * 1000:.0f} ms | {this / other:.2f} |", flush=True)


if __name__ == "__main__":
    main()
