"""API tokens, service accounts and the sheets uploaded through the API for an import.

A token belongs to one user and acts as that user: its scope is exactly its owner's roles
and units, nothing more. Only a SHA-256 hash of the secret is kept; the secret is shown
once, when it is made. A service account is a login of its own (no usable password, never
signs in on the pages) that a school admin creates for another campus system, with one
role and, for unit-scoped roles, one unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A secret that authenticates API requests as its owner (`Authorization: Bearer …`).
    Revocable, with an expiry date; `last_used_at` tells the owner whether it is still
    in use."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所属用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=80)
    prefix = models.CharField(_("令牌前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    last_audited_at = models.DateTimeField(_("最近记入审计"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def state_label(self) -> str:
        if self.is_revoked:
            return str(_("已撤销"))
        if self.is_expired:
            return str(_("已过期"))
        return str(_("有效"))


class ServiceAccount(models.Model):
    """A campus system (the network centre, the OA, the HR roster) that calls the API:
    a login without a usable password, one role (and unit), its tokens. Created and
    disabled by the school admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录名"),
        on_delete=models.CASCADE,
        related_name="service_account",
    )
    purpose = models.CharField(_("调用系统与用途"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务账号")
        verbose_name_plural = _("服务账号")
        ordering = ["user__username"]

    def __str__(self):
        return self.user.username


class SheetUpload(models.Model):
    """A sheet sent to `/api/imports/` for a preview, kept until it is committed (the
    commit writes exactly these bytes, and only if the rows still read as previewed) or
    until it is two hours old. Visible to its uploader only."""

    key = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_sheet_uploads"
    )
    kind = models.CharField(max_length=16)
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.CASCADE)
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    digests = models.JSONField(default=dict)
    error_rows = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口上传的表格")
        verbose_name_plural = _("接口上传的表格")

    def __str__(self):
        return self.file_name
