"""The 年检 section of an account's detail page (registered with
`beian.registry.panels.register_panel` in apps.py): the account's inspection history, one
line per year, and its open hand-over cases."""

from __future__ import annotations

from django.template.loader import render_to_string

from beian.registry.models import MediaAccount

from . import selectors


def account_inspections_panel(request, record) -> str | None:
    if not isinstance(record, MediaAccount):
        cases = selectors.record_handover_cases(request.user, record)
        if not cases:
            return None
        return render_to_string(
            "inspections/_record_panel.html", {"forms": [], "cases": cases}, request=request
        )
    forms = selectors.account_history(request.user, record)
    cases = selectors.record_handover_cases(request.user, record)
    return render_to_string(
        "inspections/_record_panel.html", {"forms": forms, "cases": cases}, request=request
    )
