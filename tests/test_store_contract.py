"""The storage contract, held to the same rules on every backend (SPEC.md → Storage).

Each test takes ``store`` — a new, empty database — once per backend: the file backend, the
PostgreSQL backend (on a real server, tests/pgserver.py) and the in-memory one. Nothing here looks
at a backend's files or tables.
"""

import threading

import pytest

from checklist.core.history import GENESIS, entry_hash
from checklist.errors import StoreError
from checklist.store import Change, MissingDatabase
from checklist.store.files import FileStore
from checklist.store.memory import MemoryStore

BACKENDS = ["files", "postgres", "memory"]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    if request.param == "files":
        return FileStore(tmp_path / "db" / "checklist.json", wait=5)
    if request.param == "postgres":
        from checklist.store.postgres import PostgresStore

        store = PostgresStore(request.getfixturevalue("pg_url"), wait=5)
        store.init()
        return store
    return MemoryStore()


def officer(oid, court="哈尔滨市道里区人民法院"):
    return {"id": oid, "name": f"干警{oid}", "court": court, "department": "执行一庭", "roles": ["officer"],
            "lead": "", "since": "2026-11-01"}


def item(oid, iid, due, status="open", **extra):
    return {"id": iid, "officer": oid, "key": "weekly-ledger", "period": due, "every": "day", "due": due,
            "title": "更新未结案件进展台账", "priority": "high", "campaigns": ["quality-year-2026"], "tags": [],
            "sources": [], "basis": "", "status": status, **extra}


def entry(oid, iid, action="done", note=None):
    return {"at": "2026-11-27T09:00:00+08:00", "recorded": "2026-11-27T09:00:00+08:00", "actor": "测试员",
            "action": action, "officer": oid, "item": iid, "before": {"status": "open"},
            "after": {"status": "done"}, "note": note}


def seed(store, officers=("DL001", "DL002")):
    change = Change(meta={"campaigns": {"quality-year-2026": {"name": "提质增效年", "start": "2026-01-01",
                                                              "end": "2026-12-31"}}})
    for oid in officers:
        change.officers.append(officer(oid))
        change.put_items(oid, [item(oid, f"{oid.lower()[0]}{oid[-3:]}aaa{n:05d}", f"2026-11-{20 + n:02d}") for n in range(5)])
    with store.writing(create=True) as writer:
        writer.commit(change)


def test_a_new_store_is_empty_and_says_so(store):
    assert not store.exists()
    with pytest.raises(MissingDatabase):
        with store.reading():
            pass
    with pytest.raises(MissingDatabase):
        with store.writing():
            pass
    with store.writing(create=True):
        pass  # nothing committed: still no database
    assert not store.exists()


def test_a_commit_is_read_back_whole(store):
    seed(store)
    assert store.exists()
    with store.reading() as reader:
        assert sorted(o["id"] for o in reader.officers()) == ["DL001", "DL002"]
        assert reader.officer("DL001")["name"] == "干警DL001" and reader.officer("XX") is None
        items = reader.items("DL001")
        assert [i["due"] for i in items] == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"]
        assert items[0]["title"] == "更新未结案件进展台账" and items[0]["officer"] == "DL001"
        assert [i["due"] for i in reader.items("DL001", "2026-11-21", "2026-11-22")] == ["2026-11-21", "2026-11-22"]
        assert reader.items("nobody") == []
        assert reader.meta()["campaigns"]["quality-year-2026"]["name"] == "提质增效年"
        assert reader.head() == (0, GENESIS) and list(reader.log()) == []


def test_an_item_reads_back_exactly_as_put_whatever_its_fields_hold(store):
    """Every field comes back as it went in: names with quotes, backslashes, tabs and spaces kept, nulls
    as good as absent (the server keeps some fields as columns, the file database shares them)."""
    seed(store)
    odd = item("DL001", "abcdefghjkmn", "2026-11-25", status="skipped", done_at=None, note=None,
               reason="案件\t已\"移送\"\\", skipped_at="2026-11-25T10:00:00+08:00",
               campaigns=['quality-"2026"', "back\\slash", "中 文\t", "", "NULL", "a,b", "{x}", " lead"],
               case="(2026)黑0102执1号",
               reassigned_to=None, title="标题\n第二行")
    with store.writing() as writer:
        change = Change()
        change.put_items("DL001", [odd])
        writer.commit(change)
    with store.reading() as reader:
        found = {i["id"]: i for i in reader.items("DL001")}
    def given(record):  # a field held as null is as good as absent (the file database leaves it out)
        return {k: v for k, v in record.items() if v is not None}

    assert given(found["abcdefghjkmn"]) == given(odd)


def test_items_are_put_in_by_id_and_the_index_finds_them(store):
    seed(store)
    with store.writing() as writer:
        changed = {**writer.items("DL001")[0], "status": "done"}
        new = item("DL001", "d001zzz00001", "2026-11-30")
        writer.commit(Change(items={"DL001": [changed, new]}))
    with store.reading() as reader:
        items = {i["id"]: i for i in reader.items("DL001")}
        assert len(items) == 6 and items[changed["id"]]["status"] == "done"
        assert reader.find_ids("d001zzz") == [("d001zzz00001", "DL001")]
        assert [o for _, o in reader.find_ids("d002aaa")] == ["DL002"] * 5
        assert reader.find_ids("qq") == []


def test_day_items_leave_out_the_work_done_before_the_week(store):
    seed(store)  # DL001: open items due 20 … 24 November
    with store.writing() as writer:
        done = [{**i, "status": "done", "done_at": at} for i, at in
                zip(writer.items("DL001")[:3], ("2026-11-20T10:00:00+08:00", "2026-11-25T09:00:00+08:00", "2026-11-24T18:00:00+08:00"))]
        skipped = {**writer.items("DL001")[3], "status": "skipped", "reason": "不适用"}
        writer.commit(Change(items={"DL001": [*done, skipped, item("DL001", "d001zzz00009", "2026-12-09")]}))
    with store.reading() as reader:
        day = reader.day_items("DL001", "2026-11-23", "2026-11-29", "2026-11-25")
        # 20th done that day: no; 21st done on the 25th: yes; 22nd done the day before: no; 23rd skipped in the
        # week: yes; 24th open: yes; 9 December: after the last day
        assert sorted(i["due"] for i in day) == ["2026-11-21", "2026-11-23", "2026-11-24"]
        assert reader.day_items("DL001", "2026-11-20", "2026-12-31", "2026-11-25") == reader.items("DL001")


def test_history_is_linked_into_one_chain_and_copied_to_each_officer(store):
    seed(store)
    with store.writing() as writer:
        first = writer.commit(Change(entries=[entry("DL001", "d001aaa00000", note="已报送"),
                                              entry("DL002", "d002aaa00000")]))
    with store.writing() as writer:
        second = writer.commit(Change(entries=[entry("DL001", "d001aaa00001")]))
    assert [e["seq"] for e in first + second] == [1, 2, 3]
    assert first[0]["prev"] == GENESIS and second[0]["prev"] == first[1]["hash"]
    assert all(entry_hash(e) == e["hash"] for e in first + second)
    with store.reading() as reader:
        assert reader.head() == (3, second[0]["hash"])
        logged = [line.entry for line in reader.log()]
        assert logged == first + second
        assert [line.entry["seq"] for line in reader.log(after=2)] == [3]
        assert [e["seq"] for e in reader.history("DL001")] == [1, 3]
        assert reader.history("DL001")[0]["note"] == "已报送"
        assert [e["seq"] for e in reader.history("DL002")] == [2]


def test_a_reader_keeps_its_snapshot_while_a_writer_commits(store):
    seed(store)
    with store.reading() as reader:
        before = reader.items("DL001")
        with store.writing() as writer:
            writer.commit(Change(items={"DL001": [{**before[0], "status": "done"}]},
                                 entries=[entry("DL001", before[0]["id"])]))
        assert reader.items("DL001") == before and reader.head()[0] == 0
    with store.reading() as later:
        assert later.items("DL001")[0]["status"] == "done" and later.head()[0] == 1


def test_a_write_session_that_does_not_commit_changes_nothing(store):
    seed(store)
    with store.reading() as reader:
        before = (reader.officers(), reader.items("DL001"), reader.head())
    with pytest.raises(RuntimeError):
        with store.writing() as writer:
            writer.items("DL001")
            raise RuntimeError("the command failed half-way")
    with store.reading() as reader:
        assert (reader.officers(), reader.items("DL001"), reader.head()) == before


def test_meta_fields_are_merged_and_templates_kept(store):
    seed(store)
    files = [("quality.yaml", "campaign:\n  key: q\n"), ("library.yaml", "duties: []\n")]
    with store.writing() as writer:
        assert writer.templates() == []
        writer.commit(Change(meta={"synced_at": "2026-11-27"}, templates=files))
    with store.reading() as reader:
        assert reader.meta()["synced_at"] == "2026-11-27" and "campaigns" in reader.meta()
        assert sorted(reader.templates()) == sorted(files)


def test_roster_records_are_added_and_replaced_by_id(store):
    seed(store)
    with store.writing() as writer:
        writer.commit(Change(officers=[{**officer("DL001"), "court": "哈尔滨市南岗区人民法院"}, officer("DL003")]))
    with store.reading() as reader:
        assert reader.officer("DL001")["court"] == "哈尔滨市南岗区人民法院"
        assert sorted(o["id"] for o in reader.officers()) == ["DL001", "DL002", "DL003"]


def test_writers_are_serialised_and_lose_nothing(store):
    seed(store)
    errors = []

    def mark(n):
        try:
            with store.writing() as writer:
                current = {i["id"]: i for i in writer.items("DL001")}
                iid = f"d001aaa{n:05d}"
                writer.commit(Change(items={"DL001": [{**current[iid], "status": "done"}]},
                                     entries=[entry("DL001", iid, note=str(n))]))
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=mark, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.reading() as reader:
        assert {i["status"] for i in reader.items("DL001")} == {"done"}
        assert sorted(e["note"] for e in reader.history("DL001")) == ["0", "1", "2", "3", "4"]
        assert [line.entry["seq"] for line in reader.log()] == [1, 2, 3, 4, 5]


def test_one_commit_per_write_session(store):
    seed(store)
    with store.writing() as writer:
        writer.commit(Change(meta={"a": 1}))
        if isinstance(store, FileStore):
            with pytest.raises(RuntimeError):
                writer.commit(Change(meta={"a": 2}))


def test_a_file_database_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    store = FileStore(tmp_path / "checklist.json")
    seed(store)
    with store.reading() as reader:
        before = (reader.items("DL001"), reader.head())
    monkeypatch.setenv("CHECKLIST_FAULT", "enospc:3")  # the third file this process writes fails
    with pytest.raises(StoreError, match="the disk is full"):
        with store.writing() as writer:
            changed = [{**i, "status": "done"} for i in writer.items("DL001")]
            writer.commit(Change(items={"DL001": changed, "DL002": writer.items("DL002")},
                                 entries=[entry("DL001", changed[0]["id"])]))
    monkeypatch.delenv("CHECKLIST_FAULT")
    with store.reading() as reader:
        assert (reader.items("DL001"), reader.head()) == before
    assert all(f.ok for f in store.health())


def test_items_of_someone_not_on_the_roster_are_kept_and_follow_them_onto_it(store):
    seed(store, officers=("DL001",))
    with store.writing() as writer:
        writer.commit(Change(items={"X9": [item("X9", "x9aaaaaaaaaa", "2026-11-25")]}))
    with store.reading() as reader:
        assert [i["id"] for i in reader.items("X9")] == ["x9aaaaaaaaaa"]
    with store.writing() as writer:
        writer.commit(Change(officers=[officer("X9", court="哈尔滨市南岗区人民法院")]))
    with store.writing() as writer:
        writer.commit(Change(items={"X9": [item("X9", "x9aaaaaaaaaa", "2026-11-25", "done")]}))
    with store.reading() as reader:
        assert [(i["id"], i["status"]) for i in reader.items("X9")] == [("x9aaaaaaaaaa", "done")]
        assert reader.find_ids("x9aa") == [("x9aaaaaaaaaa", "X9")]


def test_an_item_put_twice_in_one_change_is_stored_as_put_last(store):
    seed(store, officers=("DL001",))
    with store.writing() as writer:
        writer.commit(Change(items={"DL001": [item("DL001", "d001bbb00001", "2026-11-25"),
                                              item("DL001", "d001bbb00001", "2026-11-25", "done")]}))
    with store.reading() as reader:
        assert [(i["id"], i["status"]) for i in reader.items("DL001") if i["id"] == "d001bbb00001"] == \
            [("d001bbb00001", "done")]
