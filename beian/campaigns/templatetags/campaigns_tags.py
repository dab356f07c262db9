"""Template helpers of the campaign pages: the notice's Markdown, safely."""

from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# Raw HTML is off (written as text), and markdown-it's link check refuses javascript:,
# vbscript:, file: and data: (except images) URLs: the output is safe to show as is.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)


@register.filter
def markdown(text: str) -> str:
    return mark_safe(_md.render(text or ""))  # noqa: S308 - raw HTML disabled above


STATE_CLASSES = {
    "not_started": "bg-secondary-lt",
    "in_progress": "bg-blue-lt",
    "submitted": "bg-green-lt",
    "returned": "bg-orange-lt",
    "confirmed": "bg-teal-lt",
    "draft": "bg-secondary-lt",
    "open": "bg-blue-lt",
    "closed": "bg-dark-lt",
    "pending": "bg-yellow-lt",
    "confirmed_item": "bg-green-lt",
    "corrected": "bg-azure-lt",
    "closing": "bg-red-lt",
    "added": "bg-purple-lt",
}


@register.filter
def state_class(state: str) -> str:
    return STATE_CLASSES.get(state, "bg-secondary-lt")


@register.filter
def item_class(action: str) -> str:
    return STATE_CLASSES.get("confirmed_item" if action == "confirmed" else action, "")


@register.filter
def get(mapping, key):
    if not mapping:
        return None
    return mapping.get(str(key)) if hasattr(mapping, "get") else None
