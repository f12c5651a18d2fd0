"""督办 in full (SPEC.md → 督办 (follow-ups) in full), on both backends.

The world is the permissions world (tests/test_permissions.py), made on Mon 28 Sep 2026: 道里 and 南岗
under 哈尔滨中院, each person acting as themselves. Follow-ups are opened on Wed 30 Sep 2026 with three working days to
reply: 1–7 October is the National Day holiday and Sat 10 Oct a make-up working day (调休), so the
reply is due Sat 10 Oct — not Mon 5 Oct as plain weekdays would say.
"""

from __future__ import annotations

import pytest

from clitools import Checklist, snapshot
from test_permissions import World

OPENED = "2026-09-30"
DUE = "2026-10-10"  # 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, 调休 working day)


@pytest.fixture(params=["files", "postgres"])
def world(request, tmp_path):
    server = request.getfixturevalue("pg_server") if request.param == "postgres" else None
    return World(request.param, tmp_path, server, today="2026-09-28", since="2026-09-01")


def on(cl: Checklist, day: str) -> Checklist:
    """The same person on another day."""
    return Checklist(cl.db, today=day, templates=cl.env["CHECKLIST_TEMPLATES"], user=cl.env["CHECKLIST_USER"])


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def listed(cl: Checklist, *args: str) -> dict[str, dict]:
    return {f["id"]: f for f in cl.json("follow-ups", "--state", "all", *args)["follow_ups"]}


def test_the_loop_on_every_kind_of_target(world):
    lead, officer = on(world.actor("lead"), OPENED), world.actor("officer")
    chief, mid_chief = on(world.actor("chief"), OPENED), on(world.actor("mid_chief"), OPENED)
    assert "F1  follow-up opened" in ok(lead.run("follow-up", "open", world.item, "--note", "请说明逾期原因",
                                             "--no", "督〔2026〕12号", "--from", "执行局"))
    ok(lead.run("follow-up", "open", "officer:DL002", "--note", "请报送本周台账"))
    ok(chief.run("follow-up", "open", "dept:道里/执行二庭", "--note", "执行二庭结案率偏低，请整改"))
    ok(mid_chief.run("follow-up", "open", "法院：南岗", "--note", "南岗法院终本合格率偏低", "--days", "5"))
    register = listed(world.owner)
    assert {f: (r["target"]["kind"], r["target"]["id"], r["reply_due"]) for f, r in register.items()} == {
        "F1": ("item", world.item, DUE), "F2": ("officer", "DL002", DUE),
        "F3": ("dept", "哈尔滨市道里区人民法院/执行二庭", DUE), "F4": ("court", "哈尔滨市南岗区人民法院", "2026-10-13")}
    assert (register["F1"]["no"], register["F1"]["source"]) == ("督〔2026〕12号", "执行局")

    # each tops the right person's list: the officer, the department's lead, the court's chief
    def tops(who: str, day: str = "2026-10-09") -> list[str]:
        return [f["id"] for f in on(world.actor(who), day).json("today")["follow_ups"]]

    assert tops("officer") == ["F1"] and tops("other_lead") == ["F3"]
    assert on(world.owner, "2026-10-09").json("today", "--officer", "DL002")["follow_ups"][0]["id"] == "F2"
    assert [f["id"] for f in on(world.actor("admin"), "2026-10-09").json(
        "today", "--officer", "NG020")["follow_ups"]] == ["F4"]
    shown = on(officer, "2026-10-09").json("show", world.item)
    assert shown["follow_up"]["id"] == "F1" and shown["follow_up"]["reply_due"] == DUE

    # reply → sent back → reply → closed with an outcome
    ok(on(officer, "2026-10-09").run("follow-up", "reply", "F1", "--note", "已补录并说明原因"))
    assert "sent back" in ok(on(world.actor("lead"), "2026-10-12").run(
        "follow-up", "return", "f1", "--note", "原因说明不具体", "--days", "2"))
    returned = listed(world.owner)["F1"]
    assert (returned["state"], returned["reply_due"]) == ("returned", "2026-10-14")
    assert on(officer, "2026-10-12").json("today")["follow_ups"][0]["returns"][0]["note"] == "原因说明不具体"
    ok(on(officer, "2026-10-13").run("follow-up", "reply", "#1", "--note", "已补充说明"))
    closed = ok(on(world.actor("lead"), "2026-10-15").run("follow-up", "close", "F1", "--outcome", "约谈",
                                                           "--note", "已约谈承办人"))
    assert "F1  closed" in closed and "约谈" in closed
    record = listed(world.owner)["F1"]
    assert (record["state"], record["outcome"], len(record["replies"]), len(record["returns"])) == (
        "closed", "约谈", 2, 1)
    assert [r["reply_due"] for r in record["replies"]] == [DUE, "2026-10-14"]  # both in time
    assert tops("officer", "2026-10-15") == []  # gone from the list

    # the next month's 通报 names the person, the follow-up and the date
    report = on(world.actor("chief"), "2026-11-02").json("report", "--month", "2026-10")
    assert [(s["id"], s["outcome"], s["date"], s["people"], s["no"]) for s in report["sanctions"]] == [
        ("F1", "约谈", "2026-10-15", [{"id": "DL001", "name": "周敏"}], "督〔2026〕12号")]
    a1 = next(r for r in report["rows"] if r["group"] == "DL001")["follow_up"]
    assert (a1["opened"], a1["replied_in_time"], a1["returned"], a1["closed"], a1["outcomes"]) == (0, 2, 1, 1, 1)
    september = on(world.actor("chief"), "2026-11-02").json("report", "--month", "2026-09")
    assert september["sanctions"] == [] and next(
        r for r in september["rows"] if r["group"] == "DL001")["follow_up"]["opened"] == 1
    table = on(world.actor("chief"), "2026-11-02").run("report", "--month", "2026-10").stdout
    assert "F1" in table and "约谈" in table and "周敏" in table
    assert ok(on(world.actor("admin"), "2026-11-02").run("audit", "verify"))


def test_a_late_reply_climbs_once_to_the_openers_lead(world):
    lead = on(world.actor("lead"), OPENED)
    ok(lead.run("follow-up", "open", "officer:DL002", "--note", "请报送本周台账"))
    chief = world.actor("chief")  # 卫国强: 陈立新's own lead
    assert on(chief, "2026-10-10").json("today")["follow_ups"] == []  # due today: not late yet
    late = on(chief, "2026-10-12").json("today")["follow_ups"]
    assert [(f["id"], f["why"], f["late"]) for f in late] == [("F1", "escalated", True)]
    text = on(chief, "2026-10-12").run("today").stdout
    assert "F1" in text and "吴刚" in text
    admin = world.actor("admin")  # runs the nightly sync
    for day in ("2026-10-12", "2026-10-12", "2026-10-13"):  # on two nights (and twice on one)
        ok(on(admin, day).run("sync"))
    record = listed(world.owner)["F1"]
    assert [(e["to"], e["reply_due"]) for e in record["escalations"]] == [("DL020", DUE)]  # recorded once
    log = world.owner.json("log")["entries"]
    assert [e["action"] for e in log].count("follow-up-escalate") == 1
    overdue = on(chief, "2026-10-13").json("follow-ups", "--state", "overdue")["follow_ups"]
    assert [(f["id"], f["overdue_days"], f["escalated"]) for f in overdue] == [("F1", 3, True)]
    assert "督办逾期未反馈" in on(chief, "2026-10-13").run("follow-ups", "--state", "overdue").stdout
    row = next(r for r in on(chief, "2026-10-13").json("report", "--month", "2026-10")["rows"] if r["group"] == "DL002")
    assert row["follow_up"]["late"] == 1 and row["follow_ups"] == 1
    # a reply ends the climb; sent back and missed again, it climbs once more
    ok(on(world.actor("officer"), "2026-10-13").run("follow-up", "reply", "F1", "--note", "已报送",
                                                    CHECKLIST_USER="DL002") if world.server is None else
       Checklist(world.server.url(world.name, user="DL002"), today="2026-10-13").run(
           "follow-up", "reply", "F1", "--note", "已报送"))
    assert on(chief, "2026-10-13").json("today")["follow_ups"] == []
    ok(on(world.actor("lead"), "2026-10-14").run("follow-up", "return", "F1", "--note", "台账不全", "--days", "1"))
    ok(on(admin, "2026-10-19").run("sync"))
    assert len(listed(world.owner)["F1"]["escalations"]) == 2
    assert ok(on(admin, "2026-11-02").run("audit", "verify"))


def test_refusals_name_the_reason_and_write_nothing(world):
    lead, officer = on(world.actor("lead"), OPENED), on(world.actor("officer"), "2026-10-09")
    ok(lead.run("follow-up", "open", world.item, "--note", "请说明逾期原因"))
    ok(on(world.actor("chief"), OPENED).run("follow-up", "open", "dept:道里/执行二庭", "--note", "请整改"))
    before = snapshot(world.db)

    def refused(cl: Checklist, *args: str, says: str) -> None:
        result = cl.run(*args)
        assert result.exit_code == 1, result.output
        assert says in result.stderr and "Traceback" not in result.output, result.stderr
        assert snapshot(world.db) == before

    refused(on(world.actor("chief"), "2026-10-09"), "follow-up", "reply", "F1", "--note", "x",
            says="is for 周敏 (DL001) to answer")
    refused(on(world.actor("other_lead"), "2026-10-09"), "follow-up", "reply", "F1", "--note", "x",
            says="follow-up F1 is not one you may see")
    refused(on(world.actor("chief"), "2026-10-09"), "follow-up", "reply", "F2", "--note", "x",
            says="is for 褚红 (DL011) to answer")
    refused(officer, "follow-up", "reply", "F2", "--note", "x", says="follow-up F2 is not one you may see")
    refused(officer, "follow-up", "close", "F1", says="is yours to answer; 陈立新 (DL010) or someone above them")
    refused(on(world.actor("other_lead"), "2026-10-09"), "follow-up", "close", "F2",
            says="is yours to answer")
    refused(officer, "follow-up", "open", "officer:DL002", "--note", "x", says="is not below you")
    refused(lead, "follow-up", "open", "court:南岗", "--note", "x", says="is opened by a chief of 哈尔滨市南岗区人民法院")
    refused(lead, "follow-up", "open", "officer:XX999", "--note", "x", says="no officer 'XX999'")
    refused(lead, "follow-up", "open", "dept:道里/执行九庭", "--note", "x", says="no department of 哈尔滨市道里区人民法院 '执行九庭'")
    refused(lead, "follow-up", "open", "court:香坊", "--note", "x", says="no court '香坊'")
    refused(lead, "follow-up", "open", "case:(2026)黑0102执123号", "--note", "x", says="there is no case")
    refused(lead, "follow-up", "open", "team:一庭", "--note", "x", says="a follow-up is opened on an item id")
    refused(lead, "follow-up", "reply", "F9", "--note", "x", says="no follow-up F9")
    refused(lead, "follow-up", "close", "F1", "--outcome", "罚款", says="is not an outcome")
    ok(on(world.actor("lead"), "2026-10-12").run("follow-up", "close", "F1"))
    before = snapshot(world.db)
    refused(lead, "follow-up", "close", "F1", says="was closed on 2026-10-12")
    refused(lead, "follow-up", "return", "F1", "--note", "再办", says="was closed on 2026-10-12")
    refused(officer, "follow-up", "reply", "F1", "--note", "x", says="was closed on 2026-10-12")


def test_follow_ups_listing_filters_and_groups(world):
    lead, chief = on(world.actor("lead"), OPENED), on(world.actor("chief"), OPENED)
    ok(lead.run("follow-up", "open", world.item, "--note", "请说明逾期原因"))
    ok(lead.run("follow-up", "open", "officer:DL002", "--note", "请报送台账"))
    ok(chief.run("follow-up", "open", "dept:道里/执行二庭", "--note", "请整改"))
    ok(on(world.actor("officer"), "2026-10-09").run("follow-up", "reply", "F1", "--note", "已说明"))
    view = on(world.actor("chief"), "2026-10-12")
    assert [f["id"] for f in view.json("follow-ups", "--state", "replied")["follow_ups"]] == ["F1"]
    assert [f["id"] for f in view.json("follow-ups", "--state", "overdue")["follow_ups"]] == ["F2", "F3"]
    grouped = view.json("follow-ups", "--by", "department")["follow_ups"]
    assert [(f["id"], f["group"]) for f in grouped] == [
        ("F1", "哈尔滨市道里区人民法院 执行一庭"), ("F2", "哈尔滨市道里区人民法院 执行一庭"), ("F3", "哈尔滨市道里区人民法院 执行二庭")]
    assert [f["id"] for f in on(world.actor("lead"), "2026-10-12").json("follow-ups")["follow_ups"]] == ["F1", "F2"]
    assert on(world.actor("other_lead"), "2026-10-12").json("follow-ups")["follow_ups"][0]["id"] == "F3"
    assert view.run("follow-ups", "--state", "pending").exit_code == 1
    text = view.run("follow-ups", "--by", "部门").stdout
    assert all(len(line) <= 80 for line in text.splitlines())
    assert text.index("执行一庭") < text.index("F1") < text.index("执行二庭") < text.index("F3")


def test_the_server_enforces_the_follow_up_rules_through_sql(request, tmp_path):
    """With psql, nobody closes what they did not open, replies for someone else, re-aims or hides one."""
    import json

    import psycopg

    server = request.getfixturevalue("pg_server")
    w = World("postgres", tmp_path, server, today="2026-09-28", since="2026-09-01")
    ok(on(w.actor("lead"), OPENED).run("follow-up", "open", w.item, "--note", "请说明逾期原因"))
    ok(on(w.actor("chief"), OPENED).run("follow-up", "open", "dept:道里/执行二庭", "--note", "请整改"))

    def session(who: str):
        account = {"DL002": "DL002"}.get(who) or __import__("test_permissions").ACTORS[who]
        return psycopg.connect(server.url(w.name, user=account))

    seen = {"officer": {"F1"}, "lead": {"F1"}, "other_lead": {"F2"}, "chief": {"F1", "F2"},
            "mid_chief": {"F1", "F2"}, "admin": {"F1", "F2"}, "DL002": set()}
    for who, expected in seen.items():
        with session(who) as conn:
            assert {i for (i,) in conn.execute("SELECT id FROM checklist.follow_ups")} == expected, who

    def step(who: str, change: str, fid: str = "F1") -> bool:
        """Whether ``who`` may make the change to the record; always rolled back."""
        with session(who) as conn:
            try:
                count = conn.execute(f"UPDATE checklist.follow_ups SET record = {change} WHERE id = %s",
                                     (fid,)).rowcount
            except psycopg.errors.InsufficientPrivilege:
                return False
            finally:
                conn.rollback()
            return count == 1

    me = "checklist.me()"
    close = f"record || jsonb_build_object('state', 'closed', 'outcome', 'none', 'closed_by', {me})"
    reply = (f"jsonb_set(record || '{{\"state\": \"replied\"}}', '{{replies}}', coalesce(record->'replies', '[]') || "
             f"jsonb_build_array(jsonb_build_object('at', '2026-10-09', 'by', {me}, 'note', '已整改')))")
    assert not step("officer", close) and step("lead", close) and step("chief", close)  # the target may not close
    assert step("officer", reply) and not step("lead", reply) and not step("chief", reply)  # only the target replies
    assert step("other_lead", reply, "F2") and not step("chief", reply, "F2")  # a department's lead answers for it
    assert not step("admin", "jsonb_set(record, '{target,officer}', '\"DL002\"')")  # nobody re-aims one
    assert not step("officer", "record || '{\"reply_due\": \"2027-01-01\"}'")  # nor moves its deadline
    assert not step("officer", "record || '{\"note\": \"已自行核销\"}'")  # nor rewrites what was asked
    assert not step("chief", "record || '{\"state\": \"replied\"}'")  # a state without its step
    assert not step("lead", "jsonb_set(record || '{\"state\": \"replied\"}', '{replies}', "
                            "'[{\"at\": \"2026-10-09\", \"by\": \"DL001\", \"note\": \"x\"}]')")  # a reply in another's name
    assert not step("lead", close.replace(me, "'DL020'"))  # closed in someone else's name
    assert not step("lead", close.replace("'none'", "'罚款'"))  # an outcome that is not one

    def inserted(who: str, record: dict, court: str = "哈尔滨市道里区人民法院", n: int = 3) -> bool:
        target = record["target"]
        with session(who) as conn:
            try:
                conn.execute("INSERT INTO checklist.follow_ups (court, id, n, opener, officer, record) VALUES "
                             "(%s, %s, %s, %s, %s, %s)", (court, f"F{n}", n, record["by"], target.get("officer"),
                                                          json.dumps({**record, "id": f"F{n}"})))
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UniqueViolation,
                    psycopg.errors.CheckViolation):
                return False
            finally:
                conn.rollback()
            return True

    fresh = {"by": "DL010", "note": "请说明", "opened_at": "2026-10-09T09:00:00+08:00", "reply_due": "2026-10-12",
             "state": "open", "target": {"kind": "officer", "id": "DL002", "officer": "DL002",
                                         "court": "哈尔滨市道里区人民法院"}}
    assert inserted("lead", fresh)  # as the command would
    assert not inserted("officer", {**fresh, "by": "DL001"})  # an officer opens none
    assert not inserted("lead", {**fresh, "state": "closed", "outcome": "问责"})  # born closed
    assert not inserted("lead", fresh, n=1)  # a number taken (under another court, too)
    assert not inserted("lead", fresh, court="哈尔滨市南岗区人民法院", n=3)  # under the wrong court
    ng = {**fresh, "by": "DL020", "target": {"kind": "officer", "id": "NG001", "officer": "NG001",
                                            "court": "哈尔滨市道里区人民法院"}}
    assert not inserted("chief", ng)  # 南岗's officer, filed under 道里
    with session("officer") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):  # no forged 督办 entry
        (head,) = conn.execute("SELECT seq FROM checklist.chain").fetchone()
        line = json.dumps({"seq": head + 1, "officer": None, "actor": "DL001", "action": "follow-up-close",
                           "follow_up": "F2"})
        conn.execute("INSERT INTO checklist.history (court, seq, officer, line) VALUES ('', %s, NULL, %s)",
                     (head + 1, line))
    with session("DL002") as conn:  # a department's follow-up is not read by everyone through the history
        assert conn.execute("SELECT count(*) FROM checklist.history WHERE line::jsonb->>'follow_up' = 'F2'"
                            ).fetchone()[0] == 0
    with session("other_lead") as conn:
        assert conn.execute("SELECT count(*) FROM checklist.history WHERE line::jsonb->>'follow_up' = 'F2'"
                            ).fetchone()[0] == 1
    with session("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):  # and none is deleted
        conn.execute("DELETE FROM checklist.follow_ups")
    ok(on(w.actor("lead"), "2026-10-12").run("follow-up", "close", "F1"))
    with session("lead") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):  # closed stays closed
        conn.execute("UPDATE checklist.follow_ups SET record = record || '{\"state\": \"open\"}' WHERE id = 'F1'")


def test_the_ledger_exports_as_csv_xlsx_and_json(world, tmp_path):
    import csv
    import io

    from openpyxl import load_workbook

    lead = on(world.actor("lead"), OPENED)
    ok(lead.run("follow-up", "open", "officer:DL002", "--note", "=HYPERLINK(\"x\")", "--no", "督〔2026〕3号"))
    ok(on(world.actor("lead"), "2026-10-12").run("follow-up", "close", "F1", "--outcome", "通报批评"))
    chief = on(world.actor("chief"), "2026-10-12")
    rows = list(csv.DictReader(io.StringIO(chief.run("export", "follow-ups").stdout.lstrip("\ufeff"))))
    assert [(r["id"], r["no"], r["target"], r["state"], r["outcome"], r["note"]) for r in rows] == [
        ("F1", "督〔2026〕3号", "吴刚 (DL002)", "closed", "通报批评", "'=HYPERLINK(\"x\")")]  # never a formula
    ok(chief.run("export", "follow-ups", "--format", "xlsx", "--out", str(tmp_path / "督办台账.xlsx")))
    sheet = load_workbook(tmp_path / "督办台账.xlsx").active
    assert [c.value for c in sheet[2]][:4] == ["F1", "督〔2026〕3号", None, "2026-09-30"]
    (doc,) = chief.json("export", "follow-ups")["follow_ups"]
    assert (doc["id"], doc["outcome"], doc["target"]["kind"]) == ("F1", "通报批评", "officer")
    assert on(world.actor("officer"), "2026-10-12").json("export", "follow-ups")["follow_ups"] == []  # not theirs


def test_nobody_opens_a_follow_up_they_would_answer_themselves(world):
    chief = on(world.actor("chief"), OPENED)
    refused = chief.run("follow-up", "open", "court:道里", "--note", "本院自查")
    assert refused.exit_code == 1 and "would be yours to answer" in refused.stderr
    ok(on(world.actor("mid_chief"), OPENED).run("follow-up", "open", "court:道里", "--note", "请自查整改"))
    assert [f["id"] for f in on(world.actor("chief"), "2026-10-09").json("today")["follow_ups"]] == ["F1"]
    assert "no follow-up F0" in chief.run("follow-up", "close", "F0").stderr
