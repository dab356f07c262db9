"""Graduation hand-over (毕业交接). Student-run accounts and groups change hands every
summer: when the roster marks a person 毕业 or 离职 (the person form or the roster import,
both through the orgs services, which announce `records_changed(people=...)`), every
account and group on which that person is responsible, admin, operator, reviewer or
(for groups) creator joins its unit's hand-over list, due within `[handover] within`.

The unit hands the role to someone else (a change report through the filings services for
an account; the group's admins / creator through the registry's services) or closes the
record (a closing request, or the registry's close / dissolve). A case left open past its
due date is the compliance finding `handover_overdue`. In the policy's month
(`[handover] month`, June) the daily task sweeps every leaving person still on a record.

    handover_cases_open(person_ids=[...])       # after a roster change; idempotent
    handover_hand_over(actor=..., case=..., successor=person)
    handover_close(actor=..., case=..., reason=...)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.hooks import records_changed
from beian.core.policy import get_policy
from beian.orgs.choices import PersonStatus
from beian.orgs.models import Person
from beian.registry.choices import AccountStatus, GroupStatus, TeamRole
from beian.registry.models import AccountMember, ChatGroup, GroupMember, MediaAccount

from .choices import HandoverRole, HandoverState
from .models import HandoverCase

LEAVING = (PersonStatus.GRADUATED, PersonStatus.LEFT)
#: The roles whose holder must be replaced when they leave.
WATCHED_ROLES = (
    TeamRole.SUPERVISOR,
    TeamRole.FIRST_RESPONSIBLE,
    TeamRole.RESPONSIBLE,
    TeamRole.ADMIN,
    TeamRole.OPERATOR,
    TeamRole.REVIEWER,
    TeamRole.STUDENT_LEAD,
)
SYSTEM = "system:handover"


def people_changed_listener(*, accounts=(), groups=(), people=(), units=()) -> None:
    """`core.hooks` listener: people saved by the orgs services or the roster import are
    looked at once the write commits."""
    people = list(people)
    if people:
        transaction.on_commit(lambda: handover_cases_open(person_ids=people))


def _holdings(person_ids: Iterable[int] | None) -> dict[tuple[str, int, int], set[str]]:
    """{("account"|"group", record id, person id): roles} of leaving people on live records."""
    leaving = Person.objects.filter(status__in=LEAVING)
    if person_ids is not None:
        leaving = leaving.filter(pk__in=list(person_ids))
    leaving_ids = list(leaving.values_list("pk", flat=True))
    found: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    if not leaving_ids:
        return found
    for start in range(0, len(leaving_ids), 500):
        batch = leaving_ids[start : start + 500]
        for record_id, person_id, role in (
            AccountMember.objects.filter(person_id__in=batch, role__in=list(WATCHED_ROLES))
            .exclude(record__status=AccountStatus.CLOSED)
            .values_list("record_id", "person_id", "role")
        ):
            found["account", record_id, person_id].add(role)
        for record_id, person_id, role in (
            GroupMember.objects.filter(person_id__in=batch, role__in=list(WATCHED_ROLES))
            .filter(record__status=GroupStatus.ACTIVE)
            .values_list("record_id", "person_id", "role")
        ):
            found["group", record_id, person_id].add(role)
        for record_id, person_id in ChatGroup.objects.filter(
            creator_id__in=batch, status=GroupStatus.ACTIVE
        ).values_list("pk", "creator_id"):
            found["group", record_id, person_id].add(HandoverRole.CREATOR)
    return found


@transaction.atomic
def handover_cases_open(
    *, person_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> int:
    """Put on the hand-over lists every live record held by a leaving person (of
    `person_ids`, or all of them) that is not there yet; settle the open cases whose person
    is back in post or no longer on the record. Returns how many cases were opened."""
    today = today or timezone.localdate()
    policy = get_policy()
    person_ids = None if person_ids is None else sorted(set(person_ids))
    holdings = _holdings(person_ids)

    open_cases = HandoverCase.objects.select_for_update().filter(state=HandoverState.OPEN)
    if person_ids is not None:
        open_cases = open_cases.filter(person_id__in=person_ids)
    existing = {}
    for case in open_cases:
        kind = "account" if case.account_id else "group"
        existing[kind, case.account_id or case.group_id, case.person_id] = case
    stale = [case for key, case in existing.items() if key not in holdings]
    now = timezone.now()
    for case in stale:
        case.state, case.settled_at, case.updated_at = HandoverState.SETTLED, now, now
        case.note = _("人员已恢复在岗或已不在该记录上")
    if stale:
        bulk_update_with_history(
            stale,
            HandoverCase,
            ["state", "settled_at", "updated_at", "note"],
            default_change_reason=_("无需交接"),
        )
        _announce(stale)

    new_keys = [key for key in holdings if key not in existing]
    if not new_keys:
        return 0
    account_units = dict(
        MediaAccount.objects.filter(
            pk__in=[k[1] for k in new_keys if k[0] == "account"]
        ).values_list("pk", "owner_unit_id")
    )
    group_units = dict(
        ChatGroup.objects.filter(pk__in=[k[1] for k in new_keys if k[0] == "group"]).values_list(
            "pk", "owner_unit_id"
        )
    )
    statuses = dict(
        Person.objects.filter(pk__in={k[2] for k in new_keys}).values_list("pk", "status")
    )
    due_on = policy.deadline(today, policy.handover.within)
    role_order = {role: i for i, role in enumerate(HandoverRole)}
    cases = []
    for kind, record_id, person_id in new_keys:
        cases.append(
            HandoverCase(
                person_id=person_id,
                account_id=record_id if kind == "account" else None,
                group_id=record_id if kind == "group" else None,
                unit_id=(account_units if kind == "account" else group_units)[record_id],
                roles=sorted(holdings[kind, record_id, person_id], key=role_order.get),
                person_status=statuses[person_id],
                found_on=today,
                due_on=due_on,
                created_at=now,
                updated_at=now,
            )
        )
    bulk_create_with_history(cases, HandoverCase, default_change_reason=_("人员毕业/离职"))
    audit(
        event=AuditEventType.CREATE,
        actor_name=SYSTEM,
        detail={
            "action": "handover_open",
            "cases": len(cases),
            "people": sorted({c.person_id for c in cases})[:500],
            "due_on": due_on.isoformat(),
        },
    )
    return len(cases)


def _announce(cases) -> None:
    records_changed(
        accounts=[c.account_id for c in cases if c.account_id],
        groups=[c.group_id for c in cases if c.group_id],
    )


def _lock_case(actor, case: HandoverCase) -> HandoverCase:
    case = (
        HandoverCase.objects.select_for_update(of=("self",))
        .select_related("person", "account", "group", "unit")
        .get(pk=case.pk)
    )
    if not HandoverCase.objects.actable_by(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("只有本单位管理员可以办理交接"))
    if case.state != HandoverState.OPEN:
        raise ValidationError(_("该交接事项已办结"))
    return case


@transaction.atomic
def handover_hand_over(
    *,
    actor,
    case: HandoverCase,
    successor: Person,
    effective_on: dt.date | None = None,
    note: str = "",
) -> HandoverCase:
    """Hand the leaving person's roles on the record to `successor`. For an account this
    is a change report (变更报备) through the filings services, routed and timed as the
    policy says (`[changes]`); for a group the registry's services change its admins and
    creator. The case is then 已交接 (and its finding resolves)."""
    from beian.filings import selectors as filing_selectors
    from beian.filings import services as filing_services
    from beian.registry.services import group_update

    case = _lock_case(actor, case)
    if successor is None:
        raise ValidationError({"successor": _("请选择接任人")})
    if successor.pk == case.person_id:
        raise ValidationError({"successor": _("接任人不能是离校/离职人员本人")})
    if successor.status != PersonStatus.IN_POST:
        raise ValidationError(
            {"successor": _("接任人“%(name)s”不在岗（在读）") % {"name": successor.name}}
        )
    effective_on = effective_on or timezone.localdate()
    filing = None
    if case.account_id:
        account = case.account
        team = []
        for row in filing_selectors.team_rows_of(account):
            if row["person"].pk == case.person_id:
                row = {
                    **row,
                    "person": successor,
                    "name": successor.name,
                    "identity": successor.kind,
                    "unit_name": successor.unit.name,
                    "post": successor.post,
                    "mobile": successor.mobile,
                    "qq": successor.qq,
                    "email": successor.email,
                }
            team.append(row)
        responsible = filing_selectors.responsible_of(account)
        if TeamRole.FIRST_RESPONSIBLE in case.roles:
            responsible = {
                "responsible_name": successor.name,
                "responsible_post": successor.post,
                "responsible_phone": successor.mobile,
            }
        fields = {
            "account_name": account.name,
            "external_id": account.external_id,
            "url": account.url,
            "guiding_unit": account.guiding_unit,
            "columns": account.columns,
            "update_frequency": account.update_frequency,
            "introduction": account.introduction,
            **{k: v for k, v in responsible.items() if k in _RESPONSIBLE_FIELDS},
        }
        kinds = {"responsible" if role in _RESPONSIBLE_ROLES else "team" for role in case.roles}
        filing = filing_services.change_report_create(
            actor=actor,
            account=account,
            effective_on=effective_on,
            fields=fields,
            team=team,
            declared_kinds=sorted(kinds),
            pledge_accepted=True,
        )
    else:
        group = case.group
        team = [
            (m.role, successor if m.person_id == case.person_id else m.person)
            for m in GroupMember.objects.filter(record=group).select_related("person")
        ]
        data = {}
        if group.creator_id == case.person_id:
            data["creator"] = successor
        group_update(actor=actor, group=group, data=data, team=team)
    case.state, case.successor, case.filing = HandoverState.HANDED_OVER, successor, filing
    case.settled_at, case.settled_by = timezone.now(), actor
    case.note = (note or "").strip()[:500]
    case._change_reason = _("交接给 %(name)s") % {"name": successor.name}
    case.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=case,
        detail={
            "action": "hand_over",
            "successor": successor.pk,
            "filing": filing.pk if filing else None,
            "roles": case.roles,
        },
    )
    _announce([case])
    return case


_RESPONSIBLE_ROLES = {TeamRole.SUPERVISOR, TeamRole.FIRST_RESPONSIBLE}
_RESPONSIBLE_FIELDS = {"responsible_name", "responsible_post", "responsible_phone"}


@transaction.atomic
def handover_close(*, actor, case: HandoverCase, reason: str) -> HandoverCase:
    """Instead of handing over, close the account (a closing request where the policy
    routes closings through approval, else closed now) or dissolve the group."""
    from beian.filings.services import closing_request_create
    from beian.registry.services import account_close, account_close_needs_approval, group_dissolve

    case = _lock_case(actor, case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写注销/解散原因")})
    today = timezone.localdate()
    filing = None
    if case.account_id:
        if account_close_needs_approval(case.account):
            filing = closing_request_create(
                actor=actor, account=case.account, reason=reason, closing_on=today
            )
        else:
            account_close(actor=actor, account=case.account, on=today, reason=reason)
    else:
        group_dissolve(actor=actor, group=case.group, on=today, reason=reason)
    case.state, case.filing = HandoverState.CLOSING, filing
    case.settled_at, case.settled_by, case.note = timezone.now(), actor, reason[:500]
    case._change_reason = _("注销/解散")
    case.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=case,
        detail={"action": "close", "reason": reason, "filing": filing.pk if filing else None},
    )
    _announce([case])
    return case
