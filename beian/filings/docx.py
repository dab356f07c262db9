"""The filled 备案表 (.docx) of a request, from the editable templates in
`docx_templates/` (built by `make_docx_templates.py`). The layout is the deployment's
setting `BEIAN_FILING_FORM_LAYOUT` ("hnwu" by default) or the page's `?layout=`; a school
may point `BEIAN_FILING_FORM_TEMPLATE_DIR` at its own edited copies."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from docxtpl import DocxTemplate

from beian.core.masking import MASKERS
from beian.core.policy import get_policy
from beian.orgs.choices import PersonKind
from beian.orgs.models import Institution

from .choices import DocxLayout, StepStatus
from .models import Filing
from .pledge import PLEDGE_TITLE

TEMPLATE_DIR = Path(__file__).resolve().parent / "docx_templates"

#: Which signature block each office's decision fills.
OPINION_SLOTS = {
    "unit_head": "unit_opinion",
    "league_approver": "unit_opinion",
    "school_admin": "school_opinion",
    "leader": "leader_opinion",
}
_CATEGORY_BOXES = (
    ("print", "传统纸媒"),
    ("website", "网页"),
    ("new_media", "新媒体"),
    ("other", "其他"),
)


def default_layout() -> str:
    value = getattr(settings, "BEIAN_FILING_FORM_LAYOUT", "") or DocxLayout.HNWU
    return value if value in DocxLayout.values else DocxLayout.HNWU


def template_path(layout: str) -> Path:
    custom = getattr(settings, "BEIAN_FILING_FORM_TEMPLATE_DIR", "")
    if custom and (Path(custom) / f"{layout}.docx").exists():
        return Path(custom) / f"{layout}.docx"
    return TEMPLATE_DIR / f"{layout}.docx"


def _month(value) -> str:
    return f"{value.year}年{value.month}月" if value else ""


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _box(checked: bool) -> str:
    return "☑" if checked else "□"


def filing_context(filing: Filing, *, masked: bool = False) -> dict:
    """What the templates may use; with `masked`, contact details as 138****1234."""
    shown = _masked if masked else _plain
    institution = Institution.objects.order_by("pk").first()
    platform = filing.platform
    platform_name = platform.name if platform else ""
    code = platform.code if platform else ""
    is_weibo = code.startswith("weibo")
    is_wechat = code.startswith("wechat")
    other = "" if (is_weibo or is_wechat) else platform_name
    category = platform.category if platform else "other"
    category_key = (
        "print" if category == "print" else "website" if category == "website" else "new_media"
    )
    if not platform:
        category_key = "other"
    opinions = {"unit_opinion": "", "school_opinion": "", "leader_opinion": ""}
    steps = filing.steps.filter(round=filing.round).select_related("decided_by")
    for step in steps.order_by("position"):
        slot = OPINION_SLOTS.get(step.step)
        if slot is None or step.status not in (StepStatus.APPROVED, StepStatus.REJECTED):
            continue
        verdict = "同意" if step.status == StepStatus.APPROVED else "不同意"
        comment = step.comment if step.comment and step.comment != verdict else ""
        when = _day(timezone.localtime(step.decided_at).date()) if step.decided_at else ""
        text = f"{verdict}。{comment}（{step.decided_by}，{when}，系统审批）"
        opinions[slot] = f"{opinions[slot]}\n{text}".strip()
    created = filing.created_month or filing.goes_live_on
    responsible_member = filing.members.filter(role="first_responsible").first()
    team = [
        {
            "role": m.get_role_display(),
            "name": m.name,
            "identity": "学生" if m.identity == PersonKind.STUDENT else "教师",
            "unit": m.unit_name,
            "post": m.post,
            "mobile": shown(m.mobile, "mobile"),
            "qq": shown(m.qq, "qq"),
            "email": shown(m.email, "email"),
        }
        for m in filing.members.all()
    ]
    unit_text = filing.owner_unit.name
    if filing.guiding_unit_id:
        unit_text += f"（指导单位：{filing.guiding_unit.name}）"
    applied = filing.submitted_at or filing.created_at
    return {
        "institution": institution.full_name if institution else "",
        "number": filing.registration_number or "（审批通过后生成）",
        "applied_on": _day(timezone.localtime(applied).date()) if applied else "",
        "unit_text": unit_text,
        "responsible": " ".join(x for x in (filing.responsible_name, filing.responsible_post) if x),
        "responsible_name": filing.responsible_name,
        "responsible_post": filing.responsible_post,
        "responsible_identity": "学生"
        if responsible_member and responsible_member.identity == PersonKind.STUDENT
        else "教师",
        "phone": shown(filing.responsible_phone, "mobile"),
        "account_name": filing.account_name,
        "created": _month(created) if filing.created_month else _day(created),
        "verified": "是" if filing.verified else "否",
        "verified_month": _month(filing.verified_month),
        "platform": platform_name,
        "platform_boxes": f"{_box(is_weibo)}微博  {_box(is_wechat)}微信  "
        f"{_box(bool(other))}其他类型 {other or '______________'}",
        "category_boxes": "  ".join(
            f"{_box(key == category_key)}{label}" for key, label in _CATEGORY_BOXES
        ),
        "url": filing.url or filing.external_id,
        "columns": filing.columns,
        "frequency": filing.update_frequency,
        "introduction": filing.introduction,
        "team": team,
        "report_within": _report_within_words(),
        "pledge": (
            f"申请人已于 {_day(timezone.localtime(filing.pledge_accepted_at).date())} "
            f"在系统中接受《{PLEDGE_TITLE}》。"
            if filing.pledge_accepted_at
            else ""
        ),
        **opinions,
    }


def _report_within_words() -> str:
    duration = get_policy().changes.report_within
    if duration.unit == "workdays":
        return f"{duration.amount}个工作日"
    if duration.amount % 7 == 0:
        weeks = duration.amount // 7
        return "一周" if weeks == 1 else f"{weeks}周"
    return f"{duration.amount}日"


def _plain(value: str, field: str) -> str:
    return value


def _masked(value: str, field: str) -> str:
    return MASKERS[field](value)


def render_filing_docx(filing: Filing, layout: str = "", *, masked: bool = False) -> bytes:
    layout = layout or default_layout()
    template = DocxTemplate(str(template_path(layout)))
    template.render(filing_context(filing, masked=masked), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()
