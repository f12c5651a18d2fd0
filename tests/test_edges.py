"""Awkward moments users and scripts run into: odd input, odd places, odd pipes."""

import errno
import json
import os
import shutil
import subprocess
import sys

import pytest

from checklist.store import Change, open_store
from clitools import DEMO_ROSTER, TEMPLATES, Checklist, copy_world


@pytest.fixture
def cl(demo_world):
    return demo_world


def first_open(cl, officer="DL001", n=1):
    items = [i["id"] for i in cl.json("today", "--officer", officer, "--days", "14")["items"] if i["status"] == "open"]
    return items[:n] if n > 1 else items[0]


def test_naming_one_item_twice_works_it_once(cl):
    item = first_open(cl)
    result = cl.run("done", item[:6], item[:6].upper(), item)
    assert result.exit_code == 0 and result.stdout.count(" done ") == 1
    assert [h["action"] for h in cl.json("show", item)["history"]] == ["created", "done"]
    assert cl.run("audit", "verify").exit_code == 0


def test_a_very_long_note_is_refused_and_a_long_log_line_does_not_stop_writes(cl):
    item, other = first_open(cl, n=2)
    refused = cl.run("done", item, "--note", "长" * 3000)
    assert refused.exit_code == 1 and "at most 2000 characters" in refused.stderr
    with open_store(cl.db).writing() as writer:  # an entry longer than any read-back window (an older version)
        stored = next(i for i in writer.items("DL001") if i["id"] == other)
        now = "2026-11-28T09:00:00+08:00"  # the clock the in-process runs read (clitools)
        after = {"status": "done", "done_at": "2026-11-28T09:00:00+08:00", "recorded_at": now}
        writer.commit(Change(items={"DL001": [{**stored, **after}]}, entries=[{
            "at": after["done_at"], "recorded": now, "actor": "x", "action": "done", "officer": "DL001",
            "item": other, "before": {"status": "open"}, "after": after, "note": "记" * 70_000}]))
    assert cl.run("undo", other).exit_code == 0
    assert cl.run("audit", "verify").exit_code == 0


def test_notes_with_brackets_are_shown_as_typed(cl):
    item = first_open(cl)
    assert cl.run("done", item, "--note", "附件见[/]共享盘 [b]重要").exit_code == 0
    shown = cl.run("show", item)
    assert shown.exit_code == 0 and "附件见[/]共享盘 [b]重要" in shown.stdout
    assert cl.run("log", CHECKLIST_USER="[/x]").exit_code == 0


def test_control_characters_in_a_note_are_refused_and_do_not_break_an_xlsx_export(cl, tmp_path):
    item = first_open(cl)
    refused = cl.run("done", item, "--note", "第一行\x0b第二行")
    assert refused.exit_code == 1 and "control character (\\x0b)" in refused.stderr
    with open_store(cl.db).writing() as writer:  # one that came in some other way (an older version)
        stored = next(i for i in writer.items("DL001") if i["id"] == item)
        writer.commit(Change(items={"DL001": [{**stored, "note": "第一行\x0b第二行"}]}))
    out = tmp_path / "x.xlsx"
    assert cl.run("export", "items", "--officer", "DL001", "--format", "xlsx", "--out", str(out)).exit_code == 0


def test_output_into_a_reader_that_stops_early_ends_quietly(cl):
    proc = cl.spawn("export", "items", "--format", "json")
    proc.stdout.read(10)
    proc.stdout.close()
    proc.wait(timeout=60)
    assert proc.returncode == 0
    assert proc.stderr.read() == ""
    help_proc = cl.spawn("--help")
    help_proc.stdout.close()
    assert help_proc.wait(timeout=60) in (0, 1) and help_proc.stderr.read() == ""  # quiet, as click does it


def test_a_relative_database_path_recovers_from_any_folder(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith("CHECKLIST_")}
    env = {**base, "CHECKLIST_TODAY": "2026-11-28", "CHECKLIST_TEMPLATES": str(TEMPLATES)}

    def run(cwd, *args, **extra):
        return subprocess.run([sys.executable, "-m", "checklist", *args], cwd=cwd, env={**env, **extra},
                              capture_output=True, text=True)

    assert run(a, "--db", "db.json", "import", "roster", str(DEMO_ROSTER)).returncode == 0
    assert run(a, "--db", "db.json", "import", "roster", str(DEMO_ROSTER.with_name("nope.csv"))).returncode == 1
    items = json.loads(run(a, "--db", "db.json", "today", "--officer", "DL001", "--json").stdout)["items"]
    crashed = run(a, "--db", "db.json", "done", items[0]["id"], CHECKLIST_FAULT="manifest-written")
    assert crashed.returncode == 86  # died just before its commit point: the old state stands
    verify = run(b, "--db", "../a/db.json", "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    shown = json.loads(run(b, "--db", "../a/db.json", "show", items[0]["id"], "--json").stdout)
    assert shown["status"] == "open"
    assert run(b, "--db", "../a/db.json", "done", items[0]["id"]).returncode == 0  # the next writer tidies up
    assert not list((a / "db.json.d").rglob("*.tmp")) and not (a / "db.json.d" / "pending").exists()
    assert json.loads(run(b, "--db", "../a/db.json", "show", items[0]["id"], "--json").stdout)["status"] == "done"


@pytest.mark.parametrize("fault, created", [("manifest-written", False), ("committed", True)])
def test_a_crash_in_the_very_first_import_leaves_no_database_or_a_whole_one(tmp_path, fault, created):
    cl = Checklist(tmp_path / "db.json", today="2026-11-28")
    assert cl.call("import", "roster", str(DEMO_ROSTER), CHECKLIST_FAULT=fault).returncode == 86
    if created:
        assert len(cl.json("roster")["officers"]) == 13
    else:
        assert "import a roster first" in cl.run("roster").stderr
        assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    assert cl.run("audit", "verify").exit_code == 0


def test_a_failure_at_the_commit_point_itself_is_exit_3_and_changes_nothing(demo_seed, tmp_path, monkeypatch):
    import checklist.store.files as files

    from clitools import snapshot

    cl = copy_world(demo_seed, tmp_path, today="2026-11-28")  # the file database's own commit point
    item = first_open(cl)
    before = snapshot(cl.db)
    real_replace = os.replace

    def full_disk(source, target):
        if str(target) == str(cl.db):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", full_disk)
    result = cl.run("done", item)
    assert result.exit_code == 3 and "the disk is full" in result.stderr and "nothing was changed" in result.stderr
    monkeypatch.setattr(files.os, "replace", real_replace)
    assert cl.json("show", item)["status"] == "open"
    assert cl.run("done", item).exit_code == 0
    assert cl.run("audit", "verify").exit_code == 0
    assert {k: v for k, v in before.items() if "/" not in k} != snapshot(cl.db)  # and then it did change


def test_a_roster_without_optional_columns_keeps_what_the_database_knows(cl, tmp_path):
    partial = tmp_path / "p.csv"
    partial.write_text("id,name,roles\nDL002,吴刚,执行法官\n", encoding="utf-8")
    result = cl.run("import", "roster", str(partial))
    assert result.exit_code == 0 and "already up to date; nothing changed" in result.stdout
    officer = next(o for o in cl.json("roster")["officers"] if o["id"] == "DL002")
    assert (officer["court"], officer["department"], officer["lead"]) == ("哈尔滨市道里区人民法院", "执行一庭", "DL010")


def test_exports_and_imports_see_a_duty_once_it_is_applied(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    cl = Checklist(tmp_path / "db.json", today="2026-11-28", templates=folder)
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    with open(folder / "quality-year-2026.yaml", "a", encoding="utf-8") as handle:
        handle.write("  - {key: new-duty, title: 新增任务, role: officer, every: month, due: last}\n")
    exported = cl.json("export", "items", "--officer", "DL001")["items"]
    assert not any(i["key"] == "new-duty" for i in exported)  # not until the database applies it
    assert cl.run("templates", "apply", str(folder)).exit_code == 0
    exported = cl.json("export", "items", "--officer", "DL001")["items"]
    assert any(i["key"] == "new-duty" for i in exported)
    status = tmp_path / "s.csv"
    status.write_text("officer,key,period,status\nDL001,new-duty,2026-12,done\n", encoding="utf-8")
    assert cl.run("import", "status", str(status)).exit_code == 0


def test_status_rows_name_periods_and_dates_in_any_usual_form(cl, tmp_path):
    status = tmp_path / "s.csv"
    status.write_text("officer,key,period,status\n"
                      "DL001,weekly-ledger,2026-w48,done\n"  # lowercase week
                      "DL001,weekly-ledger,20261204,done\n"  # the W49 item's due date (Fri 4 Dec), written compactly
                      "DL001,node-alerts,2026/11/24,done\n", encoding="utf-8")
    result = cl.run("import", "status", str(status))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("3 rows: 3 done")


def test_odd_values_are_refused_cleanly(cl, tmp_path):
    assert cl.run("report", "--out", str(tmp_path / "nowhere" / "r.txt")).exit_code == 1
    assert cl.run("today", "--officer", "DL001", "--days", "999999999").exit_code == 2
    assert cl.run("follow-up", first_open(cl), "--note", "x", "--days", "3000000").exit_code == 2
    assert cl.run("done", "/etcx").stderr.strip().startswith("no item '/etcx'")
    lang = cl.run("today", "--lang")
    assert lang.exit_code == 2 and "--lang needs a value" in lang.stderr


def test_a_department_led_from_another_names_its_lead_and_counts_later_follow_ups(cl):
    later = [i for i in cl.json("today", "--officer", "NG003", "--days", "30")["items"] if i["due"] > "2026-11-28"]
    assert cl.run("follow-up", later[0]["id"], "--note", "提前准备").exit_code == 0
    rows = {r["group"]: r for r in cl.json("report", "--by", "department")["rows"]}
    team = rows["哈尔滨市南岗区人民法院/速执团队"]  # NG003 works there; their lead NG010 sits in 执行一庭
    assert team["responsible"] == {"id": "NG010", "name": "杨帆"}
    assert team["follow_ups"] == 1  # open, though the item falls due later in the month
