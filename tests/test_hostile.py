"""Input that tries to hurt: escape sequences, huge or endless files, absurd templates, odd shapes.

Each gets a clear one-line answer naming where, the right exit code, and nothing written.
"""

import json
import os
import pty
import subprocess
import sys

import pytest

from checklist.store import Change, open_store
from clitools import DEMO_ROSTER, TEMPLATES, Checklist, copy_world, snapshot

ESCAPES = ("\x1b", "\x9b", "\x07", "\x08")


@pytest.fixture
def cl(demo_seed, tmp_path):
    return copy_world(demo_seed, tmp_path, today="2026-11-28")


# -- terminal escape sequences ---------------------------------------------------------------------------------


@pytest.fixture
def hostile(cl):
    """Escape sequences planted in a name, an officer id, a title, a note and a follow-up, as an older
    version or a forger could have stored them (today's imports refuse them)."""
    store = open_store(cl.db)
    with store.writing() as writer:
        officer = {**writer.officer("DL002"), "name": "吴\x1b[2J刚"}
        items = writer.items("DL002")
        first, second = items[0], items[1]
        first = {**first, "title": "标题\x1b[31m红\x07", "status": "done", "done_at": "2026-11-27T09:00:00+08:00",
                 "note": "已报送\x1b]0;pwned\x07"}
        second = {**second, "follow_ups": [{"opened_at": "2026-11-27T09:00:00+08:00", "by": "周\x9b31m敏",
                                            "note": "请\x08\x08说明", "reply_due": "2026-12-02", "closed_at": None}]}
        planted = {**officer, "id": "DL\x1b[0m9", "name": "新\x1b[5m人"}
        copies = [{**i, "officer": planted["id"], "id": "zz" + i["id"][2:]} for i in items[:5]]
        writer.commit(Change(officers=[officer, planted], items={"DL002": [first, second], planted["id"]: copies},
                             entries=[{"at": "2026-11-27T09:00:00+08:00", "recorded": "2026-11-28T09:00:00+08:00",
                                       "actor": "x\x1b[8m", "action": "done", "officer": "DL002", "item": first["id"],
                                       "before": {"status": "open"}, "after": {"status": "done"},
                                       "note": first["note"]}]))
    return cl, first["id"], second["id"], planted["id"]


def test_escape_sequences_in_stored_text_reach_no_terminal_output(hostile):
    cl, done_id, followed_id, planted = hostile
    commands = [
        ("today", "--officer", "DL002"), ("today", "--officer", planted), ("show", done_id), ("show", followed_id),
        ("log",), ("log", done_id), ("report", "--all"), ("report", "--all", "--by", "department"),
        ("report", "--all", "--format", "md"), ("follow-ups", "--all"), ("roster",), ("plan", "--officer", "DL002"),
        ("audit", "verify"), ("doctor",), ("undo", done_id), ("done", done_id, "--officer", "DL002"),
        ("today", "--officer", "DL\x1b[1m"), ("show", "zz\x1b[31m"),
    ]
    for args in commands:
        result = cl.run(*args)
        for stream in (result.stdout, result.stderr):
            assert not any(c in stream for c in ESCAPES), (args, stream)
    shown = cl.run("show", done_id).stdout
    assert "标题\\x1b[31m红" in shown  # visible, and harmless (Rich drops a bell itself)
    assert json.loads(cl.run("show", done_id, "--json").stdout)["title"] == "标题\x1b[31m红\x07"  # data kept as is


def test_an_export_to_a_terminal_shows_escapes_harmlessly_and_to_a_file_keeps_them(hostile, tmp_path):
    cl, *_ = hostile
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKLIST_")}
    env.update({k: v for k, v in cl.env.items() if v is not None}, TERM="dumb")
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "checklist", "export", "items", "--officer", "DL002"],
                            stdout=child, stderr=child, env=env)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=60)
    os.close(main)
    assert proc.returncode == 0 and "标题".encode() in output
    assert b"\x1b" not in output and b"\x07" not in output
    out = tmp_path / "items.csv"
    assert cl.run("export", "items", "--officer", "DL002", "--out", str(out)).exit_code == 0
    assert "标题\x1b[31m红" in out.read_text(encoding="utf-8-sig")


def test_control_characters_are_refused_at_the_door(cl, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name,roles\nDL002,吴\x1b[31m刚,officer\n", encoding="utf-8")
    result = cl.run("import", "roster", str(roster))
    assert result.exit_code == 1 and f"{roster}:2: name: holds a control character (\\x1b)" in result.stderr
    status = tmp_path / "s.csv"
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    status.write_text(f"id,status,note\n{item},done,好\x1b[2J\n", encoding="utf-8")
    result = cl.run("import", "status", str(status))
    assert result.exit_code == 1 and f"{status}:2: note: holds a control character" in result.stderr
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "c.yaml").write_text('campaign: {key: c, name: "活动\\e[31m", start: 2026-01-01, end: 2026-12-31}\n'
                                   "duties:\n  - {key: a, title: t, role: officer, every: week}\n", encoding="utf-8")
    result = cl.run("templates", "validate", str(folder))
    assert result.exit_code == 1 and f"{folder}/c.yaml:1: campaign name holds a control character" in result.stderr


# -- files that are not files, files too big ------------------------------------------------------------------


def test_a_device_or_a_folder_given_as_a_spreadsheet_is_refused_before_reading(cl, tmp_path):
    before = snapshot(cl.db)
    for path, words in (("/dev/zero", "not a regular file"), (str(tmp_path), "not a regular file")):
        result = cl.run("import", "roster", path)
        assert result.exit_code == 1 and f"{path}: {words}" in result.stderr
    assert snapshot(cl.db) == before


def test_a_spreadsheet_over_the_size_limit_is_refused_before_reading(cl, tmp_path, monkeypatch):
    import checklist.spreadsheets as spreadsheets

    monkeypatch.setattr(spreadsheets, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.csv"
    big.write_text("id,name,roles\n" + "DL001,周敏,officer\n" * 100, encoding="utf-8")
    result = cl.run("import", "roster", str(big))
    assert result.exit_code == 1 and "split the file" in result.stderr


def test_a_roster_that_mixes_utf8_and_gbk_is_refused_not_turned_into_mojibake(cl, tmp_path):
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("id,name,roles\nDL001,周敏,officer\n".encode("utf-8") + "DL002,吴刚,officer\n".encode("gbk"))
    before = snapshot(cl.db)
    result = cl.run("import", "roster", str(mixed))
    assert result.exit_code == 1
    assert f"{mixed}:3: this line is not UTF-8, but line 2 is: the file mixes two encodings" in result.stderr
    assert snapshot(cl.db) == before
    gbk = tmp_path / "gbk.csv"  # a whole GBK file is still read as such
    gbk.write_bytes("id,name,roles\nDL001,周敏,officer\nDL002,吴刚,officer\n".encode("gbk"))
    assert cl.run("import", "roster", str(gbk)).exit_code == 0


@pytest.mark.parametrize("value, words", [("1900-01-01", "is before 2000-01-01"),
                                          ("2026-11-20 25:99", "is not a real time of day"),
                                          ("2026-11-20 9:7", "is not a date and time")])
def test_impossible_done_times_are_row_errors(cl, tmp_path, value, words):
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    status = tmp_path / "s.csv"
    status.write_text(f"id,status,done_at\n{item},done,{value}\n", encoding="utf-8")
    before = snapshot(cl.db)
    result = cl.run("import", "status", str(status))
    assert result.exit_code == 1 and f"{status}:2: done_at: '{value}' {words}" in result.stderr
    assert snapshot(cl.db) == before


# -- templates that would never finish ------------------------------------------------------------------------


def campaign(extra="", end="2026-12-31", duties="  - {key: a, title: 任务, role: officer, every: week}\n"):
    return (f"campaign:\n  key: c\n  name: 活动\n  start: 2026-01-01\n  end: {end}\n{extra}duties:\n{duties}")


@pytest.mark.parametrize("name, text, words", [
    ("empty-due", campaign(duties="  - key: a\n    title: 任务\n    role: officer\n    every: week\n    due:\n"),
     "c.yaml:11: duty 'a': due is empty"),
    ("year-9999", campaign(end="9999-12-31"), "c.yaml:5: campaign end 9999-12-31 is outside the years 2000–2099"),
    ("ten-years", campaign(end="2036-12-31"), "more than five years"),
    ("deep", "campaign:\n  key: c\nx: " + "[" * 200_000 + "]" * 200_000 + "\n", "c.yaml:3: nested more than 20 levels"),
    ("many-duties", campaign(duties="".join(f"  - {{key: d{n}, title: 任务{n}, role: officer, every: day}}\n"
                                            for n in range(600))), "600 duties, more than 500"),
    ("calendar-range", "calendar:\n  holidays: [2027-01-01..2099-12-31]\n", "must lie in 2000–2099 and span at most a year"),
])
def test_absurd_templates_are_refused_quickly_with_their_place(cl, tmp_path, name, text, words):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "c.yaml").write_text(text, encoding="utf-8")
    result = cl.run("templates", "validate", str(folder))
    assert result.exit_code == 1 and words in result.stderr, result.output
    assert "internal error" not in result.stderr
    before = snapshot(cl.db)
    assert cl.run("templates", "apply", str(folder)).exit_code == 1
    assert snapshot(cl.db) == before


# -- exit codes -----------------------------------------------------------------------------------------------


def test_wrong_shapes_in_the_database_are_exit_3_not_an_internal_error(cl):
    doc = json.loads(cl.db.read_text(encoding="utf-8"))
    officer = next(iter(doc["officers"].values()))
    meta = next(iter(doc["meta"].values()))
    store = next(iter(doc["store"].values()))
    for damage in ({"officers": ["not", "a", "table"]}, {"store": {"1": {"schema": "two"}}}, {"files": {"1": 5}},
                   {"officers": {"1": {**officer, "roles": 5}}}, {"officers": {"1": {**officer, "since": "garbage"}}},
                   {"meta": {"1": {**meta, "campaigns": ["a", "list"]}}}, {"meta": {"1": {**meta, "templates": None}}},
                   {"store": {"1": {**store, "generation": -4}}}):
        cl.db.write_text(json.dumps({**doc, **damage}), encoding="utf-8")
        result = cl.run("today", "--officer", "DL001")
        assert result.exit_code == 3 and "is damaged" in result.stderr and "internal error" not in result.stderr
    cl.db.write_text(json.dumps(doc), encoding="utf-8")
    items = cl.db.with_name("db.json.d") / "items"
    path = next(items.glob("dl001-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["items"]["1"]["due"] = 20261127
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    ref = next(f for f in doc["files"].values() if f["officer"] == "DL001")
    ref["size"] = len(raw)
    cl.db.write_text(json.dumps(doc), encoding="utf-8")
    result = cl.run("today", "--officer", "DL001")
    assert result.exit_code == 3 and "an item is incomplete" in result.stderr


def test_a_dry_run_status_import_writes_nothing_even_when_templates_changed(tmp_path):
    import shutil

    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    cl = Checklist(tmp_path / "db.json", today="2026-11-28", templates=folder)
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    (folder / "thunder-2026.yaml").unlink()
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    status = tmp_path / "s.csv"
    status.write_text(f"id,status\n{item},done\n", encoding="utf-8")
    before = snapshot(cl.db)
    result = cl.run("import", "status", str(status), "--dry-run")
    assert result.exit_code == 0 and "dry run: nothing was written" in result.stdout
    assert snapshot(cl.db) == before


def test_characters_no_spreadsheet_can_hold_are_refused_in_notes(cl, tmp_path):
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    result = cl.run("done", item, "--note", "已报送\ufffe")
    assert result.exit_code == 1 and "control character (\\ufffe)" in result.stderr
    status = tmp_path / "s.csv"
    status.write_text(f"id,status,note\n{item},done,好\uffff\n", encoding="utf-8")
    result = cl.run("import", "status", str(status))
    assert result.exit_code == 1 and f"{status}:2: note: holds a control character (\\uffff)" in result.stderr
    assert cl.run("done", item, "--note", "已报送").exit_code == 0  # an XLSX round trip holds what was let in
    out = tmp_path / "items.xlsx"
    assert cl.run("export", "items", "--officer", "DL001", "--format", "xlsx", "--out", str(out)).exit_code == 0


@pytest.mark.parametrize("args, words", [
    (("report", "--month", "9999-12"), "outside the years checklist works with (2000 to 2099)"),
    (("report", "--week", "9999-W52"), "--week takes a week like 2026-W48"),
    (("report", "--from", "0001-01-01", "--to", "2026-11-01"), "outside the years checklist works with"),
    (("export", "items", "--to", "9999-12-31"), "outside the years checklist works with"),
    (("done", "abcd", "--on", "0001-01-01"), "--on: 0001-01-01 is outside the years"),
    (("import", "roster", "ROSTER", "--encoding", "undefined"), "unknown encoding 'undefined'"),
])
def test_values_beyond_what_checklist_works_with_are_refused_in_one_line(cl, args, words):
    args = [str(DEMO_ROSTER) if a == "ROSTER" else a for a in args]
    result = cl.run(*args)
    assert result.exit_code in (1, 2) and words in result.stderr and "internal error" not in result.stderr, \
        result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_as_of_day_outside_the_supported_years_is_refused(cl):
    result = cl.run("today", "--officer", "DL001", CHECKLIST_TODAY="9999-12-31")
    assert result.exit_code == 2 and "CHECKLIST_TODAY: 9999-12-31 is outside the years" in result.stderr
