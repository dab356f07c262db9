"""The reminder and channel layer: the in-app inbox (`Notification`), the channels a unit
is told through (`Channel`: e-mail, WeCom / DingTalk / Feishu group robots), due points
that are sent exactly once (`Reminder`) and the digests that carry them (`Message`).
See docs/notifications.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import ChannelKind, MessageState, ReminderState

# --- inbox --------------------------------------------------------------------------------


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message (站内通知): a step waiting, a decision, a deadline. `subject` names
    what it is about ("filing:12", "campaign:3:task:40") without a foreign key, so every
    app can tell its users without this app knowing its models."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    kind = models.SlugField(_("类别"), max_length=64, blank=True)
    subject = models.CharField(_("对象"), max_length=100, blank=True, db_index=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text


# --- channels -----------------------------------------------------------------------------


class ChannelQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Global roles see every channel; unit admins those of the units they administer."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(unit_id__in=sorted(user.admin_unit_ids))


class Channel(models.Model):
    """Where a unit's reminders go besides the inbox. A unit without enabled channels
    inherits those of its nearest ancestor that has some; the school's root unit's
    channels are the default."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="channels"
    )
    kind = models.CharField(_("渠道类型"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("名称"), max_length=64)
    webhook_url = models.CharField(_("Webhook 地址"), max_length=500, blank=True)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    recipients = models.TextField(
        _("收件人"),
        blank=True,
        help_text=_("电子邮件地址，每行或用逗号分隔一个；留空则发给本单位的二级单位管理员"),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    last_ok_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_error_at = models.DateTimeField(_("最近出错"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=["secret", "last_ok_at", "last_error", "last_error_at"]
    )

    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["unit__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="notify_channel_unique_name_in_unit",
                violation_error_message=_("本单位已有同名渠道"),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def masked_secret(self) -> str:
        """The secret as shown back: its last four characters only."""
        if not self.secret:
            return ""
        return "••••" + self.secret[-4:] if len(self.secret) > 8 else "••••"

    @property
    def masked_url(self) -> str:
        """The webhook without its access token (WeCom's `key=`, DingTalk's `access_token=`,
        the last part of Feishu's path)."""
        url = self.webhook_url
        if not url:
            return ""
        base, _sep, query = url.partition("?")
        if query:
            return base + "?…"
        head, _slash, tail = base.rpartition("/")
        return f"{head}/{tail[:4]}…" if len(tail) > 8 else base

    def recipient_addresses(self) -> list[str]:
        text = self.recipients.replace("，", ",").replace(";", ",").replace("\n", ",")
        return [item.strip() for item in text.split(",") if item.strip()]


# --- due points and digests -----------------------------------------------------------------


class Reminder(models.Model):
    """One due point ("campaign:12:task:34:due-7d"), scheduled by any app through
    `services.reminder_schedule` and sent once: to the recipients' inboxes, and in one
    digest per unit on each of the unit's channels."""

    key = models.CharField(_("键"), max_length=200, unique=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.SlugField(_("类别"), max_length=64)
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    subject = models.CharField(_("对象"), max_length=100, blank=True)
    recipients = models.JSONField(_("接收人"), default=list, blank=True)
    due_at = models.DateTimeField(_("发送时间"))
    state = models.CharField(
        _("状态"), max_length=16, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("发送于"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self):
        return self.key


class Message(models.Model):
    """One digest on one channel for one unit: the reminders that fell due together.
    Sent within the channel's rate limit, retried with back-off."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.CASCADE, related_name="messages"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=200)
    lines = models.JSONField(_("条目"), default=list)
    reminders = models.ManyToManyField(Reminder, related_name="messages", blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次尝试"))
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送于"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("渠道消息")
        verbose_name_plural = _("渠道消息")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["state", "next_try_at"]),
            models.Index(
                fields=["channel", "last_attempt_at"],
                condition=Q(last_attempt_at__isnull=False),
                name="notify_msg_channel_attempt",
            ),
        ]

    def __str__(self):
        return self.title


class ProviderRun(models.Model):
    """A daily provider's run on one day: the unique row is the claim, so two workers
    never both run it."""

    name = models.CharField(max_length=200)
    run_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "run_on"], name="notify_providerrun_once")
        ]

    def __str__(self):
        return f"{self.name} {self.run_on}"
