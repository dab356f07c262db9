"""Requests that pass an approval chain — filings (备案), late filings (补办), group filings,
change reports (变更) and closings (注销/解散) — with their steps, timeline, team, attachments;
the per-year registration-number counter; and the in-app inbox."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beian.core.models import StoredUpload, TimeStampedModel
from beian.core.validators import validate_mobile, validate_phone, validate_qq
from beian.notify.models import Notification  # noqa: F401 - moved to the notify app; old import path
from beian.orgs.choices import PersonKind
from beian.orgs.models import Person, Unit
from beian.registry.choices import TeamRole
from beian.registry.models import ChatGroup, MediaAccount, Platform

from .choices import (
    AttachmentKind,
    EventAction,
    FilingKind,
    FilingStatus,
    StepStatus,
)

#: States of a request still being handled (at most one per account or group).
OPEN_STATUSES = [FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED]


class FilingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests a user may read: everything for global roles; otherwise their own,
        those of units in their scoped subtrees, those about accounts or groups they may
        see (an operator on the team), those waiting for their decision and those they
        decided a step of."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        from .workflow import waiting_q

        q = Q(applicant_id=user.pk) | Q(owner_unit_id__in=sorted(user.scoped_unit_ids))
        # Whoever may decide the open step reads the request (a unit head linked to the
        # roster but holding no role), and so does whoever decided one of its steps.
        q |= waiting_q(user) | Q(steps__decided_by_id=user.pk)
        if user.person_id:
            q |= Q(account__members__person_id=user.person_id)
            q |= Q(group__members__person_id=user.person_id) | Q(group__creator_id=user.person_id)
        return self.filter(pk__in=self.model.objects.filter(q).values("pk"))


class Filing(TimeStampedModel):
    """One request through an approval chain.

    The application carries the fields of the seeds' 备案表 as the applicant wrote them
    (a snapshot: the registry is written only when the request is approved), the team,
    the accepted network-security pledge and attachments. `chain` is the ordered list of
    approval steps computed from the policy when the request is submitted; `round` counts
    submissions (a returned request starts a new round from the first step)."""

    kind = models.CharField(_("申请类型"), max_length=16, choices=FilingKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="filings",
    )
    account = models.ForeignKey(
        MediaAccount,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )
    group = models.ForeignKey(
        ChatGroup,
        verbose_name=_("群聊"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )

    # --- the form (备案表) ---------------------------------------------------------------
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="filings"
    )
    second_unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属二级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("责任单位所属的二级单位，其负责人审批“单位意见”一步"),
    )
    guiding_unit = models.ForeignKey(
        Unit,
        verbose_name=_("指导单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tier = models.PositiveSmallIntegerField(
        _("账号分级"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    is_personal = models.BooleanField(_("个人名义开设"), default=False)
    platform = models.ForeignKey(
        Platform, verbose_name=_("媒体平台"), null=True, blank=True, on_delete=models.PROTECT
    )
    account_name = models.CharField(_("账号名称"), max_length=128)
    external_id = models.CharField(_("账号或网址"), max_length=255, blank=True)
    url = models.URLField(_("访问链接"), max_length=500, blank=True)
    responsible_name = models.CharField(_("责任人"), max_length=64, blank=True)
    responsible_post = models.CharField(_("责任人职务"), max_length=64, blank=True)
    responsible_phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    created_month = models.DateField(_("创建时间"), null=True, blank=True)
    goes_live_on = models.DateField(_("计划开通日期"), null=True, blank=True)
    verified = models.BooleanField(_("已认证"), default=False)
    verified_month = models.DateField(_("认证时间"), null=True, blank=True)
    columns = models.TextField(_("栏目内容"), blank=True)
    update_frequency = models.CharField(_("发布周期"), max_length=64, blank=True)
    introduction = models.TextField(_("简要介绍"), blank=True)

    # --- change reports (变更) -----------------------------------------------------------
    change_kinds = models.JSONField(_("变更事项"), default=list, blank=True)
    effective_on = models.DateField(_("变更生效日期"), null=True, blank=True)
    reported_on = models.DateField(_("报备日期"), null=True, blank=True)
    report_deadline = models.DateField(_("报备期限"), null=True, blank=True)
    reported_late = models.BooleanField(_("逾期报备"), default=False)

    # --- closings (注销/解散) ------------------------------------------------------------
    reason = models.TextField(_("原因"), blank=True)
    closing_on = models.DateField(_("注销/解散日期"), null=True, blank=True)

    # --- workflow ------------------------------------------------------------------------
    chain = models.JSONField(_("审批流程"), default=list, blank=True)
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=0)
    current_step = models.CharField(_("当前审批步骤"), max_length=24, blank=True)
    current_position = models.PositiveSmallIntegerField(_("当前步骤序号"), null=True, blank=True)
    current_fallback = models.BooleanField(
        _("代为审批"),
        default=False,
        help_text=_("该步骤除申请人外无人可审批，由策略指定的部门代为审批"),
    )
    current_office = models.CharField(
        _("当前审批部门"),
        max_length=24,
        blank=True,
        help_text=_("决定当前步骤的部门：通常即该步骤本身，代为审批或接办时为代审部门"),
    )
    inform_school = models.BooleanField(_("通过后报备宣传部"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # --- pledge (网络信息安全承诺书) -----------------------------------------------------
    pledge_version = models.CharField(_("承诺书版本"), max_length=16, blank=True)
    pledge_accepted_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    pledge_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承诺人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # --- outcome -------------------------------------------------------------------------
    registration_number = models.CharField(_("备案编号"), max_length=64, blank=True)
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    lead_time_short = models.BooleanField(
        _("提前期不足"), default=False, help_text=_("计划开通日期早于提交日加策略规定的提前天数")
    )
    live_before_approval = models.BooleanField(
        _("先开通后备案"), default=False, help_text=_("账号在备案批准之前已开通运行")
    )

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("备案申请")
        verbose_name_plural = _("备案申请")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "current_step"]),
            models.Index(fields=["applicant", "status"]),
            models.Index(fields=["kind", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="filings_filing_unique_registration_number",
                violation_error_message=_("备案编号已被使用"),
            ),
            models.CheckConstraint(
                condition=Q(tier__gte=1, tier__lte=3),
                name="filings_filing_tier_range",
                violation_error_message=_("账号分级只能是一级、二级或三级"),
            ),
            models.CheckConstraint(
                condition=~Q(status=FilingStatus.PENDING) | ~Q(current_step=""),
                name="filings_filing_pending_has_step",
                violation_error_message=_("审批中的申请必须有当前审批步骤"),
            ),
            models.CheckConstraint(
                condition=Q(status=FilingStatus.PENDING) | Q(current_step=""),
                name="filings_filing_only_pending_has_step",
                violation_error_message=_("只有审批中的申请才有当前审批步骤"),
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=OPEN_STATUSES),
                name="filings_filing_one_open_per_account",
                violation_error_message=_("该账号已有一份正在办理的申请"),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status__in=OPEN_STATUSES),
                name="filings_filing_one_open_per_group",
                violation_error_message=_("该群聊已有一份正在办理的申请"),
            ),
            models.CheckConstraint(
                condition=~Q(kind=FilingKind.LATE) | Q(account__isnull=False),
                name="filings_filing_late_has_account",
                violation_error_message=_("补办备案须指明账号"),
            ),
            models.CheckConstraint(
                condition=~Q(kind=FilingKind.GROUP) | Q(group__isnull=False),
                name="filings_filing_group_has_group",
                violation_error_message=_("群聊备案须指明群聊"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.account_name}"

    @property
    def is_final(self) -> bool:
        from .choices import FINAL_STATUSES

        return self.status in FINAL_STATUSES

    @property
    def target(self):
        return self.group if self.kind == FilingKind.GROUP or self.group_id else self.account


class FilingMember(models.Model):
    """One row of the form's 管理队伍 table (职能, 姓名, 身份, 单位, 职务, 手机号, QQ号, 邮箱)
    as the applicant wrote it; `person` links it to the roster once known."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="members"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    role = models.CharField(_("职能"), max_length=24, choices=TeamRole.choices)
    name = models.CharField(_("姓名"), max_length=64)
    identity = models.CharField(
        _("身份"), max_length=16, choices=PersonKind.choices, default=PersonKind.STAFF
    )
    unit_name = models.CharField(_("单位"), max_length=128, blank=True)
    post = models.CharField(_("职务"), max_length=64, blank=True)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_mobile])
    qq = models.CharField(_("QQ号"), max_length=16, blank=True, validators=[validate_qq])
    email = models.EmailField(_("邮箱"), blank=True)
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("申请中的管理队伍成员")
        verbose_name_plural = _("申请中的管理队伍")
        ordering = ["filing", "position", "pk"]

    def __str__(self):
        return f"{self.get_role_display()}：{self.name}"


class FilingStep(models.Model):
    """One approval step of one round: who was to decide (the office), who did, what."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="steps"
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    position = models.PositiveSmallIntegerField(_("序号"))
    step = models.CharField(_("审批步骤"), max_length=24)
    status = models.CharField(
        _("状态"), max_length=16, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    fallback = models.BooleanField(_("代为审批"), default=False)
    acting_office = models.CharField(
        _("审批部门"),
        max_length=24,
        blank=True,
        help_text=_("实际决定该步骤的部门；代为审批或接办时不同于步骤本身"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    activated_at = models.DateTimeField(_("开始等待"), null=True, blank=True)
    reminded_on = models.DateField(_("最近提醒"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["filing", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "round", "position"],
                name="filings_filingstep_unique_position",
                violation_error_message=_("同一轮次中步骤序号重复"),
            ),
            models.UniqueConstraint(
                fields=["filing"],
                condition=Q(status=StepStatus.CURRENT),
                name="filings_filingstep_one_current",
                violation_error_message=_("一个申请同时只能有一个待审批步骤"),
            ),
        ]

    def __str__(self):
        from beian.core.policy import APPROVER_STEPS

        return APPROVER_STEPS.get(self.step, self.step)

    @property
    def office(self) -> str:
        return str(self)


class FilingEvent(models.Model):
    """An entry of the request's timeline: every transition, comment, upload and notice."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=16, choices=EventAction.choices)
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    step = models.CharField(_("审批步骤"), max_length=24, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("申请记录")
        verbose_name_plural = _("申请记录")
        ordering = ["filing", "at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()}（{self.filing_id}）"


class FilingAttachment(StoredUpload):
    """A file kept with a request: the signed application, the stamped 备案表 scan …
    The type is the one its content shows (PDF, JPEG, PNG), never the uploaded name's."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("附件类型"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="filings/%Y/%m/")

    class Meta:
        verbose_name = _("申请附件")
        verbose_name_plural = _("申请附件")
        ordering = ["filing", "uploaded_at", "pk"]


class RegistrationCounter(models.Model):
    """The last registration number given in a year. Locked (SELECT … FOR UPDATE) by the
    approval that takes the next number, so numbers are unique and gapless per year."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    last = models.PositiveIntegerField(_("已用流水号"), default=0)

    class Meta:
        verbose_name = _("备案编号计数器")
        verbose_name_plural = _("备案编号计数器")

    def __str__(self):
        return f"{self.year}: {self.last}"
