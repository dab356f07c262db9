"""What one institution publishes: its publication settings (the school admin's page)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beian.campaigns.models import Campaign
from beian.core.models import TimeStampedModel
from beian.orgs.models import Unit

VALIDITY_CHOICES = [("public", _("公开")), ("token", _("凭接口令牌"))]


class PublicationSettings(TimeStampedModel):
    """What an institution (the root of its unit tree) shows the public. Without a row the
    policy file's `[publication]` section holds (everything off by default); once the school
    admin saves the settings page, this row holds. Written only by
    `services.publication_settings_update`."""

    root = models.OneToOneField(
        Unit,
        verbose_name=_("学校"),
        on_delete=models.CASCADE,
        related_name="publication_settings",
        limit_choices_to={"parent__isnull": True},
    )
    directory = models.BooleanField(_("开放公开目录与官方账号查询"), default=False)
    tiers = models.JSONField(_("公开的账号分级"), default=list, blank=True)
    confirm_exact_unpublished = models.BooleanField(
        _("未公开账号：输入完整名称时确认已备案"), default=False
    )
    validity = models.CharField(
        _("备案有效性接口"), max_length=8, choices=VALIDITY_CHOICES, default="token"
    )
    accounts_list = models.BooleanField(_("公布已备案账号名单"), default=False)
    bulletins = models.BooleanField(_("公布全部填报任务的通报"), default=False)
    published_campaigns = models.ManyToManyField(
        Campaign, verbose_name=_("公布通报的填报任务"), blank=True, related_name="+"
    )
    inspection_results = models.BooleanField(_("公布全部年检结果"), default=False)
    published_rounds = models.JSONField(_("公布结果的年检轮次"), default=list, blank=True)
    report_hint = models.CharField(_("仿冒账号举报方式"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公开查询设置")
        verbose_name_plural = _("公开查询设置")

    def __str__(self):
        return f"{self.root}：{self._meta.verbose_name}"
