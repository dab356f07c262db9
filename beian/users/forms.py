"""Login, user creation and role forms. The person and unit choices come through the
models' relations, so this app need not import the org app above it."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin

from .choices import UNIT_ROLES, Role
from .leavers import refuse_leaver_login
from .models import RoleAssignment, User


class LoginForm(AuthenticationForm):
    """One message for every failure (wrong password, unknown user), so that logins cannot
    be used to find out which usernames exist."""

    error_messages = {
        "invalid_login": _("用户名或密码错误。连续失败 5 次将锁定 30 分钟。"),
        "inactive": _("用户名或密码错误。连续失败 5 次将锁定 30 分钟。"),
    }

    def confirm_login_allowed(self, user):
        """After the password checked out: a person who has left (离职 / 毕业) is refused
        with the reason, as the school's sign-on refuses them (audited)."""
        super().confirm_login_allowed(user)
        message = refuse_leaver_login(user, request=self.request)
        if message is not None:
            raise forms.ValidationError(message, code="person_left")


def _person_label(person) -> str:
    parts = [person.name, person.number, person.unit.name]
    return " · ".join(p for p in parts if p)


class UserCreateForm(StyledFormMixin, forms.ModelForm):
    """A new local login. The password is checked by the service against the password
    validators, with the username known (so "not the username" can be enforced)."""

    password1 = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "person"]
        help_texts = {
            "username": _("登录用的账号，可用字母、数字和 @ . + - _"),
            "person": _("此用户在人员名单中的记录；运营者须关联人员"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        person.queryset = (
            person.queryset.filter(user__isnull=True).select_related("unit").order_by("name_pinyin")
        )
        person.label_from_instance = _person_label
        person.empty_label = _("（不关联）")
        self.fields["username"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned


class RoleGrantForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["role", "unit"]
        help_texts = {"unit": _("仅二级单位管理员和校团委审批人需要选择，管辖范围含下级单位")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        unit.queryset = unit.queryset.order_by("name_pinyin")
        unit.empty_label = _("（不限单位）")
        self.fields["role"].choices = [("", _("请选择角色")), *Role.choices]

    def clean(self):
        cleaned = super().clean()
        role, unit = cleaned.get("role"), cleaned.get("unit")
        if role in UNIT_ROLES and unit is None:
            self.add_error("unit", _("二级单位管理员和校团委审批人须指定管辖单位"))
        elif role and role not in UNIT_ROLES and unit is not None:
            self.add_error("unit", _("该角色不限定单位，请不要选择管辖单位"))
        return cleaned

    def _post_clean(self):
        """The service validates and saves; the model's constraints would need the user."""
