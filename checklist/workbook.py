"""Workbooks people forward and fill in: the 通报 a chief sends round, and the items sheet to load back.

Everything here is in the interface language (headers, yes/no, status words), rates are
percentage cells (numbers with a ``0.0%`` format, never text), columns are as wide as their
longest text counting a Chinese character as two, and the head row is frozen. Text is stored as
text: a value starting with ``=`` gets a leading ``'`` as in every export, and the control
characters a workbook cannot hold become spaces. openpyxl is imported only when a workbook is
written.
"""

from __future__ import annotations

import io
import unicodedata
from typing import TYPE_CHECKING, Any, Iterable

from checklist.i18n import _, pgettext, short_date

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from checklist.reporting import ReportResult

PERCENT = "0.0%"
MAX_WIDTH = 60


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet's default font: a Chinese character is two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text(value: Any) -> Any:
    """A value as a cell may hold it: text that no spreadsheet runs as a formula, no control characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from checklist.reporting import safe_cell

    value = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub(" ", value) if isinstance(value, str) else value


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


class Sheet:
    """One worksheet being filled: an optional title line, a bold frozen head row, then rows."""

    def __init__(self, sheet: Worksheet, heads: list[str], title: str = "", subtitle: str = "") -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.sheet = sheet
        self.heads = heads
        if title:
            sheet.append([text(title)])
            sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
            sheet.append([text(subtitle)])
            sheet.cell(row=2, column=1).font = Font(color="555555")
        sheet.append([text(h) for h in heads])
        self.head_row = sheet.max_row
        line = Side(style="thin", color="999999")
        for cell in sheet[self.head_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE4EE")
            cell.border = Border(bottom=line)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.freeze_panes = f"B{self.head_row + 1}"  # (sheet.cell() would make a row that append then skips)
        self.formats: dict[int, str] = {}
        self.wrapped: set[int] = set()

    @property
    def first_row(self) -> int:
        return self.head_row + 1

    def percent(self, *columns: int) -> None:
        for column in columns:
            self.formats[column] = PERCENT

    def wrap(self, *columns: int) -> None:
        self.wrapped.update(columns)

    def add(self, values: Iterable[Any]) -> None:
        from openpyxl.styles import Alignment

        self.sheet.append([text(v) for v in values])
        row = self.sheet.max_row
        for column, number_format in self.formats.items():
            self.sheet.cell(row=row, column=column).number_format = number_format
        for column in self.wrapped:
            self.sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")

    def fit(self) -> None:
        """Each column as wide as its longest line (heads included; titles may overflow)."""
        from openpyxl.utils import get_column_letter

        widths: dict[int, int] = {}
        for row in self.sheet.iter_rows(min_row=self.head_row):
            for cell in row:
                if cell.value is None:
                    continue
                shown = f"{cell.value:.1%}" if cell.number_format == PERCENT and isinstance(cell.value, float) \
                    else str(cell.value)
                wide = max(display_width(line) for line in shown.splitlines() or [""])
                widths[cell.column] = max(widths.get(cell.column, 0), wide)
        for column, wide in widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = min(max(wide + 2, 6), MAX_WIDTH)


def save(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- the report (通报) ------------------------------------------------------------------------------------


def report_heads(by: str) -> list[str]:
    from checklist.render.lead import group_label

    return [group_label(by), pgettext("report column: items due so far", "due"), _("done"), _("on time"),
            _("overdue"), _("skipped"), _("督办"), _("completion"), _("on-time rate"), _("weighted completion"),
            _("longest overdue (working days)"), _("flagged"), _("responsible")]


COMPLETION_COLUMN = 8  # where report_heads puts completion: the chart's series


def report_workbook(result: ReportResult) -> bytes:
    """The 通报 workbook: the figures per group with a bar chart of completion, the 通报 sheet (who is
    flagged, why, who answers for it, the late items), and a 督办 sheet when there are follow-ups."""
    from openpyxl import Workbook

    from checklist.render.lead import scope_label
    from checklist.reporting import row_label, weeks_label

    report = result.report
    book = Workbook()
    title = _("Completion of duties {period}").format(period=weeks_label(report.start, report.end))
    subtitle = _("{start} … {end} · as of {as_of} · {scope}").format(
        start=report.start, end=report.end, as_of=report.as_of, scope=scope_label(result.scope))
    figures = Sheet(book.active, report_heads(report.by), title, subtitle)
    figures.sheet.title = _("Figures")[:31]
    figures.percent(COMPLETION_COLUMN, COMPLETION_COLUMN + 1, COMPLETION_COLUMN + 2)
    for row in report.rows:
        figures.add([row_label(row, report.by), row.due, row.done, row.on_time, row.overdue, row.skipped, row.follow_ups,
                     row.completion if row.due else None, row.on_time_rate if row.due else None,
                     row.weighted if row.due else None, row.max_overdue_workdays, yes_no(row.flagged),
                     (row.responsible.name or row.responsible.id) if row.responsible else ""])
    figures.fit()
    if report.rows:
        _completion_chart(figures, len(report.rows), title)
    _notice_sheet(book, result)
    if result.follow_ups or any(row.follow_up.activity for row in report.rows):
        _follow_up_sheet(book, result)
    return save(book)


def _completion_chart(figures: Sheet, count: int, title: str) -> None:
    """A native bar chart (Excel and WPS draw it themselves) of the completion column, one bar per group."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.utils import get_column_letter

    sheet = figures.sheet
    chart = BarChart()
    chart.type = "bar"  # horizontal: long Chinese names stay readable
    chart.style = 10
    chart.title = title
    chart.legend = None
    first, last = figures.first_row, figures.first_row + count - 1
    data = Reference(sheet, min_col=COMPLETION_COLUMN, min_row=figures.head_row, max_row=last)
    names = Reference(sheet, min_col=1, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=True)
    for series in chart.series:  # the names are text: a text reference, so Excel and WPS label the bars by them
        series.cat = AxDataSource(strRef=StrRef(f=str(names)))
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first group on top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height = min(max(6.0, 0.6 * count + 2.5), 40.0)
    chart.width = 18.0
    sheet.add_chart(chart, f"{get_column_letter(len(figures.heads) + 2)}{figures.head_row}")


def _notice_sheet(book: Any, result: ReportResult) -> None:
    """通报: the flagged groups worst first — why, who answers for them, their late items; then the
    bottom groups on an indicator (--rank-by) and the outcomes of 督办 decided in the range."""
    from checklist.render.lead import flag_text, group_label

    report = result.report
    notice = Sheet(book.create_sheet(_("通报")[:31]),
                   [_("No."), group_label(report.by), _("weighted completion"), _("reason"), _("responsible"),
                    _("late items")])
    notice.percent(3)
    notice.wrap(4, 6)
    for n, row in enumerate(report.laggards, 1):
        late = [_("{title} ({owner}, due {due}, {n} working days late)").format(
            title=item.title, owner=result.names.get(item.officer, item.officer), due=short_date(item.due),
            n=item.overdue_workdays) for item in row.late[:10]]
        if row.overdue > 10:
            late.append(_("… and {n} more late").format(n=row.overdue - 10))
        notice.add([n, row.name, row.weighted, _("; ").join(flag_text(f, report) for f in row.flags),
                    (row.responsible.name or row.responsible.id) if row.responsible else "", "\n".join(late)])
    if not report.laggards:
        notice.add(["", _("Nobody is flagged.")])
    ranked = result.ranked
    if ranked is not None:
        from checklist.core.indicators import RATES
        from checklist.indicators import label

        notice.add([])
        notice.add(["", _("通报 · {indicator}, the bottom {n}").format(
            indicator=label(ranked.indicator), n=min(ranked.bottom, len(ranked.rows)))])
        for n, (_group, name, value) in enumerate(ranked.rows[:ranked.bottom], 1):
            notice.add([n, name, value if ranked.indicator in RATES else None,
                        f"{label(ranked.indicator)} {value:.1%}" if ranked.indicator in RATES
                        else f"{label(ranked.indicator)} {value}"])
    if report.sanctions:
        from checklist.reporting import sanctioned

        notice.add([])
        notice.add(["", _("通报 · outcomes of 督办 · {n}").format(n=len(report.sanctions))])
        for s in report.sanctions:
            people = "、".join(p["name"] or p["id"] for p in sanctioned(s, result))
            notice.add([s.id, people or s.target.get("name") or s.target["id"], None, s.outcome, s.closed_by or "",
                        " · ".join(p for p in (s.day, s.no) if p)])
    notice.fit()


def _follow_up_sheet(book: Any, result: ReportResult) -> None:
    """督办: per group over the range (opened, replied in time, late, sent back, closed, outcomes), then
    each follow-up in scope that was open at some point of the range."""
    from checklist.core import followups as fu
    from checklist.followup import opener_shown, target_shown
    from checklist.render.followups import outcome_word, state_word
    from checklist.render.lead import group_label

    report = result.report
    sheet = Sheet(book.create_sheet(_("督办")[:31]),
                  [group_label(report.by), _("opened"), _("replied in time"), _("late"), _("sent back"), _("closed"),
                   _("outcomes")])
    for row in report.rows:
        c = row.follow_up
        if c.activity:
            sheet.add([row.name, c.opened, c.replied_in_time, c.late, c.returned, c.closed, c.outcomes])
    records = result.follow_ups
    if records:
        sheet.add([])
        heads = [_("follow-up"), _("on"), _("opened by"), _("document no."), _("opened"), _("reply by"), _("state"),
                 _("days late"), _("last reply"), _("outcome")]
        first = sheet.sheet.max_row + 1
        sheet.add(heads)
        from openpyxl.styles import Font

        for cell in sheet.sheet[first]:
            cell.font = Font(bold=True)
        for r in sorted(records, key=fu.number):
            last = fu.last_reply(r) or {}
            sheet.add([r["id"], target_shown(r["target"]), opener_shown(r), r.get("no") or "", r["opened_at"][:10],
                       r["reply_due"], state_word(fu.state(r)), fu.late_days(r, report.as_of) or None, last.get("note", ""),
                       outcome_word(r.get("outcome"))])
    sheet.wrap(9)
    sheet.fit()


# -- items to fill in and load back ----------------------------------------------------------------------


def item_heads(columns: tuple[str, ...]) -> list[str]:
    """The items sheet's heads in the interface language: in Chinese the names ``import status`` reads
    (事项ID, 工号, 任务编码, 期间, 状态 …), in English the column names themselves."""
    words = {
        "id": pgettext("items column", "id"), "officer": pgettext("items column", "officer"),
        "name": pgettext("items column", "name"), "court": pgettext("items column", "court"),
        "department": pgettext("items column", "department"), "key": pgettext("items column", "key"),
        "title": pgettext("items column", "title"), "period": pgettext("items column", "period"),
        "due": pgettext("items column", "due"), "status": pgettext("items column", "status"),
        "done_at": pgettext("items column", "done_at"), "note": pgettext("items column", "note"),
        "priority": pgettext("items column", "priority"), "campaigns": pgettext("items column", "campaigns"),
        "overdue_days": pgettext("items column", "overdue_days"), "case": pgettext("items column", "case"),
    }
    return [words.get(c, c) for c in columns]


def status_words() -> dict[str, str]:
    """The status words the sheet writes and its drop-down offers (``import status`` reads each)."""
    return {"open": pgettext("status", "open"), "done": pgettext("status", "done"),
            "skipped": pgettext("status", "skipped"), "withdrawn": pgettext("status", "withdrawn")}


def items_workbook(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> bytes:
    """Items to fill in: heads and status words in the interface language, and on the status column a
    drop-down of the words ``import status`` takes (open, done, skipped)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = Sheet(book.active, item_heads(columns))
    sheet.sheet.title = _("Items")[:31]
    words = status_words()
    from checklist.render import priority_word

    for row in rows:
        values = []
        for column in columns:
            value = row.get(column, "")
            if column == "status":
                value = words.get(value, value)
            elif column == "priority":
                value = priority_word(value)
            elif isinstance(value, (list, tuple)):
                value = "、".join(str(v) for v in value)
            values.append(value)
        sheet.add(values)
    if "status" in columns:
        column = get_column_letter(columns.index("status") + 1)
        choices = ",".join(words[s] for s in ("done", "skipped", "open"))
        check = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showDropDown=False,
                               showErrorMessage=True, errorTitle=_("status"),
                               error=_("Choose one of: {words}").format(words=choices.replace(",", ", ")))
        check.add(f"{column}{sheet.first_row}:{column}{max(sheet.first_row, sheet.sheet.max_row) + 1000}")
        sheet.sheet.add_data_validation(check)
    sheet.fit()
    return save(book)
