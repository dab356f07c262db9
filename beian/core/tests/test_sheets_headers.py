"""Header finding and row extraction on sheets filled the way units fill them."""

import datetime as dt

import pytest

from beian.core.sheets import (
    CellError,
    Column,
    Layout,
    Sheet,
    SheetError,
    clean_text,
    extract_table,
    find_header,
    find_table,
    parse_audience_wan,
    parse_bool,
    parse_count,
    parse_phone,
    parse_year_month,
    read_rows,
)
from beian.core.sheets.headers import iter_table_values

from . import sheet_fixtures as F

TODAY = dt.date(2026, 1, 15)

FORMATS = {
    "xlsx": F.to_xlsx,
    "xls": F.to_xls,
    "ods": F.to_ods,
    "csv": lambda grid: F.to_csv(grid, "gbk"),
}

# What the four rows of ACCOUNT_ROWS mean, whatever the file format.
EXPECTED_ACCOUNTS = [
    ("计算机学院", "平顶山学院计算机学院", dt.date(2019, 3, 1), dt.date(2020, 5, 1), 12000,
     "13800138000", "13900139000", False),
    ("计算机学院", "计院青年", dt.date(2019, 3, 1), None, 3500, "13800138001", None, True),
    ("计算机学院", "计院小喇叭", dt.date(2021, 5, 1), None, 12000, "13800138002", "13900139002",
     True),
    ("文学院", "平顶山学院文学院", dt.date(2019, 3, 1), dt.date(2020, 6, 1), 12000,
     "03752657625", None, False),
]  # fmt: skip


def sheet_of(grid: F.Grid, fmt: str = "xlsx") -> Sheet:
    return read_rows(FORMATS[fmt](grid), fmt, name=grid.name)[0]


def meaning(table, row, warnings):
    def parse(key, parser, **options):
        return table.parse(row, key, parser, warnings=warnings, **options)

    return (
        parse("unit", clean_text),
        parse("name", clean_text),
        parse("created", parse_year_month, today=TODAY),
        parse("verified", parse_year_month, today=TODAY),
        parse("audience", parse_audience_wan),
        parse("teacher_phone", parse_phone),
        parse("student_phone", parse_phone),
        "unit" in row.filled,
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"traditional": True},
        {"shuffled": True},
        {"two_row_header": True},
        {"fill_by_merge": False},
    ],
    ids=["plain", "traditional", "shuffled", "two-row-header", "blank-not-merged"],
)
def test_pdsu_accounts_sheet_in_every_format_and_variant(fmt, variant):
    table = find_table([sheet_of(F.pdsu_accounts(**variant), fmt)], F.ACCOUNTS)
    two_rows = variant.get("two_row_header", False)
    assert table.header_rows == ((3, 4) if two_rows else (3,))
    assert set(table.columns) == {column.key for column in F.ACCOUNTS.columns}
    first = 5 if two_rows else 4
    assert [row.number for row in table.rows] == [first, first + 1, first + 2, first + 3]
    warnings: list[str] = []
    assert [meaning(table, row, warnings) for row in table.rows] == EXPECTED_ACCOUNTS
    audience = table.columns["audience"].letter
    assert warnings == [
        f"工作表“附件2”第 {first + 3} 行 {audience} 列（关注人数）："
        "关注人数按“万”填写，12000 万不合理，按 12000 人处理"
    ]
    assert table.warnings == []


def test_column_letters_follow_the_sheet():
    table = find_table([sheet_of(F.pdsu_accounts(shuffled=True))], F.ACCOUNTS)
    letters = {key: column.letter for key, column in table.columns.items()}
    assert letters["name"] == "B"
    assert letters["unit"] == "D"
    assert letters["tier"] == "N"
    assert table.columns["tier"].sheet_header == "账号 分级"


@pytest.mark.parametrize("fmt", FORMATS)
def test_pdsu_groups_sheet(fmt):
    table = find_table([sheet_of(F.pdsu_groups(), fmt)], F.GROUPS)
    assert table.header_rows == (3,)
    assert [row.number for row in table.rows] == [4, 5, 6]
    parsed = [
        (
            table.parse(row, "members", parse_count),
            table.parse(row, "has_outsiders", parse_bool),
            table.parse(row, "outsiders", parse_count),
            table.parse(row, "created", parse_year_month, today=TODAY),
        )
        for row in table.rows
    ]
    assert parsed == [
        (200, False, None, dt.date(2022, 9, 1)),
        (150, True, 3, dt.date(2021, 9, 1)),
        (45, False, None, dt.date(2020, 3, 1)),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_hnwu_inventory_sheet_skips_numbered_empty_rows(fmt):
    table = find_table([sheet_of(F.hnwu_inventory(), fmt)], F.INVENTORY)
    assert table.header_rows == (3,)
    assert [row.values["account"] for row in table.rows] == [
        "湖南女子学院（hnwu_official）",
        "湖南女子学院官方微博",
        "湘女艺设（抖音）",
    ]
    assert [table.parse(row, "filed", parse_bool) for row in table.rows] == [True, True, False]


LAYOUT = Layout(
    columns=(
        Column("seq", "序号", serial=True),
        Column("unit", "管理单位", required=True, fill_down=True),
        Column("name", "账号名称", required=True),
        Column("audience", "关注人数", aliases=("粉丝数",)),
        Column("qq", "QQ号"),
    )
)


def grid(*rows, merges=()):
    return F.Grid(rows=[list(row) for row in rows], merges=list(merges))


def test_headers_with_full_width_spaces_brackets_marks_and_variants():
    sheet = sheet_of(
        grid(
            ["序　号", "＊管理单位", " 帐号 名称\n", "关注人数（万）", "ＱＱ号"],
            [1, "计算机学院", "计院青年", 1.5, "１２３４５６７８"],
        )
    )
    table = extract_table(sheet, LAYOUT)
    assert [c.letter for c in table.columns.values()] == ["A", "B", "C", "D", "E"]
    assert table.rows[0].values == {
        "seq": 1,
        "unit": "计算机学院",
        "name": "计院青年",
        "audience": 1.5,
        "qq": "１２３４５６７８",
    }


def test_alias_header():
    sheet = sheet_of(grid(["管理单位", "账号名称", "粉丝数"], ["文学院", "文苑", 2]))
    assert find_header(sheet, LAYOUT).columns["audience"].letter == "C"


def test_missing_required_columns_are_named():
    sheet = sheet_of(grid(["标题"], ["序号", "关注人数", "QQ号"], [1, 2, 3]))
    with pytest.raises(SheetError) as caught:
        find_header(sheet, LAYOUT)
    assert (
        caught.value.message_zh == "工作表“Sheet1”的表头（第 2 行）缺少必填列：管理单位、账号名称"
    )


def test_no_header_in_the_first_rows():
    rows = [["平顶山学院新媒体账号信息汇总表"]] + [[f"说明第 {n} 条"] for n in range(25)]
    sheet = sheet_of(grid(*rows, ["序号", "管理单位", "账号名称"], [1, "文学院", "文苑"]))
    with pytest.raises(SheetError) as caught:
        find_header(sheet, LAYOUT)
    assert caught.value.message_zh == (
        "工作表“Sheet1”前 20 行中未找到表头"
        "（应包含“序号”、“管理单位”、“账号名称”、“关注人数”、“QQ号”列）"
    )
    deeper = Layout(columns=LAYOUT.columns, search_rows=30)
    assert find_header(sheet, deeper).rows == (27,)


def test_unknown_and_duplicate_columns_are_ignored_with_warnings():
    sheet = sheet_of(
        grid(
            ["序号", "管理单位", "账号名称", "关注人教", "备注", "账号名称"],
            [1, "文学院", "文苑", 2, "新开", "重复"],
        )
    )
    table = extract_table(sheet, LAYOUT)
    assert table.warnings == [
        "工作表“Sheet1”第 1 行 D 列：未识别的列“关注人教”，已忽略（是否为“关注人数”？）",
        "工作表“Sheet1”第 1 行 E 列：未识别的列“备注”，已忽略",
        "工作表“Sheet1”第 1 行 F 列：列名“账号名称”与 C 列重复，已忽略（使用 C 列）",
    ]
    assert table.rows[0].values == {"seq": 1, "unit": "文学院", "name": "文苑"}


def test_blank_subtotal_repeated_header_and_footer_rows():
    sheet = sheet_of(
        grid(
            ["序号", "管理单位", "账号名称", "关注人数"],
            [1, "文学院", "文苑", 1],
            [None, "   ", "\u3000", None],
            ["小计", None, None, 1],
            ["序号", "管理单位", "账号名称", "关注人数"],  # pasted again after a page break
            [2, "计算机学院", "计院青年", 2],
            [3, None, "计院小喇叭", 3],
            [None, "合 计", None, 6],
            ["填表人：张三", None, "审核人：李四", None],
            [4, "不是数据", "签字之后的内容", None],
        )
    )
    table = extract_table(sheet, LAYOUT)
    assert [(row.number, row.values["unit"], row.values["name"]) for row in table.rows] == [
        (2, "文学院", "文苑"),
        (6, "计算机学院", "计院青年"),
        (7, "计算机学院", "计院小喇叭"),
    ]
    assert table.rows[2].filled == frozenset({"unit"})


def test_rows_one_at_a_time_are_those_of_the_table_and_can_be_released():
    """`iter_table_values` (what imports read) yields what `extract_table` keeps, and with
    `release` drops each raw row once read, so that a large sheet is not held twice."""
    rows = [
        ["序号", "管理单位", "账号名称", "关注人数"],
        [1, "文学院", "文苑", 1],
        ["小计", None, None, 1],
        [2, "计算机学院", "计院青年", 2],
        [3, None, "计院小喇叭", 3],
    ]
    sheet = sheet_of(grid(*rows))
    header = find_header(sheet, LAYOUT)
    expected = [
        (row.number, list(row.values.values()), row.filled)
        for row in extract_table(sheet, LAYOUT, header).rows
    ]
    streamed = list(iter_table_values(sheet, LAYOUT, header, release=True))
    assert streamed == expected
    assert streamed[-1] == (5, [3, "计算机学院", "计院小喇叭", 3], frozenset({"unit"}))
    assert sheet.rows[0] and sheet.rows[1:] == [None] * 4  # the header row is kept


def test_merged_unit_is_filled_down_only_in_fill_down_columns():
    sheet = sheet_of(
        grid(
            ["序号", "管理单位", "账号名称", "关注人数"],
            [1, "文学院", "文苑", 2],
            [2, None, "文苑青年", None],
            merges=[(1, 1, 2, 1), (1, 3, 2, 3)],
        )
    )
    rows = extract_table(sheet, LAYOUT).rows
    assert [row.values["unit"] for row in rows] == ["文学院", "文学院"]
    assert [row.values["audience"] for row in rows] == [2, None]


def test_text_written_by_our_exporters_is_unquoted():
    sheet = Sheet(name="s", rows=[["管理单位", "账号名称"], ["'=1+1", "'plain"]])
    assert extract_table(sheet, LAYOUT).rows[0].values == {"unit": "=1+1", "name": "'plain"}
    raw = extract_table(sheet, LAYOUT, unquote=False).rows[0].values
    assert raw == {"unit": "'=1+1", "name": "'plain"}


def test_find_table_picks_the_sheet_that_has_the_header():
    notes = F.Grid(rows=[["填表说明"], ["1．请如实填写"]], name="说明")
    data = F.Grid(rows=[["管理单位", "账号名称"], ["文学院", "文苑"]], name="数据")
    sheets = read_rows(F.to_xlsx(notes, data), "xlsx")
    table = find_table(sheets, LAYOUT)
    assert table.sheet == "数据"
    sheets[1].visible = False
    with pytest.raises(SheetError, match="^工作表“说明”前 20 行中未找到表头"):
        find_table(sheets, LAYOUT)
    assert find_table(sheets, LAYOUT, include_hidden=True).sheet == "数据"


def test_find_table_prefers_the_missing_columns_message():
    notes = Sheet(name="说明", rows=[["填表说明"]])
    partial = Sheet(name="数据", rows=[["序号", "管理单位", "关注人数"]])
    with pytest.raises(SheetError, match="^工作表“数据”的表头（第 1 行）缺少必填列：账号名称$"):
        find_table([notes, partial], LAYOUT)


def test_cell_errors_are_placed_with_sheet_row_column_and_header():
    sheet = Sheet(
        name="Sheet1",
        rows=[["序号", "管理单位", "账号名称", None, None, "关注人数"], [1, "文学院", "文苑"],
              [], [], [2, "文学院", "文苑青年", None, None, "abc"]],
    )  # fmt: skip
    table = extract_table(sheet, LAYOUT)
    with pytest.raises(CellError) as caught:
        table.parse(table.rows[1], "audience", parse_audience_wan)
    error = caught.value
    assert str(error) == "工作表“Sheet1”第 5 行 F 列（关注人数）：“abc”不是有效的数字"
    assert (error.sheet, error.row, error.column, error.header, error.value) == (
        "Sheet1",
        5,
        "F",
        "关注人数",
        "abc",
    )
    assert error.reason == "“abc”不是有效的数字"
