"""Fuzzing: whatever bytes arrive as a template or a spreadsheet, only the tool's own clean errors come out."""

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlsxkit
from checklist.core.templates import parse_templates
from checklist.errors import ChecklistError
from checklist.roster import ALIASES as ROSTER_ALIASES
from checklist.roster import REQUIRED as ROSTER_REQUIRED
from checklist.roster import parse_roster
from checklist.spreadsheets import read_sheet
from checklist.status import ALIASES as STATUS_ALIASES

FAST = settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])

YAML_BITS = st.sampled_from([
    "campaign:", "duties:", "calendar:", "  key: a", "  name: 名", "  start: 2026-01-01", "  end: 2026-12-31",
    "  - key: k", "    title: 题", "    role: officer", "    every: week", "    every: once", "    due: fri",
    "    due: 2026-02-30", "    due: [1, 2]", "  scope: {courts: [x]}", "- &a [1]", "- *a", "!!python/none x",
    "  holidays: [2027-01-01..2027-01-03]", "  years: [2027]", "\t", "{", "]", "'", '"', "key: {", "---",
    "    priority: high", "    tags: [a, b]", "    shift: none", "  - {key: k, every: day}", "\x00", "\ufeff",
])


@FAST
@given(st.lists(YAML_BITS, max_size=25), st.text(max_size=40))
def test_template_yaml_gives_a_template_set_or_clean_problems(bits, noise):
    text = "\n".join(bits) + "\n" + noise
    try:
        parse_templates([("t.yaml", text)])
    except ChecklistError as err:
        assert all(p.startswith("t.yaml:") for p in err.problems)


@FAST
@given(st.binary(max_size=400))
def test_template_bytes_decoded_anyhow_give_clean_problems(data):
    try:
        parse_templates([("t.yaml", data.decode("utf-8", "replace"))])
    except ChecklistError:
        pass


CSV_CELLS = st.text(alphabet=string.printable + "工号姓名状态完成跳过，、\"'\u200b\uff11=+-@", max_size=12)


@FAST
@given(st.lists(st.lists(CSV_CELLS, max_size=8), max_size=12),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_csv_text_gives_rows_or_clean_problems(tmp_path_factory, rows, encoding):
    path = Path(tmp_path_factory.mktemp("f")) / "x.csv"
    header = "id,name,roles,工号,状态\n"
    body = "\n".join(",".join(cells) for cells in rows)
    try:
        path.write_bytes((header + body).encode(encoding))
    except UnicodeEncodeError:
        return
    for aliases, required in ((ROSTER_ALIASES, ROSTER_REQUIRED), (STATUS_ALIASES, ("status",))):
        try:
            sheet = read_sheet(path, aliases, required)
            if aliases is ROSTER_ALIASES:
                parse_roster(sheet)
        except ChecklistError:
            pass


@FAST
@given(st.binary(max_size=600), st.sampled_from([".csv", ".xlsx", ".xls", ""]))
def test_arbitrary_bytes_give_clean_problems(tmp_path_factory, data, suffix):
    path = Path(tmp_path_factory.mktemp("f")) / f"x{suffix}"
    path.write_bytes(data)
    try:
        read_sheet(path, STATUS_ALIASES, ("status",))
    except ChecklistError:
        pass


@FAST
@given(st.binary(min_size=1, max_size=300), st.integers(min_value=0, max_value=2000))
def test_damaged_xlsx_gives_clean_problems(tmp_path_factory, junk, cut):
    whole = xlsxkit.xlsx([["工号", "事项编码", "期间", "状态"], ["DL001", "k", "2026-W48", "完成"]])
    damaged = whole[:cut] + junk + whole[cut + len(junk):]
    path = Path(tmp_path_factory.mktemp("f")) / "x.xlsx"
    path.write_bytes(damaged)
    try:
        read_sheet(path, STATUS_ALIASES, ("status",))
    except ChecklistError:
        pass
