"""The file database under stress and under attack: concurrent writers, crashes at every step,
a deleted lock, planted and damaged files, devices and links where files should be."""

import json
import os
import subprocess
import time

import pytest

from checklist.store import open_store
from checklist.store.lock import FileLock
from clitools import DEMO_ROSTER, Checklist, copy_world, snapshot


@pytest.fixture
def cl(demo_seed, tmp_path):
    return copy_world(demo_seed, tmp_path, today="2026-11-28")


def state(db):
    """Officers, and each officer's item statuses and history length, read through the store."""
    with open_store(db).reading() as reader:
        return {o["id"]: ({i["id"]: i["status"] for i in reader.items(o["id"])}, len(reader.history(o["id"])))
                for o in reader.officers()}


def open_ids(cl, officer, n):
    items = cl.json("today", "--officer", officer, "--days", "14")["items"]
    return [i["id"] for i in items if i["status"] == "open"][:n]


def folder(cl):
    return cl.db.with_name(cl.db.name + ".d")


def no_leftovers(cl):
    checks = {c["name"]: c for c in cl.json("doctor")["checks"]}
    return checks["files"]["detail"] == "only files checklist made"


def test_eight_processes_marking_items_done_at_once_lose_nothing(cl):
    ids = open_ids(cl, "DL001", 4) + open_ids(cl, "DL002", 2) + open_ids(cl, "NG001", 2)
    before = state(cl.db)
    procs = [cl.spawn("done", item, "--note", f"并发{n}") for n, item in enumerate(ids)]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0] * 8, results
    final = state(cl.db)
    for item in ids:
        owner = next(o for o, (items, _) in final.items() if item in items)
        assert final[owner][0][item] == "done"
    assert final["DL001"][1] == before["DL001"][1] + 4  # four history entries, none lost
    assert [h["note"] for h in cl.json("show", ids[0])["history"] if h["action"] == "done"] == ["并发0"]
    assert cl.run("audit", "verify").exit_code == 0


CHECKPOINTS = ["commit-started", "file-written:1", "file-written:2", "log-partial", "log-written", "copies-written",
               "manifest-written", "committed"]


@pytest.mark.parametrize("fault", CHECKPOINTS)
def test_a_crash_at_any_step_of_a_write_leaves_the_old_or_the_new_state(cl, fault):
    first, second = open_ids(cl, "DL001", 1)[0], open_ids(cl, "NG001", 1)[0]  # two officers: two files
    old = state(cl.db)
    crashed = cl.call("done", first, second, CHECKLIST_FAULT=fault)
    assert crashed.returncode == 86  # the process died at the checkpoint
    after = state(cl.db)  # readers see a whole state, before anyone tidies up
    statuses = (after["DL001"][0][first], after["NG001"][0][second])
    if fault == "committed":
        assert statuses == ("done", "done")
        assert after["DL001"][1] == old["DL001"][1] + 1 and after["NG001"][1] == old["NG001"][1] + 1
    else:
        assert after == old
    assert cl.run("audit", "verify").exit_code == 0
    assert cl.run("done", first, second).exit_code == 0  # and the database works on
    assert no_leftovers(cl) and not (folder(cl) / "pending").exists()
    assert cl.run("audit", "verify").exit_code == 0


@pytest.mark.parametrize("fault", ["file-written:1", "file-written:9", "log-written", "copies-written",
                                   "manifest-written", "committed"])
def test_a_crash_in_the_middle_of_a_roster_import_is_all_or_nothing(cl, tmp_path, fault):
    roster = tmp_path / "more.csv"
    roster.write_text(DEMO_ROSTER.read_text(encoding="utf-8") +
                      "DL006,新同事,哈尔滨市道里区人民法院,执行一庭,officer,DL010,2026-11-30\n"
                      "NG004,另一位,哈尔滨市南岗区人民法院,执行一庭,officer,NG010,2026-11-30\n", encoding="utf-8")
    old = state(cl.db)
    assert cl.call("import", "roster", str(roster), CHECKLIST_FAULT=fault).returncode == 86
    after = state(cl.db)
    if fault == "committed":
        assert set(after) == set(old) | {"DL006", "NG004"}
        assert after["DL006"][0] and after["NG004"][0]  # their items came with them
        assert {k: v for k, v in after.items() if k in old} == old
    else:
        assert after == old
    assert cl.run("today", "--officer", "DL006").exit_code == (0 if fault == "committed" else 1)
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    assert cl.run("audit", "verify").exit_code == 0 and no_leftovers(cl)


def test_a_lock_held_too_long_is_exit_3_naming_the_holder(cl):
    before = snapshot(cl.db)
    with FileLock(str(cl.db) + ".lock"):
        (cl.db.parent / "db.json.lock.info").write_text(f"4242\t{time.time():.0f}\tchecklist import status x.csv",
                                                         encoding="utf-8")
        result = cl.run("--wait", "0.3", "done", "abcd")
        reading = cl.run("today", "--officer", "DL001")  # readers never wait for a writer
    assert result.exit_code == 3
    assert "the database is busy: 'checklist import status x.csv' (process 4242" in result.stderr
    assert reading.exit_code == 0
    assert snapshot(cl.db) == before


def test_deleting_the_lock_file_while_a_writer_holds_it_loses_nothing(cl):
    """The second writer gets in, but the first finds out before its commit point and stops."""
    from checklist.errors import StoreError
    from checklist.store import Change

    mine, theirs = open_ids(cl, "DL001", 2)
    store = open_store(cl.db)
    with pytest.raises(StoreError, match="was removed while this command held it"):
        with store.writing() as writer:
            item = next(i for i in writer.items("DL001") if i["id"] == mine)
            os.unlink(str(cl.db) + ".lock")  # someone tidies the folder
            other = cl.call("done", theirs)  # … and another writer takes a new lock file
            assert other.returncode == 0, other.stderr
            writer.commit(Change(items={"DL001": [{**item, "status": "done"}]}, entries=[{
                "at": "2026-11-28T09:00:00+08:00", "recorded": "2026-11-28T09:00:00+08:00", "actor": "x",
                "action": "done", "officer": "DL001", "item": mine, "before": {"status": "open"},
                "after": {"status": "done"}}]))
    statuses = state(cl.db)["DL001"][0]
    assert statuses[theirs] == "done" and statuses[mine] == "open"  # the acknowledged one kept, the other refused
    assert cl.run("audit", "verify").exit_code == 0  # one chain, not two


def test_a_damaged_or_emptied_database_is_refused_not_replaced(cl):
    main = cl.db.read_bytes()
    cl.db.write_bytes(main[: len(main) // 2])
    before = snapshot(cl.db)
    result = cl.run("today", "--officer", "DL001")
    assert result.exit_code == 3
    assert f"the database file {cl.db} is damaged" in result.stderr and "restore it from a backup" in result.stderr
    cl.db.write_bytes(b"")  # a 0-byte main file is not a new database
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 3
    assert "it is empty" in cl.run("today", "--officer", "DL001").stderr
    assert snapshot(cl.db) == {**before, "db.json": snapshot(cl.db)["db.json"]}


@pytest.mark.parametrize("damage", ["empty", "missing", "shorter"])
def test_a_file_the_database_names_that_cannot_be_read_is_exit_3(cl, damage):
    (path,) = [p for p in (folder(cl) / "items").iterdir() if p.name.startswith("dl001-")]
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "missing":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[:-10])
    before = snapshot(cl.db)
    for args in (("today", "--officer", "DL001"), ("audit", "verify"), ("report", "--all")):
        result = cl.run(*args)
        assert result.exit_code == 3, (args, result.output)
        assert str(path) in result.stderr
    doctor = cl.run("doctor")
    assert doctor.exit_code == 1 and "restore" in doctor.stdout
    assert snapshot(cl.db) == before


def test_a_missing_or_cut_log_is_exit_3_never_a_new_chain(cl):
    log = folder(cl) / "log.jsonl"
    item = open_ids(cl, "DL002", 1)[0]
    data = log.read_bytes()
    log.unlink()
    before = snapshot(cl.db)
    assert cl.run("done", item).exit_code == 3
    assert cl.run("audit", "verify").exit_code == 3
    log.write_bytes(data[: len(data) // 2])
    assert cl.run("done", item).exit_code == 3
    assert snapshot(cl.db) == {**before, "db.json.d/log.jsonl": snapshot(cl.db)["db.json.d/log.jsonl"]}


def test_a_planted_journal_is_never_obeyed_and_doctor_names_it(cl, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("important\n", encoding="utf-8")
    planted = {"moves": [[str(victim), str(tmp_path / "moved.txt")]], "log": [str(victim), str(victim), 0]}
    (cl.db.parent / "db.json.journal").write_text(json.dumps(planted), encoding="utf-8")
    (folder(cl) / "items" / "notes.txt").write_text("x", encoding="utf-8")
    assert cl.run("today", "--officer", "DL001").exit_code == 0
    assert cl.run("done", open_ids(cl, "DL001", 1)[0]).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "important\n" and not (tmp_path / "moved.txt").exists()
    doctor = cl.run("doctor")
    assert doctor.exit_code == 1
    assert "db.json.journal" in doctor.stdout and "notes.txt" in doctor.stdout
    assert (folder(cl) / "items" / "notes.txt").exists()  # left for a person to look at


def test_a_manifest_naming_a_file_outside_the_database_is_refused(cl, tmp_path):
    doc = json.loads(cl.db.read_text(encoding="utf-8"))
    first = next(iter(doc["files"].values()))
    first["items"] = "../../../etc/passwd"
    cl.db.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = snapshot(cl.db)
    for args in (("today", "--officer", "DL001"), ("done", "abcd")):
        result = cl.run(*args)
        assert result.exit_code == 3 and "names a file checklist does not make" in result.stderr
    assert snapshot(cl.db) == before


def test_a_copy_of_a_database_with_leftovers_never_writes_into_the_original(cl, tmp_path):
    import shutil

    crashed = cl.call("done", open_ids(cl, "DL001", 1)[0], CHECKLIST_FAULT="log-written")
    assert crashed.returncode == 86
    original = snapshot(cl.db)
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in cl.db.parent.iterdir():
        if path.name.startswith("db.json"):
            shutil.copytree(path, copy / path.name) if path.is_dir() else shutil.copy2(path, copy / path.name)
    other = Checklist(copy / "db.json", today="2026-11-28")
    assert other.run("done", open_ids(other, "NG001", 1)[0]).exit_code == 0
    assert snapshot(cl.db) == original


def test_a_symlinked_database_is_followed_and_a_device_is_refused(cl, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(cl.db)
    via_link = Checklist(link, today="2026-11-28")
    item = open_ids(via_link, "DL001", 1)[0]
    assert via_link.run("done", item).exit_code == 0
    assert link.is_symlink() and cl.json("show", item)["status"] == "done"
    for where, words in (("/dev/null", "not a regular file"), (str(tmp_path), "is a folder"),
                         (str(tmp_path / ("x" * 300) / "db.json"), "too long")):
        result = Checklist(where, today="2026-11-28").run("today", "--officer", "DL001")
        assert result.exit_code == 3 and words in result.stderr, (where, result.output)
        assert "internal error" not in result.stderr


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink"])
def test_export_out_onto_a_device_a_pipe_or_a_link_is_written_through_not_replaced(cl, tmp_path, kind):
    target = tmp_path / "target.csv"
    out = tmp_path / "out"
    if kind == "device":
        out = tmp_path / "null"
        subprocess.run(["mknod", str(out), "c", "1", "3"], check=True)
    elif kind == "fifo":
        os.mkfifo(out)
        reader = subprocess.Popen(["cat", str(out)], stdout=subprocess.PIPE)
    else:
        out.symlink_to(target)
    result = cl.run("export", "items", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    if kind == "device":
        assert out.is_char_device()
    elif kind == "fifo":
        assert reader.communicate(timeout=30)[0].startswith(b"\xef\xbb\xbfid,officer")
        assert out.is_fifo()
    else:
        assert out.is_symlink() and target.read_bytes().startswith(b"\xef\xbb\xbfid,officer")


def test_leftovers_of_a_crashed_write_are_removed_by_the_next_write(cl):
    stale = folder(cl) / "items" / "dl001-00000000.999-0badf00d.json"
    stale.write_text("half a write", encoding="utf-8")
    (folder(cl) / "pending").write_text("", encoding="utf-8")
    assert "interrupted write" in cl.run("doctor").stdout
    assert cl.run("done", open_ids(cl, "DL001", 1)[0]).exit_code == 0
    assert not stale.exists() and no_leftovers(cl)


def test_chinese_is_stored_as_text_not_escapes(cl):
    raw = next((folder(cl) / "items").glob("dl001-*.json")).read_text(encoding="utf-8")
    assert "更新未结案件进展台账" in raw and "\\u" not in raw


def test_the_files_are_tinydb_databases(cl):
    from tinydb import Query, TinyDB

    with TinyDB(cl.db, access_mode="r") as db:
        assert db.table("officers").get(Query().id == "DL001")["name"] == "周敏"
    path = next((folder(cl) / "items").glob("dl001-*.json"))
    with TinyDB(path, access_mode="r") as db:
        assert len(db.table("items")) > 10 and db.table("plans").all()


def test_applying_earlier_templates_again_keeps_them(cl, tmp_path, monkeypatch):
    import shutil

    import checklist.store.files as files
    from clitools import TEMPLATES

    other = tmp_path / "other"
    shutil.copytree(TEMPLATES, other)
    (other / "thunder-2026.yaml").unlink()
    monkeypatch.setattr(files, "GRACE", 0.0)  # replaced files are deleted at the next write
    assert cl.run("templates", "apply", str(other)).exit_code == 0
    assert cl.run("templates", "apply", str(TEMPLATES)).exit_code == 0  # the first bundle again, by its name
    assert cl.run("done", open_ids(cl, "DL001", 1)[0]).exit_code == 0
    assert cl.run("plan", "--officer", "DL001").exit_code == 0
    assert cl.run("audit", "verify").exit_code == 0


def test_a_lost_manifest_is_never_taken_for_a_new_database(cl):
    log = folder(cl) / "log.jsonl"
    before = log.read_bytes()
    cl.db.rename(cl.db.with_name("lost.json"))
    (folder(cl) / "pending").write_text("7\n", encoding="utf-8")  # a later write's marker, left by a crash
    for args in (("today", "--officer", "DL001"), ("import", "roster", str(DEMO_ROSTER))):
        result = cl.run(*args)
        assert result.exit_code == 3 and "is missing but its folder" in result.stderr
    assert log.read_bytes() == before and list((folder(cl) / "items").iterdir())


def test_a_linked_folder_inside_the_database_is_refused(cl, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "dl001-0123abcd.7-0badf00d.json"
    victim.write_text("someone else's", encoding="utf-8")
    items = folder(cl) / "items"
    for path in items.iterdir():
        (outside / path.name).write_bytes(path.read_bytes())
    moved = folder(cl) / "items-real"
    items.rename(moved)
    items.symlink_to(outside)
    (folder(cl) / "pending").write_text("9\n", encoding="utf-8")
    result = cl.run("done", "abcd")
    assert result.exit_code == 3 and "not a folder, or a link to one elsewhere" in result.stderr
    assert victim.read_text(encoding="utf-8") == "someone else's"
    doctor = cl.run("doctor")
    assert doctor.exit_code == 1 and "link" in doctor.stdout


def test_two_writers_after_the_lock_file_was_deleted_never_damage_the_database(cl):
    slow_item, fast_item = open_ids(cl, "DL001", 2)
    pending = folder(cl) / "pending"
    slow = cl.spawn("done", slow_item, CHECKLIST_FAULT="slow:700")
    deadline = time.monotonic() + 60
    while not pending.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(1.0)  # well inside its commit
    os.unlink(str(cl.db) + ".lock")
    fast = cl.call("done", fast_item)
    assert fast.returncode == 0, fast.stderr
    out, err = slow.communicate(timeout=120)
    assert slow.returncode == 3 and "was removed while this command held it" in err
    statuses = state(cl.db)["DL001"][0]
    assert statuses[fast_item] == "done" and statuses[slow_item] == "open"
    assert cl.run("audit", "verify").exit_code == 0
    assert cl.run("done", slow_item).exit_code == 0 and cl.run("audit", "verify").exit_code == 0


def test_reading_commands_create_and_change_nothing_not_even_a_lock(cl):
    for name in ("db.json.lock", "db.json.lock.info"):
        (cl.db.parent / name).unlink(missing_ok=True)
    before = sorted(p.name for p in cl.db.parent.iterdir())
    files = snapshot(cl.db)
    item = open_ids(cl, "DL001", 1)[0]
    for args in (("today", "--officer", "DL001"), ("show", item), ("report", "--all"), ("log",),
                 ("export", "items"), ("audit", "verify"), ("audit", "head"), ("follow-ups", "--all"), ("roster",)):
        assert cl.run(*args).exit_code == 0, args
    assert sorted(p.name for p in cl.db.parent.iterdir()) == before
    assert snapshot(cl.db) == files


def test_replaced_files_are_kept_for_a_while_then_deleted(cl, monkeypatch):
    import checklist.store.files as files

    officers = len(state(cl.db))
    items = folder(cl) / "items"
    first, second = open_ids(cl, "DL001", 2)
    assert cl.run("done", first).exit_code == 0
    assert len(list(items.iterdir())) == officers + 1  # the replaced file stays for readers already reading it
    monkeypatch.setattr(files, "GRACE", 0.0)
    assert cl.run("done", second).exit_code == 0
    assert len(list(items.iterdir())) == officers + 1  # the old one went; the one just replaced waits its turn
    assert cl.run("audit", "verify").exit_code == 0


def test_doctor_and_a_dry_run_import_create_nothing_either(cl, tmp_path):
    for name in ("db.json.lock", "db.json.lock.info"):
        (cl.db.parent / name).unlink(missing_ok=True)
    before = sorted(p.name for p in cl.db.parent.iterdir())
    files = snapshot(cl.db)
    assert cl.run("doctor").exit_code in (0, 1)
    assert cl.run("import", "roster", str(DEMO_ROSTER), "--dry-run").exit_code == 0
    assert sorted(p.name for p in cl.db.parent.iterdir()) == before
    assert snapshot(cl.db) == files


def test_a_dry_run_import_does_not_wait_for_a_writer(cl):
    holder = FileLock(str(cl.db) + ".lock")
    holder.acquire()
    try:
        result = cl.run("--wait", "0.2", "import", "roster", str(DEMO_ROSTER), "--dry-run")
        assert result.exit_code == 0, result.output
    finally:
        holder.release()


def test_the_lock_holder_note_is_cleared_when_the_lock_is_let_go(cl):
    assert cl.run("done", open_ids(cl, "DL001", 1)[0]).exit_code == 0
    assert (cl.db.parent / "db.json.lock.info").read_bytes() == b""
    holder = FileLock(str(cl.db) + ".lock")  # held by something that says nothing: no stale name is shown
    holder.acquire()
    try:
        busy = cl.run("--wait", "0.2", "done", open_ids(cl, "DL001", 1)[0])
        assert busy.exit_code == 3 and "another checklist process" in busy.stderr
    finally:
        holder.release()


def test_export_never_writes_over_the_database_or_its_files(cl):
    files = snapshot(cl.db)
    targets = [cl.db, cl.db.with_name("db.json.lock"), folder(cl) / "log.jsonl", folder(cl) / "items" / "x.csv",
               cl.db.with_name("db.json.v1-backup")]
    cl.db.with_name("alias.json").symlink_to(cl.db)
    for target in [*targets, cl.db.with_name("alias.json")]:
        result = cl.run("export", "items", "--format", "csv", "--out", str(target))
        assert result.exit_code == 1 and "it is part of the database" in result.stderr, target
    assert snapshot(cl.db) == files
    assert cl.run("report", "--all", "--format", "md", "--out", str(cl.db)).exit_code == 1
    assert cl.run("audit", "verify").exit_code == 0


def test_a_history_file_with_a_hard_link_elsewhere_is_never_added_to(cl, tmp_path):
    history = folder(cl) / "history"
    victim_copy = tmp_path / "victim.jsonl"
    path = next(history.glob("dl001-*.jsonl"))
    os.link(path, victim_copy)
    before = victim_copy.read_bytes()
    result = cl.run("done", open_ids(cl, "DL001", 1)[0])
    assert result.exit_code == 3 and "hard links" in result.stderr
    assert victim_copy.read_bytes() == before
    doctor = cl.run("doctor")
    assert doctor.exit_code == 1 and "hard links" in doctor.stdout
    victim_copy.unlink()
    assert cl.run("done", open_ids(cl, "DL001", 1)[0]).exit_code == 0
    assert cl.run("audit", "verify").exit_code == 0


def test_a_first_write_marker_left_after_its_commit_never_empties_the_database(cl):
    log = folder(cl) / "log.jsonl"
    before = log.read_bytes()
    (folder(cl) / "pending").write_text("1\n", encoding="utf-8")  # outlived the very first write's commit
    cl.db.rename(cl.db.with_name("lost.json"))  # and then the manifest was lost
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0  # taken for a crashed first write
    aside = [p for p in cl.db.parent.iterdir() if p.name.startswith("db.json.d.unfinished-")]
    assert len(aside) == 1 and (aside[0] / "log.jsonl").read_bytes() == before  # kept, not wiped
    assert cl.run("audit", "verify").exit_code == 0


@pytest.mark.parametrize("field, value", [
    ("due", "x"), ("done_at", "x"), ("id", "NOT-AN-ID-AT-ALL"), ("status", "finished"), ("note", 5),
    ("follow_ups", [5]), ("follow_ups", [{"opened_at": 7, "by": "x"}]), ("reason", ["a"])])
def test_a_damaged_but_well_formed_item_is_named_not_a_crash(cl, field, value):
    doc = json.loads(cl.db.read_text(encoding="utf-8"))
    ref = next(f for f in doc["files"].values() if f["officer"] == "DL001")
    path = folder(cl) / "items" / ref["items"]
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["items"].values()))[field] = value
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    ref["size"] = len(raw)
    cl.db.write_text(json.dumps(doc), encoding="utf-8")
    for args in (("today", "--officer", "DL001"), ("report", "--all"), ("export", "items")):
        result = cl.run(*args)
        assert result.exit_code == 3 and "an item is incomplete" in result.stderr, (args, result.output)


@pytest.mark.parametrize("table, change", [
    ("buckets", lambda r: r.update(officer=5) or r), ("files", lambda r: r.pop("items") and r),
    ("meta", lambda r: r["campaigns"][next(iter(r["campaigns"]))].update(start=None) or r)])
def test_damaged_records_in_the_manifest_are_named_not_a_crash(cl, table, change):
    doc = json.loads(cl.db.read_text(encoding="utf-8"))
    if table == "buckets":  # the damage is inside an index file: an officer id that is not text
        bucket = next(iter(doc["buckets"].values()))
        path = folder(cl) / "ids" / bucket["file"]
        data = json.loads(path.read_text(encoding="utf-8"))
        change(next(iter(data["ids"].values())))
        raw = json.dumps(data).encode()
        path.write_bytes(raw)
        bucket["size"] = len(raw)
        typed = next(iter(data["ids"].values()))["id"][:6]
    else:
        change(next(iter(doc[table].values())))
        typed = "abcd"
    cl.db.write_text(json.dumps(doc), encoding="utf-8")
    result = cl.run("show", typed)
    assert result.exit_code == 3 and "damaged" in result.stderr and "internal error" not in result.stderr, \
        result.output
