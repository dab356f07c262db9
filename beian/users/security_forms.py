"""Forms of signing in safely: the second-factor code, enrolment, changing one's password
and an admin's password reset. (Beside forms.py so that the sign-on work on the login form
and this work do not edit one file.)"""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin


class CodeForm(StyledFormMixin, forms.Form):
    """A code of the authenticator app (6 digits) or a recovery code."""

    token = forms.CharField(
        label=_("动态验证码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("请输入验证码")},
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip().replace(" ", "").replace("-", "")


class EnrolForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].label = _("验证器显示的 6 位数字")


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    """Django's form (old password checked, new one twice, the validators), in our style;
    the view saves through `user_password_change`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password1"].help_text = password_validators_help_text_html()
        self.fields["new_password2"].label = _("再次输入新密码")

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and "new_password2" not in self.errors and self.user.check_password(new):
            self.add_error("new_password2", _("新密码不能与当前密码相同"))
        return cleaned


class PasswordResetForm(StyledFormMixin, forms.Form):
    """A school admin sets a new password for someone; they must change it when they sign in."""

    password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned
