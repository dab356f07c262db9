"""The 通报 of a round, at or after its deadline: the units that submitted late, those that
have not submitted at all, those returned and not yet resubmitted, and those whose
submission left compliance findings open on their records. As a page (the same
`Bulletin`), a Word document (python-docx) and an Excel sheet (the project's sheet writer:
no formula cells).

Before the deadline the 通报 is a preview: nobody is late yet, and the page says so.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from beian.compliance.choices import FindingState
from beian.compliance.rules import RULES
from beian.core.sheets import write_xlsx
from beian.transfer.exporters import day_text, school_name

from . import board
from .choices import TaskState
from .models import Campaign, TaskItem

#: The kinds of lines of a 通报, in the order they are read out.
LATE = "late"
MISSING = "missing"
RETURNED = "returned"
FINDINGS = "findings"
KIND_LABELS = {
    LATE: "逾期提交",
    MISSING: "未提交",
    RETURNED: "退回后未重新提交",
    FINDINGS: "提交后仍有未整改问题",
}


@dataclass
class BulletinLine:
    unit: str
    kind: str
    state: str
    submitted_at: dt.datetime | None = None
    days_late: int = 0
    findings: int = 0
    rules: list[tuple[str, int]] = field(default_factory=list)
    task_id: int | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Bulletin:
    campaign: Campaign
    on: dt.date
    school: str
    units: int
    on_time: int
    late: list[BulletinLine]
    missing: list[BulletinLine]
    returned: list[BulletinLine]
    findings: list[BulletinLine]

    @property
    def is_final(self) -> bool:
        """At or after the deadline (before it, the 通报 is only a preview)."""
        return self.on >= self.campaign.deadline

    @property
    def lines(self) -> list[BulletinLine]:
        return [*self.missing, *self.returned, *self.late, *self.findings]

    @property
    def title(self) -> str:
        return f"关于{self.campaign.title}完成情况的通报"


def _rule_labels() -> dict[str, str]:
    """{rule code: its Chinese title} (a rule no longer registered shows its code)."""
    return {code: str(rule.title or code) for code, rule in RULES.items()}


def _findings_by_rule(task_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """{task id: [(rule, open findings)]} over the tasks' records, in one query."""
    rows = (
        TaskItem.objects.filter(task_id__in=task_ids)
        .filter(
            Q(account__findings__state=FindingState.OPEN)
            | Q(group__findings__state=FindingState.OPEN)
        )
        .values_list("task_id", "account__findings__rule", "group__findings__rule")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for task_id, account_rule, group_rule, n in rows:
        out[task_id][account_rule or group_rule] += n
    return {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in out.items()}


def build_bulletin(campaign: Campaign, *, user, on: dt.date | None = None) -> Bulletin:
    """The 通报 of a round as it stands on `on` (default today)."""
    on = on or timezone.localdate()
    deadline = campaign.deadline
    tasks = list(board.board_tasks(campaign, user=user))
    submitted = [t for t in tasks if t.first_submitted_at is not None]
    by_rule = _findings_by_rule([t.pk for t in submitted])
    late, missing, returned, findings = [], [], [], []
    on_time = 0
    for task in tasks:
        state = task.get_state_display()
        if task.first_submitted_at is None:
            if on > deadline:
                missing.append(BulletinLine(task.unit.name, MISSING, state, task_id=task.pk))
            continue
        first = timezone.localdate(task.first_submitted_at)
        if first > deadline:
            late.append(
                BulletinLine(
                    task.unit.name,
                    LATE,
                    state,
                    submitted_at=task.first_submitted_at,
                    days_late=(first - deadline).days,
                    task_id=task.pk,
                )
            )
        else:
            on_time += 1
        if task.state == TaskState.RETURNED and on > deadline:
            returned.append(
                BulletinLine(
                    task.unit.name,
                    RETURNED,
                    state,
                    submitted_at=task.submitted_at,
                    task_id=task.pk,
                )
            )
        rules = by_rule.get(task.pk)
        if rules:
            findings.append(
                BulletinLine(
                    task.unit.name,
                    FINDINGS,
                    state,
                    submitted_at=task.submitted_at,
                    findings=sum(n for _rule, n in rules),
                    rules=rules,
                    task_id=task.pk,
                )
            )
    findings.sort(key=lambda line: (-line.findings, line.unit))
    late.sort(key=lambda line: (-line.days_late, line.unit))
    return Bulletin(
        campaign=campaign,
        on=on,
        school=school_name(),
        units=len(tasks),
        on_time=on_time,
        late=late,
        missing=missing,
        returned=returned,
        findings=findings,
    )


def rule_text(rules: list[tuple[str, int]], labels: dict[str, str] | None = None) -> str:
    labels = _rule_labels() if labels is None else labels
    return "；".join(f"{labels.get(rule, rule)} {n} 项" for rule, n in rules)


def summary_text(bulletin: Bulletin) -> str:
    c = bulletin.campaign
    return (
        f"根据《{c.title}》的要求，各单位应于{day_text(c.deadline)}前完成填报并报送。"
        f"截至{day_text(bulletin.on)}，应报送单位 {bulletin.units} 个，"
        f"按时报送 {bulletin.on_time} 个，逾期报送 {len(bulletin.late)} 个，"
        f"未报送 {len(bulletin.missing)} 个，退回后未重新报送 {len(bulletin.returned)} 个；"
        f"报送后仍有未整改问题的单位 {len(bulletin.findings)} 个。现将有关情况通报如下。"
    )


# --- Excel ------------------------------------------------------------------------------------

HEADER = ("序号", "单位", "类别", "当前状态", "首次提交时间", "逾期天数", "未整改问题", "问题明细")
WIDTHS = (6, 24, 18, 10, 18, 9, 10, 48)


def _time_text(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def bulletin_rows(bulletin: Bulletin):
    labels = _rule_labels()
    for number, line in enumerate(bulletin.lines, start=1):
        yield [
            number,
            line.unit,
            line.kind_label,
            line.state,
            _time_text(line.submitted_at),
            line.days_late or None,
            line.findings or None,
            rule_text(line.rules, labels),
        ]


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        [bulletin.title, summary_text(bulletin)],
        HEADER,
        bulletin_rows(bulletin),
        (),
        WIDTHS,
        sheet_name="通报",
        submitter_line=None,
    )
    return buffer.getvalue()


# --- Word -------------------------------------------------------------------------------------


def _cn_font(run, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "宋体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _paragraph(doc, text: str, *, size: float = 12, bold: bool = False, center: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cn_font(p.add_run(text), size, bold)
    return p


def _table(doc, header: tuple[str, ...], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _cn_font(cell.paragraphs[0].add_run(text), 10.5, True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            _cn_font(cell.paragraphs[0].add_run(str(text)), 10.5)


def bulletin_docx(bulletin: Bulletin) -> bytes:
    """The 通报 as a Word document the propaganda department can edit, print and stamp."""
    from docx import Document

    doc = Document()
    _paragraph(doc, bulletin.title, size=18, bold=True, center=True)
    _paragraph(doc, "各单位：")
    _paragraph(doc, summary_text(bulletin))
    labels = _rule_labels()
    sections = [
        ("未报送单位", bulletin.missing, ("序号", "单位", "当前状态"), lambda n, ln: [
            n, ln.unit, ln.state]),
        ("退回后未重新报送单位", bulletin.returned, ("序号", "单位", "退回前提交时间"),
         lambda n, ln: [n, ln.unit, _time_text(ln.submitted_at)]),
        ("逾期报送单位", bulletin.late, ("序号", "单位", "首次提交时间", "逾期天数"),
         lambda n, ln: [n, ln.unit, _time_text(ln.submitted_at), ln.days_late]),
        ("报送后仍有未整改问题的单位", bulletin.findings, ("序号", "单位", "未整改问题", "问题明细"),
         lambda n, ln: [n, ln.unit, ln.findings, rule_text(ln.rules, labels)]),
    ]  # fmt: skip
    chapter = "一二三四"
    for index, (heading, lines, header, row) in enumerate(sections):
        _paragraph(doc, f"{chapter[index]}、{heading}（{len(lines)} 个）", bold=True)
        if lines:
            _table(doc, header, [row(n, line) for n, line in enumerate(lines, start=1)])
        else:
            _paragraph(doc, "无。")
    _paragraph(
        doc,
        "请上述单位高度重视，尽快补报、整改，并于收到通报后 5 个工作日内将整改情况报送党委宣传部。",
    )
    _paragraph(doc, "")
    _paragraph(doc, f"{bulletin.school}党委宣传部")
    _paragraph(doc, day_text(bulletin.on))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def bulletin_tasks(bulletin: Bulletin) -> list[int]:
    """Ids of the tasks the 通报 names (to remind them from its page)."""
    return sorted({line.task_id for line in bulletin.lines if line.task_id})
