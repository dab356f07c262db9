"""What several themes of rules share: the records they look at, an account's team read
once per chunk, and the labels their messages use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from beian.orgs.choices import PersonKind, PersonStatus
from beian.registry.choices import AccountStatus, FilingState, GroupStatus, TeamRole
from beian.registry.models import AccountMember, ChatGroup, MediaAccount

from .base import Chunk, evidence

#: Roles answerable for an account (负责人): must be staff, must be in post.
RESPONSIBLE_ROLES = (TeamRole.SUPERVISOR, TeamRole.FIRST_RESPONSIBLE, TeamRole.RESPONSIBLE)
#: The other roles of an account's team.
OTHER_ROLES = tuple(role for role in TeamRole if role not in RESPONSIBLE_ROLES)

ROLE_LABELS = dict(TeamRole.choices)
KIND_LABELS = dict(PersonKind.choices)
STATUS_LABELS = {
    PersonStatus.IN_POST: "在职",
    PersonStatus.LEFT: "已离职",
    PersonStatus.GRADUATED: "已毕业",
}
FILING_LABELS = dict(FilingState.choices)


class Member(NamedTuple):
    record_id: int
    role: str
    person_id: int
    name: str
    kind: str
    status: str
    mobile: str

    @property
    def label(self) -> str:
        return f"{ROLE_LABELS.get(self.role, self.role)} {self.name}"


# Base querysets ------------------------------------------------------------------------------


def live_accounts():
    """Accounts the rules look at: everything not closed (运营中 and 暂停更新)."""
    return MediaAccount.objects.exclude(status=AccountStatus.CLOSED)


def active_accounts():
    return MediaAccount.objects.filter(status=AccountStatus.ACTIVE)


def active_groups():
    return ChatGroup.objects.filter(status=GroupStatus.ACTIVE)


def account_members(ctx, chunk: Chunk, roles: Iterable[str]) -> dict[int, list[Member]]:
    """Team members in the given roles of the live accounts of a chunk, by account id. The
    chunk's whole team is read once (one query) and shared by the rules that ask."""
    wanted = set(roles)
    found: dict[int, list[Member]] = {}
    for record_id, members in ctx.for_chunk("team", chunk, lambda: _team(chunk)).items():
        chosen = [m for m in members if m.role in wanted]
        if chosen:
            found[record_id] = chosen
    return found


def _team(chunk: Chunk) -> dict[int, list[Member]]:
    rows = (
        AccountMember.objects.filter(chunk.q("record_id"))
        .exclude(record__status=AccountStatus.CLOSED)
        .order_by("record_id", "role", "person_id")
        .values_list(
            "record_id",
            "role",
            "person_id",
            "person__name",
            "person__kind",
            "person__status",
            "person__mobile",
        )
    )
    found: dict[int, list[Member]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(Member._make(row))
    return found


def describe(member: Member) -> dict[str, str]:
    return {
        "who": member.label,
        "kind": KIND_LABELS.get(member.kind, member.kind),
        "status": STATUS_LABELS.get(member.status, member.status),
    }


def people_evidence(members: Iterable[Member]) -> str:
    return evidence(*sorted(f"{m.role}:{m.person_id}:{m.kind}:{m.status}" for m in members))


def last_month_ended_by(day: date) -> date:
    """First day of the latest month that has ended on or before `day` (months are stored
    as their first day; a month counts from its last day, to be fair to the record)."""
    first_of_next = (day + timedelta(days=1)).replace(day=1)
    return (first_of_next - timedelta(days=1)).replace(day=1)
