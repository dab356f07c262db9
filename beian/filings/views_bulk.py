"""批量审批: the requests waiting for the user, with a checkbox each; the chosen ones are
approved with one comment through `beian.filings.bulk.filings_approve` (all or nothing,
each request still audited and numbered)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import bulk, selectors


@login_required
def waiting_bulk(request):
    if request.method == "POST":
        choices = bulk.parse_choices(request.POST.getlist("filings"))
        try:
            n = bulk.filings_approve(
                actor=request.user, choices=choices, comment=request.POST.get("comment", "")
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已同意 %(n)d 项申请") % {"n": n})
        return redirect("filings:waiting_bulk")
    filings = list(selectors.filings_waiting_for(request.user)[: bulk.MAX_BULK])
    return render(
        request,
        "filings/waiting_bulk.html",
        {
            "title": _("批量审批"),
            "tab": "waiting",
            "filings": filings,
            "counts": selectors.pending_counts(request.user),
            "nav": "filings",
        },
    )
