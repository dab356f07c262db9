"""The demo loader: a realistic, deterministic school for `manage.py load_demo` (and `make run`).

Two phases, so that the content can be tested without a database:

* `demo_plan()` runs `PLAN_STEPS` in order on one `plan.Builder`, which builds the whole
  school — units, people, accounts, groups, logins and the list of deliberately broken
  records — as plain Python objects from `random.Random(SEED)` and a reference date. Names
  and structure never depend on the date: the same school comes out on every run; only dates
  such as "last post" are placed relative to `today`, so the demo stays fresh.
* `demo_load()` writes a plan in one transaction by running `WRITE_STEPS` in order on one
  `context.DemoContext`. Accounts, groups and teams go through the registry's bulk upsert
  under the demo's authority, cadre levels through `orgs.services.person_update`. Units,
  people and the logins are bootstrapped in bulk by the demo itself: orgs has no bulk
  service, and the users services need a school admin, which does not exist yet.

Adding a step (e.g. the campaign rounds of an inspection)
-------------------------------------------------------------
1. Write a module `beian/demo/<idea>.py` with a write step `write_<idea>(ctx: DemoContext)`
   that reads what it needs from `ctx` (`ctx.units[name]`, `ctx.people[i]`, `ctx.accounts`,
   `ctx.groups`, `ctx.users[username]`, `ctx.today`, `ctx.school_admin` as the actor) and
   writes through the owning app's services. If it needs random choices, plan them in a
   plan step `plan_<idea>(b: Builder)` that draws from `b.rng_for("<idea>")`, never from
   `b.rng` (that would change every name drawn after it); keep what it plans on the
   builder/plan as plain objects, and give `DemoPlan` a field for them if tests should see it.
2. Append the steps to `PLAN_STEPS` / `WRITE_STEPS` below, after the ones they depend on
   (a campaign round comes after the accounts and the logins).
3. If the step adds planted errors, list them with `b.broke(...)` and in docs/demo.md, and
   extend `beian/demo/tests/test_demo.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.orgs.choices import UnitKind
from beian.orgs.models import Institution, Unit
from beian.users.models import User

from .accounts import plan_accounts, write_accounts
from .context import DemoContext
from .findings import (
    plan_broken_accounts,
    plan_broken_groups,
    plan_first_responsible_not_cadre,
)
from .groups import plan_groups, write_groups
from .inspections import write_inspections
from .logins import plan_logins, write_logins
from .people import plan_units_and_people, write_cadre_levels, write_units_and_people
from .plan import Builder, DemoPlan
from .publication import write_publication
from .rounds import write_rounds
from .school import INSTITUTION, LOGINS, SCHOOL, SEED

#: The plan, step by step. The order is part of the demo: `Builder.rng` is consumed in it.
PLAN_STEPS: list[Callable[[Builder], None]] = [
    plan_units_and_people,
    plan_accounts,
    plan_broken_accounts,
    plan_first_responsible_not_cadre,
    plan_groups,
    plan_broken_groups,
    plan_logins,
]

#: The writes, step by step; each step finds what earlier ones wrote on the context.
WRITE_STEPS: list[Callable[[DemoContext], None]] = [
    write_units_and_people,
    write_logins,  # the school admin is the actor of the service calls below
    write_cadre_levels,
    write_accounts,
    write_groups,
    write_rounds,  # last year's finished round and this year's open one
    write_inspections,  # last December's 年检 (published) and this year's; graduates' hand-overs
    write_publication,  # the public directory, accounts list and last year's 通报
]


def demo_plan(*, today: date | None = None, seed: int = SEED) -> DemoPlan:
    """The whole demo school as plain objects; the same names for every `today`."""
    builder = Builder(today=today or timezone.localdate(), seed=seed)
    for step in PLAN_STEPS:
        step(builder)
    return builder.plan(INSTITUTION)


class DemoRefusedError(Exception):
    """The database holds data that is not the demo's: loading would mix the two."""


@dataclass
class DemoSummary:
    loaded: bool
    units: int = 0
    people: int = 0
    accounts: int = 0
    groups: int = 0
    logins: int = 0
    seconds: float = 0.0


def demo_is_loaded() -> bool:
    """The demo's institution, root unit and first login are all there."""
    return (
        Institution.objects.filter(full_name=SCHOOL).exists()
        and Unit.objects.filter(parent=None, kind=UnitKind.SCHOOL, name=SCHOOL).exists()
        and User.objects.filter(username=LOGINS[0][0]).exists()
    )


def _check_empty() -> None:
    others = list(Institution.objects.values_list("full_name", flat=True)[:3])
    if others:
        raise DemoRefusedError(
            f"数据库中已有学校“{'、'.join(others)}”的数据，不是演示数据：为免混在一起，"
            "未导入演示数据。请换一个空数据库（例如设置 DATABASE_URL）再运行 load_demo。"
        )
    if Unit.objects.exists():
        raise DemoRefusedError("数据库中已有单位数据，不是演示数据：未导入演示数据。")
    taken = list(
        User.objects.filter(username__in=[login[0] for login in LOGINS]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoRefusedError(f"用户名 {', '.join(sorted(taken))} 已被占用：未导入演示数据。")


@transaction.atomic
def demo_load(*, today: date | None = None) -> DemoSummary:
    """Load the demo school once: a second call finds it and writes nothing; a database
    holding another school's data is refused (DemoRefusedError), nothing written."""
    started = time.monotonic()
    if demo_is_loaded():
        return DemoSummary(loaded=False)
    _check_empty()
    today = today or timezone.localdate()
    ctx = DemoContext(plan=demo_plan(today=today), today=today)
    for step in WRITE_STEPS:
        step(ctx)
    summary = DemoSummary(
        loaded=True,
        units=len(ctx.units),
        people=len(ctx.people),
        accounts=len(ctx.accounts),
        groups=len(ctx.groups),
        logins=len(ctx.users),
    )
    audit(
        event=AuditEventType.IMPORT,
        actor_name="load_demo",
        detail={
            "what": "演示数据",
            "units": summary.units,
            "people": summary.people,
            "accounts": summary.accounts,
            "groups": summary.groups,
        },
    )
    summary.seconds = time.monotonic() - started
    return summary
