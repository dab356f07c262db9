"""Shared model pieces and the append-only audit log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditEventType


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建于"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新于"), auto_now=True)

    class Meta:
        abstract = True


class StoredUpload(models.Model):
    """A kept file checked by its content (see `beian.filings.uploads.check_upload`): the
    type its bytes show, its size and SHA-256, who uploaded it and when. Concrete models add
    what the file belongs to and its `upload_to`."""

    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=128)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name or self.file.name


class AuditEvent(models.Model):
    """One security-relevant event: logins, role changes, exports and every write.

    Rows are append-only: the database refuses UPDATE and DELETE (triggers created by the
    migration), so the log cannot be rewritten even by the application. The actor is kept
    both as an id and as text, so the row stays readable if the user is renamed.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    event = models.CharField(_("事件"), max_length=32, choices=AuditEventType.choices)
    success = models.BooleanField(_("成功"), default=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["event", "at"]), models.Index(fields=["actor", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_event_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are append-only")
