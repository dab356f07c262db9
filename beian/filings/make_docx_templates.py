"""Builds the editable Word templates of the printed 备案表 in `docx_templates/`:

- ``hnwu.docx`` — the layout of seed 000 附件1 (校园新媒体备案申请表): responsible unit,
  responsible person, platform tick boxes, 管理队伍 table, and the three signature blocks
  单位意见 / 宣传部审批意见 / 主管领导审批意见;
- ``pdsu.docx`` — the layout of seed 002 附件1 (媒体平台备案表): creating unit, platform
  type and nature, team rows, introduction, 单位意见 / 党委宣传部意见.

The templates hold docxtpl (Jinja) tags; a school may open them in Word, change wording,
fonts or layout, and keep the tags. Run ``python -m beian.filings.make_docx_templates``
after changing this script; the generated files are committed.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent / "docx_templates"
FONT = "宋体"
TITLE_FONT = "黑体"


def _document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return doc


def _title(doc, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(18)
    run.font.name = TITLE_FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), TITLE_FONT)


def _para(doc, text: str, *, align=None, size: int | None = None) -> None:
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    if size:
        run.font.size = Pt(size)


def _set(cell, text: str, *, bold: bool = False, center: bool = False) -> None:
    cell.text = ""
    lines = text.split("\n")
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold = bold


def _row(table, *cells: str, bold_first: bool = True):
    row = table.add_row()
    for index, text in enumerate(cells):
        _set(row.cells[index], text, bold=bold_first and index == 0, center=index == 0)
    return row


def _merge(row, first: int, last: int, text: str | None = None):
    cell = row.cells[first].merge(row.cells[last])
    if text is not None:
        _set(cell, text)
    return cell


def _table(doc, columns: int):
    table = doc.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def _team_loop(table, columns: list[str]) -> None:
    """The three rows docxtpl turns into one row per team member."""
    start = table.add_row()
    _merge(start, 0, len(start.cells) - 1, "{%tr for m in team %}")
    row = table.add_row()
    for index, expression in enumerate(columns):
        _set(row.cells[index], expression, center=True)
    end = table.add_row()
    _merge(end, 0, len(end.cells) - 1, "{%tr endfor %}")


def build_hnwu() -> Document:
    doc = _document()
    _title(doc, "{{ institution }}校园新媒体备案申请表")
    _para(
        doc,
        "申请日期：{{ applied_on }}        备案编号：{{ number }}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    table = _table(doc, 7)
    row = _row(table, "责任单位\n（指导单位）", "", "", "", "", "", "")
    _merge(row, 1, 2, "{{ unit_text }}")
    _set(row.cells[3], "责任人\n及职务", bold=True, center=True)
    _merge(row, 4, 6, "{{ responsible }}")
    row = _row(table, "联系电话", "", "", "", "", "", "")
    _merge(row, 1, 6, "{{ phone }}")
    row = _row(table, "账号名称", "", "", "", "", "", "")
    _merge(row, 1, 2, "{{ account_name }}")
    _set(row.cells[3], "创建时间", bold=True, center=True)
    _set(row.cells[4], "{{ created }}")
    _set(row.cells[5], "是否\n认证", bold=True, center=True)
    _set(row.cells[6], "{{ verified }}")
    row = _row(table, "媒体平台", "", "", "", "", "", "")
    _merge(row, 1, 6, "{{ platform_boxes }}")
    row = _row(table, "访问链接", "", "", "", "", "", "")
    _merge(row, 1, 6, "{{ url }}")
    row = _row(table, "栏目内容", "", "", "", "", "", "")
    _merge(row, 1, 6, "{{ columns }}")
    row = _row(table, "发布周期", "", "", "", "", "", "")
    _merge(row, 1, 6, "{{ frequency }}")
    _row(table, "管理队伍", "职能", "姓名", "单位", "手机号", "QQ号", "邮箱")
    _team_loop(
        table,
        [
            "",
            "{{ m.role }}",
            "{{ m.name }}",
            "{{ m.unit }}",
            "{{ m.mobile }}",
            "{{ m.qq }}",
            "{{ m.email }}",
        ],
    )
    row = _row(table, "简要介绍", "", "", "", "", "", "")
    _merge(row, 1, 6, "{{ introduction }}")
    row = _row(table, "单位意见", "", "", "", "", "", "")
    _merge(
        row,
        1,
        6,
        "已知本单位开设此新媒体账号，并明确对此账号及发布内容负有管理责任。\n"
        "{{ unit_opinion }}\n负责人签字：                （盖章）\n"
        "                                    年    月    日",
    )
    row = _row(table, "宣传部\n审批意见", "", "", "", "", "", "")
    _merge(row, 1, 3, "{{ school_opinion }}\n签字：\n（盖章）\n            年    月    日")
    _set(row.cells[4], "主管领导\n审批意见", bold=True, center=True)
    _merge(row, 5, 6, "{{ leader_opinion }}\n签字：\n\n            年    月    日")
    _para(
        doc,
        "备注：1. 此备案申请表一式两份，党委宣传部、主办单位各存一份备案。\n"
        "2. 如若账号名称、管理队伍人员或维护方式发生变更，应在{{ report_within }}内以书面形式报党委宣传部。",
        size=9,
    )
    _para(doc, "承诺：{{ pledge }}", size=9)
    return doc


def build_pdsu() -> Document:
    doc = _document()
    _title(doc, "{{ institution }}媒体平台备案表")
    _para(doc, "备案编号：{{ number }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    table = _table(doc, 6)
    row = _row(table, "创建单位", "", "", "", "", "")
    _merge(row, 1, 2, "{{ unit_text }}")
    _set(row.cells[3], "平台名称", bold=True, center=True)
    _merge(row, 4, 5, "{{ account_name }}")
    row = _row(table, "平台属性", "", "", "", "", "")
    _merge(row, 1, 2, "{{ category_boxes }}")
    _set(row.cells[3], "具体性质", bold=True, center=True)
    _merge(row, 4, 5, "{{ platform }}")
    row = _row(table, "创建/认证时间", "", "", "", "", "")
    _merge(row, 1, 5, "{{ created }}{% if verified_month %} / {{ verified_month }}{% endif %}")
    row = _row(table, "网址/二维码", "", "", "", "", "")
    _merge(row, 1, 5, "{{ url }}")
    _row(table, "管理队伍", "职能", "姓名", "身份", "联系电话", "单位及职务")
    row = _row(
        table,
        "",
        "负责人",
        "{{ responsible_name }}",
        "{{ responsible_identity }}",
        "{{ phone }}",
        "{{ responsible_post }}",
    )
    _team_loop(
        table,
        [
            "",
            "{{ m.role }}",
            "{{ m.name }}",
            "{{ m.identity }}",
            "{{ m.mobile }}",
            "{{ m.unit }} {{ m.post }}",
        ],
    )
    row = _row(table, "简要介绍", "", "", "", "", "")
    _merge(row, 1, 5, "{{ introduction }}")
    row = _row(table, "单位意见", "", "", "", "", "")
    _merge(
        row,
        1,
        5,
        "{{ unit_opinion }}\n单位负责人签字：\n（加盖单位公章）\n                              年    月    日",
    )
    row = _row(table, "党委宣传部意见", "", "", "", "", "")
    _merge(
        row,
        1,
        5,
        "{{ school_opinion }}\n                   签章：\n                              年    月    日",
    )
    _para(
        doc,
        "备注：1．此纸质备案表一式两份，党委宣传部、申办单位各留存一份。\n"
        "2．账号名、管理队伍人员或维护方式发生变更，应以书面形式报党委宣传部备案。",
        size=9,
    )
    return doc


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, build in (("hnwu", build_hnwu), ("pdsu", build_pdsu)):
        path = OUT / f"{name}.docx"
        build().save(path)
        print(path)


if __name__ == "__main__":
    main()
