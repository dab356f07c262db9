"""Finding the header row of a sheet filled by hand and mapping its columns to keys.

A `Layout` lists the columns a sheet should have (key, Chinese header, aliases, required?,
fill down?). `find_header()` looks for the header among the first rows (under titles and
"报送单位（负责人签字加盖公章）：…汇总时间…" lines), accepting headers written with line
breaks, spaces, full-width or Traditional characters, 帐/账, "(万)"-style suffixes, in any
order, and a group header merged above two sub-headers ("负责老师" over "姓名 | 电话").
`extract_table()` then returns the data rows as dicts key → raw value, with their sheet
row numbers, skipping blank rows, 合计/小计 rows and repeated header rows, stopping at
备注/说明/填表人 footers, and filling merged or blank cells down in `fill_down` columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rapidfuzz import fuzz, process

from beian.core.text import to_simplified

from .errors import CellError, SheetError, cell_location, column_letter
from .reader import Sheet
from .writer import unneutralize

HEADER_SEARCH_ROWS = 20

# First non-empty cell of a row: rows starting like this are skipped…
SKIP_PREFIXES = ("合计", "总计", "小计", "共计", "总数")
# …and rows starting like this end the table (notes and signatures follow).
STOP_PREFIXES = (
    "备注",
    "注:",
    "注1",
    "说明",
    "填表说明",
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "审核:",
    "负责人签字",
    "单位负责人",
    "主要负责人签字",
    "填表日期",
    "填报日期",
)

_VARIANTS = str.maketrans({"帐": "账"})
_DROPPED = set("*※★☆:")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|〈[^〉]*〉|<[^>]*>")


def header_key(text: Any) -> str:
    """The comparison form of a header: NFKC, Simplified, 帐→账, case-folded, without white
    space (line breaks included) or required-field marks."""
    text = unicodedata.normalize("NFKC", str(text))
    text = to_simplified(text).translate(_VARIANTS).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in _DROPPED)


def _loose_key(key: str) -> str:
    """header_key without bracketed notes: "关注人数(万)" → "关注人数"."""
    return _BRACKETED.sub("", key)


@dataclass(frozen=True)
class Column:
    """One expected column. `serial` marks a 序号 column: a row with nothing but a serial
    number is blank (templates come pre-numbered). `fill_down`: an empty cell takes the
    value above (merged 管理单位 cells spanning rows, or "same as above" left blank)."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    fill_down: bool = False
    serial: bool = False


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of sheet; `title` names it in messages."""

    columns: tuple[Column, ...]
    title: str = ""
    search_rows: int = HEADER_SEARCH_ROWS

    def __post_init__(self):
        keys = [column.key for column in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError("Layout column keys must be unique")

    @cached_property
    def by_key(self) -> dict[str, Column]:
        return {column.key: column for column in self.columns}

    @cached_property
    def _exact(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for column in self.columns:
            for label in (column.header, *column.aliases):
                index.setdefault(header_key(label), column.key)
        return index

    @cached_property
    def _loose(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for column in self.columns:
            for label in (column.header, *column.aliases):
                index.setdefault(_loose_key(header_key(label)), column.key)
        return index

    def match(self, text: Any) -> str | None:
        """The key of the column whose header or alias `text` is, or None."""
        if text is None or text == "":
            return None
        key = header_key(text)
        if not key:
            return None
        found = self._exact.get(key)
        if found is None:
            found = self._loose.get(_loose_key(key)) or None
        return found


@dataclass(frozen=True, slots=True)
class MappedColumn:
    key: str
    index: int  # 0-based
    letter: str  # "F"
    header: str  # the layout's header, used in messages
    sheet_header: str  # as written in the sheet, white space collapsed


@dataclass(frozen=True)
class HeaderMatch:
    sheet: str
    rows: tuple[int, ...]  # 1-based sheet rows holding the header (one or two)
    columns: dict[str, MappedColumn]
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class Row:
    """A data row: `number` is the row as Excel shows it; `values` maps every key of the
    layout found in the sheet to the raw cell value (None when blank); `filled` names the
    keys whose value was filled down from above."""

    number: int
    values: dict[str, Any]
    filled: frozenset[str] = frozenset()


@dataclass
class Table:
    sheet: str
    header_rows: tuple[int, ...]
    columns: dict[str, MappedColumn]
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)

    def locate(self, row: Row | int, key: str) -> str:
        """ "工作表“Sheet1”第 5 行 F 列（关注人数）"."""
        number = row.number if isinstance(row, Row) else row
        column = self.columns.get(key)
        return cell_location(
            self.sheet, number, column.letter if column else None, column.header if column else key
        )

    def place(self, error: CellError, row: Row | int, key: str) -> CellError:
        """`error` placed at the cell of `key` in `row`."""
        number = row.number if isinstance(row, Row) else row
        column = self.columns.get(key)
        return error.at(
            sheet=self.sheet,
            row=number,
            column=column.letter if column else None,
            header=column.header if column else key,
        )

    def parse(
        self,
        row: Row,
        key: str,
        parser: Callable[..., Any],
        *,
        warnings: list[str] | None = None,
        **options: Any,
    ) -> Any:
        """`parser(value, warn=…, **options)` on the cell of `key`; a `CellError` comes out
        placed at the cell, and warnings (if a list is given) are prefixed with the place."""
        value = row.values.get(key)
        if warnings is not None:
            where = self.locate(row, key)
            options["warn"] = lambda message: warnings.append(f"{where}：{message}")
        try:
            return parser(value, **options)
        except CellError as error:
            raise self.place(error, row, key) from None


# ------------------------------------------------------------------------ header search


def _text(value: Any) -> str | None:
    if value.__class__ is str:
        stripped = value.strip()
        return stripped or None
    return None


def _row_texts(sheet: Sheet, index: int) -> list[str | None]:
    if index >= len(sheet.rows):
        return []
    return [_text(value) for value in sheet.rows[index]]


def _spread_merged(sheet: Sheet, index: int, texts: list[str | None]) -> list[str | None]:
    """A group header merged across columns, repeated over every column it spans."""
    texts = list(texts)
    if sheet.merged:
        for first_row, first_col, last_row, last_col in sheet.merged:
            if first_row <= index <= last_row and last_col > first_col:
                label = texts[first_col] if first_col < len(texts) else None
                if label is None and first_row < index:
                    label = _text(_cell(sheet.rows, first_row, first_col))
                if label is not None:
                    if len(texts) <= last_col:
                        texts.extend([None] * (last_col + 1 - len(texts)))
                    for col in range(first_col, last_col + 1):
                        texts[col] = label
    return texts


def _cell(rows: list[list[Any]], row: int, col: int) -> Any:
    if row < len(rows):
        values = rows[row]
        if col < len(values):
            return values[col]
    return None


def _match_single(layout: Layout, texts: list[str | None]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for col, text in enumerate(texts):
        key = layout.match(text) if text else None
        if key and key not in found:
            found[key] = (col, text)
    return found


def _match_pair(
    layout: Layout, upper: list[str | None], lower: list[str | None], merges_known: bool
) -> dict[str, tuple[int, str]]:
    width = max(len(upper), len(lower))
    upper = upper + [None] * (width - len(upper))
    lower = lower + [None] * (width - len(lower))
    if not merges_known:
        # Without merge information, a group header covers the blank cells to its right
        # that have a sub-header below them.
        for col in range(1, width):
            if (
                upper[col] is None
                and lower[col] is not None
                and upper[col - 1] is not None
                and lower[col - 1] is not None
            ):
                upper[col] = upper[col - 1]
    found: dict[str, tuple[int, str]] = {}
    for col in range(width):
        top, bottom = upper[col], lower[col]
        candidates = []
        if top and bottom:
            candidates.append(top + bottom)
        if bottom:
            candidates.append(bottom)
        if top:
            candidates.append(top)
        for text in candidates:
            key = layout.match(text)
            if key and key not in found:
                found[key] = (col, text)
                break
    return found


def find_header(sheet: Sheet, layout: Layout) -> HeaderMatch:
    """The header row (or two rows) of `sheet` for `layout`; raises `SheetError` when no
    row looks like the header or a required column is missing."""
    limit = min(layout.search_rows, len(sheet.rows))
    merges_known = sheet.merged is not None
    texts = [_spread_merged(sheet, i, _row_texts(sheet, i)) for i in range(limit + 1)]
    plain = [_row_texts(sheet, i) for i in range(limit)]
    best: tuple[int, int, tuple[int, ...], dict[str, tuple[int, str]]] | None = None
    for i in range(limit):
        single = _match_single(layout, plain[i])
        candidates = [((i,), single)]
        if i + 1 < len(texts) and texts[i + 1]:
            pair = _match_pair(layout, texts[i], texts[i + 1], merges_known)
            following = _match_single(layout, plain[i + 1]) if i + 1 < limit else {}
            if len(pair) > max(len(single), len(following)):
                candidates.append(((i, i + 1), pair))
        for rows, found in candidates:
            score = len(found)
            if best is None or score > best[0]:
                best = (score, -rows[0], rows, found)
    needed = min(2, len(layout.columns))
    if best is None or best[0] < needed:
        expected = "、".join(f"“{c.header}”" for c in layout.columns[:6])
        more = "等" if len(layout.columns) > 6 else ""
        raise SheetError(
            f"工作表“{sheet.name}”前 {layout.search_rows} 行中未找到表头"
            f"（应包含{expected}{more}列）"
        )
    _, _, rows, found = best
    columns = {
        key: MappedColumn(
            key=key,
            index=col,
            letter=column_letter(col),
            header=layout.by_key[key].header,
            sheet_header=" ".join(text.split()),
        )
        for key, (col, text) in sorted(found.items(), key=lambda item: item[1][0])
    }
    where = "、".join(f"第 {r + 1} 行" for r in rows)
    missing = [c.header for c in layout.columns if c.required and c.key not in columns]
    if missing:
        raise SheetError(f"工作表“{sheet.name}”的表头（{where}）缺少必填列：" + "、".join(missing))
    warnings = _header_warnings(sheet, layout, rows, texts, plain, columns)
    return HeaderMatch(
        sheet=sheet.name,
        rows=tuple(r + 1 for r in rows),
        columns=columns,
        warnings=tuple(warnings),
    )


def _header_warnings(
    sheet: Sheet,
    layout: Layout,
    rows: tuple[int, ...],
    texts: list[list[str | None]],
    plain: list[list[str | None]],
    columns: dict[str, MappedColumn],
) -> list[str]:
    used = {column.index for column in columns.values()}
    unmatched = [c.header for c in layout.columns if c.key not in columns]
    warnings = []
    if len(rows) == 1:
        labels = plain[rows[0]]
    else:
        upper, lower = texts[rows[0]], texts[rows[1]]
        width = max(len(upper), len(lower))
        labels = []
        for col in range(width):
            top = upper[col] if col < len(upper) else None
            bottom = lower[col] if col < len(lower) else None
            labels.append((top or "") + (bottom or "") or None)
    for col, label in enumerate(labels):
        if not label or col in used:
            continue
        key = layout.match(label)
        shown = " ".join(label.split())
        where = cell_location(sheet.name, rows[-1] + 1, column_letter(col))
        if key is not None:
            first = columns[key]
            warnings.append(
                f"{where}：列名“{shown}”与 {first.letter} 列重复，已忽略（使用 {first.letter} 列）"
            )
            continue
        hint = _suggest(header_key(label), unmatched)
        warnings.append(
            f"{where}：未识别的列“{shown}”，已忽略" + (f"（是否为“{hint}”？）" if hint else "")
        )
    return warnings


def _suggest(key: str, headers: Sequence[str]) -> str | None:
    if not headers or not key:
        return None
    choices = {header: header_key(header) for header in headers}
    found = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=75)
    return found[2] if found else None


# ----------------------------------------------------------------------- data extraction


def _prefix_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text[:12]).split())


def _row_kind(values: list[Any]) -> str | None:
    """ "skip" / "stop" when the first non-empty cell starts a 合计 row or a footer."""
    for value in values:
        if value is None or value == "":
            continue
        if value.__class__ is not str:
            return None
        start = _prefix_key(value)
        if not start:
            continue
        if start.startswith(SKIP_PREFIXES):
            return "skip"
        if start.startswith(STOP_PREFIXES):
            return "stop"
        return None
    return None


def extract_table(
    sheet: Sheet, layout: Layout, header: HeaderMatch | None = None, *, unquote: bool = True
) -> Table:
    """The data rows under the header (found with `find_header` unless given). Blank
    cells (empty or white space only) become None; with `unquote`, text written by our
    exporters through `neutralize` gets its original value back (`unneutralize`)."""
    if header is None:
        header = find_header(sheet, layout)
    keys = list(header.columns)
    rows = [
        Row(number=number, values=dict(zip(keys, values, strict=True)), filled=filled)
        for number, values, filled in iter_table_values(sheet, layout, header, unquote=unquote)
    ]
    return Table(
        sheet=sheet.name,
        header_rows=header.rows,
        columns=dict(header.columns),
        rows=rows,
        warnings=list(header.warnings),
    )


def iter_table_values(
    sheet: Sheet,
    layout: Layout,
    header: HeaderMatch,
    *,
    unquote: bool = True,
    release: bool = False,
) -> Iterator[tuple[int, list[Any], frozenset[str]]]:
    """The data rows under the header one at a time, as `extract_table` keeps them:
    (sheet row number, values in the order of `header.columns`, keys filled down). With
    `release`, each raw row is dropped from `sheet.rows` once read, so that a large sheet
    is never held twice (the caller consumes the sheet)."""
    columns = header.columns
    keys = list(columns)
    indexes = [columns[key].index for key in keys]
    content = [i for i, key in enumerate(keys) if not layout.by_key[key].serial]
    fill = [i for i, key in enumerate(keys) if layout.by_key[key].fill_down]
    header_texts = [columns[key].sheet_header for key in keys]
    first_text = header_texts[0] if header_texts else ""
    serials = len(keys) - len(content)
    needed = max(indexes, default=-1) + 1
    last: list[Any] = [None] * len(keys)
    source = sheet.rows
    start = header.rows[-1]  # 0-based index of the first row under the header
    for index in range(start, len(source)):
        raw = source[index]
        if release:
            source[index] = None
        if not raw:
            continue
        if len(raw) >= needed:
            values = [raw[i] for i in indexes]
        else:
            values = [raw[i] if i < len(raw) else None for i in indexes]
        # Blank text → None; our exporters' quote removed. One pass, no call per cell.
        values = [
            v
            if v.__class__ is not str or (v and v[0] != "'" and not v.isspace())
            else _clean_cell(v, unquote)
            for v in values
        ]
        kind = _row_kind(raw)
        if kind is not None:
            if kind == "stop":
                break
            continue
        if values.count(None) >= len(values) - serials:
            # Possibly blank: blank when every non-serial cell is.
            for i in content:
                if values[i] is not None:
                    break
            else:
                continue
        head = values[0]
        if (
            head.__class__ is str
            and " ".join(head.split()) == first_text
            and _is_repeated_header(values, header_texts)
        ):
            continue
        filled: frozenset[str] = frozenset()
        if fill:
            done = []
            for i in fill:
                if values[i] is None:
                    if last[i] is not None:
                        values[i] = last[i]
                        done.append(keys[i])
                else:
                    last[i] = values[i]
            if done:
                filled = frozenset(done)
        yield index + 1, values, filled


def _clean_cell(value: str, unquote: bool) -> str | None:
    if not value or value.isspace():
        return None
    return unneutralize(value) if unquote else value


def _is_repeated_header(values: list[Any], header_texts: list[str]) -> bool:
    """A header row pasted again further down (page breaks, merged submissions)."""
    same = 0
    filled = 0
    for value, text in zip(values, header_texts, strict=True):
        if value is None:
            continue
        filled += 1
        if value.__class__ is str and " ".join(value.split()) == text:
            same += 1
        elif same == 0:
            return False
    return filled > 0 and same * 2 >= filled


def find_table(sheets: Iterable[Sheet], layout: Layout, *, include_hidden: bool = False) -> Table:
    """The first sheet that has the layout's header, extracted. When none has, the most
    useful refusal: a sheet whose header lacks required columns beats "no header"."""
    first_error: SheetError | None = None
    missing_error: SheetError | None = None
    for sheet in sheets:
        if not sheet.visible and not include_hidden:
            continue
        try:
            header = find_header(sheet, layout)
        except SheetError as error:
            if "缺少必填列" in error.message_zh and missing_error is None:
                missing_error = error
            if first_error is None:
                first_error = error
            continue
        return extract_table(sheet, layout, header)
    raise missing_error or first_error or SheetError("文件中没有可读取的工作表")
