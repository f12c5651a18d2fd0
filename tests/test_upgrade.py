"""A database written by checklist 0.1 is taken over in place, its history kept whole."""

import shutil
from pathlib import Path

import pytest

from clitools import Checklist

FIXTURE = Path(__file__).parent / "fixtures" / "v1-database"  # made by checklist 0.1.0 (see its README)


@pytest.fixture
def old(tmp_path):
    shutil.copytree(FIXTURE / "db", tmp_path / "db")
    return Checklist(tmp_path / "db" / "checklist.json", today="2026-11-20", templates=FIXTURE / "templates")


def test_a_0_1_database_is_refused_until_it_is_upgraded_and_then_works_on(old):
    refused = old.run("today", "--officer", "DL001")
    assert refused.exit_code == 3 and "written by checklist 0.1; run checklist db upgrade" in refused.stderr
    before = {i["id"]: i["status"] for i in _v1_items(old.db)}
    result = old.run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "upgraded from checklist 0.1 — 3 officers, 22 items" in result.stdout
    assert (old.db.parent / "checklist.json.v1-backup" / "checklist.json.d" / "officers").is_dir()
    exported = old.json("export", "items", "--status", "done")["items"] + \
        old.json("export", "items", "--status", "skipped")["items"] + old.json("export", "items")["items"]
    statuses = {i["id"]: i["status"] for i in exported}
    assert statuses == before  # every item, as it was
    assert sorted(before.values()).count("done") == 1 and "skipped" in before.values()
    (carried,) = old.json("today", "--officer", "DL001", "--days", "60")["follow_ups"]  # the open 督办 came along
    assert (carried["id"], carried["target"]["kind"], carried["state"]) == ("F1", "item", "open")
    assert carried["target"]["id"] in statuses and carried["opened_by"]["id"]
    verify = old.run("audit", "verify")
    assert verify.exit_code == 0, verify.output
    head = (FIXTURE / "head.txt").read_text(encoding="utf-8").strip()
    assert old.run("audit", "verify", "--head", head).exit_code == 0  # a head written down under 0.1 still holds
    shown = old.json("show", next(i for i, status in statuses.items() if status == "done"))
    assert [h["action"] for h in shown["history"]][:2] == ["done", "upgrade"]
    assert old.run("done", next(i for i, s in statuses.items() if s == "open")).exit_code == 0
    assert old.run("audit", "verify").exit_code == 0
    assert "already in the current layout" in old.run("db", "upgrade").stdout


def test_an_upgrade_that_crashes_half_way_is_finished_by_the_next_one(old):
    crashed = old.call("db", "upgrade", CHECKLIST_FAULT="upgrade-moved")
    assert crashed.returncode == 86
    assert old.run("today", "--officer", "DL001").exit_code == 3  # neither layout is whole: nothing reads it
    finished = old.run("db", "upgrade")
    assert finished.exit_code == 0, finished.output
    assert old.run("audit", "verify").exit_code == 0
    assert old.json("today", "--officer", "DL001", "--days", "60")["items"]


def test_a_tampered_0_1_history_is_not_carried_forward(old):
    log = old.db.with_name("checklist.json.d") / "log.jsonl"
    log.write_bytes(log.read_bytes().replace("已报送".encode(), "未报送".encode()))
    result = old.run("db", "upgrade")
    assert result.exit_code == 3 and "log.jsonl:1: the 0.1 history does not check out" in result.stderr
    assert not (old.db.parent / "checklist.json.v1-backup").exists()


def _v1_items(db):
    import json

    folder = db.with_name(db.name + ".d") / "officers"
    return [doc for path in folder.glob("*.json")
            for doc in json.loads(path.read_text(encoding="utf-8"))["items"].values()]


def test_an_item_edited_under_0_1_is_not_carried_forward(old):
    import json

    path = next((old.db.with_name("checklist.json.d") / "officers").glob("dl002-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["items"].values()))["status"] = "done"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = old.run("db", "upgrade")
    assert result.exit_code == 3 and "not what its history says" in result.stderr
    assert "'status': 'done'" in result.stderr
    assert not (old.db.parent / "checklist.json.v1-backup").exists()


def test_an_earlier_backup_in_the_way_is_left_alone(old):
    backup = old.db.parent / "checklist.json.v1-backup"
    backup.mkdir()
    (backup / "keep.txt").write_text("from last year", encoding="utf-8")
    result = old.run("db", "upgrade")
    assert result.exit_code == 3 and "is in the way" in result.stderr and "internal error" not in result.stderr
    assert (backup / "keep.txt").read_text(encoding="utf-8") == "from last year"


def test_a_0_1_database_nobody_worked_in_yet_upgrades_and_verifies(old):
    """0.1 logged no roster imports: a database with no work yet has an empty log."""
    import json

    folder = old.db.with_name("checklist.json.d")
    (folder / "log.jsonl").write_bytes(b"")
    for path in (folder / "history").glob("*.json"):
        path.unlink()
    for path in (folder / "officers").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["items"].values():
            for name in ("done_at", "note", "reason", "skipped_at", "follow_ups"):
                item.pop(name, None)
            item["status"] = "open"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert old.run("db", "upgrade").exit_code == 0
    verify = old.run("audit", "verify")
    assert verify.exit_code == 0, verify.output


def test_an_upgrade_that_fails_for_a_full_disk_leaves_nothing_in_the_way_of_the_next(old):
    for nth in (1, 32, 33):  # early, and the last writes before the swap (the backup among them)
        failed = old.call("db", "upgrade", CHECKLIST_FAULT=f"enospc:{nth}")
        assert failed.returncode == 3 and "disk is full" in failed.stderr, failed.stderr
        assert not (old.db.parent / "checklist.json.v1-backup").exists()
        assert not (old.db.parent / "checklist.json.d.upgrading").exists()
    assert old.run("db", "upgrade").exit_code == 0
    assert old.run("audit", "verify").exit_code == 0


def test_an_upgrade_refuses_what_it_could_not_read_back(old):
    import json

    path = next((old.db.with_name("checklist.json.d") / "officers").glob("dl002-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    item = next(iter(data["items"].values()))
    item["due"] = "soon"  # 0.1 read it without a word; 0.2 never writes what it cannot read
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = old.run("db", "upgrade")
    assert result.exit_code == 3 and "internal error" not in result.stderr, result.stderr
    assert not (old.db.parent / "checklist.json.v1-backup").exists()
    assert "written by checklist 0.1" in old.run("today", "--officer", "DL001").stderr  # untouched
