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


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, *args, **kwargs):
        raise ValueError("audit events are written only by beian.core.audit.audit()")

    def update(self, **kwargs):
        raise ValueError("audit events are append-only")

    def delete(self):
        raise ValueError("audit events are append-only")


class AuditEvent(models.Model):
    """One security-relevant event: logins, role changes, exports and every write.

    Rows are append-only: the database refuses UPDATE and DELETE (triggers created by the
    migration), so the log cannot be rewritten even by the application. The actor is kept
    both as an id and as text, so the row stays readable if the user is renamed.

    Rows are written only by `beian.core.audit.audit()` (through `auditchain.append`): each
    carries its place in the chain (`seq`), the previous row's hash and its own HMAC, so a
    row inserted, changed, removed or moved behind the application's back is found by
    `manage.py audit_verify`.
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
    seq = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("前一行校验值"), max_length=64, blank=True)
    row_hash = models.CharField(_("本行校验值"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

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
        if not getattr(self, "_chained", False):
            raise ValueError("audit events are written only by beian.core.audit.audit()")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are append-only")


class AuditChainHead(models.Model):
    """The last link of the audit chain (one row, pk 1): its sequence number and hash. The
    audit service locks this row to append, so rows are chained one after another."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self):
        return f"{self.seq} {self.hash[:12]}"


class AuditArchive(models.Model):
    """One run of `manage.py audit_archive`: the rows it moved to a sealed file and then
    removed. The newest archive anchors the chain: the first row still online continues from
    its last hash. `seal` is the HMAC of these facts, so the anchor cannot be forged either."""

    archived_at = models.DateTimeField(_("归档时间"), default=timezone.now)
    first_seq = models.BigIntegerField(_("首行链序号"))
    last_seq = models.BigIntegerField(_("末行链序号"))
    prev_hash = models.CharField(_("首行之前的校验值"), max_length=64, blank=True)
    last_hash = models.CharField(_("末行校验值"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"))
    before = models.DateTimeField(_("归档截止时间"))
    file_name = models.CharField(_("归档文件"), max_length=255)
    file_sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    seal = models.CharField(_("封存校验值"), max_length=64)

    class Meta:
        verbose_name = _("审计日志归档")
        verbose_name_plural = _("审计日志归档")
        ordering = ["-last_seq"]

    def __str__(self):
        return self.file_name


class AuditDeletePermit(models.Model):
    """Present only inside the archive command's transaction: the database triggers let old
    audit rows (older than 184 days, never younger) be deleted while a row exists here."""

    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"permit {self.pk}"
