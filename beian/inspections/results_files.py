"""The results of a round as files: an Excel sheet (the project's sheet writer, which
writes no formula: `= + - @` at the start of a cell are neutralised) and the Word 通报
(docxtpl, from the editable `docx_templates/bulletin.docx`), both with the counts by unit
and grade. No personal data in either."""

from __future__ import annotations

import io
from pathlib import Path

from django.utils import timezone
from docxtpl import DocxTemplate

from beian.core.sheets import write_xlsx
from beian.orgs.models import Institution

from . import selectors
from .choices import Grade

TEMPLATE = Path(__file__).resolve().parent / "docx_templates" / "bulletin.docx"
HEADER = (
    "序号",
    "单位",
    "账号名称",
    "平台",
    "备案编号",
    "年检结果",
    "经过整改",
    "评定意见",
    "整改要求",
    "整改期限",
)
WIDTHS = (6, 22, 26, 12, 16, 10, 10, 30, 30, 12)
COUNT_HEADER = ("单位", "账号数", "合格", "整改", "不合格", "未参检", "待评定")


def _grade_label(grade: str) -> str:
    return str(Grade(grade).label) if grade else "待评定"


def _school() -> str:
    institution = Institution.objects.order_by("pk").only("full_name").first()
    return institution.full_name if institution else ""


def result_rows(user, inspection):
    forms = selectors.graded_forms(user, inspection)
    for n, form in enumerate(forms.iterator(chunk_size=2_000), start=1):
        yield (
            n,
            form.part.unit.name,
            form.account.name,
            form.account.platform.name,
            form.account.registration_number,
            _grade_label(form.grade),
            "是" if form.was_rectified else "",
            form.grade_comment,
            form.rectify_items,
            form.rectify_deadline,
        )


def summary_text(results) -> str:
    t = results.totals
    return (
        f"本次年检共涉及 {len(results.units)} 个单位的 {results.total} 个已备案账号，"
        f"其中合格 {t.get('pass', 0)} 个，整改 {t.get('rectify', 0)} 个，"
        f"不合格 {t.get('fail', 0)} 个，未参检 {t.get('missed', 0)} 个，"
        f"待评定 {t.get('ungraded', 0)} 个。"
    )


def results_xlsx(user, inspection) -> bytes:
    """Every form of the round with its grade, then the counts by unit."""
    results = selectors.results(user, inspection)
    buffer = io.BytesIO()
    counts = [
        ("", "按单位统计", "", "", "", "", "", "", "", ""),
        ("", *COUNT_HEADER, "", "", ""),
    ]
    for row in results.units:
        counts.append(
            (
                "",
                row["unit"],
                row["total"],
                row["pass"],
                row["rectify"],
                row["fail"],
                row["missed"],
                row["ungraded"],
                "",
                "",
            )
        )

    def rows():
        yield from result_rows(user, inspection)
        yield ("",) * len(HEADER)
        yield from counts

    write_xlsx(
        buffer,
        [f"{_school()}{inspection.title}结果", summary_text(results)],
        HEADER,
        rows(),
        (),
        WIDTHS,
        sheet_name="年检结果",
        submitter_line=None,
    )
    return buffer.getvalue()


def bulletin_context(user, inspection) -> dict:
    results = selectors.results(user, inspection)
    problems = []
    for form in selectors.graded_forms(user, inspection).filter(
        grade__in=[Grade.RECTIFY, Grade.FAIL, Grade.MISSED]
    ):
        note = form.rectify_items if form.grade == Grade.RECTIFY else form.grade_comment
        problems.append(
            {
                "unit": form.part.unit.name,
                "name": form.account.name,
                "platform": form.account.platform.name,
                "grade": _grade_label(form.grade),
                "note": note,
            }
        )
    today = timezone.localdate()
    return {
        "title": f"关于{inspection.year}年度新媒体账号年检情况的通报",
        "opening": (
            f"根据学校新媒体管理规定，党委宣传部于 {inspection.opens_on:%Y年%m月%d日} 至 "
            f"{inspection.deadline:%Y年%m月%d日} 对全校已备案的新媒体账号进行了年检。"
            "现将年检情况通报如下。"
        ),
        "summary": summary_text(results),
        "units": results.units,
        "problems": problems,
        "closing": (
            "请评定为“整改”的账号所在单位在整改期限内完成整改并在系统中答复；"
            "评定为“不合格”的账号按规定办理注销，相关单位和负责人将被追究责任；"
            "未参检账号所在单位须说明情况。"
        ),
        "issuer": f"{_school()}党委宣传部",
        "date": f"{today.year}年{today.month}月{today.day}日",
    }


def results_docx(user, inspection) -> bytes:
    template = DocxTemplate(str(TEMPLATE))
    template.render(bulletin_context(user, inspection), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()
