"""The school's board and 通报 in Chromium, at 1400 px and on a 390 px phone: one unit
submitted, one returned, the others late; the school admin confirms a submission from the
board; the 通报 lists the late units."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from beian.campaigns import services
from beian.campaigns.choices import SheetCode, TaskState
from beian.campaigns.models import CampaignTask
from beian.filings.tests.factories import PDF
from beian.testing import browser_login


def _submit(task, admin):
    services.task_confirm_all_unchanged(actor=admin, task=task)
    answers = {item.pk: True for item in task.campaign.checklist.all()}
    services.task_checklist_answer(actor=admin, task=task, answers=answers)
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    services.task_scan_upload(actor=admin, task=task, upload=upload)
    return services.task_submit(actor=admin, task=task)


@pytest.mark.django_db(transaction=True)
def test_board_and_bulletin_in_the_browser(cast, page, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={
            "kind": "inventory",
            "title": "新媒体平台和工作群清查",
            "opens_on": today,
            "deadline": today + dt.timedelta(days=1),
            "sheets": [SheetCode.ACCOUNTS_PDSU, SheetCode.GROUPS_PDSU],
        },
        checklist=["已落实三审三校"],
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    cs = CampaignTask.objects.get(campaign=campaign, unit=cast.cs)
    lit = CampaignTask.objects.get(campaign=campaign, unit=cast.lit)
    _submit(cs, cast.cs_unit_admin)
    _submit(lit, cast.lit_unit_admin)
    services.task_return(actor=cast.school_admin, task=lit, comment="请补充盖章扫描件")
    # The deadline passes (moved, rather than the clock: the live server runs in a thread).
    past = today - dt.timedelta(days=1)
    type(campaign).objects.filter(pk=campaign.pk).update(opens_on=past, deadline=past)

    browser_login(page, "school_admin")
    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/board/")
    assert page.locator("#board-table").is_visible()
    assert "计算机学院" in page.locator("#board-table").inner_text()
    screenshot(page, "campaigns-board-1400")

    page.check(f"input[name=tasks][value='{cs.pk}']")
    page.click("#bulk-confirm")
    page.wait_for_load_state("networkidle")
    assert "已确认 1 个单位的填报" in page.content()
    cs.refresh_from_db()
    assert cs.state == TaskState.CONFIRMED

    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/bulletin/")
    missing = page.locator("#bulletin-missing").inner_text()
    assert "党委宣传部" in missing and "校团委" in missing
    assert "文学院" in page.locator("#bulletin-returned").inner_text()
    screenshot(page, "campaigns-bulletin-1400")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/board/")
    screenshot(page, "campaigns-board-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board overflows the phone's width: {width}px"
    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/bulletin/")
    screenshot(page, "campaigns-bulletin-390")
