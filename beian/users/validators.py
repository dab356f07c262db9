"""Password rules of 等保 level 2: at least three of four character classes, and not the
username (length and common passwords are Django's own validators)."""

import re

from django.contrib.auth import password_validation
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


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in Chinese (Django 5.2's own string for this
    message has no up-to-date Chinese translation)."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
