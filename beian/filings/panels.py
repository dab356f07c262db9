"""The filings section of an account's or group's detail page: its requests, the open one,
and the buttons for a late filing, a change report or a closing request."""

from django.template.loader import render_to_string

from beian.registry.models import MediaAccount

from . import selectors


def record_filings_panel(request, record) -> str:
    is_account = isinstance(record, MediaAccount)
    can_request = selectors.can_request_for(request.user, record)
    closed = record.is_closed if is_account else record.is_dissolved
    return render_to_string(
        "filings/_record_panel.html",
        {
            "record": record,
            "is_account": is_account,
            "filings": list(
                selectors.filings_for_record(request.user, record).select_related("platform")[:20]
            ),
            "open_filing": selectors.open_filing_for(record),
            "can_request": can_request and not closed,
            "late_filing_url": selectors.late_filing_url(request.user, record)
            if is_account
            else None,
            "group_unregistered": not is_account and not record.registered,
        },
        request=request,
    )
