"""Issue 2 in a real browser: a unit admin registers a WeChat official account with its team,
finds it again by part of its Chinese name, reads its history, and cannot open another
unit's account (404)."""

import pytest

from beian.registry.models import MediaAccount
from beian.testing import Cast, browser_login, platform


@pytest.mark.django_db(transaction=True)
def test_unit_admin_registers_finds_and_reads_history(page, screenshot):
    cast = Cast()
    base = page.base_url
    browser_login(page, "cs_unit_admin")
    assert page.url.rstrip("/") == base  # the home page after login

    page.goto(f"{base}/registry/accounts/new/")
    page.select_option("#id_platform", value=str(platform("wechat_official").pk))
    page.fill("#id_name", "计算机学院研究生会")
    page.fill("#id_external_id", "ncwu_cs_grad")
    page.select_option("#id_owner_unit", value=str(cast.cs.pk))
    page.fill("#id_created_month", "2021-09")
    page.select_option("#id_team-0-role", value="first_responsible")
    # the person is picked by typing part of the name and choosing a suggestion
    page.fill("#id_team-0-person", "张书")
    page.locator(f'[data-person-id="{cast.cs_head.pk}"]').click()
    assert page.locator("input[name='team-0-person']").input_value() == str(cast.cs_head.pk)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")

    account = MediaAccount.objects.get(external_id="ncwu_cs_grad")
    assert account.owner_unit == cast.cs
    assert account.tier == 2
    assert list(account.members.values_list("person__name", "role")) == [
        ("张书记", "first_responsible")
    ]
    assert page.url.endswith(f"/registry/accounts/{account.pk}/")
    assert page.get_by_role("heading", name="计算机学院研究生会").count() >= 1
    screenshot(page, "registry-account-detail")

    # find it again by part of its Chinese name
    page.goto(f"{base}/registry/accounts/")
    page.fill("#id_q", "研究生")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "计算机学院研究生会" in rows.first.inner_text()
    screenshot(page, "registry-account-list-search")

    # its history names who created it
    rows.first.get_by_role("link", name="计算机学院研究生会").click()
    page.wait_for_load_state("networkidle")
    history = page.locator(".card", has_text="变更历史")
    assert "新建" in history.inner_text()
    assert "计院管理员" in history.inner_text()

    # another unit's account: 404, the same as an account that does not exist
    response = page.goto(f"{base}/registry/accounts/{cast.lit_account.pk}/")
    assert response.status == 404
    response = page.goto(f"{base}/registry/accounts/999999/")
    assert response.status == 404
