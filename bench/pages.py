"""Pages and workbooks for meetings at city scale: writing them, and Chromium opening them.

    python bench/pages.py                 # a city: 500 officers, a year of items (bench/world.py)

Measures, medians of --runs whole processes (as bench/run.py):

    report html      checklist report --by officer --month 2026-11 --all --format html --out F   (500 rows)
    report xlsx      the same as the 通报 workbook
    report table     the same on the terminal, for comparison
    team html        checklist today --officer <a bureau chief> --team --format html   (a court of ~60)
    open in Chromium from navigation to the load event, headless, warm (tests/browser.py); and the
                     PDF's page count for the team file

Targets (issue: meeting outputs): a 500-officer report renders to HTML in ≤ 2 s and opens in ≤ 2 s.
Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from run import baseline, run  # noqa: E402
from world import build, roster_rows  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="checklist-pages-"))
    db = build(work / f"p{args.officers}", args.officers, done=0.7)
    chief = next(r["id"] for r in roster_rows(args.officers) if r["roles"] == "chief")
    unit = baseline(args.runs)
    report = ("report", "--by", "officer", "--month", "2026-11", "--all")
    commands = {
        "report, table (terminal)": (*report, "--out", str(work / "r.txt")),
        "report --format html": (*report, "--format", "html", "--out", str(work / "report.html")),
        "report --format xlsx": (*report, "--format", "xlsx", "--out", str(work / "report.xlsx")),
        "today --team --format html (a court)": ("today", "--officer", chief, "--team", "--format", "html",
                                                 "--out", str(work / "team.html")),
    }
    rows = []
    for name, command in commands.items():
        times = [run(db, *command)[0] for _ in range(args.runs)]
        rows.append((name, statistics.median(times)))
    from browser import Browser

    with Browser() as browser:
        for page in ("report.html", "team.html"):
            browser.load(work / page)  # warm: the first load starts the renderer
            times = [browser.load(work / page).seconds for _ in range(args.runs)]
            rows.append((f"open {page} in Chromium ({(work / page).stat().st_size // 1024} KB)",
                         statistics.median(times)))
        pages = browser.pdf(work / "team.pdf")
    print(f"| measure ({args.officers} officers) | median | × import rich.console |")
    print("| --- | ---: | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.0f} ms | {seconds / unit:.1f} |")
    print(f"team file printed on A4: {pages} pages")


if __name__ == "__main__":
    main()
