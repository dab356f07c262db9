"""What a school has taught the importers: spellings of platforms that units write and the
built-in catalogue does not know ("企微" → 企业微信群), kept per school (the institution's
unit subtree) and written only through `beian.transfer.spellings`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beian.core.models import TimeStampedModel


class PlatformSpelling(TimeStampedModel):
    """One spelling of a platform as units of one school write it in their sheets. The
    spelling is compared in its `match_key` form (`key`); a key means one account platform
    and at most one chat-group platform in a school, so `for_groups` is part of it."""

    institution_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("学校"),
        on_delete=models.CASCADE,
        related_name="platform_spellings",
    )
    spelling = models.CharField(_("写法"), max_length=64)
    key = models.CharField(_("比较形式"), max_length=64, editable=False)
    for_groups = models.BooleanField(_("群聊平台"), default=False, editable=False)
    platform = models.ForeignKey(
        "registry.Platform",
        verbose_name=_("平台"),
        on_delete=models.CASCADE,
        related_name="spellings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("添加人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("平台写法")
        verbose_name_plural = _("平台写法")
        ordering = ["institution_unit_id", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution_unit", "key", "for_groups"],
                name="transfer_spelling_unique_per_school",
            )
        ]

    def __str__(self):
        return f"{self.spelling} → {self.platform}"
