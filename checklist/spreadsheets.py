"""Reading the spreadsheets offices live in: CSV (UTF-8 or GB18030) and XLSX.

``read_sheet`` turns a file into header-mapped rows, each with the row number the user sees in
Excel (the first line of the file is row 1), or refuses with one ``FILE:ROW: …`` line per
problem. It is forgiving about what offices really send — title rows above the header, blank
rows, a 合计 (total) row at the bottom, full-width characters and zero-width spaces in headers,
English or Chinese column names — and strict about what would lose data: text is decoded
strictly (a character that cannot be decoded is an error, never dropped), quotes must balance,
a row may not have more cells than the header.

Security: XLSX files are zip archives of XML. They are read with openpyxl, which uses defusedxml
(no entity expansion, no external entities), after the archive's sizes are checked so a zip bomb
is refused before anything is decompressed; sheets are capped in rows. openpyxl is imported only
here, only when an XLSX file is read.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from checklist.core.text import clean
from checklist.errors import InputError, by_place
from checklist.i18n import _, ngettext

MAX_FILE_BYTES = 100_000_000  # refused before a byte is read: a roster or status file is a few MB
MAX_CSV_ROWS = 1_000_000
MAX_XLSX_ROWS = 150_000
MAX_XLSX_BYTES = 200_000_000  # uncompressed, all parts together
MAX_XLSX_RATIO = 200  # uncompressed ÷ compressed, per part
MAX_HTML_CELLS = 1000  # cells in one row of a web page's table (a case list has a few dozen columns)
HEADER_SEARCH = 20  # a header may sit below this many title rows at most
TOTAL_WORDS = {"合计", "总计", "小计", "合 计", "总 计"}


def _header_key(text: str) -> str:
    return re.sub(r"[\s_\-:：*（）()]", "", clean(text).lower())


def _not_xlsx() -> str:
    return _("not a valid .xlsx file (it may be damaged or truncated); save it again from Excel or WPS")


def _too_many_rows() -> str:
    return _("the sheet has more than {n} rows; split it or save it as CSV").format(n=f"{MAX_XLSX_ROWS:,}")


def _unreadable_sheet(err: Exception) -> str:
    return _("the sheet cannot be read ({error}); save it again from Excel or WPS").format(error=type(err).__name__)


class Formula(str):
    """An XLSX cell holding a formula: imports want values, so these are refused by name."""


@dataclass
class Row:
    number: int
    values: dict[str, Any]


@dataclass
class Sheet:
    path: str  # as shown in messages
    header_row: int
    rows: list[Row]
    columns: dict[str, str] = field(default_factory=dict)  # field → the header text in the file
    problems: list[str] = field(default_factory=list)  # row-level problems found while reading


def read_sheet(
    path: Path,
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
) -> Sheet:
    """Read ``path`` into rows keyed by field name (``aliases`` maps each field to its header names).

    ``mapping`` adds header names (``{"承办人": "officer"}``). Raises InputError for a file that
    cannot be read at all; row-level problems are returned in ``Sheet.problems`` so the caller
    can add its own and report them together.
    """
    shown = str(path)
    data = _read_file(path, shown)
    kind = _sniff(data, path)
    if kind == "xlsx":
        records = _xlsx_records(path, shown, data, sheet)
    elif kind == "xls":
        records = _xls_records(shown, data, sheet)
    elif kind == "html":
        if sheet:
            raise InputError(f"{shown}: " + _("a sheet can only be chosen in a workbook; this is a web page (HTML)"),
                             field="sheet")
        records = _html_records(shown, data, encoding)
    else:
        if sheet:
            raise InputError(f"{shown}: " + _("a sheet can only be chosen in an .xlsx file; this is a CSV file"),
                             field="sheet")
        records = _csv_records(shown, data, encoding)
    return _map_rows(shown, records, aliases, required, mapping or {})


def _read_file(path: Path, shown: str) -> bytes:
    """The file's bytes — only a regular file, and only up to MAX_FILE_BYTES (checked before reading)."""
    import stat

    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{shown}: " + _("not a regular file (a device, pipe or folder); give a saved "
                                                  "spreadsheet"))
            if info.st_size > MAX_FILE_BYTES:
                raise InputError(f"{shown}: " + _("{n} MB, more than {limit} MB; split the file").format(
                    n=info.st_size // 1_000_000, limit=MAX_FILE_BYTES // 1_000_000))
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{shown}: " + _("no such file")) from None
    except IsADirectoryError:
        raise InputError(f"{shown}: " + _("not a regular file (a device, pipe or folder); give a saved "
                                          "spreadsheet")) from None
    except OSError as err:
        raise InputError(f"{shown}: " + _("cannot be read: {reason}").format(reason=err.strerror or err)) from None
    if len(data) > MAX_FILE_BYTES:  # it grew while we read it
        raise InputError(f"{shown}: " + _("more than {limit} MB; split the file").format(
            limit=MAX_FILE_BYTES // 1_000_000))
    return data


def _sniff(data: bytes, path: Path) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head[:1] == b"<" and re.match(rb"<(!doctype html|html|table|meta|head|body)", head[:20].lower()):
        return "html"
    if head[:1] == b"<" and head[:5].lower() == b"<?xml":
        raise InputError(f"{path}: " + _("this is an XML file (perhaps an Excel 2003 XML workbook); open it in Excel "
                                         "or WPS and save as .xlsx or CSV UTF-8"))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise InputError(f"{path}: " + _not_xlsx())
    return "csv"


# -- CSV --------------------------------------------------------------------------------------------


def _decode(shown: str, data: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputError(f"{shown}: " + _("unknown encoding '{name}' (try utf-8 or gb18030)").format(
                name=encoding)) from None
        except UnicodeDecodeError as err:
            raise InputError(f"{shown}:{_line_at(data, err.start)}: " + _(
                "not valid {name} text (byte {n}); is that the file's encoding?").format(name=encoding, n=err.start),
                field="encoding") from None
        except (UnicodeError, ValueError):  # a codec that is not a text encoding ('undefined', …)
            raise InputError(f"{shown}: " + _("unknown encoding '{name}' (try utf-8 or gb18030)").format(
                name=encoding)) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(f"{shown}:{_line_at(data, err.start + 3)}: " + _(
                "marked as UTF-8 but byte {n} is not UTF-8; save the file again as CSV UTF-8").format(
                n=err.start + 3)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{shown}: " + _("marked as UTF-16 but not valid UTF-16 text")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        _refuse_mixed(shown, data, err.start)
    try:
        return data.decode("gb18030")  # Excel's "CSV (逗号分隔)" on Chinese Windows: GBK, a subset
    except UnicodeDecodeError as err:
        raise InputError(f"{shown}:{_line_at(data, err.start)}: " + _(
            "neither UTF-8 nor GB18030 text (byte {n}); save it as CSV UTF-8").format(
            n=err.start), field="encoding") from None


def _refuse_mixed(shown: str, data: bytes, bad_at: int) -> None:
    """A file that is UTF-8 Chinese in places and something else elsewhere is refused, not guessed at.

    Decoding such a file whole as GB18030 would turn every UTF-8 name into mojibake without a word.
    """
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any("\u4e00" <= c <= "\u9fff" for c in text):
            raise InputError(f"{shown}:{_line_at(data, bad_at)}: " + _(
                "this line is not UTF-8, but line {line} is: the file mixes two encodings; save it again as CSV "
                "UTF-8 (or fix that line)").format(line=number))


def _line_at(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _csv_records(shown: str, data: bytes, encoding: str | None) -> list[tuple[int, list[Any]]]:
    text = _decode(shown, data, encoding)
    if "\0" in text:
        raise InputError(f"{shown}:{text[: text.index(chr(0))].count(chr(10)) + 1}: "
                         + _("contains a NUL byte; is this really a CSV file?"))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[Any]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            if number > MAX_CSV_ROWS:
                raise InputError(f"{shown}: " + _("more than {n} rows; split the file").format(n=f"{MAX_CSV_ROWS:,}"))
            records.append((number, cells))
    except csv.Error as err:
        text_of_error = str(err)
        if "expected after" in text_of_error:
            why = _('text follows a closing quote (") in a cell')
        elif "end of data" in text_of_error or "EOF" in text_of_error:
            why = _('a quote (") is opened and never closed')
        else:
            why = text_of_error
        raise InputError(f"{shown}:{number + 1}: " + _("unreadable CSV: {why}; check the quotes on that row").format(
            why=why)) from None
    return records


# -- legacy .xls and HTML tables -----------------------------------------------------------------------------


def _xls_records(shown: str, data: bytes, sheet: str | None) -> list[tuple[int, list[Any]]]:
    """A legacy Excel (BIFF) workbook's sheet, with xlrd: dates as dates, numbers as numbers."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception as err:  # xlrd raises its own kinds, and others, for a damaged file
        raise InputError(f"{shown}: " + _("this .xls workbook cannot be read ({reason}); open it in Excel or WPS and "
                                          "save as .xlsx or CSV UTF-8").format(reason=type(err).__name__)) from None
    try:
        names = book.sheet_names()
        if sheet is not None and sheet not in names:
            raise InputError(f"{shown}: " + _("no sheet named '{sheet}' (sheets: {names})").format(
                sheet=sheet, names=", ".join(names)), field="sheet")
        page = book.sheet_by_name(sheet) if sheet else book.sheet_by_index(0)
        if page.nrows > MAX_XLSX_ROWS:
            raise InputError(f"{shown}: " + _too_many_rows())
        records = []
        for r in range(page.nrows):
            cells: list[Any] = []
            for c in range(page.ncols):
                cell = page.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        cells.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        cells.append(cell.value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    cells.append(None)
                else:
                    cells.append(cell.value)
            records.append((r + 1, cells))
        return records
    except InputError:
        raise
    except Exception as err:
        raise InputError(f"{shown}: " + _("this .xls workbook cannot be read ({reason}); open it in Excel or WPS and "
                                          "save as .xlsx or CSV UTF-8").format(reason=type(err).__name__)) from None
    finally:
        book.release_resources()


def _html_records(shown: str, data: bytes, encoding: str | None) -> list[tuple[int, list[Any]]]:
    """The biggest table of a web page saved as .xls (what many case systems export), with lxml.

    The bytes are decoded as a CSV would be (UTF-8 or GB18030, or the page's own charset); a cell
    spanning columns is repeated across them, so a merged header still names every column; rows
    are numbered as the table's rows.
    """
    from lxml import etree, html

    declared = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", data[:2048])
    charset = declared.group(1).decode("ascii").lower() if declared else None
    if charset in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
        charset = "gb18030"  # what these pages really hold: names beyond GB2312 (镕) are common
    text = _decode(shown, data, encoding or charset)
    try:
        parser = html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise InputError(f"{shown}: " + _("this web page cannot be read ({reason})").format(reason=err)) from None
    tables = root.xpath("//table")
    if not tables:
        raise InputError(f"{shown}: " + _("this web page holds no table"))
    table = max(tables, key=lambda t: len(t.xpath(".//tr")))
    rows = table.xpath(".//tr")
    if len(rows) > MAX_XLSX_ROWS:
        raise InputError(f"{shown}: " + _too_many_rows())
    records = []
    for number, row in enumerate(rows, start=1):
        cells: list[Any] = []
        for cell in row.xpath("./td|./th"):
            value = " ".join(cell.text_content().split()) or None
            try:
                span = max(1, min(int(cell.get("colspan") or 1), 100))
            except ValueError:
                span = 1
            cells += [value] * span
            if len(cells) > MAX_HTML_CELLS:
                raise InputError(f"{shown}:{number}: " + _("a row of more than {n} cells; is this really a case "
                                                           "list?").format(n=MAX_HTML_CELLS))
        records.append((number, cells))
    return records


# -- XLSX -----------------------------------------------------------------------------------------------


def _xlsx_records(path: Path, shown: str, data: bytes, sheet: str | None) -> list[tuple[int, list[Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if info.file_size > 1_000_000 and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
                    raise InputError(f"{shown}: " + _("refused: '{part}' expands {n}× when unpacked (a zip bomb?)").format(
                        part=info.filename, n=info.file_size // max(info.compress_size, 1)))
            if total > MAX_XLSX_BYTES:
                raise InputError(f"{shown}: " + _("refused: unpacks to {n} MB, more than {limit} MB; split the "
                                                  "workbook").format(n=f"{total / 1e6:.0f}",
                                                                     limit=f"{MAX_XLSX_BYTES / 1e6:.0f}"))
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, EOFError, OSError):
        raise InputError(f"{shown}: " + _not_xlsx()) from None

    part = _sheet_part(data, sheet)
    if part and _count_rows(shown, data, part) > MAX_XLSX_ROWS:  # before openpyxl reads a byte of it
        raise InputError(f"{shown}: " + _too_many_rows())

    import warnings

    import openpyxl  # defusedxml is installed with checklist, and openpyxl uses it when present

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and data validation it skips
            # data_only=False: a formula cell comes back as its formula, so it can be refused by name
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{shown}: " + _("not a valid .xlsx file ({error}); save it again from Excel or WPS").format(
            error=type(err).__name__)) from None
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise InputError(f"{shown}: " + _("no sheet named '{sheet}' (sheets: {sheets})").format(
                    sheet=sheet, sheets=", ".join(workbook.sheetnames)))
            worksheet = workbook[sheet]
        elif not workbook.worksheets:
            raise InputError(f"{shown}: " + _("the workbook has no sheets"))
        else:
            worksheet = workbook.worksheets[0]
        try:
            declared = worksheet.max_row or 0
        except Exception as err:
            raise InputError(f"{shown}: " + _unreadable_sheet(err)) from None
        if declared > MAX_XLSX_ROWS:
            raise InputError(f"{shown}: " + _("the sheet has {n} rows, more than {limit}; split it or save it as "
                                              "CSV").format(n=f"{declared:,}", limit=f"{MAX_XLSX_ROWS:,}"))
        records = []
        try:
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if number > MAX_XLSX_ROWS:
                    raise InputError(f"{shown}: " + _too_many_rows())
                records.append((number, [Formula(c) if isinstance(c, str) and c.startswith("=") else c
                                         for c in cells]))
        except InputError:
            raise
        except Exception as err:
            raise InputError(f"{shown}: " + _unreadable_sheet(err)) from None
        return records
    finally:
        workbook.close()


def _sheet_part(data: bytes, sheet: str | None) -> str:
    """The archive path of the named (or first) sheet, read from the workbook's own index."""
    from defusedxml import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # anything odd is left to openpyxl, which reports it
        return ""
    sheets = workbook.findall(f"{main}sheets/{main}sheet")
    chosen = next((s for s in sheets if sheet is None or s.get("name") == sheet), None)
    if chosen is None:
        return ""
    target = next((r.get("Target", "") for r in rels if r.get("Id") == chosen.get(f"{rel}id")), "")
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _count_rows(shown: str, data: bytes, part: str) -> int:
    """Rows in a worksheet's XML, counted while it streams out of the archive (fast, bounded memory)."""
    if not part:
        return 0
    patterns = (b"<row", b":row ")
    count = 0
    tails = [b""] * len(patterns)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part.lstrip("/")) as stream:
            while (chunk := stream.read(1 << 20)) and count <= MAX_XLSX_ROWS:
                for n, pattern in enumerate(patterns):
                    block = tails[n] + chunk  # a tail shorter than the pattern cannot hold a whole one
                    count += block.count(pattern)
                    tails[n] = block[-(len(pattern) - 1):]
    except KeyError:
        return 0
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        # RuntimeError: zipfile's word for a part that is encrypted (a password-protected workbook)
        raise InputError(f"{shown}: " + _not_xlsx()) from None
    return count


# -- header and rows -------------------------------------------------------------------------------------


def _skipped(cells: list[Any]) -> bool:
    """Whether a row is blank, or a totals row (合计, 小计 …): its first filled cell says so."""
    first = cells[0] if cells else None
    if type(first) is str and first.isascii() and first.strip():  # most rows: an id first
        return first.strip().replace(" ", "") in TOTAL_WORDS
    first = next((c for c in cells if c is not None and (not isinstance(c, str) or clean(c))), None)
    return first is None or (isinstance(first, str) and clean(first).replace(" ", "") in TOTAL_WORDS)


def _map_rows(
    shown: str,
    records: list[tuple[int, list[Any]]],
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    mapping: dict[str, str],
) -> Sheet:
    lookup = {_header_key(a): name for name, names in aliases.items() for a in (name, *names)}
    for header, name in mapping.items():
        if name not in aliases:
            raise InputError(f"{header}={name}: " + _("'{name}' is not a column this import reads (it reads "
                                                      "{columns})").format(name=name, columns=", ".join(aliases)),
                             field="map")
        lookup[_header_key(header)] = name

    header_at = None
    for index, (number, cells) in enumerate(records[:HEADER_SEARCH]):
        names = {lookup.get(_header_key(str(c))) for c in cells if c is not None}
        if required[0] in names and len(names - {None}) >= min(2, len(required)):
            header_at = index
            break
    if header_at is None:
        wanted = ", ".join(f"{f}/{aliases[f][0]}" if aliases[f] else f for f in required)
        raise InputError(f"{shown}: " + _("no header row found in the first {n} rows; expected columns such as "
                                          "{columns}").format(n=HEADER_SEARCH, columns=wanted), field="map")

    header_number, header_cells = records[header_at]
    columns: dict[str, int] = {}
    texts: dict[str, str] = {}
    problems = []
    for col, cell in enumerate(header_cells):
        if cell is None:
            continue
        name = lookup.get(_header_key(str(cell)))
        if name is None:
            continue
        if name in columns:
            problems.append(f"{shown}:{header_number}: " + _("columns '{a}' and '{b}' both mean '{name}'").format(
                a=texts[name], b=cell, name=name))
            continue
        columns[name] = col
        texts[name] = str(cell).strip()
    missing = [f for f in required if f not in columns]
    if missing:
        columns = ", ".join(f"'{f}' ({'/'.join(aliases[f][:2])})" for f in missing)
        problems.append(f"{shown}:{header_number}: " + ngettext("missing column {columns}", "missing columns {columns}",
                                                                  len(missing)).format(columns=columns))
    if problems:
        raise InputError(f"{shown}: " + _("the header row cannot be used; nothing was imported"), problems)

    width = len(header_cells)
    while width and (header_cells[width - 1] is None or not str(header_cells[width - 1]).strip()):
        width -= 1
    rows = []
    row_problems = []
    for number, cells in records[header_at + 1:]:
        if _skipped(cells):
            continue
        extra = [c for c in cells[width:] if c is not None and str(c).strip()]
        if extra:
            row_problems.append(f"{shown}:{number}: " + _("has {n} or more cells but the header has {width}; a comma "
                                                          "inside a value needs quotes").format(
                n=width + len(extra), width=width))
            continue
        values = {name: (cells[col] if col < len(cells) else None) for name, col in columns.items()}
        if Formula in map(type, values.values()):
            row_problems += [f"{shown}:{number}: {name}: " + _("is a formula ({formula}); save the sheet with "
                                                               "values only").format(formula=value[:30])
                             for name, value in values.items() if isinstance(value, Formula)]
            continue
        rows.append(Row(number, values))
    return Sheet(shown, header_number, rows, texts, row_problems)


def refuse(sheet: Sheet, problems: list[str]) -> None:
    """Raise one InputError listing every problem, if there are any: nothing is imported."""
    everything = [_as_headed(sheet, p) for p in by_place(sheet.problems + problems)]
    if everything:
        count = len(everything)
        raise InputError(ngettext("{n} problem in {file}; nothing was imported",
                                  "{n} problems in {file}; nothing was imported", count).format(n=count, file=sheet.path),
                         everything)


def _as_headed(sheet: Sheet, problem: str) -> str:
    """'台账.csv:3: done_at: …' → '台账.csv:3: 完成时间: …': the column named as the file heads it."""
    found = _PROBLEM.match(problem)
    if found is None or found.group(2) not in sheet.columns:
        return problem
    return found.group(1) + sheet.columns[found.group(2)] + problem[found.end(2):]


_PROBLEM = re.compile(r"(.*?:\d+: )([a-z_]+)(?=: )")


# -- cell values -------------------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def text_of(value: Any) -> str:
    """A cell as text: numbers without a spurious '.0', matching-clean."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean(str(value))


def date_of(value: Any) -> date | str | None:
    """A cell as a date (None if empty), or the reason it is not one."""
    if value is None or (isinstance(value, str) and not clean(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial day number
            return EXCEL_EPOCH + timedelta(days=int(value))
        return _("'{value}' is not a date").format(value=value)
    text = clean(str(value))
    head = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(head)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return _("'{value}' is not a real date").format(value=text)
    return _("'{value}' is not a date (write 2026-11-09, 2026/9/1 or 2026年9月1日)").format(value=text)
