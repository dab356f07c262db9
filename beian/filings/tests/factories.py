"""Small helpers that make the filing tests read like stories."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.utils import timezone

from beian.filings import services
from beian.filings.choices import FilingKind
from beian.filings.models import Filing
from beian.orgs.choices import PersonKind, UnitKind
from beian.testing import make_person, make_unit, make_user, platform
from beian.users.choices import Role


def _real_pdf() -> bytes:
    """A one-page PDF that a PDF parser reads (uploads are parsed, not just sniffed)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _real_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _real_png()
PDF = _real_pdf()


def team(*names: str) -> list[dict]:
    rows = [
        {"role": "admin", "name": name, "identity": PersonKind.STAFF, "mobile": "13900002222"}
        for name in names
    ]
    return rows or [{"role": "operator", "name": "赵运营", "identity": PersonKind.STUDENT}]


def new_fields(unit, name: str = "文学院微讯", **kw) -> dict:
    fields = {
        "owner_unit": unit,
        "platform": platform(kw.pop("platform_code", "wechat_official")),
        "account_name": name,
        "external_id": kw.pop("external_id", ""),
        "responsible_name": "刘书记",
        "responsible_post": "党委书记",
        "responsible_phone": "13811112222",
        "goes_live_on": timezone.localdate() + timedelta(days=30),
        "columns": "学院新闻、通知公告",
        "update_frequency": "每周 2 次",
        "introduction": "学院官方微信公众号",
    }
    fields.update(kw)
    return fields


def apply_new(actor, unit, name: str = "文学院微讯", *, submit: bool = True, **kw) -> Filing:
    return services.filing_create(
        actor=actor,
        kind=FilingKind.NEW,
        fields=new_fields(unit, name, **kw),
        team=team(),
        pledge_accepted=True,
        submit=submit,
    )


def approve_all(filing: Filing, *approvers) -> Filing:
    for approver in approvers:
        filing = services.filing_approve(filing=filing, actor=approver, comment="同意")
    return filing


class School:
    """Extra people the default chains need beside the cast."""

    def __init__(self, cast):
        self.cast = cast
        self.lit_division = make_unit("汉语言文学系", kind=UnitKind.DIVISION, parent=cast.lit)
        self.union_student = make_person("周同学", unit=cast.union, kind=PersonKind.STUDENT)
        self.union_operator = make_user(
            "union_operator", role=Role.OPERATOR, person=self.union_student, name="周同学"
        )
        self.second_admin = make_user("school_admin2", role=Role.SCHOOL_ADMIN, name="宣传部二")


def today() -> date:
    return timezone.localdate()
