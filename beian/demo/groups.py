"""Chat groups (工作群): 3,600 groups on 微信, QQ, 钉钉, 企业微信 and 飞书 — work, teaching,
research, student affairs and temporary — each unit with its quota, some with outside
members, some dissolved, temporary groups still running or over.

Plan: `plan_groups(b)`. Write: `write_groups(ctx)` through the registry's bulk upsert.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from beian.orgs.choices import PersonKind, UnitKind
from beian.registry.authority import Authority
from beian.registry.bulk import groups_bulk_upsert
from beian.registry.choices import GroupPurpose, GroupStatus, TeamRole
from beian.registry.models import Platform

from .accounts import distinct
from .plan import Builder, GroupPlan, UnitPlan, add_months, month
from .school import (
    CLUBS,
    COLLEGES,
    DEPARTMENTS,
    DIRECT_UNITS,
    DISSOLVE_REASONS,
    DISSOLVE_REASONS_OTHER,
    GROUP_PLATFORM_CODES,
    GROUP_PLATFORM_WEIGHTS,
    LEAGUE,
    SHORT,
)

if TYPE_CHECKING:
    from .context import DemoContext

# --- plan -----------------------------------------------------------------------------------


def _group_candidates(b: Builder, unit: UnitPlan) -> list[tuple]:
    """(name, purpose, size range, outside share, temporary, creator kind, year) for a
    unit: enough for its quota, in a stable order."""
    W, T, R, S, X, OTHER = (
        GroupPurpose.WORK,
        GroupPurpose.TEACHING,
        GroupPurpose.RESEARCH,
        GroupPurpose.STUDENT_AFFAIRS,
        GroupPurpose.TEMPORARY,
        GroupPurpose.OTHER,
    )
    name, out = unit.name, []
    staff, student = PersonKind.STAFF, PersonKind.STUDENT
    years = range(2016, 2026)

    def add(n, purpose, size, *, outside=0.0, temporary=False, by=staff, year=None):
        out.append((n, purpose, size, outside, temporary, by, year))

    if unit.kind == UnitKind.COLLEGE:
        college = next(c for c in COLLEGES if c[0] == name)
        _c, _short, _code, divisions, _office, courses = college
        for topic, size in (
            ("教职工群", (80, 220)), ("党政联席会议群", (7, 15)), ("党委委员群", (5, 9)),
            ("辅导员工作群", (5, 14)), ("教学秘书群", (5, 10)), ("实验室安全工作群", (10, 40)),
            ("离退休教职工群", (20, 90)), ("工会小组长群", (8, 20)), ("宣传信息员群", (10, 30)),
            ("党支部书记群", (6, 16)), ("安全稳定工作群", (8, 20)), ("研究生导师群", (20, 80)),
            ("教工党支部群", (15, 45)), ("本科教学工作群", (20, 60)),
        ):  # fmt: skip
            add(f"{name}{topic}", W, size)
        add(f"{name}校友联络群", OTHER, (80, 500), outside=0.9)
        add(f"{name}校企合作交流群", OTHER, (20, 120), outside=0.5)
        add(f"{name}招生咨询群", OTHER, (50, 400), outside=0.85)
        add(f"{name}迎评促建专项工作群", X, (10, 40), temporary=True)
        add(f"{name}专业认证材料准备群", X, (8, 30), temporary=True)
        for y in years:
            add(f"{name}{y}级新生群", S, (150, 480), by=staff, year=y)
            add(f"{name}{y}级学生干部群", S, (20, 60), year=y)
            add(f"{name}{y}级新生家长群", S, (150, 450), outside=0.8, year=y)
            add(f"{name}{y}届毕业生就业工作群", S, (100, 400), year=y)
            add(f"{name}{y}级研究生群", S, (20, 120), year=y)
            add(f"{name}{y}级党员发展对象群", S, (10, 40), year=y)
            add(f"{name}{y}年迎新工作群", X, (10, 40), temporary=True, year=y)
            add(f"{name}{y}年暑期社会实践群", X, (20, 80), temporary=True, by=student, year=y)
            add(f"{name}{y}年国家自然科学基金申报交流群", R, (10, 50), year=y)
            for _division, abbr in divisions:
                add(f"{abbr}{y}级年级群", S, (60, 200), year=y)
                add(f"{abbr}{y}届毕业设计群", T, (20, 80), year=y)
            for course in courses:
                for term in (1, 2):
                    add(f"{course}（{y}-{y + 1}-{term}）课程群", T, (30, 150), year=y)
        for i in b.staff_pool.get(name, [])[:12]:
            add(f"{b.people[i].name}老师课题组", R, (5, 30))
    elif unit.kind in (UnitKind.DEPARTMENT, UnitKind.DIRECT):
        topics = next(t for n, *_m, t in DEPARTMENTS + DIRECT_UNITS if n == name)
        add(f"{name}工作群", W, (5, 25))
        add(f"{name}全体人员群", W, (8, 60))
        add(f"{name}与各学院联络员群", W, (20, 60))
        for topic in topics:
            add(f"{name}{topic}工作群", W, (10, 120))
            add(f"全校{topic}联络群", W, (20, 150))
            for y in years:
                add(f"{name}{y}年{topic}工作群", W, (8, 60), year=y)
        if name == "招生就业处":
            for y in years:
                add(f"{y}届毕业生就业信息发布群", S, (200, 500), year=y)
                add(f"{y}年用人单位联络群", OTHER, (30, 300), outside=0.9, year=y)
    elif unit.kind == UnitKind.SECTION:
        add(f"{name}工作群", W, (5, 15))
        add(f"{name}学生助理群", S, (10, 40), by=student)
        for y in years:
            add(f"{name}{y}年工作群", W, (5, 30), year=y)
    elif unit.kind == UnitKind.SCHOOL_STUDENT_ORG:
        add(f"{name}工作群", W, (5, 30))
        add(f"{name}主席团群", S, (5, 12), by=student)
        for dept in ("办公室", "宣传部", "组织部", "外联部", "文体部", "学习部", "权益部"):
            add(f"{name}{dept}群", S, (10, 45), by=student)
        for y in years:
            add(f"{name}{y}年换届工作群", X, (10, 60), temporary=True, year=y)
            add(f"{name}{y}级新成员群", S, (40, 200), by=student, year=y)
        if name == LEAGUE:
            for topic in (
                "各学院团委书记群",
                "青年大学习工作群",
                "团干部培训班群",
                "挑战杯工作群",
            ):
                add(f"{name}{topic}", W, (15, 80))
            for y in years:
                add(f"{y}年暑期“三下乡”社会实践群", X, (30, 200), temporary=True, year=y)
        if name == "学生社团联合会":
            for club in CLUBS:
                add(f"{SHORT}{club}会员群", S, (30, 300), by=student)
                add(f"{SHORT}{club}骨干群", S, (5, 25), by=student)
    elif unit.kind == UnitKind.DIVISION:
        add(f"{name}教师群", W, (10, 35))
        add(f"{name}专业建设研讨群", R, (6, 20))
        for y in years:
            add(f"{name}{y}届毕业设计指导群", T, (15, 60), year=y)
    elif unit.kind == UnitKind.TEACHING_OFFICE:
        add(f"{name}集体备课群", T, (6, 20))
        for y in years:
            add(f"{name}{y}年青年教师教学竞赛群", X, (5, 20), temporary=True, year=y)
    elif unit.kind == UnitKind.STUDENT_ORG:
        add(f"{name}全体成员群", S, (30, 150), by=student)
        add(f"{name}干部群", S, (8, 30), by=student)
        for dept in ("办公室", "宣传部", "组织部", "文体部", "学习部"):
            add(f"{name}{dept}群", S, (8, 30), by=student)
        for y in years:
            add(f"{name}{y}年换届群", X, (10, 40), temporary=True, by=student, year=y)
    elif unit.kind == UnitKind.CLASS:
        add(f"{name}班级群", S, (25, 45), by=student)
        add(f"{name}班委群", S, (5, 9), by=student)
        add(f"{name}家长群", S, (25, 60), outside=0.7)
        add(f"{name}学习交流群", T, (20, 45), by=student)
        add(f"{name}宿舍长群", S, (5, 9), by=student)
    elif unit.kind == UnitKind.LEAGUE_BRANCH:
        add(f"{name}团员群", S, (15, 40), by=student)
        add(f"{name}支委群", S, (5, 8), by=student)
        add(f"{name}主题团日活动群", X, (15, 40), temporary=True, by=student)
    return out


GROUP_QUOTA = {
    UnitKind.COLLEGE: 150,
    UnitKind.DEPARTMENT: 40,
    UnitKind.DIRECT: 30,
    UnitKind.SECTION: 12,
    UnitKind.SCHOOL_STUDENT_ORG: 45,
    UnitKind.DIVISION: 10,
    UnitKind.TEACHING_OFFICE: 6,
    UnitKind.STUDENT_ORG: 8,
    UnitKind.CLASS: 5,
    UnitKind.LEAGUE_BRANCH: 3,
}


def plan_groups(b: Builder) -> None:
    for unit in b.units:
        candidates = _group_candidates(b, unit)
        quota = 80 if unit.name == "学生社团联合会" else GROUP_QUOTA.get(unit.kind, 0)
        for name, purpose, size, outside, temporary, by, year in b.rng.sample(
            candidates, min(quota, len(candidates))
        ):
            add_group(
                b,
                unit.name,
                name,
                purpose,
                size,
                outside=outside,
                temporary=temporary,
                by=by,
                year=year,
            )


def add_group(
    b: Builder,
    owner: str,
    name: str,
    purpose: str,
    size: tuple[int, int],
    *,
    outside: float = 0.0,
    temporary: bool = False,
    by: str = PersonKind.STAFF,
    year: int | None = None,
) -> GroupPlan:
    """One chat group. A temporary group of a past year is over and dissolved; one
    without a year is a current task ending in the coming months."""
    rng = b.rng
    platform = rng.choices(GROUP_PLATFORM_CODES, GROUP_PLATFORM_WEIGHTS)[0]
    number = ""
    if platform == "qq_group":
        number = b.digits(platform, 100_000_000, 999_999_999)
    elif platform == "dingtalk_group" and rng.random() < 0.7:
        number = b.digits(platform, 10_000_000, 99_999_999)
    members = max(5, min(500, rng.randint(*size)))
    outside_count = 0
    if outside:
        outside_count = min(members, int(members * outside * rng.uniform(0.8, 1.0)))
    elif rng.random() < 0.04:
        outside_count = rng.randint(1, min(5, members))
    created = (
        month(year, rng.choice([3, 4, 5, 6, 7, 8, 9]))
        if year
        else b.rand_month(month(2013, 1), month(2025, 12))
    )
    staff = b.pool(owner)
    students = b.pool(owner, PersonKind.STUDENT)
    creator = rng.choice(students if by == PersonKind.STUDENT and students else staff)
    admins = [creator]
    other = rng.choice(staff)
    if rng.random() < 0.5 and other != creator:
        admins.append(other)
    group = GroupPlan(
        platform=platform,
        name=name,
        owner=owner,
        purpose=purpose,
        member_count=members,
        created_month=created,
        group_number=number,
        creator=creator,
        admins=admins,
        has_outside_members=outside_count > 0,
        outside_member_count=outside_count,
        # Groups of ten or more are registered; some tiny ones are not (no need).
        registered=members >= 10 or rng.random() < 0.6,
    )
    # Drawn whatever happens next, so that the stream of names never depends on dates.
    until_offset, dissolve_offset, dissolve_roll = (
        rng.randint(20, 150),
        rng.randint(0, 20),
        rng.random(),
    )
    reason = rng.choice(DISSOLVE_REASONS.get(purpose, DISSOLVE_REASONS_OTHER))
    if temporary:
        group.is_temporary = True
        if year:
            group.temporary_until = add_months(created, rng.randint(1, 4)) + timedelta(14)
            group.status = GroupStatus.DISSOLVED
            group.dissolved_on = min(
                group.temporary_until + timedelta(days=dissolve_offset), b.today
            )
            group.dissolved_reason = "临时工作结束"
        else:
            group.created_month = add_months(month(b.today.year, b.today.month), -2)
            group.temporary_until = b.today + timedelta(days=until_offset)
    elif dissolve_roll < 0.04:
        group.status = GroupStatus.DISSOLVED
        group.dissolved_on = min(created + timedelta(days=200 + dissolve_offset * 20), b.today)
        group.dissolved_reason = reason
    b.groups.append(group)
    return group


# --- write ----------------------------------------------------------------------------------


def write_groups(ctx: DemoContext) -> None:
    """The groups and their admins through the registry's one bulk write path, under the
    demo's authority."""
    units, people = ctx.units, ctx.people
    platforms = dict(Platform.objects.values_list("code", "pk"))
    plan = ctx.plan.groups
    ctx.groups = groups_bulk_upsert(
        actor=None,
        authority=Authority.demo(),
        create=[
            {
                "platform_id": platforms[g.platform],
                "name": g.name,
                "group_number": g.group_number,
                "purpose": g.purpose,
                "owner_unit_id": units[g.owner].pk,
                "creator_id": people[g.creator].pk if g.creator is not None else None,
                "member_count": g.member_count,
                "has_outside_members": g.has_outside_members,
                "outside_member_count": g.outside_member_count,
                "created_month": g.created_month,
                "is_temporary": g.is_temporary,
                "temporary_until": g.temporary_until,
                "status": g.status,
                "registered": g.registered,
                "dissolved_on": g.dissolved_on,
                "dissolved_reason": g.dissolved_reason,
            }
            for g in plan
        ],
        create_teams=[
            [(role, people[p].pk) for role, p in distinct((TeamRole.ADMIN, p) for p in g.admins)]
            for g in plan
        ],
    ).created
