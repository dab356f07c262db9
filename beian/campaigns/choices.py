from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    INVENTORY = "inventory", _("清查")
    REGISTRATION = "registration", _("备案统计")
    CUSTOM = "custom", _("其他")


class CampaignScope(models.TextChoices):
    ACCOUNTS = "accounts", _("新媒体账号")
    GROUPS = "groups", _("即时群聊")
    BOTH = "both", _("账号和群聊")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class TaskState(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    CONFIRMED = "confirmed", _("已确认")


#: States in which the unit may still change its answers.
EDITABLE_TASK_STATES = frozenset({TaskState.NOT_STARTED, TaskState.IN_PROGRESS, TaskState.RETURNED})


class ItemAction(models.TextChoices):
    PENDING = "pending", _("待处理")
    CONFIRMED = "confirmed", _("确认无误")
    CORRECTED = "corrected", _("已修改")
    CLOSING = "closing", _("申请注销/解散")
    ADDED = "added", _("新增")


#: Actions that count as "handled" for submission.
HANDLED_ACTIONS = frozenset(
    {ItemAction.CONFIRMED, ItemAction.CORRECTED, ItemAction.CLOSING, ItemAction.ADDED}
)


class TaskEventAction(models.TextChoices):
    OPENED = "opened", _("下发任务")
    STARTED = "started", _("开始填报")
    ITEM_CONFIRMED = "item_confirmed", _("确认无误")
    ALL_CONFIRMED = "all_confirmed", _("全部确认无变化")
    ITEM_CORRECTED = "item_corrected", _("修改记录")
    ITEM_CLOSING = "item_closing", _("申请注销/解散")
    ITEM_ADDED = "item_added", _("新增记录")
    ITEM_RESET = "item_reset", _("撤销处理")
    ZERO_REPORT = "zero_report", _("零报告")
    CHECKLIST = "checklist", _("回答检查项")
    SCAN = "scan", _("上传盖章扫描件")
    SUBMITTED = "submitted", _("提交")
    RESUBMITTED = "resubmitted", _("重新提交")
    RETURNED = "returned", _("退回")
    CONFIRMED = "confirmed", _("确认")
    REMINDED = "reminded", _("提醒")


class SheetCode(models.TextChoices):
    """The summary sheets a campaign may ask each unit to return (seed layouts). The first
    three are transfer's import/export layouts; the NCWU two are defined in `sheets.py`."""

    ACCOUNTS_PDSU = "accounts-pdsu", _("新媒体账号信息汇总表")
    ACCOUNTS_HNWU = "accounts-hnwu", _("新媒体清查表")
    GROUPS_PDSU = "groups-pdsu", _("即时群聊工具备案汇总表")
    ACCOUNTS_NCWU = "accounts-ncwu", _("网络媒体平台备案信息汇总表")
    ACCOUNTS_NCWU_PERSONAL = "accounts-ncwu-personal", _("师生网络媒体平台备案信息汇总表")


#: Which records each sheet lists.
SHEET_KINDS = {
    SheetCode.ACCOUNTS_PDSU: "accounts",
    SheetCode.ACCOUNTS_HNWU: "accounts",
    SheetCode.GROUPS_PDSU: "groups",
    SheetCode.ACCOUNTS_NCWU: "accounts",
    SheetCode.ACCOUNTS_NCWU_PERSONAL: "accounts",
}
