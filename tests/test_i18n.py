"""中文 and English: every message translated, the language chosen as promised, JSON unchanged."""

import json
import re
import sys
from pathlib import Path

import pytest

from checklist import i18n
from clitools import DEMO_ROSTER, Checklist

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import i18n as catalogue  # noqa: E402  (scripts/i18n.py: the catalogue tool)

PO = ROOT / "checklist" / "locale" / "zh_CN" / "LC_MESSAGES" / "checklist.po"
GOLDEN = Path(__file__).parent / "golden"
PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rs])?\}")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    messages = catalogue.all_messages()
    translated = catalogue.read_po(PO)
    missing = [m for m in messages if not translated.get(m)]
    assert missing == [], f"{len(missing)} messages have no Chinese translation (python scripts/i18n.py extract)"
    for msgid in messages:
        english = msgid.split("\x00")[-1]
        assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(translated[msgid])), msgid


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    fresh = tmp_path / "checklist.mo"
    catalogue.write_mo(PO, fresh)
    assert fresh.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run python scripts/i18n.py compile"


@pytest.mark.parametrize("option, environ, expected", [
    (None, {}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
    (None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
    (None, {"CHECKLIST_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    ("en", {"CHECKLIST_LANG": "zh", "LANG": "zh_CN.UTF-8"}, "en"),
    ("zh-CN", {}, "zh"),
])
def test_language_comes_from_the_option_then_the_variable_then_the_locale(option, environ, expected):
    assert i18n.choose_language(option, environ) == expected


def test_a_language_we_do_not_have_is_a_usage_error(tmp_path):
    cl = Checklist(tmp_path / "db.json")
    result = cl.run("today", "--lang", "fr")
    assert result.exit_code == 2 and "--lang takes zh or en, not 'fr'" in result.stderr


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    cl = Checklist(folder / "db.json", today="2026-12-02")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    items = cl.json("today", "--officer", "DL001")["items"]
    assert cl.run("done", items[0]["id"], "--note", "已报送", CHECKLIST_TODAY="2026-11-30").exit_code == 0
    assert cl.run("follow-up", items[1]["id"], "--note", "请说明原因").exit_code == 0
    cl.item = items[0]["id"]
    return cl


@pytest.mark.parametrize("args", [
    ("today", "--officer", "DL001"), ("report", "--by", "department"), ("report", "--by", "campaign"),
    ("plan", "--officer", "DL020"), ("roster",), ("follow-ups",), ("templates", "list"), ("log",),
    ("export", "items", "--officer", "DL010"),
])
def test_json_is_identical_in_both_languages(world, args):
    english = world.run(*args, "--json", "--lang", "en")
    chinese = world.run(*args, "--json", "--lang", "zh")
    assert english.exit_code == chinese.exit_code == 0, english.output + chinese.output
    assert json.loads(english.stdout) == json.loads(chinese.stdout)


def test_show_json_is_identical_in_both_languages(world):
    assert world.json("show", world.item, "--lang", "en") == world.json("show", world.item, "--lang", "zh")


def golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if __import__("os").environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_today_at_80_columns_matches_the_golden_text(world, lang):
    result = world.run("today", "--officer", "DL001", "--lang", lang)
    assert result.exit_code == 0, result.output
    assert result.stdout == golden(f"today-{lang}-80.txt", result.stdout)
    assert all(len(line.rstrip()) <= 80 for line in result.stdout.splitlines())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_at_80_columns_matches_the_golden_text(world, lang):
    result = world.run("report", "--by", "department", "--month", "2026-11", "--lang", lang)
    assert result.exit_code == 0, result.output
    assert result.stdout == golden(f"report-{lang}-80.txt", result.stdout)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_follow_ups_at_80_columns_match_the_golden_text(world, lang):
    result = world.run("follow-ups", "--by", "department", "--lang", lang, CHECKLIST_TODAY="2026-12-09")
    assert result.exit_code == 0, result.output
    assert result.stdout == golden(f"follow-ups-{lang}-80.txt", result.stdout)
    assert all(len(line.rstrip()) <= 80 for line in result.stdout.splitlines())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_error_messages_keep_the_file_and_row_in_both_languages(world, tmp_path, lang):
    bad = tmp_path / "名单.csv"
    bad.write_text("工号,姓名,角色,起始日期\nX1,某某,,2026-02-30\n", encoding="utf-8")
    roster = world.run("import", "roster", str(bad), "--lang", lang)
    unknown = world.run("done", "zzzz9", "--lang", lang)
    assert roster.exit_code == unknown.exit_code == 1
    text = (roster.stderr + unknown.stderr).replace(str(bad), "名单.csv")
    assert text == golden(f"errors-{lang}.txt", text)
    assert f"{bad}:2: 角色: " in roster.stderr and f"{bad}:2: 起始日期: " in roster.stderr  # as the file heads them


def test_chinese_messages_use_chinese_punctuation(world):
    result = world.run("done", "zzzz9", "--lang", "zh")
    assert "，" in result.stderr or "：" in result.stderr
    assert "ids are shown" not in result.stderr


def test_help_is_translated_with_its_examples(world):
    result = world.run("today", "--help", "--lang", "zh")
    assert result.exit_code == 0
    assert "checklist today --officer DL001 --days 14" in result.stdout  # the example stays as typed
    assert "逾期" in result.stdout
    top = world.run("--help", "--lang", "zh").stdout
    assert "用法" in top and ("今日" in top or "今天" in top)


def test_dates_and_relative_words_per_language():
    from datetime import date

    i18n.set_language("zh")
    assert i18n.short_date(date(2026, 11, 27)) == "11月27日 周五"
    assert [i18n.relative(date(2026, 11, d), date(2026, 11, 27)) for d in (24, 27, 28, 30)] == [
        "逾期3天", "今天", "明天", "3天后"]
    i18n.set_language("en")
    assert i18n.short_date(date(2026, 11, 27)) == "Fri 27 Nov"
    assert [i18n.relative(date(2026, 11, d), date(2026, 11, 27)) for d in (24, 27, 28, 30)] == [
        "3d late", "today", "tomorrow", "in 3d"]


def test_usage_errors_are_in_the_chosen_language(world):
    result = world.run("today", "--bogus", "--lang", "zh")
    assert result.exit_code == 2
    assert "用法：" in result.stderr and " today [OPTIONS]" in result.stderr and "错误：没有此选项：--bogus" in result.stderr
    english = world.run("today", "--days", "-3", "--lang", "en")
    assert english.exit_code == 2 and "error: Invalid value for '--days' / '-d': -3 is not in the range" in english.stderr
    assert "-3 不在范围 0<=x<=366 内" in world.run("today", "--days", "-3", "--lang", "zh").stderr
