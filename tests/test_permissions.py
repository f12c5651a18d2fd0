"""Who may do what (SPEC.md → Who may do what): every level against every command, on both backends.

The world is the demo's two basic courts under 哈尔滨市中级人民法院 (templates/courts.yaml), with the
intermediate court's chief and an admin added, and 陈立新 (DL010) logging in as ``chenlx``. The
database was made by someone not on the roster (its owner); everyone else acts as themselves —
through CHECKLIST_USER on a file database, as their own PostgreSQL login on a server — and on the
server the same questions are put straight to the tables with SQL, which must refuse what the
commands refuse.
"""

from __future__ import annotations

import json

import pytest

from clitools import TEMPLATES, Checklist

ROSTER = """\
id,name,court,department,roles,lead,since,login
DL001,周敏,哈尔滨市道里区人民法院,执行一庭,执行法官,DL010,2026-11-02,
DL002,吴刚,哈尔滨市道里区人民法院,执行一庭,法官助理,DL010,2026-11-02,
DL003,郑洁,哈尔滨市道里区人民法院,执行一庭,书记员,DL010,2026-11-02,
DL004,王磊,哈尔滨市道里区人民法院,执行二庭,执行法官,DL011,2026-11-02,
DL005,冯雪,哈尔滨市道里区人民法院,执行二庭,执行法官,DL011,2026-11-02,
DL010,陈立新,哈尔滨市道里区人民法院,执行一庭,团队长,DL020,2026-11-02,chenlx
DL011,褚红,哈尔滨市道里区人民法院,执行二庭,团队长,DL020,2026-11-02,
DL020,卫国强,哈尔滨市道里区人民法院,执行局,局长,,2026-11-02,
NG001,蒋文,哈尔滨市南岗区人民法院,执行一庭,执行法官,NG010,2026-11-02,
NG010,杨帆,哈尔滨市南岗区人民法院,执行一庭,团队长,NG020,2026-11-02,
NG020,朱振华,哈尔滨市南岗区人民法院,执行局,局长,,2026-11-02,
ZY020,孙立平,哈尔滨市中级人民法院,执行局,局长,,2026-11-02,
ADM01,刘静,哈尔滨市中级人民法院,执行局,内勤,,2026-11-02,
"""
DAOLI = {"DL001", "DL002", "DL003", "DL004", "DL005", "DL010", "DL011", "DL020"}
EVERYONE = DAOLI | {"NG001", "NG010", "NG020", "ZY020", "ADM01"}
ACTORS = {  # who → their account
    "officer": "DL001", "lead": "chenlx", "other_lead": "DL011", "chief": "DL020", "mid_chief": "ZY020",
    "admin": "ADM01", "stranger": "nobody",
}
Y, N = True, False
# (officer, lead, other lead, chief, intermediate chief, admin, stranger); the stranger's reads differ by backend
MATRIX = {
    "today of DL001": (Y, Y, N, Y, Y, Y, "file"),
    "done DL001's item": (Y, Y, N, Y, N, N, N),
    "undo DL001's item": (Y, Y, N, Y, N, N, N),
    "skip DL001's item": (Y, Y, N, Y, N, N, N),
    "follow-up open": (N, Y, N, Y, Y, Y, N),
    "follow-up reply": (Y, N, N, N, N, N, N),
    "follow-up return": (N, Y, N, Y, Y, N, N),
    "follow-up close": (N, Y, N, Y, Y, N, N),
    "import status": (N, N, N, Y, Y, Y, N),
    "import roster": (N, N, N, Y, Y, Y, N),
    "templates apply": (N, N, N, N, Y, Y, N),
    # on a server, which shows each person only their rows, the whole history is checked by someone who sees it all
    "audit verify": (N, N, N, "file", Y, Y, "file"),
}
REPORT_SCOPE = {
    "officer": {"DL001"}, "lead": {"DL010", "DL001", "DL002", "DL003"}, "other_lead": {"DL011", "DL004", "DL005"},
    "chief": DAOLI, "mid_chief": EVERYONE, "admin": EVERYONE,
}


class World:
    def __init__(self, backend: str, root, server=None, today: str = "2026-12-02", since: str = "2026-11-02"):
        self.backend = backend
        self.root = root
        self.server = server
        self.today = today
        (root / "roster.csv").write_text(ROSTER.replace("2026-11-02", since), encoding="utf-8")
        if server is None:
            self.db = root / "db.json"
            self.owner = Checklist(self.db, today=today, user="keeper")
        else:
            self.name = f"perm_{root.name}".replace("-", "_")[-60:]
            self.db = server.create(self.name)
            self.owner = Checklist(self.db, today=today)
        result = self.owner.run("import", "roster", str(root / "roster.csv"))
        assert result.exit_code == 0, result.output
        if server is not None:
            assert self.owner.run("db", "roles").exit_code == 0
            server.sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nobody') THEN "
                       "CREATE ROLE nobody LOGIN; END IF; END $$")
        items = self.owner.json("today", "--officer", "DL001", "--days", "14")["items"]
        opened = [i for i in items if i["status"] == "open"]
        self.item, self.other = opened[0]["id"], opened[1]["id"]
        self.ng_item = self.owner.json("today", "--officer", "NG001")["items"][0]["id"]

    def actor(self, who: str) -> Checklist:
        account = ACTORS[who]
        if self.server is None:
            return Checklist(self.db, today=self.today, user=account)
        return Checklist(self.server.url(self.name, user=account), today=self.today)

    def status(self, item: str) -> str:
        return self.owner.json("show", item)["status"]


@pytest.fixture(params=["files", "postgres"])
def world(request, tmp_path):
    server = request.getfixturevalue("pg_server") if request.param == "postgres" else None
    return World(request.param, tmp_path, server)


def allowed(result) -> bool:
    """Exit 0 is yes, exit 1 a clean refusal; anything else (a crash, a usage error) fails the test."""
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert "error:" in result.stderr and "Traceback" not in result.output, result.output
    return result.exit_code == 0


def attempt(world: World, who: str, action: str) -> bool:
    cl, owner, item = world.actor(who), world.owner, world.item
    if action == "today of DL001":
        return allowed(cl.run("today", "--officer", "DL001", "--json"))
    if action == "done DL001's item":
        ok = allowed(cl.run("done", item))
        assert world.status(item) == ("done" if ok else "open")
        if ok:
            assert owner.run("undo", item).exit_code == 0
        return ok
    if action == "undo DL001's item":
        assert owner.run("done", item).exit_code == 0
        ok = allowed(cl.run("undo", item))
        assert world.status(item) == ("open" if ok else "done")
        if not ok:
            assert owner.run("undo", item).exit_code == 0
        return ok
    if action == "skip DL001's item":
        ok = allowed(cl.run("skip", item, "--reason", "本期无案件"))
        if ok:
            assert owner.run("undo", item).exit_code == 0
        return ok
    if action == "follow-up open":
        ok = allowed(cl.run("follow-up", "open", world.other, "--note", "请说明"))
        if ok:
            assert cl.run("follow-up", "close", world.other).exit_code == 0  # the opener closes their own
        return ok
    lead = world.actor("lead")
    if action.startswith("follow-up "):
        verb = action.split()[1]
        assert lead.run("follow-up", "open", world.other, "--note", "请说明逾期原因").exit_code == 0
        note = ["--note", "已整改"] if verb in ("reply", "return") else []
        ok = allowed(cl.run("follow-up", verb, world.other, *note))
        if verb != "close" or not ok:
            assert lead.run("follow-up", "close", world.other).exit_code == 0
        return ok
    if action == "import status":
        sheet = world.root / "status.csv"
        sheet.write_text(f"id,status\n{item},done\n", encoding="utf-8")
        return allowed(cl.run("import", "status", str(sheet), "--dry-run"))
    if action == "import roster":
        sheet = world.root / "moved.csv"
        sheet.write_text("id,name,court,department,roles,lead\nDL001,周敏,哈尔滨市道里区人民法院,执行二庭,执行法官,DL011\n",
                         encoding="utf-8")
        return allowed(cl.run("import", "roster", str(sheet), "--dry-run"))
    if action == "templates apply":
        return allowed(cl.run("templates", "apply", str(TEMPLATES)))
    if action == "audit verify":
        return allowed(cl.run("audit", "verify"))
    raise AssertionError(action)


@pytest.mark.parametrize("who", list(ACTORS))
def test_every_level_may_do_what_the_table_says_and_nothing_more(world, who):
    column = list(ACTORS).index(who)
    found, wanted = {}, {}
    for action, row in MATRIX.items():
        expected = row[column]
        wanted[action] = (world.backend == "files") if expected == "file" else expected
        found[action] = attempt(world, who, action)
    assert found == wanted
    report = world.actor(who).run("report", "--json")
    if who == "stranger" and world.backend == "postgres":
        assert not allowed(report)
    else:  # (a stranger to a file database reads what its files let them: everyone)
        assert allowed(report)
        assert {r["group"] for r in json.loads(report.stdout)["rows"]} == REPORT_SCOPE.get(who, EVERYONE)
    assert world.owner.run("audit", "verify").exit_code == 0  # every refusal left the history whole


def test_a_refusal_names_whose_item_it_is_and_changes_nothing(world):
    from clitools import snapshot

    before = snapshot(world.db)
    refused = world.actor("other_lead").run("done", world.item)
    assert refused.exit_code == 1
    assert "is 周敏 (DL001)'s item" in refused.stderr  # a server does not even show it to 褚红
    if world.backend == "files":
        assert "you (褚红 (DL011)) are neither them nor above them" in refused.stderr
    prefix = world.actor("officer").json("show", world.item[:5])  # an id prefix, under row-level security too
    assert prefix["id"] == world.item
    named = world.actor("chief").run("done", world.item, "--officer", "DL002")  # never applied to someone else
    assert named.exit_code == 1 and "is DL001's item, not DL002's" in named.stderr
    assert snapshot(world.db) == before


def test_history_and_follow_ups_name_the_roster_person(world):
    lead = world.actor("lead")
    assert lead.run("follow-up", "open", world.other, "--note", "请说明逾期原因").exit_code == 0
    assert world.actor("officer").run("follow-up", "reply", world.other, "--note", "已补录").exit_code == 0
    shown = world.owner.json("show", world.other)
    opened = [h for h in shown["history"] if h["action"] == "follow-up"][0]
    assert opened["actor"] == "DL010"  # the person, by id, whatever account they log in with
    assert shown["follow_up"]["by"] == "DL010" and shown["follow_up"]["by_name"] == "陈立新"
    assert shown["follow_up"]["replies"][0]["by_name"] == "周敏"
    table = world.owner.run("show", world.other).stdout
    assert "陈立新 (DL010)" in table and "周敏 (DL001)" in table
    listed = lead.json("follow-ups")["follow_ups"]
    assert [(f["target"]["id"], f["opened_by"], f["state"]) for f in listed] == [
        (world.other, {"id": "DL010", "name": "陈立新"}, "replied")]


def test_whoami_tells_the_account_the_level_and_the_scope(world):
    me = world.actor("lead").json("whoami")
    assert me["person"]["id"] == "DL010" and me["login"] == "chenlx" and me["level"] == "lead"
    assert me["sees"]["people"] == 4 and me["sees"]["kind"] == "team"
    mid = world.actor("mid_chief").json("whoami")
    assert mid["level"] == "chief" and mid["sees"]["people"] == len(EVERYONE)
    assert set(mid["sees"]["courts"]) == {"哈尔滨市道里区人民法院", "哈尔滨市南岗区人民法院", "哈尔滨市中级人民法院"}
    text = world.actor("officer").run("whoami").stdout
    assert "周敏 (DL001)" in text and "执行法官" in text


def rewrites(conn, statement: str) -> bool:
    """Whether the server lets the statement change a row (a policy hides the rows, or refuses the change)."""
    import psycopg

    try:
        changed = conn.execute(statement).rowcount > 0
    except psycopg.errors.InsufficientPrivilege:
        changed = False
    conn.rollback()
    return changed


def test_the_server_refuses_through_sql_what_the_commands_refuse(request, tmp_path):
    """The same people with psql: the tables themselves enforce the table."""
    import psycopg

    server = request.getfixturevalue("pg_server")
    w = World("postgres", tmp_path, server)
    sees = {"officer": Y, "lead": Y, "other_lead": N, "chief": Y, "mid_chief": Y, "admin": Y}
    # a status change straight in the table: whoever may work the item, or manages its court (import status)
    changes = {"officer": Y, "lead": Y, "other_lead": N, "chief": Y, "mid_chief": Y, "admin": Y}
    for who, account in ACTORS.items():
        with psycopg.connect(server.url(w.name, user=account)) as conn:
            if who == "stranger":
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute("SELECT count(*) FROM checklist.items")
                continue
            seen = conn.execute("SELECT count(*) FROM checklist.items WHERE officer = 'DL001'").fetchone()[0]
            assert (seen > 0) == sees[who], who
            updated = conn.execute("UPDATE checklist.items SET status = status WHERE id = %s", (w.item,)).rowcount
            assert (updated == 1) == changes[who], who
            conn.rollback()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the history is append-only for everyone
                conn.execute("DELETE FROM checklist.history")
            conn.rollback()
            (head,) = conn.execute("SELECT seq FROM checklist.chain").fetchone()
            forged = json.dumps({"seq": head + 1, "officer": "DL001", "actor": "DL001" if who == "chief" else "DL020"})
            with pytest.raises(psycopg.errors.InsufficientPrivilege):  # an entry names its real actor
                conn.execute("INSERT INTO checklist.history (court, seq, officer, line) VALUES "
                             "('哈尔滨市道里区人民法院', %s, 'DL001', %s)", (head + 1, forged))
            conn.rollback()
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation):  # and comes next in the chain
                me = conn.execute("SELECT checklist.me()").fetchone()[0]
                conn.execute("INSERT INTO checklist.history (court, seq, officer, line) VALUES "
                             "(checklist.court_of(%s), 999999, %s, %s)",
                             (me, me, json.dumps({"seq": 999999, "officer": me, "actor": me})))
            conn.rollback()
            # a temporary table cannot stand in for the catalog the permission functions read
            conn.execute("CREATE TEMP TABLE pg_roles (rolname name, rolsuper boolean)")
            conn.execute("INSERT INTO pg_roles VALUES (session_user, true)")
            assert conn.execute("SELECT checklist.is_owner()").fetchone()[0] is False
            conn.rollback()
            # nobody but an admin rewrites what the database runs on, or their own record
            assert rewrites(conn, "UPDATE checklist.meta SET value = value WHERE name = 'access'") == \
                (who in ("mid_chief", "admin")), who  # 卫国强 manages 道里 only
            assert rewrites(conn, "UPDATE checklist.officers SET record = record WHERE id = checklist.me()") == \
                (who == "admin"), who
            assert rewrites(conn, "UPDATE checklist.meta SET value = value WHERE name = 'synced_at'") == \
                (who in ("chief", "mid_chief", "admin")), who  # a chief's roster import keeps the sync's bookkeeping
            for moved in ("seq = 1", "seq = 0", "court = 'zz'"):  # the head moves only to the last entry
                with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
                    conn.execute(f"UPDATE checklist.chain SET {moved}")
                conn.rollback()
            # an item stays under its officer's court, where the commands (and the reports) look for it
            assert not rewrites(conn, f"UPDATE checklist.items SET court = 'zz' WHERE id = '{w.item}'"), who


def test_a_chief_changes_only_their_courts_people_and_never_makes_an_admin(world):
    sheet = world.root / "changes.csv"
    sheet.write_text("id,name,court,department,roles,lead\n"
                     "DL006,孙丽,哈尔滨市道里区人民法院,执行一庭,书记员,DL010\n"          # a new clerk in 道里: fine
                     "NG002,沈佳,哈尔滨市南岗区人民法院,执行一庭,执行法官,NG010\n"        # 南岗 is not 卫国强's court
                     "DL030,刘洋,哈尔滨市道里区人民法院,执行局,内勤,\n"                    # an admin sees everything
                     "DL004,王磊,哈尔滨市南岗区人民法院,执行二庭,执行法官,NG010\n"       # moving someone out of 道里 too
                     "DL020,卫国强,哈尔滨市道里区人民法院,执行局,局长、庭长,\n",          # their own record
                     encoding="utf-8")
    refused = world.actor("chief").run("import", "roster", str(sheet))
    assert refused.exit_code == 1
    assert f"{sheet}:3: court: 哈尔滨市南岗区人民法院 is not among the courts you manage (哈尔滨市道里区人民法院" in refused.stderr
    assert f"{sheet}:4: roles: only an admin may give or take an admin's title (内勤)" in refused.stderr
    assert f"{sheet}:5: court: 哈尔滨市南岗区人民法院 is not among the courts you manage" in refused.stderr
    assert f"{sheet}:6: id: DL020 is you: your own roster record is changed by an admin" in refused.stderr
    assert f"{sheet}:2:" not in refused.stderr
    assert "DL006" not in {o["id"] for o in world.owner.json("roster")["officers"]}  # all or nothing
    by_admin = world.actor("admin").run("import", "roster", str(sheet))
    assert by_admin.exit_code == 0, by_admin.output


def test_a_chiefs_status_sheet_with_another_courts_row_says_whose_court_it_is(world):
    """On the server the chief cannot see 南岗's items; the row must still say why, not that a duty is missing."""
    key = world.owner.json("show", world.ng_item)
    sheet = world.root / "status.csv"
    sheet.write_text("工号,事项编码,期间,状态\n"
                     f"NG001,{key['key']},{key['period']},已完成\n", encoding="utf-8")
    refused = world.actor("chief").run("import", "status", str(sheet))
    assert refused.exit_code == 1
    assert f"{sheet}:2: 工号: 蒋文 (NG001) works at 哈尔滨市南岗区人民法院, not in your courts" in refused.stderr
    assert "has no item" not in refused.stderr
    assert world.status(world.ng_item) == "open"
    by_id = world.root / "by-id.csv"
    by_id.write_text(f"事项ID,状态\n{world.ng_item},已完成\n", encoding="utf-8")
    refused = world.actor("chief").run("import", "status", str(by_id))
    assert refused.exit_code == 1 and f"{by_id}:2:" in refused.stderr
    # the server does not show a chief another court's item, so cannot say whose it is; a file database can
    assert (f"no item '{world.ng_item}' among your courts' items" in refused.stderr if world.server else
            "works at 哈尔滨市南岗区人民法院, not in your courts" in refused.stderr), refused.stderr
    assert world.status(world.ng_item) == "open"


def test_nobody_opens_a_follow_up_on_their_own_item(world):
    own = world.actor("lead").json("today")["items"][0]["id"]  # 陈立新's own list: no --officer needed
    refused = world.actor("lead").run("follow-up", "open", own, "--note", "自我督办")
    assert refused.exit_code == 1 and "not on your own items" in refused.stderr


@pytest.mark.parametrize("world", ["postgres"], indirect=True)
@pytest.mark.parametrize("who", ["officer", "lead", "chief"])
def test_a_list_on_a_server_reads_the_people_it_needs_not_the_whole_roster(world, who, monkeypatch):
    """A province's roster is 3,000 people, and a court far from the server pays for every byte: today
    and done read the acting person and those whose list it is, and the same list comes out."""
    from checklist.store.postgres import PostgresReader

    everyone_read = []
    for name in ("officers", "_all_courts"):
        method = getattr(PostgresReader, name)
        monkeypatch.setattr(PostgresReader, name,
                            lambda self, _method=method, _name=name: everyone_read.append(_name) or _method(self))
    cl = world.actor(who)
    listed = cl.json("today", "--officer", "DL001")
    assert listed["officer"]["id"] == "DL001" and any(i["id"] == world.item for i in listed["items"])
    assert cl.run("done", world.item).exit_code == 0
    assert world.status(world.item) == "done"
    assert everyone_read == []
