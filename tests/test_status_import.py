"""Status imports, exports and the corpus of bad files (each refused, the database untouched)."""

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlsxkit
from clitools import snapshot

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def cl(demo_world):
    return demo_world


def refused(cl, path, *args):
    before = snapshot(cl.db)
    result = cl.run("import", "status", str(path), *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert snapshot(cl.db) == before  # byte for byte
    return result.stderr.splitlines()


# -- the corpus of bad files --------------------------------------------------------------------------------


def test_ragged_row(cl):
    path = CORPUS / "ragged.csv"
    assert refused(cl, path) == [
        f"{path}:3: has 6 or more cells but the header has 5; a comma inside a value needs quotes",
        f"error: 1 problem in {path}; nothing was imported",
    ]


def test_bad_quotes(cl):
    path = CORPUS / "bad-quotes.csv"
    assert refused(cl, path) == [f'error: {path}:2: unreadable CSV: text follows a closing quote (") in a cell; '
                                 "check the quotes on that row"]


def test_wrong_encoding_is_refused_not_guessed(cl):
    path = CORPUS / "wrong-encoding.csv"
    assert refused(cl, path) == [f"error: {path}:2: neither UTF-8 nor GB18030 text (byte 68); save it as CSV "
                                 "UTF-8 (or name its encoding with --encoding)"]


def test_nul_bytes(cl):
    path = CORPUS / "nul-bytes.csv"
    assert refused(cl, path) == [f"error: {path}:2: contains a NUL byte; is this really a CSV file?"]


def test_duplicate_rows_that_disagree(cl):
    path = CORPUS / "disagreeing-duplicates.csv"
    assert refused(cl, path) == [  # both rows are wrong, each names the other
        f"{path}:2: status: the same item is on row 4 with a different status, time or note",
        f"{path}:4: status: the same item is on row 2 with a different status, time or note",
        f"error: 2 problems in {path}; nothing was imported",
    ]


def test_unknown_officers_and_items(cl):
    path = CORPUS / "unknown-officer-and-items.csv"
    assert refused(cl, path) == [
        f"{path}:3: officer: 'XX999' is not on the roster",
        f"{path}:4: key: officer DL001 has no item 'no-such-duty' for 2026-W48",
        f"{path}:5: key: officer DL001 has no item 'weekly-ledger' for 2026-W40",
        f"error: 3 problems in {path}; nothing was imported",
    ]


def test_impossible_dates_future_times_and_unknown_words(cl):
    path = CORPUS / "bad-dates-and-words.csv"
    assert refused(cl, path) == [
        f"{path}:2: 完成时间: '2026-02-30' is not a real date",  # each column named as the file heads it
        f"{path}:3: 完成时间: '2026-12-25' is after today (2026-11-28); a done time cannot be in the future",
        f"{path}:4: 备注: a skipped item needs its reason in the note column",
        f"{path}:5: 状态: '大概吧' is not a status (done/完成, skipped/跳过, open/未完成)",
        f"error: 4 problems in {path}; nothing was imported",
    ]


def test_a_damaged_xls_and_a_web_page_without_the_columns_get_clear_messages(cl):
    (legacy,) = refused(cl, CORPUS / "legacy.xls")  # the .xls signature, and nothing after it
    assert "this .xls workbook cannot be read" in legacy and "save as .xlsx or CSV UTF-8" in legacy
    (html,) = refused(cl, CORPUS / "html-table.xls")  # a page whose table has only 工号
    assert "no header row found" in html


def test_formula_cells_are_named(cl, tmp_path):
    path = tmp_path / "formula.xlsx"
    path.write_bytes(xlsxkit.xlsx([["officer", "key", "period", "status"],
                                   ["DL001", "weekly-ledger", "2026-W48", '=IF(1,"done","open")']]))
    assert refused(cl, path) == [
        f'{path}:2: status: is a formula (=IF(1,"done","open")); save the sheet with values only',
        f"error: 1 problem in {path}; nothing was imported",
    ]


def test_truncated_xlsx(cl, tmp_path):
    whole = xlsxkit.xlsx([["officer", "key", "period", "status"], ["DL001", "weekly-ledger", "2026-W48", "done"]])
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    (message,) = refused(cl, path)
    assert message == f"error: {path}: not a valid .xlsx file (it may be damaged or truncated); save it again from " \
                      "Excel or WPS"


def test_zip_bomb_is_refused_before_it_is_unpacked(cl, tmp_path):
    import time

    row = '<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    bomb = xlsxkit.PARTS and xlsxkit.xlsx(sheet="<worksheet><sheetData>" + row * 2_000_000 + "</sheetData></worksheet>")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    assert len(bomb) < 2_000_000
    start = time.perf_counter()
    (message,) = refused(cl, path)
    assert time.perf_counter() - start < 5
    assert message.startswith(f"error: {path}: refused: 'xl/worksheets/sheet1.xml' expands") and "zip bomb" in message


def test_a_200k_row_sheet_is_refused_with_a_message(cl, tmp_path):
    rows = [["officer", "key", "period", "status"]] + [["DL001", "weekly-ledger", "2026-W48", "done"]] * 200_000
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsxkit.xlsx(rows))
    (message,) = refused(cl, path)
    assert message == f"error: {path}: the sheet has more than 150,000 rows; split it or save it as CSV"


def test_a_sheet_that_declares_a_million_rows_is_refused_at_once(cl, tmp_path):
    path = tmp_path / "declared.xlsx"
    path.write_bytes(xlsxkit.xlsx([["officer", "key", "period", "status"]], dimension="A1:D1000000"))
    (message,) = refused(cl, path)
    assert message == f"error: {path}: the sheet has 1,000,000 rows, more than 150,000; split it or save it as CSV"


# -- imports that work ------------------------------------------------------------------------------------------


def test_title_rows_blank_rows_total_row_and_odd_headers(cl, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes((
        "道里区法院执行局 11月台账\n"
        ",,,,\n"
        "承办人,事项 编码,期间,完成情况,备注\n"
        "ＤＬ００１\u200b,weekly-ledger,2026-W48,已完成,已报送（原文）\n"
        "\n"
        "DL001,node-alerts,2026-11-24,完成,\n"
        "合计,2,,,\n").encode("gb18030"))
    result = cl.run("import", "status", str(path), "--map", "承办人=officer")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{path}: 2 rows: 2 done"
    items = {(i["key"], i["period"]): i for i in cl.json("export", "items", "--format", "json")["items"]
             if i["officer"] == "DL001"}
    assert items[("weekly-ledger", "2026-W48")]["status"] == "done"
    assert items[("weekly-ledger", "2026-W48")]["note"] == "已报送（原文）"  # the original text is kept
    assert items[("node-alerts", "2026-11-24")]["status"] == "done"


def test_a_second_run_changes_nothing_and_says_so(cl, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("officer,key,period,status,done_at,note\n"
                    "DL001,weekly-ledger,2026-W48,done,2026-11-27 16:30,按时报送\n"
                    "DL001,node-alerts,2026-11-23,skipped,,系统维护\n", encoding="utf-8")
    assert cl.run("import", "status", str(path)).stdout.strip() == f"{path}: 2 rows: 1 done, 1 skipped"
    before = snapshot(cl.db)
    second = cl.run("import", "status", str(path), "--json")
    assert json.loads(second.stdout) == {"file": str(path), "rows": 2, "done": 0, "skipped": 0, "reopened": 0,
                                         "unchanged": 2, "duplicates": 0, "dry_run": False}
    assert snapshot(cl.db) == before
    shown = cl.json("show", cl.json("export", "items", "--format", "json", "--status", "done")["items"][0]["id"])
    assert shown["done_at"] == "2026-11-27T16:30:00"
    assert shown["history"][-1]["action"] == "import" and shown["history"][-1]["note"] == f"{path}:2"


def test_dry_run_writes_nothing(cl, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("officer,key,period,status\nDL001,weekly-ledger,2026-W48,done\n", encoding="utf-8")
    before = snapshot(cl.db)
    result = cl.run("import", "status", str(path), "--dry-run")
    assert result.stdout.splitlines() == [
        "  row 2  day1w1  DL001  更新未结案件进展台账  open → done (2026-11-28 09:00)",  # what it would do, row by row
        f"{path}: 1 row: 1 done (dry run: nothing was written)"]
    assert snapshot(cl.db) == before


def test_export_items_round_trip_through_a_spreadsheet(cl, tmp_path):
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"items.{fmt}"
        assert cl.run("export", "items", "--officer", "DL002", "--format", fmt, "--out", str(out)).exit_code == 0
        if fmt == "csv":
            text = out.read_bytes().decode("utf-8-sig")
            assert out.read_bytes().startswith(b"\xef\xbb\xbf")
            rows = list(csv.DictReader(io.StringIO(text)))
            for row in rows[:3]:
                row["status"] = "完成"
            edited = io.StringIO()
            writer = csv.DictWriter(edited, fieldnames=rows[0].keys(), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            out.write_bytes(edited.getvalue().encode("utf-8-sig"))
            result = cl.run("import", "status", str(out))
            assert result.exit_code == 0, result.output
            assert result.stdout.strip() == f"{out}: {len(rows)} rows: 3 done, {len(rows) - 3} unchanged"
        else:
            result = cl.run("import", "status", str(out))  # exported, loaded back unchanged
            assert result.exit_code == 0, result.output
            assert result.stdout.strip().endswith("; nothing changed")


def test_export_roster_round_trips(cl, tmp_path):
    out = tmp_path / "roster.xlsx"
    assert cl.run("export", "roster", "--format", "xlsx", "--out", str(out)).exit_code == 0
    result = cl.run("import", "roster", str(out))
    assert result.exit_code == 0 and "all already up to date; nothing changed" in result.stdout


def test_export_filters_and_json(cl):
    doc = cl.json("export", "items", "--format", "json", "--court", "哈尔滨市南岗区人民法院", "--month", "2026-12")
    assert doc["items"] and {i["court"] for i in doc["items"]} == {"哈尔滨市南岗区人民法院"}
    assert all("2026-12-01" <= i["due"] <= "2026-12-31" for i in doc["items"])
    overdue = cl.json("export", "items", "--format", "json", "--status", "overdue")["items"]
    assert overdue and all(i["overdue_days"] > 0 and i["officer"] == "DL001" for i in overdue)
    team = cl.json("export", "items", "--format", "json", "--officer", "NG010", "--to", "2026-11-30")["items"]
    assert {i["officer"] for i in team} <= {"NG001", "NG002", "NG003", "NG010"}


def test_xlsx_export_needs_a_file_and_cells_are_text(cl, tmp_path):
    assert cl.run("export", "items", "--format", "xlsx").exit_code == 2
    out = tmp_path / "r.xlsx"
    assert cl.run("export", "report", "--format", "xlsx", "--out", str(out)).exit_code == 0
    import openpyxl

    sheet = openpyxl.load_workbook(out).active  # the 通报 workbook (tests/test_meeting.py): heads on row 3
    assert [c.value for c in sheet[3]][:3] == ["officer", "due", "done"]
    assert sheet["A4"].data_type == "s"


# -- properties ------------------------------------------------------------------------------------------------

NOTES = st.text(
    alphabet=st.sampled_from(list("执行终本台账报送中文ＡＢＣ１２３０abc =+-@'\",;|\u3000（）")), min_size=1, max_size=20,
).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=NOTES)
def test_notes_round_trip_through_export_and_import(cl, tmp_path, note):
    path = tmp_path / "in.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["officer", "key", "period", "status", "note"],
                                      ["DL001", "weekly-ledger", "2026-W48", "done", note]])
    result = cl.run("import", "status", str(path))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.csv"
    assert cl.run("export", "items", "--officer", "DL001", "--status", "done", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    (row,) = [r for r in rows if r["key"] == "weekly-ledger" and r["period"] == "2026-W48"]
    assert row["note"] == note or row["note"] == "'" + note  # defused, never a formula
    assert not row["note"].startswith(("=", "+", "-", "@"))
    again = cl.run("import", "status", str(out))
    assert again.exit_code == 0 and again.stdout.strip().endswith("nothing changed"), again.output
