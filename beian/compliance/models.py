"""Findings of the compliance rules, the feed-polling state of accounts, and scan runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from beian.orgs.models import Unit
from beian.registry.models import ChatGroup, MediaAccount

from .choices import CURRENT_STATES, SEVERITY_COLOUR, FindingState, Severity, TargetKind


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Findings a user may see: all for global roles; those whose owner unit is in the
        user's unit subtrees; for operators, those on the records they may see."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        q = Q(owner_unit_id__in=sorted(user.scoped_unit_ids))
        if user.person_id or user.has_role("operator"):
            q |= Q(account__in=MediaAccount.objects.visible_to(user).values("pk"))
            q |= Q(group__in=ChatGroup.objects.visible_to(user).values("pk"))
        return self.filter(q)

    def current(self):
        """Open and waived findings: the current finding of each rule and record."""
        return self.filter(state__in=CURRENT_STATES)

    def open(self):
        return self.filter(state=FindingState.OPEN)

    def search(self, text: str):
        """Record name or account id / group number, or words of the message."""
        from beian.core.text import normalize_text

        text = normalize_text(text)
        if not text:
            return self
        return self.filter(
            Q(account__name__icontains=text)
            | Q(account__external_id__icontains=text)
            | Q(group__name__icontains=text)
            | Q(group__group_number__icontains=text)
            | Q(message__icontains=text)
        )


class Finding(models.Model):
    """One breach of one compliance rule by one account or group.

    The engine keeps exactly one current (open or waived) finding per rule and record: it
    creates it when the breach appears, refreshes `last_seen` and `message` while the breach
    lasts, resolves it when the record is fixed and reopens it when the record breaks again.
    A school admin may waive a finding with a reason; the waiver holds while the data the
    rule reads about the record (its `fingerprint`) stays the same.
    """

    rule = models.CharField(_("规则"), max_length=64)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    account = models.ForeignKey(
        MediaAccount,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    group = models.ForeignKey(
        ChatGroup,
        verbose_name=_("群聊"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.CASCADE, related_name="findings"
    )
    message = models.CharField(_("说明"), max_length=500)
    fingerprint = models.CharField(
        _("数据指纹"),
        max_length=32,
        help_text=_("规则所读数据的摘要；豁免在记录的这些数据变化前有效"),
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=FindingState.choices, default=FindingState.OPEN
    )
    first_seen = models.DateTimeField(_("首次发现"))
    last_seen = models.DateTimeField(_("最近发现"))
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    times_opened = models.PositiveIntegerField(
        _("发现次数"), default=1, help_text=_("解决后再次违反时加一")
    )
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("豁免人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    waived_reason = models.CharField(_("豁免理由"), max_length=500, blank=True)
    waived_at = models.DateTimeField(_("豁免时间"), null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["-last_seen", "-pk"]
        indexes = [
            models.Index(fields=["rule", "account"], name="compliance_finding_rule_acct"),
            models.Index(fields=["rule", "group"], name="compliance_finding_rule_group"),
            models.Index(fields=["state", "owner_unit"], name="compliance_finding_state_unit"),
            models.Index(fields=["state", "severity"], name="compliance_finding_state_sev"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False, group__isnull=True)
                | Q(account__isnull=True, group__isnull=False),
                name="compliance_finding_one_target",
                violation_error_message=_("检查发现须且只能指向一个账号或一个群聊"),
            ),
            models.UniqueConstraint(
                fields=["rule", "account"],
                condition=Q(state__in=CURRENT_STATES, account__isnull=False),
                name="compliance_finding_unique_current_account",
                violation_error_message=_("该账号已有此规则的检查发现"),
            ),
            models.UniqueConstraint(
                fields=["rule", "group"],
                condition=Q(state__in=CURRENT_STATES, group__isnull=False),
                name="compliance_finding_unique_current_group",
                violation_error_message=_("该群聊已有此规则的检查发现"),
            ),
            models.CheckConstraint(
                condition=~Q(state=FindingState.WAIVED) | ~Q(waived_reason=""),
                name="compliance_finding_waived_has_reason",
                violation_error_message=_("豁免须填写理由"),
            ),
        ]

    def __str__(self):
        return f"{self.rule_title}：{self.target}"

    @property
    def target(self):
        return self.account if self.account_id else self.group

    @property
    def target_kind(self) -> TargetKind:
        return TargetKind.ACCOUNT if self.account_id else TargetKind.GROUP

    @property
    def rule_obj(self):
        from .rules import RULES

        return RULES.get(self.rule)

    @property
    def rule_title(self) -> str:
        rule = self.rule_obj
        return str(rule.title) if rule else self.rule

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOUR.get(self.severity, "secondary")

    @property
    def record_url(self) -> str:
        if self.account_id:
            return reverse("registry:account_detail", args=[self.account_id])
        return reverse("registry:group_detail", args=[self.group_id])

    @property
    def is_open(self) -> bool:
        return self.state == FindingState.OPEN

    @property
    def is_waived(self) -> bool:
        return self.state == FindingState.WAIVED


class FeedState(models.Model):
    """Polling state of an account's RSS / Atom feed: validators for conditional requests,
    the last result, and when to check again (later and later after each failure)."""

    account = models.OneToOneField(
        MediaAccount, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="feed_state"
    )
    etag = models.CharField(_("ETag"), max_length=255, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=64, blank=True)
    last_checked = models.DateTimeField(_("最近抓取"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_entry_date = models.DateField(_("订阅源最新条目日期"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    failures = models.PositiveSmallIntegerField(_("连续失败次数"), default=0)
    next_check_at = models.DateTimeField(_("下次抓取"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("订阅源抓取状态")
        verbose_name_plural = _("订阅源抓取状态")

    def __str__(self):
        return str(self.account)


class ScanRun(models.Model):
    """One full scan of the rule engine: when, who asked, what it covered and changed."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    records = models.PositiveIntegerField(_("记录数"), default=0)
    created = models.PositiveIntegerField(_("新发现"), default=0)
    reopened = models.PositiveIntegerField(_("重新打开"), default=0)
    resolved = models.PositiveIntegerField(_("自动解决"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("检查运行")
        verbose_name_plural = _("检查运行")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"
