"""Reports meant for meetings: the 通报 workbook and the items sheet to fill in (SPEC.md → Reports meant
for meetings). openpyxl reads every workbook back: heads in each language, percentage cells, the
chart's series, the drop-down; a filled-in items sheet goes back in with `import status`.

The demo roster and the shipped templates on 2 December 2026: 周敏 (DL001) has ten November items
and none done, so she is on the 通报; the others started in December.
"""

from __future__ import annotations

import openpyxl
import pytest

from clitools import DEMO_ROSTER, Checklist


@pytest.fixture
def cl(tmp_path):
    cl = Checklist(tmp_path / "db.json", user="keeper")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    return cl


def workbook(cl, tmp_path, *args, lang="en", name="通报.xlsx"):
    out = tmp_path / name
    done = cl.run(*args, "--format", "xlsx", "--out", str(out), CHECKLIST_LANG=lang)
    assert done.exit_code == 0, done.output
    return openpyxl.load_workbook(out)


@pytest.mark.parametrize("lang, heads, flagged, notice", [
    ("zh", ["部门", "应办", "已完成"], "是", "通报"),
    ("en", ["department", "due", "done"], "yes", "通报"),
])
def test_the_report_workbook_speaks_the_interface_language(cl, tmp_path, lang, heads, flagged, notice):
    book = workbook(cl, tmp_path, "report", "--by", "department", "--month", "2026-11", "--all", lang=lang)
    figures = book.worksheets[0]
    assert [c.value for c in figures[3]][:3] == heads
    assert figures.freeze_panes == "B4"  # the head row (and the names) stay in view
    rows = {r[0]: r for r in figures.iter_rows(min_row=4, values_only=True)}
    first = rows["哈尔滨市道里区人民法院 执行一庭"]
    assert first[1:3] == (10, 0) and first[11] == flagged
    completion = figures.cell(row=4, column=8)
    assert completion.number_format == "0.0%" and isinstance(completion.value, (int, float))  # a number, not "0%"
    assert figures.column_dimensions["A"].width >= len("哈尔滨市道里区人民法院 执行一庭") * 2  # Chinese fits
    (chart,) = figures._charts
    (series,) = chart.series
    last = 3 + len(rows)
    assert series.val.numRef.f.endswith(f"!$H$4:$H${last}")  # the completion column, a bar per group
    assert series.cat.strRef.f.endswith(f"!$A$4:$A${last}")  # named by the groups
    assert notice in book.sheetnames
    laggards = list(book[notice].iter_rows(min_row=2, values_only=True))
    assert laggards[0][1] == "哈尔滨市道里区人民法院 执行一庭" and laggards[0][2] == 0
    assert laggards[0][4] == "陈立新"  # the department's lead answers for it
    assert "查看流程节点预警" in laggards[0][5] and "周敏" in laggards[0][5]
    assert len(book.sheetnames) == 2  # no 督办 yet: no 督办 sheet


def test_export_report_writes_the_same_workbook_and_the_督办_sheet_comes_with_follow_ups(cl, tmp_path):
    lead = Checklist(cl.db, user="DL010")  # 陈立新 leads 周敏
    opened = lead.run("follow-up", "open", "officer:DL001", "--note", "说明11月逾期原因", "--no", "督〔2026〕3号")
    assert opened.exit_code == 0, opened.output
    book = workbook(cl, tmp_path, "export", "report", "--by", "officer", "--month", "2026-12", lang="zh")
    assert book.sheetnames == ["完成情况", "通报", "督办"]
    ledger = [r for r in book["督办"].iter_rows(values_only=True) if r[0] == "F1"]
    assert ledger and ledger[0][3] == "督〔2026〕3号" and "周敏" in ledger[0][1]


def test_a_workbook_needs_a_file(cl):
    result = cl.run("report", "--format", "xlsx")
    assert result.exit_code == 2 and "needs --out FILE" in result.stderr


@pytest.mark.parametrize("lang, status_head, words", [
    ("zh", "状态", "已完成,跳过,未完成"),
    ("en", "status", "done,skipped,open"),
])
def test_the_items_sheet_has_a_status_drop_down_and_goes_back_in(cl, tmp_path, lang, status_head, words):
    book = workbook(cl, tmp_path, "export", "items", "--officer", "DL001", "--month", "2026-11", lang=lang,
                    name="items.xlsx")
    sheet = book.active
    heads = [c.value for c in sheet[1]]
    column = heads.index(status_head) + 1
    (check,) = sheet.data_validations.dataValidation
    assert check.type == "list" and check.formula1 == f'"{words}"'
    letter = openpyxl.utils.get_column_letter(column)
    assert str(check.sqref).startswith(f"{letter}2:{letter}")
    done_word, skip_word, open_word = words.split(",")
    assert sheet.cell(row=2, column=column).value == open_word
    sheet.cell(row=2, column=column).value = done_word
    sheet.cell(row=3, column=column).value = skip_word
    sheet.cell(row=3, column=heads.index("备注" if lang == "zh" else "note") + 1).value = "本周无攻坚案件"
    back = tmp_path / "back.xlsx"
    book.save(back)
    loaded = cl.run("import", "status", str(back))
    assert loaded.exit_code == 0 and "1 done, 1 skipped" in loaded.stdout, loaded.output
