"""Reads of campaigns and tasks, scoped by `visible_to`. The pages, and the board, the 通报
and the exports built on this app, start here.

- `campaign_list(user)`, `task_list(user)`: what a user may see.
- `task_counts(tasks)`: {task id: {action: n}} in one query (the board's counts).
- `campaign_progress(campaign)`: every task of a campaign with its counts and late flag.
- `task_items(task, user, action=None)`: the task's items with their records, and whether
  the user may act on each.
- `task_permissions(user, task)`: what the task page offers.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet

from .choices import EDITABLE_TASK_STATES, CampaignStatus, ItemAction, TaskState
from .models import Campaign, CampaignTask, TaskItem


def campaign_list(*, user) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user).select_related("owner_unit", "created_by")


def task_list(*, user) -> QuerySet[CampaignTask]:
    return (
        CampaignTask.objects.visible_to(user)
        .exclude(campaign__status=CampaignStatus.DRAFT)
        .select_related("campaign", "unit")
        .order_by("-campaign__deadline", "unit__name", "pk")
    )


def task_counts(tasks) -> dict[int, dict[str, int]]:
    """{task id: {action: count, "total": n}} for the given tasks, in one query."""
    ids = [t.pk if hasattr(t, "pk") else t for t in tasks]
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ItemAction.values, 0))
    rows = (
        TaskItem.objects.filter(task_id__in=ids)
        .values_list("task_id", "action")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for task_id, action, n in rows:
        counts[task_id][action] = n
    out = {}
    for task_id in ids:
        entry = dict(counts[task_id])
        entry["total"] = sum(entry.values())
        entry["handled"] = entry["total"] - entry[ItemAction.PENDING]
        out[task_id] = entry
    return out


def campaign_progress(campaign: Campaign, *, user) -> list[dict[str, Any]]:
    """Every task of the campaign the user may see, with counts and the late flag."""
    tasks = list(
        CampaignTask.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit", "campaign")
        .order_by("unit__name", "pk")
    )
    counts = task_counts(tasks)
    return [{"task": t, "counts": counts[t.pk], "late": t.is_late} for t in tasks]


def state_summary(campaign: Campaign) -> dict[str, int]:
    rows = (
        CampaignTask.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    summary = dict.fromkeys(TaskState.values, 0)
    summary.update(dict(rows))
    return summary


def task_items(task: CampaignTask, *, user, action: str | None = None) -> QuerySet[TaskItem]:
    items = task.items.select_related(
        "account__platform", "account__owner_unit", "group__platform", "group__owner_unit"
    ).order_by("account__name", "group__name", "pk")
    if action:
        items = items.filter(action=action)
    return items


def actable_item_ids(task: CampaignTask, *, user) -> set[int]:
    return set(TaskItem.objects.actable_by(user).filter(task=task).values_list("pk", flat=True))


def task_permissions(user, task: CampaignTask) -> dict[str, bool]:
    editable = task.campaign.status == CampaignStatus.OPEN and task.state in EDITABLE_TASK_STATES
    answers = editable and CampaignTask.objects.answerable_by(user).filter(pk=task.pk).exists()
    school = user.is_school_admin
    return {
        "editable": editable,
        "can_answer": answers,
        "can_submit": answers,
        "can_decide": school and task.state == TaskState.SUBMITTED,
        "can_download_scan": bool(task.scan),
    }
