"""Reads of the school's board of a round: every unit's task with its state, its counts
(confirmed / corrected / to close / added / still pending), the compliance findings still
open on its records, when it was submitted and whether it is late.

A task is late when the deadline has passed and it has never been submitted, or when its
first submission came after the deadline (a unit returned for corrections is not late for
that: the school judged its first submission, as `CampaignTask.is_late` says).

Three queries whatever the number of units: the tasks, their item counts, their open
findings. The board of 100 units is served well under the 300 ms target (bench/campaign.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from beian.compliance.choices import FindingState

from .choices import CampaignStatus, ItemAction, TaskState
from .models import Campaign, CampaignTask, TaskItem

#: States of a task that has not reached the school (it may still be chased).
UNSUBMITTED = (TaskState.NOT_STARTED, TaskState.IN_PROGRESS, TaskState.RETURNED)
#: States the school still has to decide.
DECIDABLE = (TaskState.SUBMITTED,)


@dataclass
class BoardRow:
    """One unit's line on the board."""

    task: CampaignTask
    counts: dict[str, int] = field(default_factory=dict)
    open_findings: int = 0
    late: bool = False

    # Flat values for sorting and the table.
    @property
    def pk(self) -> int:
        return self.task.pk

    @property
    def unit_name(self) -> str:
        return self.task.unit.name

    @property
    def state(self) -> str:
        return self.task.state

    @property
    def state_order(self) -> int:
        return TaskState.values.index(self.task.state)

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.task.submitted_at

    @property
    def confirmed(self) -> int:
        return self.counts.get(ItemAction.CONFIRMED, 0)

    @property
    def corrected(self) -> int:
        return self.counts.get(ItemAction.CORRECTED, 0)

    @property
    def closing(self) -> int:
        return self.counts.get(ItemAction.CLOSING, 0)

    @property
    def added(self) -> int:
        return self.counts.get(ItemAction.ADDED, 0)

    @property
    def pending(self) -> int:
        return self.counts.get(ItemAction.PENDING, 0)

    @property
    def total(self) -> int:
        return self.counts.get("total", 0)

    @property
    def slow(self) -> bool:
        """Worth a reminder: not yet (re)submitted while the round is open."""
        return self.task.state in UNSUBMITTED


def today() -> dt.date:
    return timezone.localdate()


def late_q(deadline: dt.date, on: dt.date | None = None) -> Q:
    """Tasks late on `on` (default today) for a round with this deadline."""
    on = on or today()
    never_submitted = Q(first_submitted_at__isnull=True) if on > deadline else Q(pk__in=[])
    return never_submitted | Q(first_submitted_at__date__gt=deadline)


def is_late(task: CampaignTask, deadline: dt.date, on: dt.date | None = None) -> bool:
    on = on or today()
    if task.first_submitted_at is not None:
        return timezone.localdate(task.first_submitted_at) > deadline
    return on > deadline


def board_tasks(campaign: Campaign, *, user) -> QuerySet[CampaignTask]:
    """The campaign's tasks the user may see, with their unit (the board's base queryset,
    which the board's filters narrow)."""
    return (
        CampaignTask.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit", "submitted_by", "confirmed_by", "returned_by")
        .order_by("unit__name", "pk")
    )


def item_counts(task_ids: list[int]) -> dict[int, dict[str, int]]:
    """{task id: {action: n, "total": n}} in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ItemAction.values, 0))
    rows = (
        TaskItem.objects.filter(task_id__in=task_ids)
        .values_list("task_id", "action")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for task_id, action, n in rows:
        counts[task_id][action] = n
    out = {}
    for task_id in task_ids:
        entry = dict(counts[task_id])
        entry["total"] = sum(entry.values())
        out[task_id] = entry
    return out


def open_findings(task_ids: list[int]) -> dict[int, int]:
    """{task id: open compliance findings on the task's records} in one query (a finding
    of an account and one of a group both count)."""
    if not task_ids:
        return {}
    # Through the items: a record may be in tasks of several rounds; a record with two
    # open findings counts two.
    rows = (
        TaskItem.objects.filter(task_id__in=task_ids)
        .filter(
            Q(account__findings__state=FindingState.OPEN)
            | Q(group__findings__state=FindingState.OPEN)
        )
        .values_list("task_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def board_rows(tasks, *, deadline: dt.date, on: dt.date | None = None) -> list[BoardRow]:
    """The board's lines for these tasks (a list or a filtered queryset)."""
    tasks = list(tasks)
    ids = [t.pk for t in tasks]
    counts = item_counts(ids)
    findings = open_findings(ids)
    return [
        BoardRow(
            task=t,
            counts=counts[t.pk],
            open_findings=findings.get(t.pk, 0),
            late=is_late(t, deadline, on),
        )
        for t in tasks
    ]


def board_summary(rows: list[BoardRow]) -> dict[str, int]:
    """Totals above the board: how many units in each state, late, with open findings."""
    summary = dict.fromkeys(TaskState.values, 0)
    for row in rows:
        summary[row.state] += 1
    summary["late"] = sum(1 for row in rows if row.late)
    summary["findings"] = sum(1 for row in rows if row.open_findings)
    summary["units"] = len(rows)
    return summary


def slow_tasks(campaign: Campaign, *, user) -> QuerySet[CampaignTask]:
    """Tasks worth a reminder: the round is open and the unit has not (re)submitted."""
    if campaign.status != CampaignStatus.OPEN:
        return CampaignTask.objects.none()
    return board_tasks(campaign, user=user).filter(state__in=UNSUBMITTED)
