"""History you can trust: the hash chain, tampering, crashes, kills, concurrency and injected faults."""

import json
import random
import signal
import time

import orjson
import pytest

from checklist.store import Store, entry_hash
from clitools import DEMO_ROSTER, Checklist, copy_world, snapshot


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The demo roster, with some history: done, undo, skip and a follow-up."""
    folder = tmp_path_factory.mktemp("seed")
    cl = Checklist(folder / "db.json", today="2026-11-28")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    items = [i["id"] for i in cl.json("today", "--officer", "DL001", "--days", "14")["items"]]
    assert cl.run("done", items[0], items[1], "--note", "已报送").exit_code == 0
    assert cl.run("undo", items[1]).exit_code == 0
    assert cl.run("skip", items[2], "--reason", "不适用").exit_code == 0
    assert cl.run("follow-up", items[3], "--note", "请尽快").exit_code == 0
    return folder


@pytest.fixture
def cl(seeded, tmp_path):
    return copy_world(seeded, tmp_path, today="2026-11-28")


def log_path(cl):
    return cl.db.parent / "db.json.d" / "log.jsonl"


def verify(cl, *args):
    return cl.run("audit", "verify", *args)


def test_an_untouched_history_verifies(cl):
    result = verify(cl)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 5 entries, chain intact; ")
    head = cl.run("audit", "head").stdout.strip()
    assert head.startswith("5-") and len(head) == 66
    assert verify(cl, "--head", head).exit_code == 0
    entries = cl.json("log")["entries"]
    assert [e["action"] for e in entries] == ["done", "done", "undo", "skip", "follow-up"]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1]["prev"] == entries[0]["hash"]


def test_a_flipped_byte_is_named(cl):
    raw = log_path(cl).read_bytes()
    lines = raw.split(b"\n")
    lines[1] = lines[1].replace(b"\xe5\xb7\xb2", b"\xe5\xb7\xb3", 1) if b"\xe5\xb7\xb2" in lines[1] else \
        lines[1].replace(b'"done"', b'"dome"', 1)
    log_path(cl).write_bytes(b"\n".join(lines))
    result = verify(cl)
    assert result.exit_code == 1
    assert f"{log_path(cl)}:2: entry 2 was altered after it was written" in result.stderr


def test_a_deleted_entry_is_named(cl):
    lines = log_path(cl).read_bytes().splitlines(keepends=True)
    log_path(cl).write_bytes(b"".join(lines[:2] + lines[3:]))
    result = verify(cl)
    assert result.exit_code == 1
    assert f"{log_path(cl)}:3: entry 4 where entry 3 should be; entries were removed here" in result.stderr


def test_two_reordered_entries_are_named(cl):
    lines = log_path(cl).read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    log_path(cl).write_bytes(b"".join(lines))
    result = verify(cl)
    assert result.exit_code == 1
    assert f"{log_path(cl)}:2: entry 3 where entry 2 should be; entries were reordered here" in result.stderr


def test_an_item_edited_in_the_file_is_named(cl):
    (path,) = (cl.db.parent / "db.json.d" / "officers").glob("dl002-*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    doc = next(iter(data["items"].values()))
    doc["status"], doc["done_at"] = "done", "2026-11-20T09:00:00+08:00"  # back-dated, no history
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    title = next(p["title"] for p in data["plans"].values() if p["id"] == doc["plan"])
    result = verify(cl)
    assert result.exit_code == 1
    assert f"item {doc['id']} (DL002 {title}, due {doc['due']}): status is 'done' but the history says " \
           "'open', done_at is '2026-11-20T09:00:00+08:00' but the history says None" in result.stderr


def test_a_rewritten_history_is_caught_by_an_earlier_head(cl):
    head = cl.run("audit", "head").stdout.strip()
    entries = [orjson.loads(line) for line in log_path(cl).read_bytes().splitlines()]
    entries[0]["note"] = "改过的备注"  # changes no state, and every hash after it is recomputed
    previous = "0" * 64
    for entry in entries:
        entry["prev"] = previous
        entry["hash"] = previous = entry_hash(entry)
    log_path(cl).write_bytes(b"".join(orjson.dumps(e, option=orjson.OPT_SORT_KEYS) + b"\n" for e in entries))
    with Store(cl.db).session(write=True) as session:  # the forger fixes the officer's copies as well
        table = session._db(session._history_path("DL001")).table("history")
        table.truncate()
        table.insert_multiple([e for e in entries if e["officer"] == "DL001"])
    assert verify(cl).exit_code == 0  # self-consistent …
    result = verify(cl, "--head", head)  # … but not the history the lead wrote down
    assert result.exit_code == 1
    assert f"head {head}: entry 5 now has hash" in result.stderr and "rewritten since that head" in result.stderr


def test_a_deleted_copy_in_an_officers_history_is_named(cl):
    with Store(cl.db).session(write=True) as session:
        table = session._db(session._history_path("DL001")).table("history")
        table.remove(doc_ids=[table.all()[0].doc_id])
    result = verify(cl)
    assert result.exit_code == 1 and "officer DL001: entries 1 are missing from their history file" in result.stderr


# -- crashes, kills, concurrency --------------------------------------------------------------------------


def state_and_audit(cl):
    with Store(cl.db).session() as session:
        officers = sorted(o["id"] for o in session.officers())
        state = {o: sorted((i["id"], i["status"]) for i in session.items(o)) for o in officers}
    audit = verify(cl)
    assert audit.exit_code == 0, audit.output
    return state


def status_file(cl, tmp_path, officers=("DL001", "DL002", "NG001", "NG002"), limit=None):
    rows = [i for i in cl.json("export", "items", "--to", "2026-12-31")["items"]
            if i["officer"] in officers and i["status"] == "open"][:limit]
    path = tmp_path / "status.csv"
    path.write_text("id,status,note\n" + "".join(f"{r['id']},done,夜间导入\n" for r in rows), encoding="utf-8")
    return path, {r["id"] for r in rows}


@pytest.mark.parametrize("fault", ["temp-written:1", "temp-written:5", "journal-written", "replaced:1", "replaced:6",
                                   "log-partial", "log-appended", "committed"])
def test_a_crash_in_the_middle_of_an_import_leaves_the_old_or_the_new_state(cl, tmp_path, fault):
    path, ids = status_file(cl, tmp_path)
    old = state_and_audit(cl)
    assert cl.call("import", "status", str(path), CHECKLIST_FAULT=fault).returncode == 86
    after = state_and_audit(cl)  # recovery happens here, and the history still verifies
    if fault.startswith("temp-written"):
        assert after == old
    else:
        done = {i for rows in after.values() for i, status in rows if status == "done"}
        assert ids <= done
    assert not [p for p in cl.db.parent.rglob("*") if p.name.endswith((".tmp", ".journal"))]


def test_random_kills_during_a_large_import_are_all_or_nothing(cl, tmp_path):
    path, ids = status_file(cl, tmp_path, officers=tuple(f"{c}{n:03d}" for c in ("DL", "NG") for n in range(30)))
    assert len(ids) > 30
    rnd = random.Random(20261128)
    outcomes = set()
    for _ in range(24):
        proc = cl.spawn("import", "status", str(path))
        time.sleep(rnd.uniform(0.05, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        with Store(cl.db).session() as session:
            statuses = {i["id"]: i["status"] for o in session.officers() for i in session.items(o["id"])}
        done = {i for i in ids if statuses[i] == "done"}
        assert done in (set(), ids)  # all or nothing
        outcomes.add(bool(done))
        if done:
            assert cl.run("import", "status", str(path)).stdout.strip().endswith("nothing changed")
            undo = tmp_path / "undo.csv"
            undo.write_text("id,status\n" + "".join(f"{i},open\n" for i in ids), encoding="utf-8")
            assert cl.run("import", "status", str(undo)).exit_code == 0
    assert verify(cl).exit_code == 0
    assert outcomes  # (which of the two each kill hit depends on timing)


def test_eight_officers_done_and_an_import_at_the_same_moment(cl, tmp_path):
    path, imported = status_file(cl, tmp_path, officers=("DL003", "DL004", "NG003"))
    officers = ["DL001", "DL002", "DL005", "NG001", "NG002", "DL010", "NG010", "DL011"]
    picks = {}
    for officer in officers:
        items = cl.json("today", "--officer", officer, "--days", "30")["items"]
        picks[officer] = next(i["id"] for i in items if i["status"] == "open")
    before_entries = verify(cl).stdout
    procs = [cl.spawn("import", "status", str(path))]
    procs += [cl.spawn("done", item, "--officer", officer, CHECKLIST_USER=officer) for officer, item in picks.items()]
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0] * 9, [p.stderr.read() for p in procs]
    with Store(cl.db).session() as session:
        statuses = {i["id"]: i["status"] for o in session.officers() for i in session.items(o["id"])}
    assert all(statuses[i] == "done" for i in [*picks.values(), *imported])
    result = verify(cl)
    assert result.exit_code == 0, result.output
    assert before_entries.startswith("ok: 5 entries")
    assert result.stdout.startswith(f"ok: {5 + len(picks) + len(imported)} entries, chain intact")


@pytest.mark.parametrize("fault, words", [("enospc", "the disk is full"), ("erofs", "read-only or not permitted")])
def test_injected_disk_full_and_read_only_errors_are_exit_3_and_change_nothing(cl, tmp_path, fault, words):
    path, _ = status_file(cl, tmp_path, limit=5)
    item = cl.json("today", "--officer", "DL002")["items"][0]["id"]
    before = snapshot(cl.db)
    for args in (("done", item), ("import", "status", str(path)), ("import", "roster", str(DEMO_ROSTER))):
        result = cl.call(*args, CHECKLIST_FAULT=fault, CHECKLIST_TODAY="2026-11-28")
        if args[1] == "roster" and "nothing changed" in result.stdout:
            continue  # the roster is unchanged: nothing to write
        assert result.returncode == 3, (args, result.stderr)
        assert words in result.stderr and "nothing was changed" in result.stderr
        assert "Traceback" not in result.stderr
    assert snapshot(cl.db) == before
    assert not [p for p in cl.db.parent.rglob("*") if p.name.endswith(".tmp")]


def test_doctor_reports_each_check_and_what_to_do(cl):
    result = cl.run("doctor")
    assert result.exit_code == 0, result.output
    doc = cl.json("doctor")
    assert [c["name"] for c in doc["checks"]] == ["templates", "calendar", "lock", "database", "history"]
    calendar = doc["checks"][1]
    assert calendar["detail"].startswith("no holiday data for 2027") and "chinesecalendar" in calendar["advice"]
    lines = log_path(cl).read_bytes().splitlines(keepends=True)
    log_path(cl).write_bytes(b"".join(lines[:1] + lines[2:]))
    broken = cl.run("doctor")
    assert broken.exit_code == 1 and "problem" in broken.stdout and "audit verify" in broken.stdout


def test_a_damaged_log_end_stops_writes_with_exit_3(cl):
    with open(log_path(cl), "ab") as handle:
        handle.write(b'{"seq": 6, "half a li')
    item = cl.json("today", "--officer", "DL002")["items"][0]["id"]
    before = snapshot(cl.db)
    result = cl.run("done", item)
    assert result.exit_code == 3 and "the history log" in result.stderr and "audit verify" in result.stderr
    assert snapshot(cl.db) == before
