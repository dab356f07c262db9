"""Field validators shared by forms, importers and models."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s\-－—()（）]+")


def normalize_phone(value: str) -> str:
    """Digits of a phone number as people write it: spaces, dashes, +86 prefix removed."""
    value = _SEPARATORS.sub("", (value or "").strip())
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


def validate_mobile(value: str) -> None:
    """A mainland China mobile number (11 digits starting with 1, a valid number range)."""
    digits = normalize_phone(value)
    if not digits:
        return
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("“%(value)s”不是有效的手机号码"), params={"value": value}) from exc
    if (
        len(digits) != 11
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed)
        not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    ):
        raise ValidationError(_("“%(value)s”不是有效的手机号码"), params={"value": value})


def validate_phone(value: str) -> None:
    """A mainland mobile or landline number (landlines may omit the area code)."""
    digits = normalize_phone(value)
    if not digits:
        return
    if len(digits) == 11 and digits.startswith("1"):
        validate_mobile(digits)
        return
    if not re.fullmatch(r"0?\d{7,12}", digits):
        raise ValidationError(_("“%(value)s”不是有效的电话号码"), params={"value": value})


def validate_qq(value: str) -> None:
    if value and not re.fullmatch(r"[1-9]\d{4,11}", value.strip()):
        raise ValidationError(_("“%(value)s”不是有效的 QQ 号"), params={"value": value})
