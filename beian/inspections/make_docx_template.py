"""Builds the editable Word template of the inspection 通报 in `docx_templates/`:
``bulletin.docx`` — title, the opening paragraph, the counts by unit and grade, the lists of
整改 / 不合格 / 未参检 accounts, and the issuing department and date. The template holds
docxtpl (Jinja) tags; a school may open it in Word and change the wording, fonts or layout
while keeping the tags. Run ``python -m beian.inspections.make_docx_template`` after changing
this script; the generated file is committed.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent / "docx_templates"
FONT = "仿宋"
TITLE_FONT = "方正小标宋简体"


def _run(paragraph, text, *, size=14, bold=False, font=FONT):
    run = paragraph.add_run(text)
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    run.font.size = Pt(size)
    run.bold = bold
    return run


def _p(doc, text="", *, size=14, bold=False, center=False, font=FONT, indent=True):
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _run(p, text, size=size, bold=bold, font=font)
    return p


def build() -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    _p(doc, "{{ title }}", size=20, center=True, font=TITLE_FONT)
    _p(doc, "各单位：", indent=False)
    _p(doc, "{{ opening }}")
    _p(doc, "一、总体情况", bold=True)
    _p(doc, "{{ summary }}")
    header = ["单位", "账号数", "合格", "整改", "不合格", "未参检", "待评定"]
    table = doc.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _run(cell.paragraphs[0], text, size=11, bold=True)
    _run(table.rows[1].cells[0].paragraphs[0], "{%tr for u in units %}", size=11)
    values = ["{{ u.unit }}", "{{ u.total }}", "{{ u.pass }}", "{{ u.rectify }}",
              "{{ u.fail }}", "{{ u.missed }}", "{{ u.ungraded }}"]  # fmt: skip
    for cell, text in zip(table.rows[2].cells, values, strict=True):
        _run(cell.paragraphs[0], text, size=11)
    _run(table.rows[3].cells[0].paragraphs[0], "{%tr endfor %}", size=11)
    _p(doc, "")
    _p(doc, "二、需要整改、不合格和未参检的账号", bold=True)
    _p(doc, "{% if not problems %}本次年检无此类账号。{% endif %}")
    table = doc.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["单位", "账号名称", "平台", "结果", "说明"], strict=True
    ):
        _run(cell.paragraphs[0], text, size=11, bold=True)
    _run(table.rows[1].cells[0].paragraphs[0], "{%tr for r in problems %}", size=11)
    values = ["{{ r.unit }}", "{{ r.name }}", "{{ r.platform }}", "{{ r.grade }}", "{{ r.note }}"]
    for cell, text in zip(table.rows[2].cells, values, strict=True):
        _run(cell.paragraphs[0], text, size=11)
    _run(table.rows[3].cells[0].paragraphs[0], "{%tr endfor %}", size=11)
    _p(doc, "")
    _p(doc, "{{ closing }}")
    _p(doc, "")
    p = _p(doc, "{{ issuer }}", indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p = _p(doc, "{{ date }}", indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    OUT.mkdir(exist_ok=True)
    path = OUT / "bulletin.docx"
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())
