"""The campaign pages as people use them: the school creates and opens a round; a unit
admin confirms with htmx, answers the checklist, uploads the scan and submits; the school
returns; the notice's Markdown is rendered without running any HTML."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beian.campaigns import services
from beian.campaigns.choices import ItemAction, TaskState
from beian.campaigns.models import Campaign, CampaignTask
from beian.filings.tests.factories import PDF


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime(2026, 4, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_the_school_creates_and_opens_a_round(client, cast):
    client.force_login(cast.school_admin)
    response = client.post(
        reverse("campaigns:campaign_create"),
        {
            "kind": "inventory",
            "title": "新媒体清查",
            "notice": "请于7月30日前报送。<script>alert(1)</script> [x](javascript:alert(1))",
            "scope": "both",
            "deadline": "2026-07-30",
            "sheets": ["accounts-hnwu", "groups-pdsu"],
            "checklist": "已落实三审三校\n有专人负责评论区（选答）",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert [(i.text, i.required) for i in campaign.checklist.all()] == [
        ("已落实三审三校", True),
        ("有专人负责评论区", False),
    ]
    page = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    client.post(reverse("campaigns:campaign_open", args=[campaign.pk]))
    assert campaign.tasks.count() == 4


def test_bad_dates_are_refused_with_the_field_named(client, cast):
    client.force_login(cast.school_admin)
    response = client.post(
        reverse("campaigns:campaign_create"),
        {
            "kind": "inventory",
            "title": "清查",
            "scope": "both",
            "opens_on": "2026-08-01",
            "deadline": "2026-07-30",
        },
    )
    assert response.status_code == 200
    assert "开始日期（2026-08-01）不能晚于截止日期（2026-07-30）" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_unit_admin_answers_the_task(client, cast):
    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={"title": "清查", "deadline": dt.date(2026, 7, 30), "sheets": ["accounts-pdsu"]},
        checklist=["已落实三审三校"],
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    task = CampaignTask.objects.get(campaign=campaign, unit=cast.lit)
    item = task.items.get(account=cast.lit_account)
    client.force_login(cast.lit_unit_admin)
    url = reverse("campaigns:task_detail", args=[task.pk])
    page = client.get(url).content.decode()
    assert "文学院微言" in page and "计算机学院团委" not in page

    row = client.post(
        reverse("campaigns:item_confirm", args=[task.pk, item.pk]), HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200 and "确认无误" in row.content.decode()
    item.refresh_from_db()
    assert item.action == ItemAction.CONFIRMED

    client.post(reverse("campaigns:task_confirm_all", args=[task.pk]))
    check = campaign.checklist.get()
    client.post(reverse("campaigns:task_checklist", args=[task.pk]), {f"item-{check.pk}": "yes"})
    sheet = client.get(reverse("campaigns:task_sheet", args=[task.pk, "accounts-pdsu"]))
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    client.post(
        reverse("campaigns:task_scan", args=[task.pk]),
        {"file": SimpleUploadedFile("盖章.pdf", PDF, content_type="application/pdf")},
    )
    response = client.post(reverse("campaigns:task_submit", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED

    # The unit cannot return its own submission; the school can.
    assert client.post(reverse("campaigns:task_return", args=[task.pk])).status_code == 403
    client.force_login(cast.school_admin)
    client.post(reverse("campaigns:task_return", args=[task.pk]), {"comment": "请补充"})
    task.refresh_from_db()
    assert task.state == TaskState.RETURNED


def test_another_units_task_is_not_found(client, cast):
    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={"title": "清查", "deadline": dt.date(2026, 7, 30)},
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    cs = CampaignTask.objects.get(campaign=campaign, unit=cast.cs)
    client.force_login(cast.lit_unit_admin)
    assert client.get(reverse("campaigns:task_detail", args=[cs.pk])).status_code == 404
    item = cs.items.first()
    url = reverse("campaigns:item_confirm", args=[cs.pk, item.pk])
    assert client.post(url).status_code == 404


def _office_file(kind: str) -> bytes:
    import io

    if kind == "docx":
        from docx import Document

        buffer = io.BytesIO()
        document = Document()
        document.add_paragraph("新媒体账号清查表")
        document.save(buffer)
        return buffer.getvalue()
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet().write(0, 0, "账号名称")
    book.close()
    return buffer.getvalue()


def test_a_notice_carries_its_blank_word_and_excel_forms_but_no_disguised_file(client, cast):
    import io
    import zipfile

    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={
            "kind": "inventory",
            "title": "清查",
            "scope": "both",
            "deadline": dt.date(2026, 7, 30),
        },
    )
    client.force_login(cast.school_admin)
    url = reverse("campaigns:campaign_attach", args=[campaign.pk])
    for name in ("清查表.docx", "汇总表.xlsx"):
        content = _office_file(name.rsplit(".", 1)[1])
        client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert sorted(campaign.attachments.values_list("original_name", flat=True)) == [
        "汇总表.xlsx",
        "清查表.docx",
    ]
    attachment = campaign.attachments.get(original_name="清查表.docx")
    response = client.get(
        reverse("campaigns:campaign_attachment", args=[campaign.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK\x03\x04")

    # a ZIP named .docx, and a Word file with macros, are refused by content
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("run.exe", b"MZ")
    with_macros = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_office_file("docx"))) as source,
        zipfile.ZipFile(with_macros, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/vbaProject.bin", b"\0" * 16)
    for name, content in (("表.docx", plain_zip.getvalue()), ("宏.docx", with_macros.getvalue())):
        response = client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)
        assert "只接受 PDF、JPG、PNG 或 Word、Excel" in response.content.decode()
    assert campaign.attachments.count() == 2


def test_confirming_a_row_with_htmx_updates_the_counts_and_the_submit_box(client, cast):
    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={"title": "清查", "deadline": dt.date(2026, 7, 30), "sheets": ["accounts-pdsu"]},
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    task = CampaignTask.objects.get(campaign=campaign, unit=cast.lit)
    total = task.items.count()
    item = task.items.get(account=cast.lit_account)
    client.force_login(cast.lit_unit_admin)
    page_url = reverse("campaigns:task_detail", args=[task.pk]) + "?action=pending"
    before = client.get(page_url).content.decode()
    assert f"记录（已处理 0 / {total}）" in before
    assert f"还有 {total} 条记录未处理" in before

    response = client.post(
        reverse("campaigns:item_confirm", args=[task.pk, item.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + page_url,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="item-{item.pk}">')
    assert html.count('hx-swap-oob="true"') == 4
    assert f"记录（已处理 1 / {total}）" in html
    assert f"{ItemAction.CONFIRMED.label} 1" in html
    # The chips keep the page's filter: 待处理 stays the active one.
    assert f'active" href="?action=pending">{ItemAction.PENDING.label} {total - 1}' in html
    if total > 1:
        assert f"还有 {total - 1} 条记录未处理" in html
    else:
        assert "条记录未处理" not in html
