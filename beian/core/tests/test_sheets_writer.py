"""Writing: the summary-sheet shape, and no cell that Excel could run as a formula."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from beian.core.sheets import (
    SUBMITTER_LINE,
    Column,
    Layout,
    find_table,
    neutralize,
    read_rows,
    read_upload,
    unneutralize,
    write_csv,
    write_xlsx,
)
from beian.core.sheets.writer import FORMULA_TRIGGERS

from . import sheet_fixtures as F

HEADER = [column.header for column in F.ACCOUNTS.columns]
TITLE = "平顶山学院新媒体账号信息汇总表"
REMARKS = ["备注：1．新媒体账号指本单位管理范围内所有新媒体平台；", "2．关注人数以万为单位。"]


def payload_rows():
    """Every text column carries a payload; numbers, dates and blanks in between."""
    rows = []
    for number, payload in enumerate(F.FORMULA_PAYLOADS, start=1):
        rows.append(
            [number, payload, payload, payload, payload, payload, dt.date(2019, 3, 1), None,
             1.2, payload, payload, payload, payload, payload]
        )  # fmt: skip
    return rows


def xlsx_bytes(rows, **options) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, [TITLE], HEADER, rows, REMARKS, **options)
    return buffer.getvalue()


def openpyxl_text(value: str) -> str:
    """openpyxl leaves OOXML's escape of a carriage return in shared strings as is."""
    return value.replace("_x000D_", "\r")


def test_no_cell_is_a_formula_and_every_value_round_trips():
    rows = payload_rows()
    data = xlsx_bytes(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    for offset, expected in enumerate(rows):
        cells = [cell.value for cell in sheet[4 + offset]]
        for value, original in zip(cells, expected, strict=True):
            if isinstance(original, str):
                assert unneutralize(openpyxl_text(value)) == original
                assert value[0] not in FORMULA_TRIGGERS
            elif isinstance(original, dt.date):
                assert value.date() == original
            else:
                assert value == original


def test_titles_headers_and_remarks_are_neutralised_too():
    buffer = io.BytesIO()
    write_xlsx(buffer, ["=1+1"], ["@SUM(A1)", "名称"], [], ["-1+1"], submitter_line="+1")
    sheet = openpyxl.load_workbook(buffer).active
    assert [sheet["A1"].value, sheet["A2"].value, sheet["A3"].value, sheet["A4"].value] == [
        "'=1+1",
        "'+1",
        "'@SUM(A1)",
        "'-1+1",
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_our_export_reads_back_through_our_import():
    rows = payload_rows()
    fmt, sheets = read_upload("汇总表.xlsx", xlsx_bytes(rows))
    table = find_table(sheets, F.ACCOUNTS)
    assert table.header_rows == (3,)
    text_keys = [key for key, value in zip(table.columns, rows[0], strict=True)
                 if isinstance(value, str)]  # fmt: skip
    assert len(text_keys) == 10
    for key in text_keys:
        assert [row.values[key] for row in table.rows] == F.FORMULA_PAYLOADS
    assert table.rows[0].values["created"] == dt.date(2019, 3, 1)
    assert table.rows[0].values["audience"] == 1.2
    assert table.rows[0].values["verified"] is None


def test_sheet_shape_and_print_setup():
    data = xlsx_bytes([[1, "计算机学院", "二级", "微信公众号", "计院", True]])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet["A1"].value == TITLE
    assert sheet["A2"].value == SUBMITTER_LINE
    assert "汇总时间" in SUBMITTER_LINE and SUBMITTER_LINE.startswith(
        "报送单位（负责人签字加盖公章）："
    )
    assert [cell.value for cell in sheet[3]] == HEADER
    assert sheet["F4"].value == "是"
    assert sheet["G4"].value is None  # short rows are padded with bordered blanks
    assert sheet["A5"].value == REMARKS[0]
    merged = {str(area) for area in sheet.merged_cells.ranges}
    assert {"A1:N1", "A2:N2", "A5:N5", "A6:N6"} <= merged
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet["A1"].font.name == "黑体"
    assert sheet["A3"].font.name == "宋体" and sheet["A3"].font.b
    assert sheet["B4"].font.name == "宋体"
    assert sheet.column_dimensions["B"].width > 8


def test_column_widths_and_sheet_name():
    buffer = io.BytesIO()
    write_xlsx(
        buffer, [], ["a", "b"], [["x", "y"]], column_widths=[12, 30], sheet_name="附件2:汇总"
    )
    sheet = openpyxl.load_workbook(buffer).active
    assert sheet.title == "附件2_汇总"
    assert [sheet.column_dimensions[c].width for c in "AB"] == [
        pytest.approx(12, abs=1),
        pytest.approx(30, abs=1),
    ]


def test_rows_may_be_a_generator(tmp_path):
    path = tmp_path / "big.xlsx"
    write_xlsx(path, [TITLE], ["序号", "名称"], ([n, f"账号{n}"] for n in range(5000)))
    sheets = read_rows(path, "xlsx", isolate=False)
    assert sheets[0].rows[-1] == [4999, "账号4999"]


def test_csv_has_a_bom_and_neutralised_cells_that_read_back():
    buffer = io.BytesIO()
    rows = [[n, payload, dt.date(2019, 3, 1), 1.5, None, True] for n, payload in
            enumerate(F.FORMULA_PAYLOADS)]  # fmt: skip
    header = ["序号", "账号名称", "创建时间", "关注人数", "账号分级", "管理单位"]
    write_csv(buffer, header, rows)
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n'=1+1" not in text and ",'=1+1," in text
    layout = Layout(tuple(Column(key, label) for key, label in zip(
        ["seq", "name", "created", "audience", "tier", "unit"], header, strict=True)))  # fmt: skip
    table = find_table(read_rows(data, "csv"), layout)
    assert [row.values["name"] for row in table.rows] == F.FORMULA_PAYLOADS
    assert table.rows[0].values["created"] == "2019-03-01"
    assert table.rows[0].values["audience"] == "1.5"
    assert table.rows[0].values["unit"] == "是"


def test_csv_to_a_path_and_to_a_text_stream(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(path, ["名称"], [["=1"]], title_rows=["+标题"])
    assert path.read_bytes() == "\ufeff'+标题\r\n名称\r\n'=1\r\n".encode()
    stream = io.StringIO()
    write_csv(stream, ["名称"], [["@x"]])
    assert stream.getvalue() == "\ufeff名称\r\n'@x\r\n"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("＝1", "'＝1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠A1", "'＠A1"),
        ("'abc", "''abc"),
        ("abc", "abc"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_neutralize(value, written):
    assert neutralize(value) == written
    assert unneutralize(written) == value


def test_unneutralize_keeps_text_people_typed():
    assert unneutralize("'abc") == "'abc"
    assert unneutralize("'") == "'"


@given(st.text())
def test_neutralize_round_trip_is_lossless(text):
    written = neutralize(text)
    assert unneutralize(written) == text
    assert written[:1] not in FORMULA_TRIGGERS
