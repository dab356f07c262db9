"""Reading sheets: cell values as calamine returns them, row by row, per worksheet.

.xlsx / .xls / .ods are parsed by python-calamine in a separate, resource-limited process
(see `_calamine_child`); .csv too, in the same process under the same limits (UTF-8 with or
without BOM, then GB18030, or UTF-16 with a BOM; comma- or tab-separated; at most
`MAX_CSV_ROWS` rows and `max_cells` cells), so that a hostile CSV costs the web process
nothing.

Call `check_upload()` first (or use `read_upload()`, which does both): `read_rows()`
trusts the format it is given and relies on the zip checks done there.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import select
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import _calamine_child
from .errors import SheetError
from .safety import MSG_CORRUPT, MSG_PROTECTED, SheetFormat, check_upload

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0  # seconds of wall clock for one workbook
DEFAULT_MEMORY_LIMIT = 2 * 1024**3  # address space of the parsing process
DEFAULT_MAX_CELLS = 10_000_000  # cells of the used range, all sheets together
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # upload size cap suggested to callers

MAX_CSV_ROWS = _calamine_child.MAX_CSV_ROWS

MSG_TIMEOUT = "文件解析超时"
MSG_TOO_MANY_ROWS = f"表格超过 {MAX_CSV_ROWS} 行（Excel 表格的最大行数；空行也算），无法读取，请删除多余的空行或拆分后再上传"
MSG_CSV_ENCODING = "CSV 文件的编码无法识别，请另存为“CSV UTF-8”或 GBK 编码后再上传"
MSG_TOO_BIG = "表格范围过大或内容异常（可能含有大量空白格式或位置异常的单元格），无法读取"

_CHILD = Path(_calamine_child.__file__)


@dataclass(slots=True)
class Sheet:
    """One worksheet. `rows[0]` is Excel's row 1 and `rows[i][0]` column A; values are as
    calamine returns them (str, float, int, bool, date, datetime, time, timedelta; "" for
    an empty cell; CSV gives str only). An empty row is []; trailing empty rows are
    dropped. `merged` lists merged areas as 0-based inclusive (first_row, first_col,
    last_row, last_col); it is None when the format does not tell (.ods, .csv)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] | None = None
    visible: bool = True
    index: int = 0


def read_upload(
    name: str,
    data: bytes | IO[bytes],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[SheetFormat, list[Sheet]]:
    """`check_upload()` then `read_rows()`: the one call an import view needs."""
    fmt = check_upload(name, data, max_bytes)
    if not isinstance(data, bytes | bytearray | memoryview):
        position = data.tell()
        data.seek(0)
        raw = data.read()
        data.seek(position)
    else:
        raw = bytes(data)
    return fmt, read_rows(raw, fmt, name=name, timeout=timeout)


def stream_upload(
    name: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> tuple[SheetFormat, list[Sheet], Callable[[], None]]:
    """`read_upload` for large imports: the same checks, the same isolated parser, but a
    workbook's rows arrive while the caller reads them (`Sheet.rows` is a `StreamedRows`:
    indexing waits for the row), so that the caller works on the first rows while the
    parser converts the rest, and can release rows it has read (`rows[i] = None`): the
    whole sheet is never held at once. A parser failure or the timeout raises `SheetError`
    from the indexing that meets it. Returns (format, sheets, close); call `close()` when
    done (it stops the parser if rows were left unread). CSV is read at once."""
    fmt = check_upload(name, data, max_bytes)
    is_csv = fmt is SheetFormat.CSV
    stream = _ChildStream(bytes(data), timeout, memory_limit, max_cells, csv=is_csv)
    try:
        first = stream.frame()
        if first[0] != "sheets":
            stream.refuse(first)
        sheets = [
            Sheet(
                name=_csv_sheet_name(name, None) if is_csv else sheet_name,
                rows=StreamedRows(stream, index, count),
                merged=merged,
                visible=visible,
                index=index,
            )
            for index, (sheet_name, visible, count, merged) in enumerate(first[1])
        ]
    except BaseException:
        stream.close()
        raise
    if not sheets:
        stream.close()
        raise SheetError("文件中没有工作表")
    stream.sheets = [sheet.rows for sheet in sheets]
    return fmt, sheets, stream.close


def read_rows(
    source: bytes | str | os.PathLike | IO[bytes],
    fmt: SheetFormat | str,
    *,
    name: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    max_cells: int = DEFAULT_MAX_CELLS,
    isolate: bool = True,
) -> list[Sheet]:
    """All worksheets of a workbook (chart and macro sheets skipped), or the one "sheet" of
    a CSV file (named after the file). Raises `SheetError` on a broken, protected,
    oversized or too slow file. `isolate=False` parses in this process (trusted files
    only: it removes the memory and time limits)."""
    fmt = SheetFormat(fmt)
    data = _read_source(source)
    is_csv = fmt is SheetFormat.CSV
    if isolate:
        result = _load_in_child(data, timeout, memory_limit, max_cells, csv=is_csv)
    elif is_csv:
        result = _calamine_child.load_csv(data, max_cells)
    else:
        result = _calamine_child.load(data, max_cells)
    if result[0] != "ok":
        _refuse(result[1], result[2])
    sheets = [
        Sheet(
            name=_csv_sheet_name(name, source) if is_csv else sheet_name,
            rows=rows,
            merged=merged,
            visible=visible,
            index=index,
        )
        for index, (sheet_name, visible, rows, merged) in enumerate(result[1])
    ]
    if not sheets:
        raise SheetError("文件中没有工作表")
    return sheets


def _refuse(code: str, detail: str) -> None:
    """The SheetError for the parser's ("error", code, detail) answer."""
    logger.info("sheet refused by the parser: %s %s", code, detail)
    if code == "password":
        raise SheetError(MSG_PROTECTED)
    if code == "too_big":
        raise SheetError(MSG_TOO_BIG)
    if code == "too_many_rows":
        raise SheetError(MSG_TOO_MANY_ROWS)
    if code == "encoding":
        raise SheetError(MSG_CSV_ENCODING)
    if code == "csv":
        raise SheetError(f"CSV 文件格式有误：{detail}")
    raise SheetError(MSG_CORRUPT)


def _read_source(source) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        return source.read()
    raise TypeError("read_rows() needs bytes, a path or a binary file object")


def _csv_sheet_name(name: str | None, source) -> str:
    if not name and isinstance(source, str | os.PathLike):
        name = str(source)
    if not name:
        return "CSV"
    return name.replace("\\", "/").rsplit("/", 1)[-1]


# ------------------------------------------------------------------------- child process


class _DatesOnly(pickle.Unpickler):
    """The child's answer holds only plain values and datetime objects; refuse anything
    else, so that even a compromised parser could not make us run code."""

    _ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
                ("datetime", "timedelta"), ("datetime", "timezone")}  # fmt: skip

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def _load_in_child(
    data: bytes, timeout: float, memory_limit: int, max_cells: int, *, csv: bool = False
) -> tuple:
    command = [
        sys.executable,
        "-I",
        str(_CHILD),
        str(int(memory_limit)),
        str(int(timeout) + 1),
        str(int(max_cells)),
        *(["csv"] if csv else []),
    ]
    try:
        done = subprocess.run(  # noqa: S603  (our own script, fixed arguments)
            command,
            input=data,
            capture_output=True,
            timeout=timeout,
            env={"LC_ALL": "C.UTF-8", "RUST_BACKTRACE": "0"},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SheetError(f"{MSG_TIMEOUT}（超过 {timeout:g} 秒），请检查文件或拆分后再上传") from exc
    except OSError as exc:  # no usable interpreter (e.g. embedded in uWSGI)
        logger.exception("cannot start the sheet parser process with %s", sys.executable)
        raise SheetError("服务器暂时无法解析表格文件，请稍后再试或联系管理员") from exc
    if done.returncode != 0 or not done.stdout:
        logger.warning(
            "sheet parser process failed (code %s): %s",
            done.returncode,
            done.stderr[-2000:].decode("utf-8", "replace"),
        )
        if done.returncode in (-24, 152):  # SIGXCPU: the CPU-time limit
            raise SheetError(f"{MSG_TIMEOUT}（超过 {timeout:g} 秒），请检查文件或拆分后再上传")
        raise SheetError(MSG_TOO_BIG)
    try:
        return _DatesOnly(io.BytesIO(done.stdout)).load()
    except Exception as exc:
        logger.warning("sheet parser process answered garbage: %s", exc)
        raise SheetError(MSG_CORRUPT) from exc


class StreamedRows(Sequence):
    """The rows of one worksheet as the parser sends them: `rows[i]` waits until row i
    has arrived; `rows[i] = None` releases a row that was read."""

    def __init__(self, stream: _ChildStream, index: int, count: int):
        self._stream = stream
        self._index = index
        self._count = count
        self._rows: list[Any] = []

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._count))]
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(i)
        while i >= len(self._rows):
            self._stream.pull()
        return self._rows[i]

    def __setitem__(self, i: int, value: None) -> None:
        self[i]  # noqa: B018  (a row must have arrived to be released)
        self._rows[i] = value

    def _extend(self, rows: list[list[Any]]) -> None:
        self._rows += rows


class _ChildStream:
    """The parser process in streaming mode: frames read with the wall-clock deadline."""

    def __init__(
        self, data: bytes, timeout: float, memory_limit: int, max_cells: int, *, csv=False
    ):
        command = [
            sys.executable,
            "-I",
            str(_CHILD),
            str(int(memory_limit)),
            str(int(timeout) + 1),
            str(int(max_cells)),
            "stream",
            *(["csv"] if csv else []),
        ]
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.sheets: list[StreamedRows] = []
        self.done = False
        try:
            self.process = subprocess.Popen(  # noqa: S603  (our own script, fixed arguments)
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={"LC_ALL": "C.UTF-8", "RUST_BACKTRACE": "0"},
            )
        except OSError as exc:
            logger.exception("cannot start the sheet parser process with %s", sys.executable)
            raise SheetError("服务器暂时无法解析表格文件，请稍后再试或联系管理员") from exc
        self.buffer = bytearray()
        try:
            self.process.stdin.write(data)  # the child reads all of it before answering
            self.process.stdin.close()
        except BrokenPipeError:
            pass  # it died early: the answer (or its absence) says why

    def _read(self, size: int) -> bytes:
        fd = self.process.stdout.fileno()
        while len(self.buffer) < size:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self._timeout()
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                self._timeout()
            chunk = os.read(fd, max(65536, size - len(self.buffer)))
            if not chunk:
                self._failed()
            self.buffer += chunk
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def frame(self) -> tuple:
        size = int.from_bytes(self._read(8), "big")
        try:
            return _DatesOnly(io.BytesIO(self._read(size))).load()
        except SheetError:
            raise
        except Exception as exc:
            logger.warning("sheet parser process answered garbage: %s", exc)
            self.close()
            raise SheetError(MSG_CORRUPT) from exc

    def pull(self) -> None:
        """Read the next frame of rows and hand it to its sheet."""
        if self.done:
            raise SheetError(MSG_CORRUPT)  # a sheet claimed more rows than were sent
        message = self.frame()
        if message[0] == "rows":
            self.sheets[message[1]]._extend(message[2])
        elif message[0] == "end":
            self.done = True
            self.close()
        else:
            self.refuse(message)

    def refuse(self, message: tuple) -> None:
        self.close()
        if message[0] != "error":
            raise SheetError(MSG_CORRUPT)
        _refuse(message[1], message[2])

    def _timeout(self) -> None:
        self.close()
        raise SheetError(f"{MSG_TIMEOUT}（超过 {self.timeout:g} 秒），请检查文件或拆分后再上传")

    def _failed(self) -> None:
        """The parser's output ended before its last frame: it crashed or hit a limit."""
        process = self.process
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        logger.warning(
            "sheet parser process failed (code %s): %s",
            process.returncode,
            process.stderr.read()[-2000:].decode("utf-8", "replace"),
        )
        self.close()
        if process.returncode in (-24, 152):  # SIGXCPU: the CPU-time limit
            self._timeout()
        raise SheetError(MSG_TOO_BIG)

    def close(self) -> None:
        """Stop the parser (if it is still sending) and reap it."""
        process = self.process
        if process.poll() is None:
            if not self.done:
                process.kill()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe and not pipe.closed:
                pipe.close()
