"""Campaigns (清查 / 备案统计): the school's rounds, each unit's task in a round, the
records the task asks the unit to account for, and the task's timeline.

A round is run by the root of a subtree (`Campaign.owner_unit`, normally the school's root
unit; a province root can run one over many schools), never by a global singleton. Opening
a campaign gives every unit in scope (default: the owner's direct children, the 二级单位)
one `CampaignTask`; the task covers the unit's whole subtree and holds one `TaskItem` per
account or group in scope. The unit acts on each item, answers the checklist, uploads the
signed and stamped scan and submits; the school returns or confirms. Writes go through
`beian.campaigns.services` only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beian.core.models import StoredUpload, TimeStampedModel
from beian.filings.models import Filing
from beian.orgs.models import Unit
from beian.registry.models import ChatGroup, MediaAccount, Platform

from .choices import (
    CampaignKind,
    CampaignScope,
    CampaignStatus,
    ItemAction,
    TaskEventAction,
    TaskState,
)


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Campaigns a user may read: every campaign for global roles; otherwise the opened
        campaigns that have a task the user may see (drafts are the school's own)."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        tasks = CampaignTask.objects.visible_to(user).filter(campaign_id=OuterRef("pk"))
        return self.exclude(status=CampaignStatus.DRAFT).filter(Exists(tasks))

    def editable_by(self, user):
        """Campaigns a user may set up, open and close: the school admin's."""
        if not user.is_authenticated or not user.is_school_admin:
            return self.none()
        return self


class Campaign(TimeStampedModel):
    """One round announced by the propaganda department: the notice, the scope, the dates
    and what each unit must return (sheets, checklist)."""

    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("发起本次工作的单位（通常为学校），范围是它的下属单位"),
    )
    kind = models.CharField(
        _("类型"), max_length=16, choices=CampaignKind.choices, default=CampaignKind.INVENTORY
    )
    title = models.CharField(_("标题"), max_length=200)
    notice = models.TextField(_("通知正文"), blank=True, help_text=_("支持 Markdown 格式"))
    scope = models.CharField(
        _("范围"), max_length=16, choices=CampaignScope.choices, default=CampaignScope.BOTH
    )
    platforms = models.ManyToManyField(
        Platform,
        verbose_name=_("平台"),
        blank=True,
        related_name="+",
        help_text=_("不选表示全部平台"),
    )
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("参加单位"),
        blank=True,
        related_name="+",
        help_text=_("每个单位连同其下属单位填报一份；不选表示全部二级单位"),
    )
    opens_on = models.DateField(_("开始日期"), null=True, blank=True)
    deadline = models.DateField(_("截止日期"))
    sheets = models.JSONField(
        _("报送表格"),
        default=list,
        blank=True,
        help_text=_("各单位须报送的汇总表（SheetCode 代码列表）"),
    )
    group_min_members = models.PositiveIntegerField(
        _("群聊统计人数下限"),
        null=True,
        blank=True,
        help_text=_("成员达到此人数的群聊才纳入统计；不填按策略设置"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报任务")
        verbose_name_plural = _("填报任务")
        ordering = ["-deadline", "-pk"]
        indexes = [models.Index(fields=["owner_unit", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(opens_on__lte=models.F("deadline")),
                name="campaigns_campaign_opens_before_deadline",
                violation_error_message=_("开始日期不能晚于截止日期"),
            ),
            models.CheckConstraint(
                condition=~Q(status=CampaignStatus.OPEN) | Q(opened_at__isnull=False),
                name="campaigns_campaign_open_has_opened_at",
                violation_error_message=_("进行中的任务须有下发时间"),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def covers_accounts(self) -> bool:
        return self.scope in (CampaignScope.ACCOUNTS, CampaignScope.BOTH)

    @property
    def covers_groups(self) -> bool:
        return self.scope in (CampaignScope.GROUPS, CampaignScope.BOTH)

    @property
    def is_draft(self) -> bool:
        return self.status == CampaignStatus.DRAFT


class CampaignAttachment(StoredUpload):
    """A file published with the notice (the blank forms, the school's rules). Checked by
    content like a filing's attachments (`beian.filings.uploads.check_upload`)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("填报任务"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="campaigns/%Y/%m/")

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")
        ordering = ["campaign", "uploaded_at", "pk"]


class ChecklistItem(models.Model):
    """A yes/no question every unit answers in a campaign (三审三校 in place, student admins
    removed at graduation …). `required`: the unit must answer it before submitting."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("填报任务"), on_delete=models.CASCADE, related_name="checklist"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("检查项"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["campaign", "order", "pk"]

    def __str__(self):
        return self.text


class CampaignTaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tasks a user may read: all for global roles; tasks of units in the user's scoped
        subtrees; and tasks that list a record the user may see (an operator's own
        accounts, a sub-unit admin's records inside a college's task)."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        q = Q(unit_id__in=sorted(user.scoped_unit_ids))
        items = TaskItem.objects.filter(task_id=OuterRef("pk")).filter(
            Q(account_id__in=MediaAccount.objects.visible_to(user).values("pk"))
            | Q(group_id__in=ChatGroup.objects.visible_to(user).values("pk"))
        )
        return self.filter(q | Exists(items))

    def answerable_by(self, user):
        """Tasks a user may answer as a whole (checklist, zero report, scan, submit): the
        admin of the task's unit (or of a unit above it) and the school admin."""
        if not user.is_authenticated:
            return self.none()
        if user.is_school_admin:
            return self
        return self.filter(unit_id__in=sorted(user.admin_unit_ids))


class CampaignTask(TimeStampedModel):
    """One unit's part in a campaign: its records in scope (`items`), its answers and the
    submission. States: 未开始 → 填报中 → 已提交 → (已退回 → 已提交 …) → 已确认."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("填报任务"), on_delete=models.CASCADE, related_name="tasks"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="campaign_tasks"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=TaskState.choices, default=TaskState.NOT_STARTED
    )
    started_at = models.DateTimeField(_("开始填报时间"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开始填报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_submitted_at = models.DateTimeField(
        _("首次提交时间"), null=True, blank=True, help_text=_("判断是否逾期按首次提交时间")
    )
    submission_count = models.PositiveSmallIntegerField(_("提交次数"), default=0)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_comment = models.TextField(_("退回意见"), blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    zero_report = models.BooleanField(
        _("零报告"), default=False, help_text=_("本单位在范围内没有任何账号或群聊")
    )
    checklist_answers = models.JSONField(
        _("检查项回答"),
        default=dict,
        blank=True,
        help_text=_('{"检查项编号": {"answer": true/false, "note": "说明"}}'),
    )
    scan = models.FileField(_("签字盖章扫描件"), upload_to="campaigns/scans/%Y/%m/", blank=True)
    scan_name = models.CharField(_("扫描件原文件名"), max_length=255, blank=True)
    scan_sha256 = models.CharField(_("扫描件 SHA-256"), max_length=64, blank=True)
    scan_uploaded_at = models.DateTimeField(_("扫描件上传时间"), null=True, blank=True)
    scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("扫描件上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    snapshot = models.JSONField(
        _("提交时的记录快照"),
        default=dict,
        blank=True,
        help_text=_("提交时本单位范围内的账号和群聊，用于与上一轮比较"),
    )
    reminded_on = models.DateField(_("最近提醒"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "snapshot"])

    objects = CampaignTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位填报")
        verbose_name_plural = _("单位填报")
        ordering = ["campaign", "unit__name", "pk"]
        indexes = [models.Index(fields=["campaign", "state"]), models.Index(fields=["unit"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                name="campaigns_campaigntask_unique_unit",
                violation_error_message=_("该单位在此次任务中已有填报"),
            ),
        ]

    def __str__(self):
        return f"{self.campaign}：{self.unit}"

    @property
    def is_late(self) -> bool:
        """Submitted after the deadline (by the first submission), or not yet submitted
        and the deadline has passed."""
        from django.utils import timezone

        deadline = self.campaign.deadline
        if self.first_submitted_at is not None:
            return timezone.localdate(self.first_submitted_at) > deadline
        return timezone.localdate() > deadline


class TaskItemQuerySet(models.QuerySet):
    def actable_by(self, user):
        """Items whose record the user may edit: the school admin all, a unit admin those of
        their subtrees, an operator their own records."""
        if not user.is_authenticated:
            return self.none()
        if user.is_school_admin:
            return self
        return self.filter(
            Q(account_id__in=MediaAccount.objects.editable_by(user).values("pk"))
            | Q(group_id__in=ChatGroup.objects.editable_by(user).values("pk"))
        )


class TaskItem(models.Model):
    """One account or one group a unit must account for in its task, and what the unit
    did with it. Items of records added during the round carry `action=added`."""

    task = models.ForeignKey(
        CampaignTask, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="items"
    )
    account = models.ForeignKey(
        MediaAccount,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="campaign_items",
    )
    group = models.ForeignKey(
        ChatGroup,
        verbose_name=_("群聊"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="campaign_items",
    )
    action = models.CharField(
        _("处理"), max_length=16, choices=ItemAction.choices, default=ItemAction.PENDING
    )
    acted_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    proof = models.FileField(_("注销/解散证明"), upload_to="campaigns/proofs/%Y/%m/", blank=True)
    proof_sha256 = models.CharField(_("证明 SHA-256"), max_length=64, blank=True)
    closing_filing = models.ForeignKey(
        Filing,
        verbose_name=_("注销/解散申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("按策略须审批时开启的注销/解散申请；直接注销时为空"),
    )

    objects = TaskItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报记录")
        verbose_name_plural = _("填报记录")
        ordering = ["task", "pk"]
        indexes = [models.Index(fields=["task", "action"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(account__isnull=False) & Q(group__isnull=True))
                | (Q(account__isnull=True) & Q(group__isnull=False)),
                name="campaigns_taskitem_account_xor_group",
                violation_error_message=_("一条填报记录只能对应一个账号或一个群聊"),
            ),
            models.UniqueConstraint(
                fields=["task", "account"],
                condition=Q(account__isnull=False),
                name="campaigns_taskitem_unique_account",
                violation_error_message=_("该账号已在此单位的填报中"),
            ),
            models.UniqueConstraint(
                fields=["task", "group"],
                condition=Q(group__isnull=False),
                name="campaigns_taskitem_unique_group",
                violation_error_message=_("该群聊已在此单位的填报中"),
            ),
        ]

    def __str__(self):
        return str(self.record)

    @property
    def record(self):
        return self.account if self.account_id else self.group

    @property
    def is_handled(self) -> bool:
        return self.action != ItemAction.PENDING


class TaskEvent(models.Model):
    """An entry of a task's timeline: who did what, when (an item acted on, the checklist
    answered, the scan uploaded, submitted, returned, confirmed, reminded). Items are
    written in bulk when a campaign opens, so their actions are kept here rather than in
    per-row history."""

    task = models.ForeignKey(
        CampaignTask, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="events"
    )
    item = models.ForeignKey(
        TaskItem,
        verbose_name=_("填报记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=24, choices=TaskEventAction.choices)
    comment = models.TextField(_("意见"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("填报记录日志")
        verbose_name_plural = _("填报记录日志")
        ordering = ["task", "at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()}（{self.task_id}）"


class TaskSheet(models.Model):
    """A summary sheet generated for a task from the unit's records in one of the
    campaign's layouts; the one generated at each submission is kept (`submission`)."""

    task = models.ForeignKey(
        CampaignTask, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="sheets"
    )
    code = models.CharField(_("表格"), max_length=32)
    submission = models.PositiveSmallIntegerField(_("第几次提交"))
    file = models.FileField(_("文件"), upload_to="campaigns/sheets/%Y/%m/")
    rows = models.PositiveIntegerField(_("行数"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    generated_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("报送汇总表")
        verbose_name_plural = _("报送汇总表")
        ordering = ["task", "-submission", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "submission", "code"],
                name="campaigns_tasksheet_unique",
                violation_error_message=_("该次提交已有此表格"),
            )
        ]

    def __str__(self):
        return f"{self.task} {self.code}"
