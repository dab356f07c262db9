"""What an approved request writes to the registry: registering the account with its
number, registering a group, applying a change, closing an account or dissolving a group,
and the account's 备案状态 while a late filing waits.

All of it is written by the registry's services (`account_create`, `account_update`,
`account_close`, `group_update`, `group_dissolve`) under the filing's authority
(`Authority.filing`): the chain decided it, so the personal edit rights those services check
for direct edits do not apply, and the history, the audit row and the compliance re-check
come from the one write path."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.validators import normalize_phone
from beian.orgs.models import Person, Unit
from beian.registry import services as registry
from beian.registry.authority import Authority
from beian.registry.choices import FilingState, TeamRole
from beian.registry.models import MediaAccount
from beian.users.models import User

from ..choices import EventAction, FilingKind
from ..models import Filing, FilingMember
from .common import record
from .content import OPERATION_FIELDS
from .numbering import next_registration_number


def take_effect(filing: Filing, actor: User) -> None:
    """What the approved (or recorded) request writes to the registry, by its kind."""
    if filing.kind in (FilingKind.NEW, FilingKind.LATE):
        _register_account(filing, actor)
    elif filing.kind == FilingKind.GROUP:
        _register_group(filing, actor)
    elif filing.kind == FilingKind.CHANGE:
        _apply_change(filing, actor)
    elif filing.kind == FilingKind.CLOSING:
        _close_record(filing, actor)


def _register_account(filing: Filing, actor: User) -> None:
    number = next_registration_number(tier=filing.tier, on=filing.approved_on)
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
    record(filing, actor, EventAction.REGISTERED, AuditEventType.UPDATE, detail={"number": number})


def _register_group(filing: Filing, actor: User) -> None:
    registry.group_update(
        actor=actor,
        group=filing.group,
        data={"registered": True},
        authority=Authority.filing(filing),
    )
    record(filing, actor, EventAction.REGISTERED, AuditEventType.UPDATE)


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
    record(filing, actor, EventAction.APPLIED, AuditEventType.UPDATE)


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
    record(filing, actor, EventAction.CLOSED, AuditEventType.CLOSE, comment=reason)


def set_account_filing_state(account: MediaAccount, state: str, actor: User) -> None:
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
