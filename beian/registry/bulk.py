"""The registry's one bulk write path: imports (and the demo loader) create and change many
accounts or groups at once through `accounts_bulk_upsert` / `groups_bulk_upsert`.

They keep what the one-at-a-time services keep — the history row of every record and team
membership (through `beian.core.bulk.RecordWriter`, the set-based equivalent of
simple-history's `bulk_create_with_history`), audit rows, and the announcement of the
touched records so that compliance re-checks them after commit — with a handful of
statements per batch instead of a few per row. The rules that belong to the registry are
applied here, not by the callers: a new account's tier (`derive_tier`), the date and reason
of a closing or dissolution, and the policy's word on closing a filed account (refused with
`ClosingNeedsApproval` where it needs approval: the caller opens a closing request).

Callers validate the rows' values first (imports: `beian.transfer.rules`, which applies the
same rules as the forms); the database still enforces every constraint, and the caller's
transaction makes the whole batch all or nothing. Rows are dicts of attribute names
(`owner_unit_id`, `platform_id`, …) limited to the fields of `registry.spec`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.bulk import RecordWriter
from beian.core.choices import AuditEventType
from beian.core.hooks import records_changed
from beian.core.policy import get_policy
from beian.orgs.models import Unit

from .authority import Authority, ClosingNeedsApproval, account_closing_chain
from .choices import AccountStatus, AuthorityKind, GroupStatus, TeamRole
from .models import AccountMember, ChatGroup, GroupMember, MediaAccount
from .spec import ACCOUNT_SPEC, GROUP_SPEC, derive_tier

#: (role, person id) pairs joining a record's team.
TeamRows = Iterable[tuple[str, int]]


def _attnames(model, spec, extra: Iterable[str] = ()) -> frozenset[str]:
    names = set(extra)
    for f in spec:
        model_field = model._meta.get_field(f.name)
        names.add(model_field.attname)
    return frozenset(names)


_ACCOUNT_KEYS = _attnames(MediaAccount, ACCOUNT_SPEC, ("created_by_id",))
_GROUP_KEYS = _attnames(ChatGroup, GROUP_SPEC, ("created_by_id",))
_ROLES = frozenset(TeamRole.values)


@dataclass
class BulkOutcome:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    team_added: int = 0
    team_removed: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "closed": len(self.closed),
            "team_added": self.team_added,
            "team_removed": self.team_removed,
        }


@transaction.atomic
def accounts_bulk_upsert(
    *,
    actor,
    authority: Authority,
    create: Sequence[dict[str, Any]] = (),
    update: Sequence[tuple[int, dict[str, Any]]] = (),
    create_teams: Sequence[TeamRows] = (),
    team_add: Iterable[tuple[int, str, int]] = (),
    team_remove: Iterable[int] = (),
    closing_reason: str = "",
    now: dt.datetime | None = None,
) -> BulkOutcome:
    """Create accounts (`create`: new rows; `create_teams[i]`: the team of `create[i]`),
    change accounts (`update`: (pk, changed fields)), add team members to existing accounts
    (`team_add`: (account pk, role, person pk)) and remove memberships (`team_remove`: member
    pks). A new account without "tier" takes `derive_tier`. An update with status 已注销 is
    a closing: dated today, with its "closed_reason" (default `closing_reason`), allowed
    only where the policy does not route it through approval. Returns the pks written, in
    the order given."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_rows(create, update, _ACCOUNT_KEYS)
    create = [dict(row) for row in create]
    update = [(pk, dict(values)) for pk, values in update]

    missing_tier = [row for row in create if row.get("tier") is None]
    if missing_tier:
        kinds = _unit_kinds(row["owner_unit_id"] for row in missing_tier)
        for row in missing_tier:
            row["tier"] = derive_tier(
                unit_kind=kinds[row["owner_unit_id"]], is_personal=bool(row.get("is_personal"))
            )
    for row in create:
        if row.get("status") == AccountStatus.CLOSED and authority.kind != AuthorityKind.DEMO:
            raise ValidationError({"status": _("新登记的账号不能是已注销状态")})
        row.setdefault("created_by_id", getattr(actor, "pk", None))

    closing = [pk for pk, values in update if values.get("status") == AccountStatus.CLOSED]
    if closing and not authority.decided:
        for account in MediaAccount.objects.filter(pk__in=closing).select_related("owner_unit"):
            chain = account_closing_chain(account)
            if chain:
                raise ClosingNeedsApproval(account, chain)
    for _pk, values in update:
        if values.get("status") == AccountStatus.CLOSED:
            values.setdefault("closed_on", today)
            given = values.get("closed_reason") or closing_reason or _("注销")
            values["closed_reason"] = given[:255]

    outcome = _write(
        MediaAccount,
        AccountMember,
        actor=actor,
        authority=authority,
        create=create,
        update=update,
        create_teams=create_teams,
        team_add=team_add,
        team_remove=team_remove,
        now=now,
    )
    outcome.closed = closing
    _audit(MediaAccount, actor, authority, outcome, update, "closed_reason")
    records_changed(accounts=[*outcome.created, *outcome.updated])
    return outcome


@transaction.atomic
def groups_bulk_upsert(
    *,
    actor,
    authority: Authority,
    create: Sequence[dict[str, Any]] = (),
    update: Sequence[tuple[int, dict[str, Any]]] = (),
    create_teams: Sequence[TeamRows] = (),
    team_add: Iterable[tuple[int, str, int]] = (),
    team_remove: Iterable[int] = (),
    closing_reason: str = "",
    now: dt.datetime | None = None,
) -> BulkOutcome:
    """Create and change chat groups, as `accounts_bulk_upsert` does for accounts. An
    update with status 已解散 is a dissolution, dated today with its "dissolved_reason"
    (default `closing_reason`); a group's end needs no approval of its own.

    `create` may be any sized iterable (`len()` and one pass), e.g. a `LazyRows` that
    makes each row's dict as it is written: 100,000 new groups are then never all held
    as dicts at once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_rows((), update, _GROUP_KEYS)
    actor_id = getattr(actor, "pk", None)
    may_dissolve = authority.kind == AuthorityKind.DEMO
    # The policy is read once per batch, not per row (the import bench writes 100,000).
    needs_filing = not authority.decided and get_policy().filing.groups_require_filing
    if needs_filing:
        _check_registered_by_hand(update)

    def checked(rows):
        for row in rows:
            if not row.keys() <= _GROUP_KEYS:
                _check_rows((row,), (), _GROUP_KEYS)
            if row.get("status") == GroupStatus.DISSOLVED and not may_dissolve:
                raise ValidationError({"status": _("新登记的群聊不能是已解散状态")})
            if needs_filing and row.get("registered"):
                raise ValidationError({"registered": _registered_by_hand_message()})
            row.setdefault("created_by_id", actor_id)
            yield row

    if not hasattr(create, "__len__"):
        create = list(create)
    count = len(create)
    create = checked(create)
    closing = []
    for pk, values in update:
        if values.get("status") == GroupStatus.DISSOLVED:
            closing.append(pk)
            values.setdefault("dissolved_on", today)
            given = values.get("dissolved_reason") or closing_reason or _("解散")
            values["dissolved_reason"] = given[:255]
    outcome = _write(
        ChatGroup,
        GroupMember,
        actor=actor,
        authority=authority,
        create=create,
        create_count=count,
        update=update,
        create_teams=create_teams,
        team_add=team_add,
        team_remove=team_remove,
        now=now,
    )
    outcome.closed = closing
    _audit(ChatGroup, actor, authority, outcome, update, "dissolved_reason")
    records_changed(groups=[*outcome.created, *outcome.updated])
    return outcome


# --- internals -------------------------------------------------------------------------


def _check_registered_by_hand(update: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Under `[filing] groups_require_filing` a group becomes 已报备 only through an
    approved group filing (as `registry.services.group_update` refuses it by hand): an
    update may keep a registered group registered, not mark an unregistered one."""
    marked = [pk for pk, values in update if values.get("registered")]
    if marked and ChatGroup.objects.filter(pk__in=marked, registered=False).exists():
        raise ValidationError({"registered": _registered_by_hand_message()})


def _registered_by_hand_message() -> str:
    return _("本校规定群聊须经报备审批后方为“已报备”，请为该群聊提交报备申请，不能直接勾选")


def _check_rows(create, update, allowed: frozenset[str]) -> None:
    unknown: set[str] = set()
    for row in create:
        unknown |= row.keys() - allowed
    for _pk, values in update:
        unknown |= values.keys() - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _unit_kinds(unit_ids: Iterable[int]) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "kind"))


def _write(
    model,
    member_model,
    *,
    actor,
    authority: Authority,
    create,
    update,
    create_teams,
    team_add,
    team_remove,
    now,
    create_count: int | None = None,
) -> BulkOutcome:
    reason = authority.reason()
    writer = RecordWriter(model, actor=actor, now=now, reason=reason)
    created = writer.create(create, count=create_count)
    writer.update(update)
    members = RecordWriter(member_model, actor=actor, now=now, reason=reason)
    new_members: list[dict[str, Any]] = []
    seen: set[tuple[int, int, str]] = set()

    def add(record_id: int, role: str, person_id: int) -> None:
        if role not in _ROLES:
            raise ValidationError(_("无效的职能：%(role)s") % {"role": role})
        key = (record_id, person_id, role)
        if key not in seen:
            seen.add(key)
            new_members.append({"record_id": record_id, "person_id": person_id, "role": role})

    for record_id, team in zip(created, create_teams, strict=False):
        for role, person_id in team:
            add(record_id, role, person_id)
    for record_id, role, person_id in team_add:
        add(record_id, role, person_id)
    removed = list(team_remove)
    members.delete(removed)
    members.create(new_members)
    return BulkOutcome(
        created=created,
        updated=[pk for pk, values in update if values],
        team_added=len(new_members),
        team_removed=len(removed),
    )


def _ranges(ids: Sequence[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: 100,000 new rows are one run in the audit row."""
    runs: list[list[int]] = []
    for pk in sorted(ids):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def _audit(model, actor, authority: Authority, outcome: BulkOutcome, update, reason_field):
    """One audit row for the records created and one for those changed (their ids as
    runs; the history rows hold each record's before and after), and one per closing or
    dissolution, as the one-at-a-time services write it."""
    label = model._meta.label
    closed = set(outcome.closed)
    for event, ids in (
        (AuditEventType.CREATE, outcome.created),
        (AuditEventType.UPDATE, [pk for pk in outcome.updated if pk not in closed]),
    ):
        if ids:
            audit(
                event=event,
                actor=actor,
                detail={
                    "authority": authority.detail(),
                    "model": label,
                    "count": len(ids),
                    "ids": _ranges(ids),
                },
            )
    if outcome.closed:
        changes = dict(update)
        for record in model.objects.filter(pk__in=outcome.closed):
            values = changes[record.pk]
            audit(
                event=AuditEventType.CLOSE,
                actor=actor,
                obj=record,
                detail={
                    "authority": authority.detail(),
                    "reason": values.get(reason_field, ""),
                    "changes": {k: [None, str(v)] for k, v in values.items()},
                },
            )
