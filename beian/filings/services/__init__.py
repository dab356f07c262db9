"""Writes of the approval workflow (docs/workflows/filing.md). One service per
transition; each locks the request (`select_for_update`), checks the transition against
`workflow.TRANSITIONS` and who may take it, saves with `update_fields`, and writes the
timeline entry and the audit row in the same transaction. Mail and inbox rows go out after
commit (`notifications.notify`).

    submission   filing_create / filing_update / filing_submit / filing_withdraw
                 change_report_create / closing_request_create
    decisions    filing_approve / filing_reject / filing_return (filing_decide dispatches)
                 filing_step_take_over / filing_steps_reroute_orphans (chains that cannot
                 deadlock)
    attachments  filing_attach
    records      what an approved request writes through the registry's services
    numbering    registration numbers
    reminders    reminders_send
    content      the fields and team rows a request carries, and their checks
    common       locking, the timeline entry with its audit row, message words

The inbox (marking notifications read) belongs to the notify app
(`beian.notify.services`).

Callers use the services from here: `from beian.filings import services`,
`services.filing_create(...)`.
"""

from .attachments import filing_attach
from .decisions import (
    filing_approve,
    filing_decide,
    filing_reject,
    filing_return,
    filing_step_take_over,
    filing_steps_reroute_orphans,
)
from .reminders import reminders_send
from .submission import (
    change_report_create,
    closing_request_create,
    filing_create,
    filing_submit,
    filing_update,
    filing_withdraw,
)

__all__ = [
    "change_report_create",
    "closing_request_create",
    "filing_approve",
    "filing_attach",
    "filing_create",
    "filing_decide",
    "filing_reject",
    "filing_return",
    "filing_step_take_over",
    "filing_steps_reroute_orphans",
    "filing_submit",
    "filing_update",
    "filing_withdraw",
    "reminders_send",
]
