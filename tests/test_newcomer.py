"""What a newcomer and a chief tripped over (the papercuts issue): each fixed behaviour, as a user meets it.

The demo roster and the shipped templates on 2 December 2026 (周敏, DL001, started on 23 November and
has nothing done).
"""

from __future__ import annotations

import re

import pytest

from clitools import DEMO_ROSTER, Checklist


@pytest.fixture
def cl(tmp_path):
    cl = Checklist(tmp_path / "db.json", user="keeper")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    return cl


def test_log_shows_the_newest_first_and_as_many_as_asked(cl):
    for item in [i["id"] for i in cl.json("today", "--officer", "DL001")["items"]][:3]:
        assert cl.run("done", item).exit_code == 0
    every = cl.json("log")["entries"]
    assert every[0]["action"] == "templates" and every[-1]["action"] == "done"  # JSON: the history's order
    newest = cl.json("log", "-n", "2")["entries"]
    assert newest == every[-2:]
    screen = cl.run("log", "-n", "2", COLUMNS="120").stdout
    lines = [line for line in screen.splitlines() if line[:3].strip().isdigit()]
    assert [int(line.split()[0]) for line in lines] == [len(every), len(every) - 1]  # newest on top
    assert f"the newest 2 of {len(every)} entries" in screen and "--all" in screen
    assert "the newest" not in cl.run("log", "--all", COLUMNS="120").stdout
    mine = cl.json("log", "--officer", "DL001", "--since", "2026-12-02")["entries"]
    assert "DL001" in {e.get("officer") for e in mine} <= {"DL001", None}  # theirs, and the templates


def test_today_all_lists_every_overdue_daily_item_and_the_fold_says_how(cl):
    folded = cl.run("today", "--officer", "DL001", COLUMNS="120").stdout
    assert "--all lists them" in folded
    everything = cl.json("today", "--officer", "DL001")["items"]
    overdue = [i for i in everything if i["overdue_days"] > 0]
    shown = cl.run("today", "--officer", "DL001", "--all", COLUMNS="120").stdout
    assert all(i["short_id"] in shown for i in overdue)  # every id can be seen, to mark it done
    assert "more overdue" not in shown


@pytest.mark.parametrize("args, words", [
    (("--court", "道理"), "no court '道理'; did you mean 哈尔滨市道里区人民法院?"),
    (("--campaign", "thunder2026"), "no campaign 'thunder2026'; did you mean thunder-2026"),
    (("--department", "执行"), "'执行' could be any of: 执行一庭、执行二庭、执行局"),
])
def test_an_export_filter_that_names_nothing_is_refused_with_what_there_is(cl, tmp_path, args, words):
    out = tmp_path / "x.csv"
    result = cl.run("export", "items", *args, "--out", str(out))
    assert result.exit_code == 1 and words in result.stderr
    assert not out.exists()


def test_a_unique_part_of_a_name_is_enough(cl):
    court = cl.json("export", "items", "--court", "道里", "--month", "2026-11")["items"]
    assert court and {i["court"] for i in court} == {"哈尔滨市道里区人民法院"}
    thunder = cl.json("export", "items", "--campaign", "雷霆", "--month", "2026-11")["items"]
    assert thunder and all("thunder-2026" in i["campaigns"] for i in thunder)
    team = cl.json("export", "roster", "--department", "速执")["roster"]
    assert [o["id"] for o in team] == ["NG003"]


@pytest.mark.parametrize("typed", ["dl001", "ＤＬ００１", "DL\u200b001", "周敏"])
def test_an_officer_is_found_however_the_id_is_typed(cl, typed):
    assert cl.json("today", "--officer", typed)["officer"]["id"] == "DL001"


def test_an_unknown_officer_gets_the_likely_ones(cl):
    result = cl.run("today", "--officer", "DL0001")
    assert result.exit_code == 1 and "did you mean DL001 (周敏)" in result.stderr


def test_the_trend_is_labelled_and_agrees_with_the_rows(cl):
    week = cl.json("report", "--officer", "DL010", "--week", "2026-W49")
    due = sum(r["due"] for r in week["rows"])
    done = sum(r["done"] for r in week["rows"])
    (point,) = [p for p in week["trend"] if p["week"] == "2026-W49"]
    assert (point["due"], point["done"]) == (due, done)
    for item in [i["id"] for i in cl.json("today", "--officer", "DL001")["items"] if i["overdue_days"] > 0][:4]:
        assert cl.run("done", item).exit_code == 0  # done late: still done, in the rows and the trend alike
    month = cl.json("report", "--officer", "DL010", "--month", "2026-11")
    assert sum(p["done"] for p in month["trend"]) == sum(r["done"] for r in month["rows"]) > 0
    assert "by week due" in cl.run("report", "--officer", "DL010", "--month", "2026-11", COLUMNS="120").stdout


def test_counts_speak_in_plural_forms(tmp_path):
    roster = tmp_path / "one.csv"
    roster.write_text("id,name,court,department,roles\nX1,独一,平房区人民法院,执行局,officer\n", encoding="utf-8")
    cl = Checklist(tmp_path / "db.json", user="keeper")
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    said = cl.run("sync", "--force").stdout
    assert said.startswith("1 officer:") and "officers" not in said
    assert "1 officer" in cl.run("roster").stdout and "1 officers" not in cl.run("roster").stdout


def test_small_refusals_say_what_the_user_did(cl):
    alone = cl.run("report", "--from", "2026-12-05")
    assert alone.exit_code == 2 and "is after today (2026-12-02)" in alone.stderr and "--to 2026" not in alone.stderr
    to_only = cl.run("report", "--to", "2026-11-20")
    assert to_only.exit_code == 2 and "give --from too" in to_only.stderr
    ranged = cl.run("report", "--from", "2026-11-02", "--to", "2026-11-20", COLUMNS="200").stdout.splitlines()[0]
    assert ranged.count("2026-11-02") == 1 and "2026-11-20" in ranged  # the range, said once
    month = cl.run("report", "--from", "2026-11-01", "--to", "2026-11-30", COLUMNS="200").stdout.splitlines()[0]
    assert month.startswith("Report 2026-11 · as of") and "2026-11-01" not in month  # a month is its name


def test_the_day_s_headings_count_what_they_show(cl):
    items = cl.json("today", "--officer", "DL001")["items"]
    today = [i for i in items if i["due"] == "2026-12-02"]
    assert cl.run("done", today[0]["id"]).exit_code == 0
    shown = cl.run("today", "--officer", "DL001", "--days", "1", COLUMNS="120").stdout
    assert f"Due today · {len(today)} (1 handled)" in shown
    assert "Next day · " in shown and "Next 1 days" not in shown


def test_a_week_with_nothing_due_shows_no_full_bar(tmp_path):
    from clitools import TEMPLATES

    roster = tmp_path / "r.csv"  # someone who starts next year has nothing due this week
    roster.write_text("id,name,court,department,roles,lead,since\nX1,新人,平房区人民法院,执行局,officer,,2027-01-04\n",
                      encoding="utf-8")
    cl = Checklist(tmp_path / "db.json", user="keeper", templates=TEMPLATES)
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    shown = cl.run("today", "--officer", "X1", COLUMNS="100").stdout
    assert "week 0/0 done" in shown and "█" not in shown


def test_chinese_reads_as_a_court_writes_it(cl):
    zh = {"CHECKLIST_LANG": "zh", "COLUMNS": "120"}
    plan = cl.run("plan", "--officer", "DL001", **zh).stdout
    assert "每周五" in plan and "每月20日" in plan and "频次" in plan
    assert "3个专项活动共部署" in plan and "合并后您的清单共" in plan and "（减少重复" in plan
    quarterly = cl.run("plan", "--officer", "DL020", **zh).stdout
    assert "每季度末月" in quarterly or "每年12月20日" in quarterly
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    assert cl.run("done", item, "--note", "已报送").exit_code == 0
    history = cl.run("log", "-n", "1", **zh).stdout
    assert "标记完成：未完成 → 已完成（备注：已报送）" in history
    roster = cl.run("roster", **zh).stdout
    assert "直接上级" in roster and "承办人" in roster and "团队长" in roster and "officer" not in roster
    report = cl.run("report", "--all", "--by", "department", "--month", "2026-11", **zh).stdout
    assert "通报名单（共1个，按问题严重程度排序）" in report
    assert re.search(r"完成率\d+%，低于80%；最长逾期\d+个工作日（超过5个工作日）", report)
    assert re.search(r"逾期\d+个工作日（\d+天）", report)  # one unit for lateness, calendar days in brackets
    assert "—：本期尚无应办事项" in report  # departments whose people started in December


def test_an_import_error_names_the_column_as_the_file_heads_it(cl, tmp_path):
    sheet = tmp_path / "台账.csv"
    sheet.write_text("工号,事项编码,期间,状态,完成时间\nDL001,weekly-ledger,2026-W48,完成,2027-01-01\n"
                     "DL001,node-alerts,2026-11-23,作废,\n", encoding="utf-8")
    result = cl.run("import", "status", str(sheet))
    assert result.exit_code == 1
    assert f"{sheet}:2: 完成时间: '2027-01-01' is after today" in result.stderr
    assert f"{sheet}:3: 状态: '作废' is not a status" in result.stderr


@pytest.mark.parametrize("typed", ["2026/11/1", "2026年11月1日", "11月1日", "２０２６－１１－０１", "2026.11.01"])
def test_dates_on_the_command_line_in_the_forms_spreadsheets_use(cl, typed):
    assert cl.json("report", "--all", "--from", typed, "--to", "2026-11-30")["from"] == "2026-11-01"


def test_a_date_that_is_none_of_them_says_which_forms_work(cl):
    result = cl.run("report", "--from", "11/1")
    assert result.exit_code == 2 and "2026年11月1日" in result.stderr


def test_work_commands_answer_scripts_in_json(cl):
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    first = cl.json("done", item, "--note", "已报送")["items"]
    assert [(i["id"], i["status"], i["changed"]) for i in first] == [(item, "done", True)]
    again = cl.json("done", item)["items"]
    assert again[0]["changed"] is False and again[0]["message"]
    assert cl.json("undo", item)["items"][0]["status"] == "open"
    assert cl.json("skip", item, "--reason", "本期无")["items"][0]["status"] == "skipped"


def test_the_other_commands_answer_scripts_in_json_too(cl, tmp_path):
    item = cl.json("today", "--officer", "DL001")["items"][0]["id"]
    opened = cl.json("follow-up", "open", item, "--note", "请说明", CHECKLIST_USER="DL010")
    assert (opened["action"], opened["follow_up"]["id"], opened["follow_up"]["state"]) == ("open", "F1", "open")
    replied = cl.json("follow-up", "reply", "F1", "--note", "已补办", CHECKLIST_USER="DL001")
    assert replied["follow_up"]["replies"][0]["note"] == "已补办"
    closed = cl.json("follow-up", "close", "F1", "--outcome", "约谈", CHECKLIST_USER="DL010")
    assert (closed["action"], closed["follow_up"]["state"]) == ("close", "closed")
    assert cl.json("sync") == {"officers": 13, "created": 0, "updated": 0, "withdrawn": 0, "restored": 0,
                               "warnings": []}
    where = cl.json("path")
    assert where["database"] == str(cl.db) and where["exists"] and where["applied"]["files"] == 6
    valid = cl.json("templates", "validate")
    assert valid["ok"] is True and valid["problems"] == []
    bad = tmp_path / "坏模板"
    bad.mkdir()
    (bad / "x.yaml").write_text("campaign:\n  key: x\n", encoding="utf-8")
    refused = cl.run("templates", "validate", str(bad), "--json")
    assert refused.exit_code == 1
    import json

    doc = json.loads(refused.stdout)
    assert doc["ok"] is False and doc["problems"][0].startswith(f"{bad}/x.yaml:")


def test_a_dry_run_lists_what_would_change_not_only_how_much(cl, tmp_path):
    items = cl.json("today", "--officer", "DL001")["items"][:2]
    sheet = tmp_path / "台账.csv"
    sheet.write_text("事项ID,状态,完成时间\n" + "".join(f"{i['id']},已完成,2026-12-01 10:00\n" for i in items),
                     encoding="utf-8")
    shown = cl.run("import", "status", str(sheet), "--dry-run", COLUMNS="160")
    assert shown.exit_code == 0
    for n, item in enumerate(items, start=2):
        assert f"row {n}  {item['id'][:6]}  DL001  {item['title']}  open → done (2026-12-01 10:00)" in shown.stdout
    doc = cl.json("import", "status", str(sheet), "--dry-run")
    assert [(c["row"], c["id"], c["after"]) for c in doc["changes"]] == [(2, items[0]["id"], "done"),
                                                                        (3, items[1]["id"], "done")]
    assert cl.json("today", "--officer", "DL001")["items"][0]["status"] == "open"  # nothing written
    roster = tmp_path / "名单.csv"
    roster.write_text(DEMO_ROSTER.read_text(encoding="utf-8").replace("DL005,冯雪,", "DL005,冯雪梅,")
                      + "DL006,新人,哈尔滨市道里区人民法院,执行一庭,执行法官,DL010,,\n", encoding="utf-8")
    listed = cl.run("import", "roster", str(roster), "--dry-run")
    assert "row 6  ~ 冯雪梅 (DL005)  name: 冯雪 → 冯雪梅" in listed.stdout
    assert "row 15  + 新人 (DL006)" in listed.stdout
    assert "1 new, 1 changed" in listed.stdout and "items: " in listed.stdout  # what the sync would do, too


def test_shell_completion_for_bash_zsh_and_fish(cl):
    import os
    import subprocess
    import sys

    script = cl.run("completion", "bash")
    assert script.exit_code == 0 and "complete -o default -F _checklist_completion checklist" in script.stdout
    for shell in ("zsh", "fish"):
        assert "_CHECKLIST_COMPLETE" in cl.run("completion", shell).stdout
    assert cl.run("completion", "tcsh").exit_code == 2
    # the shell asks the way the script does: the words typed so far, in the environment
    env = {**os.environ, "COMP_WORDS": "checklist templates l", "COMP_CWORD": "2",
           "_CHECKLIST_COMPLETE": "complete_bash"}
    asked = subprocess.run([sys.executable, "-m", "checklist"], env=env, capture_output=True, text=True, timeout=60)
    assert asked.stdout.split() == ["lint", "list"]


def _every_command():
    import typer.main

    from checklist.cli import _walk, app

    return [path for path, command in _walk(typer.main.get_command(app)) if path]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_help_screen_fits_80_columns_and_reads_cleanly(cl, lang):
    from checklist.helptext import width

    for path in _every_command():
        shown = cl.run(*path, "--help", CHECKLIST_LANG=lang, COLUMNS="80")
        assert shown.exit_code == 0, path
        lines = shown.stdout.splitlines()
        assert all(width(line) <= 80 for line in lines), (path, [l for l in lines if width(l) > 80])
        assert not re.search(r"<(?:str|int range|float range|int|float)>", shown.stdout), path
        if lang == "zh":
            assert "选项：" in shown.stdout and "选项:" not in shown.stdout, path
            assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", shown.stdout), path  # no stray spaces
            assert not any(line.lstrip()[:1] in "，。、；：）" for line in lines if line.strip()), path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_narrow_report_keeps_each_group_on_one_line(cl, lang):
    chief = cl.run("report", "--officer", "DL020", "--by", "department", "--month", "2026-11", CHECKLIST_LANG=lang)
    rows = [line for line in chief.stdout.splitlines() if line.startswith("执行")]
    assert [r.split()[0] for r in rows] == ["执行一庭", "执行二庭", "执行局"]  # the heading names the court
    both = cl.run("report", "--all", "--by", "department", "--month", "2026-11", CHECKLIST_LANG=lang)
    named = [line.split()[:2] for line in both.stdout.splitlines() if line.startswith(("道里区", "南岗区"))]
    assert ["道里区", "执行一庭"] in named and len(named) == 6  # 哈尔滨市…人民法院 left out: one line a group


def test_help_never_starts_a_line_with_a_run_of_closing_marks():
    from checklist.helptext import wrap, width

    text = "按人员、部门、法院、中院（基层法院归入所属中院）、活动或阶段分组"
    for limit in range(12, 40):
        lines = wrap(text, limit)
        assert "".join(lines) == text
        assert all(width(line) <= limit for line in lines), limit
        assert not any(line[0] in "）、，。" for line in lines), (limit, lines)


@pytest.mark.parametrize("text, limit, lines", [
    ("消极执行专项督察（抽查卷宗、通报问题）", 18, ["消极执行专项督察", "（抽查卷宗、通报问", "题）"]),  # no lone ）
    ("12月7日 周一前反馈 · 逾期2天", 22, ["12月7日 周一前反馈 ·", "逾期2天"]),  # not 逾 / 期2天
    ("共计30日内办结", 8, ["共计30日", "内办结"]),  # a number with its unit
    ("报表 2026-11（2026-11-01 … 2026-11-30）· 截至2026-12-02 · 按部门 · 哈尔滨市道里区人民法院", 80,
     ["报表 2026-11（2026-11-01 … 2026-11-30）· 截至2026-12-02 · 按部门 ·", "哈尔滨市道里区人民法院"]),  # a name whole
    ("see templates/status-demo.csv now", 12, ["see", "templates/st", "atus-demo.cs", "v now"]),
])
def test_every_screen_breaks_lines_as_chinese_is_broken(text, limit, lines):
    from checklist.helptext import break_offsets, width

    bounds = [0, *break_offsets(text, limit), len(text)]
    got = [text[a:b].rstrip() for a, b in zip(bounds, bounds[1:])]
    assert got == lines and all(width(line) <= limit for line in got)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_help_example_breaks_only_between_words(cl, lang):
    shown = cl.run("today", "--help", CHECKLIST_LANG=lang, COLUMNS="80").stdout
    assert "执行一庭.html" in shown  # --out 执行一 / 庭.html would not paste
    report = cl.run("report", "--help", CHECKLIST_LANG=lang, COLUMNS="80").stdout
    assert re.search(r"\[(默认：|default: )officer\]", report)  # not [默 / 认：officer]


@pytest.mark.parametrize("columns", ["50", "60", "66"])
def test_on_a_narrow_screen_the_ids_stay_whole_and_the_campaigns_give_way(cl, columns):
    ids = [i["short_id"] for i in cl.json("today", "--officer", "DL001")["items"]]
    shown = cl.run("today", "--officer", "DL001", COLUMNS=columns).stdout
    assert "…" not in shown and all(len(line) <= int(columns) for line in shown.splitlines())
    assert sum(1 for i in ids if i in shown) >= 5  # the ids to type stay whole


def test_help_wrapping_survives_an_indent_as_wide_as_the_line():
    from checklist.helptext import wrap

    assert wrap("abc", 1, "     ", "     ") == ["     a", "     b", "     c"]
