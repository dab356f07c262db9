"""The team's contact details on a filing: in full for the applicant, the unit's admins and
the approver of the current step; masked for everyone else who may read the filing."""

import io

import pytest
from django.urls import reverse
from docx import Document

from beian.filings import services
from beian.filings.choices import FilingKind

from .factories import new_fields, team

MOBILE = "13900002222"  # the team's mobile in factories.team()
MASKED = "139****2222"


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "full"),
    [
        ("lit_operator", True),  # the applicant
        ("lit_unit_admin", True),  # the unit's admin, also the current approver
        ("school_admin", True),
        ("leader", False),
        ("auditor", False),
    ],
)
def test_filing_page_and_form_mask_contact_details_for_roles_without_need(client, cast, who, full):
    filing = services.filing_create(
        actor=cast.lit_operator,
        kind=FilingKind.NEW,
        fields=new_fields(cast.lit),
        team=team("赵管理"),
        pledge_accepted=True,
        submit=True,
    )
    client.force_login(getattr(cast, who))
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    form = _docx_text(client.get(reverse("filings:docx", args=[filing.pk])).content)
    for text in (page, form):
        assert (MOBILE in text) is full
        assert (MASKED in text) is not full
