from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """One message for every failure (wrong password, unknown user), so that logins cannot
    be used to find out which usernames exist."""

    error_messages = {
        "invalid_login": _("用户名或密码错误。连续失败 5 次将锁定 30 分钟。"),
        "inactive": _("用户名或密码错误。连续失败 5 次将锁定 30 分钟。"),
    }
