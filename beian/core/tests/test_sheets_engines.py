"""Both .xlsx writers behind `write_xlsx` (the Rust-backed one and the XlsxWriter fallback)
write the same sheet: titles, 报送单位 line, header, rows, remarks, and no cell that runs."""

import io
import zipfile

import openpyxl
import pytest

from beian.core.sheets import unneutralize, write_xlsx
from beian.core.sheets.writer import ENGINES, rustpy_xlsxwriter

from . import sheet_fixtures as F

HEADER = ["序号", "单位", "名称", "人数"]
PAYLOADS = ["=1+1", "@SUM(A1)", "+1", "-1", '=HYPERLINK("http://x")', "＝1+1", "'=1", "\t=1"]


@pytest.fixture(params=ENGINES)
def engine(request):
    if request.param == "rust" and rustpy_xlsxwriter is None:
        pytest.fail("rustpy-xlsxwriter is a declared dependency and must be installed")
    return request.param


def _sheet(engine, rows, remarks=("备注：1．群聊平台是指微信群、QQ群、钉钉群或其它。",)):
    buffer = io.BytesIO()
    write_xlsx(buffer, ["=某大学汇总表"], HEADER, rows, remarks, engine=engine)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_no_cell_runs_as_a_formula(engine):
    rows = [[n, "计算机学院", payload, 10] for n, payload in enumerate(PAYLOADS, start=1)]
    rows.append([99, *F.FORMULA_PAYLOADS[:3]])
    sheet = _sheet(engine, rows)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    for offset, payload in enumerate(PAYLOADS):
        cell = sheet.cell(row=4 + offset, column=3)
        assert cell.data_type == "s" and isinstance(cell.value, str)
        assert unneutralize(cell.value) == payload
    assert sheet["A1"].value == "'=某大学汇总表"


def test_the_layout_is_the_seeds(engine):
    sheet = _sheet(engine, [[1, "计算机学院", "计院群", 30], [2, "文学院", "文院群"]])
    assert [c.value for c in sheet[3]] == HEADER
    assert sheet["A2"].value.startswith("报送单位（负责人签字加盖公章）：")
    assert sheet["C5"].value == "文院群" and sheet["D5"].value is None
    assert sheet["A6"].value.startswith("备注：1．")
    assert {"A1:D1", "A2:D2"} <= {str(area) for area in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet["A1"].font.name == "黑体" and sheet["A3"].font.b
    assert int(sheet["D4"].value) == 30


def test_an_empty_sheet_has_its_header(engine):
    sheet = _sheet(engine, [], remarks=())
    assert [c.value for c in sheet[3]] == HEADER
