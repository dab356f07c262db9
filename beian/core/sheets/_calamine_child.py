"""Load a workbook with python-calamine; run as a separate, resource-limited process.

This file is executed as a script (``python -I _calamine_child.py LIMITS``) by
`reader.read_rows`, with the workbook's bytes on stdin; it writes a pickle of the result
to stdout. It imports nothing from Beian (nor Django), so the child starts in ~50 ms.

Why a child process: calamine builds a dense grid from the smallest to the largest cell
address, so a 5 KB .xlsx with one cell in A1 and one in XFD1048576 asks for 512 GB and
the Rust allocator aborts the whole process; an .ods can repeat an empty cell a billion
times. No cheap pre-scan catches every variant (xlsx cells may omit their address), so
the parse runs under an address-space limit (RLIMIT_AS), a CPU-time limit, and a wall
clock timeout enforced by the parent, and a crash costs only the child.

`load(data, max_cells)` is also called in-process when isolation is switched off.

With a fourth argument "stream" the answer is a series of frames (8-byte length, then a
pickle), so that the parent can work on the first rows while later ones are converted:
("sheets", [(name, visible, rows, merged), …]) with the row count in place of the rows,
then ("rows", sheet index, [rows…]) in chunks of `STREAM_CHUNK`, then ("end",); or
("error", code, detail) in place of any of them.
"""

import contextlib
import gc
import io
import pickle
import sys

STREAM_CHUNK = 5_000


def _normalise_rows(rows: list[list]) -> list[list]:
    """Share equal strings (pickle then sends each once), empty rows as [], trailing empty
    rows dropped."""
    shared: dict[str, str] = {}
    get = shared.setdefault
    out: list[list] = []
    append = out.append
    keep = 0
    for row in rows:
        if row.count("") == len(row):
            append([])
        else:
            append([get(v, v) if v.__class__ is str else v for v in row])
            keep = len(out)
    del out[keep:]
    return out


def _used_rows(rows: list[list]) -> int:
    """How many rows are left once the trailing empty ones are dropped."""
    keep = len(rows)
    while keep and rows[keep - 1].count("") == len(rows[keep - 1]):
        keep -= 1
    return keep


def _normalise_chunk(rows: list[list]) -> list[list]:
    """As `_normalise_rows`, for a chunk of rows that ends before the trailing empty ones."""
    shared: dict[str, str] = {}
    get = shared.setdefault
    return [
        [] if row.count("") == len(row) else [get(v, v) if v.__class__ is str else v for v in row]
        for row in rows
    ]


def stream(data: bytes, max_cells: int, write, *, csv: bool = False) -> None:
    """`load` (or `load_csv`), answered in frames through `write(bytes)` (see the module's
    docstring)."""

    def send(message) -> None:
        frame = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        write(len(frame).to_bytes(8, "big") + frame)

    result = load_csv(data, max_cells) if csv else load(data, max_cells, normalise=False)
    if result[0] != "ok":
        send(result)
        return
    sheets = result[1]
    used = [_used_rows(rows) for _name, _visible, rows, _merged in sheets]
    send(
        (
            "sheets",
            [
                (name, visible, count, merged)
                for (name, visible, _r, merged), count in zip(sheets, used, strict=True)
            ],
        )
    )
    for index, (_name, _visible, rows, _merged) in enumerate(sheets):
        for start in range(0, used[index], STREAM_CHUNK):
            end = min(start + STREAM_CHUNK, used[index])
            send(("rows", index, _normalise_chunk(rows[start:end])))
            rows[start:end] = [None] * (end - start)  # sent: free them
    send(("end",))


def load(data: bytes, max_cells: int, *, normalise: bool = True) -> tuple:
    """("ok", [(name, visible, rows, merged), …]) or ("error", code, detail). Without
    `normalise` the rows are as calamine gives them (trailing empty rows included)."""
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        return ("error", "password", str(exc)[:500])
    except Exception as exc:  # calamine raises many types for a broken file
        return ("error", "corrupt", f"{type(exc).__name__}: {str(exc)[:500]}")
    sheets = []
    total = 0
    try:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.get_sheet_by_index(index)
            end = sheet.end
            if end is not None:
                total += (end[0] + 1) * (end[1] + 1)
            if total > max_cells:
                return ("error", "too_big", f"{sheet.name}: {end}")
            rows = sheet.to_python(skip_empty_area=False)
            if normalise:
                rows = _normalise_rows(rows)
            merged = sheet.merged_cell_ranges
            if merged is not None:
                merged = [(a[0], a[1], b[0], b[1]) for a, b in merged]
            visible = meta.visible == SheetVisibleEnum.Visible
            sheets.append((sheet.name, visible, rows, merged))
    except PasswordError as exc:
        return ("error", "password", str(exc)[:500])
    except Exception as exc:
        return ("error", "corrupt", f"{type(exc).__name__}: {str(exc)[:500]}")
    return ("ok", sheets)


# --- CSV ------------------------------------------------------------------------------------
# CSV is parsed here too, under the same limits as a workbook: a 20 MB file of newlines is
# 20 million rows, which in the web process cost 1.5 GB (issue 9, finding 6).

MAX_CSV_ROWS = 1_048_576  # Excel's own row limit: no sheet of ours is longer
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_csv(data: bytes):
    """The text of a CSV file: UTF-16 with a BOM, else UTF-8 (BOM optional), else GB18030;
    None if none fits (the same rule as `safety.decode_text`)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def load_csv(data: bytes, max_cells: int, max_rows: int = MAX_CSV_ROWS) -> tuple:
    """("ok", [("", True, rows, None)]) or ("error", code, detail): comma- or tab-separated
    (tab when the first lines hold more tabs than commas), empty rows as [], trailing empty
    rows dropped. Refused past `max_rows` rows ("too_many_rows") or `max_cells` cells
    ("too_big"; an empty row counts as one cell) as soon as the count passes it."""
    import csv

    text = decode_csv(data)
    if text is None:
        return ("error", "encoding", "")
    del data
    text = text.lstrip("\ufeff")
    head = text[:8192]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    rows: list[list] = []
    append = rows.append
    shared: dict[str, str] = {}
    get = shared.setdefault
    pending_empty = 0  # empty rows kept only once a non-empty row follows them
    count = cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            count += 1
            cells += len(row) or 1
            if count > max_rows:
                return ("error", "too_many_rows", str(max_rows))
            if cells > max_cells:
                return ("error", "too_big", f"{cells} cells")
            if any(row):
                if pending_empty:
                    rows.extend([] for _ in range(pending_empty))
                    pending_empty = 0
                append([get(v, v) for v in row])
            else:
                pending_empty += 1
    except csv.Error as exc:
        return ("error", "csv", str(exc)[:300])
    return ("ok", [("", True, rows, None)])


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    import resource

    for limit, value in (
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, 0),
    ):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (value, value))


def main(argv: list[str]) -> int:
    memory_bytes, cpu_seconds, max_cells = (int(arg) for arg in argv[1:4])
    flags = set(argv[4:])
    streaming, is_csv = "stream" in flags, "csv" in flags
    gc.disable()  # a short-lived process that builds millions of objects
    data = sys.stdin.buffer.read()
    import csv  # noqa: F401  (load the modules before the memory cap)

    import python_calamine  # noqa: F401

    _limit_resources(memory_bytes, cpu_seconds)
    if streaming:
        out = sys.stdout.buffer

        def write(frame: bytes) -> None:
            out.write(frame)
            out.flush()

        stream(data, max_cells, write, csv=is_csv)
        return 0
    result = load_csv(data, max_cells) if is_csv else load(data, max_cells)
    del data
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
