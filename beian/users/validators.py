"""Password rules of 等保 level 2: at least three of four character classes, and not the
username (length and common passwords are Django's own validators).

Only real character classes count: a lowercase letter, an uppercase letter, a digit, and a
symbol (Unicode punctuation or symbol: ! - _ @ ￥ 。 …). Whitespace is no class at all and
does not count towards the length either, so ten spaces and "A1" are refused."""

import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char)[0] in {"P", "S"}


#: The four classes, each a test of one character.
CLASSES = (str.islower, str.isupper, str.isdecimal, _is_symbol)


def character_classes(password: str) -> int:
    """How many of the four classes the password uses (whitespace belongs to none)."""
    return sum(any(test(char) for char in password) for test in CLASSES)


class CharacterClassValidator:
    def validate(self, password, user=None):
        if character_classes(password) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类"),
                code="password_classes",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类（空格不算符号）。")


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") if user is not None else ""
        if username and username.lower() in password.lower():
            raise ValidationError(_("密码不能包含用户名"), code="password_username")

    def get_help_text(self):
        return _("密码不能包含用户名。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, counting only characters that are not whitespace, with its
    message in Chinese (Django 5.2's own string for this message has no up-to-date Chinese
    translation)."""

    def validate(self, password, user=None):
        counted = "".join(char for char in password if not char.isspace())
        super().validate(counted, user)

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符（空格不计）。") % {
            "min_length": self.min_length
        }

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符（空格不计）。") % {
            "min_length": self.min_length
        }
