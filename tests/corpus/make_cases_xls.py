"""Makes tests/corpus/cases.xls: a legacy Excel (BIFF) case list, as older case systems export it.

Run once with xlwt (`pip install xlwt`; not a dependency of checklist or its tests), and the file
is committed: `python tests/corpus/make_cases_xls.py`.
"""

from datetime import date
from pathlib import Path

import xlwt

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("案件清单")
dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
sheet.write_merge(0, 0, 0, 5, "道里区人民法院执行案件清单（2026年11月）")  # a title row above the header
for col, text in enumerate(["案号", "承办人", "立案日期", "结案日期", "结案方式", "申请执行标的"]):
    sheet.write(1, col, text)
rows = [("（2026）黑0102执1号", "DL001", date(2026, 11, 30), None, "", 100000),
        ("(2026)黑0102执2号", "周敏", date(2026, 6, 1), date(2026, 11, 20), "终本", 50000)]
for r, (number, officer, filed, closed, how, amount) in enumerate(rows, start=2):
    sheet.write(r, 0, number)
    sheet.write(r, 1, officer)
    sheet.write(r, 2, filed, dates)
    if closed:
        sheet.write(r, 3, closed, dates)
    sheet.write(r, 4, how)
    sheet.write(r, 5, amount)
sheet.write(4, 0, "合计")
sheet.write(4, 5, 150000)
book.save(str(Path(__file__).with_name("cases.xls")))
