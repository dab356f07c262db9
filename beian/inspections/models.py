"""Annual inspection (年检, seeds 000, 001, 004) and graduation hand-over.

A round (`Inspection`) is opened once a year per institution (the root of a subtree, the
school's root unit) by the school admin or by the scheduled task in the policy's month.
Every registered account of the subtree gets one `InspectionForm` (the 年检表 of seed 001),
pre-filled from the registry and the activity evidence; each 二级单位 (and the school for
its own accounts) has one `InspectionPart`, which its admin submits with the unit's opinion
(单位意见), all forms together. The school grades each form 合格 / 整改 / 不合格; a form
not submitted by the deadline is 未参检.

A `HandoverCase` is one record (account or group) whose responsible person, admin,
operator or creator has left (毕业 / 离职): the unit hands the role to someone else (a
change report) or closes the record. Writes go through `services` and `handover` only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beian.core.models import TimeStampedModel
from beian.filings.models import Filing
from beian.orgs.models import Person, Unit
from beian.registry.models import ChatGroup, MediaAccount

from .choices import FormState, Grade, HandoverRole, HandoverState, InspectionStatus, PartState


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rounds a user may read: all for global roles; otherwise those with a form the
        user may see."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        forms = InspectionForm.objects.visible_to(user).filter(inspection_id=OuterRef("pk"))
        return self.filter(Exists(forms))


class Inspection(TimeStampedModel):
    """One year's inspection of the registered accounts below `owner_unit`."""

    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="inspections",
        help_text=_("组织年检的单位（通常为学校），范围是它及其下属单位的已备案账号"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    notice = models.TextField(_("通知正文"), blank=True)
    opens_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    extra_items = models.JSONField(
        _("学校增加的检查项"), default=list, blank=True, help_text=_("每项一个问题，运营者逐项作答")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示按策略自动发起"),
    )
    published = models.BooleanField(_("已公布结果"), default=False)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("年检")
        verbose_name_plural = _("年检")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_unit", "year"],
                name="inspections_inspection_once_a_year",
                violation_error_message=_("该单位本年度已发起过年检"),
            ),
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("deadline")),
                name="inspections_inspection_opens_before_deadline",
                violation_error_message=_("开始日期不能晚于截止日期"),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == InspectionStatus.OPEN


class InspectionPartQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        forms = InspectionForm.objects.visible_to(user).filter(part_id=OuterRef("pk"))
        return self.filter(Q(unit_id__in=sorted(user.scoped_unit_ids)) | Exists(forms))

    def submittable_by(self, user):
        """Parts a user may give the opinion on and submit: the unit's admin (or an admin
        above it) and the school admin."""
        if not user.is_authenticated:
            return self.none()
        if user.is_school_admin:
            return self
        return self.filter(unit_id__in=sorted(user.admin_unit_ids))


class InspectionPart(TimeStampedModel):
    """One unit's part of a round: the forms of the accounts of its subtree, the unit's
    opinion (单位意见) and the submission of them all together."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("年检"), on_delete=models.CASCADE, related_name="parts"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="inspection_parts"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=PartState.choices, default=PartState.OPEN
    )
    opinion = models.TextField(_("单位意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_comment = models.TextField(
        _("退回意见"), blank=True, help_text=_("宣传部退回本单位年检时说明需要补正的内容")
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = InspectionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位年检")
        verbose_name_plural = _("单位年检")
        ordering = ["inspection", "unit__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "unit"],
                name="inspections_part_unique_unit",
                violation_error_message=_("该单位在此次年检中已有填报"),
            )
        ]

    def __str__(self):
        return f"{self.inspection}：{self.unit}"


class InspectionFormQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Forms of the accounts the user may see (the registry's scope)."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(account_id__in=MediaAccount.objects.visible_to(user).values("pk"))

    def fillable_by(self, user):
        """Forms a user may fill: those of the accounts the user may edit."""
        if not user.is_authenticated:
            return self.none()
        if user.is_school_admin:
            return self
        return self.filter(account_id__in=MediaAccount.objects.editable_by(user).values("pk"))


class InspectionForm(TimeStampedModel):
    """One account's 年检表: what the operator states about the year, then the school's
    grade. `prefill` keeps what the registry said when the round opened."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("年检"), on_delete=models.CASCADE, related_name="forms"
    )
    part = models.ForeignKey(
        InspectionPart, verbose_name=_("单位年检"), on_delete=models.CASCADE, related_name="forms"
    )
    account = models.ForeignKey(
        MediaAccount,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        related_name="inspection_forms",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=FormState.choices, default=FormState.PENDING
    )
    prefill = models.JSONField(_("开启时的登记信息"), default=dict, blank=True)
    # --- the 年检表 -------------------------------------------------------------------------
    posts_this_year = models.PositiveIntegerField(_("本年度发布条数"), null=True, blank=True)
    audience = models.PositiveIntegerField(
        _("当前关注人数"), null=True, blank=True, help_text=_("人数；表格中按“万”填写")
    )
    update_frequency = models.CharField(_("更新频率"), max_length=64, blank=True)
    last_post_date = models.DateField(_("最近发布日期"), null=True, blank=True)
    team_changes = models.TextField(_("管理队伍变动"), blank=True)
    had_violations = models.BooleanField(_("有违规"), null=True, blank=True)
    was_punished = models.BooleanField(_("被平台处罚"), null=True, blank=True)
    had_complaints = models.BooleanField(_("被投诉"), null=True, blank=True)
    incident_details = models.TextField(_("违规、处罚、投诉情况说明"), blank=True)
    content_review = models.BooleanField(
        _("落实三审三校"), null=True, blank=True, help_text=_("内容发布经过初审、复审、终审")
    )
    self_assessment = models.TextField(_("自评"), blank=True)
    extra_answers = models.JSONField(_("学校增加项的回答"), default=dict, blank=True)
    filled_at = models.DateTimeField(_("填写时间"), null=True, blank=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # --- the school's grade -----------------------------------------------------------------
    grade = models.CharField(_("年检结果"), max_length=16, choices=Grade.choices, blank=True)
    grade_comment = models.TextField(_("评定意见"), blank=True)
    graded_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectify_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    rectify_items = models.TextField(_("整改要求"), blank=True)
    rectify_answer = models.TextField(_("整改情况"), blank=True)
    rectify_answered_at = models.DateTimeField(_("整改答复时间"), null=True, blank=True)
    was_rectified = models.BooleanField(_("经过整改"), default=False)
    closing_filing = models.ForeignKey(
        Filing,
        verbose_name=_("注销申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_for_closing = models.BooleanField(
        _("待单位注销"),
        default=False,
        help_text=_("不合格且未能自动开启注销申请时，由单位办理注销"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "prefill"])

    objects = InspectionFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("年检表")
        verbose_name_plural = _("年检表")
        ordering = ["inspection", "part", "account__name", "pk"]
        indexes = [
            models.Index(fields=["inspection", "state"]),
            models.Index(fields=["inspection", "grade"]),
            models.Index(fields=["account"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "account"],
                name="inspections_form_unique_account",
                violation_error_message=_("该账号在此次年检中已有年检表"),
            )
        ]

    def __str__(self):
        return f"{self.inspection}：{self.account}"

    @property
    def has_incidents(self) -> bool:
        return bool(self.had_violations or self.was_punished or self.had_complaints)

    @property
    def is_clean(self) -> bool:
        """Nothing to look at: no incident, content review in place (for bulk 合格)."""
        return not self.has_incidents and self.content_review is True


class HandoverCaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(unit_id__in=sorted(user.scoped_unit_ids))

    def actable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_school_admin:
            return self
        return self.filter(unit_id__in=sorted(user.admin_unit_ids))


class HandoverCase(TimeStampedModel):
    """A record whose responsible person, admin, operator or group creator has left
    (毕业 / 离职): on its unit's hand-over list until the role is handed to someone else
    (a change report), the record is closed, or the person is no longer on it."""

    person = models.ForeignKey(
        Person, verbose_name=_("离校/离职人员"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        MediaAccount,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="handover_cases",
    )
    group = models.ForeignKey(
        ChatGroup,
        verbose_name=_("群聊"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="handover_cases",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="+"
    )
    roles = models.JSONField(_("担任职能"), default=list)
    person_status = models.CharField(_("人员状态"), max_length=16)
    found_on = models.DateField(_("发现日期"))
    due_on = models.DateField(_("交接期限"))
    state = models.CharField(
        _("状态"), max_length=16, choices=HandoverState.choices, default=HandoverState.OPEN
    )
    successor = models.ForeignKey(
        Person,
        verbose_name=_("接任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filing = models.ForeignKey(
        Filing,
        verbose_name=_("变更报备/注销申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = HandoverCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("交接事项")
        verbose_name_plural = _("交接事项")
        ordering = ["state", "due_on", "pk"]
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["state", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(account__isnull=False) & Q(group__isnull=True))
                | (Q(account__isnull=True) & Q(group__isnull=False)),
                name="inspections_handover_account_xor_group",
                violation_error_message=_("一条交接事项只能对应一个账号或一个群聊"),
            ),
            models.UniqueConstraint(
                fields=["person", "account"],
                condition=Q(account__isnull=False, state=HandoverState.OPEN),
                name="inspections_handover_one_open_per_account",
            ),
            models.UniqueConstraint(
                fields=["person", "group"],
                condition=Q(group__isnull=False, state=HandoverState.OPEN),
                name="inspections_handover_one_open_per_group",
            ),
        ]

    def __str__(self):
        return f"{self.person}：{self.record}"

    @property
    def record(self):
        return self.account if self.account_id else self.group

    @property
    def role_labels(self) -> str:
        return "、".join(str(HandoverRole(r).label) for r in self.roles if r in HandoverRole)
