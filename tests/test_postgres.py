"""The PostgreSQL backend under load and under faults, on a real server (tests/pgserver.py): many
clients at once, clients killed mid-import, a report holding a snapshot while others write, and
every server-side failure a user can meet, each in one line."""

import random
import re
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
    chased_now = {f["target"]["id"] for f in cl.json("follow-ups", "--all")["follow_ups"]}
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
        time.sleep(rng.uniform(0.02, 0.9))  # some kills land before the driver is even loaded
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
        (pg_server.url("no_such_database"), "the server has no such database"),
        (pg_server.create("not_initialised"), "has no checklist schema; create it with checklist db init"),
    ]
    pg_server.sql("CREATE ROLE needs_password LOGIN PASSWORD 'secret'")
    for url, words in cases:
        result = Checklist(url).run("today", "--officer", "DL001")
        assert result.exit_code == 3 and words in result.stderr, (url, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert "secret" not in result.stderr


def test_an_it_person_is_told_which_right_the_setup_lacks(pg_server, tmp_path):
    """The README's steps, each missed once: a database its login does not own, a login without CREATEROLE,
    a person imported since the last `db roles`, a mistyped file to copy."""
    owner = f"it_{tmp_path.name}".replace("-", "_")[-40:]
    pg_server.sql(f'CREATE ROLE "{owner}" LOGIN')
    name = pg_server.create(f"setup_{owner}").split("@/")[1].split("?")[0]
    cl = Checklist(pg_server.url(name, user=owner), today="2026-11-28")

    def one_line(result, code: int, *words: str) -> None:
        assert result.exit_code == code and len(result.stderr.strip().splitlines()) == 1, result.output
        assert all(w in result.stderr for w in words), result.stderr

    one_line(cl.run("db", "init"), 1, "permission denied", f'ALTER DATABASE "{name}" OWNER TO "{owner}"',
             "nothing was changed")
    pg_server.sql(f'ALTER DATABASE "{name}" OWNER TO "{owner}"')
    assert cl.run("db", "init").exit_code == 0
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    # (the people's roles may be on the server already, from another database: then granting them is refused)
    one_line(cl.run("db", "roles"), 1, "CREATEROLE right", f'ALTER ROLE "{owner}" CREATEROLE')
    newcomer = Checklist(pg_server.url(name, user=f"{owner}_new"), today="2026-11-28")
    one_line(newcomer.run("today"), 3, "refused the login", "runs checklist db roles again")
    pg_server.sql(f'ALTER ROLE "{owner}" CREATEROLE')
    assert cl.run("db", "roles").exit_code == 0
    one_line(cl.run("db", "copy", str(tmp_path / "执行局.jsn"), str(tmp_path / "copy.json")), 1,
             f"{tmp_path / '执行局.jsn'}: no such file")
    assert not (tmp_path / "copy.json").exists()


def test_a_roster_import_on_a_server_names_who_cannot_log_in_yet(pg_server, tmp_path):
    """Logins are the server's (checklist db roles makes them): an import that adds people says who has
    none yet, until db roles has given them one; a file database says nothing of logins."""
    tag = tmp_path.name.replace("-", "_")[-12:]
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,court,department,roles,lead,login\n"
                      f"C{tag}1,周敏,哈尔滨市道里区人民法院,执行局,局长,,\n"
                      f"C{tag}2,吴刚,哈尔滨市道里区人民法院,执行一庭,执行法官,C{tag}1,wu_{tag}\n", encoding="utf-8")
    cl = Checklist(pg_server.create(f"logins_{tag}"), today="2026-11-28")
    first = cl.run("import", "roster", str(roster))
    assert first.exit_code == 0, first.output
    assert f"2 people on the roster have no login on this server yet (C{tag}1, wu_{tag})" in first.stderr
    assert "checklist db roles" in first.stderr
    assert cl.run("db", "roles").exit_code == 0
    again = cl.run("import", "roster", str(roster))
    assert again.exit_code == 0 and "no login" not in again.stderr
    on_file = Checklist(tmp_path / "db.json", today="2026-11-28", user="keeper").run("import", "roster", str(roster))
    assert on_file.exit_code == 0 and "no login" not in on_file.stderr


def test_db_upgrade_by_a_role_that_does_not_own_the_schema_says_whose_it_is(pg_server, tmp_path):
    """A schema made by the server's administrator, the database then given to the list's owner: the
    owner's upgrade is refused by the server, and told which role owns the schema and how to hand it over."""
    owner = f"up_{tmp_path.name}".replace("-", "_")[-40:]
    url = pg_server.create(f"upgrade_{owner}")
    name = url.split("@/")[1].split("?")[0]
    assert Checklist(url).run("db", "init").exit_code == 0  # as the administrator
    pg_server.sql(f'CREATE ROLE "{owner}" LOGIN')
    pg_server.sql(f'ALTER DATABASE "{name}" OWNER TO "{owner}"')
    result = Checklist(pg_server.url(name, user=owner)).run("db", "upgrade")
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1, result.output
    assert "the role that ran db init" in result.stderr
    assert f'ALTER SCHEMA checklist OWNER TO "{owner}"' in result.stderr


def test_doctor_on_a_server_names_it_once_with_its_version(cl):
    result = cl.run("doctor")
    assert result.exit_code in (0, 1), result.output
    assert result.stdout.count("postgresql://") == 1  # the server's line; the database line gives counts
    assert re.search(r"PostgreSQL \d+\.\d+ at", result.stdout) and "(Debian" not in result.stdout
    assert re.search(r"database +13 officers, \d+ items", result.stdout)


def test_a_url_without_a_host_is_shown_as_given():
    from checklist.store.postgres import shown

    assert shown("postgresql:///checklist") == "postgresql:///checklist"
    assert shown("postgresql:///checklist?host=/run/pg&password=x") == "postgresql:///checklist?host=/run/pg&password=***"
    assert shown("postgresql://a:pw@db.court/checklist") == "postgresql://a:***@db.court/checklist"
    assert shown("postgresql:/DL001:S3cret@db.court/checklist") == "postgresql:…@db.court/checklist"


def test_a_mistyped_server_url_is_not_taken_for_a_file(tmp_path):
    result = Checklist("postgresql:/checklist").run("today", "--officer", "DL001")
    assert result.exit_code == 3 and "postgresql:/checklist" in result.stderr, result.output
    assert "no database at" not in result.stderr and "Traceback" not in result.output


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
    assert first.exit_code == 0 and "created the checklist schema (001_initial, 002_permissions, 003_follow_ups, " \
        "004_cases, 005_item_columns, 006_entries_by_statement, 007_history_lz4)" in first.stdout
    assert "nothing to do" in Checklist(url).run("db", "init").stdout
    with psycopg.connect(url, autocommit=True) as conn:  # a sync's long history lines: lz4 where the server has it
        try:
            conn.execute("SET default_toast_compression = lz4")
            expected = "l"
        except psycopg.errors.Error:  # built without lz4: pglz, the default, stays
            expected = ""
        assert conn.execute("SELECT attcompression FROM pg_attribute WHERE attrelid = 'checklist.history'::regclass "
                            "AND attname = 'line'").fetchone()[0] == expected
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


def test_a_password_never_shows_however_the_url_gives_it(pg_server):
    socket = str(pg_server.socket).replace("/", "%2F")
    for url in (f"postgresql://nobody@/x?host={socket}&password=Hunter2secret",
                "POSTGRESQL://u:Hunter2secret@127.0.0.1:1/x", f"postgres://u:Hunter2secret@/x?host={socket}"):
        for args in (("today", "--officer", "DL001"), ("doctor",), ("db", "copy", url, "/nonexistent/x.json")):
            result = Checklist(url).run(*args)
            assert "Hunter2secret" not in result.output, (url, args, result.output)
            assert result.exit_code in (1, 3) and "internal error" not in result.output


def test_a_writer_waits_for_the_chain_even_where_the_server_defaults_to_repeatable_read(cl):
    name = cl.db.split("@/")[1].split("?")[0]
    with psycopg.connect(cl.db, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_isolation = \'repeatable read\'')
    item = next(i for i, s in statuses(cl).items() if s == "open")
    with psycopg.connect(cl.db) as holder:  # another writer, mid-commit
        holder.execute("SELECT 1 FROM checklist.chain FOR UPDATE")
        holder.execute("UPDATE checklist.chain SET seq = seq")
        proc = cl.spawn("done", item)
        time.sleep(1.5)
        holder.commit()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert cl.run("audit", "verify").exit_code == 0


def test_wait_zero_means_do_not_wait_and_any_wait_is_accepted(cl):
    item = next(i for i, s in statuses(cl).items() if s == "open")
    with PostgresStore(cl.db).writing():
        started = time.monotonic()
        busy = cl.run("--wait", "0", "done", item)
        assert busy.exit_code == 3 and "the database is busy" in busy.stderr
        assert time.monotonic() - started < 5
    for wait in ("inf", "3000000"):
        assert cl.run("--wait", wait, "done", item).exit_code == 0, wait


def test_a_connection_lost_while_the_log_streams_is_one_clean_error(cl, pg_server):
    from checklist.errors import StoreError

    store = PostgresStore(cl.db)
    with store.reading() as reader:
        lines = reader.log()
        next(lines)
        pid = reader._conn.info.backend_pid
        pg_server.sql(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(StoreError, match="lost the connection"):
            for _line in lines:
                pass


def test_an_item_field_is_kept_once_and_an_edit_of_it_is_named_by_the_audit(cl):
    """No copy to drift apart from: the due column is the item's due (the JSON record does not have one),
    so an edit with psql moves the item for every command alike — and the audit names it."""
    with psycopg.connect(cl.db, autocommit=True) as conn:
        item = conn.execute("SELECT id FROM checklist.items WHERE officer = 'DL001' AND status = 'open' "
                            "ORDER BY due LIMIT 1").fetchone()[0]
        assert conn.execute("SELECT record->'due' FROM checklist.items WHERE id = %s", (item,)).fetchone()[0] is None
        conn.execute("UPDATE checklist.items SET due = '2031-01-01' WHERE id = %s", (item,))
    assert cl.json("show", item)["due"] == "2031-01-01"
    result = cl.run("audit", "verify")
    assert result.exit_code == 1 and "due is '2031-01-01' but the history says" in result.stderr


def test_a_schema_4_database_keeps_every_item_as_it_was_through_db_upgrade(pg_server, cl, tmp_path):
    """Schema 5 moves the fields queries read out of each item's JSON into columns: every item reads
    back as it was, null fields included, and the history still verifies."""
    import checklist.store.postgres as pg

    opened = [i["id"] for i in cl.json("export", "items", "--status", "open")["items"]]
    assert cl.run("skip", opened[0], "--reason", "案件已移送").exit_code == 0  # its done_at and note now null
    assert cl.run("done", opened[1]).exit_code == 0 and cl.run("undo", opened[1]).exit_code == 0
    assert cl.run("done", opened[2], "--note", "已查控").exit_code == 0
    before = cl.json("export", "items")["items"]
    assert {i["status"] for i in before} >= {"open", "done", "skipped"}
    with psycopg.connect(cl.db, autocommit=True) as conn:  # back to schema 4's layout: the whole item as JSON
        moved = [f for f in pg._ITEM_FIELDS if f not in ("id", "due", "status", "done_at")]
        conn.execute(
            "UPDATE checklist.items SET record = (SELECT json_object_agg(k, v) FROM (SELECT * FROM json_each("
            "  json_build_object('id', id, 'due', due::text, 'status', status, 'done_at', done_at, 'key', key, "
            "  'every', every, 'priority', priority, 'campaigns', to_json(campaigns), 'recorded_at', recorded_at, "
            "  'reassigned_to', reassigned_to, 'reassigned_on', reassigned_on, 'case', case_no)) "
            "  WHERE json_typeof(value) <> 'null' UNION ALL SELECT * FROM json_each(record)) AS f(k, v))")
        conn.execute("ALTER TABLE checklist.items DROP COLUMN " + ", DROP COLUMN ".join(
            "case_no" if f == "case" else f for f in moved))
        conn.execute("DROP INDEX IF EXISTS checklist.items_of_cases")
        conn.execute("ALTER TABLE checklist.items ADD CONSTRAINT item_columns_match CHECK (id = record->>'id' AND "
                     "due = (record->>'due')::date AND status = record->>'status' AND done_at IS NOT DISTINCT FROM "
                     "record->>'done_at')")
        shipped = dict((n, sql) for n, _name, sql in pg.migrations())[2]  # and schema 2's check of each entry
        first = shipped.index("CREATE FUNCTION checklist.entry_in_order()")
        last = shipped.index("FOR EACH ROW EXECUTE FUNCTION checklist.entry_in_order();", first)
        conn.execute("DROP TRIGGER entries_in_order ON checklist.history")
        conn.execute("DROP FUNCTION checklist.entries_in_order()")
        conn.execute(shipped[first:last] + "FOR EACH ROW EXECUTE FUNCTION checklist.entry_in_order();")
        conn.execute("DELETE FROM checklist.schema_version WHERE version > 4")
    assert cl.run("today", "--officer", "DL001").exit_code == 3  # refused until upgraded
    upgraded = cl.run("db", "upgrade")
    assert upgraded.exit_code == 0 and "005_item_columns, 006_entries_by_statement" in upgraded.stdout, upgraded.output
    assert cl.json("export", "items")["items"] == before
    assert cl.run("audit", "verify").exit_code == 0


def test_the_server_refuses_history_entries_out_of_order_or_under_another_court(cl):
    """Even the database's owner, with psql: the entries one statement appends come next in the chain, with
    no gap, each saying what its columns say, under its officer's court."""
    import json

    def append(conn, *rows):
        values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        conn.execute(f"INSERT INTO checklist.history (court, seq, officer, line) VALUES {values}",
                     [value for row in rows for value in row])

    def entry(court, seq, officer=None, said=None):
        return court, seq, officer, json.dumps({"seq": seq if said is None else said, "officer": officer})

    with psycopg.connect(cl.db) as conn:
        (head,) = conn.execute("SELECT seq FROM checklist.chain").fetchone()
        (court,) = conn.execute("SELECT court FROM checklist.officers WHERE id = 'DL001'").fetchone()
        for rows in ([entry("", head + 2)],                                   # a gap
                     [entry("", head + 1), entry("", head + 3)],
                     [entry("", head)],                                       # a seq again
                     [entry("", head + 1, said=head + 2)],                    # the line says another seq
                     [("", head + 1, None, json.dumps({"seq": head + 1, "officer": "DL001"}))],  # or officer
                     [entry("elsewhere", head + 1, "DL001")],                 # not the officer's court
                     [entry("", head + 1, "DL001")]):
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
                append(conn, *rows)
            conn.rollback()
        append(conn, entry(court, head + 1, "DL001"), entry("", head + 2))  # next, each under its court: taken
        conn.rollback()  # (not kept: these lines are no real chain)


def test_a_first_load_builds_the_items_indexes_after_the_rows_and_keeps_every_one(pg_server, monkeypatch):
    import checklist.store.postgres as pg

    monkeypatch.setattr(pg, "BULK_LOAD", 100)  # the demo's first sync counts as a big one
    rebuilt = []
    real = pg.PostgresWriter._indexes_rebuilt
    monkeypatch.setattr(pg.PostgresWriter, "_indexes_rebuilt", lambda self, cur, table: rebuilt.append(table) or
                        real(self, cur, table))
    url = pg_server.create("first_load")
    cl = Checklist(url, today="2026-11-28")
    assert cl.run("db", "init").exit_code == 0

    def indexes():
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'checklist' "
                                "AND tablename = 'items' ORDER BY 1").fetchall()

    before = indexes()
    assert len(before) >= 4
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    assert indexes() == before
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM checklist.items").fetchone()[0] > 100 and rebuilt == ["items"]
        primary = conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                               "WHERE conrelid = 'checklist.items'::regclass AND contype = 'p'").fetchone()[0]
    assert primary == "PRIMARY KEY (court, id)"
    assert cl.run("audit", "verify").exit_code == 0
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    assert cl.run("done", item).exit_code == 0 and rebuilt == ["items"]  # later writes take the usual way


def test_two_first_imports_into_an_empty_server_database_both_succeed(pg_server):
    url = pg_server.create("two_first")
    cl = Checklist(url, today="2026-11-28")
    procs = [cl.spawn("import", "roster", str(DEMO_ROSTER)) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert cl.run("audit", "verify").exit_code == 0


def test_db_roles_gives_each_person_a_login_that_can_work_but_never_rewrite_history(cl, pg_server):
    import re

    result = cl.run("db", "roles")
    counts = re.search(r"(\d+) login roles? created, (\d+) already there", result.stdout)
    assert result.exit_code == 0 and counts is not None  # roles are the server's: other tests' may be there
    assert int(counts[1]) + int(counts[2]) == 13
    assert "0 login roles created, 13 already there" in cl.run("db", "roles").stdout
    name = cl.db.split("@/")[1].split("?")[0]
    as_officer = Checklist(pg_server.url(name, user="DL001"), today="2026-11-28")
    item = next(i["id"] for i in as_officer.json("today", "--officer", "DL001")["items"] if i["status"] == "open")
    assert as_officer.run("done", item, "--note", "已报送").exit_code == 0  # the commands work as that person
    with psycopg.connect(pg_server.url(name, user="DL001"), autocommit=True) as conn:  # psql, as that person
        for statement in ("UPDATE checklist.history SET line = line", "DELETE FROM checklist.history",
                          "TRUNCATE checklist.history"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert cl.run("audit", "verify").exit_code == 0
    refused = Checklist(DEMO_ROSTER.parent / "x.json").run("db", "roles")
    assert refused.exit_code == 2 and "for a PostgreSQL database" in refused.stderr


def test_a_report_counted_by_the_server_equals_one_counted_item_by_item(pg_server, pg_demo_seed, monkeypatch):
    """The server's SQL counting (report_tallies) against the Python rules (checklist.core.report.tally)."""
    from checklist.store.postgres import PostgresReader

    cl = Checklist(pg_server.create("counted", template=pg_demo_seed), today="2026-12-02")
    items = [i for i in cl.json("export", "items", "--json")["items"] if i["due"] <= "2026-12-04"]
    rng = random.Random(5)
    for n, item in enumerate(rng.sample(items, 40)):
        action = ("done", item["id"]) if n % 3 else ("skip", item["id"], "--reason", "不适用")
        on = ["--on", min(item["due"], "2026-12-01")] if n % 3 and n % 2 else []
        assert cl.run(*action, *on, CHECKLIST_TODAY="2026-12-02").exit_code == 0
    assert cl.run("follow-up", "open", items[0]["id"], "--note", "请说明").exit_code == 0
    ranges = (("--month", "2026-11"), ("--month", "2026-12"), ("--week", "2026-W49"),
              ("--from", "2026-11-20", "--to", "2026-12-03"))
    ranges += (("--from", "2026-09-01", "--to", "2026-12-31"),)  # all three of 雷霆's stages
    most = 0
    for by in ("officer", "department", "court", "intermediate", "campaign", "phase"):
        for span in ranges:
            args = ("report", "--by", by, *span, "--recorded-late-days", "0")
            counted = cl.json(*args)
            # a page names a group's first few late items: the server sends only those, in the same order
            pages = [cl.run(*args, "--format", fmt).stdout for fmt in ("table", "md")]
            most = max([most, *(len(r["late"]) for r in counted["laggards"])])
            with monkeypatch.context() as patched:
                patched.setattr(PostgresReader, "report_tallies", None)
                assert cl.json(*args) == counted, (by, span)
                assert [cl.run(*args, "--format", fmt).stdout for fmt in ("table", "md")] == pages, (by, span)
    assert most > 10  # groups with more late items than any page names


def _older_database(pg_server, name: str, version: int, source: str) -> str:
    """A database at schema ``version`` holding what ``source`` (a current database without items) holds:
    the shipped steps up to ``version``, then the rows of the tables those steps made, as they are."""
    import checklist.store.postgres as pg

    url = pg_server.create(name)
    with psycopg.connect(url) as conn, psycopg.connect(source) as old:
        for number, _name, sql in pg.migrations():
            if number <= version:
                conn.execute(sql)
                conn.execute("INSERT INTO checklist.schema_version (version) VALUES (%s)", (number,))
        assert old.execute("SELECT count(*) FROM checklist.items").fetchone()[0] == 0
        conn.execute("DELETE FROM checklist.chain")
        for table in ("meta", "templates", "chain", "officers", "history"):
            columns = [c for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'checklist' "
                "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,))]
            listed = ", ".join(columns)
            rows = old.execute("SELECT " + ", ".join(f"{c}::text" for c in columns) + f" FROM checklist.{table}")
            with conn.cursor().copy(f"COPY checklist.{table} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    return url


def test_a_schema_2_database_takes_the_follow_up_register_with_its_people_logged_in(pg_server, monkeypatch, tmp_path):
    """A bureau's server from before 督办 in full: `db upgrade` adds the register, and the people's
    logins (made by `db roles` under schema 2) may use it at once."""
    import checklist.store.postgres as pg

    # the roster of that time, in a database of schema 2 (a campaign asking nothing: no items to lay out)
    then = tmp_path / "templates"
    then.mkdir()
    (then / "quiet.yaml").write_text(
        "campaign: {key: quiet, name: 无人承办的活动, start: 2026-01-01, end: 2026-12-31}\n"
        "duties:\n  - {key: nobody, title: 无人承办, role: officer, every: month, due: 25, only_tagged: [无此标签]}\n",
        encoding="utf-8")
    now = pg_server.create("register_source")
    assert Checklist(now, today="2026-11-28", templates=then).run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    url = _older_database(pg_server, "before_register", 2, now)
    owner = Checklist(url, today="2026-11-28", templates=then)
    shipped = pg.migrations()
    monkeypatch.setattr(pg, "migrations", lambda: [m for m in shipped if m[0] <= 2])
    monkeypatch.setattr(pg, "SCHEMA", 2)
    monkeypatch.setattr(pg, "MEMBER_GRANTS", tuple(g for g in pg.MEMBER_GRANTS  # as then
                                                   if "follow_ups" not in g and "cases" not in g))
    assert owner.run("db", "roles").exit_code == 0
    monkeypatch.setattr(pg, "migrations", lambda: shipped)
    monkeypatch.setattr(pg, "SCHEMA", shipped[-1][0])
    upgraded = owner.run("db", "upgrade")
    assert upgraded.exit_code == 0 and "003_follow_ups" in upgraded.stdout, upgraded.output
    lead = Checklist(pg_server.url("before_register", user="DL010"), today="2026-11-28")
    opened = lead.run("follow-up", "open", "officer:DL001", "--note", "请说明逾期原因")
    assert opened.exit_code == 0 and "F1" in opened.stdout, opened.output
    officer = Checklist(pg_server.url("before_register", user="DL001"), today="2026-11-30")
    assert officer.run("follow-up", "reply", "F1", "--note", "已整改").exit_code == 0
    assert [f["state"] for f in lead.json("follow-ups")["follow_ups"]] == ["replied"]
    assert owner.run("audit", "verify").exit_code == 0

