"""The two errors of the spreadsheet layer and how a cell's place is written in Chinese.

`SheetError` refuses a whole file or sheet (too big, not a spreadsheet, no header row…);
`CellError` refuses one value. Normalisers raise a bare `CellError("“abc”不是有效的数字")`;
the caller, who knows where the value came from, attaches the place with `.at(...)`, and
the message then reads "工作表“Sheet1”第 5 行 F 列（关注人数）：“abc”不是有效的数字".
"""

from __future__ import annotations

from typing import Any


class SheetError(Exception):
    """The file or sheet cannot be used at all; `message_zh` is shown to the user as is."""

    def __init__(self, message_zh: str):
        super().__init__(message_zh)
        self.message_zh = message_zh


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA" (the letters Excel shows above a column)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_location(
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    header: str | None = None,
) -> str:
    """ "工作表“Sheet1”第 5 行 F 列（关注人数）", leaving out the parts that are unknown."""
    parts = []
    if sheet:
        parts.append(f"工作表“{sheet}”")
    if row is not None:
        parts.append(f"第 {row} 行")
    if column:
        parts.append(f"{' ' if row is not None else ''}{column} 列")
    text = "".join(parts)
    if header:
        text += f"（{header}）"
    return text


def show_value(value: Any, limit: int = 40) -> str:
    """A cell value as it is quoted in a message: text as typed, shortened if long."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class CellError(ValueError):
    """One value is wrong. `reason` says what ("“abc”不是有效的数字"); the place (sheet,
    1-based row, column letter, header) is attached by whoever knows it, with `at()`."""

    def __init__(
        self,
        reason: str,
        *,
        value: Any = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        header: str | None = None,
    ):
        self.reason = reason
        self.value = value
        self.sheet = sheet
        self.row = row
        self.column = column
        self.header = header
        super().__init__(self.message_zh)

    def at(
        self,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        header: str | None = None,
    ) -> CellError:
        """A copy of this error placed at a cell (parts already known are kept)."""
        return CellError(
            self.reason,
            value=self.value,
            sheet=sheet if sheet is not None else self.sheet,
            row=row if row is not None else self.row,
            column=column if column is not None else self.column,
            header=header if header is not None else self.header,
        )

    @property
    def location(self) -> str:
        return cell_location(self.sheet, self.row, self.column, self.header)

    @property
    def message_zh(self) -> str:
        location = self.location
        return f"{location}：{self.reason}" if location else self.reason

    def __str__(self) -> str:
        return self.message_zh
