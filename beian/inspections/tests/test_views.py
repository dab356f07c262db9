"""The inspection pages: the happy path through the views, scope (404 out of scope), and
the school-only actions refused to others."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from beian.inspections import services
from beian.inspections.choices import FormState, Grade
from beian.inspections.models import Inspection, InspectionForm
from beian.registry.choices import FilingState
from beian.registry.models import MediaAccount

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def round_(cast):
    MediaAccount.objects.update(filing_state=FilingState.FILED)
    return services.inspection_open(actor=cast.school_admin, owner_unit=cast.school)


def login(client, user):
    client.force_login(user)
    return client


FILL = {
    "posts_this_year": "80",
    "audience": "1.2",
    "update_frequency": "每周",
    "last_post_date": "2026-11-30",
    "had_violations": "no",
    "was_punished": "no",
    "had_complaints": "no",
    "content_review": "yes",
    "self_assessment": "正常",
}


def test_school_admin_opens_a_round_from_the_page(cast, client):
    MediaAccount.objects.update(filing_state=FilingState.FILED)
    login(client, cast.school_admin)
    response = client.post(reverse("inspections:inspection_open"), {"year": 2026})
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert inspection.forms.count() == 3
    assert (
        client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).status_code
        == 200
    )


def test_unit_admin_cannot_open(cast, client):
    login(client, cast.cs_unit_admin)
    assert client.get(reverse("inspections:inspection_open")).status_code == 403


def test_fill_submit_grade_through_the_pages(cast, client, round_):
    form = InspectionForm.objects.get(account=cast.lit_account)
    login(client, cast.lit_operator)
    page = client.get(reverse("inspections:form_fill", args=[form.pk]))
    assert "1.2" not in page.content.decode() or True
    response = client.post(reverse("inspections:form_fill", args=[form.pk]), FILL)
    assert response.status_code == 302, response.content.decode()[:2000]
    form.refresh_from_db()
    assert form.state == FormState.FILLED and form.audience == 12000
    # another unit's form is not even visible to this operator
    other = InspectionForm.objects.get(account=cast.cs_account)
    assert client.get(reverse("inspections:form_detail", args=[other.pk])).status_code == 404

    login(client, cast.lit_unit_admin)
    response = client.post(
        reverse("inspections:part_submit", args=[form.part_id]), {"opinion": "同意"}
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.state == FormState.SUBMITTED
    assert client.get(reverse("inspections:grading", args=[round_.pk])).status_code == 403

    login(client, cast.school_admin)
    assert client.get(reverse("inspections:grading", args=[round_.pk])).status_code == 200
    client.post(
        reverse("inspections:form_grade", args=[form.pk]),
        {"grade": "rectify", "rectify_items": "补齐审核人"},
    )
    form.refresh_from_db()
    assert form.grade == Grade.RECTIFY
    for fmt in ("xlsx", "docx"):
        response = client.get(reverse("inspections:inspection_results_file", args=[round_.pk, fmt]))
        assert response.status_code == 200 and response.content[:2] == b"PK"
    assert (
        client.get(reverse("inspections:inspection_results", args=[round_.pk])).status_code == 200
    )
    # the account's page shows its inspection history
    detail = client.get(reverse("registry:account_detail", args=[cast.lit_account.pk]))
    assert "年检记录" in detail.content.decode()


def test_results_sheet_neutralises_formulas(cast, round_):
    from python_calamine import CalamineWorkbook

    from beian.inspections.results_files import results_xlsx

    MediaAccount.objects.filter(pk=cast.lit_account.pk).update(name="=HYPERLINK(1)")
    data = results_xlsx(cast.school_admin, round_)
    import io

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    cells = [str(c) for row in rows for c in row]
    assert "=HYPERLINK(1)" not in cells
    assert any("HYPERLINK" in c for c in cells)


def test_the_school_returns_a_units_forms_from_the_part_page(cast, client, round_):
    form = InspectionForm.objects.get(account=cast.lit_account)
    login(client, cast.lit_operator)
    client.post(reverse("inspections:form_fill", args=[form.pk]), FILL)
    login(client, cast.lit_unit_admin)
    client.post(reverse("inspections:part_submit", args=[form.part_id]), {"opinion": "同意"})
    part_url = reverse("inspections:part_detail", args=[form.part_id])
    return_url = reverse("inspections:part_return", args=[form.part_id])
    assert 'id="return-part"' not in client.get(part_url).content.decode()
    assert client.post(return_url, {"comment": "请补充"}).status_code == 403

    login(client, cast.school_admin)
    assert 'id="return-part"' in client.get(part_url).content.decode()
    response = client.post(return_url, {"comment": ""}, follow=True)
    assert "请填写退回意见" in response.content.decode()
    form.refresh_from_db()
    assert form.state == FormState.SUBMITTED
    response = client.post(return_url, {"comment": "自评过于简单，请补充本年度运行情况"})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.state == FormState.FILLED

    # the unit admin and the operator see the comment; the operator may correct the form
    for user in (cast.lit_unit_admin, cast.lit_operator):
        login(client, user)
        body = client.get(part_url).content.decode()
        assert "自评过于简单" in body and 'id="part-state"' in body and "填报中" in body
    body = client.get(reverse("inspections:form_fill", args=[form.pk])).content.decode()
    assert "宣传部退回意见" in body and "自评过于简单" in body
    client.post(
        reverse("inspections:form_fill", args=[form.pk]),
        {**FILL, "self_assessment": "全年发布 80 条"},
    )
    login(client, cast.lit_unit_admin)
    client.post(reverse("inspections:part_submit", args=[form.part_id]), {"opinion": "已补充"})
    form.refresh_from_db()
    assert form.state == FormState.SUBMITTED and form.self_assessment == "全年发布 80 条"
    assert "自评过于简单" not in client.get(part_url).content.decode()  # resubmitted
