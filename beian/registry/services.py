"""Writes to the registry. Every change of an account, a group or a team goes through one of
these services: each checks who may do it, validates the row as the database will, saves it
with its history user and reason, and writes the audit row, all in one transaction.

    account_create / account_update / account_team_replace / account_close / account_set_tier
    group_create / group_update / group_dissolve
    accounts_bulk_upsert / groups_bulk_upsert (imports, the demo loader: `registry.bulk`)

Each takes the `authority` it acts on (`registry.authority.Authority`: a direct decision by
default; an approved filing, an import batch, an inspection). Under a procedure's authority
(a filing's approval chain, an inspection's grading) the actor's personal edit rights are
not checked again; the authority is written into the history row's reason and the audit
row. Every write announces the records it touched (`beian.core.hooks.records_changed`), so
compliance re-checks them once the transaction commits.

Accounts and groups are never deleted: they are closed (注销) or dissolved (解散) with a date
and a reason, and stay in history and in reports. Closing a filed account directly is
refused where the policy routes its closing through approval (`ClosingNeedsApproval`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import audit, changed_fields
from beian.core.choices import AuditEventType
from beian.core.hooks import records_changed
from beian.core.policy import get_policy
from beian.orgs.models import Person, Unit

from .activity import account_activity_record
from .authority import Authority, ClosingNeedsApproval, account_closing_chain
from .choices import AccountStatus, ActivitySource, FilingState, GroupStatus, TeamRole, Tier
from .models import AccountMember, ChatGroup, GroupMember, MediaAccount
from .selectors import record_team, selectable_people
from .spec import (
    ACCOUNT_AUDITED,
    ACCOUNT_FIELDS,
    ACCOUNT_MANAGER_FIELDS,
    ACCOUNT_SCHOOL_FIELDS,
    GROUP_AUDITED,
    GROUP_FIELDS,
    GROUP_MANAGER_FIELDS,
    derive_tier,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "ACCOUNT_MANAGER_FIELDS",
    "ACCOUNT_SCHOOL_FIELDS",
    "GROUP_FIELDS",
    "GROUP_MANAGER_FIELDS",
    "Authority",
    "ClosingNeedsApproval",
    "account_close",
    "account_create",
    "account_rule_errors",
    "account_set_tier",
    "account_team_replace",
    "account_update",
    "derive_tier",
    "group_create",
    "group_dissolve",
    "group_rule_errors",
    "group_update",
]

Team = Iterable[tuple[str, Person]]
DIRECT = Authority.direct()

# Rows snapshotted for audit diffs: the editable fields plus what services derive.
_ACCOUNT_AUDITED = ACCOUNT_AUDITED
_GROUP_AUDITED = GROUP_AUDITED


# --- rules shared with the forms -----------------------------------------------------


def account_rule_errors(account: MediaAccount) -> dict[str, str]:
    """Rules of one account row that the model does not state itself."""
    errors: dict[str, str] = {}
    this_month = timezone.localdate().replace(day=1)
    if account.verified and not account.verified_month:
        errors["verified_month"] = _("已认证的账号请填写认证时间")
    if not account.verified and account.verified_month:
        errors["verified"] = _("填写了认证时间，请勾选“已认证”")
    for name in ("created_month", "verified_month"):
        value = getattr(account, name)
        if value and value > this_month:
            errors[name] = _("年月不能晚于本月")
    if account.last_post_date and account.last_post_date > timezone.localdate():
        errors["last_post_date"] = _("最近发布日期不能晚于今天")
    if account.audience is not None and account.audience < 0:
        errors["audience"] = _("关注人数不能为负数")
    return errors


def group_rule_errors(group: ChatGroup) -> dict[str, str]:
    """Rules of one chat-group row that the model does not state itself (or states only as
    a constraint, whose message would not say which field is wrong)."""
    errors: dict[str, str] = {}
    if group.created_month and group.created_month > timezone.localdate().replace(day=1):
        errors["created_month"] = _("年月不能晚于本月")
    if (group.outside_member_count or 0) > (group.member_count or 0):
        errors["outside_member_count"] = _("校外人员人数不能多于群人数")
    if not group.has_outside_members and group.outside_member_count:
        errors["has_outside_members"] = _("填写了校外人员人数，请勾选“有校外人员”")
    if not group.is_temporary and group.temporary_until:
        errors["is_temporary"] = _("填写了截止日期，请勾选“临时群”")
    return errors


# --- accounts ------------------------------------------------------------------------


@transaction.atomic
def account_create(
    *,
    actor,
    data: Mapping[str, Any],
    team: Team = (),
    authority: Authority = DIRECT,
    created_by=None,
) -> MediaAccount:
    """Register an account in a unit the actor administers (the school admin: any unit;
    under an approved filing: the filing's unit). Its tier follows from the owning unit
    (`derive_tier`) unless the school admin sets another with a reason (`data["tier"]`,
    `data["tier_override_reason"]`)."""
    data = dict(data)
    tier = data.pop("tier", None)
    reason = (data.pop("tier_override_reason", "") or "").strip()
    _check_keys(data, ACCOUNT_FIELDS)
    if not authority.decided:
        _check_new_record_unit(actor, data.get("owner_unit"), _("您不能在该单位登记账号"))
        if not actor.is_school_admin and (
            data.get("filing_state", FilingState.UNFILED) != FilingState.UNFILED
            or data.get("registration_number")
        ):
            raise PermissionDenied(_("备案状态和备案编号只能由宣传部填写"))
    elif not isinstance(data.get("owner_unit"), Unit):
        raise ValidationError({"owner_unit": _("请选择管理单位")})
    if data.get("status") == AccountStatus.CLOSED:
        raise ValidationError({"status": _("新登记的账号不能是已注销状态")})

    posted_on = _pop_last_post(data)
    account = MediaAccount(created_by=created_by or actor)
    _assign(account, data)
    account.tier = _derived(account)
    if tier is not None and int(tier) != account.tier:
        if not actor.is_school_admin:
            raise PermissionDenied(_("只有宣传部可以调整账号分级"))
        if not reason:
            raise ValidationError({"tier_override_reason": _("调整分级须填写理由")})
        account.tier, account.tier_override_reason = int(tier), reason
    _validate(account, account_rule_errors, authority=authority)
    _save_audited(account, AccountMember, team, actor, fields=_ACCOUNT_AUDITED, authority=authority)
    return _report_last_post(actor, account, posted_on)


@transaction.atomic
def account_update(
    *,
    actor,
    account: MediaAccount,
    data: Mapping[str, Any],
    team: Team | None = None,
    authority: Authority = DIRECT,
) -> MediaAccount:
    """Change an account's fields and, when `team` is given, replace its team.

    Unit admins and the school admin may change anything in their scope, incl. moving the
    account to another unit they administer; an operator on the team may correct the
    account but not move it or change what its tier follows from. Under an approved
    filing (a late filing's registration, a change report) the chain has decided: the
    fields of the filing are applied whoever pressed the last button. When the owning
    unit or the personal flag changes, the tier is derived again unless a recorded
    override stands.
    """
    data = dict(data)
    _check_keys(data, ACCOUNT_FIELDS)
    account = _lock_for(MediaAccount, account, actor, authority)
    if account.is_closed:
        raise ValidationError(_("已注销的账号不能修改"))
    if data.get("status") == AccountStatus.CLOSED:
        raise ValidationError({"status": _("请使用“注销”操作注销账号")})
    posted_on = _pop_last_post(data)
    before = _audited_state(account, _ACCOUNT_AUDITED)
    old_unit_id, old_derived = account.owner_unit_id, _derived(account)

    _assign(account, data)
    touched = {k for k in data if _differs(before.get(k), getattr(account, k))}
    if not authority.decided:
        if touched & ACCOUNT_MANAGER_FIELDS and not actor.can_edit_in_unit(old_unit_id):
            raise PermissionDenied(_("只有单位管理员可以修改所属单位、个人名义或官方账号标记"))
        if account.owner_unit_id != old_unit_id and not actor.can_edit_in_unit(
            account.owner_unit_id
        ):
            raise PermissionDenied(_("您不能把账号转到该单位"))
        if touched & ACCOUNT_SCHOOL_FIELDS and not actor.is_school_admin:
            raise PermissionDenied(_("备案状态和备案编号只能由宣传部填写"))
    if _derived(account) != old_derived:
        _rederive_tier(account)

    _validate(account, account_rule_errors, authority=authority, touched=touched)
    _save_audited(
        account,
        AccountMember,
        team,
        actor,
        fields=_ACCOUNT_AUDITED,
        before=before,
        authority=authority,
    )
    return _report_last_post(actor, account, posted_on)


def _pop_last_post(data: dict):
    """A last post date typed in the account form is an operator's activity claim: it is
    recorded through the activity evidence (registry/activity.py), never written over the
    summary directly, so a typed date cannot erase a stronger source's claim."""
    data.pop("last_post_source", None)
    return data.pop("last_post_date", None)


def _report_last_post(actor, account: MediaAccount, posted_on):
    if posted_on is None or posted_on == account.last_post_date:
        return account
    try:
        return account_activity_record(
            actor=actor, account=account, on=posted_on, source=ActivitySource.OPERATOR
        )
    except ValidationError as exc:
        raise ValidationError({"last_post_date": exc.messages}) from exc


@transaction.atomic
def account_team_replace(
    *, actor, account: MediaAccount, team: Team, authority: Authority = DIRECT
) -> MediaAccount:
    """Make the account's team exactly `team` ((role, person) pairs), with history rows for
    who left and who joined and one audit row. By hand, new people must be visible to the
    actor; under an approved filing the filing's team is taken as approved."""
    return account_update(actor=actor, account=account, data={}, team=team, authority=authority)


@transaction.atomic
def account_close(
    *,
    actor,
    account: MediaAccount,
    on: date,
    reason: str,
    authority: Authority = DIRECT,
) -> MediaAccount:
    """Close (注销) an account: status 已注销 with the date and the reason. The row stays,
    with its history, for reports.

    By hand or by an import: the school admin or the owning unit's admin only, and only
    where the policy does not route the closing through approval — a filed account whose
    closing chain has steps raises `ClosingNeedsApproval` (the caller opens a closing
    request instead). Under an approved closing request or an inspection's grading the
    account is closed as decided."""
    account = _lock_for(MediaAccount, account, actor, authority)
    if not authority.decided:
        if not actor.can_edit_in_unit(account.owner_unit_id):
            raise PermissionDenied(_("只有单位管理员或宣传部可以注销账号"))
        chain = account_closing_chain(account)
        if chain and not account.is_closed:
            raise ClosingNeedsApproval(account, chain)
    if account.is_closed:
        raise ValidationError(_("该账号已经注销"))
    reason = (reason or "").strip()
    _check_end(on, reason, "closed_on", "closed_reason", _("注销"), authority)
    before = _snapshot(account, _ACCOUNT_AUDITED)
    account.status, account.closed_on, account.closed_reason = (
        AccountStatus.CLOSED,
        on,
        reason[:255],
    )
    _validate(account, account_rule_errors, authority=authority, touched={"status"})
    _save(account, actor, reason=authority.reason(_("注销：%(reason)s") % {"reason": reason}))
    audit(
        event=AuditEventType.CLOSE,
        actor=actor,
        obj=account,
        detail={
            "authority": authority.detail(),
            "reason": reason,
            "changes": changed_fields(before, _snapshot(account, _ACCOUNT_AUDITED)),
        },
    )
    return account


def account_close_needs_approval(account: MediaAccount) -> bool:
    """Whether closing the account directly would be refused (see `account_close`)."""
    return not account.is_closed and bool(account_closing_chain(account))


@transaction.atomic
def account_set_tier(*, actor, account: MediaAccount, tier: int, reason: str) -> MediaAccount:
    """The school admin sets an account's tier. A tier other than the derived one
    (`derive_tier`) needs a recorded reason; setting the derived tier back clears the
    override."""
    if not actor.is_school_admin:
        raise PermissionDenied(_("只有宣传部可以调整账号分级"))
    account = _lock_editable(MediaAccount, account, actor)
    if account.is_closed:
        raise ValidationError(_("已注销的账号不能修改"))
    try:
        tier = Tier(int(tier))
    except (TypeError, ValueError) as exc:
        raise ValidationError({"tier": _("账号分级只能是一级、二级或三级")}) from exc
    reason = (reason or "").strip()
    derived = _derived(account)
    if tier != derived and not reason:
        raise ValidationError(
            {"tier_override_reason": _("与按单位类型确定的分级不同，须填写调整理由")}
        )
    before = _snapshot(account, _ACCOUNT_AUDITED)
    account.tier = tier
    account.tier_override_reason = reason if tier != derived else ""
    _validate(account, account_rule_errors)
    _save(account, actor, reason=_("调整分级：%(reason)s") % {"reason": reason or tier.label})
    changes = changed_fields(before, _snapshot(account, _ACCOUNT_AUDITED))
    if changes:
        audit(event=AuditEventType.UPDATE, actor=actor, obj=account, detail={"changes": changes})
    return account


def _derived(account: MediaAccount) -> int:
    return derive_tier(unit_kind=account.owner_unit.kind, is_personal=account.is_personal)


def _rederive_tier(account: MediaAccount) -> None:
    """After a move or a change of the personal flag: the derived tier, unless a recorded
    override stands (it is kept, and dropped once it equals the derived tier)."""
    derived = _derived(account)
    if account.tier_override_reason and account.tier != derived:
        return
    account.tier = derived
    account.tier_override_reason = ""


# --- chat groups ---------------------------------------------------------------------


@transaction.atomic
def group_create(
    *, actor, data: Mapping[str, Any], team: Team = (), authority: Authority = DIRECT
) -> ChatGroup:
    """Register a chat group in a unit the actor administers (the school admin: any)."""
    data = dict(data)
    _check_keys(data, GROUP_FIELDS)
    if not authority.decided:
        _check_new_record_unit(actor, data.get("owner_unit"), _("您不能在该单位登记群聊"))
    if data.get("status") == GroupStatus.DISSOLVED:
        raise ValidationError({"status": _("新登记的群聊不能是已解散状态")})
    group = ChatGroup(created_by=actor)
    _assign(group, data)
    if not authority.decided:
        _check_creator(actor, group, None)
        _check_registered_by_hand(group, was_registered=False)
    _validate(group, group_rule_errors, authority=authority)
    _save_audited(group, GroupMember, team, actor, fields=_GROUP_AUDITED, authority=authority)
    return group


@transaction.atomic
def group_update(
    *,
    actor,
    group: ChatGroup,
    data: Mapping[str, Any],
    team: Team | None = None,
    authority: Authority = DIRECT,
) -> ChatGroup:
    """Change a group's fields and, when `team` is given, replace its admins. An operator
    on the team may correct it but not move it to another unit or mark it registered;
    an approved group filing marks it registered (`data={"registered": True}`)."""
    data = dict(data)
    _check_keys(data, GROUP_FIELDS)
    group = _lock_for(ChatGroup, group, actor, authority)
    if group.is_dissolved:
        raise ValidationError(_("已解散的群聊不能修改"))
    if data.get("status") == GroupStatus.DISSOLVED:
        raise ValidationError({"status": _("请使用“解散”操作解散群聊")})
    before = _audited_state(group, _GROUP_AUDITED)
    old_unit_id, old_creator_id = group.owner_unit_id, group.creator_id
    _assign(group, data)
    touched = {k for k in data if _differs(before.get(k), getattr(group, k))}
    if not authority.decided:
        _check_creator(actor, group, old_creator_id)
        if touched & GROUP_MANAGER_FIELDS and not actor.can_edit_in_unit(old_unit_id):
            raise PermissionDenied(_("只有单位管理员可以修改所属单位或报备状态"))
        if group.owner_unit_id != old_unit_id and not actor.can_edit_in_unit(group.owner_unit_id):
            raise PermissionDenied(_("您不能把群聊转到该单位"))
        _check_registered_by_hand(group, was_registered=before.get("registered", False))
    _validate(group, group_rule_errors, authority=authority, touched=touched)
    _save_audited(
        group,
        GroupMember,
        team,
        actor,
        fields=_GROUP_AUDITED,
        before=before,
        authority=authority,
    )
    return group


def _check_registered_by_hand(group: ChatGroup, *, was_registered: bool) -> None:
    """Under `[filing] groups_require_filing` a group becomes 已报备 only through an
    approved group filing; ticking the box by hand (form or sheet) is refused."""
    if group.registered and not was_registered and get_policy().filing.groups_require_filing:
        raise ValidationError(
            {
                "registered": _(
                    "本校规定群聊须经报备审批后方为“已报备”，请为该群聊提交报备申请，不能直接勾选"
                )
            }
        )


@transaction.atomic
def group_dissolve(
    *, actor, group: ChatGroup, on: date, reason: str, authority: Authority = DIRECT
) -> ChatGroup:
    """Dissolve (解散) a group: status 已解散 with the date and the reason; the row stays.
    By hand or by an import: the school admin or the owning unit's admin only; under an
    approved closing request, as decided. A group's end needs no approval of its own
    (groups are registered, not filed with a chain that closing would have to pass)."""
    group = _lock_for(ChatGroup, group, actor, authority)
    if not authority.decided and not actor.can_edit_in_unit(group.owner_unit_id):
        raise PermissionDenied(_("只有单位管理员或宣传部可以解散群聊"))
    if group.is_dissolved:
        raise ValidationError(_("该群聊已经解散"))
    reason = (reason or "").strip()
    _check_end(on, reason, "dissolved_on", "dissolved_reason", _("解散"), authority)
    before = _snapshot(group, _GROUP_AUDITED)
    group.status, group.dissolved_on, group.dissolved_reason = (
        GroupStatus.DISSOLVED,
        on,
        reason[:255],
    )
    _validate(group, group_rule_errors, authority=authority, touched={"status"})
    _save(group, actor, reason=authority.reason(_("解散：%(reason)s") % {"reason": reason}))
    audit(
        event=AuditEventType.CLOSE,
        actor=actor,
        obj=group,
        detail={
            "authority": authority.detail(),
            "reason": reason,
            "changes": changed_fields(before, _snapshot(group, _GROUP_AUDITED)),
        },
    )
    return group


# --- helpers -------------------------------------------------------------------------


def _check_keys(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _check_new_record_unit(actor, unit, message: str) -> None:
    if not isinstance(unit, Unit):
        raise ValidationError({"owner_unit": _("请选择管理单位")})
    if not actor.can_edit_in_unit(unit.pk):
        raise PermissionDenied(message)


def _check_creator(actor, group: ChatGroup, old_creator_id) -> None:
    """A group's creator is chosen from the people the actor can see."""
    if (
        group.creator_id
        and group.creator_id != old_creator_id
        and not selectable_people(actor, group).filter(pk=group.creator_id).exists()
    ):
        raise PermissionDenied(_("不能添加您无权查看的人员"))


def _lock_for(model, record, actor, authority: Authority):
    """The current row, locked: under a procedure's authority whatever the actor's rights,
    else only when the actor may edit it."""
    if authority.decided:
        return model.objects.select_for_update(of=("self",)).get(pk=record.pk)
    return _lock_editable(model, record, actor)


def _lock_editable(model, record, actor):
    """The current row, locked; PermissionDenied unless the actor may edit it."""
    row = (
        model.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .filter(pk=record.pk)
        .first()
    )
    if row is None:
        raise PermissionDenied(_("您无权修改该记录"))
    return row


def _assign(instance, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, str) and key not in ("columns", "introduction"):
            value = value.strip()
        setattr(instance, key, value)


def _check_end(
    on, reason: str, date_field: str, reason_field: str, verb: str, authority: Authority
) -> None:
    errors = {}
    if not on:
        errors[date_field] = _("请填写%(verb)s日期") % {"verb": verb}
    elif on > timezone.localdate() and not authority.decided:
        errors[date_field] = _("%(verb)s日期不能晚于今天") % {"verb": verb}
    if not reason:
        errors[reason_field] = _("请填写%(verb)s原因") % {"verb": verb}
    if errors:
        raise ValidationError(errors)


def _validate(
    instance, rules, *, authority: Authority = DIRECT, touched: set[str] | None = None
) -> None:
    """The model's own validation (fields, clean(), constraints with their Chinese
    messages) and the service's row rules, reported together.

    Under a procedure's authority the values were checked when they were submitted (a
    filing's form, which may name a go-live month still ahead): only the model's own
    validation applies, and on an existing record only to the fields being written, so
    that an old flaw elsewhere in the row cannot block an approval."""
    errors: dict[str, list] = {}
    try:
        instance.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if not authority.decided:
        for name, message in rules(instance).items():
            errors.setdefault(name, []).append(message)
    elif touched is not None and instance.pk is not None:
        errors = {k: v for k, v in errors.items() if k in touched or k == NON_FIELD_ERRORS}
    if errors:
        raise ValidationError(errors)


def _save(instance, actor, reason: str | None = None) -> None:
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()
    kind = "accounts" if isinstance(instance, MediaAccount) else "groups"
    records_changed(**{kind: [instance.pk]})


def _audited_state(record, fields) -> dict[str, Any]:
    """What the audit row compares: the record's audited fields and its team as text."""
    state = _snapshot(record, fields)
    state["team"] = _team_text(record)
    return state


def _save_audited(
    record, member_model, team, actor, *, fields, before=None, authority: Authority = DIRECT
) -> None:
    """Save the record and, when `team` is given, replace its team; then one audit row: a
    creation (every non-empty field) when `before` is None, else the changed fields."""
    _save(record, actor, reason=authority.reason() if authority != DIRECT else None)
    if team is not None:
        _replace_team(record, member_model, team, actor, check_people=not authority.decided)
    after = _audited_state(record, fields)
    if before is None:
        event, changes = AuditEventType.CREATE, changed_fields({}, _non_empty(after))
    else:
        event, changes = AuditEventType.UPDATE, changed_fields(before, after)
    if changes or before is None:
        detail: dict[str, Any] = {"changes": changes}
        if authority != DIRECT:
            detail["authority"] = authority.detail()
        audit(event=event, actor=actor, obj=record, detail=detail)


def _replace_team(record, member_model, team: Team, actor, *, check_people: bool = True) -> None:
    """Make the record's team exactly `team` (role, person) pairs: members who left are
    removed and newcomers added, each with a history row. New people must be visible to
    the actor; a person twice in one role is refused."""
    wanted: list[tuple[str, Person]] = []
    seen: set[tuple[str, int]] = set()
    roles = dict(TeamRole.choices)
    for role, person in team:
        if role not in roles:
            raise ValidationError(_("无效的职能：%(role)s") % {"role": role})
        key = (role, person.pk)
        if key in seen:
            raise ValidationError(
                _("%(person)s 在“%(role)s”中重复出现") % {"person": person, "role": roles[role]}
            )
        seen.add(key)
        wanted.append((role, person))
    current = {(m.role, m.person_id): m for m in record.members.all()}
    new_ids = {pk for (_role, pk) in seen - set(current)}
    if new_ids and check_people:
        allowed = set(
            selectable_people(actor, record).filter(pk__in=new_ids).values_list("pk", flat=True)
        )
        if new_ids - allowed:
            raise PermissionDenied(_("不能添加您无权查看的人员"))
    for key, member in current.items():
        if key not in seen:
            member._history_user = actor
            member.delete()
    for role, person in wanted:
        if (role, person.pk) not in current:
            member = member_model(record=record, role=role, person=person)
            member._history_user = actor
            member.save()


def _team_text(record) -> str:
    return "、".join(f"{m.get_role_display()}：{m.person.name}" for m in record_team(record))


def _snapshot(instance, fields: Iterable[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        value = getattr(instance, name)
        if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
            value = value.name or ""
        values[name] = value
    return values


def _non_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", False)}


def _differs(before, after) -> bool:
    if hasattr(after, "storage"):
        after = after.name or ""
    return before != after
