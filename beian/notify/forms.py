from django import forms
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin
from beian.orgs.models import Unit
from beian.orgs.selectors import editable_units

from .choices import ChannelKind
from .models import Channel


class ChannelForm(StyledFormMixin, forms.ModelForm):
    """Add or change a channel. The secret is never shown back: left empty it keeps the
    stored one."""

    secret = forms.CharField(
        label=_("加签密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("钉钉、飞书机器人开启“加签”时填写（SEC 开头）；修改时留空表示不变"),
    )
    clear_secret = forms.BooleanField(label=_("清除已保存的密钥"), required=False)

    class Meta:
        model = Channel
        fields = ["unit", "kind", "name", "webhook_url", "secret", "recipients", "enabled"]
        widgets = {
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "webhook_url": forms.URLInput(attrs={"placeholder": "https://"}),
        }
        help_texts = {
            "webhook_url": _("企业微信、钉钉、飞书群机器人的 Webhook 地址；电子邮件渠道不填"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = editable_units(user)
        if self.instance.pk:
            units = units | Unit.objects.filter(pk=self.instance.unit_id)
        self.fields["unit"].queryset = units.order_by("name_pinyin")
        self.fields["unit"].help_text = _(
            "本单位及下级单位的提醒发往这里；下级单位未设置时沿用上级"
        )
        self.fields["kind"].choices = ChannelKind.choices
        if not self.instance.pk or not self.instance.secret:
            del self.fields["clear_secret"]
        elif self.instance.secret:
            self.fields["secret"].help_text = _("已保存密钥 %(masked)s；留空表示不变") % {
                "masked": self.instance.masked_secret
            }
