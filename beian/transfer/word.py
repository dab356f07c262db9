"""The 备案表 (.docx) of a registered account, pre-filled from the registry, in the HNWU or
PDSU layout — with the same editable templates and renderer as the filing workflow
(`beian.filings.docx`), so a school that edits its template gets it everywhere.

The filing renderer fills the form from a filing (the application as approved); here the
values come from the account as it is registered now, and the approval blocks are left
empty to be signed and stamped. Mobiles, QQ and e-mail of the team are masked for users
who may not see them.
"""

from __future__ import annotations

import io
import zipfile

from django.utils import timezone
from docxtpl import DocxTemplate

from beian.core.masking import mask_email, mask_mobile, mask_qq
from beian.filings import docx as filing_docx
from beian.orgs.choices import PersonKind
from beian.orgs.models import Institution
from beian.registry.choices import TeamRole
from beian.registry.models import MediaAccount

LAYOUTS = ("hnwu", "pdsu")
MAX_FORMS_PER_ZIP = 300
_RESPONSIBLE_ROLES = (TeamRole.FIRST_RESPONSIBLE, TeamRole.RESPONSIBLE)


def _month(value) -> str:
    return f"{value.year}年{value.month}月" if value else ""


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _box(checked: bool) -> str:
    return "☑" if checked else "□"


def account_context(account: MediaAccount, *, full_personal_data: bool) -> dict:
    """The template values for an account (the keys `filing_context` gives)."""
    institution = Institution.objects.order_by("pk").first()
    platform = account.platform
    code = platform.code
    is_weibo, is_wechat = code.startswith("weibo"), code.startswith("wechat")
    other = "" if (is_weibo or is_wechat) else platform.name
    category = platform.category
    category_key = (
        "print" if category == "print" else "website" if category == "website" else "new_media"
    )
    members = list(account.members.select_related("person", "person__unit").order_by("role", "pk"))
    order = {role: index for index, role in enumerate(TeamRole.values)}
    members.sort(key=lambda m: order.get(m.role, len(order)))

    def private(value: str, mask) -> str:
        return value if full_personal_data else mask(value or "")

    team = [
        {
            "role": m.get_role_display(),
            "name": m.person.name,
            "identity": "学生" if m.person.kind == PersonKind.STUDENT else "教师",
            "unit": m.person.unit.name,
            "post": m.person.post,
            "mobile": private(m.person.mobile, mask_mobile),
            "qq": private(m.person.qq, mask_qq),
            "email": private(m.person.email, mask_email),
        }
        for m in members
    ]
    responsible = next((m for m in members if m.role in _RESPONSIBLE_ROLES), None)
    unit_text = account.owner_unit.name
    if account.guiding_unit_id:
        unit_text += f"（指导单位：{account.guiding_unit.name}）"
    person = responsible.person if responsible else None
    try:
        report_within = filing_docx._report_within_words()
    except Exception:  # the wording is a nicety; never fail a form for it
        report_within = "一周"
    return {
        "institution": institution.full_name if institution else "",
        "number": account.registration_number or "（未备案）",
        "applied_on": _day(timezone.localdate()),
        "unit_text": unit_text,
        "responsible": " ".join(x for x in (person.name, person.post) if x) if person else "",
        "responsible_name": person.name if person else "",
        "responsible_post": person.post if person else "",
        "responsible_identity": "学生" if person and person.kind == PersonKind.STUDENT else "教师",
        "phone": private(person.mobile, mask_mobile) if person else "",
        "account_name": account.name,
        "created": _month(account.created_month),
        "verified": "是" if account.verified else "否",
        "verified_month": _month(account.verified_month),
        "platform": platform.name,
        "platform_boxes": f"{_box(is_weibo)}微博  {_box(is_wechat)}微信  "
        f"{_box(bool(other))}其他类型 {other or '______________'}",
        "category_boxes": "  ".join(
            f"{_box(key == category_key)}{label}"
            for key, label in (
                ("print", "传统纸媒"),
                ("website", "网页"),
                ("new_media", "新媒体"),
                ("other", "其他"),
            )
        ),
        "url": account.url or account.external_id,
        "columns": account.columns,
        "frequency": account.update_frequency,
        "introduction": account.introduction,
        "team": team,
        "report_within": report_within,
        "pledge": "",
        "unit_opinion": "",
        "school_opinion": "",
        "leader_opinion": "",
    }


def render_account_docx(account: MediaAccount, *, layout: str, full_personal_data: bool) -> bytes:
    layout = layout if layout in LAYOUTS else filing_docx.default_layout()
    template = DocxTemplate(str(filing_docx.template_path(layout)))
    template.render(account_context(account, full_personal_data=full_personal_data),
                    autoescape=True)  # fmt: skip
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def docx_name(account: MediaAccount) -> str:
    safe = "".join(ch for ch in account.name if ch not in '\\/:*?"<>|\r\n\t')[:60]
    return f"备案表-{account.platform.name}-{safe or account.pk}.docx"


def render_zip(accounts, *, layout: str, full_personal_data) -> tuple[bytes, int]:
    """A zip of the forms of `accounts` (at most MAX_FORMS_PER_ZIP); `full_personal_data`
    is a callable account → bool."""
    buffer = io.BytesIO()
    count = 0
    names: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for account in accounts[:MAX_FORMS_PER_ZIP]:
            name = docx_name(account)
            if name in names:
                name = name.removesuffix(".docx") + f"-{account.pk}.docx"
            names.add(name)
            archive.writestr(
                name,
                render_account_docx(
                    account, layout=layout, full_personal_data=full_personal_data(account)
                ),
            )
            count += 1
    return buffer.getvalue(), count
