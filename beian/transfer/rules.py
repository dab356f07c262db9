"""The fast validation path of imports: the rules the registry forms and models apply, as
plain checks on values, so that 100,000 rows are validated without `full_clean()` (a query
for each foreign key and each unique constraint: ~390 µs a row here).

Where a rule already exists as a plain function it is called as is, with the row's values
in a namespace: `services.account_rule_errors` and `services.group_rule_errors` (the rules
the forms show on their fields). Field rules (lengths, ranges, choices) are read from the
model fields themselves. The model's own `clean()` is run on an unsaved instance for
accounts (a few thousand rows; it checks the platform's address format). The rest —
foreign keys, unique constraints, scope — is checked against the dicts loaded once by
`beian.transfer.context`. `tests/test_rules.py` feeds a table of bad values to both this
path and the forms and checks that they agree.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _

from beian.core.validators import validate_qq
from beian.registry import services, spec
from beian.registry.forms import MAX_AUDIENCE
from beian.registry.models import ChatGroup, MediaAccount

#: Earliest year the registry forms accept for a year-month (`YearMonthField`).
MIN_YEAR = 1990
#: The largest value a PositiveIntegerField holds on every supported database.
MAX_POSITIVE_INT = 2_147_483_647


def max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def length_error(model: type[models.Model], name: str, value: str) -> str | None:
    """ "不能超过 N 个字符" when `value` is longer than the model field allows."""
    limit = max_length(model, name)
    if limit is not None and value is not None and len(value) > limit:
        return f"不能超过 {limit} 个字符（现有 {len(value)} 个）"
    return None


def count_error(value: int | None) -> str | None:
    if value is not None and value > MAX_POSITIVE_INT:
        return "数值过大，请检查"
    return None


def audience_error(value: int | None) -> str | None:
    """What `AudienceField` refuses (negative numbers never get here: the parser refuses
    them)."""
    if value is not None and value > MAX_AUDIENCE:
        return "人数过大，请检查"
    return None


def email_error(value: str) -> str | None:
    if not value:
        return None
    try:
        validate_email(value)
    except ValidationError:
        return f"“{value}”不是有效的邮箱地址"
    return None


def qq_error(value: str) -> str | None:
    try:
        validate_qq(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


_GROUP_RULE_FIELDS = (
    "created_month",
    "member_count",
    "outside_member_count",
    "has_outside_members",
    "is_temporary",
    "temporary_until",
)


def group_errors(values: dict[str, Any]) -> dict[str, str]:
    """`services.group_rule_errors` itself on a group's values (field → message)."""
    return {
        name: str(message)
        for name, message in services.group_rule_errors(
            SimpleNamespace(**{n: values.get(n) for n in _GROUP_RULE_FIELDS})
        ).items()
    }


class GroupRules:
    """The rules of `services.group_rule_errors` and of the chat-group constraints, for
    100,000 rows: the same conditions and messages, with the clock read and the messages
    translated once per import instead of once per row. `tests/test_rules.py` checks on a
    table of values that it answers exactly as `services.group_rule_errors` does."""

    def __init__(self, today: dt.date):
        self.this_month = today.replace(day=1)
        self.future = str(_("年月不能晚于本月"))
        self.outside_more = str(_("校外人员人数不能多于群人数"))
        self.outside_flag = str(_("填写了校外人员人数，请勾选“有校外人员”"))
        self.temporary = str(_("填写了截止日期，请勾选“临时群”"))

    def __call__(self, values: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        created = values.get("created_month")
        if created and created > self.this_month:
            errors["created_month"] = self.future
        outside = values.get("outside_member_count") or 0
        if outside > (values.get("member_count") or 0):
            errors["outside_member_count"] = self.outside_more
        if not values.get("has_outside_members") and outside:
            errors["has_outside_members"] = self.outside_flag
        if not values.get("is_temporary") and values.get("temporary_until"):
            errors["is_temporary"] = self.temporary
        return errors


def account_errors(values: dict[str, Any]) -> dict[str, str]:
    """The account model's `clean()` and `services.account_rule_errors` on an unsaved
    account with these values (field → first message). `values` holds model attnames
    and `platform` (a Platform instance)."""
    account = MediaAccount(**values)
    errors: dict[str, str] = {}
    try:
        account.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])
    for name, message in services.account_rule_errors(account).items():
        errors.setdefault(name, str(message))
    return errors


#: Fields an import may write, with their labels (for diffs and messages): the fields the
#: registry's specification marks as carried by the seed sheets (`registry.spec`).
GROUP_LABELS = spec.labels(ChatGroup, spec.GROUP_SPEC)
ACCOUNT_LABELS = spec.labels(MediaAccount, spec.ACCOUNT_SPEC)
