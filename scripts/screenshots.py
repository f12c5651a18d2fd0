"""The screenshots in docs/screenshots/: the 通报 page and a team's lists, in Chinese, as Chromium draws them.

    python scripts/screenshots.py            # needs Debian's chromium and a Chinese font (as the tests)

The world is tests/pages_world.py's bureau of three teams on 2 December 2026; the pages are what
`checklist report --format html` and `checklist today --team --format html` write.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import Browser  # noqa: E402
from pages_world import build_bureau  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Browser(width=1000, height=1000) as browser:
        folder = Path(tmp)
        cl = build_bureau(folder)
        pages = {
            "report-zh": ("report", "--by", "department", "--from", "2026-11-01", "--all"),
            "team-zh": ("today", "--officer", "B10", "--team"),
        }
        for name, args in pages.items():
            page = folder / f"{name}.html"
            done = cl.run(*args, "--format", "html", "--out", str(page), CHECKLIST_LANG="zh")
            assert done.exit_code == 0, done.output
            loaded = browser.load(page)
            assert not loaded.errors and loaded.requests == [loaded.url]
            shot = browser.screenshot(OUT / f"{name}.png", whole=name.startswith("report"))  # a team's: page 1
            print(f"wrote {shot.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
