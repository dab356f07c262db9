"""Sheets as units really write them: platform shorthand (企微, wx, dd, B站…), Traditional
characters, full-width letters and stray spaces, 萬 / 億 in numbers; messages that name
the kind of platform; spellings a school teaches from the preview."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.orgs.choices import UnitKind
from beian.registry.models import ChatGroup, MediaAccount
from beian.testing import make_unit, make_user, platform
from beian.transfer.models import PlatformSpelling
from beian.transfer.spellings import institution_unit_id, platform_spelling_create
from beian.users.choices import Role

from .conftest import ACCOUNT_HEADER, GROUP_HEADER, commit, errors, preview, row, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


# 群聊平台 as written in a real group sheet, and what each one is.
GROUP_SPELLINGS = [
    ("企微", "wecom_group"),
    ("企业微信", "wecom_group"),
    ("企業微信", "wecom_group"),
    ("wecom", "wecom_group"),
    ("企微工作群", "wecom_group"),
    ("wx", "wechat_group"),
    ("WX", "wechat_group"),
    ("ｖｘ", "wechat_group"),
    ("微信", "wechat_group"),
    ("微 信 群", "wechat_group"),
    ("微信（群）", "wechat_group"),
    ("weixin", "wechat_group"),
    ("dd", "dingtalk_group"),
    ("釘釘", "dingtalk_group"),
    ("钉钉工作群", "dingtalk_group"),
    ("qq", "qq_group"),
    ("ＱＱ群", "qq_group"),
    ("Q群", "qq_group"),
    ("飞书", "feishu_group"),
    ("Lark", "feishu_group"),
    ("飛書群", "feishu_group"),
]


def test_a_group_sheet_written_with_shorthand_imports_whole(cast):
    rows = [
        [n, "计算机学院", spelling, f"计院第{n}群", "工作", "1.2萬" if n == 1 else f"{n}0人",
         "无", "", "2019年3月", "张书记", "13812341234"]
        for n, (spelling, _code) in enumerate(GROUP_SPELLINGS, start=1)
    ]  # fmt: skip
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert plan.counts["error"] == 0, errors(plan)
    assert plan.counts["new"] == len(GROUP_SPELLINGS)
    commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    for n, (spelling, code) in enumerate(GROUP_SPELLINGS, start=1):
        group = ChatGroup.objects.get(name=f"计院第{n}群")
        assert group.platform.code == code, spelling
    assert ChatGroup.objects.get(name="计院第1群").member_count == 12000


ACCOUNT_SPELLINGS = [
    ("wx", "wechat_official", "1.5萬"),
    ("公众号", "wechat_official", "0.8萬"),
    ("服務號", "wechat_official", "約3000人"),
    ("訂閱號", "wechat_official", "1.2万+"),
    ("B站", "bilibili", "2.3w"),
    ("b 站", "bilibili", "0.5"),
    ("ｂｉｌｉｂｉｌｉ", "bilibili", "3千"),
    ("嗶哩嗶哩", "bilibili", "1億"),
    ("抖音号", "douyin", "5k"),
    ("douyin", "douyin", ""),
    ("视频号", "wechat_channels", "1"),
    ("視頻號", "wechat_channels", "2"),
    ("xhs", "xiaohongshu", "1"),
    ("小紅書", "xiaohongshu", "1"),
    ("微博", "weibo", "5萬"),
    ("weibo", "weibo", "1"),
    ("新浪", "weibo", "1"),
]


def test_an_account_sheet_written_with_shorthand_and_wan_imports_whole(cast):
    rows = [
        [n, "文学院", "二级", spelling, f"文学院账号{n}", "", "2019.03", "", audience, "每周",
         "", "", "", ""]
        for n, (spelling, _code, audience) in enumerate(ACCOUNT_SPELLINGS, start=1)
    ]  # fmt: skip
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    assert plan.counts["error"] == 0, errors(plan)
    commit(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    for n, (spelling, code, _audience) in enumerate(ACCOUNT_SPELLINGS, start=1):
        account = MediaAccount.objects.get(name=f"文学院账号{n}")
        assert account.platform.code == code, spelling
    audience = dict(MediaAccount.objects.values_list("name", "audience"))
    assert audience["文学院账号1"] == 15000
    assert audience["文学院账号2"] == 8000  # "0.8萬"
    assert audience["文学院账号3"] == 3000  # "約3000人"
    assert audience["文学院账号4"] == 12000  # "1.2万+"
    assert audience["文学院账号8"] == 100_000_000  # "1億"


def test_an_unknown_platform_is_named_by_the_kind_of_sheet(cast):
    account_rows = [
        [1, "文学院", "二级", "火星号", "文学院火星", "", "", "", "", "", "", "", "", ""]
    ]
    message = errors(preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, account_rows)))
    assert "未找到账号平台“火星号”" in message[0] and "群聊" not in message[0]
    group_rows = [[1, "文学院", "火星群", "文学院火星群", "工作", "10", "无", "", "", "", ""]]
    message = errors(preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, group_rows)))
    assert "未找到群聊平台“火星群”" in message[0]
    # A chat platform in an account sheet says where it belongs.
    account_rows[0][3] = "企微"
    message = errors(preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, account_rows)))
    assert "“企微”是群聊平台" in message[0]


def test_a_number_that_is_not_one_is_refused_in_chinese(cast):
    rows = [[1, "文学院", "微信群", "文学院群", "工作", "很多萬", "无", "", "", "", ""]]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert "“很多萬”不是有效的数字" in errors(plan)[0]


# --- teaching a spelling -------------------------------------------------------------------


def _gang_rows():
    return [[1, "计算机学院", "钉子群", "计院钉子群", "工作", "10", "无", "", "", "", ""]]


def test_a_school_admin_teaches_a_spelling_and_the_preview_accepts_it(cast):
    data = xlsx(GROUP_HEADER, _gang_rows())
    plan = preview(cast.school_admin, "groups", data)
    assert "未找到群聊平台“钉子群”" in errors(plan)[0]
    taught = platform_spelling_create(
        actor=cast.school_admin,
        institution_unit=cast.school,
        spelling="钉子群",
        platform=platform("dingtalk_group"),
    )
    assert taught.key == "钉子群" and taught.for_groups
    assert taught.history.first().history_user == cast.school_admin
    event = AuditEvent.objects.filter(event=AuditEventType.CREATE).latest("pk")
    assert event.actor == cast.school_admin
    assert event.detail["spelling"] == "钉子群" and event.detail["platform"] == "钉钉群"
    plan = preview(cast.school_admin, "groups", data)
    assert plan.counts["error"] == 0 and row(plan, 2).label.startswith("钉钉群")
    # A unit admin of the same school profits from it.
    plan = preview(cast.cs_unit_admin, "groups", data)
    assert plan.counts["error"] == 0, errors(plan)


def test_a_taught_spelling_serves_only_its_school(cast):
    other = make_unit("另一大学", kind=UnitKind.SCHOOL)
    college = make_unit("计算机学院", parent=other)
    platform_spelling_create(
        actor=cast.school_admin,
        institution_unit=cast.school,
        spelling="钉子群",
        platform=platform("dingtalk_group"),
    )
    assert PlatformSpelling.objects.count() == 1
    admin = make_user("other_admin", role=Role.UNIT_ADMIN, unit=college)
    rows = [[1, "计算机学院", "钉子群", "计院钉子群", "工作", "10", "无", "", "", "", ""]]
    plan = preview(admin, "groups", xlsx(GROUP_HEADER, rows))
    assert "未找到群聊平台“钉子群”" in errors(plan)[0]
    assert institution_unit_id(admin) == other.pk
    assert institution_unit_id(cast.cs_unit_admin) == cast.school.pk


def test_only_school_admins_teach_and_known_spellings_are_refused(cast):
    with pytest.raises(PermissionDenied):
        platform_spelling_create(
            actor=cast.cs_unit_admin,
            institution_unit=cast.school,
            spelling="钉子群",
            platform=platform("dingtalk_group"),
        )
    with pytest.raises(ValidationError, match="已经是“企业微信群”的写法"):
        platform_spelling_create(
            actor=cast.school_admin,
            institution_unit=cast.school,
            spelling="企 微",
            platform=platform("wecom_group"),
        )
    assert not PlatformSpelling.objects.exists()
    # A school admin whose role names another school teaches only there.
    other = make_unit("另一大学", kind=UnitKind.SCHOOL)
    stranger = make_user("other_school_admin", role=Role.SCHOOL_ADMIN, unit=other)
    with pytest.raises(PermissionDenied):
        platform_spelling_create(
            actor=stranger,
            institution_unit=cast.school,
            spelling="钉子群",
            platform=platform("dingtalk_group"),
        )


def test_teaching_again_repoints_the_spelling(cast):
    for code in ("dingtalk_group", "feishu_group"):
        platform_spelling_create(
            actor=cast.school_admin,
            institution_unit=cast.school,
            spelling="钉子群",
            platform=platform(code),
        )
    spelling = PlatformSpelling.objects.get()
    assert spelling.platform.code == "feishu_group"
    assert AuditEvent.objects.filter(event=AuditEventType.UPDATE).latest("pk").detail["before"] == (
        "钉钉群"
    )
