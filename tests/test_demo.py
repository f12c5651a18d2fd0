"""The demo the quick start builds: a roster with three months of past work, loaded as a back-fill."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from clitools import TEMPLATES, Checklist

ROOT = Path(__file__).parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("make_demo_status", ROOT / "scripts" / "make_demo_status.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_history_is_what_its_script_writes_from_the_shipped_templates():
    # a template change that moves an item would leave rows naming items nobody has: regenerate the file
    assert (TEMPLATES / "status-demo.csv").read_text(encoding="utf-8") == _generator().text()


def test_a_back_fill_is_not_work_recorded_late_and_the_history_says_it_was_one(tmp_path):
    cl = Checklist(tmp_path / "db.json", today="2026-12-02", user="owner")
    assert cl.run("import", "roster", str(TEMPLATES / "roster-demo.csv")).exit_code == 0
    sheet = tmp_path / "台账.csv"
    sheet.write_text("工号,事项编码,期间,状态,完成时间\nDL002,weekly-ledger,2026-W45,已完成,2026-11-06 16:00\n",
                     encoding="utf-8")
    as_chief = cl.run("import", "status", str(sheet), "--backfill", CHECKLIST_USER="DL020")
    assert as_chief.exit_code == 1 and "--backfill" in as_chief.stderr  # the owner or an admin only
    assert cl.run("import", "status", str(sheet), "--backfill").exit_code == 0
    report = cl.json("report", "--month", "2026-11", "--by", "officer")
    assert report["recorded_late"] == []
    entry = cl.json("log", "--officer", "DL002")["entries"][-1]
    assert entry["action"] == "import" and entry["backfill"] is True
    assert cl.run("audit", "verify").exit_code == 0
    # the same row loaded as today's work, without --backfill, is work recorded 18 working days late
    again = tmp_path / "台账2.csv"
    again.write_text("工号,事项编码,期间,状态,完成时间\nDL002,weekly-ledger,2026-W46,已完成,2026-11-06 16:00\n",
                     encoding="utf-8")
    assert cl.run("import", "status", str(again)).exit_code == 0
    late = cl.json("report", "--month", "2026-11", "--by", "officer")["recorded_late"]
    assert [(r["officer"], r["workdays"]) for r in late] == [("DL002", 18)]


def test_the_quick_start_demo_has_a_lead_s_and_a_chief_s_truth_to_show(tmp_path):
    cl = Checklist(tmp_path / "db.json", today="2026-12-02", user="owner")
    assert cl.run("import", "roster", str(TEMPLATES / "roster-demo.csv")).exit_code == 0
    assert cl.run("import", "status", str(TEMPLATES / "status-demo.csv"), "--backfill").exit_code == 0
    rows = {r["group"]: r for r in cl.json("report", "--month", "2026-11", "--by", "officer")["rows"]}
    assert all(r["due"] for r in rows.values())  # everyone has a month of work: no empty chief's report
    assert rows["NG003"]["completion"] > rows["DL003"]["completion"] + 0.2  # a pace each, not one for all
    skipped = cl.json("export", "items", "--status", "skipped")["items"]
    assert skipped and all(i["note"] for i in skipped)  # skipped with a reason
