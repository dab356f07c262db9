from django import template
from django.utils.html import format_html

from ..choices import GRADE_COLOUR, STATE_COLOUR, FormState, Grade

register = template.Library()


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def grade_badge(grade: str):
    if not grade:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', "待评定")
    return format_html(
        '<span class="badge {}">{}</span>', GRADE_COLOUR.get(grade, ""), Grade(grade).label
    )


@register.simple_tag
def state_badge(state: str):
    return format_html(
        '<span class="badge {}">{}</span>', STATE_COLOUR.get(state, ""), FormState(state).label
    )


@register.filter
def wan(value):
    """12000 → "1.2万" as the forms write audiences."""
    if value is None:
        return "—"
    if value < 10000:
        return str(value)
    return f"{value / 10000:.1f}".removesuffix(".0") + "万"


@register.filter
def yes_no(value):
    return {True: "是", False: "否"}.get(value, "—")
