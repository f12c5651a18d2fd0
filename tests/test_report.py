"""`checklist report` and follow-ups (督办), with every figure worked out by hand.

The world: two campaigns in November 2026 and a roster of two courts.

* 甲 (alpha), everyone: `weekly` (Fri) for officers; `monthly` (20th, high) for officers and leads.
* 乙 (beta), 道里 only: `weekly` on Wednesday — the same duty, so 道里 officers' weekly items are due
  Wednesday and credit both campaigns.

As of Thu 26 Nov, officers have weekly items due 4, 11, 18, 25 Nov (道里) or 6, 13, 20 Nov (南岗),
and every officer and lead a monthly item due Fri 20 Nov. What each did is set up below.
"""

import csv
import io
import os
from pathlib import Path

import pytest

from clitools import Checklist

ALPHA = """\
campaign: {key: alpha, name: 甲活动, short: 甲, start: 2026-11-02, end: 2026-11-30}
duties:
  - {key: weekly, title: 周报, role: officer, every: week, due: fri}
  - {key: monthly, title: 月度分析, role: [officer, lead], every: month, due: 20, priority: high}
"""
BETA = """\
campaign: {key: beta, name: 乙活动, short: 乙, start: 2026-11-02, end: 2026-11-30, scope: {courts: [哈尔滨市道里区人民法院]}}
duties:
  - {key: weekly, title: 攻坚周报, role: officer, every: week, due: wed}
"""
ROSTER = """\
id,name,court,department,roles,lead,since
A1,周敏,哈尔滨市道里区人民法院,执行一庭,officer,L1,2026-11-01
A2,吴刚,哈尔滨市道里区人民法院,执行一庭,officer,L1,2026-11-01
L1,陈立新,哈尔滨市道里区人民法院,执行一庭,lead,C1,2026-11-01
B1,王磊,哈尔滨市道里区人民法院,执行二庭,officer,L2,2026-11-01
L2,褚红,哈尔滨市道里区人民法院,执行二庭,lead,C1,2026-11-01
C1,卫国强,哈尔滨市道里区人民法院,执行局,chief,,2026-11-01
N1,蒋文,哈尔滨市南岗区人民法院,执行一庭,officer,M1,2026-11-01
M1,杨帆,哈尔滨市南岗区人民法院,执行一庭,lead,,2026-11-01
"""
# officer: [(duty, due date of the item, what happened, on which day)]
WORK = {
    "A1": [("weekly", "2026-11-04", "done", "2026-11-04"), ("weekly", "2026-11-11", "done", "2026-11-12"),
           ("monthly", "2026-11-20", "done", "2026-11-20")],  # weekly 18 and 25 Nov left open
    "A2": [("weekly", "2026-11-04", "done", "2026-11-04"), ("weekly", "2026-11-11", "done", "2026-11-11"),
           ("weekly", "2026-11-18", "done", "2026-11-18"), ("weekly", "2026-11-25", "done", "2026-11-25"),
           ("monthly", "2026-11-20", "done", "2026-11-20")],
    "L1": [("monthly", "2026-11-20", "done", "2026-11-19")],
    "B1": [("weekly", "2026-11-04", "done", "2026-11-04"), ("weekly", "2026-11-11", "skip", "2026-11-11"),
           ("weekly", "2026-11-18", "done", "2026-11-18"), ("weekly", "2026-11-25", "done", "2026-11-26")],
    "N1": [("weekly", "2026-11-06", "done", "2026-11-06"), ("weekly", "2026-11-13", "done", "2026-11-13"),
           ("weekly", "2026-11-20", "done", "2026-11-23"), ("monthly", "2026-11-20", "done", "2026-11-20")],
    "M1": [("monthly", "2026-11-20", "done", "2026-11-20")],
}  # B1's and L2's monthly items stay open


@pytest.fixture(scope="module", params=["files", "postgres"])
def world(request, tmp_path_factory):
    """The same worked world on each backend: every figure must come out the same."""
    root = tmp_path_factory.mktemp("world")
    (root / "templates").mkdir()
    (root / "templates" / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (root / "templates" / "beta.yaml").write_text(BETA, encoding="utf-8")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    db = root / "db.json"
    if request.param == "postgres":
        db = request.getfixturevalue("pg_server").create(f"report_{root.name}")
    cl = Checklist(db, today="2026-11-26", templates=root / "templates", user="张局")
    assert cl.run("import", "roster", str(root / "roster.csv")).exit_code == 0
    for officer, steps in WORK.items():
        items = cl.json("today", "--officer", officer, "--days", "40", CHECKLIST_TODAY="2026-11-01")["items"]
        for key, due, action, day in steps:
            (item,) = [i for i in items if (i["key"], i["due"]) == (key, due)]
            args = ["skip", item["id"], "--reason", "本周无案件"] if action == "skip" else ["done", item["id"]]
            assert cl.run(*args, CHECKLIST_TODAY=day).exit_code == 0
    a1 = cl.json("today", "--officer", "A1")["items"]
    (w47,) = [i for i in a1 if (i["key"], i["due"]) == ("weekly", "2026-11-18")]
    assert cl.run("follow-up", w47["id"], "--note", "请说明逾期原因", CHECKLIST_TODAY="2026-11-25").exit_code == 0
    cl.world_root = root
    cl.a1_w47 = w47["id"]
    return cl


def rows(doc):
    return {r["group"]: (r["due"], r["done"], r["on_time"], r["overdue"], r["skipped"], r["follow_ups"],
                         r["completion"], r["flagged"]) for r in doc["rows"]}


def test_by_officer_every_figure(world):
    doc = world.json("report", "--month", "2026-11")
    assert (doc["from"], doc["to"], doc["as_of"], doc["by"]) == ("2026-11-01", "2026-11-30", "2026-11-26", "officer")
    assert rows(doc) == {
        "A1": (5, 3, 2, 2, 0, 1, 0.6, True),
        "A2": (5, 5, 5, 0, 0, 0, 1.0, False),
        "L1": (1, 1, 1, 0, 0, 0, 1.0, False),
        "B1": (4, 3, 2, 1, 1, 0, 0.75, True),
        "L2": (1, 0, 0, 1, 0, 0, 0.0, True),
        "C1": (0, 0, 0, 0, 0, 0, 1.0, False),  # nothing due: 100%, not flagged, no division by zero
        "N1": (4, 4, 3, 0, 0, 0, 1.0, False),
        "M1": (1, 1, 1, 0, 0, 0, 1.0, False),
    }
    a1 = next(r for r in doc["rows"] if r["group"] == "A1")
    assert a1["on_time_rate"] == 0.4
    assert a1["max_overdue_workdays"] == 6  # 18 Nov → 26 Nov: 19, 20, 23, 24, 25, 26
    # weights: a weekly item (normal) 2 × 1, the monthly (high) 4 × 2. A1 missed two weeklies: 12 of 16;
    # B1 missed the monthly: 6 of 14 (the skipped weekly is not due) — B1 is further behind than A1
    assert (a1["weighted_completion"], next(r for r in doc["rows"] if r["group"] == "B1")["weighted_completion"]) == \
        (0.75, round(6 / 14, 4))
    assert a1["flags"] == [{"code": "low_completion", "completion": 0.75, "threshold": 0.8},
                           {"code": "long_overdue", "workdays": 6, "limit": 5}]
    assert [r["group"] for r in doc["laggards"]] == ["L2", "B1", "A1"]  # worst first, by weighted completion
    assert doc["laggards"][2]["responsible"] == {"id": "A1", "name": "周敏"}
    assert [(i["due"], i["overdue_days"]) for i in doc["laggards"][2]["late"]] == [("2026-11-18", 8), ("2026-11-25", 1)]


def test_the_通报_names_the_bottom_n_and_everyone_under_the_threshold_not_everyone_late(world):
    dept = world.json("report", "--month", "2026-11", "--by", "department")
    one = next(r for r in dept["rows"] if r["group"] == "哈尔滨市道里区人民法院/执行一庭")
    # A1 16 + A2 16 + L1 8 due, 12 + 16 + 8 done: 90%, above 80%. Three departments have anything due: the
    # 排名后N位 names at most a third of them — one, 执行二庭, already under 80% — so 执行一庭 is not named
    assert one["weighted_completion"] == 0.9 and sum(1 for r in dept["rows"] if r["due"]) == 3
    assert one["flags"] == [] and [r["group"] for r in dept["laggards"]] == ["哈尔滨市道里区人民法院/执行二庭"]
    alone = world.json("report", "--month", "2026-11", "--by", "department", "--bottom", "1")
    assert [r["group"] for r in alone["laggards"]] == ["哈尔滨市道里区人民法院/执行二庭"]  # 6 working days late is a reason,
    # not a reason to be named: 执行一庭 at 90% is off the 通报 once only the lowest one is named
    none = world.json("report", "--month", "2026-11", "--bottom", "0")
    assert [r["group"] for r in none["laggards"]] == ["L2", "B1", "A1"]  # those under 80% are always named
    everyone = world.json("report", "--month", "2026-11", "--bottom", "10")
    assert [r["group"] for r in everyone["laggards"]] == ["L2", "B1", "A1"]  # nobody who missed nothing


def test_by_department_and_court(world):
    dept = world.json("report", "--month", "2026-11", "--by", "department")
    assert rows(dept) == {
        # 82%, 6 working days late: not named — of three departments with work due, only the lowest is
        "哈尔滨市道里区人民法院/执行一庭": (11, 9, 8, 2, 0, 1, round(9 / 11, 4), False),
        "哈尔滨市道里区人民法院/执行二庭": (5, 3, 2, 2, 1, 0, 0.6, True),
        "哈尔滨市道里区人民法院/执行局": (0, 0, 0, 0, 0, 0, 1.0, False),
        "哈尔滨市南岗区人民法院/执行一庭": (5, 5, 4, 0, 0, 0, 1.0, False),
    }
    assert [(r["group"], r["responsible"]["id"]) for r in dept["laggards"]] == [("哈尔滨市道里区人民法院/执行二庭", "L2")]
    listed = world.json("report", "--month", "2026-11", "--by", "department", "--threshold", "0.95")
    assert [(r["group"], r["responsible"]["id"]) for r in listed["laggards"]] == [  # a department's lead answers
        ("哈尔滨市道里区人民法院/执行二庭", "L2"), ("哈尔滨市道里区人民法院/执行一庭", "L1")]
    court = world.json("report", "--month", "2026-11", "--by", "court")
    assert rows(court) == {
        "哈尔滨市道里区人民法院": (16, 12, 10, 4, 1, 1, 0.75, True),
        "哈尔滨市南岗区人民法院": (5, 5, 4, 0, 0, 0, 1.0, False),
    }
    assert court["laggards"][0]["responsible"] == {"id": "C1", "name": "卫国强"}


def test_by_campaign_counts_an_item_once_per_campaign_it_credits(world):
    doc = world.json("report", "--month", "2026-11", "--by", "campaign")
    assert rows(doc) == {
        "alpha": (21, 17, 14, 4, 1, 1, round(17 / 21, 4), True),  # of two campaigns, the lower one is named
        "beta": (11, 9, 7, 2, 1, 1, round(9 / 11, 4), False),
    }


def test_scope_a_lead_sees_their_team_and_a_chief_their_court(world):
    assert set(rows(world.json("report", "--month", "2026-11", "--officer", "L1"))) == {"A1", "A2", "L1"}
    assert set(rows(world.json("report", "--month", "2026-11", "--officer", "C1"))) == {
        "A1", "A2", "L1", "B1", "L2", "C1"}
    assert set(rows(world.json("report", "--month", "2026-11", "--officer", "A1"))) == {"A1"}
    everyone = world.json("report", "--month", "2026-11", "--all", CHECKLIST_OFFICER="L1")
    assert len(everyone["rows"]) == 8


def test_a_week_and_an_as_of_date_in_the_past(world):
    doc = world.json("report", "--week", "2026-W47", "--by", "court")
    # W47 = 16–22 Nov. 道里: weekly on the 18th for A1 (open), A2 and B1 (done on time); monthly on the
    # 20th for A1, A2, L1 (done on time), B1 and L2 (open) → 8 due, 5 done, 5 on time, 3 overdue
    assert rows(doc)["哈尔滨市道里区人民法院"][:4] == (8, 5, 5, 3)
    # as of 12 Nov: A1's 4 Nov item (on time) and 11 Nov item (done on the 12th: late) count
    assert rows(world.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-11-12"))["A1"][:4] == (2, 2, 1, 0)
    # as of 11 Nov the item due that day (done on the 12th) is not done yet — and not counted yet
    # either: its day is not over
    assert rows(world.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-11-11"))["A1"][:4] == (1, 1, 1, 0)
    # while A2's item due on the 11th and done that day counts on the day itself
    assert rows(world.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-11-11"))["A2"][:4] == (2, 2, 2, 0)
    assert rows(world.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-11-12"))["N1"][:4] == (1, 1, 1, 0)


GOLDEN = Path(__file__).parent / "golden"


def test_table_at_100_columns_with_chinese_names_matches_the_golden_text(world):
    result = world.run("report", "--month", "2026-11", COLUMNS="100")
    assert result.exit_code == 0, result.output
    golden = GOLDEN / "report-by-officer-100.txt"
    if os.environ.get("UPDATE_GOLDEN"):  # after a deliberate change of the layout: look, then commit
        golden.write_text(result.stdout, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert result.stdout == expected
    assert all(len(line) <= 100 for line in result.stdout.splitlines())


def test_csv_opens_cleanly_in_excel(world, tmp_path):
    out = tmp_path / "report.csv"
    result = world.run("report", "--month", "2026-11", "--by", "department", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0 and f"wrote {out}" in result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:4] == ["group", "name", "due", "done"]
    assert table[1][:4] == ["哈尔滨市道里区人民法院/执行一庭", "哈尔滨市道里区人民法院 执行一庭", "11", "9"]
    assert not [cell for row in table for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_csv_cells_that_look_like_formulas_are_defused(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.yaml").write_text(ALPHA, encoding="utf-8")
    roster = tmp_path / "r.csv"
    roster.write_text("id,name,court,department,roles\nX1,=HYPERLINK(\"http://x\"),+court,@dept,officer\n",
                      encoding="utf-8")
    cl = Checklist(tmp_path / "db.json", today="2026-11-26", templates=tmp_path / "t")
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    for by in ("officer", "department", "court"):
        text = cl.run("report", "--by", by, "--format", "csv").stdout
        cells = [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], by
        assert any(c.startswith("'") for c in cells)


def test_markdown_is_a_table(world):
    text = world.run("report", "--month", "2026-11", "--format", "md").stdout
    lines = text.splitlines()
    header = lines.index("| officer | due | done | on time | overdue | 督办 | completion | on-time rate | weighted | "
                         "flagged |")
    assert lines[header + 1].startswith("| --- |")
    assert "| 周敏 | 5 | 3 | 2 | 2 | 1 | 60% | 40% | 75% | ⚑ |" in lines
    assert "## 通报 (flagged, worst first)" in lines


def test_trend_shows_completion_per_week(world):
    # done as of the report's day, as the rows count: one W47 item was done (late) in W48
    doc = world.json("report", "--month", "2026-11")
    assert [(p["week"], p["due"], p["done"]) for p in doc["trend"]] == [
        ("2026-W44", 0, 0), ("2026-W45", 4, 4), ("2026-W46", 3, 3), ("2026-W47", 11, 8), ("2026-W48", 3, 2),
    ]


def test_report_usage_errors(world):
    assert world.run("report", "--week", "2026-11").exit_code == 2
    assert world.run("report", "--week", "2026-W47", "--month", "2026-11").exit_code == 2
    assert world.run("report", "--by", "team").exit_code == 2
    assert world.run("report", "--format", "pdf").exit_code == 2
    bad = world.run("report", "--from", "2026-11-30", "--to", "2026-11-01")
    assert bad.exit_code == 2 and "--from 2026-11-30 is after --to 2026-11-01" in bad.stderr


# -- follow-ups -----------------------------------------------------------------------------------------------


def test_follow_up_loop_end_to_end(request, world, tmp_path):
    import shutil

    shutil.copytree(world.world_root, tmp_path / "w")
    db = tmp_path / "w" / "db.json"
    if isinstance(world.db, str):  # a copy made by the server
        server = request.getfixturevalue("pg_server")
        db = server.create(f"loop_{tmp_path.name}", template=world.db.split("@/")[1].split("?")[0])
    cl = Checklist(db, today="2026-11-26", templates=tmp_path / "w" / "templates", user="L1")  # 陈立新, A1's lead
    doc = cl.json("today", "--officer", "A1")
    (first,) = doc["follow_ups"]  # the 督办 tops the list
    assert (first["id"], first["target"]["kind"], first["target"]["id"]) == ("F1", "item", world.a1_w47)
    assert first["note"] == "请说明逾期原因" and first["state"] == "open"
    assert first["reply_due"] == "2026-11-30"  # 3 working days after Wed 25 Nov
    table = cl.run("today", "--officer", "A1").stdout
    assert table.index("Follow-ups (督办) · 1") < table.index("Overdue · ")

    listing = cl.json("follow-ups", "--officer", "L1")
    assert [(f["id"], f["overdue_days"], f["late"]) for f in listing["follow_ups"]] == [("F1", 0, False)]
    if not isinstance(db, str):
        other = cl.run("follow-ups", "--officer", "M1", "--json")  # 杨帆's team is not 陈立新's to look into
        assert other.exit_code == 1 and "杨帆 (M1)'s list is not yours to see" in other.stderr

    assert cl.run("done", world.a1_w47, "--note", "已整改").exit_code == 0
    assert [f["id"] for f in cl.json("today", "--officer", "A1")["follow_ups"]] == ["F1"]  # done, but not closed

    if not isinstance(db, str):  # on a file database L1 acts as L1 (on the server, everyone here is its owner)
        not_theirs = cl.run("follow-up", "close", world.a1_w47[:5], "--note", "已核实")
        assert not_theirs.exit_code == 1 and "was opened by 张局" in not_theirs.stderr
    closed = cl.run("follow-up", "close", world.a1_w47[:5], "--note", "已核实", CHECKLIST_USER="张局")
    assert closed.exit_code == 0 and "F1  closed" in closed.stdout, closed.output
    assert cl.json("today", "--officer", "A1")["follow_ups"] == []
    assert cl.json("follow-ups")["follow_ups"] == []
    assert cl.json("report", "--month", "2026-11")["rows"][0]["follow_ups"] == 0

    again = cl.run("follow-up", "close", "F1", CHECKLIST_USER="张局")
    assert again.exit_code == 1 and "was closed on 2026-11-26" in again.stderr
    unknown = cl.run("follow-up", "zzzz", "--note", "x")
    assert unknown.exit_code == 1 and "no item 'zzzz'" in unknown.stderr
    assert cl.run("follow-up", world.a1_w47).exit_code == 1  # no --note
    history = [h["action"] for h in cl.json("show", world.a1_w47)["history"]]
    assert history == ["created", "follow-up", "done", "follow-up-close"]


def test_a_second_follow_up_on_an_open_one_is_refused(world):
    result = world.run("follow-up", world.a1_w47, "--note", "再次督办")
    opener = world.json("whoami")["login"]  # 张局 on a file database; the session user on a server
    assert result.exit_code == 1 and f"already has an open follow-up, F1 from {opener}" in result.stderr


def test_work_recorded_late_is_listed_the_same_on_every_backend(world):
    item = next(i for i in world.json("today", "--officer", "A2", "--days", "20")["items"] if i["status"] == "open")
    assert world.run("done", item["id"], "--on", "2026-11-16").exit_code == 0  # recorded 26 Nov, claims the 16th
    doc = world.json("report", "--month", "2026-11")
    (claim,) = [r for r in doc["recorded_late"] if r["id"] == item["id"]]
    assert (claim["claimed"], claim["recorded"], claim["workdays"]) == ("2026-11-16", "2026-11-26", 8)
    assert item["id"] not in {r["id"] for r in world.json("report", "--month", "2026-11", "--recorded-late-days",
                                                          "8")["recorded_late"]}
    by_campaign = world.json("report", "--by", "campaign", "--month", "2026-11")
    assert sum(r["done"] for r in by_campaign["rows"]) >= sum(r["done"] for r in doc["rows"])
