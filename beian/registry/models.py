"""The registry: the platform catalogue, media accounts, chat groups and their teams."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beian.core.models import TimeStampedModel
from beian.core.text import pinyin_keys
from beian.orgs.models import Person, Unit

from .choices import (
    AccountStatus,
    ActivitySource,
    ActivityWorth,
    FilingState,
    GroupPurpose,
    GroupStatus,
    PlatformCategory,
    TeamRole,
    Tier,
)
from .spec import derive_tier


class Platform(models.Model):
    """An entry of the platform catalogue (微信公众号, 抖音, 网站, QQ群 …), seeded by a data
    migration with every platform named in the seeds and editable by the school admin."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    category = models.CharField(_("类别"), max_length=16, choices=PlatformCategory.choices)
    for_groups = models.BooleanField(_("群聊平台"), default=False)
    audience_word = models.CharField(_("受众称谓"), max_length=8, blank=True, default="关注")
    address_hint = models.CharField(_("账号/地址填写说明"), max_length=128, blank=True)
    address_pattern = models.CharField(_("账号/地址格式（正则）"), max_length=255, blank=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("平台")
        verbose_name_plural = _("平台")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def address_matches(self, value: str) -> bool:
        if not self.address_pattern or not value:
            return True
        return re.fullmatch(self.address_pattern, value.strip()) is not None


class TeamMember(models.Model):
    """A person in a role on an account's or a group's team."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT)
    role = models.CharField(_("职能"), max_length=24, choices=TeamRole.choices)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_role_display()}：{self.person}"


class RecordQuerySet(models.QuerySet):
    """Scope of accounts and groups: everything for global roles; the owning unit inside the
    user's unit subtrees; and, for operators, the records whose team they are on."""

    member_model = None  # set on each concrete queryset

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(Q(owner_unit_id__in=sorted(user.scoped_unit_ids)) | self._own_q(user))

    def _own_q(self, user) -> Q:
        """The operator's own records: those they entered and those whose team they are on."""
        q = Q(created_by_id=user.pk)
        if user.person_id:
            members = self.member_model.objects.filter(
                record_id=OuterRef("pk"), person_id=user.person_id
            )
            q |= Exists(members)
        return q

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_school_admin:
            return self
        q = Q(owner_unit_id__in=sorted(user.admin_unit_ids))
        if user.has_role("operator"):
            q |= self._own_q(user)
        return self.filter(q)

    for_groups = False  # which platforms of the catalogue a search may name

    def search(self, text: str):
        """Chinese substring (Traditional input accepted), account id / group number, the
        pinyin initials / full pinyin of the name, or a platform by any of its spellings
        ("B站" lists the 哔哩哔哩 accounts; "B站 校团委" those of them named 校团委)."""
        from beian.core.text import normalize_text

        from .platforms import platforms_spelled

        text = normalize_text(text)
        if not text:
            return self
        q = self._text_q(text)
        platform_ids = platforms_spelled(text, for_groups=self.for_groups)
        if platform_ids:
            q |= Q(platform_id__in=platform_ids)
        head, _space, rest = text.partition(" ")
        if rest.strip():
            platform_ids = platforms_spelled(head, for_groups=self.for_groups)
            if platform_ids:
                q |= Q(platform_id__in=platform_ids) & self._text_q(rest.strip())
        return self.filter(q)

    def _text_q(self, text: str) -> Q:
        q = Q(name__icontains=text) | Q(**{f"{self.number_field}__icontains": text})
        ascii_text = text.lower().replace(" ", "")
        if ascii_text.isascii() and ascii_text.isalnum():
            q |= Q(name_initials__startswith=ascii_text) | Q(name_pinyin__startswith=ascii_text)
        return q


class MediaAccountQuerySet(RecordQuerySet):
    number_field = "external_id"

    @property
    def member_model(self):
        return AccountMember


class MediaAccount(TimeStampedModel):
    """A public account or site speaking in the school's name (seed forms' 备案表/汇总表)."""

    platform = models.ForeignKey(
        Platform,
        verbose_name=_("平台"),
        on_delete=models.PROTECT,
        related_name="accounts",
        limit_choices_to={"for_groups": False},
    )
    name = models.CharField(_("账号名称"), max_length=128)
    external_id = models.CharField(
        _("账号或网址"),
        max_length=255,
        blank=True,
        help_text=_("微信公众号填微信号，微博填微博地址，QQ 类填 QQ 号，网站填网址"),
    )
    url = models.URLField(_("访问链接"), max_length=500, blank=True)
    qr_code = models.ImageField(_("二维码"), upload_to="qr/", blank=True)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="accounts"
    )
    guiding_unit = models.ForeignKey(
        Unit,
        verbose_name=_("指导单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guided_accounts",
    )
    tier = models.PositiveSmallIntegerField(_("账号分级"), choices=Tier.choices)
    tier_override_reason = models.CharField(_("分级调整理由"), max_length=255, blank=True)
    is_personal = models.BooleanField(_("个人名义开设"), default=False)
    is_official = models.BooleanField(
        _("单位官方账号"), default=False, help_text=_("代表本单位的唯一官方账号")
    )
    created_month = models.DateField(_("创建时间"), null=True, blank=True)
    verified = models.BooleanField(_("已认证"), default=False)
    verified_month = models.DateField(_("认证时间"), null=True, blank=True)
    audience = models.PositiveIntegerField(
        _("关注人数"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    update_frequency = models.CharField(_("更新频率"), max_length=64, blank=True)
    columns = models.TextField(_("栏目内容"), blank=True)
    introduction = models.TextField(_("简要介绍"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    filing_state = models.CharField(
        _("备案状态"), max_length=16, choices=FilingState.choices, default=FilingState.UNFILED
    )
    registration_number = models.CharField(_("备案编号"), max_length=64, blank=True)
    last_post_date = models.DateField(_("最近发布"), null=True, blank=True)
    last_post_source = models.CharField(
        _("最近发布来源"), max_length=16, choices=ActivitySource.choices, blank=True
    )
    feed_url = models.URLField(_("订阅源地址"), max_length=500, blank=True)
    closed_on = models.DateField(_("注销日期"), null=True, blank=True)
    closed_reason = models.CharField(_("注销原因"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name_pinyin = models.CharField(max_length=255, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"])

    objects = MediaAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("新媒体账号")
        verbose_name_plural = _("新媒体账号")
        # Unit by unit in the order units were set up (the tree's own order), then by name:
        # a column of this table, so long lists page through an index instead of sorting.
        ordering = ["owner_unit_id", "name", "pk"]
        indexes = [
            models.Index(fields=["owner_unit", "name", "id"]),
            models.Index(fields=["owner_unit", "status"]),
            models.Index(fields=["platform", "status"]),
            models.Index(fields=["name"]),
            # The dashboard's aggregates (beian/dashboard/charts.py) read these instead of
            # the table: counts by unit, status, platform and tier with the audience and
            # the freshness, in the index's order (no sort); openings per month (the
            # created month, else the day entered); closings per month.
            models.Index(
                fields=["owner_unit", "status", "platform", "tier", "last_post_date", "audience"],
                name="registry_ma_dashboard_idx",
            ),
            models.Index(fields=["created_month", "created_at"], name="registry_ma_opened_idx"),
            models.Index(fields=["status", "closed_on"], name="registry_ma_closed_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                condition=~Q(external_id=""),
                name="registry_mediaaccount_unique_platform_external_id",
                violation_error_message=_("该平台下已存在相同账号"),
            ),
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="registry_mediaaccount_unique_registration_number",
                violation_error_message=_("备案编号已被使用"),
            ),
            models.CheckConstraint(
                condition=Q(tier__gte=1, tier__lte=3),
                name="registry_mediaaccount_tier_range",
                violation_error_message=_("账号分级只能是一级、二级或三级"),
            ),
            models.CheckConstraint(
                condition=~Q(status=AccountStatus.CLOSED)
                | (Q(closed_on__isnull=False) & ~Q(closed_reason="")),
                name="registry_mediaaccount_closed_has_date_and_reason",
                violation_error_message=_("注销须填写注销日期和原因"),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.platform.name}）" if self.platform_id else self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.platform_id and self.platform.for_groups:
            errors["platform"] = _("请选择新媒体平台，群聊平台请在群聊中登记")
        if self.verified_month and self.created_month and self.verified_month < self.created_month:
            errors["verified_month"] = _("认证时间不能早于创建时间")
        if (
            self.external_id
            and self.platform_id
            and not self.platform.address_matches(self.external_id)
        ):
            errors["external_id"] = _("“%(value)s”不符合%(platform)s的账号格式：%(hint)s") % {
                "value": self.external_id,
                "platform": self.platform.name,
                "hint": self.platform.address_hint,
            }
        if errors:
            raise ValidationError(errors)

    @property
    def derived_tier(self) -> int:
        """The tier the owning unit gives (`spec.derive_tier`), before any override."""
        return derive_tier(unit_kind=self.owner_unit.kind, is_personal=self.is_personal)

    @property
    def is_closed(self) -> bool:
        return self.status == AccountStatus.CLOSED

    def has_member(self, person_id) -> bool:
        return self.members.filter(person_id=person_id).exists()


class AccountMember(TeamMember):
    record = models.ForeignKey(
        MediaAccount, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="members"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("账号管理队伍成员")
        verbose_name_plural = _("账号管理队伍")
        ordering = ["record", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "person", "role"],
                name="registry_accountmember_unique",
                violation_error_message=_("此人已在该职能中"),
            )
        ]


class ChatGroupQuerySet(RecordQuerySet):
    number_field = "group_number"
    for_groups = True

    def _own_q(self, user) -> Q:
        q = super()._own_q(user)
        if user.person_id:
            q |= Q(creator_id=user.person_id)
        return q

    @property
    def member_model(self):
        return GroupMember


class ChatGroup(TimeStampedModel):
    """A work chat group (微信群, QQ群, 钉钉群 …) used in the school's name (seed 002 附件3)."""

    platform = models.ForeignKey(
        Platform,
        verbose_name=_("群聊平台"),
        on_delete=models.PROTECT,
        related_name="groups",
        limit_choices_to={"for_groups": True},
    )
    name = models.CharField(_("群名称"), max_length=128)
    group_number = models.CharField(_("群号"), max_length=64, blank=True)
    purpose = models.CharField(
        _("群性质"), max_length=24, choices=GroupPurpose.choices, default=GroupPurpose.WORK
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="groups"
    )
    creator = models.ForeignKey(
        Person,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_groups",
    )
    member_count = models.PositiveIntegerField(_("群人数"), default=0)
    has_outside_members = models.BooleanField(_("有校外人员"), default=False)
    outside_member_count = models.PositiveIntegerField(_("校外人员人数"), default=0)
    created_month = models.DateField(_("创建时间"), null=True, blank=True)
    is_temporary = models.BooleanField(_("临时群"), default=False)
    temporary_until = models.DateField(_("临时群截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=GroupStatus.choices, default=GroupStatus.ACTIVE
    )
    registered = models.BooleanField(_("已报备"), default=False)
    dissolved_on = models.DateField(_("解散日期"), null=True, blank=True)
    dissolved_reason = models.CharField(_("解散原因"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name_pinyin = models.CharField(max_length=255, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"])

    objects = ChatGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("即时群聊")
        verbose_name_plural = _("即时群聊")
        ordering = ["owner_unit_id", "name", "pk"]  # see MediaAccount.Meta.ordering
        indexes = [
            models.Index(fields=["owner_unit", "name", "id"]),
            models.Index(fields=["owner_unit", "status"]),
            models.Index(fields=["platform", "status"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "group_number"],
                condition=~Q(group_number=""),
                name="registry_chatgroup_unique_platform_group_number",
                violation_error_message=_("该平台下已存在相同群号"),
            ),
            models.CheckConstraint(
                condition=Q(outside_member_count__lte=models.F("member_count")),
                name="registry_chatgroup_outside_not_more_than_members",
                violation_error_message=_("校外人员人数不能多于群人数"),
            ),
            models.CheckConstraint(
                condition=Q(has_outside_members=True) | Q(outside_member_count=0),
                name="registry_chatgroup_outside_count_needs_flag",
                violation_error_message=_("无校外人员时校外人员人数应为 0"),
            ),
            models.CheckConstraint(
                condition=~Q(status=GroupStatus.DISSOLVED)
                | (Q(dissolved_on__isnull=False) & ~Q(dissolved_reason="")),
                name="registry_chatgroup_dissolved_has_date_and_reason",
                violation_error_message=_("解散须填写解散日期和原因"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.platform_id and not self.platform.for_groups:
            errors["platform"] = _("请选择群聊平台")
        if self.is_temporary and not self.temporary_until:
            errors["temporary_until"] = _("临时群须填写截止日期")
        if errors:
            raise ValidationError(errors)

    @property
    def is_dissolved(self) -> bool:
        return self.status == GroupStatus.DISSOLVED

    def has_member(self, person_id) -> bool:
        return self.creator_id == person_id or self.members.filter(person_id=person_id).exists()


class GroupMember(TeamMember):
    record = models.ForeignKey(
        ChatGroup, verbose_name=_("群聊"), on_delete=models.CASCADE, related_name="members"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("群管理员")
        verbose_name_plural = _("群管理员")
        ordering = ["record", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "person", "role"],
                name="registry_groupmember_unique",
                violation_error_message=_("此人已在该职能中"),
            )
        ]


class ActivityEvidence(models.Model):
    """What one source says about when an account last posted (docs/compliance.md#activity):
    the date, the source (operator's report, annual inspection, feed, import column), how
    much it is worth, who recorded it and when. One row per account and source: a source's new claim
    replaces its previous one (a correction); the account's `last_post_date` and
    `last_post_source` summarise the rows (the newest date; on the same date the stronger
    source). Written only by `beian.registry.activity`."""

    account = models.ForeignKey(
        MediaAccount,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="activity_evidence",
    )
    source = models.CharField(_("来源"), max_length=16, choices=ActivitySource.choices)
    worth = models.PositiveSmallIntegerField(_("可信度"), choices=ActivityWorth.choices)
    posted_on = models.DateField(_("最近发布日期"))
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField(
        _("依据"), max_length=255, blank=True, help_text=_("如订阅源地址、导入文件与行号、年检")
    )

    class Meta:
        verbose_name = _("发布记录")
        verbose_name_plural = _("发布记录")
        ordering = ["account", "-posted_on", "-worth"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "source"],
                name="registry_activityevidence_unique_account_source",
                violation_error_message=_("该账号已有此来源的发布记录"),
            )
        ]

    def __str__(self):
        return f"{self.account_id} {self.get_source_display()} {self.posted_on}"
