"""`checklist import cases`: the case list in, each case's statutory clocks on its officer's list.

The demo roster and the shipped templates (with templates/rules-statutory.yaml), on 2 December 2026.
Every due date below is worked out by hand from the rules (see tests/test_clocks.py for the arithmetic).
"""

from __future__ import annotations

import pytest

from clitools import DEMO_ROSTER, Checklist, snapshot

HEADER = "案号,承办人,立案日期,结案日期,结案方式,申请执行标的,到位金额,暂缓中止期间,查封到期日,案款到账日\n"
CASES = HEADER + (
    '（2026）黑0102执1号,DL001,2026-11-30,,,"100,000",0,,2027-01-20,2026-11-25\n'   # half- and full-width: one form
    "(2026)黑0102执2号,周敏,2026-06-01,2026-11-20,终本,5万,1000,,,\n"                  # by a unique name; 终本
    "（2026）黑0102执 3 号,DL002,2026-09-01,,,20000,,2026-10-01~2026-10-20,,2026-11-10；2026-11-28\n"
)


@pytest.fixture(params=["files", "postgres"])
def cl(request, tmp_path):
    db = tmp_path / "db.json"
    if request.param == "postgres":
        db = request.getfixturevalue("pg_server").create(f"cases_{tmp_path.name}"[-60:])
    cl = Checklist(db, today="2026-12-02", user="keeper")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    return cl


def write(tmp_path, text: str, name: str = "案件清单.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def case_items(cl: Checklist, officer: str) -> dict[tuple[str, str], dict]:
    items = cl.json("export", "items", "--officer", officer, "--status", "open")["items"]
    return {(i["key"], i["period"]): i for i in items if i["case"]}


def test_each_case_puts_its_clocks_on_its_officers_list(cl, tmp_path):
    done = cl.run("import", "cases", str(write(tmp_path, CASES)))
    assert done.exit_code == 0, done.output
    assert "3 cases: 3 new, 0 changed, 0 unchanged" in done.stdout
    one = case_items(cl, "DL001")
    case1 = "(2026)黑0102执1号"
    assert {k: i["due"] for k, i in one.items() if i["case"] == case1} == {
        ("exec-notice", f"{case1}#1"): "2026-12-03",            # filed 30 Nov + 3 days
        ("property-investigation", f"{case1}#1"): "2026-12-30",  # + 1 month
        ("seal-renewal", f"{case1}#1"): "2026-12-21",           # 30 days before 20 Jan 2027
        ("funds-payout", f"{case1}#1"): "2026-12-25",           # received 25 Nov + 30 days
        ("term-extension", f"{case1}#1"): "2027-05-26",         # the term's end (Mon 31 May) less 5 days
        ("term", f"{case1}#1"): "2027-05-31",                   # 30 Nov + 6 months = 30 May (Sun) → Mon 31 May
    }
    # 周敏's 终本 case: re-checks every six months for five years from the ruling (20 Nov), and nothing else
    rechecks = sorted(i["due"] for k, i in one.items() if i["case"] == "(2026)黑0102执2号")
    assert rechecks[:2] == ["2027-05-20", "2027-11-22"] and len(rechecks) == 10  # 20 Nov 2027 is a Saturday
    three = case_items(cl, "DL002")
    case3 = "(2026)黑0102执3号"
    assert three[("term", f"{case3}#1")]["due"] == "2027-03-22"  # 1 Mar 2027 + 20 paused days = Sun 21 → Mon 22
    assert three[("funds-payout", f"{case3}#2")]["due"] == "2026-12-28"  # the second receipt: 28 Nov + 30 days
    assert three[("funds-payout", f"{case3}#1")]["due"] == "2026-12-10"  # the first: 10 Nov + 30 days
    # what fell due before the list came in (the notice for a case filed in September) is not asked afresh
    assert ("exec-notice", f"{case3}#1") not in three
    today = cl.json("today", "--officer", "DL001")
    (notice,) = [i for i in today["items"] if i["key"] == "exec-notice"]
    assert (notice["case"], notice["due"]) == (case1, "2026-12-03")
    assert case1 in cl.run("today", "--officer", "DL001", COLUMNS="120").stdout
    assert cl.run("audit", "verify").exit_code == 0

    before = snapshot(cl.db)
    again = cl.run("import", "cases", str(write(tmp_path, CASES)))
    assert again.exit_code == 0 and "0 new, 0 changed, 3 unchanged" in again.stdout
    assert snapshot(cl.db) == before  # idempotent: nothing written


def test_a_closing_and_a_new_officer_come_in_with_a_re_import(cl, tmp_path):
    assert cl.run("import", "cases", str(write(tmp_path, CASES))).exit_code == 0
    case1, case3 = "(2026)黑0102执1号", "(2026)黑0102执3号"
    changed = CASES.replace('（2026）黑0102执1号,DL001,2026-11-30,,,', "（2026）黑0102执1号,DL001,2026-11-30,2026-12-02,执行完毕,")
    changed = changed.replace("（2026）黑0102执 3 号,DL002,", "（2026）黑0102执 3 号,DL003,")
    result = cl.run("import", "cases", str(write(tmp_path, changed, "第二次.csv")), CHECKLIST_TODAY="2026-12-04")
    assert result.exit_code == 0 and "2 changed" in result.stdout and "1 handed to another officer" in result.stdout
    assert not [i for i in case_items(cl, "DL001").values() if i["case"] == case1]  # closed: its clocks stop asking
    moved = {k: i for k, i in case_items(cl, "DL003").items() if i["case"] == case3}
    assert moved and not [i for i in case_items(cl, "DL002").values() if i["case"] == case3]
    shown = cl.json("show", moved[("funds-payout", f"{case3}#2")]["id"])
    assert shown["history"][0]["action"] == "reassign"
    assert cl.run("audit", "verify").exit_code == 0


def test_a_bad_case_list_names_every_row_and_writes_nothing(cl, tmp_path):
    sheet = write(tmp_path, HEADER + (
        "(2026)黑0102执11号,XX999,2026-10-01,,,,,,,\n"                          # 2 unknown officer
        "(2026)黑0102执12号,DL001,2026-10-01,2026-09-01,执行完毕,,,,,\n"       # 3 closed before filed
        "(2026)黑0102执13号,DL001,2026-10-01,2026-11-01,调解,,,,,\n"           # 4 unknown 结案方式
        "(2026)黑0102执14号,DL001,2026-10-01,,,,,2026-10-20~2026-10-10,,\n"    # 5 a pause ending before it starts
        "(2026)黑0102执15号,DL001,2026-10-01,,,,,2026-10-01~2026-10-20；2026-10-15~,,\n"  # 6 overlapping
        "(2026)黑0102执16号,DL001,2026-10-01,,,abc,,,,\n"                      # 7 not money
        "(2026)黑0102执17号,DL001,2026-10-01,,,,,,,\n"
        "（2026）黑0102执17号,DL002,2026-10-01,,,,,,,\n"                       # 9 the same 案号, other data
        "(2026)黑0102执18号,DL001,,,,,,,,\n"                                   # 10 no filing date
    ))
    before = snapshot(cl.db)
    result = cl.run("import", "cases", str(sheet))
    assert result.exit_code == 1
    for row, says in ((2, "neither a 工号 nor a name"), (3, "before the case was filed"), (4, "not a way a case closes"),
                      (5, "must not end before they start or overlap"), (6, "must not end before they start or overlap"),
                      (7, "not an amount of money"), (9, "is also on row 8, with different data"), (10, "立案日期: empty")):
        assert f"{sheet}:{row}: " in result.stderr and says in result.stderr, (row, result.stderr)
    assert "8 problems" in result.stderr and "Traceback" not in result.output
    assert snapshot(cl.db) == before


def test_an_ambiguous_name_is_refused_and_a_chief_imports_only_their_courts(cl, tmp_path):
    roster = write(tmp_path, "id,name,court,department,roles,lead\nDL099,周敏,哈尔滨市道里区人民法院,执行二庭,officer,DL011\n",
                   "新人.csv")
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    result = cl.run("import", "cases", str(write(tmp_path, HEADER + "(2026)黑0102执21号,周敏,2026-11-01,,,,,,,\n")))
    assert result.exit_code == 1 and "'周敏' is the name of 2 people on the roster (DL001, DL099)" in result.stderr
    if isinstance(cl.db, str):
        return  # on the server the owner imports; who else may is tried through the commands on files
    chief = Checklist(cl.db, today="2026-12-02", user="DL020")  # 卫国强, chief of 道里
    other = chief.run("import", "cases", str(write(tmp_path, HEADER + "(2026)黑0103执1号,NG001,2026-11-01,,,,,,,\n")))
    assert other.exit_code == 1 and "works at 哈尔滨市南岗区人民法院, not in your courts" in other.stderr


def test_a_follow_up_on_a_case_goes_to_its_officer(cl, tmp_path):
    assert cl.run("import", "cases", str(write(tmp_path, CASES))).exit_code == 0
    lead = Checklist(cl.db, today="2026-12-02", user="DL010") if not isinstance(cl.db, str) else cl
    opened = lead.run("follow-up", "open", "case:（2026）黑0102执 1 号", "--note", "请说明案款未发放原因")
    assert opened.exit_code == 0 and "F1" in opened.stdout, opened.output
    (mine,) = cl.json("today", "--officer", "DL001")["follow_ups"]
    assert (mine["target"]["kind"], mine["target"]["id"]) == ("case", "(2026)黑0102执1号")
    missing = lead.run("follow-up", "open", "case:(2026)黑0102执99号", "--note", "x")
    assert missing.exit_code == 1 and "there is no case (2026)黑0102执99号" in missing.stderr


@pytest.mark.parametrize("name", ["cases.xls", "cases-html.xls"])
def test_the_legacy_formats_case_systems_write_are_read(cl, name):
    """A BIFF .xls with a merged title row, dates as date cells and a 合计 row; a GB2312 web page saved
    as .xls with a merged title, a <th> header, three ways of writing a date and 万."""
    from pathlib import Path

    path = Path(__file__).parent / "corpus" / name
    result = cl.run("import", "cases", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert cl.json("import", "cases", str(path))["unchanged"] == 2
    one = case_items(cl, "DL001")
    assert one[("exec-notice", "(2026)黑0102执1号#1")]["due"] == "2026-12-03"
    assert sorted({i["case"] for i in one.values()}) == ["(2026)黑0102执1号", "(2026)黑0102执2号"]


def test_the_caseload_and_one_case(cl, tmp_path):
    assert cl.run("import", "cases", str(write(tmp_path, CASES))).exit_code == 0
    load = cl.json("cases", "--officer", "DL010")  # 陈立新's team: 周敏 and 吴刚
    numbers = [c["number"] for c in load["cases"]]
    assert numbers == ["(2026)黑0102执1号", "(2026)黑0102执3号", "(2026)黑0102执2号"]  # next deadline first
    first = load["cases"][0]
    assert (first["next"]["key"], first["next"]["due"], first["open_items"]) == ("exec-notice", "2026-12-03", 6)
    assert [c["number"] for c in cl.json("cases", "--open")["cases"]] == numbers[:2]
    assert cl.json("cases", "--over", "12m")["cases"] == []
    assert cl.run("cases", "--over", "3wd").exit_code == 1
    shown = cl.json("show", "（2026）黑0102执 1 号")
    assert shown["number"] == "(2026)黑0102执1号" and len(shown["items"]) == 6 and shown["history"]
    assert "发出执行通知书" in cl.run("show", "(2026)黑0102执1号").stdout
    unknown = cl.run("show", "(2026)黑0102执99号")
    assert unknown.exit_code == 1 and "no case '(2026)黑0102执99号'" in unknown.stderr


def test_a_narrower_export_keeps_what_it_does_not_say_and_a_court_keeps_its_cases(cl, tmp_path):
    assert cl.run("import", "cases", str(write(tmp_path, CASES))).exit_code == 0
    narrow = write(tmp_path, "案号,承办人,立案日期\n（2026）黑0102执2号,DL001,2026-06-01\n", "窄表.csv")
    assert cl.run("import", "cases", str(narrow)).exit_code == 0  # no 结案 columns: the 终本 closing stays
    (two,) = [c for c in cl.json("cases")["cases"] if c["number"] == "(2026)黑0102执2号"]
    assert (two["closed"], two["closing"]) == ("2026-11-20", "zhongben")
    if isinstance(cl.db, str):
        return
    ng = Checklist(cl.db, today="2026-12-02", user="NG020")  # 朱振华, chief of 南岗
    taken = ng.run("import", "cases", str(write(tmp_path, HEADER + "(2026)黑0102执1号,NG001,2026-11-30,,,,,,,\n",
                                                "抢.csv")))
    assert taken.exit_code == 1 and "is a case of 哈尔滨市道里区人民法院, not one of your courts" in taken.stderr


def test_a_clock_the_old_officer_did_is_not_asked_again_of_the_new_one(cl, tmp_path):
    assert cl.run("import", "cases", str(write(tmp_path, CASES))).exit_code == 0
    case3 = "(2026)黑0102执3号"
    payout = case_items(cl, "DL002")[("funds-payout", f"{case3}#1")]
    assert cl.run("done", payout["id"], CHECKLIST_TODAY="2026-12-03").exit_code == 0
    moved = CASES.replace("（2026）黑0102执 3 号,DL002,", "（2026）黑0102执 3 号,DL003,")
    assert cl.run("import", "cases", str(write(tmp_path, moved, "移交.csv")), CHECKLIST_TODAY="2026-12-04").exit_code == 0
    theirs = case_items(cl, "DL003")
    assert ("funds-payout", f"{case3}#1") not in theirs and ("funds-payout", f"{case3}#2") in theirs
    closed = moved.replace("（2026）黑0102执 3 号,DL003,2026-09-01,,,", "（2026）黑0102执 3 号,DL003,2026-09-01,2026-12-05,执行完毕,")
    assert cl.run("import", "cases", str(write(tmp_path, closed, "结案.csv")), CHECKLIST_TODAY="2026-12-05").exit_code == 0
    assert not [i for i in case_items(cl, "DL003").values() if i["case"] == case3 and i["due"] > "2026-12-05"]
    assert cl.run("audit", "verify").exit_code == 0


def test_a_campaign_duty_that_names_a_clock_is_met_by_the_case_items(cl, tmp_path):
    # 提质增效年 asks officers for zhongben-recheck every month (due the 20th); the statutory rule of the
    # same key asks it per 终本 case. They are one duty: in a month where a case's re-check falls due,
    # that case item answers the campaign too, and the monthly tick goes.
    def mine(officer):
        items = [*cl.json("export", "items", "--officer", officer, "--from", "2026-01-01")["items"],
                 *cl.json("export", "items", "--officer", officer, "--from", "2026-01-01", "--status", "withdrawn")["items"]]
        return {(i["key"], i["period"]): i for i in items}

    month = ("zhongben-recheck", "2026-12")
    assert mine("DL001")[month]["status"] == "open"
    ruled = HEADER + "(2026)黑0102执7号,DL001,2025-03-01,2026-06-10,终本,,,,,\n"
    assert cl.run("import", "cases", str(write(tmp_path, ruled))).exit_code == 0
    after = mine("DL001")
    recheck = after[("zhongben-recheck", "(2026)黑0102执7号#1")]
    assert recheck["due"] == "2026-12-10"  # 10 Jun + 6 months
    assert recheck["campaigns"] == ["quality-year-2026"] and recheck["title"].startswith("终本案件网络查控")
    assert after[month]["status"] == "withdrawn"           # answered by the case item
    assert mine("DL002")[month]["status"] == "open"        # no 终本 case due this month: the tick stays
    assert "(2026)黑0102执7号" in cl.run("today", "--officer", "DL001", COLUMNS="120", CHECKLIST_TODAY="2026-12-09").stdout
    assert cl.run("audit", "verify").exit_code == 0
