"""Forms of the token pages: a token's use and validity; a service account's login,
purpose, role and unit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin
from beian.orgs.models import Unit
from beian.users.choices import UNIT_ROLES, Role

from .services import DEFAULT_DAYS, MAX_DAYS, SERVICE_ROLES

DAY_CHOICES = [(30, _("30 天")), (90, _("90 天")), (180, _("180 天")), (366, _("一年"))]


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=80,
        help_text=_("写明哪个脚本或系统使用，例如“每晚同步人员名单”"),
    )
    days = forms.TypedChoiceField(
        label=_("有效期"),
        choices=DAY_CHOICES,
        coerce=int,
        initial=DEFAULT_DAYS,
        help_text=_("到期后令牌失效，最长 %(max)d 天") % {"max": MAX_DAYS},
    )


class ServiceAccountForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("登录名"),
        regex=r"^svc-[a-z0-9][a-z0-9_-]{1,40}$",
        initial="svc-",
        help_text=_("以 svc- 开头的小写字母、数字、- 和 _，例如 svc-netcenter"),
        error_messages={"invalid": _("登录名须以 svc- 开头，只含小写字母、数字、- 和 _")},
    )
    purpose = forms.CharField(
        label=_("调用系统与用途"), max_length=200, help_text=_("例如“网络中心：备案有效性核验”")
    )
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(r.value, r.label) for r in Role if r in SERVICE_ROLES],
        help_text=_("令牌的范围与该角色相同；服务账号不能是学校管理员"),
    )
    unit = forms.ModelChoiceField(
        label=_("管辖单位"),
        queryset=Unit.objects.filter(is_active=True).order_by("name_pinyin"),
        required=False,
        empty_label=_("（不限单位）"),
        help_text=_("二级单位管理员和校团委审批人须指定，范围含下级单位"),
    )
    token_name = forms.CharField(label=_("首个令牌的用途"), max_length=80, initial=_("初始令牌"))
    days = TokenForm.base_fields["days"]

    def clean(self):
        cleaned = super().clean()
        role, unit = cleaned.get("role"), cleaned.get("unit")
        if role in UNIT_ROLES and unit is None:
            self.add_error("unit", _("该角色须指定管辖单位"))
        return cleaned
