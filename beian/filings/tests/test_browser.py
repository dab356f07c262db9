"""A tier-2 WeChat account filed through the real pages in Chromium: the operator
applies, the unit head, the school admin and the leader approve; the number appears and
the filled 备案表 downloads and opens."""

from datetime import timedelta

import docx
import pytest
from django.utils import timezone

from beian.filings.models import Filing
from beian.testing import browser_login

ACCOUNT = "文学院青年之声"


def _as(page, username):
    page.context.clear_cookies()
    browser_login(page, username)


@pytest.mark.django_db(transaction=True)
def test_tier2_wechat_filing_end_to_end(cast, page, screenshot, tmp_path):
    _as(page, "lit_operator")
    page.goto(f"{page.base_url}/filings/new/")
    page.select_option("#id_owner_unit", label="文学院")
    page.select_option("#id_platform", label="微信公众号")
    page.fill("#id_account_name", ACCOUNT)
    page.fill("#id_external_id", "ncwu_lit_voice")
    page.fill("#id_responsible_name", "刘书记")
    page.fill("#id_responsible_post", "党委书记")
    page.fill("#id_responsible_phone", "13811112222")
    live = timezone.localdate() + timedelta(days=30)
    page.fill("#id_goes_live_on", live.isoformat())
    page.fill("#id_columns", "学院新闻、青年风采")
    page.fill("#id_update_frequency", "每周 2 次")
    page.fill("#id_introduction", "文学院团委官方微信公众号")
    page.select_option("#id_team-0-role", "operator")
    page.fill("#id_team-0-name", "赵运营")
    page.select_option("#id_team-0-identity", "student")
    page.fill("#id_team-0-mobile", "13900001111")
    page.check("#id_pledge")
    screenshot(page, "filings-01-new-form")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#filing-status").inner_text() == "审批中"
    screenshot(page, "filings-02-submitted")
    filing = Filing.objects.get(account_name=ACCOUNT)
    detail = f"{page.base_url}/filings/{filing.pk}/"

    for username in ("lit_unit_admin", "school_admin", "leader"):
        _as(page, username)
        page.goto(f"{page.base_url}/filings/waiting/")
        if username == "lit_unit_admin":
            screenshot(page, "filings-03a-waiting-list")
        page.click(f"text={ACCOUNT}")
        page.wait_for_load_state("networkidle")
        if username == "lit_unit_admin":
            screenshot(page, "filings-03-approver-view")
        page.fill("#id_comment", "同意开设")
        page.click("button[name=decision][value=approve]")
        page.wait_for_load_state("networkidle")
        assert "已同意" in page.content()

    filing.refresh_from_db()
    assert filing.registration_number
    page.goto(detail)
    assert page.locator("#registration-number").inner_text() == filing.registration_number
    screenshot(page, "filings-04-approved")

    with page.expect_download() as download_info:
        page.click("#docx-hnwu")
    path = tmp_path / "form.docx"
    download_info.value.save_as(path)
    document = docx.Document(str(path))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    assert ACCOUNT in text and filing.registration_number in text and "赵运营" in text

    _as(page, "lit_operator")
    page.goto(f"{page.base_url}/filings/inbox/")
    assert "已审批通过" in page.content()
    screenshot(page, "filings-05-inbox")
