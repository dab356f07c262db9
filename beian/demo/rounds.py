"""Demo rounds (清查 / 备案统计): last year's finished inventory with its 通报, and this year's
registration round still open, so that the board shows every task state on first run; and
one disabled DingTalk robot on the school root, so the channel page is not empty.

Everything is written through the campaigns services (and the registry's and notify's),
with the school admin and the two unit admins (`unit_info`, `unit_water`) as actors. The
dates are placed relative to the reference date, so the demo shows the same states any
day:

* last year's round (清查): opened 386 days ago, deadline a year before this year's, closed;
  every unit but 保卫处 submitted (the missing one), 后勤管理处 and 校医院 a few days after
  the deadline (late); most were confirmed, two stayed 已提交; some groups were dissolved
  with proof, one corrected, one joined as added; snapshots kept for this year's diff.
* this year's round (清查 again, copied from last year's, so that the diff compares the
  two): opened 21 days ago, deadline 2 days ago, still open:
  未开始, 填报中 (信息工程学院, the `unit_info` login's), 已提交 on time and late, 已退回
  with a comment (水利学院, the `unit_water` login's), 已确认; unsubmitted units are late.

A past moment is reached with `_clock`, which sets the clock the services read
(`django.utils.timezone.now`) for the duration of one service call — the demo has no
other way to say "this unit submitted eight months ago"; it changes no stored value
itself. Audit rows keep the time they were really written (their default reads the
clock when the row is made).

Write: `write_rounds(ctx)`, after the accounts, the groups and the logins.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from beian.campaigns import services as campaigns
from beian.campaigns.choices import CampaignKind, CampaignScope, ItemAction, SheetCode
from beian.campaigns.models import CampaignTask, TaskItem
from beian.notify.choices import ChannelKind
from beian.notify.services import channel_create
from beian.registry.choices import GroupStatus

if TYPE_CHECKING:
    from beian.campaigns.models import Campaign

    from .context import DemoContext

#: Days before the reference date.
LAST_OPENED, LAST_DEADLINE, LAST_CLOSED = 386, 367, 350
THIS_OPENED, THIS_DEADLINE = 21, 2

#: Last year's round: the unit that never submitted, those that submitted late, those
#: whose submission the school left unconfirmed.
LAST_MISSING = "保卫处"
LAST_LATE = ("后勤管理处", "校医院")
LAST_UNCONFIRMED = ("图书馆", "档案馆")

#: This year's round: the state each unit is left in (the rest stay 未开始).
THIS_IN_PROGRESS = ("信息工程学院", "党委组织部", "机械学院", "人事处")
THIS_RETURNED = ("水利学院",)
THIS_SUBMITTED = ("电力学院", "图书馆", "教务处", "科技处")
THIS_SUBMITTED_LATE = ("外国语学院",)
THIS_CONFIRMED = ("党委宣传部", "党委办公室（校长办公室）", "信息化办公室", "档案馆", "招生就业处")
RETURN_COMMENT = (
    "汇总表扫描件缺少单位负责人签字，且“水利学院2026级新生家长交流群”未说明外部成员情况，"
    "请补充后重新提交。"
)

LAST_CHECKLIST = [
    "本单位新媒体账号均已落实“三审三校”制度",
    "学生毕业离校后，已及时移除其账号管理员和群管理员身份",
    "各账号均已指定评论（留言）管理人员，并及时处理不当评论",
    "停更、僵尸账号已注销或办理停更说明",
]
THIS_CHECKLIST = [
    "本单位新媒体账号均已落实“三审三校”制度",
    "学生毕业离校后，已及时移除其账号管理员和群管理员身份",
    ("各账号已指定评论（留言）管理员，姓名已填入备注", True),
    "工作群均明确了群主和管理员，并发布群规",
    ("本单位已组织管理人员参加网络安全和意识形态培训", False),
]

NOTICE = """各党委、党总支、直属党支部，校属各单位：

为进一步规范校属网络媒体平台、互联网群组的建设、运营与管理，坚持正确舆论导向，营造良好舆论氛围，\
根据学校意识形态工作责任制和网络意识形态责任制实施细则、新闻宣传工作管理办法等文件要求，\
现集中开展{year}年度网络媒体平台备案和互联网群组统计工作。具体事项通知如下：

## 一、备案范围

1. 各部门、单位以学校和本部门、本单位名义注册使用或运营的网站、新媒体、应用程序等网络媒体平台、账号，\
包括微博、微信公众号、视频号、小程序、QQ空间、知乎、小红书、抖音、快手、哔哩哔哩等；
2. 师生以个人名义注册、但使用学校名称或标识的账号；
3. 各单位建立的微信群、QQ群、钉钉群、企业微信群等工作群组（成员 **10 人及以上**）。

## 二、工作要求

- 逐条核对本单位账号和群组，信息有误的当场修改，停更的账号办理注销并上传注销截图；
- 按“谁主管谁负责、谁主办谁负责、谁运营谁负责”落实第一责任人、负责人和内容审核人员；
- 回答检查项，导出汇总表，经单位负责人签字并加盖公章后上传扫描件。

## 三、时间安排

请于 **{deadline}** 前在系统中提交。逾期未报或漏报的单位将在全校通报。

联系人：党委宣传部网络宣传科，电话 67790000。
"""


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """The services' clock reads `moment` inside the block."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def stamped_scan(unit_name: str) -> SimpleUploadedFile:
    """A small PNG standing for the signed and stamped summary: a page with a red seal."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 320), "white")
    draw = ImageDraw.Draw(image)
    for y in range(30, 200, 14):
        draw.line((24, y, 216, y), fill=(120, 120, 120), width=2)
    draw.ellipse((130, 220, 210, 300), outline=(200, 20, 20), width=5)
    draw.line((150, 260, 190, 260), fill=(200, 20, 20), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(f"{unit_name}盖章汇总表.png", out.getvalue(), "image/png")


def write_rounds(ctx: DemoContext) -> None:
    admin = ctx.school_admin
    root = ctx.units[ctx.plan.units[0].name]
    last = _last_years_round(ctx, admin, root)
    _this_years_round(ctx, admin, root, last)
    # The robot's address is DingTalk's own, fixed here, not typed by anyone: its host need
    # not resolve while the demo loads (offline machines), so the DNS check is skipped.
    with override_settings(BEIAN_NOTIFY_ALLOW_PRIVATE=True):
        _example_channel(admin, root)


def _example_channel(admin, root) -> None:
    channel_create(
        actor=admin,
        unit=root,
        kind=ChannelKind.DINGTALK,
        name="宣传部工作群钉钉机器人（示例，未启用）",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=demo-not-a-real-token",
        secret="SECdemo-not-a-real-secret",  # noqa: S106 - a published placeholder
        enabled=False,
    )


# --- last year's inventory -----------------------------------------------------------------


def _last_years_round(ctx: DemoContext, admin, root) -> Campaign:
    today = ctx.today
    deadline = today - timedelta(days=LAST_DEADLINE)
    opened = today - timedelta(days=LAST_OPENED)
    with _clock(_at(opened, 9)):
        campaign = campaigns.campaign_create(
            actor=admin,
            owner_unit=root,
            data={
                "kind": CampaignKind.INVENTORY,
                "title": f"{deadline.year}年度网络媒体平台和工作群组清查",
                "notice": NOTICE.format(year=deadline.year, deadline=_cn(deadline)),
                "scope": CampaignScope.BOTH,
                "opens_on": opened,
                "deadline": deadline,
                "sheets": [SheetCode.ACCOUNTS_NCWU, SheetCode.GROUPS_PDSU],
            },
            checklist=LAST_CHECKLIST,
        )
        campaigns.campaign_open(actor=admin, campaign=campaign)
    tasks = _tasks(campaign)
    for offset, task in enumerate(tasks):
        name = task.unit.name
        if name == LAST_MISSING:
            with _clock(_at(opened + timedelta(days=5), 15)):
                _confirm_some(admin, task)
            continue
        day = deadline + timedelta(days=3) if name in LAST_LATE else opened + timedelta(days=10)
        day += timedelta(days=offset % 7) if name not in LAST_LATE else timedelta(0)
        with _clock(_at(day, 9, offset)):
            _inventory_changes(ctx, admin, task, offset)
        _answer_and_submit(admin, task, day, campaign)
        if name not in LAST_UNCONFIRMED:
            with _clock(_at(day + timedelta(days=2), 16, offset)):
                campaigns.task_confirm(actor=admin, task=task, comment="已审核")
    with _clock(_at(today - timedelta(days=LAST_CLOSED), 17)):
        campaigns.campaign_close(actor=admin, campaign=campaign)
    return campaign


def _inventory_changes(ctx: DemoContext, admin, task: CampaignTask, offset: int) -> None:
    """A few units found something to change: a dead group dissolved with its proof, a
    group's member count corrected, a registered group that grew into the scope added."""
    from beian.registry.models import ChatGroup
    from beian.registry.services import group_update

    planted = {record.name for record in ctx.plan.broken}
    if offset % 6 == 1:
        item = (
            task.items.filter(group__isnull=False, group__status=GroupStatus.ACTIVE)
            .exclude(group__name__in=planted)
            .exclude(group__has_outside_members=True)
            .select_related("group")
            .order_by("group__member_count", "pk")
            .first()
        )
        if item is not None:
            campaigns.task_item_mark_closing(
                actor=admin,
                item=item,
                reason="工作已结束，群已解散",
                proof=stamped_scan(task.unit.name),
            )
    if offset % 6 == 3:
        item = (
            task.items.filter(group__isnull=False, action=ItemAction.PENDING)
            .exclude(group__name__in=planted)
            .select_related("group")
            .order_by("pk")
            .first()
        )
        if item is not None:
            group = item.group
            group_update(
                actor=admin,
                group=group,
                data={"member_count": group.member_count + 3},
            )
            item.refresh_from_db()
            if item.action == ItemAction.PENDING:
                campaigns.task_item_correct(actor=admin, item=item, note="成员人数已更新")
    if offset % 6 == 5:
        roots = campaigns._subtree_roots([task.unit_id])  # noqa: SLF001 - the unit's subtree
        grown = (
            ChatGroup.objects.filter(
                owner_unit_id__in=list(roots),
                status=GroupStatus.ACTIVE,
                member_count__gte=7,
                member_count__lt=campaigns.group_threshold(task.campaign),
                registered=True,
            )
            .exclude(name__in=planted)
            .order_by("pk")
            .first()
        )
        if grown is not None:
            group_update(
                actor=admin,
                group=grown,
                data={"member_count": campaigns.group_threshold(task.campaign) + 2},
            )
    campaigns.task_confirm_all_unchanged(actor=admin, task=task)


# --- this year's round ------------------------------------------------------------------


def _this_years_round(ctx: DemoContext, admin, root, last: Campaign) -> Campaign:
    today = ctx.today
    deadline = today - timedelta(days=THIS_DEADLINE)
    opened = today - timedelta(days=THIS_OPENED)
    with _clock(_at(opened, 9)):
        campaign = campaigns.campaign_create(
            actor=admin,
            owner_unit=root,
            data={
                "kind": CampaignKind.INVENTORY,
                "title": f"{deadline.year}年度网络媒体平台备案和互联网群组清查",
                "notice": NOTICE.format(year=today.year, deadline=_cn(deadline)),
                "scope": CampaignScope.BOTH,
                "opens_on": opened,
                "deadline": deadline,
                "sheets": [SheetCode.ACCOUNTS_NCWU, SheetCode.GROUPS_PDSU],
            },
            checklist=THIS_CHECKLIST,
            copied_from=last,
        )
        campaigns.campaign_open(actor=admin, campaign=campaign)
    unit_admins = {"信息工程学院": ctx.users["unit_info"], "水利学院": ctx.users["unit_water"]}
    for offset, task in enumerate(_tasks(campaign)):
        name = task.unit.name
        actor = unit_admins.get(name, admin)
        if name in THIS_IN_PROGRESS:
            with _clock(_at(opened + timedelta(days=3 + offset % 5), 10, offset)):
                _confirm_some(actor, task)
        elif name in THIS_SUBMITTED_LATE:
            day = today - timedelta(days=1)
            with _clock(_at(day, 9, offset)):
                campaigns.task_confirm_all_unchanged(actor=actor, task=task)
            _answer_and_submit(actor, task, day, campaign)
        elif name in (*THIS_SUBMITTED, *THIS_CONFIRMED, *THIS_RETURNED):
            day = opened + timedelta(days=4 + offset % 10)
            with _clock(_at(day, 9, offset)):
                _inventory_changes(ctx, actor, task, offset)
            _answer_and_submit(actor, task, day, campaign)
            later = _at(day + timedelta(days=2), 15, offset)
            if name in THIS_CONFIRMED:
                with _clock(later):
                    campaigns.task_confirm(actor=admin, task=task, comment="已审核")
            elif name in THIS_RETURNED:
                with _clock(later):
                    campaigns.task_return(actor=admin, task=task, comment=RETURN_COMMENT)
    return campaign


# --- shared --------------------------------------------------------------------------------


def _tasks(campaign: Campaign) -> list[CampaignTask]:
    return list(
        CampaignTask.objects.filter(campaign=campaign)
        .select_related("unit", "campaign")
        .order_by("unit__name", "pk")
    )


def _confirm_some(actor, task: CampaignTask) -> None:
    """A unit that began and stopped: its first few records confirmed."""
    items = TaskItem.objects.filter(task=task, action=ItemAction.PENDING).order_by("pk")
    for item in items[:3]:
        campaigns.task_item_confirm(actor=actor, item=item)


def _answer_and_submit(actor, task: CampaignTask, day: date, campaign: Campaign) -> None:
    """Answer every checklist item (是), upload the stamped scan and submit, that day."""
    answers = {item.pk: True for item in campaign.checklist.all()}
    with _clock(_at(day, 11, task.pk % 60)):
        campaigns.task_checklist_answer(actor=actor, task=task, answers=answers)
        campaigns.task_scan_upload(actor=actor, task=task, upload=stamped_scan(task.unit.name))
    with _clock(_at(day, 14, task.pk % 60)):
        campaigns.task_submit(actor=actor, task=task)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
