"""What real 实施方案 say: duties for tagged people (党员), stages with dated deliverables, targets
counted from the cases, `templates lint`, `templates diff` / `apply --dry-run` — and the shipped
campaigns without the eight domain errors a reader found in them (issue: templates like real 实施方案)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from checklist.core.lint import lint
from checklist.core.merge import merge_sources
from checklist.loader import load_templates
from clitools import DEMO_ROSTER, TEMPLATES, Checklist, snapshot
from helpers import calendar, campaign_yaml, officer, templates

SHIPPED = load_templates(TEMPLATES)
STAGED = campaign_yaml("drive", "2026-09-01", "2026-12-31", """
    - {key: kickoff, title: 报送实施方案, role: officer, every: once, due: 2026-09-11, phase: 动员部署}
    - {key: midterm, title: 报送阶段性总结, role: officer, every: once, due: 2026-11-13, phase: 集中攻坚}
    - {key: final, title: 报送总结及典型案例, role: officer, every: once, due: 2026-12-18, phase: 总结验收,
       target: {count: 2, unit: 件, measure: old-closed}}
    - {key: sweep, title: 攻坚案件网络查控周清, role: officer, every: week, due: fri}
    - {key: party, title: 主题党日, role: officer, only_tagged: [党员], every: month, due: first-fri}
""")
ROSTER = ("工号,姓名,法院,部门,角色,上级,起始日期,标签\n"
          "A1,周敏,示例区人民法院,执行一庭,执行法官,,2026-09-01,党员\n"
          "A2,郑洁,示例区人民法院,执行一庭,书记员,,2026-09-01,\n")


def folder_with(tmp_path, **files: str):
    folder = tmp_path / "模板"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def staged(tmp_path):
    folder = folder_with(tmp_path, drive=STAGED)
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    cl = Checklist(tmp_path / "db.json", today="2026-09-01", templates=folder)
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    return cl


# -- the eight defects of the shipped campaigns -------------------------------------------------------


def test_defect_1_the_statutory_re_check_and_the_weekly_asset_sweep_have_their_own_keys(tmp_path):
    recheck = [d for d in SHIPPED.duties if d.key == "zhongben-recheck"]
    assert {d.every for d in recheck} == {"month"}  # nobody asks the statutory re-check weekly
    sweep = next(d for d in SHIPPED.duties if d.key == "gongjian-asset-sweep")
    assert (sweep.campaign, sweep.every) == ("thunder-2026", "week")
    # and lint would have caught it: the sweep under the re-check's key
    folder = tmp_path / "t"
    shutil.copytree(TEMPLATES, folder)
    thunder = folder / "thunder-2026.yaml"
    thunder.write_text(thunder.read_text(encoding="utf-8").replace("key: gongjian-asset-sweep", "key: zhongben-recheck"),
                       encoding="utf-8")
    cl = Checklist(tmp_path / "db.json")
    result = cl.run("templates", "lint", str(folder), "--strict")
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(thunder.read_text(encoding="utf-8").splitlines(), 1)
                if "key: zhongben-recheck" in text)
    assert f"{folder}/thunder-2026.yaml:{line}: 'zhongben-recheck' is a statutory duty in the library (monthly" \
        in result.stdout
    assert "asks it weekly" in result.stdout


def test_defect_2_the_weekly_ledger_of_w48_is_due_on_friday_not_before_the_week_s_work():
    items = merge_sources(SHIPPED.duties_for(officer(court="哈尔滨市道里区人民法院", roles=("执行法官",))), SHIPPED,
                          calendar(SHIPPED))
    w48 = next(i for i in items if i.key == "weekly-ledger" and i.period == "2026-W48")
    assert w48.due == date(2026, 11, 27) and len(w48.campaigns) == 3


def test_defect_3_the_party_day_reaches_party_members_only_and_never_falls_on_a_rest_day():
    from checklist.core.calendar import WorkCalendar

    work: WorkCalendar = calendar(SHIPPED)
    member = officer(court="哈尔滨市道里区人民法院", roles=("执行法官",))
    clerk = officer(court="哈尔滨市道里区人民法院", roles=("书记员",))
    assert "theme-party-day" not in {d.key for _c, d in SHIPPED.duties_for(clerk)}
    tagged = type(member)(**{**{f: getattr(member, f) for f in member.__slots__}, "tags": ("党员",)})
    days = [i.due for i in merge_sources(SHIPPED.duties_for(tagged), SHIPPED, work) if i.key == "theme-party-day"]
    assert len(days) == 12 and all(work.is_workday(d) for d in days)
    assert date(2026, 10, 8) in days  # the first Friday of October is 国庆: the next working day


def test_defect_4_and_5_the_monthly_titles_say_what_is_checked_each_month():
    library = SHIPPED.library
    assert library["fund-reconcile"].title == "执行案款月度清理（核查到账超30日未发放案款）"
    assert "funds-payout" in library["fund-reconcile"].basis  # the per-receipt clock is the case's
    assert library["zhongben-recheck"].title == "对本月届满6个月的终本案件开展网络查控并告知申请执行人"


def test_defect_6_the_self_check_uses_the_node_rules_and_says_which_is_local_practice():
    check = next(d for d in SHIPPED.duties if d.key == "passive-selfcheck")
    assert check.title == "自查立案超5日未发起网络查控、查封超30日未启动处置定价的案件"
    assert "法释〔2018〕15号" in check.basis and "地方规定" in check.basis


def test_defect_7_the_monthly_inspection_no_longer_swallows_the_quarterly_case_review():
    chief = officer(court="哈尔滨市道里区人民法院", roles=("局长",))
    items = merge_sources(SHIPPED.duties_for(chief), SHIPPED, calendar(SHIPPED))
    reviews = {i.period: i for i in items if i.key == "case-review"}
    assert set(reviews) == {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}  # 评查 asked every quarter
    assert all(i.title == "终本案件质量评查（抽查不少于10%）" for i in reviews.values())
    assert len([i for i in items if i.key == "special-inspection"]) == 7  # June … December


def test_defect_8_every_campaign_with_deliverables_has_dated_stages():
    phases = SHIPPED.phases()
    assert [p.name for p in phases["thunder-2026"]] == ["动员部署", "集中攻坚", "总结验收"]
    assert [p.name for p in phases["passive-enforcement-2026"]] == ["自查自纠", "集中整治", "总结提升"]
    stages = phases["thunder-2026"]
    assert (stages[0].start, stages[0].end, stages[1].start, stages[-1].end) == (
        date(2026, 9, 1), date(2026, 9, 11), date(2026, 9, 12), date.max)  # the last: whatever falls due after


def test_the_shipped_templates_pass_lint_strict():
    assert lint(SHIPPED) == []
    result = Checklist("unused.json").run("templates", "lint", str(TEMPLATES), "--strict")
    assert result.exit_code == 0 and "no findings" in result.stdout


# -- lint ----------------------------------------------------------------------------------------------------


def test_lint_finds_a_near_duplicate_under_two_keys_and_distinct_from_silences_it(tmp_path):
    a = campaign_yaml("a", "2026-01-01", "2026-12-31",
                      "- {key: ledger, title: 每周五报送未结案件进展台账, role: officer, every: week}")
    b = campaign_yaml("b", "2026-06-01", "2026-12-31",
                      "- {key: progress-book, title: 未结案件进展台账每周报送, role: [officer, lead], every: halfmonth}")
    found = lint(templates(a=a, b=b))
    assert [(f.code, f.keys, f.where, f.also) for f in found] == [
        ("near-duplicate", ("ledger", "progress-book"), "a.yaml:7", "b.yaml:7")]
    assert "both for officer, weekly and half-monthly" in found[0].message
    quiet = b.replace("every: halfmonth}", "every: halfmonth, distinct_from: [ledger]}")
    assert lint(templates(a=a, b=quiet)) == []
    yearly = b.replace("every: halfmonth", "every: year")  # weekly and yearly: not one duty merged
    assert lint(templates(a=a, b=yearly)) == []
    # the command: advice, exit 0; --strict, exit 1; --json for scripts
    folder = folder_with(tmp_path, a=a, b=b)
    cl = Checklist(tmp_path / "db.json")
    assert cl.run("templates", "lint", str(folder)).exit_code == 0
    assert cl.run("templates", "lint", str(folder), "--strict").exit_code == 1
    doc = cl.json("templates", "lint", str(folder))
    assert [f["code"] for f in doc["findings"]] == ["near-duplicate"]


def test_lint_finds_one_key_with_two_bases_or_unrelated_titles():
    a = campaign_yaml("a", "2026-01-01", "2026-12-31",
                      "- {key: k, title: 终本案件网络查控复查, role: officer, every: month, basis: 法〔2016〕373号}")
    b = campaign_yaml("b", "2026-01-01", "2026-12-31",
                      "- {key: k, title: 终本案件网络查控, role: officer, every: month, basis: 本院规定}")
    c = campaign_yaml("c", "2026-01-01", "2026-12-31", "- {key: k, title: 主题党日, role: officer, every: month}")
    found = lint(templates(a=a, b=b, c=c))
    assert [(f.code, f.where) for f in found] == [("key-conflict", "b.yaml:7"), ("key-conflict", "c.yaml:7")]
    assert "two bases" in found[0].message and "share no word" in found[1].message


# -- tags -----------------------------------------------------------------------------------------------------


def test_a_party_only_duty_reaches_only_tagged_people_and_the_tags_round_trip(staged, tmp_path):
    keys = {o: {i["key"] for i in staged.json("export", "items", "--officer", o)["items"]} for o in ("A1", "A2")}
    assert "party" in keys["A1"] and "party" not in keys["A2"]
    roster = staged.json("export", "roster")["roster"]
    assert [(r["id"], r["tags"]) for r in roster] == [("A1", ["党员"]), ("A2", [])]
    # tagging the clerk later brings the duty to her from today on
    again = tmp_path / "名单2.csv"
    again.write_text(ROSTER.replace("2026-09-01,\n", "2026-09-01,党员\n"), encoding="utf-8")
    assert staged.run("import", "roster", str(again), CHECKLIST_TODAY="2026-10-15").exit_code == 0
    party = [i for i in staged.json("export", "items", "--officer", "A2")["items"] if i["key"] == "party"]
    assert [i["period"] for i in party] == ["2026-11", "2026-12"]


def test_validate_warns_when_nobody_has_the_tag_a_duty_is_for(tmp_path):
    folder = folder_with(tmp_path, drive=STAGED)
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER.replace(",党员\n", ",\n"), encoding="utf-8")
    cl = Checklist(tmp_path / "db.json", today="2026-09-01", templates=folder)
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    result = cl.run("templates", "validate", str(folder))
    assert result.exit_code == 0
    assert "duty 'party' (drive) is only for people tagged 党员, and nobody on the roster in its scope is" \
        in result.stderr


# -- stages and targets --------------------------------------------------------------------------------------


def test_report_by_phase_counts_each_item_in_the_stage_its_due_date_falls_in(staged):
    items = staged.json("export", "items", "--officer", "A1")["items"]
    for item in items:  # A1 does everything due in September, on time
        if item["due"] <= "2026-09-30":
            assert staged.run("done", item["id"], "--on", item["due"], CHECKLIST_TODAY="2026-10-09").exit_code == 0
    doc = staged.json("report", "--by", "阶段", "--from", "2026-09-01", "--to", "2026-12-31",
                      CHECKLIST_TODAY="2026-11-30")
    rows = {r["group"]: r for r in doc["rows"]}
    assert list(rows) == ["drive:动员部署", "drive:集中攻坚", "drive:总结验收"]
    # 动员部署 (1–11 Sep): kickoff and the sweeps of 4 and 11 Sep, for two people; 党日 4 Sep for A1
    first = rows["drive:动员部署"]
    assert (first["due"], first["done"]) == (2 * 3 + 1, 4)
    # 集中攻坚 (12 Sep – 13 Nov): sweeps 18 Sep … 13 Nov (9, 国庆's 2 Oct moved to 9 Oct), the midterm,
    # 党日 in Oct and Nov for A1; A1 did the two sweeps of September
    second = rows["drive:集中攻坚"]
    assert (second["due"], second["done"]) == (2 * (9 + 1) + 2, 2)
    # 总结验收 (14 Nov – 31 Dec), as of 30 Nov: the sweeps of 20 and 27 Nov
    assert (rows["drive:总结验收"]["due"], rows["drive:总结验收"]["done"]) == (4, 0)


def test_a_target_is_shown_in_the_plan_and_compared_with_the_cases_in_indicators(staged, tmp_path):
    plan = staged.json("plan", "--officer", "A1")
    final = next(line for line in plan["lines"] if line["key"] == "final")
    assert final["target"] == {"count": 2, "unit": "件", "measure": "old-closed"} and final["phase"] == "总结验收"
    table = staged.run("plan", "--officer", "A1", "--lang", "zh").stdout
    assert "阶段：总结验收" in table and "目标：每人2件" in table
    cases = tmp_path / "案件.csv"
    cases.write_text(
        "案号,承办人,立案日期,结案日期,结案方式\n"
        "(2025)黑0102执1号,A1,2025-03-01,2026-10-09,执行完毕\n"   # over 12 months old, closed in the drive: counts
        "(2025)黑0102执2号,A1,2025-10-01,2026-10-09,执行完毕\n"   # closed at 12 months and 8 days: counts
        "(2026)黑0102执3号,A1,2026-01-05,2026-10-09,终本\n"       # younger than 12 months: does not
        "(2025)黑0102执4号,A2,2025-01-05,2026-08-20,终本\n",      # before the drive began: does not
        encoding="utf-8")
    assert staged.run("import", "cases", str(cases), CHECKLIST_TODAY="2026-11-30").exit_code == 0
    doc = staged.json("indicators", "--by", "officer", "--from", "2026-09-01", CHECKLIST_TODAY="2026-11-30")
    (target,) = doc["targets"]
    assert (target["key"], target["each"], target["from"], target["to"]) == ("final", 2, "2026-09-01", "2026-11-30")
    assert [(r["group"], r["target"], r["achieved"], r["rate"]) for r in target["rows"]] == [
        ("A1", 2, 2, 1.0), ("A2", 2, 0, 0.0)]


def test_a_stage_ends_on_the_day_its_deliverable_s_item_falls_due_and_the_last_one_never_ends():
    from checklist.calendars import work_calendar

    drive = campaign_yaml("d", "2026-09-01", "2026-12-26", """
        - {key: a, title: A, role: officer, every: once, due: 2026-10-03, phase: 甲}
        - {key: b, title: B, role: officer, every: once, due: 2026-12-26, phase: 乙}
        - {key: w, title: W, role: officer, every: week, due: sat}
    """)
    tset = templates(d=drive)
    first, last = tset.phases(work_calendar(tset))["d"]
    assert first.end == date(2026, 10, 8)  # 3 Oct is 国庆: the item is due Thu 8 Oct, and counts in 甲
    assert last.start == date(2026, 10, 9) and last.end == date.max  # Sat 26 Dec → Mon 28 Dec: still in 乙


def test_two_stages_cannot_end_on_one_day_nor_a_deliverable_fall_outside_its_campaign():
    from checklist.errors import TemplateError

    bad = campaign_yaml("x", "2026-09-01", "2026-12-31", """
        - {key: a, title: A, role: officer, every: once, due: 2026-10-10, phase: 甲}
        - {key: b, title: B, role: officer, every: once, due: 2026-10-10, phase: 乙}
        - {key: c, title: C, role: officer, every: once, due: 2026-08-10, phase: 丙}
    """)
    with pytest.raises(TemplateError) as err:
        templates(x=bad)
    assert err.value.problems == [
        "x.yaml:8: duty 'b': stages '甲' and '乙' both end on 2026-10-10; a stage ends with its last deliverable, "
        "so give them different days",
        "x.yaml:9: duty 'c': a deliverable of stage '丙' is due 2026-08-10, outside its campaign (2026-09-01 … "
        "2026-12-31)",
    ]


def test_a_phase_is_for_a_one_off_deliverable_and_a_target_needs_a_number():
    from checklist.errors import TemplateError

    bad = campaign_yaml("x", "2026-01-01", "2026-12-31", """
        - {key: a, title: A, role: officer, every: month, phase: 动员部署}
        - {key: b, title: B, role: officer, every: once, due: 2026-03-01, target: 很多}
        - {key: c, title: C, role: officer, every: once, due: 2026-03-01, target: {count: 3, measure: paid}}
    """)
    with pytest.raises(TemplateError) as err:
        templates(x=bad)
    assert err.value.problems == [
        "x.yaml:7: duty 'a': a phase is for a one-off deliverable (every: once)",
        "x.yaml:8: duty 'b': target must be a number and a unit, like '30 件', or count, unit and measure "
        "(measure: closed, full, zhongben, old-closed)",
        "x.yaml:9: duty 'c': target measure must be one of closed, full, zhongben, old-closed",
    ]


# -- what a change does, before it is written ---------------------------------------------------------------


def test_templates_diff_and_apply_dry_run_list_what_changes_for_whom_and_write_nothing(tmp_path):
    cl = Checklist(tmp_path / "db.json", today="2026-12-02")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    new = tmp_path / "新模板"
    shutil.copytree(TEMPLATES, new)
    thunder = new / "thunder-2026.yaml"
    text = thunder.read_text(encoding="utf-8")
    thunder.write_text(text.replace("due: 2026-12-18", "due: 2026-12-11").replace(
        "    title: 报送总结验收报告及典型案例", "    title: 报送总结验收报告"), encoding="utf-8")
    before = snapshot(cl.db)
    for args in (("templates", "diff", str(new)), ("templates", "diff", str(TEMPLATES), str(new)),
                 ("templates", "apply", str(new), "--dry-run")):
        doc = cl.json(*args)
        mine = [(c["kind"], c["title"], c["due"], c["before"]) for c in doc["changes"] if c["officer"] == "DL001"]
        assert mine == [("re-dated", "报送攻坚期内执结的长期未结案件", "2026-12-11", "2026-12-18")], args
        chief = [(c["kind"], c["title"], c["before"]) for c in doc["changes"] if c["officer"] == "DL020"]
        assert chief == [("changed", "报送总结验收报告", "报送总结验收报告及典型案例")], args
        assert doc["summary"]["officers"] == 6  # 道里's five officers (雷霆 is 道里's) and its chief
    assert snapshot(cl.db) == before
    table = cl.run("templates", "apply", str(new), "--dry-run")
    assert "~ 报送攻坚期内执结的长期未结案件  once · Fri 18 Dec → Fri 11 Dec" in table.stdout
    assert "dry run: nothing was written" in table.stderr
    assert cl.run("templates", "apply", str(new)).exit_code == 0
    assert cl.json("templates", "diff", str(new))["changes"] == []


def test_distinct_from_counts_wherever_it_is_said():
    a = campaign_yaml("a", "2026-01-01", "2026-12-31",
                      "- {key: ledger, title: 每周五报送未结案件进展台账, role: officer, every: week}")
    b = campaign_yaml("b", "2026-06-01", "2026-12-31",
                      "- {key: progress-book, title: 未结案件进展台账每周报送, role: officer, every: week}")
    c = campaign_yaml("c", "2026-06-01", "2026-12-31",  # a second campaign's entry for the same key says it
                      "- {key: progress-book, title: 未结案件进展台账每周报送, role: officer, every: week, "
                      "distinct_from: [ledger]}")
    assert lint(templates(a=a, b=b)) != []
    assert lint(templates(a=a, b=b, c=c)) == []
