"""CSV is parsed in the isolated parser process with row and cell caps (issue 9, finding 6):
a 20 MB file of newlines took the web process from 361 MB to 1.86 GB when it was split here."""

from __future__ import annotations

import time

import pytest

from beian.core.sheets import SheetError, read_upload, stream_upload
from beian.core.sheets.reader import MAX_CSV_ROWS, read_rows

MB = 1024 * 1024


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_twenty_megabytes_of_newlines_are_refused_without_growing_this_process():
    """Finding 6: the hostile CSV is refused with a clear message naming the row limit, in
    a few seconds, and this (the web) process does not build its rows."""
    hostile = "名称\n".encode() + b"\n" * (20 * MB - 16)
    before = _rss_kb()
    started = time.monotonic()
    with pytest.raises(SheetError, match=f"超过 {MAX_CSV_ROWS} 行"):
        read_upload("名单.csv", hostile, max_bytes=20 * MB)
    with pytest.raises(SheetError, match="空行也算"):
        stream_upload("名单.csv", hostile, max_bytes=20 * MB)
    assert time.monotonic() - started < 20
    assert _rss_kb() - before < 80 * 1024  # the 20 MB input and its copies, not 1.5 GB


def test_a_file_of_nothing_but_newlines_is_empty_and_text_after_64_kb_is_not():
    with pytest.raises(SheetError, match="文件为空"):
        read_upload("空.csv", b"\r\n" * MB)
    assert read_upload("a.csv", b"\n" * 70_000 + "名称\n".encode())[1][0].rows[-1] == ["名称"]


def test_crlf_and_comma_only_lines_count_as_rows_too():
    with pytest.raises(SheetError, match="行"):
        read_rows(b"a\r\n" + b",\r\n" * (MAX_CSV_ROWS + 1), "csv")


def test_a_csv_over_the_cell_cap_is_refused_like_a_workbook():
    data = ("a," * 99 + "a\n").encode() * 200  # 20,000 cells
    with pytest.raises(SheetError, match="表格范围过大"):
        read_rows(data, "csv", max_cells=10_000)
    assert len(read_rows(data, "csv", max_cells=20_000)[0].rows) == 200


def test_a_streamed_csv_arrives_row_by_row_and_keeps_its_name():
    data = "名称,单位\n".encode() + "账号,文学院\n".encode() * 12_000 + b"\n\n\n"
    fmt, sheets, close = stream_upload("C:\\下载\\名单.csv", data)
    try:
        sheet = sheets[0]
        assert fmt == "csv" and sheet.name == "名单.csv"
        assert len(sheet.rows) == 12_001  # trailing empty rows dropped
        assert sheet.rows[0] == ["名称", "单位"]
        assert sheet.rows[12_000] == ["账号", "文学院"]
    finally:
        close()


def test_inner_empty_rows_are_kept_and_trailing_ones_dropped():
    sheet = read_rows(b"a,b\n\n\nc,d\n\n\n", "csv")[0]
    assert sheet.rows == [["a", "b"], [], [], ["c", "d"]]
