"""Due points of the approval workflow, as providers of the notify app (registered in
`FilingsConfig.ready`; the periodic task `notify.tasks.send_due` calls them):

- `remind_filings`, once a day from 08:30: the personal reminders of
  `services.reminders_send` (approvers of steps that have waited, applicants of change
  reports whose deadline is near), in the inbox and by e-mail;
- `waiting_digest`, once a day from 08:30: one due point per unit with requests waiting
  for approval, for the unit's channels (robots, e-mail), keyed by unit and day so that
  it is sent once however many workers run.
"""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.notify.services import reminder_schedule

from .choices import FilingStatus
from .models import Filing

#: The providers below run at the first run of `send_due` after this local time.
DAILY_AT = time(8, 30)


def remind_filings(now: datetime) -> int:
    """Every morning: the personal reminders (see `services.reminders_send`)."""
    from . import services

    return services.reminders_send(today=timezone.localtime(now).date())


def waiting_digest(now: datetime) -> int:
    """Every morning: "N requests are waiting for approval" for each unit that owns some,
    sent on the unit's channels in its digest."""
    today = timezone.localtime(now).date()
    rows = (
        Filing.objects.filter(status=FilingStatus.PENDING)
        .values("owner_unit_id")
        .annotate(n=Count("pk"))
        .order_by("owner_unit_id")
    )
    link = reverse("filings:waiting")
    scheduled = 0
    for row in rows:
        unit_id = row["owner_unit_id"]
        if unit_id is None:
            continue
        _reminder, created = reminder_schedule(
            key=f"filings:waiting:unit:{unit_id}:{today.isoformat()}",
            unit=unit_id,
            kind="filings-waiting",
            text=_("本单位有 %(n)s 项备案/变更申请正在审批中，请相关审批人及时处理")
            % {"n": row["n"]},
            link=link,
            due_at=now,
        )
        scheduled += created
    return scheduled
