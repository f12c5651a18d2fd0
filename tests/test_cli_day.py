"""The officer's day through the command line: roster import, today, done / undo / skip / show."""


import pytest

from clitools import DEMO_ROSTER, Checklist, snapshot

ROSTER_GB = """工号,姓名,法院,部门,角色,上级,起始日期
DL001,周敏,哈尔滨市道里区人民法院,执行一庭,承办人,DL010,2026/11/23
DL002,吴刚,哈尔滨市道里区人民法院,执行一庭,承办人、团队长,DL010,2026年11月23日
DL010,陈立新,哈尔滨市道里区人民法院,执行一庭,团队长,,2026-11-01
NG001,蒋文,哈尔滨市南岗区人民法院,执行一庭,承办人,,
"""


@pytest.fixture
def cl(empty_db):
    return Checklist(empty_db)


@pytest.fixture
def loaded(cl, tmp_path):
    roster = tmp_path / "人员名单.csv"
    roster.write_bytes(ROSTER_GB.encode("gb18030"))
    result = cl.run("import", "roster", str(roster))
    assert result.exit_code == 0, result.output
    return cl


def test_gb18030_roster_with_chinese_headers_and_roles(cl, tmp_path):
    roster = tmp_path / "人员名单.csv"
    roster.write_bytes(ROSTER_GB.encode("gb18030"))
    result = cl.run("import", "roster", str(roster))
    assert result.exit_code == 0, result.output
    assert "4 officers: 4 new, 0 changed, 0 unchanged; items:" in result.stdout
    officers = {o["id"]: o for o in cl.json("roster")["officers"]}
    assert officers["DL002"]["roles"] == ["承办人", "团队长"]  # job titles, as written
    assert officers["DL002"]["level"] == "lead"  # the highest of their titles' levels
    assert officers["DL002"]["since"] == "2026-11-23"
    assert officers["DL001"]["name"] == "周敏"
    assert officers["NG001"]["since"] == "2026-12-02"  # no start date: the day of the import


def test_today_lists_overdue_first_then_today_then_upcoming(loaded):
    doc = loaded.json("today", "--officer", "DL001")
    assert doc["officer"] == {"id": "DL001", "name": "周敏"}
    assert doc["date"] == "2026-12-02"
    sections = [i["section"] for i in doc["items"]]
    assert sections == sorted(sections, key=["overdue", "today", "upcoming"].index)
    overdue = [i for i in doc["items"] if i["section"] == "overdue"]
    assert [i["due"] for i in overdue] == sorted(i["due"] for i in overdue)  # oldest first
    ledger = next(i for i in overdue if i["key"] == "weekly-ledger")
    # the 攻坚 campaign's Monday report is on the week before (W48's is due Mon 30 Nov), so the others'
    # Friday wins; three campaigns credited, one line
    assert (ledger["due"], ledger["period"], ledger["overdue_days"]) == ("2026-11-27", "2026-W48", 5)
    assert ledger["campaigns"] == ["passive-enforcement-2026", "quality-year-2026", "thunder-2026"]
    assert ledger["priority"] == "high" and ledger["status"] == "open"
    assert doc["summary"]["overdue"] == len(overdue)
    assert all(i["due"] <= "2026-12-09" for i in doc["items"])
    assert not [i for i in doc["items"] if i["due"] < "2026-11-23"]  # nothing from before DL001 started


def test_today_table_at_80_columns_with_chinese_text(loaded):
    result = loaded.run("today", "--officer", "DL001")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "周敏 (DL001) · 哈尔滨市道里区人民法院 执行一庭 · Wed 2 Dec 2026"
    assert all(len(line.rstrip()) <= 80 for line in lines)  # Rich measures the wide characters
    text = result.stdout
    assert text.index("Overdue · ") < text.index("Due today · ") < text.index("Next 7 days · ")
    assert "9d late" in text and "专 = 专项整治  提 = 提质增效  雷 = 雷霆2026" in text
    assert "\x1b[" not in text  # not a terminal: no codes at all
    assert "week 0/8 done" in lines[-1]  # no 主题党日: nobody on this roster is tagged 党员


def test_done_undo_skip_and_show_keep_the_history(loaded):
    doc = loaded.json("today", "--officer", "DL001")
    ledger = next(i for i in doc["items"] if i["key"] == "weekly-ledger")
    alerts = next(i for i in doc["items"] if i["key"] == "node-alerts")
    done = loaded.run("done", ledger["short_id"], alerts["id"][:5], "--note", "已报送")
    assert done.exit_code == 0, done.output
    assert done.stdout.count("done") == 2
    again = loaded.run("done", ledger["short_id"])
    assert again.exit_code == 0 and "already done" in again.stderr
    after = {i["id"]: i for i in loaded.json("today", "--officer", "DL001")["items"]}
    assert ledger["id"] not in after  # done overdue items leave the list
    assert loaded.json("today", "--officer", "DL001")["summary"]["done"] == 2  # done today

    assert loaded.run("undo", ledger["id"][:4]).exit_code == 0
    assert loaded.json("show", ledger["id"][:6])["status"] == "open"
    refused = loaded.run("skip", ledger["id"][:6])
    assert refused.exit_code == 1 and "--reason" in refused.stderr
    assert loaded.run("skip", ledger["id"][:6], "--reason", "本周无攻坚案件").exit_code == 0

    shown = loaded.json("show", ledger["id"][:6])
    assert shown["status"] == "skipped" and shown["reason"] == "本周无攻坚案件"
    assert [h["action"] for h in shown["history"]] == ["created", "done", "undo", "skip"]
    me = loaded.json("whoami")["login"]  # CHECKLIST_USER on a file database; the session user on a server
    assert all(h["actor"] == me for h in shown["history"])
    assert shown["history"][1]["note"] == "已报送"
    assert shown["history"][1]["before"]["status"] == "open" and shown["history"][1]["after"]["status"] == "done"
    assert {s["title"] for s in shown["sources"]} == {"整改台账每周更新", "每周五报送未结案件进展台账",
                                                      "每周一报攻坚案件进展台账及执结情况"}
    table = loaded.run("show", ledger["id"][:6])
    assert "雷霆2026: 每周一报攻坚案件进展台账及执结情况" in table.stdout and "本周无攻坚案件" in table.stdout


def test_unknown_or_ambiguous_ids_change_nothing(loaded):
    doc = loaded.json("today", "--officer", "DL001")
    good = doc["items"][0]["id"]
    before = snapshot(loaded.db)
    result = loaded.run("done", good, "zzzz9", "ab")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "no item 'zzzz9' (ids are shown by checklist today)",
        "'ab': give at least 4 characters of the item id",
        "error: 2 problems; nothing was changed",
    ]
    assert snapshot(loaded.db) == before
    undone = loaded.run("undo", good)  # open already: nothing to undo, and it says so
    assert undone.exit_code == 0 and "was already open" in undone.stderr
    assert snapshot(loaded.db) == before


def test_reimporting_the_same_roster_changes_nothing(loaded, tmp_path):
    before = snapshot(loaded.db)
    result = loaded.run("import", "roster", str(tmp_path / "人员名单.csv"))
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("4 officers, all already up to date; nothing changed")
    assert snapshot(loaded.db) == before


def test_a_bad_roster_names_every_bad_row_and_writes_nothing(loaded, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "名单（2026年12月）\n"
        "工号,姓名,法院,部门,角色,上级,起始日期\n"
        "DL001,周敏,哈尔滨市道里区人民法院,执行一庭,承办人,DL010,2026-11-23\n"
        ",无工号,哈尔滨市道里区人民法院,执行一庭,承办人,,\n"
        "DL020,卫国强,哈尔滨市道里区人民法院,执行局,,,2026-02-30\n"
        "DL021,某某,哈尔滨市道里区人民法院,执行局,局长,DL999,\n"
        "DL001,周敏,哈尔滨市道里区人民法院,执行二庭,承办人,DL010,2026-11-23\n"
        "\n"
        "合计,5人,,,,,\n", encoding="utf-8-sig")
    before = snapshot(loaded.db)
    result = loaded.run("import", "roster", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:4: 工号: empty",  # each column named as the file heads it
        f"{bad}:5: 角色: empty (give at least one, e.g. officer, lead, chief or 承办人)",
        f"{bad}:5: 起始日期: '2026-02-30' is not a real date",
        f"{bad}:6: 上级: 'DL999' is not on the roster",
        f"{bad}:7: 工号: 'DL001' is also on row 3 with different details",
        f"error: 5 problems in {bad}; nothing was imported",
    ]
    assert result.stdout == ""
    assert snapshot(loaded.db) == before


def test_dry_run_shows_changes_and_writes_nothing(loaded, tmp_path):
    changed = tmp_path / "changed.csv"
    changed.write_text(ROSTER_GB.replace("DL001,周敏,哈尔滨市道里区人民法院,执行一庭", "DL001,周敏,哈尔滨市道里区人民法院,执行二庭"),
                       encoding="utf-8")
    before = snapshot(loaded.db)
    result = loaded.run("import", "roster", str(changed), "--dry-run")
    assert result.exit_code == 0
    assert "4 officers: 0 new, 1 changed, 3 unchanged (dry run: nothing was written)" in result.stdout
    assert snapshot(loaded.db) == before


def test_xlsx_roster_with_title_rows_and_excel_dates(cl, tmp_path):
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["哈尔滨市道里区人民法院执行局人员名单"])
    sheet.append([])
    sheet.append(["序号", "工号", "姓名", "法院", "部门", "角色", "上级", "起始日期", "手机"])
    sheet.append([1, "DL010", "陈立新", "哈尔滨市道里区人民法院", "执行一庭", "团队长", None, datetime.datetime(2026, 11, 2), "139"])
    sheet.append([2, 1001, "周敏", "哈尔滨市道里区人民法院", "执行一庭", "承办人，团队长", "DL010", 46328, None])
    path = tmp_path / "名单.xlsx"
    book.save(path)
    result = cl.run("import", "roster", str(path))
    assert result.exit_code == 0, result.output
    officers = {o["id"]: o for o in cl.json("roster")["officers"]}
    assert officers["1001"]["since"] == "2026-11-02"  # Excel serial 46328
    assert officers["1001"]["roles"] == ["承办人", "团队长"]
    assert officers["DL010"]["since"] == "2026-11-02"


def test_commands_that_need_a_database_do_not_create_one(cl):
    result = cl.run("today", "--officer", "DL001")
    assert result.exit_code == 1
    assert "import a roster first" in result.stderr and "checklist import roster" in result.stderr
    from checklist.store import open_store

    assert not open_store(cl.db).exists()


def test_unknown_officer_and_missing_officer(loaded):
    assert "no officer 'XX9'" in loaded.run("today", "--officer", "XX9").stderr
    result = loaded.run("today")
    assert result.exit_code == 1 and "which officer?" in result.stderr
    assert loaded.run("today", CHECKLIST_OFFICER="DL001").exit_code == 0


def test_demo_roster_imports_and_shows_a_list(cl):
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    doc = cl.json("today", "--officer", "DL001")
    assert doc["summary"]["overdue"] > 0 and doc["items"]


def test_the_database_runs_on_its_applied_templates_and_keeps_done_work(tmp_path):
    import shutil

    from clitools import TEMPLATES

    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    cl = Checklist(tmp_path / "db.json", templates=folder)
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    items = cl.json("today", "--officer", "DL001", "--days", "30")["items"]
    selfcheck = next(i for i in items if i["key"] == "passive-selfcheck" and i["due"] >= "2026-12-02")
    past = [i for i in cl.json("export", "items", "--officer", "DL001", "--format", "json")["items"]
            if "passive-enforcement-2026" in i["campaigns"] and len(i["campaigns"]) == 1 and i["due"] < "2026-12-02"
            and i["status"] == "open"]
    assert past
    ledger = next(i for i in items if i["key"] == "weekly-ledger")
    assert cl.run("done", ledger["id"]).exit_code == 0
    # the 专项整治 campaign is dropped from the folder: nothing changes until it is applied …
    (folder / "passive-enforcement-2026.yaml").unlink()
    before = snapshot(cl.db)
    today = cl.run("today", "--officer", "DL001", "--days", "30", "--json")
    assert today.exit_code == 0 and selfcheck["id"] in today.stdout
    assert "the ones in" in today.stderr and "templates apply" in today.stderr  # said, not applied
    assert snapshot(cl.db) == before  # a reading command never writes
    # … then its open items go, and done work stays exactly as it was worked
    applied = cl.run("templates", "apply", str(folder))
    assert applied.exit_code == 0 and "withdrawn" in applied.stdout
    after = {i["id"]: i for i in cl.json("today", "--officer", "DL001")["items"]}
    assert selfcheck["id"] not in after
    assert cl.json("show", ledger["id"])["status"] == "done"
    assert cl.json("show", selfcheck["id"])["status"] == "withdrawn"
    # what fell due before today stays as it was: past figures do not change when templates do
    assert all(cl.json("show", i["id"])["status"] == "open" for i in past)
    assert cl.json("show", ledger["id"])["campaigns"] == ledger["campaigns"]  # credited as when it was done
    assert cl.run("done", selfcheck["id"]).exit_code == 1  # withdrawn: a clean refusal
    assert "already applied" in cl.run("templates", "apply", str(folder)).stdout
    sync = cl.run("sync")
    assert sync.exit_code == 0 and "every item is up to date" in sync.stdout
    assert cl.run("audit", "verify").exit_code == 0


def test_two_people_with_different_template_folders_do_not_resync_each_other(tmp_path):
    import shutil

    from clitools import TEMPLATES

    other = tmp_path / "other"
    shutil.copytree(TEMPLATES, other)
    (other / "thunder-2026.yaml").unlink()
    cl = Checklist(tmp_path / "db.json")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    head = cl.run("audit", "head").stdout
    for folder in (other, TEMPLATES, other, TEMPLATES):
        result = cl.run("today", "--officer", "DL001", CHECKLIST_TEMPLATES=str(folder))
        assert result.exit_code == 0
    assert cl.run("audit", "head").stdout == head  # nobody re-synced anything


def test_no_color_turns_colour_off_on_a_terminal(loaded):
    import re

    colour = re.compile(r"\x1b\[[0-9;]*(?:3[0-8]|9[0-7])[;m]")  # a foreground colour, not bold or dim
    on_a_terminal = loaded.run("today", "--officer", "DL001", FORCE_COLOR="1", NO_COLOR=None, TERM="xterm-256color")
    assert colour.search(on_a_terminal.stdout)  # the overdue section is red …
    plain = loaded.run("today", "--officer", "DL001", FORCE_COLOR="1", NO_COLOR="1", TERM="xterm-256color")
    assert plain.exit_code == 0 and "Overdue" in plain.stdout
    assert not colour.search(plain.stdout)  # … and NO_COLOR takes the colour away, whatever the terminal
