"""Reminders, run every morning by `tasks.remind_filings`: approvers of steps that have
waited, and of new accounts whose planned go-live date is near; applicants of change-report
drafts whose deadline (`changes.report_within`) is near. Orphaned steps are handed to the
fallback offices first (`filing_steps_reroute_orphans`)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.policy import get_policy

from ..choices import FilingKind, FilingStatus, StepStatus
from ..models import Filing, FilingStep
from ..notifications import notify
from ..workflow import step_recipients
from .common import link, words
from .decisions import filing_steps_reroute_orphans

#: A step waiting this many working days gets its approvers reminded (once a day).
REMIND_AFTER_WORKDAYS = 2
#: A new account's planned go-live within this many days, still undecided, is reminded.
GO_LIVE_WARNING_DAYS = 3
#: A change report's deadline within this many days … (reports are filed after the change;
#: the reminder goes to drafts not yet submitted).
DRAFT_DEADLINE_WARNING_DAYS = 2


def reminders_send(*, today: date | None = None) -> int:
    """Remind approvers of steps waiting for a while, of filings whose planned go-live
    date is near, and applicants of returned requests and of change-report drafts whose
    deadline is near. Each step is reminded at most once a day. Returns how many
    reminders were scheduled."""
    policy = get_policy()
    today = today or timezone.localdate()
    count = 0
    filing_steps_reroute_orphans()
    steps = FilingStep.objects.filter(
        status=StepStatus.CURRENT, filing__status=FilingStatus.PENDING
    ).select_related("filing", "filing__applicant", "filing__owner_unit", "filing__second_unit")
    for step in steps:
        if step.reminded_on == today or step.activated_at is None:
            continue
        filing = step.filing
        waited_since = timezone.localtime(step.activated_at).date()
        due = policy.calendar.add_workdays(waited_since, REMIND_AFTER_WORKDAYS)
        near_live = (
            filing.kind == FilingKind.NEW
            and filing.goes_live_on
            and filing.goes_live_on - today <= timedelta(days=GO_LIVE_WARNING_DAYS)
        )
        if today < due and not near_live:
            continue
        with transaction.atomic():
            locked = FilingStep.objects.select_for_update().get(pk=step.pk)
            if locked.reminded_on == today or locked.status != StepStatus.CURRENT:
                continue
            locked.reminded_on = today
            locked.save(update_fields=["reminded_on"])
            text = _("【催办】%(kind)s《%(name)s》已于 %(since)s 提交至%(office)s，请尽快审批") % (
                words(filing, office=locked.office, since=waited_since.isoformat())
            )
            if near_live:
                text += _("（计划开通日期 %(date)s）") % {"date": filing.goes_live_on.isoformat()}
            notify(step_recipients(filing), text, link=link(filing), filing=filing)
            count += 1
    drafts = Filing.objects.filter(
        kind=FilingKind.CHANGE, status=FilingStatus.DRAFT, effective_on__isnull=False
    ).select_related("applicant")
    for filing in drafts:
        deadline = policy.deadline(filing.effective_on)
        if 0 <= (deadline - today).days <= DRAFT_DEADLINE_WARNING_DAYS:
            with transaction.atomic():
                notify(
                    [filing.applicant],
                    _("【提醒】变更报备《%(name)s》须在 %(date)s 前提交")
                    % {"name": filing.account_name, "date": deadline.isoformat()},
                    link=link(filing),
                    filing=filing,
                )
            count += 1
    return count
