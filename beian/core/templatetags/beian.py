from django import template
from django.utils.http import urlencode

from beian.core.masking import MASKERS

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, person_or_value, field: str = "mobile", obj=None):
    """Show a personal-data field in full to users who may see it for `obj`, masked otherwise.

    `{% personal person "mobile" account %}` or `{% personal "13812341234" "mobile" %}`.
    """
    value = getattr(person_or_value, field, person_or_value) or ""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    can_see = getattr(user, "can_see_personal_data", None)
    if can_see is not None and can_see(obj):
        return value
    return MASKERS[field](value)


@register.filter
def mask(value, field: str = "mobile") -> str:
    """`{{ value|mask:"mobile" }}` → 138****1234 (also "email", "qq")."""
    return MASKERS[field](str(value or ""))


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination, sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(sorted(query.lists()), doseq=True) if query else "?"
