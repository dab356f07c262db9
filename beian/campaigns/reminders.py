"""Campaign reminders through `beian.notify`: campaign opened, 7 days and 1 day before the
deadline, overdue, and returned. Each due point has a key that names it for good
("campaign:12:task:34:due-7d"), so the notify app sends it exactly once however often it
is scheduled; the unit's channels get one digest per unit.

- `announce(event, ...)`: called after the commit of `campaign_open` / `task_return`.
- `campaign_due_points(now)`: a notify provider (registered in `apps.py`) that keeps the
  due points of every open campaign in step: scheduled for tasks still to submit,
  cancelled for tasks submitted or confirmed (and for closed campaigns)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.notify.services import reminder_schedule, reminders_cancel
from beian.users.choices import Role
from beian.users.models import RoleAssignment

from .choices import EDITABLE_TASK_STATES, CampaignStatus, TaskState
from .models import Campaign, CampaignTask

REMIND_AT = dt.time(8, 30)


def announce(event: str, **ids: int) -> None:
    if event == "campaign_opened":
        campaign = Campaign.objects.get(pk=ids["campaign_id"])
        schedule_campaign(campaign, now=timezone.now(), opened=True)
    elif event == "task_returned":
        task = CampaignTask.objects.select_related("campaign", "unit").get(pk=ids["task_id"])
        _returned(task)


def campaign_due_points(now: dt.datetime) -> int:
    """Keep every open campaign's due points in step (a moved deadline, a submitted task)."""
    scheduled = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN):
        scheduled += schedule_campaign(campaign, now=now)
    for campaign_id in Campaign.objects.filter(status=CampaignStatus.CLOSED).values_list(
        "pk", flat=True
    ):
        reminders_cancel(key_prefix=f"campaign:{campaign_id}:")
    return scheduled


def schedule_campaign(campaign: Campaign, *, now: dt.datetime, opened: bool = False) -> int:
    tasks = list(CampaignTask.objects.filter(campaign=campaign).select_related("unit"))
    admins = _unit_admins([t.unit_id for t in tasks])
    link_of = {t.pk: reverse("campaigns:task_detail", args=[t.pk]) for t in tasks}
    deadline = campaign.deadline
    points = (
        ("due-7d", deadline - dt.timedelta(days=7), _("距截止还有 7 天")),
        ("due-1d", deadline - dt.timedelta(days=1), _("明天截止")),
        ("overdue", deadline + dt.timedelta(days=1), _("已逾期")),
    )
    created = 0
    for task in tasks:
        prefix = f"campaign:{campaign.pk}:task:{task.pk}:"
        if task.state not in EDITABLE_TASK_STATES:
            reminders_cancel(key_prefix=prefix + "due-")
            reminders_cancel(key_prefix=prefix + "overdue")
            continue
        recipients = admins.get(task.unit_id, [])
        if opened:
            _r, new = reminder_schedule(
                key=prefix + "opened",
                unit=task.unit_id,
                kind="campaign-opened",
                text=_("宣传部已下发“%(title)s”，请于 %(deadline)s 前完成本单位填报")
                % {"title": campaign.title, "deadline": deadline.isoformat()},
                link=link_of[task.pk],
                due_at=now,
                recipients=recipients,
            )
            created += new
        for name, day, words in points:
            due_at = timezone.make_aware(dt.datetime.combine(day, REMIND_AT))
            if name != "overdue" and due_at < now - dt.timedelta(days=1):
                continue  # a campaign opened late does not send stale countdowns
            _r, new = reminder_schedule(
                key=prefix + name,
                unit=task.unit_id,
                kind=f"campaign-{name}",
                text=_("“%(title)s”%(words)s（截止 %(deadline)s），本单位尚未提交")
                % {"title": campaign.title, "words": words, "deadline": deadline.isoformat()},
                link=link_of[task.pk],
                due_at=due_at,
                recipients=recipients,
            )
            created += new
    return created


def _returned(task: CampaignTask) -> None:
    if task.state != TaskState.RETURNED:
        return
    reminder_schedule(
        key=f"campaign:{task.campaign_id}:task:{task.pk}:returned-{task.submission_count}",
        unit=task.unit_id,
        kind="campaign-returned",
        text=_("“%(title)s”的填报被退回：%(comment)s")
        % {"title": task.campaign.title, "comment": task.return_comment},
        link=reverse("campaigns:task_detail", args=[task.pk]),
        due_at=timezone.now(),
        recipients=_unit_admins([task.unit_id]).get(task.unit_id, []),
    )


def _unit_admins(unit_ids) -> dict[int, list[int]]:
    admins: dict[int, list[int]] = {}
    rows = RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, unit_id__in=list(unit_ids))
    for unit_id, user_id in rows.values_list("unit_id", "user_id"):
        admins.setdefault(unit_id, []).append(user_id)
    return admins
