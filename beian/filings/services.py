"""Writes of the approval workflow. One service per transition; each locks the request
(`select_for_update`), checks the transition against `workflow.TRANSITIONS` and who may
take it, saves with `update_fields`, and writes the timeline entry and the audit row in
the same transaction. Mail and inbox rows go out after commit (`notifications.notify`).

    filing_create / filing_update / filing_submit / filing_withdraw
    filing_approve / filing_reject / filing_return  (filing_decide dispatches)
    filing_step_take_over / filing_steps_reroute_orphans  (chains that cannot deadlock)
    filing_attach
    change_report_create / closing_request_create
    notification_mark_read / notifications_mark_all_read
    reminders_send

What an approved request does to the registry (registering the account with its number,
applying a change, closing an account or dissolving a group) is written by the registry's
services (`account_create`, `account_update`, `account_close`, `group_update`,
`group_dissolve`) under the filing's authority (`Authority.filing`): the chain decided it,
so the personal edit rights those services check for direct edits do not apply, and the
history, the audit row and the compliance re-check come from the one write path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import audit, changed_fields
from beian.core.choices import AuditEventType
from beian.core.policy import get_policy
from beian.core.validators import normalize_phone
from beian.orgs.models import Institution, Person, Unit
from beian.registry import services as registry
from beian.registry.authority import Authority
from beian.registry.choices import FilingState, TeamRole
from beian.registry.models import ChatGroup, MediaAccount
from beian.registry.spec import derive_tier
from beian.users.models import User

from . import chains, selectors
from .choices import (
    NUMBERED_KINDS,
    REGISTERING_KINDS,
    AttachmentKind,
    Decision,
    EventAction,
    FilingKind,
    FilingStatus,
    StepStatus,
)
from .models import (
    Filing,
    FilingAttachment,
    FilingEvent,
    FilingMember,
    FilingStep,
    Notification,
    RegistrationCounter,
)
from .notifications import notify
from .pledge import PLEDGE_VERSION
from .uploads import check_upload
from .workflow import (
    TransitionError,
    chain_for_filing,
    check_transition,
    office_holders,
    second_level_unit,
    step_label,
    step_recipients,
    waiting_q,
)

#: Fields of the form (备案表) a request carries; `fields` passed to the services may hold
#: only these.
FORM_FIELDS = (
    "owner_unit",
    "guiding_unit",
    "is_personal",
    "platform",
    "account_name",
    "external_id",
    "url",
    "responsible_name",
    "responsible_post",
    "responsible_phone",
    "created_month",
    "goes_live_on",
    "verified",
    "verified_month",
    "columns",
    "update_frequency",
    "introduction",
    "change_kinds",
    "effective_on",
    "reason",
    "closing_on",
)
#: Team-row keys (the form's 管理队伍 table).
MEMBER_FIELDS = ("role", "name", "identity", "unit_name", "post", "mobile", "qq", "email", "person")
#: Roles that carry the responsibility (a change of these is a change of "responsible").
RESPONSIBLE_ROLES = frozenset({TeamRole.SUPERVISOR, TeamRole.FIRST_RESPONSIBLE})
#: Account fields a change of "way of running" (维护方式) touches.
OPERATION_FIELDS = ("external_id", "url", "update_frequency", "columns", "introduction")

Team = Iterable[Mapping[str, Any]]


# --- creating and editing --------------------------------------------------------------


@transaction.atomic
def filing_create(
    *,
    actor: User,
    kind: str,
    fields: Mapping[str, Any],
    team: Team | None = None,
    pledge_accepted: bool = False,
    account: MediaAccount | None = None,
    group: ChatGroup | None = None,
    attachments: Iterable[tuple[str, Any]] = (),
    submit: bool = True,
) -> Filing:
    """Open a request: a filing of a new account (the account is registered when it is
    approved), a late filing (补办) of an account already running, a group filing, a
    change report or a closing. With `submit` it goes to its first approver at once."""
    kind = FilingKind(kind)
    fields = dict(fields)
    _check_keys(fields)
    filing = Filing(kind=kind, applicant=actor)
    if kind == FilingKind.NEW:
        if account is not None or group is not None:
            raise ValueError("a new-account filing names no existing record")
        unit = fields.get("owner_unit")
        if not isinstance(unit, Unit):
            raise ValidationError({"owner_unit": _("请选择责任单位")})
        if not selectors.can_apply_in_unit(actor, unit):
            raise PermissionDenied(_("您不能为该单位申请备案"))
    elif kind == FilingKind.GROUP or (kind == FilingKind.CLOSING and group is not None):
        if group is None:
            raise ValidationError(_("请指明群聊"))
        group = ChatGroup.objects.select_for_update().get(pk=group.pk)
        if not selectors.can_request_for(actor, group):
            raise PermissionDenied(_("您无权为该群聊提交申请"))
        if group.is_dissolved:
            raise ValidationError(_("该群聊已经解散"))
        if kind == FilingKind.GROUP and group.registered:
            raise ValidationError(_("该群聊已经报备"))
        filing.group = group
        fields["owner_unit"] = group.owner_unit
        fields["platform"] = group.platform
        fields.setdefault("account_name", group.name)
        fields["account_name"] = group.name
        fields["is_personal"] = False
    else:
        if account is None:
            raise ValidationError(_("请指明账号"))
        account = MediaAccount.objects.select_for_update().get(pk=account.pk)
        if not selectors.can_request_for(actor, account):
            raise PermissionDenied(_("您无权为该账号提交申请"))
        if account.is_closed:
            raise ValidationError(_("该账号已经注销"))
        if kind == FilingKind.LATE and account.filing_state == FilingState.FILED:
            raise ValidationError(_("该账号已经备案，如有变化请提交变更报备"))
        filing.account = account
        fields["owner_unit"] = account.owner_unit
        fields["platform"] = account.platform
        fields["is_personal"] = account.is_personal
        if kind == FilingKind.CLOSING:
            fields.setdefault("account_name", account.name)
            fields["account_name"] = account.name
    if filing.account_id or filing.group_id:
        open_q = {"account": filing.account} if filing.account_id else {"group": filing.group}
        if Filing.objects.filter(status__in=_OPEN, **open_q).exists():
            raise ValidationError(_("该记录已有一份正在办理的申请，请先办结或撤回"))
    if kind == FilingKind.CHANGE and team is None:
        team = selectors.team_rows_of(account)

    _assign(filing, fields)
    filing.tier = _tier_of(filing)
    filing.second_unit = second_level_unit(filing.owner_unit)
    _accept_pledge(filing, actor, pledge_accepted)
    _validate(filing)
    filing.save()
    _write_team(filing, team or ())
    if kind == FilingKind.CHANGE:
        _detect_change_kinds(filing)
    _record(filing, actor, EventAction.CREATED, AuditEventType.CREATE, detail=_summary(filing))
    for attachment_kind, upload in attachments:
        _attach(filing, actor, upload, attachment_kind)
    if submit:
        filing = filing_submit(filing=filing, actor=actor)
    return filing


@transaction.atomic
def filing_update(
    *,
    filing: Filing,
    actor: User,
    fields: Mapping[str, Any],
    team: Team | None = None,
    pledge_accepted: bool = False,
) -> Filing:
    """The applicant corrects a draft or a returned request (then resubmits it). Fields
    that identify the record (its unit, platform, the account or group) stay."""
    filing = _lock(filing)
    _check_applicant(filing, actor)
    check_transition(filing.status, "update")
    fields = dict(fields)
    _check_keys(fields)
    fixed = {"owner_unit", "platform", "is_personal"} if filing.kind != FilingKind.NEW else set()
    if filing.kind == FilingKind.NEW and "owner_unit" in fields:
        unit = fields["owner_unit"]
        if not isinstance(unit, Unit) or not selectors.can_apply_in_unit(actor, unit):
            raise PermissionDenied(_("您不能为该单位申请备案"))
    before = _snapshot(filing)
    before["team"] = _team_text(filing)
    _assign(filing, {k: v for k, v in fields.items() if k not in fixed})
    if filing.kind in (FilingKind.CLOSING, FilingKind.GROUP):
        filing.account_name = (filing.account or filing.group).name
    filing.tier = _tier_of(filing)
    filing.second_unit = second_level_unit(filing.owner_unit)
    _accept_pledge(filing, actor, pledge_accepted)
    _validate(filing)
    filing.save()
    if team is not None:
        filing.members.all().delete()
        _write_team(filing, team)
    if filing.kind == FilingKind.CHANGE:
        _detect_change_kinds(filing)
    after = _snapshot(filing)
    after["team"] = _team_text(filing)
    changes = changed_fields(before, after)
    _record(filing, actor, EventAction.UPDATED, AuditEventType.UPDATE, detail={"changes": changes})
    return filing


# --- the transitions --------------------------------------------------------------------


@transaction.atomic
def filing_submit(*, filing: Filing, actor: User) -> Filing:
    """Send a draft or a returned request to its chain. The chain is computed from the
    policy now; a returned request starts a new round from the first step. A change
    report that needs no approval is recorded (and applied) at once."""
    filing = _lock(filing)
    _check_applicant(filing, actor)
    check_transition(filing.status, "submit")
    policy = get_policy()
    today = timezone.localdate()
    resubmission = filing.round > 0
    _check_complete(filing, policy)

    if filing.kind == FilingKind.NEW and filing.goes_live_on:
        ok = policy.filing.lead_time_ok(submitted_on=today, goes_live_on=filing.goes_live_on)
        if not ok and policy.filing.lead_time_mode == "refuse":
            raise ValidationError(
                {
                    "goes_live_on": _(
                        "须在开通前至少 %(days)d 天提交备案申请，请推迟计划开通日期（不早于 %(date)s）"
                    )
                    % {
                        "days": policy.filing.lead_days,
                        "date": (today + timedelta(days=policy.filing.lead_days)).isoformat(),
                    }
                }
            )
        filing.lead_time_short = not ok
    if filing.kind == FilingKind.CHANGE and filing.reported_on is None:
        filing.reported_on = today
        filing.report_deadline = policy.deadline(filing.effective_on)
        filing.reported_late = policy.is_late(filing.effective_on, today)

    chain = chain_for_filing(policy, filing)
    # Every step must have someone other than the applicant who can decide it (its own
    # office or a [filing] fallback office); otherwise the request is refused here.
    chains.plan_chain(filing, chain, policy)
    filing.chain = list(chain)
    filing.round += 1
    filing.submitted_at = timezone.now()
    if filing.kind in (FilingKind.NEW, FilingKind.LATE):
        filing.inform_school = policy.filing.informs_school(tier=filing.tier, chain=chain)
    fields = [
        "chain",
        "round",
        "submitted_at",
        "lead_time_short",
        "reported_on",
        "report_deadline",
        "reported_late",
        "inform_school",
        "updated_at",
    ]
    action = EventAction.RESUBMITTED if resubmission else EventAction.SUBMITTED
    detail = {"chain": filing.chain, "lead_time_short": filing.lead_time_short}
    if filing.kind == FilingKind.CHANGE:
        detail.update(
            deadline=filing.report_deadline.isoformat(), reported_late=filing.reported_late
        )
    if not chain:
        check_transition(filing.status, "submit", FilingStatus.APPROVED)
        filing.save(update_fields=fields)
        _record(filing, actor, action, AuditEventType.UPDATE, detail=detail)
        return _finish(filing, actor, recorded=True)

    check_transition(filing.status, "submit", FilingStatus.PENDING)
    FilingStep.objects.bulk_create(
        [
            FilingStep(filing=filing, round=filing.round, position=i, step=step)
            for i, step in enumerate(chain)
        ]
    )
    filing.status = FilingStatus.PENDING
    _activate(filing, 0, extra_fields=[*fields, "status"])
    if filing.kind == FilingKind.LATE:
        _set_account_filing_state(filing.account, FilingState.PENDING, actor)
    _record(filing, actor, action, AuditEventType.UPDATE, detail=detail)
    return filing


@transaction.atomic
def filing_approve(
    *,
    filing: Filing,
    actor: User,
    comment: str = "",
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """The current approver agrees: the request moves to the next step, or, after the
    last, is approved and takes effect (registration number, change applied, closed).
    `round_no` / `position` name the step the approver answers (the page sends them): a
    decision for a step no longer open is refused (`chains.StaleDecision`)."""
    filing, step = _lock_for_decision(filing, actor, "approve", round_no, position)
    _close_step(step, actor, StepStatus.APPROVED, comment)
    _record(
        filing, actor, EventAction.APPROVED, AuditEventType.APPROVE, step=step.step,
        comment=comment, detail={"decision": Decision.APPROVE, "position": step.position},
    )  # fmt: skip
    if step.position + 1 < len(filing.chain):
        check_transition(filing.status, "approve", FilingStatus.PENDING)
        _activate(filing, step.position + 1)
        return filing
    check_transition(filing.status, "approve", FilingStatus.APPROVED)
    return _finish(filing, actor)


@transaction.atomic
def filing_reject(
    *,
    filing: Filing,
    actor: User,
    reason: str,
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """The current approver refuses, with a reason; the request ends (未通过)."""
    reason = (reason or "").strip()
    filing, step = _lock_for_decision(filing, actor, "reject", round_no, position)
    if not reason:
        raise ValidationError({"comment": _("不同意时请填写理由")})
    _close_step(step, actor, StepStatus.REJECTED, reason)
    _cancel_open_steps(filing)
    filing.status = FilingStatus.REJECTED
    filing.decided_at = timezone.now()
    _clear_current(filing)
    filing.save(update_fields=[*_CURRENT_FIELDS, "status", "decided_at", "updated_at"])
    if filing.kind == FilingKind.LATE:
        _set_account_filing_state(filing.account, FilingState.UNFILED, actor)
    _record(
        filing, actor, EventAction.REJECTED, AuditEventType.APPROVE, step=step.step,
        comment=reason, detail={"decision": Decision.REJECT},
    )  # fmt: skip
    notify(
        [filing.applicant],
        _("您的%(kind)s《%(name)s》未获通过（%(office)s）：%(reason)s")
        % _words(filing, office=step.office, reason=reason),
        link=_link(filing),
        filing=filing,
    )
    return filing


@transaction.atomic
def filing_return(
    *,
    filing: Filing,
    actor: User,
    comment: str,
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """The current approver sends the request back for changes, saying what to change;
    the applicant edits and resubmits it (a new round from the first step)."""
    comment = (comment or "").strip()
    filing, step = _lock_for_decision(filing, actor, "return", round_no, position)
    if not comment:
        raise ValidationError({"comment": _("退回修改时请说明需要修改的内容")})
    _close_step(step, actor, StepStatus.RETURNED, comment)
    _cancel_open_steps(filing)
    filing.status = FilingStatus.RETURNED
    _clear_current(filing)
    filing.save(update_fields=[*_CURRENT_FIELDS, "status", "updated_at"])
    _record(
        filing, actor, EventAction.RETURNED, AuditEventType.APPROVE, step=step.step,
        comment=comment, detail={"decision": Decision.RETURN},
    )  # fmt: skip
    notify(
        [filing.applicant],
        _("您的%(kind)s《%(name)s》被退回修改（%(office)s）：%(reason)s")
        % _words(filing, office=step.office, reason=comment),
        link=_link(filing),
        filing=filing,
    )
    return filing


def filing_decide(
    *,
    filing: Filing,
    actor: User,
    decision: str,
    comment: str = "",
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """Approve, reject or return, as the approver chose on the page, for the step
    (`round_no`, `position`) the page showed."""
    answers = {"round_no": round_no, "position": position}
    if decision == Decision.APPROVE:
        return filing_approve(filing=filing, actor=actor, comment=comment, **answers)
    if decision == Decision.REJECT:
        return filing_reject(filing=filing, actor=actor, reason=comment, **answers)
    if decision == Decision.RETURN:
        return filing_return(filing=filing, actor=actor, comment=comment, **answers)
    raise ValidationError(_("未知的审批操作"))


@transaction.atomic
def filing_step_take_over(
    *, filing: Filing, actor: User, round_no: int, position: int, reason: str = ""
) -> Filing:
    """A school admin (or a holder of a [filing] fallback office) takes over the open
    step when its office has lost every approver other than the applicant (e.g. the unit
    admin's role was revoked while the request waited). The step stays; who decides it
    changes, is recorded and asked."""
    filing = _lock(filing)
    stale = chains.stale_decision_message(filing, round_no=round_no, position=position)
    if stale:
        raise chains.StaleDecision(stale, code="stale")
    office = chains.take_over_office(actor, filing, get_policy())
    if office is None:
        if not chains.is_orphaned(filing):
            raise PermissionDenied(_("该步骤仍有审批人，无需接办"))
        raise PermissionDenied(_("您不能接办该审批步骤"))
    _reroute(filing, office, actor, comment=(reason or "").strip())
    return filing


def filing_steps_reroute_orphans() -> int:
    """Hand every orphaned open step to the first [filing] fallback office that has an
    eligible approver (run daily before the reminders). Returns how many were handed."""
    policy = get_policy()
    moved = 0
    pending = Filing.objects.filter(status=FilingStatus.PENDING).select_related(
        "owner_unit", "second_unit", "applicant"
    )
    for filing in pending:
        if not chains.is_orphaned(filing):
            continue
        with transaction.atomic():
            locked = _lock(filing)
            if not chains.is_orphaned(locked):
                continue
            found = chains.resolve_office(locked.current_step, locked, policy)
            if found is None or found[0] == chains.current_office(locked):
                continue
            _reroute(locked, found[0], None)
            moved += 1
    return moved


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor: User, reason: str = "") -> Filing:
    """The applicant withdraws a request that is not yet decided."""
    filing = _lock(filing)
    _check_applicant(filing, actor)
    check_transition(filing.status, "withdraw", FilingStatus.WITHDRAWN)
    _cancel_open_steps(filing)
    filing.status = FilingStatus.WITHDRAWN
    filing.decided_at = timezone.now()
    _clear_current(filing)
    filing.save(update_fields=[*_CURRENT_FIELDS, "status", "decided_at", "updated_at"])
    if filing.kind == FilingKind.LATE and filing.round:
        _set_account_filing_state(filing.account, FilingState.UNFILED, actor)
    _record(
        filing, actor, EventAction.WITHDRAWN, AuditEventType.UPDATE, comment=(reason or "").strip()
    )
    return filing


@transaction.atomic
def filing_attach(
    *, filing: Filing, actor: User, upload, kind: str = AttachmentKind.OTHER
) -> FilingAttachment:
    """Keep a file with the request: the signed application while it is open; the
    stamped 备案表 scan once it is approved. PDF, JPEG or PNG by content only."""
    filing = _lock(filing)
    if not selectors.can_attach(actor, filing, kind):
        raise PermissionDenied(_("您不能为该申请上传附件"))
    return _attach(filing, actor, upload, kind)


# --- convenience entries ---------------------------------------------------------------


def change_report_create(
    *,
    actor: User,
    account: MediaAccount,
    effective_on: date,
    fields: Mapping[str, Any],
    team: Team | None = None,
    declared_kinds: Iterable[str] = (),
    pledge_accepted: bool = False,
    submit: bool = True,
) -> Filing:
    """Report a change of a registered account (name, responsible person, team, way of
    running) with the date it took effect. What changed is found by comparing with the
    registry (and what the reporter ticks); the policy says which kinds need approval and
    the deadline (`report_within`) decides whether the report is late."""
    data = {**fields, "effective_on": effective_on, "change_kinds": sorted(set(declared_kinds))}
    return filing_create(
        actor=actor,
        kind=FilingKind.CHANGE,
        fields=data,
        team=team,
        account=account,
        pledge_accepted=pledge_accepted,
        submit=submit,
    )


def closing_request_create(
    *,
    actor: User,
    reason: str,
    closing_on: date,
    account: MediaAccount | None = None,
    group: ChatGroup | None = None,
    submit: bool = True,
) -> Filing:
    """Ask to close (注销) an account or dissolve (解散) a group; when approved the record
    is closed with that date and reason — never deleted."""
    if (account is None) == (group is None):
        raise ValueError("name exactly one of account and group")
    return filing_create(
        actor=actor,
        kind=FilingKind.CLOSING,
        fields={"reason": reason, "closing_on": closing_on},
        account=account,
        group=group,
        submit=submit,
    )


# --- inbox -------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- reminders (run daily by tasks.remind_filings) ---------------------------------------

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
                _words(filing, office=locked.office, since=waited_since.isoformat())
            )
            if near_live:
                text += _("（计划开通日期 %(date)s）") % {"date": filing.goes_live_on.isoformat()}
            notify(step_recipients(filing), text, link=_link(filing), filing=filing)
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
                    link=_link(filing),
                    filing=filing,
                )
            count += 1
    return count


# --- internals: workflow -----------------------------------------------------------------

_OPEN = (FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED)
_CURRENT_FIELDS = ("current_step", "current_position", "current_office", "current_fallback")


def _lock(filing: Filing) -> Filing:
    return Filing.objects.select_for_update().get(pk=filing.pk)


def _check_applicant(filing: Filing, actor: User) -> None:
    if filing.applicant_id != actor.pk:
        raise PermissionDenied(_("只有申请人可以执行此操作"))


def _lock_for_decision(
    filing: Filing,
    actor: User,
    action: str,
    round_no: int | None = None,
    position: int | None = None,
) -> tuple[Filing, FilingStep]:
    """The locked request and its current step, after checking that the decision answers
    the open step (when the caller names it), the transition, that the actor is not the
    applicant and that the actor holds the office that decides the current step."""
    filing = _lock(filing)
    if round_no is not None or position is not None:
        stale = chains.stale_decision_message(
            filing,
            round_no=filing.round if round_no is None else round_no,
            position=filing.current_position if position is None else position,
        )
        if stale:
            raise chains.StaleDecision(stale, code="stale")
    check_transition(filing.status, action)
    if filing.applicant_id == actor.pk:
        raise PermissionDenied(_("不能审批自己提交的申请"))
    if not Filing.objects.filter(waiting_q(actor), pk=filing.pk).exists():
        raise PermissionDenied(_("您不是该申请当前步骤的审批人"))
    step = FilingStep.objects.select_for_update().get(
        filing=filing, round=filing.round, status=StepStatus.CURRENT
    )
    if step.position != filing.current_position or step.step != filing.current_step:
        raise TransitionError(_("审批步骤已变化，请刷新页面"))
    return filing, step


def _activate(filing: Filing, position: int, extra_fields: Iterable[str] = ()) -> None:
    """Make the step at `position` of the current round the one waiting for a decision,
    and ask its approvers."""
    step = FilingStep.objects.get(filing=filing, round=filing.round, position=position)
    if step.status != StepStatus.WAITING:
        raise TransitionError(_("审批步骤状态异常"))
    # Roles may have changed since submission: decide again who takes the step. When no
    # office has anyone the step keeps its own office and shows as orphaned (taken over
    # by the school admin, or rerouted by the daily run, once someone holds an office).
    found = chains.resolve_office(step.step, filing, get_policy())
    office = found[0] if found else step.step
    step.status, step.activated_at = StepStatus.CURRENT, timezone.now()
    step.acting_office, step.fallback = office, office != step.step
    step.save(update_fields=["status", "fallback", "acting_office", "activated_at"])
    filing.current_step, filing.current_position = step.step, position
    filing.current_office, filing.current_fallback = office, office != step.step
    filing.save(update_fields=list({*_CURRENT_FIELDS, "updated_at", *extra_fields}))
    notify(
        step_recipients(filing),
        _("【待审批】%(applicant)s 提交的%(kind)s《%(name)s》等待您审批（%(office)s）")
        % _words(filing, office=step.office, applicant=str(filing.applicant)),
        link=_link(filing),
        filing=filing,
    )


def _close_step(step: FilingStep, actor: User, status: str, comment: str) -> None:
    step.status, step.decided_by, step.decided_at = status, actor, timezone.now()
    step.comment = (comment or "").strip()
    step.save(update_fields=["status", "decided_by", "decided_at", "comment"])


def _cancel_open_steps(filing: Filing) -> None:
    FilingStep.objects.filter(
        filing=filing, status__in=[StepStatus.WAITING, StepStatus.CURRENT]
    ).update(status=StepStatus.CANCELLED)


def _clear_current(filing: Filing) -> None:
    filing.current_step, filing.current_position, filing.current_fallback = "", None, False
    filing.current_office = ""


def _reroute(filing: Filing, office: str, actor: User | None, comment: str = "") -> None:
    """Let `office` decide the open step (a take-over, or the daily reroute of an
    orphaned step); recorded on the timeline and in the audit log, and its approvers
    asked."""
    step = FilingStep.objects.select_for_update().get(
        filing=filing, round=filing.round, status=StepStatus.CURRENT
    )
    before = step.acting_office or step.step
    step.acting_office, step.fallback = office, office != step.step
    step.save(update_fields=["acting_office", "fallback"])
    filing.current_office, filing.current_fallback = office, office != step.step
    filing.save(update_fields=["current_office", "current_fallback", "updated_at"])
    _record(
        filing, actor, EventAction.TAKEN_OVER, AuditEventType.UPDATE, step=step.step,
        comment=comment, detail={"position": step.position, "office": [before, office]},
    )  # fmt: skip
    notify(
        [u for u in step_recipients(filing) if actor is None or u.pk != actor.pk],
        _("【待审批】%(kind)s《%(name)s》的“%(step)s”一步原审批人已无权限，改由%(office)s审批")
        % _words(filing, step=step.office, office=step_label(office)),
        link=_link(filing),
        filing=filing,
    )


def _finish(filing: Filing, actor: User, *, recorded: bool = False) -> Filing:
    """The request is approved (or, needing no approval, recorded): make it take effect."""
    today = timezone.localdate()
    filing.status = FilingStatus.APPROVED
    filing.decided_at = timezone.now()
    filing.approved_on = today
    _clear_current(filing)
    if filing.kind == FilingKind.LATE:
        filing.live_before_approval = True
    elif filing.kind == FilingKind.NEW and filing.goes_live_on:
        filing.live_before_approval = filing.goes_live_on < today
    filing.save(
        update_fields=[
            *_CURRENT_FIELDS,
            "status",
            "decided_at",
            "approved_on",
            "live_before_approval",
            "updated_at",
        ]
    )
    _record(
        filing,
        actor,
        EventAction.RECORDED if recorded else EventAction.FINAL_APPROVED,
        AuditEventType.APPROVE,
        detail={"decision": "final"},
    )
    if filing.kind in (FilingKind.NEW, FilingKind.LATE):
        _register_account(filing, actor)
    elif filing.kind == FilingKind.GROUP:
        _register_group(filing, actor)
    elif filing.kind == FilingKind.CHANGE:
        _apply_change(filing, actor)
    elif filing.kind == FilingKind.CLOSING:
        _close_record(filing, actor)

    words = _words(filing)
    if filing.registration_number:
        words["name"] = f"{filing.account_name}（{filing.registration_number}）"
    text = (
        _("您的%(kind)s《%(name)s》已报备") if recorded else _("您的%(kind)s《%(name)s》已审批通过")
    ) % words
    notify([filing.applicant], text, link=_link(filing), filing=filing)
    if filing.inform_school or recorded:
        holders = [u for u in office_holders("school_admin", filing) if u.pk != actor.pk]
        _record(filing, actor, EventAction.INFORMED, AuditEventType.OTHER)
        notify(
            holders,
            _("【报备】%(unit)s 的%(kind)s《%(name)s》已办结，报宣传部备案") % words,
            link=_link(filing),
            filing=filing,
        )
    return filing


# --- internals: what an approved request does --------------------------------------------


def _register_account(filing: Filing, actor: User) -> None:
    number = _next_registration_number(tier=filing.tier, on=filing.approved_on)
    filing.registration_number = number
    filing.save(update_fields=["registration_number", "updated_at"])
    values = _account_values(filing)
    values.update(filing_state=FilingState.FILED, registration_number=number)
    authority = Authority.filing(filing, number=number)
    team = _account_team(filing, actor)
    if filing.kind == FilingKind.NEW:
        account = registry.account_create(
            actor=actor,
            data=values,
            team=team,
            authority=authority,
            created_by=filing.applicant,
        )
        filing.account = account
        filing.save(update_fields=["account", "updated_at"])
    else:
        registry.account_update(
            actor=actor, account=filing.account, data=values, team=team, authority=authority
        )
    _record(filing, actor, EventAction.REGISTERED, AuditEventType.UPDATE, detail={"number": number})


def _register_group(filing: Filing, actor: User) -> None:
    registry.group_update(
        actor=actor,
        group=filing.group,
        data={"registered": True},
        authority=Authority.filing(filing),
    )
    _record(filing, actor, EventAction.REGISTERED, AuditEventType.UPDATE)


def _apply_change(filing: Filing, actor: User) -> None:
    account = filing.account
    if account.is_closed:
        raise ValidationError(_("该账号已经注销，变更无法生效"))
    kinds = set(filing.change_kinds)
    data: dict[str, Any] = {}
    if "name" in kinds:
        data["name"] = filing.account_name
    if "operation" in kinds:
        data.update({name: getattr(filing, name) for name in OPERATION_FIELDS})
        data["guiding_unit"] = filing.guiding_unit
    team = _account_team(filing, actor) if kinds & {"team", "responsible"} else None
    registry.account_update(
        actor=actor,
        account=account,
        data=data,
        team=team,
        authority=Authority.filing(
            filing,
            change_kinds=sorted(kinds),
            effective_on=filing.effective_on.isoformat(),
            reported_late=filing.reported_late,
        ),
    )
    _record(filing, actor, EventAction.APPLIED, AuditEventType.UPDATE)


def _close_record(filing: Filing, actor: User) -> None:
    on, reason = filing.closing_on, filing.reason.strip()
    authority = Authority.filing(filing)
    if filing.group_id:
        registry.group_dissolve(
            actor=actor, group=filing.group, on=on, reason=reason, authority=authority
        )
    else:
        registry.account_close(
            actor=actor, account=filing.account, on=on, reason=reason, authority=authority
        )
    _record(filing, actor, EventAction.CLOSED, AuditEventType.CLOSE, comment=reason)


def _next_registration_number(*, tier: int, on: date) -> str:
    """The next number of the year, from the policy's format and the institution's
    prefix. The year's counter row is locked until the approval commits, so two
    approvals never take the same number and a rolled-back approval leaves no gap.
    A number already used in the registry (e.g. imported) is passed over."""
    policy = get_policy()
    institution = Institution.objects.order_by("pk").first()
    prefix = (institution.registration_prefix if institution else "") or "BA"
    RegistrationCounter.objects.get_or_create(year=on.year)
    counter = RegistrationCounter.objects.select_for_update().get(year=on.year)
    while True:
        counter.last += 1
        number = policy.institution.format_number(
            prefix=prefix, year=on.year, seq=counter.last, tier=tier
        )
        taken = (
            MediaAccount.objects.filter(registration_number=number).exists()
            or Filing.objects.filter(registration_number=number).exists()
        )
        if not taken:
            break
    counter.save(update_fields=["last"])
    return number


def _set_account_filing_state(account: MediaAccount, state: str, actor: User) -> None:
    """The account's 备案状态 follows its filing (审批中 while one waits, back to 未备案
    when it is rejected or withdrawn), written by the registry under the workflow's
    authority."""
    account.refresh_from_db(fields=["filing_state"])
    if account.filing_state == state or account.is_closed:
        return
    registry.account_update(
        actor=actor, account=account, data={"filing_state": state}, authority=Authority.filing()
    )


def _account_values(filing: Filing) -> dict[str, Any]:
    return {
        "platform": filing.platform,
        "name": filing.account_name,
        "external_id": filing.external_id,
        "url": filing.url,
        "owner_unit": filing.owner_unit,
        "guiding_unit": filing.guiding_unit,
        "is_personal": filing.is_personal,
        "created_month": (
            filing.created_month or (filing.goes_live_on or filing.approved_on)
        ).replace(day=1),
        "verified": filing.verified,
        "verified_month": filing.verified_month,
        "update_frequency": filing.update_frequency,
        "columns": filing.columns,
        "introduction": filing.introduction,
    }


def _account_team(filing: Filing, actor: User) -> list[tuple[str, Person]]:
    """The request's team resolved to people of the roster, for the registry to make the
    account's team; the responsible person (责任人) becomes 第一责任人 unless the team
    names one."""
    wanted: list[tuple[str, Person]] = []
    rows = list(filing.members.select_related("person").order_by("position", "pk"))
    for row in rows:
        person = _resolve_person(row, filing, actor)
        if row.person_id != person.pk:
            row.person = person
            row.save(update_fields=["person"])
        wanted.append((row.role, person))
    has_first = any(role == TeamRole.FIRST_RESPONSIBLE for role, _p in wanted)
    if filing.responsible_name and not has_first:
        phone = normalize_phone(filing.responsible_phone)
        responsible = FilingMember(
            role=TeamRole.FIRST_RESPONSIBLE,
            name=filing.responsible_name,
            post=filing.responsible_post,
            mobile=phone if len(phone) == 11 and phone.startswith("1") else "",
        )
        wanted.insert(0, (TeamRole.FIRST_RESPONSIBLE, _resolve_person(responsible, filing, actor)))
    return list(dict.fromkeys(wanted, None))


def _resolve_person(row: FilingMember, filing: Filing, actor: User) -> Person:
    """The roster entry a team row stands for: the linked person; else the one with the
    same name and mobile; else the only one of that name in the 二级单位; else a new
    entry in the responsible unit (recorded in the audit log)."""
    if row.person_id:
        return row.person
    name = row.name.strip()
    mobile = normalize_phone(row.mobile)
    if mobile:
        match = Person.objects.filter(name=name, mobile=mobile).order_by("pk").first()
        if match:
            return match
    scope_root = filing.second_unit or filing.owner_unit
    unit_ids = Unit.objects.subtree_ids([scope_root.pk])
    matches = list(Person.objects.filter(name=name, unit_id__in=unit_ids)[:2])
    if len(matches) == 1:
        return matches[0]
    person = Person(
        name=name,
        kind=row.identity,
        unit=filing.owner_unit,
        post=row.post,
        mobile=mobile,
        qq=row.qq.strip(),
        email=row.email.strip(),
    )
    person.full_clean()
    person._history_user = actor
    person._change_reason = _("备案申请登记")
    person.save()
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        obj=person,
        detail={"filing": filing.pk, "source": "filing_team"},
    )
    return person


# --- internals: helpers ------------------------------------------------------------------


def _check_keys(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(FORM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _assign(filing: Filing, fields: Mapping[str, Any]) -> None:
    for key, value in fields.items():
        if isinstance(value, str) and key not in ("columns", "introduction", "reason"):
            value = value.strip()
        if key in ("created_month", "verified_month") and value:
            value = value.replace(day=1)
        setattr(filing, key, value)


def _tier_of(filing: Filing) -> int:
    if filing.account_id:
        return filing.account.tier
    return derive_tier(unit_kind=filing.owner_unit.kind, is_personal=filing.is_personal)


def _accept_pledge(filing: Filing, actor: User, accepted: bool) -> None:
    if accepted:
        filing.pledge_version = PLEDGE_VERSION
        filing.pledge_accepted_at = timezone.now()
        filing.pledge_accepted_by = actor


def _pledge_required(filing: Filing, policy) -> bool:
    if filing.kind in REGISTERING_KINDS:
        return policy.filing.pledge_required
    if filing.kind == FilingKind.CHANGE:
        return policy.changes.pledge_required
    return False


def _validate(filing: Filing) -> None:
    errors: dict[str, list] = {}
    try:
        filing.full_clean(
            exclude=["applicant", "account", "group", "second_unit", "pledge_accepted_by"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    today = timezone.localdate()
    if filing.kind in NUMBERED_KINDS:
        if filing.platform_id is None:
            errors.setdefault("platform", []).append(_("请选择媒体平台"))
        elif filing.platform.for_groups:
            errors.setdefault("platform", []).append(_("请选择新媒体平台，群聊请办理群聊备案"))
        if filing.platform_id and filing.external_id:
            if not filing.platform.address_matches(filing.external_id):
                errors.setdefault("external_id", []).append(
                    _("不符合%(platform)s的账号格式：%(hint)s")
                    % {"platform": filing.platform.name, "hint": filing.platform.address_hint}
                )
            clash = MediaAccount.objects.filter(
                platform=filing.platform, external_id=filing.external_id
            ).exclude(pk=filing.account_id)
            if clash.exists():
                errors.setdefault("external_id", []).append(
                    _("该平台下已登记相同账号，如为已开通账号请办理补办备案")
                )
        if filing.verified and not filing.verified_month:
            errors.setdefault("verified_month", []).append(_("已认证的账号请填写认证时间"))
        if filing.kind == FilingKind.NEW and filing.goes_live_on and filing.goes_live_on < today:
            errors.setdefault("goes_live_on", []).append(
                _("已开通运行的账号请办理补办备案，而非新开设备案")
            )
    if filing.kind == FilingKind.CHANGE and filing.effective_on and filing.effective_on > today:
        errors.setdefault("effective_on", []).append(_("变更生效日期不能晚于今天"))
    if filing.kind == FilingKind.CLOSING and filing.closing_on and filing.closing_on > today:
        errors.setdefault("closing_on", []).append(_("注销/解散日期不能晚于今天"))
    if errors:
        raise ValidationError(errors)


def _check_complete(filing: Filing, policy) -> None:
    """What must be filled in before a request goes to its approvers."""
    errors: dict[str, str] = {}
    required: tuple[str, ...] = ()
    if filing.kind == FilingKind.NEW:
        required = ("account_name", "platform", "responsible_name", "goes_live_on")
    elif filing.kind == FilingKind.LATE:
        required = ("account_name", "platform", "responsible_name")
    elif filing.kind == FilingKind.GROUP:
        required = ("responsible_name",)
    elif filing.kind == FilingKind.CHANGE:
        required = ("effective_on",)
    elif filing.kind == FilingKind.CLOSING:
        required = ("reason", "closing_on")
    for name in required:
        if getattr(filing, name) in (None, ""):
            label = Filing._meta.get_field(name).verbose_name
            errors[name] = _("请填写%(field)s") % {"field": label}
    if _pledge_required(filing, policy) and not filing.pledge_accepted_at:
        errors["pledge"] = _("请阅读并接受《网络信息安全承诺书》")
    if filing.kind == FilingKind.CHANGE and not filing.change_kinds:
        errors["change_kinds"] = _("没有发现变更：请修改变更后的内容或勾选变更事项")
    if filing.kind in NUMBERED_KINDS and not filing.members.exists():
        errors["team"] = _("请至少填写一名管理队伍成员")
    if errors:
        raise ValidationError(errors)


def _write_team(filing: Filing, team: Team) -> None:
    rows = []
    errors = []
    for position, raw in enumerate(team):
        data = {k: raw.get(k) for k in MEMBER_FIELDS if raw.get(k) not in (None, "")}
        unknown = set(raw) - set(MEMBER_FIELDS)
        if unknown:
            raise TypeError(f"unknown team fields: {', '.join(sorted(unknown))}")
        if not data.get("name") and data.get("person") is not None:
            data["name"] = data["person"].name
        if "mobile" in data:
            data["mobile"] = normalize_phone(data["mobile"])
        row = FilingMember(filing=filing, position=position, **data)
        try:
            row.full_clean(exclude=["filing"])
        except ValidationError as exc:
            errors.append(
                _("管理队伍第 %(n)d 行：%(msg)s")
                % {
                    "n": position + 1,
                    "msg": "；".join(m for ms in exc.message_dict.values() for m in ms),
                }
            )
        rows.append(row)
    if errors:
        raise ValidationError({"team": errors})
    FilingMember.objects.bulk_create(rows)


def _detect_change_kinds(filing: Filing) -> None:
    """Which kinds of change the report makes, found by comparing it with the registry,
    plus what the reporter ticked."""
    account = filing.account
    kinds = set(filing.change_kinds or ())
    if filing.account_name != account.name:
        kinds.add("name")
    if any(getattr(filing, n) != getattr(account, n) for n in OPERATION_FIELDS) or (
        filing.guiding_unit_id != account.guiding_unit_id
    ):
        kinds.add("operation")
    current = {(m.role, m.person.name) for m in account.members.select_related("person")}
    proposed = {(m.role, m.name) for m in filing.members.all()}
    if filing.responsible_name and not any(
        role == TeamRole.FIRST_RESPONSIBLE for role, _n in proposed
    ):
        proposed.add((TeamRole.FIRST_RESPONSIBLE, filing.responsible_name))
    responsible_changed = {x for x in current ^ proposed if x[0] in RESPONSIBLE_ROLES}
    if responsible_changed:
        kinds.add("responsible")
    if {x for x in current ^ proposed if x[0] not in RESPONSIBLE_ROLES}:
        kinds.add("team")
    filing.change_kinds = sorted(kinds)
    filing.save(update_fields=["change_kinds", "updated_at"])


def _kind_labels(kinds) -> list[str]:
    from beian.core.policy import CHANGE_KINDS

    return [CHANGE_KINDS.get(k, k) for k in sorted(kinds)]


def _attach(filing: Filing, actor: User, upload, kind: str) -> FilingAttachment:
    checked = check_upload(upload)
    name = f"{filing.pk}-{checked.sha256[:16]}.{checked.extension}"
    attachment = FilingAttachment(
        filing=filing,
        kind=AttachmentKind(kind),
        original_name=(getattr(upload, "name", "") or "")[-255:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _record(
        filing,
        actor,
        EventAction.ATTACHED,
        AuditEventType.UPDATE,
        detail={
            "kind": attachment.kind,
            "name": attachment.original_name,
            "sha256": checked.sha256,
        },
    )
    if kind == AttachmentKind.STAMPED_FORM and filing.status == FilingStatus.APPROVED:
        holders = [u for u in office_holders("school_admin", filing) if u.pk != actor.pk]
        notify(
            holders,
            _("%(kind)s《%(name)s》已上传盖章备案表扫描件") % _words(filing),
            link=_link(filing),
            filing=filing,
        )
    return attachment


def _record(
    filing: Filing,
    actor: User | None,
    action: str,
    event: str,
    *,
    step: str = "",
    comment: str = "",
    detail: dict | None = None,
) -> FilingEvent:
    """One timeline entry and one audit row, in the caller's transaction."""
    entry = FilingEvent.objects.create(
        filing=filing,
        actor=actor,
        action=action,
        round=filing.round,
        step=step,
        comment=comment,
        detail=detail or {},
    )
    audit(
        event=event,
        actor=actor,
        obj=filing,
        detail={
            "action": str(action),
            "status": str(filing.status),
            "round": filing.round,
            **({"step": step} if step else {}),
            **({"comment": comment} if comment else {}),
            **(detail or {}),
        },
    )
    return entry


def _snapshot(filing: Filing) -> dict[str, Any]:
    return {name: getattr(filing, name) for name in FORM_FIELDS}


def _summary(filing: Filing) -> dict[str, Any]:
    return {
        "kind": filing.kind,
        "name": filing.account_name,
        "unit": str(filing.owner_unit),
        "tier": filing.tier,
    }


def _team_text(filing: Filing) -> str:
    return "、".join(f"{m.get_role_display()}：{m.name}" for m in filing.members.all())


def _words(filing: Filing, **extra) -> dict[str, str]:
    return {
        "kind": filing.get_kind_display(),
        "name": filing.account_name,
        "unit": str(filing.owner_unit),
        **{k: str(v) for k, v in extra.items()},
    }


def _link(filing: Filing) -> str:
    return reverse("filings:detail", args=[filing.pk])
