"""Writing sheets: the summary-table shape the notices use, and no cell that can run.

`write_xlsx()` writes, top to bottom: title rows merged across the columns, the
"报送单位（负责人签字加盖公章）：… 汇总时间：… 年 … 月 … 日" line, the header, the data
and the remarks ("备注：1．…"), set up to print on landscape A4, fitted to the width,
the header repeated on every page, in a CJK font. XlsxWriter runs in constant-memory
mode and never turns strings into formulas, URLs or numbers.

Formula neutralising (both writers): a text value whose first character is one of
= + - @ tab CR LF or their full-width forms ＝＋－＠, or a single quote, is written with
one extra leading single quote ('). `unneutralize()` removes exactly that quote and
nothing else, so export → import is lossless: ``unneutralize(neutralize(s)) == s`` for
every string. Numbers, dates and booleans are written as such and need nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import os
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

try:  # a young Rust binding (rust_xlsxwriter): fast, but kept behind a tested fallback
    import rustpy_xlsxwriter
except ImportError:  # pragma: no cover - the fallback is tested by forcing the engine
    rustpy_xlsxwriter = None

#: The .xlsx writers. "rust" writes 100,000 rows × 13 cells in a fraction of XlsxWriter's
#: time (bench/export_groups.py) but lays the sheet out with two differences: remarks sit
#: unmerged in the first column (running across the empty cells) and dates are written as
#: text. "xlsxwriter" is the default and the fallback (no Rust binding installed, repeated
#: header labels); the registry exports ask for "rust" (`beian.transfer.exporters`).
ENGINES = ("rust", "xlsxwriter")
ENGINE = os.environ.get("BEIAN_XLSX_ENGINE", "xlsxwriter")

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
QUOTE = "'"
_NEEDS_QUOTE = FORMULA_TRIGGERS | {QUOTE}

SUBMITTER_LINE = (
    "报送单位（负责人签字加盖公章）：" + " " * 40 + "汇总时间：" + " " * 6 + "年" + " " * 5 + "月"
    + " " * 5 + "日"
)  # fmt: skip
DEFAULT_FONT = "宋体"
TITLE_FONT = "黑体"
_INVALID_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def neutralize(value: str) -> str:
    """The text to write for `value` so that no spreadsheet program runs it as a formula."""
    if value and value[0] in _NEEDS_QUOTE:
        return QUOTE + value
    return value


def unneutralize(value: str) -> str:
    """The original text of a cell written through `neutralize` (importers call this on
    every text cell; text typed by people that merely starts with a quote is kept)."""
    if len(value) > 1 and value[0] == QUOTE and value[1] in _NEEDS_QUOTE:
        return value[1:]
    return value


def display_width(text: str) -> int:
    """Columns a text takes in a sheet: 2 for a CJK or full-width character, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _default_widths(header: Sequence[str]) -> list[float]:
    widths = []
    for label in header:
        longest = max((display_width(part) for part in str(label).split("\n")), default=0)
        widths.append(float(min(40, max(8, longest + 4))))
    return widths


def write_xlsx(
    target: str | os.PathLike | IO[bytes],
    title_rows: Sequence[str] | str = (),
    header: Sequence[str] = (),
    rows: Iterable[Sequence[Any]] = (),
    remarks: Sequence[str] = (),
    column_widths: Sequence[float] | None = None,
    *,
    sheet_name: str = "Sheet1",
    submitter_line: str | None = SUBMITTER_LINE,
    font_name: str = DEFAULT_FONT,
    title_font_name: str = TITLE_FONT,
    engine: str | None = None,
) -> None:
    """Write one summary sheet to a path or a binary file object.

    `rows` may be any iterable (a generator keeps memory flat); cell values may be str,
    int, float, Decimal, bool (written 是/否), date, datetime or None. `remarks` are
    written one per row under the data, e.g. "备注：1．…", "2．…". `submitter_line=None`
    leaves out the 报送单位 line. `engine` picks the writer (`ENGINES`; default `ENGINE`):
    both write the same rows in the same places, and neither writes a formula."""
    if isinstance(title_rows, str):
        title_rows = [title_rows]
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    columns = max(len(header), 1)
    widths = list(column_widths) if column_widths else _default_widths(header)
    widths += [10.0] * (columns - len(widths))
    engine = engine or ENGINE
    if engine not in ENGINES:
        raise ValueError(f"unknown xlsx engine: {engine}")
    labels = [neutralize(str(label)) for label in header]
    if engine == "rust" and rustpy_xlsxwriter is not None and labels and (
        len(set(labels)) == len(labels)
    ):  # fmt: skip
        rows = iter(rows)
        head = next(rows, None)
        if head is not None or remarks:  # the Rust writer takes its header from a record
            rows = rows if head is None else itertools.chain([head], rows)
            _write_xlsx_rust(
                target, title_rows, labels, rows, remarks, widths[:columns],
                sheet_name=sheet_name, submitter_line=submitter_line, font_name=font_name,
                title_font_name=title_font_name,
            )  # fmt: skip
            return
        rows = ()

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": {"font_name": font_name, "font_size": 11},
        },
    )
    base = {"font_name": font_name, "font_size": 11, "valign": "vcenter"}
    title_format = workbook.add_format(
        {**base, "font_name": title_font_name, "font_size": 16, "bold": True, "align": "center"}
    )
    line_format = workbook.add_format({**base, "align": "left"})
    header_format = workbook.add_format(
        {**base, "bold": True, "align": "center", "text_wrap": True, "border": 1,
         "bg_color": "#F2F2F2"}
    )  # fmt: skip
    cell_format = workbook.add_format({**base, "border": 1, "text_wrap": True})
    date_format = workbook.add_format({**base, "border": 1, "num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({**base, "border": 1, "num_format": "yyyy-mm-dd hh:mm"})
    remark_format = workbook.add_format({**base, "align": "left", "text_wrap": True})

    sheet = workbook.add_worksheet(_sheet_name(sheet_name))
    for col, width in enumerate(widths[:columns]):
        sheet.set_column(col, col, width)
    total_width = sum(widths[:columns])

    row = 0

    def full_width_line(text: str, fmt, height: float | None = None) -> None:
        nonlocal row
        if height is not None:
            sheet.set_row(row, height)
        if columns > 1:
            sheet.merge_range(row, 0, row, columns - 1, neutralize(text), fmt)
        else:
            sheet.write_string(row, 0, neutralize(text), fmt)
        row += 1

    for title in title_rows:
        full_width_line(title, title_format, 30)
    if submitter_line:
        full_width_line(submitter_line, line_format, 20)
    header_row = row
    if header:
        lines = max(str(label).count("\n") + 1 for label in header)
        sheet.set_row(row, max(20, 15 * lines))
        for col, label in enumerate(header):
            sheet.write_string(row, col, neutralize(str(label)), header_format)
        row += 1

    for values in rows:
        for col, value in enumerate(values):
            _write_cell(sheet, row, col, value, cell_format, date_format, datetime_format)
        for col in range(len(values), columns):
            sheet.write_blank(row, col, None, cell_format)
        row += 1

    for remark in remarks:
        lines = sum(
            max(1, math.ceil(display_width(part) / max(total_width, 1)))
            for part in str(remark).split("\n")
        )
        full_width_line(str(remark), remark_format, 15 * lines + 3)

    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    if header:
        sheet.repeat_rows(header_row)
        sheet.freeze_panes(header_row + 1, 0)
    sheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
    workbook.close()


def _write_xlsx_rust(
    target, title_rows, labels, rows, remarks, widths, *, sheet_name, submitter_line,
    font_name, title_font_name,
) -> None:  # fmt: skip
    """The same sheet through rustpy-xlsxwriter, in constant memory: title and 报送单位
    lines merged above the header, the rows, the remarks under them (in the first column,
    unwrapped, so that they run across the empty cells to their right), printed landscape
    on A4 with grid lines. Text is written as text cells (never formulas) and neutralised
    as with XlsxWriter, so both engines' files import the same."""
    rx = rustpy_xlsxwriter
    columns = len(labels)
    last = columns - 1

    def fmt(size: float = 11, name: str = font_name) -> Any:
        return rx.Format().set_font_name(name).set_font_size(size).set_align("vcenter")

    title_format = fmt(16, title_font_name).set_bold().set_align("center")
    header_format = (
        fmt().set_bold().set_align("center").set_text_wrap().set_border("thin")
        .set_background_color("#F2F2F2")
    )  # fmt: skip
    merges: list[tuple] = []
    heights: dict[int, float] = {}
    for title in title_rows:
        heights[len(merges)] = 30
        merges.append((len(merges), 0, len(merges), last, neutralize(str(title)), title_format))
    if submitter_line:
        heights[len(merges)] = 20
        merges.append((len(merges), 0, len(merges), last, neutralize(submitter_line), fmt()))
    header_row = len(merges)
    lines = max(label.count("\n") + 1 for label in labels)
    heights[header_row] = max(20, 15 * lines)
    records = _rust_records(labels, rows)
    if remarks:
        records = _chain_remarks(records, labels, remarks)
    rx.write_worksheet(
        records,
        target,
        sheet_name=_sheet_name(sheet_name),
        header_row=header_row,
        header_format=header_format,
        merge_ranges=merges if columns > 1 else None,
        row_heights=heights,
        column_widths=list(widths),
        column_formats=[fmt()] * columns,
        freeze_row=header_row + 1,
        datetime_format="yyyy-mm-dd",
        ignore_errors=labels,
        page_setup={
            "landscape": True,
            "paper_size": 9,  # A4
            "fit_to_pages": (1, 0),
            "center_horizontally": True,
            "margins": {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6},
            "footer": "&C第 &P 页，共 &N 页",
            "repeat_rows": header_row,
            "print_gridlines": True,
        },
    )


def _rust_records(labels: list[str], rows: Iterable[Sequence[Any]]):
    """Rows as the dicts the Rust writer takes, each value as the XlsxWriter path writes it."""
    plain = (int, float, type(None))
    width = len(labels)
    for values in rows:
        cells = []
        for value in values:
            kind = value.__class__
            if kind is str:
                cells.append(QUOTE + value if value and value[0] in _NEEDS_QUOTE else value)
            elif kind in plain:
                cells.append(value if kind is not float or math.isfinite(value) else str(value))
            else:
                cells.append(_rust_value(value))
        if len(cells) < width:  # short rows: blank cells, as XlsxWriter writes them
            cells += [None] * (width - len(cells))
        yield dict(zip(labels, cells, strict=False))


def _rust_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else str(value)
    if isinstance(value, dt.datetime):  # as text: column formats would hide a date format
        return value.replace(tzinfo=None).isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralize(str(value))


def _chain_remarks(records, labels: list[str], remarks: Sequence[str]):
    yield from records
    for remark in remarks:
        yield {**dict.fromkeys(labels), labels[0]: neutralize(str(remark))}


def _write_cell(sheet, row: int, col: int, value: Any, fmt, date_fmt, datetime_fmt) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif value.__class__ is str:
        sheet.write_string(row, col, neutralize(value), fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float | Decimal):
        number = float(value)
        if math.isfinite(number):
            sheet.write_number(row, col, number, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), datetime_fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, date_fmt)
    else:
        sheet.write_string(row, col, neutralize(str(value)), fmt)


def _sheet_name(name: str) -> str:
    name = (name or "Sheet1").translate(_INVALID_SHEET_CHARS).strip("'")
    return name[:31] or "Sheet1"


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        return neutralize(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(" ", "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralize(str(value))


def write_csv(
    target: str | os.PathLike | IO,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title_rows: Sequence[str] = (),
) -> None:
    """Write a CSV in UTF-8 with a BOM (so that Excel detects the encoding), CRLF line
    ends, every text cell neutralised. `target` is a path, a binary or a text stream."""
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8-sig", newline="") as stream:
            _write_csv_rows(stream, header, rows, title_rows)
        return
    if isinstance(target, io.TextIOBase) or hasattr(target, "encoding"):
        target.write("\ufeff")
        _write_csv_rows(target, header, rows, title_rows)
        return
    stream = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    try:
        _write_csv_rows(stream, header, rows, title_rows)
        stream.flush()
    finally:
        stream.detach()


def _write_csv_rows(stream, header, rows, title_rows) -> None:
    writer = csv.writer(stream, lineterminator="\r\n")
    for title in title_rows:
        writer.writerow([neutralize(title)])
    if header:
        writer.writerow([neutralize(str(label)) for label in header])
    for values in rows:
        writer.writerow([_csv_text(value) for value in values])
