"""The school admin's publication settings form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from beian.campaigns.models import Campaign
from beian.core.forms import StyledFormMixin
from beian.inspections.models import Inspection

from .models import VALIDITY_CHOICES

TIER_CHOICES = [
    (1, _("一级（学校）")),
    (2, _("二级（学院、部门）")),
    (3, _("三级（下属单位、学生组织）")),
]


class SettingsForm(StyledFormMixin, forms.Form):
    directory = forms.BooleanField(
        label=_("开放公开目录与“是否官方账号”查询"),
        required=False,
        help_text=_("/directory/：任何人无需登录即可搜索已公开的账号、核验链接或二维码"),
    )
    tiers = forms.TypedMultipleChoiceField(
        label=_("公开的账号分级"),
        choices=TIER_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只公开运营中、已备案、非个人名义的账号"),
    )
    confirm_exact_unpublished = forms.BooleanField(
        label=_("未公开的已备案账号：访客输入完整名称、账号或链接时确认其已备案"),
        required=False,
    )
    validity = forms.ChoiceField(
        label=_("备案有效性接口 /api/v1/validity/"),
        choices=VALIDITY_CHOICES,
        help_text=_("公开：只回答已公开的账号；凭接口令牌：校内系统可查询全部已备案账号"),
    )
    accounts_list = forms.BooleanField(
        label=_("公布已备案账号名单（网页、打印版、Excel）"), required=False
    )
    bulletins = forms.BooleanField(label=_("公布全部填报任务的通报"), required=False)
    published_campaigns = forms.ModelMultipleChoiceField(
        label=_("公布通报的填报任务"),
        queryset=Campaign.objects.exclude(status="draft").order_by("-deadline", "-pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    inspection_results = forms.BooleanField(
        label=_("公布全部已结束年检的结果"),
        required=False,
        help_text=_("只含账号名称、平台、单位和年检结果，不含个人信息"),
    )
    published_rounds = forms.ModelMultipleChoiceField(
        label=_("公布结果的年检"),
        queryset=Inspection.objects.filter(owner_unit__parent__isnull=True).order_by("-year"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("也可在年检结果页点击“公布结果”"),
    )
    report_hint = forms.CharField(
        label=_("仿冒账号举报方式"),
        max_length=255,
        required=False,
        help_text=_(
            "显示在查询结果中，例如：请致电党委宣传部 0000-00000000 或发送邮件至 xcb@example.edu.cn"
        ),
    )

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("tiers", "published_campaigns", "published_rounds"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.initial = {
                "directory": current.directory,
                "tiers": list(current.tiers),
                "confirm_exact_unpublished": current.confirm_exact_unpublished,
                "validity": current.validity,
                "accounts_list": current.accounts_list,
                "bulletins": current.bulletins,
                "published_campaigns": sorted(current.campaign_ids),
                "inspection_results": current.inspection_results,
                "published_rounds": sorted(current.round_ids),
                "report_hint": current.report_hint,
            }

    def clean_published_rounds(self):
        return [round_.pk for round_ in self.cleaned_data["published_rounds"]]

    def clean(self):
        data = super().clean()
        if data.get("directory") and not data.get("tiers"):
            self.add_error("tiers", _("开放公开目录时至少选择一个公开的分级"))
        return data
