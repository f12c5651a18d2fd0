"""The PostgreSQL backend under load and under faults, on a real server (tests/pgserver.py): many
clients at once, clients killed mid-import, a report holding a snapshot while others write, and
every server-side failure a user can meet, each in one line."""

import random
import signal
import time

import psycopg
import pytest

from checklist.store.postgres import PostgresStore
from clitools import DEMO_ROSTER, Checklist


@pytest.fixture
def cl(pg_server, pg_demo_seed):
    from conftest import _databases

    return Checklist(pg_server.create(f"t{next(_databases)}", template=pg_demo_seed), today="2026-11-28")


def statuses(cl):
    return {i["id"]: i["status"] for i in cl.json("export", "items", "--to", "2026-12-31")["items"]}


def status_csv(path, ids, status="done"):
    path.write_text("id,status\n" + "".join(f"{i},{status}\n" for i in ids), encoding="utf-8")
    return path


def test_32_clients_mixing_commands_lose_nothing(cl, tmp_path):
    opened = [i for i, s in statuses(cl).items() if s == "open"]
    random.Random(7).shuffle(opened)
    expected = statuses(cl)
    follow_ups = set()
    done_before: list[str] = []
    for rnd in range(10):
        fresh = [opened.pop() for _ in range(23)]
        done, skipped, imported = fresh[:10], fresh[10:15], fresh[15:]
        undone = done_before[:5]
        chased = done[:4]
        procs = [cl.spawn("done", i, "--note", f"第{rnd}轮") for i in done]
        procs += [cl.spawn("skip", i, "--reason", "不适用") for i in skipped]
        procs += [cl.spawn("undo", i) for i in undone]
        procs += [cl.spawn("import", "status", str(status_csv(tmp_path / f"s{rnd}-{n}.csv", imported[n::2])))
                  for n in range(2)]
        procs += [cl.spawn("follow-up", i, "--note", "请尽快") for i in chased]
        readers = [("report", "--all", "--json"), ("today", "--officer", "DL001", "--json"), ("log", "--json")]
        procs += [cl.spawn(*readers[n % 3]) for n in range(32 - len(procs))]  # reads fill the 32
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
        expected.update({i: "done" for i in done + imported} | {i: "skipped" for i in skipped}
                        | {i: "open" for i in undone})
        follow_ups |= set(chased)
        done_before = done[5:]
    assert statuses(cl) == expected  # every acknowledged change is there
    chased_now = {i["id"] for i in cl.json("follow-ups", "--all")["follow_ups"]}
    assert follow_ups <= chased_now
    verify = cl.run("audit", "verify")
    assert verify.exit_code == 0, verify.output


def test_a_client_killed_mid_import_leaves_all_or_nothing(cl, tmp_path):
    rng = random.Random(11)
    outcomes = set()
    for attempt in range(20):
        before = statuses(cl)
        chosen = rng.sample([i for i, s in before.items() if s == "open"], 60)
        proc = cl.spawn("import", "status", str(status_csv(tmp_path / f"k{attempt}.csv", chosen)))
        time.sleep(rng.uniform(0.2, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        after = statuses(cl)
        changed = {i for i in chosen if after[i] != before[i]}
        assert changed in (set(), set(chosen)), f"attempt {attempt}: {len(changed)} of {len(chosen)} changed"
        assert {i: s for i, s in after.items() if i not in chosen} == {i: s for i, s in before.items()
                                                                       if i not in chosen}
        outcomes.add(bool(changed))
        if changed:  # open them again for the next attempt
            assert cl.run("import", "status", str(status_csv(tmp_path / f"u{attempt}.csv", chosen, "open"))).exit_code == 0
    assert cl.run("audit", "verify").exit_code == 0
    assert False in outcomes  # kills did land before a commit: nothing half-done was ever seen


def test_a_report_holding_its_snapshot_never_blocks_a_done(cl):
    item = next(i for i, s in statuses(cl).items() if s == "open")
    store = PostgresStore(cl.db)
    with store.reading() as reader:  # a long report, mid-read
        seen = {i["id"]: i["status"] for i in reader.items("DL001")}
        started = time.monotonic()
        result = cl.call("--wait", "2", "done", item)
        assert result.returncode == 0, result.stderr
        assert time.monotonic() - started < 10
        assert {i["id"]: i["status"] for i in reader.items("DL001")} == seen  # its snapshot holds
    assert statuses(cl)[item] == "done"


def test_a_writer_waits_for_another_then_says_who_is_busy(cl):
    item = next(i for i, s in statuses(cl).items() if s == "open")
    with PostgresStore(cl.db).writing():  # another writer holds the chain
        result = cl.run("--wait", "0.5", "done", item)
    assert result.exit_code == 3 and "the database is busy" in result.stderr
    assert cl.run("done", item).exit_code == 0


def test_server_failures_are_one_line_and_exit_3(pg_server, tmp_path):
    cases = [
        (pg_server.url().replace(str(pg_server.socket).replace("/", "%2F"), str(tmp_path).replace("/", "%2F")),
         "cannot reach the database server"),
        (pg_server.url(user="needs_password"), "refused the login"),
        (pg_server.url(user="nobody_here"), "refused the login"),
        (pg_server.url("no_such_database"), "cannot reach the database server"),
        (pg_server.create("not_initialised"), "has no checklist schema; create it with checklist db init"),
    ]
    pg_server.sql("CREATE ROLE needs_password LOGIN PASSWORD 'secret'")
    for url, words in cases:
        result = Checklist(url).run("today", "--officer", "DL001")
        assert result.exit_code == 3 and words in result.stderr, (url, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert "secret" not in result.stderr


def test_a_schema_newer_than_this_version_is_refused(cl):
    with psycopg.connect(cl.db, autocommit=True) as conn:
        conn.execute("INSERT INTO checklist.schema_version (version) VALUES (99)")
    for args in (("today", "--officer", "DL001"), ("done", "abcd"), ("db", "upgrade")):
        result = cl.run(*args)
        assert result.exit_code == 3 and "newer than this checklist knows" in result.stderr, args


def test_an_older_schema_is_migrated_by_db_upgrade(cl, monkeypatch):
    import checklist.store.postgres as pg

    shipped = pg.migrations()
    step = (shipped[-1][0] + 1, "example", "ALTER TABLE checklist.items ADD COLUMN example text;")
    monkeypatch.setattr(pg, "migrations", lambda: [*shipped, step])  # as the next version will ship
    monkeypatch.setattr(pg, "SCHEMA", step[0])
    refused = cl.run("today", "--officer", "DL001")
    assert refused.exit_code == 3 and "run checklist db upgrade" in refused.stderr
    upgraded = cl.run("db", "upgrade")
    assert upgraded.exit_code == 0 and f"{step[0]:03d}_example" in upgraded.stdout
    assert cl.run("today", "--officer", "DL001").exit_code == 0
    assert "the schema is current" in cl.run("db", "upgrade").stdout


def test_db_init_is_idempotent_and_a_copy_into_a_used_database_is_refused(pg_server, cl, tmp_path):
    url = pg_server.create("fresh_init")
    first = Checklist(url).run("db", "init")
    assert first.exit_code == 0 and "created the checklist schema (001_initial)" in first.stdout
    assert "nothing to do" in Checklist(url).run("db", "init").stdout
    refused = cl.run("db", "copy", str(DEMO_ROSTER), cl.db)
    assert refused.exit_code == 1 and "already holds a database" in refused.stderr


def test_a_copy_file_to_server_to_file_keeps_every_byte_of_history(demo_seed, pg_server, tmp_path):
    from clitools import copy_world

    (tmp_path / "a").mkdir()
    files = copy_world(demo_seed, tmp_path / "a", today="2026-11-28")
    item = files.json("today", "--officer", "DL001")["items"][0]["id"]
    assert files.run("done", item, "--note", "已报送").exit_code == 0
    assert files.run("follow-up", item, "--note", "请核实").exit_code == 0
    server = pg_server.create("round_trip")
    back = tmp_path / "b" / "db.json"
    assert files.run("db", "copy", str(files.db), server).exit_code == 0
    assert files.run("db", "copy", server, str(back)).exit_code == 0
    log = "db.json.d/log.jsonl"
    assert (back.parent / log).read_bytes() == (files.db.parent / log).read_bytes()
    heads = {Checklist(db).run("audit", "head").stdout for db in (files.db, server, back)}
    assert len(heads) == 1
    for db in (server, back):
        assert Checklist(db).run("audit", "verify").exit_code == 0
        assert Checklist(db, today="2026-11-28").json("show", item)["follow_up"]["note"] == "请核实"
    assert Checklist(server, today="2026-11-28").json("export", "items") == files.json("export", "items")
