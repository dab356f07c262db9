"""The error report of an import: the rows of the uploaded sheet that have errors or
warnings, as they were typed, with the row number and a 错误说明 column, so a unit can fix
them in its own file. Written with `write_xlsx`: no cell can become a formula, even when
the uploaded cells were formula payloads."""

from __future__ import annotations

import io
from typing import Any

from beian.core.sheets import read_upload, write_xlsx

from .services import max_upload_bytes


def _header(sheet, header_rows: list[int], width: int) -> list[str]:
    rows = [sheet.rows[r - 1] if 0 < r <= len(sheet.rows) else [] for r in header_rows]
    header = []
    for col in range(width):
        parts = []
        for row in rows:
            value = row[col] if col < len(row) else ""
            text = " ".join(str(value).split()) if value not in (None, "") else ""
            if text and text not in parts:
                parts.append(text)
        header.append("".join(parts))
    return header


def error_report(data: bytes, file_name: str, plan: dict[str, Any]) -> bytes:
    """The report as .xlsx bytes; `plan` is `ImportPlan.as_dict()`."""
    _fmt, sheets = read_upload(file_name, data, max_bytes=max_upload_bytes())
    sheet = next((s for s in sheets if s.name == plan.get("sheet")), sheets[0])
    notes: dict[int, list[str]] = {}
    for row in plan.get("rows", []):
        texts = [m["message"] for m in row.get("errors", [])]
        texts += ["（警告）" + m["message"] for m in row.get("warnings", [])]
        if texts:
            notes[row["row"]] = texts
    width = max((len(sheet.rows[n - 1]) for n in notes if n <= len(sheet.rows)), default=0)
    header_rows = list(plan.get("header_rows") or [])
    if header_rows:
        width = max(width, *(len(sheet.rows[r - 1]) for r in header_rows if r <= len(sheet.rows)))
    header = _header(sheet, header_rows, width) + ["原行号", "错误说明"]
    body = []
    for number in sorted(notes):
        raw = list(sheet.rows[number - 1]) if number <= len(sheet.rows) else []
        raw += [None] * (width - len(raw))
        cells = [None if value == "" else value for value in raw[:width]]
        body.append([*cells, number, "\n".join(notes[number])])
    remarks = ["备注：请按“错误说明”在原文件中修改对应的行（原行号即原文件中的行号）后重新上传。"]
    remarks += [m["message"] for m in plan.get("messages", [])]
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        [f"导入错误报告：{file_name}"],
        header,
        body,
        remarks,
        [12.0] * width + [8.0, 60.0],
        sheet_name="错误报告",
        submitter_line=None,
    )
    return buffer.getvalue()
