"""The Word forms section of an account's detail page: the filled 备案表 in either layout."""

from django.template.loader import render_to_string

from beian.registry.models import MediaAccount


def account_forms_panel(request, record) -> str | None:
    if not isinstance(record, MediaAccount):
        return None
    return render_to_string(
        "transfer/_account_forms_panel.html", {"record": record}, request=request
    )
