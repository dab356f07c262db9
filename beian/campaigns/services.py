"""Every write of campaigns, unit tasks and task items. Each service runs in one
transaction, keeps history (simple-history on campaigns and tasks, `TaskEvent` rows for
items), writes its audit row in the same transaction and announces what others must hear
(reminders after the commit). Registry records are written only through the registry's
and the filings' services.

The round, in services:

    campaign = campaign_create(actor=admin, owner_unit=school, data={...}, checklist=[...])
    campaign_open(actor=admin, campaign=campaign)          # one task per unit, in bulk
    task_item_confirm / task_confirm_all_unchanged / task_item_correct /
    task_item_mark_closing / task_item_add / task_zero_report / task_checklist_answer /
    task_scan_upload                                       # the unit answers
    task_submit(actor=unit_admin, task=task)               # all or nothing
    task_return(actor=admin, task=task, comment=...)  →  task_resubmit(...)
    task_confirm(actor=admin, task=task)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from beian.core.audit import audit, changed_fields
from beian.core.choices import AuditEventType
from beian.core.context import current_request
from beian.core.policy import get_policy
from beian.filings.uploads import check_upload
from beian.orgs.choices import UnitKind
from beian.orgs.models import Unit
from beian.registry.choices import AccountStatus, GroupStatus
from beian.registry.models import ChatGroup, MediaAccount, Platform

from . import sheets as sheet_layouts
from .choices import (
    EDITABLE_TASK_STATES,
    SHEET_KINDS,
    CampaignKind,
    CampaignScope,
    CampaignStatus,
    ItemAction,
    SheetCode,
    TaskEventAction,
    TaskState,
)
from .models import (
    Campaign,
    CampaignAttachment,
    CampaignTask,
    ChecklistItem,
    TaskEvent,
    TaskItem,
    TaskSheet,
)

#: Fields of a campaign a form may set (`campaign_create`, `campaign_update`).
CAMPAIGN_FIELDS = (
    "kind",
    "title",
    "notice",
    "scope",
    "opens_on",
    "deadline",
    "sheets",
    "group_min_members",
)
#: Fields that may still change once a campaign is open.
OPEN_CAMPAIGN_FIELDS = ("title", "notice", "deadline")
_AUDITED = (*CAMPAIGN_FIELDS, "status")
ITEM_BATCH = 2_000
HOOK_CHUNK = 5_000


# --- campaigns -----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor,
    owner_unit: Unit,
    data: Mapping[str, Any],
    units: Iterable[Unit] | None = None,
    platforms: Iterable[Platform] = (),
    checklist: Iterable[str | tuple[str, bool]] = (),
    copied_from: Campaign | None = None,
) -> Campaign:
    """A draft campaign run by `owner_unit` (the school's root unit). `units`: the units
    that each get a task (with their subtrees); None means every 二级单位 (the owner's
    direct children). `checklist`: the yes/no items, as texts or (text, required)."""
    _check_admin(actor)
    data = _clean_data(data, CAMPAIGN_FIELDS)
    campaign = Campaign(owner_unit=owner_unit, created_by=actor, copied_from=copied_from)
    for key, value in data.items():
        setattr(campaign, key, value)
    _validate(campaign)
    campaign.save()
    _set_units(campaign, units)
    campaign.platforms.set(list(platforms))
    _write_checklist(campaign, checklist)
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        obj=campaign,
        detail={"campaign": _audited_state(campaign), "units": campaign.units.count()},
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    data: Mapping[str, Any],
    units: Iterable[Unit] | None = None,
    platforms: Iterable[Platform] | None = None,
    checklist: Iterable[str | tuple[str, bool]] | None = None,
) -> Campaign:
    """Change a draft campaign (anything) or an open one (title, notice, deadline)."""
    _check_admin(actor)
    campaign = _lock_campaign(campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("已结束的填报任务不能修改"))
    data = _clean_data(data, CAMPAIGN_FIELDS)
    if not campaign.is_draft:
        frozen = sorted(set(data) - set(OPEN_CAMPAIGN_FIELDS))
        changed = [k for k in frozen if data[k] != getattr(campaign, k)]
        if changed or units is not None or platforms is not None or checklist is not None:
            raise ValidationError(_("任务已下发，只能修改标题、通知正文和截止日期"))
    before = _audited_state(campaign)
    for key, value in data.items():
        setattr(campaign, key, value)
    _validate(campaign)
    campaign.save()
    if campaign.is_draft:
        if units is not None:
            _set_units(campaign, units)
        if platforms is not None:
            campaign.platforms.set(list(platforms))
        if checklist is not None:
            campaign.checklist.all().delete()
            _write_checklist(campaign, checklist)
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=campaign,
        detail={"changes": changed_fields(before, _audited_state(campaign))},
    )
    return campaign


@transaction.atomic
def campaign_attach(*, actor, campaign: Campaign, upload) -> CampaignAttachment:
    """Publish a file with the notice: PDF, JPEG, PNG, or a Word / Excel form to fill in,
    by content, within the size limit."""
    _check_admin(actor)
    campaign = _lock_campaign(campaign)
    checked = _checked(upload, "attachment", documents=True)
    attachment = CampaignAttachment(
        campaign=campaign,
        original_name=(upload.name or "")[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(f"notice.{checked.extension}", upload, save=False)
    attachment.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=campaign,
        detail={"attachment": attachment.original_name, "sha256": checked.sha256},
    )
    return attachment


@transaction.atomic
def campaign_copy(
    *,
    actor,
    source: Campaign,
    title: str | None = None,
    opens_on: dt.date | None = None,
    deadline: dt.date | None = None,
) -> Campaign:
    """A new draft from last year's campaign: the notice, scope, platforms, units, sheets
    and checklist; new title and dates (by default the same days one year later)."""
    _check_admin(actor)
    deadline = deadline or _next_year(source.deadline)
    if opens_on is None and source.opens_on:
        opens_on = _next_year(source.opens_on)
    data = {
        "kind": source.kind,
        "title": title or _("%(title)s（复制）") % {"title": source.title},
        "notice": source.notice,
        "scope": source.scope,
        "opens_on": opens_on,
        "deadline": deadline,
        "sheets": list(source.sheets),
        "group_min_members": source.group_min_members,
    }
    units = list(source.units.all())
    return campaign_create(
        actor=actor,
        owner_unit=source.owner_unit,
        data=data,
        units=units or None,
        platforms=list(source.platforms.all()),
        checklist=[(item.text, item.required) for item in source.checklist.all()],
        copied_from=source,
    )


@transaction.atomic
def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Open a draft: every unit in scope gets a task listing its records in scope (the
    accounts and/or groups owned by the unit or any unit below it; groups from the
    member threshold up; closed and dissolved records left out), all in bulk."""
    _check_admin(actor)
    campaign = _lock_campaign(campaign)
    if not campaign.is_draft:
        raise ValidationError(_("只有草稿状态的填报任务可以下发"))
    today = timezone.localdate()
    if campaign.deadline < today:
        raise ValidationError({"deadline": _("截止日期已过，请先修改截止日期")})
    roots = scope_units(campaign)
    if not roots:
        raise ValidationError({"units": _("没有参加单位：请选择参加单位，或先建立二级单位")})
    now = timezone.now()
    subtree_root = _subtree_roots([u.pk for u in roots])

    tasks = [
        CampaignTask(campaign=campaign, unit=unit, created_at=now, updated_at=now) for unit in roots
    ]
    tasks = bulk_create_with_history(
        tasks, CampaignTask, default_user=actor, default_change_reason=_("下发任务")
    )
    task_by_root = {t.unit_id: t.pk for t in CampaignTask.objects.filter(campaign=campaign)}
    rows: list[tuple[int, int | None, int | None]] = []
    accounts, groups = records_in_scope(campaign, list(subtree_root))
    for pk, unit_id in (
        accounts.order_by().values_list("pk", "owner_unit_id").iterator(chunk_size=ITEM_BATCH)
    ):
        rows.append((task_by_root[subtree_root[unit_id]], pk, None))
    for pk, unit_id in (
        groups.order_by().values_list("pk", "owner_unit_id").iterator(chunk_size=ITEM_BATCH)
    ):
        rows.append((task_by_root[subtree_root[unit_id]], None, pk))
    _insert_items(rows)
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(task_id=task_id, at=now, actor=actor, action=TaskEventAction.OPENED)
            for task_id in task_by_root.values()
        ],
        batch_size=ITEM_BATCH,
    )
    campaign.status, campaign.opened_at, campaign.opened_by = CampaignStatus.OPEN, now, actor
    campaign.save(update_fields=["status", "opened_at", "opened_by", "updated_at"])
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=campaign,
        detail={"action": "open", "tasks": len(task_by_root), "items": len(rows)},
    )
    _after_commit("campaign_opened", campaign_id=campaign.pk)
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """End an open campaign: units can no longer change their tasks; the board and the
    通报 keep everything as it stands."""
    _check_admin(actor)
    campaign = _lock_campaign(campaign)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("只有进行中的填报任务可以结束"))
    campaign.status, campaign.closed_at, campaign.closed_by = (
        CampaignStatus.CLOSED,
        timezone.now(),
        actor,
    )
    campaign.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    audit(event=AuditEventType.UPDATE, actor=actor, obj=campaign, detail={"action": "close"})
    return campaign


# --- task items ----------------------------------------------------------------------------


@transaction.atomic
def task_item_confirm(*, actor, item: TaskItem, note: str = "") -> TaskItem:
    """The unit confirms a record as still true (确认无误)."""
    item, task = _lock_item(actor, item)
    if _record_ended(item):
        raise ValidationError(_("“%(name)s”已注销或解散，无需确认") % {"name": item.record})
    return _act(actor, task, item, ItemAction.CONFIRMED, TaskEventAction.ITEM_CONFIRMED, note)


@transaction.atomic
def task_confirm_all_unchanged(*, actor, task: CampaignTask) -> int:
    """Confirm in one step every record of the task still waiting that the actor may act
    on (全部确认无变化). Returns how many were confirmed."""
    task = _lock_task(task)
    _check_editable(task)
    now = timezone.now()
    pending = TaskItem.objects.actable_by(actor).filter(task=task, action=ItemAction.PENDING)
    ended = Q(account__status=AccountStatus.CLOSED) | Q(group__status=GroupStatus.DISSOLVED)
    ids = list(pending.exclude(ended).values_list("pk", flat=True))
    if not ids:
        if not TaskItem.objects.actable_by(actor).filter(task=task).exists():
            raise PermissionDenied(_("您不能处理该单位的记录"))
        return 0
    TaskItem.objects.filter(pk__in=ids).update(
        action=ItemAction.CONFIRMED, acted_at=now, acted_by=actor
    )
    _start(task, actor, now)
    _event(task, actor, TaskEventAction.ALL_CONFIRMED, detail={"count": len(ids)}, at=now)
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=task,
        detail={"action": "confirm_all_unchanged", "count": len(ids)},
    )
    return len(ids)


@transaction.atomic
def task_item_correct(*, actor, item: TaskItem, note: str = "") -> TaskItem:
    """Mark a record as corrected (已修改) once the registry form has saved the change
    through the registry's services. Refused when the record has not changed since the
    campaign opened, so "corrected" always means a change that history shows."""
    item, task = _lock_item(actor, item)
    if not _changed_since(item.record, task.campaign.opened_at):
        raise ValidationError(
            _("“%(name)s”在本次填报中没有修改记录：请先点“修改”保存更正，或选择“确认无误”")
            % {"name": item.record}
        )
    return _act(actor, task, item, ItemAction.CORRECTED, TaskEventAction.ITEM_CORRECTED, note)


@transaction.atomic
def task_item_mark_closing(
    *, actor, item: TaskItem, reason: str, on: dt.date | None = None, proof=None
) -> TaskItem:
    """Close an account (注销) or dissolve a group (解散) found during the round, with the
    proof of closure (a screenshot or the platform's notice: PDF, JPEG or PNG).

    Where the policy routes the account's closing through approval a closing request is
    opened (filings) with the proof attached; otherwise the registry closes it now."""
    from beian.filings.choices import AttachmentKind
    from beian.filings.services import closing_request_create, filing_attach
    from beian.registry.services import (
        account_close,
        account_close_needs_approval,
        group_dissolve,
    )

    item, task = _lock_item(actor, item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写注销/解散原因")})
    if proof is None:
        raise ValidationError({"proof": _("请上传注销/解散证明（截图或平台通知）")})
    checked = _checked(proof, "proof")
    on = on or timezone.localdate()
    if _record_ended(item):
        raise ValidationError(_("“%(name)s”已注销或解散") % {"name": item.record})
    filing = None
    if item.account_id:
        if account_close_needs_approval(item.account):
            filing = closing_request_create(
                actor=actor, account=item.account, reason=reason, closing_on=on
            )
            proof.seek(0)
            filing_attach(filing=filing, actor=actor, upload=proof, kind=AttachmentKind.OTHER)
        else:
            account_close(actor=actor, account=item.account, on=on, reason=reason)
    else:
        group_dissolve(actor=actor, group=item.group, on=on, reason=reason)
    proof.seek(0)
    item.proof.save(f"proof.{checked.extension}", proof, save=False)
    item.proof_sha256 = checked.sha256
    item.closing_filing = filing
    detail = {"reason": reason, "on": on.isoformat(), "filing": filing.pk if filing else None}
    return _act(
        actor,
        task,
        item,
        ItemAction.CLOSING,
        TaskEventAction.ITEM_CLOSING,
        reason,
        detail=detail,
        extra_fields=("proof", "proof_sha256", "closing_filing"),
    )


@transaction.atomic
def task_item_add(
    *,
    actor,
    task: CampaignTask,
    account: MediaAccount | None = None,
    group: ChatGroup | None = None,
    note: str = "",
) -> TaskItem:
    """Add a record found missing during the round (新增): it was registered through the
    registry's form or an import and now joins the unit's task as "added"."""
    if (account is None) == (group is None):
        raise ValueError("name exactly one of account and group")
    task = _lock_task(task)
    _check_editable(task)
    record = account or group
    model = MediaAccount if account is not None else ChatGroup
    if not model.objects.editable_by(actor).filter(pk=record.pk).exists():
        raise PermissionDenied(_("您不能处理该记录"))
    roots = _subtree_roots([task.unit_id])
    accounts, groups = records_in_scope(task.campaign, list(roots))
    scoped = accounts if account is not None else groups
    if not scoped.filter(pk=record.pk).exists():
        raise ValidationError(
            _("“%(name)s”不在“%(unit)s”本次填报的范围内（单位、平台、状态或群人数不符）")
            % {"name": record, "unit": task.unit}
        )
    lookup = {"account": account} if account is not None else {"group": group}
    if TaskItem.objects.filter(task=task, **lookup).exists():
        raise ValidationError(_("“%(name)s”已在本单位的填报中") % {"name": record})
    item = TaskItem.objects.create(task=task, **lookup)
    return _act(actor, task, item, ItemAction.ADDED, TaskEventAction.ITEM_ADDED, note)


# --- the task as a whole -------------------------------------------------------------------


@transaction.atomic
def task_zero_report(*, actor, task: CampaignTask, zero: bool = True) -> CampaignTask:
    """Declare (or withdraw) a zero report (零报告): the unit has nothing in scope."""
    task = _lock_answerable(actor, task)
    if zero and task.items.exclude(action=ItemAction.CLOSING).exists():
        raise ValidationError(_("本单位的填报中还有记录，不能提交零报告：请逐条处理这些记录"))
    now = timezone.now()
    task.zero_report = zero
    _start(task, actor, now)
    task.save()
    _event(task, actor, TaskEventAction.ZERO_REPORT, detail={"zero_report": zero}, at=now)
    audit(event=AuditEventType.UPDATE, actor=actor, obj=task, detail={"zero_report": zero})
    return task


@transaction.atomic
def task_checklist_answer(
    *,
    actor,
    task: CampaignTask,
    answers: Mapping[int, bool | None],
    notes: Mapping[int, str] | None = None,
) -> CampaignTask:
    """Answer the campaign's checklist: {item id: True (是) / False (否) / None (unanswered)}
    and optional notes per item."""
    task = _lock_answerable(actor, task)
    notes = notes or {}
    known = {item.pk: item for item in task.campaign.checklist.all()}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise ValidationError(_("检查项不存在：%(ids)s") % {"ids": unknown})
    stored = dict(task.checklist_answers)
    for pk, answer in answers.items():
        if answer is None:
            stored.pop(str(pk), None)
            continue
        stored[str(pk)] = {"answer": bool(answer), "note": (notes.get(pk) or "").strip()[:500]}
    now = timezone.now()
    task.checklist_answers = stored
    _start(task, actor, now)
    task.save()
    _event(task, actor, TaskEventAction.CHECKLIST, detail={"answers": stored}, at=now)
    audit(event=AuditEventType.UPDATE, actor=actor, obj=task, detail={"checklist": stored})
    return task


@transaction.atomic
def task_scan_upload(*, actor, task: CampaignTask, upload) -> CampaignTask:
    """Upload the signed and stamped summary (签字盖章扫描件): PDF, JPEG or PNG by content."""
    task = _lock_answerable(actor, task)
    checked = _checked(upload, "scan")
    now = timezone.now()
    task.scan.save(f"scan.{checked.extension}", upload, save=False)
    task.scan_name = (upload.name or "")[:255]
    task.scan_sha256 = checked.sha256
    task.scan_uploaded_at, task.scan_uploaded_by = now, actor
    _start(task, actor, now)
    task.save()
    _event(task, actor, TaskEventAction.SCAN, detail={"sha256": checked.sha256}, at=now)
    audit(event=AuditEventType.UPDATE, actor=actor, obj=task, detail={"scan": checked.sha256})
    return task


@transaction.atomic
def task_submit(*, actor, task: CampaignTask) -> CampaignTask:
    """Submit the unit's answer. All or nothing: every record handled (or a zero report),
    every required checklist item answered and the stamped scan uploaded; then the
    campaign's summary sheets are generated from the unit's records and kept with a
    snapshot of those records. Any gap refuses the whole submission, naming each gap."""
    return _submit(actor, task, resubmit=False)


@transaction.atomic
def task_resubmit(*, actor, task: CampaignTask) -> CampaignTask:
    """Submit again after the school returned the task (same checks as `task_submit`)."""
    return _submit(actor, task, resubmit=True)


@transaction.atomic
def task_return(*, actor, task: CampaignTask, comment: str) -> CampaignTask:
    """The school returns a submission with its comment (退回); the unit corrects and
    resubmits."""
    _check_admin(actor)
    task = _lock_task(task)
    if task.state != TaskState.SUBMITTED:
        raise ValidationError(_("只有已提交的填报可以退回"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回意见，说明需要补正的内容")})
    now = timezone.now()
    task.state, task.returned_at, task.returned_by = TaskState.RETURNED, now, actor
    task.return_comment = comment
    task.save()
    _event(task, actor, TaskEventAction.RETURNED, comment=comment, at=now)
    audit(event=AuditEventType.APPROVE, actor=actor, obj=task, detail={"returned": comment})
    _after_commit("task_returned", task_id=task.pk)
    return task


@transaction.atomic
def task_confirm(*, actor, task: CampaignTask, comment: str = "") -> CampaignTask:
    """The school accepts a submission (已确认)."""
    _check_admin(actor)
    task = _lock_task(task)
    if task.state != TaskState.SUBMITTED:
        raise ValidationError(_("只有已提交的填报可以确认"))
    now = timezone.now()
    task.state, task.confirmed_at, task.confirmed_by = TaskState.CONFIRMED, now, actor
    task.save()
    _event(task, actor, TaskEventAction.CONFIRMED, comment=(comment or "").strip(), at=now)
    audit(event=AuditEventType.APPROVE, actor=actor, obj=task, detail={"confirmed": True})
    return task


# --- selectors the services share ----------------------------------------------------------


def scope_units(campaign: Campaign) -> list[Unit]:
    """The units that get a task: the chosen ones, or every active direct child of the
    owner unit (the 二级单位)."""
    chosen = list(campaign.units.all())
    if chosen:
        return chosen
    return list(
        Unit.objects.filter(parent_id=campaign.owner_unit_id, is_active=True)
        .exclude(kind=UnitKind.SCHOOL)
        .order_by("name", "pk")
    )


def group_threshold(campaign: Campaign) -> int:
    """Groups are counted from this many members up (the campaign's, else the policy's)."""
    if campaign.group_min_members:
        return campaign.group_min_members
    return get_policy().groups.register_min_members


def records_in_scope(campaign: Campaign, unit_ids: Iterable[int]):
    """(accounts, groups) querysets of the records a campaign covers in these units (ids
    of whole subtrees): not closed, on the chosen platforms, groups from the threshold."""
    unit_ids = sorted(set(unit_ids))
    platform_ids = list(campaign.platforms.values_list("pk", flat=True))
    accounts, groups = MediaAccount.objects.none(), ChatGroup.objects.none()
    if campaign.covers_accounts:
        accounts = MediaAccount.objects.filter(owner_unit_id__in=unit_ids).exclude(
            status=AccountStatus.CLOSED
        )
        if platform_ids:
            accounts = accounts.filter(platform_id__in=platform_ids)
    if campaign.covers_groups:
        groups = ChatGroup.objects.filter(
            owner_unit_id__in=unit_ids,
            status=GroupStatus.ACTIVE,
            member_count__gte=group_threshold(campaign),
        )
        if platform_ids:
            groups = groups.filter(platform_id__in=platform_ids)
    return accounts, groups


def task_records(task: CampaignTask):
    """(accounts, groups) querysets of the records the task lists (any action)."""
    items = TaskItem.objects.filter(task=task)
    accounts = MediaAccount.objects.filter(
        pk__in=items.filter(account__isnull=False).values("account_id")
    )
    groups = ChatGroup.objects.filter(pk__in=items.filter(group__isnull=False).values("group_id"))
    return accounts, groups


def submission_gaps(task: CampaignTask) -> list[str]:
    """What still stands between the task and its submission, one Chinese message each."""
    gaps: list[str] = []
    items = task.items.all()
    pending = list(
        items.filter(action=ItemAction.PENDING)
        .select_related("account__platform", "group")
        .order_by("pk")[:6]
    )
    if pending:
        count = items.filter(action=ItemAction.PENDING).count()
        names = "、".join(str(item.record) for item in pending[:5])
        more = _("等") if count > 5 else ""
        gaps.append(
            _("还有 %(count)d 条记录未处理：%(names)s%(more)s")
            % {"count": count, "names": names, "more": more}
        )
    if not items.exists() and not task.zero_report:
        gaps.append(_("本单位在范围内没有账号或群聊：请勾选“零报告”后提交"))
    answers = task.checklist_answers or {}
    missing = [
        item.text
        for item in task.campaign.checklist.all()
        if item.required and str(item.pk) not in answers
    ]
    if missing:
        gaps.append(_("以下检查项尚未回答：%(items)s") % {"items": "；".join(missing)})
    if not task.scan:
        gaps.append(_("请上传负责人签字并加盖公章的汇总表扫描件"))
    return gaps


def generate_sheets(task: CampaignTask, *, user, on: dt.date | None = None):
    """[(code, file name, bytes, rows, sha256)] of the campaign's sheets for this task."""
    accounts, groups = task_records(task)
    out = []
    for code in task.campaign.sheets:
        data, rows, digest = sheet_layouts.render_sheet(
            code, accounts=accounts, groups=groups, user=user, unit_name=task.unit.name, on=on
        )
        out.append((code, sheet_layouts.file_name(code, task.unit.name), data, rows, digest))
    return out


def records_snapshot(task: CampaignTask) -> dict[str, Any]:
    """The task's records as they stand: what the round-to-round diff compares."""
    items = TaskItem.objects.filter(task=task)
    actions = {("a", a): act for a, act in items.values_list("account_id", "action") if a}
    actions |= {("g", g): act for g, act in items.values_list("group_id", "action") if g}
    accounts, groups = task_records(task)
    snapshot: dict[str, Any] = {
        "accounts": {},
        "groups": {},
        "taken_at": timezone.now().isoformat(),
    }
    for pk, name, platform, external_id, unit_id, status, tier in accounts.values_list(
        "pk", "name", "platform__name", "external_id", "owner_unit_id", "status", "tier"
    ):
        snapshot["accounts"][str(pk)] = {
            "name": name,
            "platform": platform,
            "external_id": external_id,
            "unit": unit_id,
            "status": status,
            "tier": tier,
            "action": actions.get(("a", pk), ""),
        }
    for pk, name, platform, number, unit_id, status, members in groups.values_list(
        "pk", "name", "platform__name", "group_number", "owner_unit_id", "status", "member_count"
    ):
        snapshot["groups"][str(pk)] = {
            "name": name,
            "platform": platform,
            "group_number": number,
            "unit": unit_id,
            "status": status,
            "members": members,
            "action": actions.get(("g", pk), ""),
        }
    return snapshot


# --- hooks from the registry ---------------------------------------------------------------


def records_changed_listener(*, accounts=(), groups=(), people=(), units=()) -> None:
    """Registry writes (forms, imports) reach the open tasks: a changed record still
    waiting in a task becomes "corrected" when a person changed it (a request is being
    served; feed polling and other background writes do not count); a record new to a
    unit's scope joins its task as "added". Runs inside the registry's transaction."""
    if not (accounts or groups):
        return
    open_tasks = list(
        CampaignTask.objects.filter(
            campaign__status=CampaignStatus.OPEN, state__in=sorted(EDITABLE_TASK_STATES)
        ).select_related("campaign")
    )
    if not open_tasks:
        return
    request = current_request()
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    accounts, groups = list(accounts), list(groups)
    # An import announces up to 100,000 ids: keep each IN list within SQLite's limits.
    for start in range(0, max(len(accounts), len(groups)), HOOK_CHUNK):
        some_accounts = accounts[start : start + HOOK_CHUNK]
        some_groups = groups[start : start + HOOK_CHUNK]
        _mark_corrected(open_tasks, some_accounts, some_groups, actor, now)
        _join_added(open_tasks, some_accounts, some_groups, actor, now)


def _mark_corrected(open_tasks, account_ids, group_ids, actor, now) -> None:
    """Items still waiting whose record a person changed during the round: 已修改. (The ids
    are of registry records; the rows written here are the round's own TaskItems.)"""
    if actor is None:
        return
    task_ids = [t.pk for t in open_tasks]
    waiting = TaskItem.objects.filter(task_id__in=task_ids, action=ItemAction.PENDING).filter(
        Q(account_id__in=list(account_ids)) | Q(group_id__in=list(group_ids))
    )
    touched = list(waiting.values_list("pk", "task_id"))
    if not touched:
        return
    TaskItem.objects.filter(pk__in=[pk for pk, _t in touched]).update(
        action=ItemAction.CORRECTED, acted_at=now, acted_by=actor
    )
    tasks = {t.pk: t for t in open_tasks}
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(
                task_id=task_id,
                item_id=pk,
                at=now,
                actor=actor,
                action=TaskEventAction.ITEM_CORRECTED,
            )
            for pk, task_id in touched
        ]
    )
    for task_id in {task_id for _pk, task_id in touched}:
        _start(tasks[task_id], actor, now, save=True)


def _join_added(open_tasks, accounts, groups, actor, now) -> None:
    by_campaign: dict[int, list[CampaignTask]] = {}
    for task in open_tasks:
        by_campaign.setdefault(task.campaign_id, []).append(task)
    new_items: list[TaskItem] = []
    for tasks in by_campaign.values():
        campaign = tasks[0].campaign
        roots = _subtree_roots([t.unit_id for t in tasks])
        task_of_root = {t.unit_id: t for t in tasks}
        scoped_accounts, scoped_groups = records_in_scope(campaign, list(roots))
        for field, scoped, ids in (
            ("account_id", scoped_accounts, accounts),
            ("group_id", scoped_groups, groups),
        ):
            ids = list(ids)
            if not ids:
                continue
            found = scoped.filter(pk__in=ids).values_list("pk", "owner_unit_id")
            already = set(
                TaskItem.objects.filter(
                    task__campaign=campaign, **{f"{field}__in": ids}
                ).values_list(field, flat=True)
            )
            for pk, unit_id in found:
                if pk in already:
                    continue
                task = task_of_root[roots[unit_id]]
                new_items.append(
                    TaskItem(
                        task=task,
                        action=ItemAction.ADDED,
                        acted_at=now,
                        acted_by=actor,
                        **{field: pk},
                    )
                )
    if not new_items:
        return
    TaskItem.objects.bulk_create(new_items, batch_size=ITEM_BATCH)
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(
                task=item.task,
                at=now,
                actor=actor,
                action=TaskEventAction.ITEM_ADDED,
                detail={"account": item.account_id, "group": item.group_id},
            )
            for item in new_items
        ],
        batch_size=ITEM_BATCH,
    )
    for task in {item.task_id: item.task for item in new_items}.values():
        _start(task, actor, now, save=True)


# --- helpers -------------------------------------------------------------------------------


def _submit(actor, task: CampaignTask, *, resubmit: bool) -> CampaignTask:
    task = _lock_answerable(actor, task)
    allowed = {TaskState.RETURNED} if resubmit else {TaskState.NOT_STARTED, TaskState.IN_PROGRESS}
    if task.state not in allowed:
        if resubmit:
            raise ValidationError(_("只有被退回的填报可以重新提交"))
        if task.state == TaskState.RETURNED:
            raise ValidationError(_("该填报已被退回，请修改后重新提交"))
        raise ValidationError(
            _("该填报当前状态为“%(state)s”，不能提交") % {"state": task.get_state_display()}
        )
    gaps = submission_gaps(task)
    if gaps:
        raise ValidationError(gaps)
    now = timezone.now()
    number = task.submission_count + 1
    for code, name, data, rows, digest in generate_sheets(task, user=actor):
        sheet = TaskSheet(
            task=task, code=code, submission=number, rows=rows, sha256=digest, generated_at=now
        )
        sheet.file.save(name, ContentFile(data), save=False)
        sheet.save()
    task.snapshot = records_snapshot(task)
    task.state, task.submitted_at, task.submitted_by = TaskState.SUBMITTED, now, actor
    task.first_submitted_at = task.first_submitted_at or now
    task.submission_count = number
    if task.started_at is None:
        task.started_at, task.started_by = now, actor
    task.save()
    action = TaskEventAction.RESUBMITTED if resubmit else TaskEventAction.SUBMITTED
    counts = dict(TaskItem.objects.filter(task=task).values_list("action").annotate(n=Count("pk")))
    _event(task, actor, action, detail={"submission": number, "counts": counts}, at=now)
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=task,
        detail={"action": str(action), "submission": number, "counts": counts},
    )
    return task


def _check_admin(actor) -> None:
    if not actor.is_authenticated or not actor.is_school_admin:
        raise PermissionDenied(_("只有宣传部（学校管理员）可以管理填报任务"))


def _clean_data(data: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"unknown campaign fields: {unknown}")
    data = dict(data)
    if "title" in data:
        data["title"] = (data["title"] or "").strip()
    if "sheets" in data:
        data["sheets"] = list(dict.fromkeys(data["sheets"] or []))
    return data


def _validate(campaign: Campaign) -> None:
    errors: dict[str, str] = {}
    if not campaign.title:
        errors["title"] = _("请填写标题")
    if campaign.kind not in CampaignKind.values:
        errors["kind"] = _("类型“%(value)s”无效") % {"value": campaign.kind}
    if campaign.scope not in CampaignScope.values:
        errors["scope"] = _("范围“%(value)s”无效") % {"value": campaign.scope}
    if not campaign.deadline:
        errors["deadline"] = _("请填写截止日期")
    elif campaign.opens_on and campaign.opens_on > campaign.deadline:
        errors["opens_on"] = _("开始日期（%(opens)s）不能晚于截止日期（%(deadline)s）") % {
            "opens": campaign.opens_on,
            "deadline": campaign.deadline,
        }
    bad = [code for code in campaign.sheets if code not in SheetCode.values]
    if bad:
        errors["sheets"] = _("不认识的汇总表：%(codes)s") % {"codes": "、".join(map(str, bad))}
    else:
        kinds = {SHEET_KINDS[code] for code in campaign.sheets}
        if "groups" in kinds and not campaign.covers_groups:
            errors["sheets"] = _("任务范围不含群聊，不能要求报送群聊汇总表")
        elif "accounts" in kinds and not campaign.covers_accounts:
            errors["sheets"] = _("任务范围不含新媒体账号，不能要求报送账号汇总表")
    if campaign.group_min_members is not None and campaign.group_min_members < 1:
        errors["group_min_members"] = _("群聊统计人数下限至少为 1")
    if errors:
        raise ValidationError(errors)


def _set_units(campaign: Campaign, units: Iterable[Unit] | None) -> None:
    if units is None:
        campaign.units.clear()
        return
    units = list(dict.fromkeys(units))
    inside = set(Unit.objects.subtree_ids([campaign.owner_unit_id]))
    outside = [u for u in units if u.pk not in inside or u.pk == campaign.owner_unit_id]
    if outside:
        raise ValidationError(
            {
                "units": _("参加单位须是“%(owner)s”的下属单位：%(units)s")
                % {"owner": campaign.owner_unit, "units": "、".join(u.name for u in outside)}
            }
        )
    chosen = {u.pk for u in units}
    for unit in units:
        below = set(Unit.objects.subtree_ids([unit.pk])) - {unit.pk}
        nested = below & chosen
        if nested:
            names = "、".join(u.name for u in units if u.pk in nested)
            raise ValidationError(
                {
                    "units": _("“%(unit)s”已包含其下属单位（%(names)s），请勿重复选择")
                    % {"unit": unit.name, "names": names}
                }
            )
    campaign.units.set(units)


def _write_checklist(campaign: Campaign, checklist) -> None:
    rows = []
    for order, entry in enumerate(checklist, start=1):
        text, required = (entry, True) if isinstance(entry, str) else entry
        text = (text or "").strip()
        if not text:
            continue
        if len(text) > 300:
            raise ValidationError({"checklist": _("第 %(n)d 个检查项超过 300 字") % {"n": order}})
        rows.append(ChecklistItem(campaign=campaign, order=order, text=text, required=required))
    ChecklistItem.objects.bulk_create(rows)


def _audited_state(campaign: Campaign) -> dict[str, Any]:
    return {
        key: (value.isoformat() if isinstance(value, dt.date) else value)
        for key, value in ((k, getattr(campaign, k)) for k in _AUDITED)
    }


def _next_year(value: dt.date) -> dt.date:
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


def _subtree_roots(roots: Iterable[int]) -> dict[int, int]:
    """{unit id: the root (of `roots`) whose subtree holds it}, in one query."""
    roots = list(roots)
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    owner: dict[int, int] = {}
    for root in roots:
        stack = [root]
        while stack:
            pk = stack.pop()
            if pk in owner:
                continue
            owner[pk] = root
            stack.extend(children.get(pk, ()))
    return owner


def _insert_items(rows: list[tuple[int, int | None, int | None]]) -> None:
    """Insert (task, account, group) items as "pending" in one prepared statement: the
    ORM's bulk_create spends most of a 33,000-item opening building model instances."""
    if not rows:
        return
    meta = TaskItem._meta
    qn = connection.ops.quote_name
    columns = ("task_id", "account_id", "group_id", "action", "note", "proof", "proof_sha256")
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted names from _meta
        qn(meta.db_table),
        ", ".join(qn(meta.get_field(c.removesuffix("_id")).column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ITEM_BATCH * 5):
            cursor.executemany(
                sql,
                [
                    (task, account, group, ItemAction.PENDING.value, "", "", "")
                    for task, account, group in rows[start : start + ITEM_BATCH * 5]
                ],
            )


def _lock_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _lock_task(task: CampaignTask) -> CampaignTask:
    return (
        CampaignTask.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit")
        .get(pk=task.pk)
    )


def _lock_answerable(actor, task: CampaignTask) -> CampaignTask:
    task = _lock_task(task)
    if not CampaignTask.objects.answerable_by(actor).filter(pk=task.pk).exists():
        raise PermissionDenied(_("只有“%(unit)s”的单位管理员可以办理此项") % {"unit": task.unit})
    _check_editable(task)
    return task


def _check_editable(task: CampaignTask) -> None:
    if task.campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("填报任务“%(title)s”不在进行中") % {"title": task.campaign})
    if task.state not in EDITABLE_TASK_STATES:
        raise ValidationError(
            _("该填报已是“%(state)s”状态，不能再修改") % {"state": task.get_state_display()}
        )


def _lock_item(actor, item: TaskItem) -> tuple[TaskItem, CampaignTask]:
    task = _lock_task(item.task)
    _check_editable(task)
    item = (
        TaskItem.objects.select_for_update(of=("self",))
        .select_related("account__platform", "group")
        .get(pk=item.pk)
    )
    if not TaskItem.objects.actable_by(actor).filter(pk=item.pk).exists():
        raise PermissionDenied(_("您不能处理该记录"))
    return item, task


def _record_ended(item: TaskItem) -> bool:
    if item.account_id:
        return item.account.status == AccountStatus.CLOSED
    return item.group.status == GroupStatus.DISSOLVED


def _changed_since(record, since) -> bool:
    if since is None:
        return False
    return record.history.filter(history_date__gt=since).exists()


def _checked(upload, field: str, *, documents: bool = False):
    try:
        return check_upload(upload, documents=documents)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _act(
    actor,
    task: CampaignTask,
    item: TaskItem,
    action: str,
    event: str,
    note: str = "",
    *,
    detail: dict[str, Any] | None = None,
    extra_fields: Iterable[str] = (),
) -> TaskItem:
    now = timezone.now()
    before = item.action
    item.action, item.acted_at, item.acted_by = action, now, actor
    item.note = (note or "").strip()[:500]
    item.save(update_fields=["action", "acted_at", "acted_by", "note", *extra_fields])
    _start(task, actor, now, save=True)
    _event(task, actor, event, item=item, comment=item.note, detail=detail, at=now)
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=task,
        detail={
            "item": item.pk,
            "record": str(item.record),
            "action": [before, action],
            **(detail or {}),
        },
    )
    return item


def _start(task: CampaignTask, actor, now, *, save: bool = False) -> None:
    if task.state != TaskState.NOT_STARTED:
        return
    task.state, task.started_at, task.started_by = TaskState.IN_PROGRESS, now, actor
    if save:
        task.save()
        _event(task, actor, TaskEventAction.STARTED, at=now)


def _event(
    task: CampaignTask,
    actor,
    action: str,
    *,
    item: TaskItem | None = None,
    comment: str = "",
    detail: dict[str, Any] | None = None,
    at=None,
) -> TaskEvent:
    return TaskEvent.objects.create(
        task=task,
        item=item,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        comment=comment,
        detail=detail or {},
    )


def _after_commit(event: str, **ids: int) -> None:
    """Tell the reminders (when the notify app is installed) once the transaction commits."""
    from . import reminders

    transaction.on_commit(lambda: reminders.announce(event, **ids))
