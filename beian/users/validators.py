"""Password rules of 等保 level 2: at least three of four character classes, and not the
username (length and common passwords are Django's own validators)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


class CharacterClassValidator:
    def validate(self, password, user=None):
        if sum(bool(re.search(pattern, password)) for pattern in _CLASSES) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类"), code="password_classes"
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") if user is not None else ""
        if username and username.lower() in password.lower():
            raise ValidationError(_("密码不能包含用户名"), code="password_username")

    def get_help_text(self):
        return _("密码不能包含用户名。")
