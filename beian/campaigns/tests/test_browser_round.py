"""A whole round in Chromium, at 1400 px and on a 390 px phone: the school admin opens it;
the 计算机学院 admin corrects an account through the registry's form, closes a zombie
account with a screenshot as proof, imports the college's group sheet (one bad row shown,
fixed, imported again), confirms the rest, answers the checklist, uploads the stamped scan
and submits; the school's board shows 已提交 and the consolidated export holds the
correction."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from beian.campaigns.choices import ItemAction, SheetCode, TaskState
from beian.campaigns.models import Campaign, CampaignTask
from beian.core.tests import sheet_fixtures as F
from beian.registry.choices import AccountStatus, FilingState
from beian.registry.models import MediaAccount
from beian.testing import browser_login, make_account, make_group

GROUP_HEADER = ["序号", "管理单位", "群聊平台", "群名称", "群性质", "群人数", "有无校外人员",
                "校外人员人数", "创建时间", "创建人", "创建人电话"]  # fmt: skip


def group_sheet(members: str) -> bytes:
    """The college's 即时群聊工具备案汇总表 as a unit fills it (title, 报送单位, header)."""
    rows = [
        [1, "计算机学院", "微信群", "计院2026级新生群", "学生管理", "320人", "无", "",
         "2026年9月", "冯老师", "13712345678"],
        [2, "计算机学院", "QQ群", "计院科研交流群", "科研", members, "有", "3", "2024.03",
         "冯老师", "13712345678"],
    ]  # fmt: skip
    width = len(GROUP_HEADER)
    grid = F.Grid(
        rows=[
            ["计算机学院即时群聊工具备案汇总表"] + [None] * (width - 1),
            [F.SUBMITTER] + [None] * (width - 1),
            GROUP_HEADER,
            *rows,
        ],
        merges=[(0, 0, 0, width - 1), (1, 0, 1, width - 1)],
    )
    return F.to_xlsx(grid)


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), color).save(out, format="PNG")
    return out.getvalue()


def submit_and_wait(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.django_db(transaction=True)
def test_a_round_from_opening_to_the_consolidated_export(
    cast, page, screenshot, settings, tmp_path, width
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BEIAN_IMPORT_TMP_DIR = str(tmp_path / "imports")
    page.set_viewport_size({"width": width, "height": 1000})
    shot = f"round-{width}"
    today = timezone.localdate()
    news = make_account(
        "计院新闻", unit=cast.cs, external_id="ncwu_cs_news", filing_state=FilingState.FILED
    )
    zombie = make_account(
        "计院旧公众号",
        unit=cast.cs,
        external_id="ncwu_cs_old",
        last_post_date=today - dt.timedelta(days=400),
    )
    make_account("软件工程系公众号", unit=cast.se, external_id="ncwu_se")
    make_group("计院教师工作群", unit=cast.cs, member_count=80)
    make_group("软件工程系教研室群", unit=cast.se, member_count=25)

    # The school admin sets the round up and opens it.
    browser_login(page, "school_admin")
    page.goto(f"{page.base_url}/campaigns/new/")
    page.select_option("#id_kind", "inventory")
    page.fill("#id_title", "2026年新媒体平台和工作群清查")
    page.fill("#id_notice", "请各单位逐条核对本单位的账号和群聊，**按时**提交。")
    page.fill("#id_deadline", (today + dt.timedelta(days=10)).isoformat())
    page.select_option("#id_sheets", [SheetCode.ACCOUNTS_NCWU, SheetCode.GROUPS_PDSU])
    page.fill("#id_checklist", "已落实三审三校\n学生毕业离校后已移除其管理员身份\n已指定评论管理员")
    submit_and_wait(page, "button[type=submit]:has-text('保存')")
    screenshot(page, f"{shot}-01-campaign-draft")
    submit_and_wait(page, "#open-campaign")
    campaign = Campaign.objects.get()
    assert campaign.status == "open"
    task = CampaignTask.objects.get(campaign=campaign, unit=cast.cs)
    assert task.items.filter(account__in=[news, zombie]).count() == 2
    page.context.clear_cookies()

    # The college's admin answers.
    browser_login(page, "cs_unit_admin")
    task_url = f"{page.base_url}/campaigns/tasks/{task.pk}/"
    page.goto(task_url)
    screenshot(page, f"{shot}-02-task-start")

    # Correct an account through the registry's form, then back to the task.
    submit_and_wait(page, f"#item-{task.items.get(account=news).pk} a:has-text('修改')")
    page.fill("#id_name", "计院新闻中心")
    submit_and_wait(page, "button[type=submit]:has-text('保存')")
    assert MediaAccount.objects.get(pk=news.pk).name == "计院新闻中心"
    page.goto(task_url)
    row = page.locator("#task-items tr", has_text="计院新闻中心")
    assert "已修改" in row.inner_text()

    # Close the zombie with a screenshot of the platform's notice.
    zombie_item = task.items.get(account=zombie)
    submit_and_wait(page, f"#item-{zombie_item.pk} a:has-text('申请注销')")
    page.fill("#id_reason", "停更一年以上，已在平台注销")
    proof = tmp_path / "注销截图.png"
    proof.write_bytes(png("gray"))
    page.set_input_files("#id_proof", str(proof))
    screenshot(page, f"{shot}-03-close-zombie")
    submit_and_wait(page, "button[type=submit]:has-text('提交')")
    zombie_item.refresh_from_db()
    assert zombie_item.action == ItemAction.CLOSING
    assert MediaAccount.objects.get(pk=zombie.pk).status == AccountStatus.CLOSED

    # Import the college's group sheet: one bad row, named; fixed and imported again.
    bad = tmp_path / "计算机学院-群聊汇总表.xlsx"
    bad.write_bytes(group_sheet("很多"))
    page.goto(f"{page.base_url}/transfer/import/?kind=groups")
    page.select_option("#id_kind", "groups")
    page.set_input_files("#id_file", str(bad))
    submit_and_wait(page, "text=上传并预览")
    error = page.locator("tr#row-5 .beian-cell-message")
    assert "“很多”不是有效的数字" in error.inner_text()
    assert "F5 群人数" in error.inner_text()
    screenshot(page, f"{shot}-04-import-bad-row")
    fixed = tmp_path / "计算机学院-群聊汇总表（改）.xlsx"
    fixed.write_bytes(group_sheet("60"))
    page.set_input_files("form[action$='/transfer/import/'] input[type=file]", str(fixed))
    submit_and_wait(page, "button:has-text('重新上传')")
    assert page.locator(".beian-preview-error").count() == 0
    submit_and_wait(page, "text=确认导入")
    assert "已导入" in page.content()
    page.goto(task_url)
    assert "计院科研交流群" in page.locator("#task-items").inner_text()
    assert task.items.filter(action=ItemAction.ADDED).count() == 2  # the two new groups

    # Confirm the rest, answer the checklist, upload the stamped scan, submit.
    submit_and_wait(page, "#confirm-all")
    for radio in page.locator("input[type=radio][value=yes]").all():
        radio.check()
    submit_and_wait(page, "button:has-text('保存检查项')")
    scan = tmp_path / "计算机学院盖章汇总表.png"
    scan.write_bytes(png("white"))
    page.set_input_files("input[name=file]", str(scan))
    submit_and_wait(page, "button:has-text('上传签字盖章扫描件')")
    assert page.locator("#submit-task").is_enabled()
    screenshot(page, f"{shot}-05-task-ready")
    submit_and_wait(page, "#submit-task")
    assert page.locator("#task-state").inner_text() == "已提交"
    screenshot(page, f"{shot}-06-task-submitted")
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the task page overflows {width}px: {scroll}px"
    page.context.clear_cookies()

    # The school's board shows the submission; the consolidated export has the correction.
    browser_login(page, "school_admin")
    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/board/")
    board = page.locator("#board-table")
    assert "已提交" in board.locator("tr", has_text="计算机学院").inner_text()
    screenshot(page, f"{shot}-07-board")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the board overflows {width}px: {scroll}px"
    page.click("button:has-text('全校汇总表')")
    link = f"a[href$='/summary/{SheetCode.ACCOUNTS_NCWU}.xlsx?submitted=1']"
    with page.expect_download() as download:
        page.click(link)
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    cells = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v}
    assert "计院新闻中心" in cells
    assert "计院新闻" not in cells
