"""The consolidated school summary of a round: one sheet per layout the campaign asked the
units for (the same layouts and rows as the units' own sheets, `sheets.py`), over the
records of every unit whose submission the school confirmed — so a record a unit corrected
during the round appears as corrected, and one it closed appears as closed ("已注销").

`include_submitted` adds the submissions still waiting for the school's decision (a draft
of the summary before every unit is confirmed). Rows are streamed from the database to the
writer: 3,000 accounts and 30,000 groups are written well within the 3 s target
(bench/campaign.py).
"""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from beian.registry.models import ChatGroup, MediaAccount

from . import sheets as sheet_layouts
from .choices import SheetCode, TaskState
from .models import Campaign, TaskItem


def summary_states(include_submitted: bool = False) -> tuple[str, ...]:
    if include_submitted:
        return (TaskState.CONFIRMED, TaskState.SUBMITTED)
    return (TaskState.CONFIRMED,)


def consolidated_records(
    campaign: Campaign, *, include_submitted: bool = False
) -> tuple[QuerySet[MediaAccount], QuerySet[ChatGroup]]:
    """(accounts, groups) of the units' tasks in the summary's states."""
    items = TaskItem.objects.filter(
        task__campaign=campaign, task__state__in=summary_states(include_submitted)
    )
    accounts = MediaAccount.objects.filter(
        pk__in=items.filter(account__isnull=False).values("account_id")
    )
    groups = ChatGroup.objects.filter(pk__in=items.filter(group__isnull=False).values("group_id"))
    return accounts, groups


def consolidated_units(campaign: Campaign, *, include_submitted: bool = False) -> int:
    return campaign.tasks.filter(state__in=summary_states(include_submitted)).count()


def consolidated_sheet(
    campaign: Campaign, code: str, *, user, include_submitted: bool = False
) -> tuple[bytes, int, str]:
    """(xlsx bytes, rows, sha256) of the school's summary in one of the campaign's layouts."""
    if code not in campaign.sheets:
        raise KeyError(code)
    accounts, groups = consolidated_records(campaign, include_submitted=include_submitted)
    return sheet_layouts.render_sheet(
        code,
        accounts=accounts,
        groups=groups,
        user=user,
        unit_name=campaign.owner_unit.name,
        on=timezone.localdate(),
    )


def file_name(campaign: Campaign, code: str) -> str:
    return f"{campaign.title}-{sheet_layouts.SPECS[code].layout.title}（全校汇总）.xlsx"


def layouts(campaign: Campaign) -> list[tuple[str, str]]:
    """[(code, label)] of the layouts the campaign asked for."""
    return [(code, str(SheetCode(code).label)) for code in campaign.sheets]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
