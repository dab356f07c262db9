"""A unit admin imports the unit's 附件3 in Chromium: one bad row is shown at its cell,
the fixed file is uploaded again and committed, and the groups appear in the list."""

import pytest

from beian.registry.models import ChatGroup
from beian.testing import browser_login

from .conftest import GROUP_HEADER, xlsx

ROWS = [
    [1, "计算机学院", "微信群", "计院2025级新生群", "学生管理", "320人", "无", "", "2025年9月",
     "冯老师", "13712345678"],
    [2, "计算机学院", "QQ群", "计院科研交流群", "科研", "很多", "有", "3", "2024.03", "冯老师",
     "13712345678"],
    [3, "软件工程系", "钉钉群", "软件工程系教研室", "教学", "25", "×", "", "2023年2月", "", ""],
]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_unit_admin_fixes_a_bad_row_and_imports(cast, page, screenshot, tmp_path):
    browser_login(page, "cs_unit_admin")
    bad = tmp_path / "计算机学院-附件3.xlsx"
    bad.write_bytes(xlsx(GROUP_HEADER, ROWS, title="平顶山学院即时群聊工具备案汇总表"))
    page.goto(f"{page.base_url}/transfer/import/?kind=groups")
    screenshot(page, "transfer-01-upload")
    page.select_option("#id_kind", "groups")
    page.set_input_files("#id_file", str(bad))
    page.click("text=上传并预览")
    page.wait_for_load_state("networkidle")
    screenshot(page, "transfer-02-preview-with-error")
    error = page.locator("tr#row-5 .beian-cell-message")
    assert "“很多”不是有效的数字" in error.inner_text()
    assert "F5 群人数" in error.inner_text()
    assert page.locator("tr#row-5 input[name=drop]").count() == 1
    page.click("text=全部")
    page.wait_for_load_state("networkidle")
    screenshot(page, "transfer-03-preview-all-rows")

    fixed = tmp_path / "计算机学院-附件3（改）.xlsx"
    ROWS[1][5] = "约 60 人"
    fixed.write_bytes(xlsx(GROUP_HEADER, ROWS, title="平顶山学院即时群聊工具备案汇总表"))
    page.set_input_files("form[action$='/transfer/import/'] input[type=file]", str(fixed))
    page.click("button:has-text('重新上传')")
    page.wait_for_load_state("networkidle")
    assert page.locator(".beian-preview-error").count() == 0
    screenshot(page, "transfer-04-preview-clean")
    page.click("text=确认导入")
    page.wait_for_load_state("networkidle")
    assert "已导入" in page.content()
    screenshot(page, "transfer-05-done")
    page.click("text=查看即时群聊列表")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=计院科研交流群").count() == 1
    assert page.locator("text=软件工程系教研室").count() == 1
    screenshot(page, "transfer-06-group-list")
    assert ChatGroup.objects.get(name="计院科研交流群").member_count == 60


@pytest.mark.django_db(transaction=True)
def test_the_school_admin_sees_warnings_and_changes(cast, page, screenshot, tmp_path):
    from beian.core.tests import sheet_fixtures as F
    from beian.transfer import services

    services.import_commit(
        actor=cast.school_admin,
        kind="accounts",
        file_name="seed.xlsx",
        data=F.to_xlsx(F.pdsu_accounts()),
    )
    grid = F.pdsu_accounts()
    grid.rows[3][8] = 2.5  # 关注人数 of the first account, in 万
    grid.rows[4][10] = "钱老师"  # another teacher for the second
    path = tmp_path / "附件2-计算机学院.xlsx"
    path.write_bytes(F.to_xlsx(grid))
    browser_login(page, "school_admin")
    page.goto(f"{page.base_url}/transfer/import/")
    page.select_option("#id_kind", "accounts")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并预览")
    page.wait_for_load_state("networkidle")
    assert page.locator(".beian-preview-update").count() == 2
    assert page.locator(".beian-diff-new", has_text="25000").count() == 1
    screenshot(page, "transfer-07-preview-updates-and-warnings")
