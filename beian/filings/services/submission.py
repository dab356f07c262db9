"""Opening a request and taking it to its chain: the applicant creates it (a filing of a
new account, a late filing (补办), a group filing, a change report or a closing), corrects
it while it is a draft or returned, submits it and may withdraw it until it is decided.

At submission the chain is computed from the policy and planned so that every step has an
eligible approver other than the applicant (`chains.plan_chain`); a change report that
needs no approval is recorded, and takes effect, at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import changed_fields
from beian.core.choices import AuditEventType
from beian.core.policy import get_policy
from beian.orgs.models import Unit
from beian.registry.choices import FilingState
from beian.registry.models import ChatGroup, MediaAccount
from beian.users.models import User

from .. import chains, selectors
from ..choices import EventAction, FilingKind, FilingStatus
from ..models import Filing, FilingStep
from ..workflow import chain_for_filing, check_transition, second_level_unit
from .attachments import attach
from .common import check_applicant, lock, record
from .content import (
    Team,
    accept_pledge,
    assign,
    check_complete,
    check_keys,
    detect_change_kinds,
    snapshot,
    summary,
    team_text,
    tier_of,
    validate,
    write_team,
)
from .decisions import activate, finish, stop_round
from .records import set_account_filing_state

#: A record has at most one request under way, in one of these states.
_OPEN = (FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED)


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
    check_keys(fields)
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

    assign(filing, fields)
    filing.tier = tier_of(filing)
    filing.second_unit = second_level_unit(filing.owner_unit)
    accept_pledge(filing, actor, pledge_accepted)
    validate(filing)
    filing.save()
    write_team(filing, team or ())
    if kind == FilingKind.CHANGE:
        detect_change_kinds(filing)
    record(filing, actor, EventAction.CREATED, AuditEventType.CREATE, detail=summary(filing))
    for attachment_kind, upload in attachments:
        attach(filing, actor, upload, attachment_kind)
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
    filing = lock(filing)
    check_applicant(filing, actor)
    check_transition(filing.status, "update")
    fields = dict(fields)
    check_keys(fields)
    fixed = {"owner_unit", "platform", "is_personal"} if filing.kind != FilingKind.NEW else set()
    if filing.kind == FilingKind.NEW and "owner_unit" in fields:
        unit = fields["owner_unit"]
        if not isinstance(unit, Unit) or not selectors.can_apply_in_unit(actor, unit):
            raise PermissionDenied(_("您不能为该单位申请备案"))
    before = snapshot(filing)
    before["team"] = team_text(filing)
    assign(filing, {k: v for k, v in fields.items() if k not in fixed})
    if filing.kind in (FilingKind.CLOSING, FilingKind.GROUP):
        filing.account_name = (filing.account or filing.group).name
    filing.tier = tier_of(filing)
    filing.second_unit = second_level_unit(filing.owner_unit)
    accept_pledge(filing, actor, pledge_accepted)
    validate(filing)
    filing.save()
    if team is not None:
        filing.members.all().delete()
        write_team(filing, team)
    if filing.kind == FilingKind.CHANGE:
        detect_change_kinds(filing)
    after = snapshot(filing)
    after["team"] = team_text(filing)
    changes = changed_fields(before, after)
    record(filing, actor, EventAction.UPDATED, AuditEventType.UPDATE, detail={"changes": changes})
    return filing


# --- the transitions --------------------------------------------------------------------


@transaction.atomic
def filing_submit(*, filing: Filing, actor: User) -> Filing:
    """Send a draft or a returned request to its chain. The chain is computed from the
    policy now; a returned request starts a new round from the first step. A change
    report that needs no approval is recorded (and applied) at once."""
    filing = lock(filing)
    check_applicant(filing, actor)
    check_transition(filing.status, "submit")
    policy = get_policy()
    today = timezone.localdate()
    resubmission = filing.round > 0
    check_complete(filing, policy)

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
        record(filing, actor, action, AuditEventType.UPDATE, detail=detail)
        return finish(filing, actor, recorded=True)

    check_transition(filing.status, "submit", FilingStatus.PENDING)
    FilingStep.objects.bulk_create(
        [
            FilingStep(filing=filing, round=filing.round, position=i, step=step)
            for i, step in enumerate(chain)
        ]
    )
    filing.status = FilingStatus.PENDING
    activate(filing, 0, extra_fields=[*fields, "status"])
    if filing.kind == FilingKind.LATE:
        set_account_filing_state(filing.account, FilingState.PENDING, actor)
    record(filing, actor, action, AuditEventType.UPDATE, detail=detail)
    return filing


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor: User, reason: str = "") -> Filing:
    """The applicant withdraws a request that is not yet decided."""
    filing = lock(filing)
    check_applicant(filing, actor)
    check_transition(filing.status, "withdraw", FilingStatus.WITHDRAWN)
    stop_round(filing, FilingStatus.WITHDRAWN)
    if filing.kind == FilingKind.LATE and filing.round:
        set_account_filing_state(filing.account, FilingState.UNFILED, actor)
    record(
        filing, actor, EventAction.WITHDRAWN, AuditEventType.UPDATE, comment=(reason or "").strip()
    )
    return filing


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
