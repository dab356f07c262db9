"""Teaching a platform spelling from the import preview: the school admin sees a button per
unknown spelling and the preview is checked again at once; a unit admin sees the error and
a hint to ask; the POST is refused to anyone but a school admin."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beian.core.models import AuditEvent
from beian.testing import platform
from beian.transfer.models import PlatformSpelling

from .conftest import GROUP_HEADER, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ROWS = [
    [1, "计算机学院", "钉子群", "计院钉子群", "工作", "10", "无", "", "2022年9月", "", ""],
    [2, "计算机学院", "钉子群", "计院钉子二群", "工作", "10", "无", "", "2022年9月", "", ""],
    [3, "计算机学院", "钉 钉", "计院钉钉群", "工作", "10", "无", "", "2022年9月", "", ""],
]


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def _preview_url(client, user):
    client.force_login(user)
    response = client.post(
        reverse("transfer:import_start"),
        {
            "kind": "groups",
            "unit": "",
            "file": SimpleUploadedFile("附件3.xlsx", xlsx(GROUP_HEADER, ROWS)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url


def test_the_school_admin_teaches_a_spelling_from_the_preview(client, cast):
    url = _preview_url(client, cast.school_admin)
    page = client.get(url).content.decode()
    assert "未识别的平台写法" in page and "“钉子群”" in page and "记住这种写法" in page
    # The closest known spelling ("钉群") preselects its platform.
    assert f'<option value="{platform("dingtalk_group").pk}" selected>钉钉群</option>' in page
    token = url.rstrip("/").rsplit("/", 1)[-1]
    response = client.post(
        reverse("transfer:import_teach", args=[token]),
        {"spelling": "钉子群", "platform": platform("dingtalk_group").pk},
    )
    assert response.status_code == 302 and response.url == url
    spelling = PlatformSpelling.objects.get()
    assert (spelling.institution_unit, spelling.platform.code) == (cast.school, "dingtalk_group")
    assert AuditEvent.objects.filter(object_type="transfer.PlatformSpelling").count() == 1
    page = client.get(url, {"show": "all"}).content.decode()
    assert "已记住" in page and "未识别的平台写法" not in page
    assert "未找到群聊平台" not in page
    # The commit takes the re-checked plan.
    response = client.post(reverse("transfer:import_commit", args=[token]))
    assert response.status_code == 302
    from beian.registry.models import ChatGroup

    assert (
        ChatGroup.objects.filter(
            name__startswith="计院钉子", platform__code="dingtalk_group"
        ).count()
        == 2
    )


def test_a_unit_admin_sees_the_error_and_a_hint_but_no_button(client, cast):
    url = _preview_url(client, cast.cs_unit_admin)
    page = client.get(url).content.decode()
    assert "未找到群聊平台“钉子群”" in page
    assert "联系学校管理员" in page and "记住这种写法" not in page
    token = url.rstrip("/").rsplit("/", 1)[-1]
    response = client.post(
        reverse("transfer:import_teach", args=[token]),
        {"spelling": "钉子群", "platform": platform("dingtalk_group").pk},
    )
    assert response.status_code == 403
    assert not PlatformSpelling.objects.exists()


def test_a_known_spelling_is_refused_with_a_message(client, cast):
    url = _preview_url(client, cast.school_admin)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    response = client.post(
        reverse("transfer:import_teach", args=[token]),
        {"spelling": "企微", "platform": platform("wecom_group").pk},
        follow=True,
    )
    assert "已经是“企业微信群”的写法" in response.content.decode()
    assert not PlatformSpelling.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_teaching_in_the_browser(cast, page, screenshot, tmp_path):
    from beian.testing import browser_login

    browser_login(page, "school_admin")
    sheet = tmp_path / "计算机学院-附件3.xlsx"
    sheet.write_bytes(xlsx(GROUP_HEADER, ROWS, title="即时群聊工具备案汇总表"))
    page.goto(f"{page.base_url}/transfer/import/?kind=groups")
    page.select_option("#id_kind", "groups")
    page.set_input_files("#id_file", str(sheet))
    page.click("text=上传并预览")
    page.wait_for_load_state("networkidle")
    screenshot(page, "transfer-teach-01-unknown-spelling")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "transfer-teach-01-unknown-spelling-390")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.select_option("#unknown-platforms select[name=platform]", label="钉钉群")
    page.click("text=记住这种写法")
    page.wait_for_load_state("networkidle")
    screenshot(page, "transfer-teach-02-rechecked")
    assert "已记住" in page.content()
    assert page.locator("#unknown-platforms").count() == 0
