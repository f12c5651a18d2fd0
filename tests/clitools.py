"""Running the command line in tests: in-process (CliRunner) or as a real process."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from unittest.mock import patch

from typer.testing import CliRunner

from checklist.cli import app

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "templates"
DEMO_ROSTER = ROOT / "tests" / "fixtures" / "roster.csv"  # the demo roster as the tests know it (since 23 Nov)


# `python -c CLOCKED DAY ARGS…`: checklist with its clock at 09:00 (Beijing) on DAY — for tests only; the
# product has no way to set its recorded clock, on purpose (docs/decisions.md)
CLOCKED = ("import sys, datetime as d; import checklist.context as c; day = d.date.fromisoformat(sys.argv[1]); "
           "c.real_clock = lambda: d.datetime.combine(day, d.time(9), d.timezone(d.timedelta(hours=8))); "
           "sys.argv = ['checklist'] + sys.argv[2:]; from checklist.cli import main; main()")


class Checklist:
    """``checklist`` against one database, with a fixed date; ``run`` in-process, ``spawn`` as a process."""

    def __init__(self, db: Path | str, today: str = "2026-12-02", templates: Path = TEMPLATES, user: str = "测试员"):
        self.db = db
        self.env = {
            "CHECKLIST_DB": str(db), "CHECKLIST_TODAY": today, "CHECKLIST_TEMPLATES": str(templates),
            "CHECKLIST_USER": user, "NO_COLOR": "1", "COLUMNS": "80", "CHECKLIST_OFFICER": None,
        }
        self.runner = CliRunner()

    def run(self, *args: str, **env: str):
        """In-process; the clock reads 09:00 (Beijing) on the test's day, so history is the same every run.

        (A process started with ``spawn``/``call`` records the real clock, as users' do.)
        """
        merged = {**self.env, **env}
        day = date.fromisoformat(merged.get("CHECKLIST_TODAY") or "2026-12-02")
        clock = datetime.combine(day, time(9, 0), tzinfo=timezone(timedelta(hours=8)))
        with patch("checklist.context.real_clock", lambda: clock):
            return self.runner.invoke(app, list(args), env=merged)

    def json(self, *args: str, **env: str):
        result = self.run(*args, "--json", **env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def spawn(self, *args: str, real_clock: bool = False, **env: str) -> subprocess.Popen:
        """A real process; its clock reads as ``run``'s does unless ``real_clock`` (as users' processes)."""
        full = {k: v for k, v in os.environ.items() if not k.startswith("CHECKLIST_")}
        full.update({k: v for k, v in {**self.env, **env}.items() if v is not None})
        program = ["-m", "checklist"] if real_clock else ["-c", CLOCKED, full.get("CHECKLIST_TODAY") or "2026-12-02"]
        return subprocess.Popen([sys.executable, *program, *args], env=full, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def call(self, *args: str, real_clock: bool = False, **env: str) -> subprocess.CompletedProcess:
        proc = self.spawn(*args, real_clock=real_clock, **env)
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def snapshot(db: Path | str) -> dict[str, str]:
    """Every database file (not the lock) and a hash of its bytes; for a server database, every table's rows."""
    if isinstance(db, str):
        return _table_snapshot(db)
    files = [db, *sorted(db.with_name(db.name + ".d").rglob("*"))]
    return {str(p.relative_to(db.parent)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files if p.is_file()}


def copy_world(source: Path, target: Path, today: str = "2026-12-02") -> Checklist:
    """A fresh copy of a database built once per module, for a test to change as it likes."""
    for path in source.iterdir():
        shutil.copytree(path, target / path.name) if path.is_dir() else shutil.copy2(path, target / path.name)
    return Checklist(target / "db.json", today=today)


def _table_snapshot(url: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'checklist' ORDER BY tablename")]
        return {table: hashlib.sha256(repr(conn.execute(
            f"SELECT * FROM checklist.{table} ORDER BY 1, 2").fetchall()).encode()).hexdigest() for table in tables}
