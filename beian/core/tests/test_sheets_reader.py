"""Reading: every format gives the same grid; the parser runs in a limited process."""

import datetime as dt
import io

import pytest

from beian.core.sheets import SheetError, StreamedRows, read_rows, read_upload, stream_upload
from beian.core.sheets.reader import MSG_TOO_BIG

from . import sheet_fixtures as F

GROUPS_ROW = ["１", "计算机学院", "微信群", "计院2022级辅导员群", "工作", "200人", "无"]


def test_xlsx_rows_start_at_a1_and_keep_types():
    sheets = read_rows(F.to_xlsx(F.pdsu_accounts()), "xlsx")
    rows = sheets[0].rows
    assert sheets[0].name == "附件2"
    assert rows[0][0] == "平顶山学院新媒体账号信息汇总表"
    assert rows[2][2] == "账号\n分级"
    assert rows[3][:4] == [1, "计算机学院", "二级", "微信公众号"]
    assert rows[5][6] == dt.date(2021, 5, 1)  # a date cell
    assert rows[4][6] == 2019.03  # "2019.03" typed into Excel becomes a number
    assert rows[7] == [5] + [""] * 13
    assert (3, 1, 5, 1) in sheets[0].merged  # 管理单位 merged over three rows


@pytest.mark.parametrize(
    ("build", "fmt", "merges_known"),
    [
        (F.to_xlsx, "xlsx", True),
        (F.to_xls, "xls", True),
        (F.to_ods, "ods", False),
        (lambda grid: F.to_csv(grid, "gbk"), "csv", False),
        (lambda grid: F.to_csv(grid, "utf-8-sig"), "csv", False),
        (lambda grid: F.to_csv(grid, "utf-8"), "csv", False),
        (lambda grid: F.to_csv(grid, "utf-16", delimiter="\t"), "csv", False),
    ],
)
def test_every_format_reads_the_same_cells(build, fmt, merges_known):
    sheet = read_rows(build(F.pdsu_groups()), fmt, name="附件3.csv")[0]
    assert sheet.rows[3][:7] == GROUPS_ROW
    assert sheet.rows[2][2] == "群聊\n平台"
    assert sheet.rows[6] == []  # an empty row
    assert sheet.rows[-1][0].endswith("群聊平台是指微信群、QQ群、钉钉群或其它。")
    assert (sheet.merged is not None) is merges_known


def test_csv_sheet_is_named_after_the_file():
    assert read_rows(F.to_csv(F.pdsu_groups()), "csv", name="C:\\fake\\附件3.csv")[0].name == (
        "附件3.csv"
    )


def test_in_process_and_isolated_parsing_agree():
    data = F.to_xlsx(F.pdsu_accounts(two_row_header=True), F.pdsu_groups())
    isolated = read_rows(data, "xlsx")
    local = read_rows(data, "xlsx", isolate=False)
    assert [(s.name, s.rows, s.merged) for s in isolated] == [
        (s.name, s.rows, s.merged) for s in local
    ]
    assert [s.name for s in isolated] == ["附件2", "附件3"]


def test_hidden_sheets_are_flagged():
    import xlsxwriter

    path_buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(path_buffer)
    workbook.add_worksheet("说明").write(0, 0, "填表说明")
    hidden = workbook.add_worksheet("数据")
    hidden.write(0, 0, "序号")
    hidden.hide()
    workbook.close()
    sheets = read_rows(path_buffer.getvalue(), "xlsx")
    assert [(s.name, s.visible) for s in sheets] == [("说明", True), ("数据", False)]


def test_trailing_empty_rows_are_dropped():
    grid = F.Grid(rows=[["序号", "名称"], [None, None], [1, "a"], [None, None], [None, None]])
    sheet = read_rows(F.to_csv(grid), "csv")[0]
    assert sheet.rows == [["序号", "名称"], [], ["1", "a"]]


def test_far_away_cell_is_refused_without_taking_the_process_down():
    # calamine would allocate a 17-billion-cell grid and abort; only the child dies.
    fmt, data = "xlsx", F.far_cell_xlsx()
    with pytest.raises(SheetError) as caught:
        read_rows(data, fmt)
    assert caught.value.message_zh == MSG_TOO_BIG


def test_parsing_is_time_boxed():
    data = F.to_xlsx(F.pdsu_accounts())
    with pytest.raises(SheetError, match="^文件解析超时"):
        read_rows(data, "xlsx", timeout=0.001)
    with pytest.raises(SheetError, match="^文件解析超时"):
        read_rows(F.to_csv(F.pdsu_accounts()), "csv", timeout=0)


def test_a_broken_workbook_is_refused():
    broken = F.xlsx_with_part("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r=")
    with pytest.raises(SheetError, match="^文件已损坏"):
        read_rows(broken, "xlsx")


def test_undecodable_csv_is_refused():
    with pytest.raises(SheetError, match="编码无法识别"):
        read_rows(b"\xff\xfe\x00\xd8", "csv")


def test_read_upload_checks_then_reads_a_file_object():
    stream = io.BytesIO(F.to_ods(F.hnwu_inventory()))
    fmt, sheets = read_upload("清查表.ods", stream)
    assert fmt == "ods"
    assert sheets[0].rows[3][:3] == [1.0, "党委宣传统战部", "湖南女子学院（hnwu_official）"]


def test_read_upload_refuses_before_parsing():
    with pytest.raises(SheetError, match="压缩炸弹"):
        read_upload("bomb.xlsx", F.zip_bomb())


def test_streamed_rows_are_those_read_at_once_and_arrive_while_read():
    data = F.to_xlsx(F.pdsu_groups())
    _fmt, at_once = read_upload("附件3.xlsx", data)
    fmt, sheets, close = stream_upload("附件3.xlsx", data)
    try:
        assert fmt == "xlsx"
        assert [(s.name, s.visible, s.merged) for s in sheets] == [
            (s.name, s.visible, s.merged) for s in at_once
        ]
        rows = sheets[0].rows
        assert isinstance(rows, StreamedRows) and len(rows) == len(at_once[0].rows)
        assert list(rows) == at_once[0].rows
        assert rows[3][:7] == GROUPS_ROW and rows[-1] == at_once[0].rows[-1]
        rows[3] = None  # a row that was read can be released
        assert rows[3] is None and rows[4] == at_once[0].rows[4]
    finally:
        close()


def test_streamed_rows_of_a_large_sheet_come_in_chunks(monkeypatch):
    grid = F.Grid(rows=[["序号", "群名称"]] + [[n, f"群{n}"] for n in range(1, 12_001)], merges=[])
    fmt, sheets, close = stream_upload("大表.xlsx", F.to_xlsx(grid))
    try:
        rows = sheets[0].rows
        assert len(rows) == 12_001 and len(rows._rows) < 12_001  # not all there at once
        assert rows[12_000] == [12_000, "群12000"] and rows[1] == [1, "群1"]
    finally:
        close()


def test_streamed_reading_refuses_what_reading_at_once_refuses():
    with pytest.raises(SheetError) as caught:
        stream_upload("far.xlsx", F.far_cell_xlsx())
    assert caught.value.message_zh == MSG_TOO_BIG
    broken = F.xlsx_with_part("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r=")
    with pytest.raises(SheetError, match="^文件已损坏"):
        stream_upload("broken.xlsx", broken)
    with pytest.raises(SheetError, match="^文件解析超时"):
        stream_upload("slow.xlsx", F.to_xlsx(F.pdsu_accounts()), timeout=0.001)
    with pytest.raises(SheetError, match="压缩炸弹"):
        stream_upload("bomb.xlsx", F.zip_bomb())
