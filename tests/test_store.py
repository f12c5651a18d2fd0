"""The store under stress: concurrent writers, crashes at every step of a write, locks, damage."""

import time

import pytest
from checklist.lock import FileLock

from checklist.store import Store
from clitools import DEMO_ROSTER, Checklist, copy_world, snapshot


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database with the demo roster imported, copied fresh for each test that needs one."""
    folder = tmp_path_factory.mktemp("seed")
    cl = Checklist(folder / "db.json")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    return folder


@pytest.fixture
def cl(seeded, tmp_path):
    return copy_world(seeded, tmp_path)


def state(db):
    """Officers, and each officer's item statuses and history length, read through the store."""
    with Store(db).session() as session:
        officers = sorted(o["id"] for o in session.officers())
        return {
            o: ({i["id"]: i["status"] for i in session.items(o)}, len(session.history(o)))
            for o in officers
        }


def open_ids(cl, officer, n):
    items = cl.json("today", "--officer", officer, "--days", "14")["items"]
    return [i["id"] for i in items if i["status"] == "open"][:n]


def test_eight_processes_marking_items_done_at_once_lose_nothing(cl):
    ids = open_ids(cl, "DL001", 4) + open_ids(cl, "DL002", 2) + open_ids(cl, "NG001", 2)
    procs = [cl.spawn("done", item, "--note", f"并发{n}") for n, item in enumerate(ids)]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0] * 8, results
    final = state(cl.db)
    for item in ids:
        owner = next(o for o, (items, _) in final.items() if item in items)
        assert final[owner][0][item] == "done"
    assert final["DL001"][1] == 4  # four history entries, none lost
    history = cl.json("show", ids[0])["history"]
    assert [h["note"] for h in history] == ["并发0"]


CHECKPOINTS = ["temp-written:1", "temp-written:2", "journal-written", "replaced:1", "replaced:2", "committed"]


@pytest.mark.parametrize("fault", CHECKPOINTS)
def test_a_crash_at_any_step_of_a_write_leaves_the_old_or_the_new_state(cl, fault):
    first, second = open_ids(cl, "DL001", 1)[0], open_ids(cl, "NG001", 1)[0]  # two officers: two files
    old = state(cl.db)
    crashed = cl.call("done", first, second, CHECKLIST_FAULT=fault)
    assert crashed.returncode == 86  # the process died at the checkpoint
    after = state(cl.db)  # opening the store completes or discards the interrupted change
    statuses = (after["DL001"][0][first], after["NG001"][0][second])
    if fault in ("temp-written:1", "temp-written:2"):
        assert after == old
    else:
        assert statuses == ("done", "done")
        assert after["DL001"][1] == old["DL001"][1] + 1 and after["NG001"][1] == old["NG001"][1] + 1
    leftovers = [p for p in cl.db.parent.rglob("*") if p.name.endswith((".tmp", ".journal"))]
    assert leftovers == []
    assert cl.run("done", first, second).exit_code == 0  # and the database works on


@pytest.mark.parametrize("fault", ["temp-written:1", "temp-written:9", "journal-written", "replaced:1",
                                   "replaced:9", "committed"])
def test_a_crash_in_the_middle_of_a_roster_import_is_all_or_nothing(cl, tmp_path, fault):
    roster = tmp_path / "more.csv"
    roster.write_text(DEMO_ROSTER.read_text(encoding="utf-8") +
                      "DL006,新同事,道里区人民法院,执行一庭,officer,DL010,2026-11-30\n"
                      "NG004,另一位,南岗区人民法院,执行一庭,officer,NG010,2026-11-30\n", encoding="utf-8")
    old = state(cl.db)
    assert cl.call("import", "roster", str(roster), CHECKLIST_FAULT=fault).returncode == 86
    after = state(cl.db)
    if fault.startswith("temp-written"):
        assert after == old
    else:
        assert set(after) == set(old) | {"DL006", "NG004"}
        assert after["DL006"][0] and after["NG004"][0]  # their items came with them
        assert {k: v for k, v in after.items() if k in old} == old
    assert cl.run("today", "--officer", "DL006").exit_code == (1 if fault.startswith("temp") else 0)


def test_a_lock_held_too_long_is_exit_3_naming_the_holder(cl):
    before = snapshot(cl.db)
    with FileLock(str(cl.db) + ".lock"):
        (cl.db.parent / "db.json.lock.info").write_text(f"4242\t{time.time():.0f}\tchecklist import status x.csv",
                                                         encoding="utf-8")
        result = cl.run("--wait", "0.3", "done", "abcd")
    assert result.exit_code == 3
    assert "the database is busy: 'checklist import status x.csv' (process 4242" in result.stderr
    assert snapshot(cl.db) == before


def test_a_damaged_database_is_refused_not_replaced(cl):
    main = cl.db.read_bytes()
    cl.db.write_bytes(main[: len(main) // 2])
    before = snapshot(cl.db)
    result = cl.run("today", "--officer", "DL001")
    assert result.exit_code == 3
    assert f"the database file {cl.db} is damaged" in result.stderr
    assert snapshot(cl.db) == before


def test_leftover_temp_files_are_cleaned_up_by_the_next_write(cl):
    stale = cl.db.parent / "db.json.d" / "officers" / "dl001-0000.json.tmp"
    stale.write_text("half a write", encoding="utf-8")
    item = open_ids(cl, "DL001", 1)[0]
    assert cl.run("done", item).exit_code == 0
    assert not stale.exists()


def test_chinese_is_stored_as_text_not_escapes(cl):
    raw = next((cl.db.parent / "db.json.d" / "officers").glob("dl001-*.json")).read_text(encoding="utf-8")
    assert "更新未结案件进展台账" in raw and "\\u" not in raw
