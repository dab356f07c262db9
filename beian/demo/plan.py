"""The demo plan: the whole school as plain Python objects, no database.

`Builder` holds what the plan steps share — one random generator, the reference date, the
units, people, accounts and groups planned so far and the deliberately broken records — and
small helpers. Each plan step (`people.plan_units_and_people`, `accounts.plan_accounts`, …)
is a function of a `Builder`; `loader.PLAN_STEPS` runs them in order.

The generator is consumed in the same order whatever the date, so names never depend on it:
a step added later must not draw from `Builder.rng` (it would shift every name after it) but
from its own `Builder.rng_for("its name")`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from beian.orgs.choices import SECOND_LEVEL_KINDS, PersonKind, PersonStatus
from beian.registry.choices import AccountStatus, FilingState, GroupStatus

from .school import SCHOOL, SHORT


@dataclass
class UnitPlan:
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    code: str = ""
    head: int | None = None  # index into DemoPlan.people


@dataclass
class PersonPlan:
    name: str
    number: str
    kind: str
    unit: str
    post: str
    status: str = PersonStatus.IN_POST
    #: 干部级别 (CadreLevel), "" where the roster does not record one.
    cadre_level: str = ""
    mobile: str = ""
    email: str = ""
    qq: str = ""


@dataclass
class AccountPlan:
    platform: str
    name: str
    owner: str
    tier: int
    external_id: str = ""
    url: str = ""
    guiding: str | None = None
    tier_override_reason: str = ""
    is_personal: bool = False
    is_official: bool = False
    created_month: date | None = None
    verified: bool = False
    verified_month: date | None = None
    audience: int | None = None
    update_frequency: str = ""
    columns: str = ""
    introduction: str = ""
    status: str = AccountStatus.ACTIVE
    filing_state: str = FilingState.FILED
    registration_number: str = ""
    last_post_date: date | None = None
    last_post_source: str = ""
    feed_url: str = ""
    closed_on: date | None = None
    closed_reason: str = ""
    team: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class GroupPlan:
    platform: str
    name: str
    owner: str
    purpose: str
    member_count: int
    created_month: date
    group_number: str = ""
    creator: int | None = None
    has_outside_members: bool = False
    outside_member_count: int = 0
    is_temporary: bool = False
    temporary_until: date | None = None
    status: str = GroupStatus.ACTIVE
    registered: bool = True
    dissolved_on: date | None = None
    dissolved_reason: str = ""
    admins: list[int] = field(default_factory=list)


@dataclass
class LoginPlan:
    username: str
    role: str
    unit: str | None
    person: int


@dataclass
class BrokenRecord:
    """A record made wrong on purpose, so the compliance checks have something to find."""

    rule: str
    model: str  # "account" | "group"
    platform: str
    name: str
    what: str


@dataclass
class DemoPlan:
    institution: dict
    units: list[UnitPlan]
    people: list[PersonPlan]
    accounts: list[AccountPlan]
    groups: list[GroupPlan]
    logins: list[LoginPlan]
    broken: list[BrokenRecord]

    def fingerprint(self) -> str:
        """A hash of every name in the plan (units, people, accounts, groups), sorted."""
        names = sorted(
            [f"u:{u.name}" for u in self.units]
            + [f"p:{p.number}:{p.name}" for p in self.people]
            + [f"a:{a.platform}:{a.name}:{a.external_id}" for a in self.accounts]
            + [f"g:{g.platform}:{g.name}" for g in self.groups]
        )
        return hashlib.sha256("\n".join(names).encode()).hexdigest()


def month(year: int, number: int) -> date:
    return date(year, number, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def strip_school(name: str) -> str:
    for prefix in (SCHOOL, SHORT):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


class Builder:
    """The state the plan steps share while the plan is built."""

    def __init__(self, *, today: date, seed: int):
        # One generator for everything except dates placed relative to `today`: it is
        # consumed the same way whatever the date, so names never depend on it.
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.units: list[UnitPlan] = []
        self.unit_by_name: dict[str, UnitPlan] = {}
        self.top_of: dict[str, str] = {}
        self.people: list[PersonPlan] = []
        self.staff_pool: dict[str, list[int]] = {}
        self.student_pool: dict[str, list[int]] = {}
        self.tagged: dict[str, int] = {}
        self.accounts: list[AccountPlan] = []
        self.groups: list[GroupPlan] = []
        self.logins: list[LoginPlan] = []
        self.broken: list[BrokenRecord] = []
        self.registration_seq: dict[int, int] = {}
        self._used: dict[str, set[str]] = {}
        self._staff_seq = 100
        self._student_seq: dict[str, int] = {}

    def plan(self, institution: dict) -> DemoPlan:
        return DemoPlan(
            institution=dict(institution),
            units=self.units,
            people=self.people,
            accounts=self.accounts,
            groups=self.groups,
            logins=self.logins,
            broken=self.broken,
        )

    def rng_for(self, step: str) -> random.Random:
        """A generator of its own for a step added after the first ones, so that it leaves
        the names the other steps draw unchanged."""
        return random.Random(f"{self.seed}:{step}")

    def unique(self, space: str, value: str) -> bool:
        used = self._used.setdefault(space, set())
        if value in used:
            return False
        used.add(value)
        return True

    def digits(self, space: str, low: int, high: int) -> str:
        while True:
            value = str(self.rng.randint(low, high))
            if self.unique(space, value):
                return value

    def rand_month(self, first: date, last: date) -> date:
        span = (last.year * 12 + last.month) - (first.year * 12 + first.month)
        return add_months(first, self.rng.randint(0, max(span, 0)))

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def second_level(self, unit: str) -> UnitPlan:
        """The 二级单位 a unit belongs to, as the compliance rules see it: itself or its
        nearest ancestor of a second-level kind (a college, a department, a direct unit, a
        school-level organisation); the school for the school itself."""
        found = self.unit_by_name[unit]
        while found.kind not in SECOND_LEVEL_KINDS and found.parent is not None:
            found = self.unit_by_name[found.parent]
        return found

    def head_of_top(self, unit: str) -> int | None:
        """The head of the second-level unit (or the school) a unit belongs to: the 处级
        cadre who answers for its accounts."""
        return self.second_level(unit).head

    def pool(self, unit: str, kind: str = PersonKind.STAFF) -> list[int]:
        """People in post who may serve on the teams of a unit's accounts and groups: the
        staff (or students) of its second-level unit."""
        top = self.top_of[unit]
        pools = self.student_pool if kind == PersonKind.STUDENT else self.staff_pool
        if top == SCHOOL:
            return pools.get("党委宣传部", []) if kind == PersonKind.STAFF else []
        found = pools.get(top, [])
        if kind == PersonKind.STUDENT and not found:
            # School-level organisations draw their students from the whole school.
            found = [i for ids in self.student_pool.values() for i in ids]
        return found

    def broke(self, rule: str, record: AccountPlan | GroupPlan, what: str) -> None:
        """Record that `record` was made wrong on purpose (see docs/demo.md)."""
        model = "account" if isinstance(record, AccountPlan) else "group"
        self.broken.append(BrokenRecord(rule, model, record.platform, record.name, what))
