"""`checklist templates validate|list` and `checklist plan` through the command line."""

import json
from pathlib import Path

from typer.testing import CliRunner

from checklist.cli import app

ROOT = Path(__file__).parent.parent
DEMO_ROSTER = ROOT / "tests" / "fixtures" / "roster.csv"
runner = CliRunner()


def run(*args, env=None, **kw):
    base = {"CHECKLIST_TODAY": "2026-11-28", "CHECKLIST_TEMPLATES": str(ROOT / "templates"), "NO_COLOR": "1"}
    return runner.invoke(app, list(args), env={**base, **(env or {})}, **kw)


def test_validate_passes_on_the_shipped_templates():
    result = run("templates", "validate", str(ROOT / "templates"))
    assert result.exit_code == 0, result.output
    assert "OK — 3 campaigns (3 active on 2026-11-28)" in result.stdout


def test_validate_lists_every_problem_and_exits_1(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "campaign:\n  key: a\n  name: A\n  start: 2026-01-01\n  end: 2026-12-31\nduties:\n"
        "  - {key: x, title: t, role: officer, every: weekly}\n"
        "  - {key: y, title: t, role: officer, every: month, due: 40}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("duties: &x [1]\n", encoding="utf-8")
    result = run("templates", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path}/a.yaml:7: duty 'x': every must be one of day, week, halfmonth, month, quarter, year, once",
        f"{tmp_path}/a.yaml:8: duty 'y': due for a month duty must be a day of the month (1 … 31) or 'last', not 40",
        f"{tmp_path}/b.yaml:1: anchors and aliases (& and *) are not allowed in templates",
        "error: 3 problems in the templates; nothing was loaded",
    ]
    assert result.stdout == ""


def test_validate_warns_about_years_without_holiday_data(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "campaign:\n  key: a\n  name: A\n  start: 2040-12-01\n  end: 2041-01-31\nduties:\n"
        "  - {key: x, title: t, role: officer, every: week}\n", encoding="utf-8")
    result = run("templates", "validate", str(tmp_path))
    assert result.exit_code == 0
    assert "warning: no holiday data for 2040 (campaigns a)" in result.stderr
    assert "warning: no holiday data for 2041 (campaigns a)" in result.stderr


def test_missing_templates_folder_is_a_clean_refusal(tmp_path):
    result = run("templates", "validate", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: templates folder '{tmp_path}/nope' does not exist or is not a folder"


def test_templates_list_json_names_campaigns_and_their_status():
    result = run("templates", "list", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [c["key"] for c in doc["campaigns"]] == ["passive-enforcement-2026", "quality-year-2026", "thunder-2026"]
    assert {c["status"] for c in doc["campaigns"]} == {"active"}
    assert doc["campaigns"][2]["scope"]["courts"] == ["哈尔滨市道里区人民法院"]


def test_plan_shows_the_merge_and_the_relief_line():
    result = run("plan", "--officer", "DL001", "--court", "哈尔滨市道里区人民法院", "--role", "officer", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    # 主题党日 is for 党员: without --tag 党员 it is not asked; 雷霆's two deliverables are
    assert "11 duties asked by 3 campaigns → 9 lines on your list (2 merged)" in result.stdout
    assert "↳每周一报攻坚案件" in result.stdout  # the 攻坚 campaign's own wording
    assert "on the week before" in result.stdout  # 每周一报上周: its report on W48 is due Monday of W49
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_plan_json_follows_the_spec():
    result = run("plan", "--officer", "DL001", "--court", "哈尔滨市南岗区人民法院", "--role", "officer", "--json")
    doc = json.loads(result.stdout)
    assert doc["officer"]["id"] == "DL001"
    assert doc["summary"] == {"duties": 7, "campaigns": 2, "lines": 6, "merged": 1}
    ledger = next(line for line in doc["lines"] if line["key"] == "weekly-ledger")
    assert ledger["campaigns"] == ["passive-enforcement-2026", "quality-year-2026"]
    assert ledger["every"] == "week"
    assert {s["title"] for s in ledger["sources"]} == {"整改台账每周更新", "每周五报送未结案件进展台账"}
    assert "theme-party-day" not in {line["key"] for line in doc["lines"]}  # only for 党员
    tagged = json.loads(run("plan", "--officer", "DL001", "--court", "哈尔滨市南岗区人民法院", "--role", "officer",
                            "--tag", "党员", "--json").stdout)
    party = next(line for line in tagged["lines"] if line["key"] == "theme-party-day")
    assert party["only_tagged"] == ["党员"] and tagged["summary"]["duties"] == 8
    assert ledger["clock"] is None
    # a campaign duty that is also a statutory clock says so: its case items answer the campaign's tick
    recheck = next(line for line in doc["lines"] if line["key"] == "zhongben-recheck")
    assert (recheck["clock"]["from"], recheck["clock"]["title"]) == ("zhongben", "终本案件网络查控被执行人财产并将结果告知申请执行人")


def test_plan_for_an_officer_on_the_roster(tmp_path):
    env = {"CHECKLIST_DB": str(tmp_path / "db.json")}
    assert run("plan", env=env).exit_code == 1  # no roster yet
    assert run("import", "roster", str(DEMO_ROSTER), env=env).exit_code == 0
    missing = run("plan", env=env)
    assert missing.exit_code == 1 and "which officer?" in missing.stderr
    doc = json.loads(run("plan", "--officer", "DL020", "--json", env=env).stdout)
    assert doc["officer"]["name"] == "卫国强"
    # the chief: the 雷霆 and 专项整治 deliverables, each campaign's stages; 专项督察 no longer hides the 评查
    assert doc["summary"] == {"duties": 16, "campaigns": 3, "lines": 14, "merged": 2}
    phases = {line["key"]: line["phase"] for line in doc["lines"] if line["phase"]}
    assert phases == {"thunder-plan": "动员部署", "thunder-midterm": "集中攻坚", "thunder-final": "总结验收",
                      "passive-rectified": "集中整治", "passive-summary": "总结提升"}


def test_bad_checklist_today_is_a_usage_error():
    result = run("templates", "list", env={"CHECKLIST_TODAY": "2026-02-30"})
    assert result.exit_code == 2
    assert "CHECKLIST_TODAY must be a date like 2026-11-27, not '2026-02-30'" in result.stderr


def test_plan_says_the_forms_real_实施方案_use_in_words(tmp_path):
    import shutil

    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    (folder / "forms.yaml").write_text(
        "campaign: {key: forms, name: 形式, short: 形, start: 2026-10-01, end: 2026-12-31}\nduties:\n"
        "  - {key: stats, title: 报送上月执行统计, role: officer, every: month, due: 5wd}\n"
        "  - {key: party-day, title: 主题党日活动, role: officer, every: month, due: first-fri}\n"
        "  - {key: month-end, title: 月末台账核对, role: officer, every: month, due: last-wd}\n", encoding="utf-8")
    args = ("--templates", str(folder), "plan", "--officer", "DL001", "--court", "哈尔滨市道里区人民法院", "--role", "officer")
    zh = run(*args, env={"COLUMNS": "100", "CHECKLIST_LANG": "zh"}).stdout
    assert "每月第5个工作日" in zh and "每月第一个周五" in zh and "每月最后一个工作日" in zh
    en = run(*args, env={"COLUMNS": "100"}).stdout
    assert "each month, working day 5" in en and "monthly, first Fri" in en
