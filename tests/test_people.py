"""People over time and who they are: job titles and levels, courts above courts, leaving, handing work on."""

from __future__ import annotations

import json
import shutil

import pytest

from clitools import DEMO_ROSTER, TEMPLATES, Checklist


@pytest.fixture
def demo(demo_world):
    """The demo world on each backend; on a file database its owner made it (测试员), on a server its owner role."""
    return demo_world


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# -- titles and levels --------------------------------------------------------------------------------------


def test_an_unknown_title_is_a_row_error_that_names_the_known_ones(tmp_path):
    cl = Checklist(tmp_path / "db.json")
    roster = write(tmp_path / "r.csv", "工号,姓名,法院,角色\nA1,周敏,哈尔滨市道里区人民法院,执行法官\nA2,吴刚,哈尔滨市道里区人民法院,审判员\n")
    result = cl.run("import", "roster", str(roster))
    assert result.exit_code == 1
    assert f"{roster}:3: 角色: '审判员' is not a known title (known: officer: officer、执行法官" in result.stderr
    assert "lead: lead、团队长、庭长、副庭长" in result.stderr and "add it to a roles: file" in result.stderr
    assert not (tmp_path / "db.json").exists()  # nothing written


def test_a_roles_file_adds_titles_and_a_duty_may_ask_for_a_title_or_a_level(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "roles.yaml", "roles:\n  lead: [执行团队负责人]\n  officer: [审判员]\n")
    write(folder / "c.yaml", """\
campaign: {key: c, name: 专项, start: 2026-11-01, end: 2026-12-31}
duties:
  - {key: everyone, title: 全员事项, role: officer, every: month}
  - {key: clerks, title: 书记员事项, role: 书记员, every: month}
  - {key: leads, title: 负责人事项, role: lead, every: month}
""")
    cl = Checklist(tmp_path / "db.json", templates=folder)
    roster = write(tmp_path / "r.csv", "id,name,roles,lead\nL1,陈立新,执行团队负责人,\nA1,周敏,审判员,L1\nA2,郑洁,书记员,L1\n")
    result = cl.run("import", "roster", str(roster))
    assert result.exit_code == 0, result.output
    keys = {o: {i["key"] for i in cl.json("today", "--officer", o, "--days", "40")["items"]} for o in ("L1", "A1", "A2")}
    assert keys == {"L1": {"leads"}, "A1": {"everyone"}, "A2": {"everyone", "clerks"}}
    assert {o["id"]: o["level"] for o in cl.json("roster")["officers"]} == {"L1": "lead", "A1": "officer", "A2": "officer"}


def test_roles_and_courts_files_are_checked_like_any_template(tmp_path):
    folder = tmp_path / "t"
    shutil.copytree(TEMPLATES, folder)
    write(folder / "roles.yaml", "roles:\n  lead: [书记员, admin]\n  boss: [x]\n")
    write(folder / "courts.yaml", """\
courts:
  - {name: 哈尔滨市中级人民法院, code: 黑01, level: 中, parent: 黑龙江省高级人民法院}
  - {name: 哈尔滨市道里区人民法院, code: 黑01, level: 县}
  - {name: 哈尔滨市南岗区人民法院, level: 基, parent: 香坊区人民法院}
""")
    write(folder / "extra.yaml", """\
campaign: {key: extra, name: 额外, start: 2026-11-01, end: 2026-12-31}
duties:
  - {key: x1, title: 事项, role: 审判员, every: month}
""")
    result = Checklist(tmp_path / "db.json").run("templates", "validate", str(folder))
    assert result.exit_code == 1
    err = result.stderr
    assert f"{folder}/roles.yaml:2: roles: '书记员' is already a officer title (shipped); a title has one level" in err
    assert f"{folder}/roles.yaml:2: roles: 'admin' is a level name; it cannot be a lead title" in err
    assert f"{folder}/roles.yaml:3: roles: unknown field 'boss'" in err
    assert f"{folder}/courts.yaml:2: court '哈尔滨市中级人民法院': parent '黑龙江省高级人民法院' is not a court" in err
    assert f"{folder}/courts.yaml:3: court '哈尔滨市道里区人民法院': level must be 高, 中 or 基" in err
    assert f"{folder}/courts.yaml:4: court '哈尔滨市南岗区人民法院': parent '香坊区人民法院' is not a court" in err
    assert f"{folder}/extra.yaml:3: duty 'x1': role '审判员' is not a level" in err


def test_import_and_validate_warn_of_people_and_duties_that_match_nothing(tmp_path):
    cl = Checklist(tmp_path / "db.json")
    roster = write(tmp_path / "r.csv", "id,name,roles\nA1,周敏,执行法官\nS1,刘静,内勤\nP1,赵强,法警\n")
    result = cl.run("import", "roster", str(roster))
    assert result.exit_code == 0
    # 法警 is an officer-level title, so 赵强 gets the officers' duties; an admin is not expected to have any
    assert "match no duty" not in result.stderr
    folder = tmp_path / "t"
    shutil.copytree(TEMPLATES, folder)
    write(folder / "x.yaml", """\
campaign: {key: x, name: 书记员专项, start: 2026-11-01, end: 2026-12-31}
duties:
  - {key: clerk-only, title: 书记员事项, role: 书记员, every: month}
""")
    validated = cl.run("templates", "validate", str(folder))
    assert validated.exit_code == 0
    assert f"{folder}/x.yaml:3: duty 'clerk-only' (书记员专项) asks for role '书记员', which nobody on the roster" \
           in validated.stderr
    clerks_only = tmp_path / "clerks"
    clerks_only.mkdir()
    shutil.copy(folder / "x.yaml", clerks_only / "x.yaml")
    lonely = Checklist(tmp_path / "db2.json", templates=clerks_only)
    people = write(tmp_path / "l.csv", "id,name,roles\nL1,陈立新,团队长\nA2,郑洁,书记员\nC1,卫国强,局长\n")
    warned = lonely.run("import", "roster", str(people))
    assert warned.exit_code == 0
    assert "warning: 2 people match no duty of the templates: 陈立新 (L1)、卫国强 (C1)" in warned.stderr


# -- courts above courts -------------------------------------------------------------------------------------


def test_report_by_intermediate_court_rolls_basic_courts_up_and_takes_chinese_words(demo):
    by_court = demo.json("report", "--by", "法院", "--month", "2026-11")
    courts = {r["group"]: r for r in by_court["rows"]}
    assert set(courts) == {"哈尔滨市道里区人民法院", "哈尔滨市南岗区人民法院"} and by_court["by"] == "court"
    rolled = demo.json("report", "--by", "中院", "--month", "2026-11")
    assert rolled["by"] == "intermediate"
    (row,) = rolled["rows"]
    assert row["group"] == "哈尔滨市中级人民法院"
    for field in ("due", "done", "overdue"):
        assert row[field] == sum(r[field] for r in courts.values())
    assert demo.json("report", "--by", "部门")["by"] == "department"
    assert demo.json("report", "--by", "活动")["by"] == "campaign"
    assert demo.json("report", "--by", "intermediate")["by"] == "intermediate"
    wrong = demo.run("report", "--by", "省")
    assert wrong.exit_code == 2 and "人员、部门、法院、中院、活动" in wrong.stderr


# -- leaving and handing on --------------------------------------------------------------------------------


def test_changing_a_role_never_changes_past_figures(demo):
    me = {"CHECKLIST_USER": demo.json("whoami")["login"]}
    before = {r["group"]: r for r in demo.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-12-02")["rows"]}
    roster = DEMO_ROSTER.read_text(encoding="utf-8").replace("DL001,周敏,哈尔滨市道里区人民法院,执行一庭,执行法官",
                                                             "DL001,周敏,哈尔滨市道里区人民法院,执行一庭,lead")
    path = DEMO_ROSTER.parent / "promoted.csv"
    path.write_text(roster, encoding="utf-8")
    try:
        changed = demo.run("import", "roster", str(path), CHECKLIST_TODAY="2026-12-02", **me)
    finally:
        path.unlink()
    assert changed.exit_code == 0 and "withdrawn" in changed.stdout
    after = {r["group"]: r for r in demo.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-12-02")["rows"]}
    assert after["DL001"] == before["DL001"]  # November was what it was
    items = demo.json("today", "--officer", "DL001", "--days", "30", CHECKLIST_TODAY="2026-12-02")["items"]
    assert all(i["due"] < "2026-12-02" for i in items if i["key"] == "weekly-ledger")  # the officer's duty ends today


def test_a_person_who_left_keeps_their_past_gets_nothing_new_and_their_open_items_are_handed_on(tmp_path):
    cl = Checklist(tmp_path / "db.json", today="2026-11-23", user="DL020")  # 卫国强, the chief, runs the roster
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    november = cl.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-12-02")
    left = write(tmp_path / "left.csv", "工号,姓名,法院,部门,角色,上级,离岗日期\n"
                                        "DL001,周敏,哈尔滨市道里区人民法院,执行一庭,officer,DL010,2026-11-30\n")
    assert cl.run("import", "roster", str(left), CHECKLIST_TODAY="2026-12-02").exit_code == 0
    assert cl.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-12-02")["rows"] == november["rows"]
    items = cl.json("export", "items", "--officer", "DL001", "--format", "json", CHECKLIST_TODAY="2026-12-02")["items"]
    assert items and all(i["due"] <= "2026-11-30" or i["status"] == "withdrawn" for i in items)
    lead = {"CHECKLIST_USER": "DL010", "CHECKLIST_TODAY": "2026-12-02"}
    report = cl.run("report", "--json", **lead)
    (leaver,) = json.loads(report.stdout)["left"]
    assert leaver["officer"] == {"id": "DL001", "name": "周敏"} and leaver["until"] == "2026-11-30"
    assert "note: 周敏 (DL001) left on 2026-11-30 with" in report.stderr and "checklist reassign" in report.stderr
    first, second = leaver["open"][:2]
    refused = cl.run("reassign", first, "--to", "NG001", **lead)
    assert refused.exit_code == 1 and "蒋文 (NG001) is not one of the people whose items you work" in refused.stderr
    gone = cl.run("reassign", first, "--to", "DL001", **lead)
    assert gone.exit_code == 1 and "周敏 (DL001) left on 2026-11-30" in gone.stderr
    busy = cl.run("reassign", first, "--to", "DL003", **lead)  # 郑洁 has the same duty for the same period
    assert busy.exit_code == 1 and "DL003 already has this duty for" in busy.stderr
    moved = cl.run("reassign", first, second, "--to", "DL010", "--note", "周敏调离，由团队长接办", **lead)
    assert moved.exit_code == 0, moved.output
    assert cl.json("show", first, **lead)["status"] == "withdrawn"
    taken = [i for i in cl.json("today", "--officer", "DL010", **lead)["items"] if i.get("overdue_days") == 0
             and i["due"] == "2026-12-02" and i["status"] == "open"]  # handed over today: due today, not late
    assert {i["title"] for i in taken} >= {cl.json("show", first, **lead)["title"]}
    # 周敏 did not do it: November stays what it was, for her and for the court
    assert cl.json("report", "--month", "2026-11", CHECKLIST_TODAY="2026-12-02")["rows"] == november["rows"]
    again = cl.run("reassign", first, "--to", "DL002", **lead)
    assert again.exit_code == 1 and "only open items are handed on" in again.stderr
    after = json.loads(cl.run("report", "--json", **lead).stdout)["left"][0]["open"]
    assert first not in after and second not in after and len(after) == len(leaver["open"]) - 2
    history = cl.json("show", first, **lead)["history"]
    assert history[-1]["action"] == "reassign" and history[-1]["actor"] == "DL010"
    assert cl.run("sync", "--force", CHECKLIST_TODAY="2026-12-02").exit_code == 0  # a sync keeps the handover
    assert cl.json("show", first, **lead)["status"] == "withdrawn"
    assert cl.run("audit", "verify", CHECKLIST_TODAY="2026-12-02").exit_code == 0


# -- who you are on a file database --------------------------------------------------------------------------


def test_on_a_file_database_anyone_may_read_but_only_the_roster_may_write(tmp_path):
    made = Checklist(tmp_path / "db.json", user="书记员小王")
    assert made.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0  # the first import: anyone
    visitor = Checklist(tmp_path / "db.json", user="visitor")
    assert visitor.run("today", "--officer", "DL001").exit_code == 0
    item = visitor.json("today", "--officer", "DL001")["items"][0]["id"]
    refused = visitor.run("done", item)
    assert refused.exit_code == 1 and "'visitor' is not on the roster of this database" in refused.stderr
    assert visitor.run("import", "roster", str(DEMO_ROSTER)).exit_code == 1
    who = visitor.json("whoami")
    assert who["on_roster"] is False and who["owner"] is False and who["may"]["work_items"] == "none"
    owner = made.json("whoami")
    assert owner["owner"] is True and owner["level"] == "admin"
    with_login = write(tmp_path / "login.csv", "工号,姓名,法院,部门,角色,上级,账号\n"
                                               "DL001,周敏,哈尔滨市道里区人民法院,执行一庭,officer,DL010,zhoumin\n")
    assert made.run("import", "roster", str(with_login)).exit_code == 0
    by_id = Checklist(tmp_path / "db.json", user="DL001").run("done", item)
    assert by_id.exit_code == 1 and "'DL001' (周敏's id; they log in as 'zhoumin')" in by_id.stderr
    me = Checklist(tmp_path / "db.json", user="zhoumin")
    assert me.json("today")["officer"]["id"] == "DL001"  # no --officer: your own list
    assert me.run("done", item).exit_code == 0


def test_checklist_officer_says_whose_list_to_look_in_and_the_command_line_whose_item_it_must_be(demo):
    item = demo.json("today", "--officer", "DL001")["items"][0]["id"]
    me = demo.json("whoami")["login"]
    hint = demo.run("done", item, CHECKLIST_OFFICER="DL010", CHECKLIST_USER=me)  # a lead's usual setting
    assert hint.exit_code == 0, hint.output
    named = demo.run("undo", item, "--officer", "DL010", CHECKLIST_USER=me)
    assert named.exit_code == 1 and "is DL001's item, not DL010's" in named.stderr
