"""Indicators worked out by hand on a small fixed case list (SPEC.md → Indicators; docs/indicators.md).

November 2026, as of Wed 2 December, by officer. A has five cases and some case items; B one open case.
"""

from datetime import date

import pytest

from checklist.calendars import stored_calendar
from checklist.core.cases import Case
from checklist.core.indicators import ItemFact, compute

D = date
CASES = [
    Case("A1", "A", D(2026, 5, 4), closed=D(2026, 11, 2), closing="full", amount=100, paid=100),
    # 6 months from 1 Apr, 30 paused days: 1 Oct + 30 = Sat 31 Oct → Mon 2 Nov; closed 10 Nov: late
    Case("A2", "A", D(2026, 4, 1), closed=D(2026, 11, 10), closing="zhongben", amount=300, paid=0,
         paused=((D(2026, 6, 1), D(2026, 6, 30)),)),
    Case("A3", "A", D(2025, 10, 1)),                       # open, filed more than 12 months ago
    Case("A4", "A", D(2026, 12, 5)),                       # filed after the as-of day: not yet a case
    Case("A5", "A", D(2026, 1, 10), closed=D(2026, 10, 15), closing="full", amount=50, paid=50),  # closed before
    Case("B1", "B", D(2026, 11, 20)),
]
ITEMS = [
    ItemFact("payout", "A", D(2026, 11, 20), "open", None),           # overdue
    ItemFact("payout", "A", D(2026, 12, 5), "open", None),            # not yet due
    ItemFact("payout", "A", D(2026, 11, 10), "done", D(2026, 11, 9)),
    ItemFact("recheck", "A", D(2026, 11, 5), "done", D(2026, 11, 4)),  # on time
    ItemFact("recheck", "A", D(2026, 11, 18), "done", D(2026, 11, 25)),  # late
    ItemFact("recheck", "A", D(2026, 11, 25), "open", None),          # due, not done
    ItemFact("recheck", "A", D(2026, 12, 10), "open", None),          # after the range
]


def rows():
    found = compute(CASES, ITEMS, lambda officer: [(officer, officer)], start=D(2026, 11, 1), end=D(2026, 11, 30),
                    as_of=D(2026, 12, 2), by="officer", calendar=stored_calendar(None), groups=[("C", "C")])
    return {r.group: {n: r.value(n) for n in ("open", "closed", "full_rate", "zhongben_rate", "on_time_rate",
                                               "paid_rate", "over_12_months", "funds_overdue", "recheck_on_time_rate")}
            for r in found.rows}


def test_every_field_by_hand():
    assert rows()["A"] == {
        "open": 1, "closed": 2, "full_rate": 0.5, "zhongben_rate": 0.5, "on_time_rate": 0.5,
        "paid_rate": 0.25,  # 100 paid of 400 applied for, over the two closed cases
        "over_12_months": 1, "funds_overdue": 1, "recheck_on_time_rate": 0.3333,  # 1 of 3 due by 2 Dec
    }


def test_a_rate_with_nothing_to_divide_is_null_not_zero():
    assert rows()["B"] == {"open": 1, "closed": 0, "full_rate": None, "zhongben_rate": None, "on_time_rate": None,
                           "paid_rate": None, "over_12_months": 0, "funds_overdue": 0, "recheck_on_time_rate": None}
    assert rows()["C"]["open"] == 0 and rows()["C"]["full_rate"] is None  # a group with no cases at all


@pytest.fixture(params=["files", "postgres"])
def db(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("pg_server").create(f"ind_{tmp_path.name}"[-60:])
    return tmp_path / "db.json"


def test_the_command_counts_the_imported_cases_in_the_actors_scope(tmp_path, db):
    """The same figures whether Python counts them (a file database) or the server does."""
    from clitools import DEMO_ROSTER, Checklist

    cl = Checklist(db, today="2026-12-02", user="keeper")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    sheet = tmp_path / "cases.csv"
    sheet.write_text("案号,承办人,立案日期,结案日期,结案方式,申请执行标的,到位金额\n"
                     "(2026)黑0102执1号,DL001,2026-05-04,2026-11-02,执行完毕,100,100\n"
                     "(2026)黑0102执2号,DL001,2026-04-01,2026-11-10,终本,300,0\n"
                     "(2026)黑0103执1号,NG001,2026-11-20,,,,\n", encoding="utf-8")
    assert cl.run("import", "cases", str(sheet)).exit_code == 0
    doc = cl.json("indicators", "--by", "court", "--month", "2026-11")
    by_court = {r["group"]: r for r in doc["rows"]}
    assert (by_court["哈尔滨市道里区人民法院"]["closed"], by_court["哈尔滨市道里区人民法院"]["full_rate"],
            by_court["哈尔滨市道里区人民法院"]["paid_rate"]) == (2, 0.5, 0.25)
    assert by_court["哈尔滨市南岗区人民法院"]["open"] == 1 and by_court["哈尔滨市南岗区人民法院"]["full_rate"] is None
    assert doc["cases"] == 3
    if not isinstance(db, str):
        mine = Checklist(db, today="2026-12-02", user="DL001").json("indicators", "--by", "officer", "--month",
                                                                   "2026-11")
        assert [r["group"] for r in mine["rows"]] == ["DL001"]  # an officer sees their own
    csv_text = cl.run("indicators", "--format", "csv", "--month", "2026-11").stdout
    assert "哈尔滨市道里区人民法院" in csv_text and "50.00%" in csv_text
    table = cl.run("indicators", "--month", "2026-11", "--lang", "zh").stdout
    assert "终本率" in table and "执行完毕率" in table and all(len(line.rstrip()) <= 80 for line in table.splitlines())


def test_the_report_ranks_its_tongbao_on_an_indicator(tmp_path):
    from clitools import DEMO_ROSTER, Checklist

    cl = Checklist(tmp_path / "db.json", today="2026-12-02", user="keeper")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    sheet = tmp_path / "cases.csv"
    sheet.write_text("案号,承办人,立案日期,结案日期,结案方式\n"
                     "(2026)黑0102执1号,DL001,2026-05-04,2026-11-02,执行完毕\n"
                     "(2026)黑0102执2号,DL001,2026-04-01,2026-11-10,终本\n"
                     "(2026)黑0102执3号,DL002,2026-05-04,2026-11-03,终本\n"
                     "(2026)黑0102执4号,DL003,2026-05-04,2026-11-03,执行完毕\n", encoding="utf-8")
    assert cl.run("import", "cases", str(sheet)).exit_code == 0
    doc = cl.json("report", "--month", "2026-11", "--rank-by", "full_rate", "--bottom", "2")
    ranked = doc["ranked"]
    assert ranked["by"] == "full_rate" and [(r["group"], r["value"]) for r in ranked["rows"][:3]] == [
        ("DL002", 0.0), ("DL001", 0.5), ("DL003", 1.0)]  # people who closed nothing are not ranked
    table = cl.run("report", "--month", "2026-11", "--rank-by", "full_rate", "--bottom", "2").stdout
    assert "通报 · 执行完毕率, the bottom 2" in table and "1. 吴刚 — 执行完毕率 0%" in table and "3. " not in table
    assert cl.run("report", "--rank-by", "speed").exit_code == 1
    assert cl.run("report", "--by", "campaign", "--rank-by", "full_rate").exit_code == 1


def test_the_server_counts_what_python_counts_on_the_demo_cases(pg_server, tmp_path):
    """320 demo cases, some items done: every indicator, by every grouping, over two ranges, equal."""
    from pathlib import Path

    from clitools import DEMO_ROSTER, Checklist

    cases = Path(__file__).parent.parent / "templates" / "cases-demo.csv"
    worlds = [Checklist(tmp_path / "db.json", today="2026-11-30", user="keeper"),
              Checklist(pg_server.create(f"same_{tmp_path.name}"[-60:]), today="2026-11-30")]
    for cl in worlds:
        assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
        assert cl.run("import", "cases", str(cases)).exit_code == 0
        items = cl.json("export", "items", "--status", "open", "--to", "2026-12-31")["items"]
        picked = sorted(i["id"] for i in items if i["case"])[::3]
        assert picked and cl.run("done", *picked).exit_code == 0
    for by in ("officer", "department", "court", "intermediate"):
        for span in (("--month", "2026-12"), ("--from", "2026-01-01", "--to", "2026-12-31")):
            files, server = (cl.json("indicators", "--by", by, *span, CHECKLIST_TODAY="2026-12-31") for cl in worlds)
            assert files == server, (by, span)
    assert any(r["funds_overdue"] for r in files["rows"]) and any(r["open"] for r in files["rows"])


def test_the_indicators_workbook_has_percentage_cells_and_chinese_heads(tmp_path):
    from openpyxl import load_workbook

    from clitools import DEMO_ROSTER, Checklist

    cl = Checklist(tmp_path / "db.json", today="2026-12-02", user="keeper")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    sheet = tmp_path / "cases.csv"
    sheet.write_text("案号,承办人,立案日期,结案日期,结案方式\n(2026)黑0102执1号,DL001,2026-05-04,2026-11-02,执行完毕\n"
                     "(2026)黑0102执2号,DL001,2026-04-01,2026-11-10,终本\n", encoding="utf-8")
    assert cl.run("import", "cases", str(sheet)).exit_code == 0
    out = tmp_path / "指标.xlsx"
    assert cl.run("indicators", "--month", "2026-11", "--format", "xlsx", "--out", str(out), "--lang", "zh").exit_code == 0
    book = load_workbook(out).active
    heads = [c.value for c in book[1]]
    assert heads[:4] == ["分组", "未结案件", "结案", "执行完毕率"]
    daoli = next(r for r in book.iter_rows(min_row=2) if r[0].value == "哈尔滨市道里区人民法院")
    assert daoli[3].value == 0.5 and daoli[3].number_format == "0.0%"
    nangang = next(r for r in book.iter_rows(min_row=2) if r[0].value == "哈尔滨市南岗区人民法院")
    assert nangang[3].value is None  # nothing to divide: an empty cell, not 0%
    assert book.freeze_panes == "B2"
    assert cl.run("indicators", "--format", "xlsx").exit_code == 2  # needs --out
