"""Demo logins: one per role (`school.LOGINS`), each linked to a person of the roster whose
name is its display name, all with the published password `school.PASSWORD`; the
`operator` login's teacher is put on a few 信息工程学院 teams so that the role sees
something. Demo logins exist only where the demo was loaded: migrations never create them.

Plan: `plan_logins(b)` (after the accounts and groups). Write: `write_logins(ctx)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beian.registry.choices import AccountStatus, GroupStatus, TeamRole
from beian.users.models import RoleAssignment, User

from .plan import Builder, LoginPlan
from .school import LOGINS, PASSWORD

if TYPE_CHECKING:
    from .context import DemoContext


def plan_logins(b: Builder) -> None:
    _operator_on_teams(b)
    b.logins = [
        LoginPlan(username, role, unit, b.tagged[tag]) for username, role, unit, tag in LOGINS
    ]


def _operator_on_teams(b: Builder) -> None:
    """The `operator` login's teacher runs a few 信息工程学院 accounts and groups."""
    person = b.tagged["operator"]
    info = {u.name for u in b.units if b.top_of[u.name] == "信息工程学院"}
    broken_names = {r.name for r in b.broken}
    accounts = [
        a
        for a in b.accounts
        if a.owner in info and a.name not in broken_names and a.status == AccountStatus.ACTIVE
    ]
    for account in ([a for a in accounts if a.owner == "软件工程系"] + accounts)[:4]:
        if (TeamRole.OPERATOR, person) not in account.team:
            account.team.append((TeamRole.OPERATOR, person))
    groups = [g for g in b.groups if g.owner in info and g.status == GroupStatus.ACTIVE]
    for group in groups[:6]:
        if person not in group.admins:
            group.admins.append(person)


def write_logins(ctx: DemoContext) -> None:
    """The logins and their roles. The demo creates the first school admin itself (nobody
    could grant it), so it writes them directly rather than through `users.services`, which
    ask for a school admin as the actor."""
    for login in ctx.plan.logins:
        person = ctx.people[login.person]
        user = User.objects.create_user(
            username=login.username,
            password=PASSWORD,
            display_name=person.name,
            email=person.email,
            person=person,
        )
        RoleAssignment.objects.create(
            user=user, role=login.role, unit=ctx.units[login.unit] if login.unit else None
        )
        ctx.users[login.username] = user
