"""Units and people: the unit tree of 华北水利水电大学 with a head for every unit, and the
roster (staff, students, two outsiders, some who left or graduated), each with a cadre
level where the roster records one.

Plan: `plan_units_and_people(b)`. Write: `write_units_and_people(ctx)` (the tree and the
roster in bulk, each row with its initial history row) and `write_cadre_levels(ctx)` (the
cadre levels through the orgs service `person_update`, once the school admin exists).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simple_history.utils import bulk_create_with_history

from beian.core.text import pinyin_keys
from beian.orgs.choices import PersonKind, PersonStatus, UnitKind
from beian.orgs.models import Institution, Person, Unit
from beian.orgs.services import person_update

from .plan import Builder, PersonPlan, UnitPlan
from .school import (
    CADRE_LEVELS,
    CLASS_YEARS,
    COLLEGES,
    COLLEGES_WITH_VOLUNTEERS,
    DEPARTMENTS,
    DIRECT_UNITS,
    DOMAIN,
    LEAGUE,
    MOBILE_PREFIXES,
    SCHOOL,
    SCHOOL_ORGS,
    SECTIONS,
    SHORT,
    STAFF_GIVEN,
    STUDENT_GIVEN,
    SURNAMES,
)

if TYPE_CHECKING:
    from .context import DemoContext

# --- plan -----------------------------------------------------------------------------------


def _unit(b: Builder, name, kind, parent=None, *, short_name="", code="") -> UnitPlan:
    assert name not in b.unit_by_name, name
    unit = UnitPlan(name=name, kind=kind, parent=parent, short_name=short_name, code=code)
    b.units.append(unit)
    b.unit_by_name[name] = unit
    if parent is None or b.unit_by_name[parent].parent is None:
        b.top_of[name] = name
    else:
        b.top_of[name] = b.top_of[parent]
    return unit


def _name(b: Builder, kind: str) -> str:
    rng = b.rng
    surname = SURNAMES[int(len(SURNAMES) * rng.random() ** 1.6)]
    pool = STUDENT_GIVEN if kind == PersonKind.STUDENT else STAFF_GIVEN
    return surname + rng.choice(pool)


def _mobile(b: Builder) -> str:
    while True:
        value = b.rng.choice(MOBILE_PREFIXES) + f"{b.rng.randint(0, 99_999_999):08d}"
        if b.unique("mobile", value):
            return value


def _person(
    b: Builder,
    unit: str,
    post: str,
    *,
    kind: str = PersonKind.STAFF,
    status: str = PersonStatus.IN_POST,
    year: int | None = None,
    pooled: bool = True,
    tag: str | None = None,
    college_code: str = "00",
) -> int:
    name = _name(b, kind)
    if kind == PersonKind.STAFF:
        b._staff_seq += b.rng.randint(1, 9)
        hired = b.rng.randint(1992, 2022)
        number = f"T{hired}{b._staff_seq:04d}"
        base = pinyin_keys(name)[0]
        email = f"{base}@{DOMAIN}"
        n = 1
        while not b.unique("email", email):
            n += 1
            email = f"{base}{n}@{DOMAIN}"
    elif kind == PersonKind.STUDENT:
        key = f"{year}{college_code}"
        b._student_seq[key] = b._student_seq.get(key, 0) + b.rng.randint(1, 40)
        number = f"{key}{b._student_seq[key]:04d}"
        email = f"{number}@{DOMAIN}"
    else:
        number, email = "", ""
    qq = b.digits("qq", 10_000_000, 2_999_999_999)
    index = len(b.people)
    b.people.append(
        PersonPlan(
            name=name,
            number=number,
            kind=kind,
            unit=unit,
            post=post,
            status=status,
            cadre_level=_cadre_level(b, unit, post) if kind == PersonKind.STAFF else "",
            mobile=_mobile(b),
            email=email,
            qq=qq,
        )
    )
    if pooled and status == PersonStatus.IN_POST and kind != PersonKind.EXTERNAL:
        pools = b.student_pool if kind == PersonKind.STUDENT else b.staff_pool
        pools.setdefault(b.top_of[unit], []).append(index)
    if tag:
        b.tagged[tag] = index
    return index


def _cadre_level(b: Builder, unit: str, post: str) -> str:
    return CADRE_LEVELS.get(b.unit_by_name[unit].kind, {}).get(post, "")


def _head(b: Builder, unit: str, post: str, **kw) -> int:
    index = _person(b, unit, post, **kw)
    b.unit_by_name[unit].head = index
    return index


def plan_units_and_people(b: Builder) -> None:
    """The unit tree (three levels) and the roster, every unit with a head."""
    rng = b.rng
    _unit(b, SCHOOL, UnitKind.SCHOOL, short_name=SHORT, code="10078")
    _head(b, SCHOOL, "党委书记", pooled=False)
    _person(b, SCHOOL, "校长", pooled=False)
    _person(b, SCHOOL, "党委副书记（分管宣传思想工作）", pooled=False, tag="leader")

    for name, short, code, post, _topics in DEPARTMENTS:
        _unit(b, name, UnitKind.DEPARTMENT, SCHOOL, short_name=short, code=code)
        _head(b, name, post)
        _person(b, name, f"副{post}")
        for staff_post in ("科长", "科员", "科员"):
            _person(b, name, staff_post)
    for name, parent, post in SECTIONS:
        _unit(b, name, UnitKind.SECTION, parent)
        _head(b, name, post, tag="xcb_admin" if name == "网络宣传科" else None)
        _person(b, name, "编辑" if parent == "党委宣传部" else "科员")
    _person(b, "新闻中心", "记者")
    for _ in range(2):
        _person(b, "党委宣传部", "外包运营（合作公司）", kind=PersonKind.EXTERNAL, tag="outsourced")
    _person(b, "纪委办公室", "监督检查室主任", tag="auditor")
    # The deliberately broken people, kept off every pool.
    _person(b, "科技处", "科员", pooled=False, tag="no_phone")
    b.people[b.tagged["no_phone"]].mobile = ""
    _person(b, "人事处", "科员", status=PersonStatus.LEFT, pooled=False)

    for name, short, code, post, _topics in DIRECT_UNITS:
        _unit(b, name, UnitKind.DIRECT, SCHOOL, short_name=short, code=code)
        _head(b, name, post)
        for staff_post in (
            f"副{post}",
            "科长",
            "馆员" if short in ("图书馆", "档案馆") else "科员",
            "科员",
        ):
            _person(b, name, staff_post)
    _person(b, "档案馆", "科员", status=PersonStatus.LEFT, pooled=False, tag="left_staff")

    _unit(b, LEAGUE, UnitKind.SCHOOL_STUDENT_ORG, SCHOOL, short_name="团委", code="401")
    _head(b, LEAGUE, "团委书记")
    deputies = [_person(b, LEAGUE, "团委副书记", tag=t) for t in ("league", None)]
    for _ in range(2):
        _person(b, LEAGUE, "干事")
    # The two deputy secretaries (处级) head the four school-level organisations and answer
    # for their accounts; the clerks work for them.
    for (name, short), head in zip(SCHOOL_ORGS, [*deputies, *deputies], strict=True):
        _unit(b, name, UnitKind.SCHOOL_STUDENT_ORG, LEAGUE, short_name=short)
        b.unit_by_name[name].head = head

    for college_no, (college, short, code, divisions, office, _courses) in enumerate(
        COLLEGES, start=1
    ):
        cc = f"{college_no:02d}"
        _unit(b, college, UnitKind.COLLEGE, SCHOOL, short_name=short, code=code)
        _head(b, college, "党委书记")
        _person(b, college, "院长")
        _person(b, college, "党委副书记")
        league_secretary = _person(b, college, "团委书记")
        _person(
            b,
            college,
            "办公室主任",
            tag={"信息工程学院": "unit_info", "水利学院": "unit_water"}.get(college),
        )
        _person(b, college, "教学秘书")
        counsellors = [_person(b, college, "辅导员") for _ in range(3)]
        for division, _abbr in divisions:
            _unit(b, division, UnitKind.DIVISION, college)
            _head(b, division, "系主任")
            for _ in range(2):
                post = rng.choice(["教授", "副教授", "副教授", "讲师", "讲师", "实验师"])
                tag = (
                    "operator" if division == "软件工程系" and "operator" not in b.tagged else None
                )
                _person(b, division, post, tag=tag)
        _unit(b, office, UnitKind.TEACHING_OFFICE, college)
        _head(b, office, "教研室主任")
        _person(b, office, rng.choice(["副教授", "讲师"]))

        orgs = [f"{college}团委", f"{college}学生会"]
        if college in COLLEGES_WITH_VOLUNTEERS:
            orgs.append(f"{college}青年志愿者协会")
        for org in orgs:
            _unit(b, org, UnitKind.STUDENT_ORG, college)
            b.unit_by_name[org].head = league_secretary

        classes = []
        for _division, abbr in divisions:
            for yy in rng.sample(CLASS_YEARS, 2):
                cls = f"{abbr}{yy}01班"
                counsellor = rng.choice(counsellors)
                _unit(b, cls, UnitKind.CLASS, college)
                b.unit_by_name[cls].head = counsellor
                classes.append((cls, yy))
                for post in ("班长", "团支部书记", "学习委员", "宣传委员", "学生"):
                    _person(
                        b,
                        cls,
                        post,
                        kind=PersonKind.STUDENT,
                        year=2000 + int(yy),
                        college_code=cc,
                    )
                if rng.random() < 0.6:
                    branch = f"{abbr}{yy}01团支部"
                    _unit(b, branch, UnitKind.LEAGUE_BRANCH, college)
                    b.unit_by_name[branch].head = counsellor
        for post in ("学生会主席", "学生会副主席", "青年志愿者协会会长"):
            cls, yy = rng.choice(classes)
            _person(b, cls, post, kind=PersonKind.STUDENT, year=2000 + int(yy), college_code=cc)
        # Alumni still on the roster: graduated, off every pool.
        for _ in range(2):
            _person(
                b,
                college,
                "学生（已毕业）",
                kind=PersonKind.STUDENT,
                status=PersonStatus.GRADUATED,
                year=rng.choice([2020, 2021]),
                college_code=cc,
                pooled=False,
            )
    # A staff member who left a college; kept on the roster, off every pool.
    _person(b, "机械学院", "讲师", status=PersonStatus.LEFT, pooled=False)


# --- write ----------------------------------------------------------------------------------


def _keyed(obj, name: str):
    obj.name_pinyin, obj.name_initials = pinyin_keys(name)
    return obj


def write_units_and_people(ctx: DemoContext) -> None:
    """The institution, the unit tree (parents before children) and the roster, in bulk,
    each unit and person with its initial history row; heads are set once the people
    exist. Cadre levels are left to `write_cadre_levels`."""
    plan = ctx.plan
    ctx.institution = Institution.objects.create(**plan.institution)

    units: dict[str, Unit] = {}
    depth: dict[str, int] = {}
    for u in plan.units:
        depth[u.name] = 0 if u.parent is None else depth[u.parent] + 1
    for level in sorted(set(depth.values())):
        objs = [
            _keyed(
                Unit(
                    name=u.name,
                    short_name=u.short_name,
                    kind=u.kind,
                    code=u.code,
                    parent=units.get(u.parent) if u.parent else None,
                ),
                u.name,
            )
            for u in plan.units
            if depth[u.name] == level
        ]
        Unit.objects.bulk_create(objs, batch_size=ctx.batch)
        units.update({o.name: o for o in objs})

    people = bulk_create_with_history(
        [
            _keyed(
                Person(
                    name=p.name,
                    number=p.number,
                    kind=p.kind,
                    unit=units[p.unit],
                    post=p.post,
                    status=p.status,
                    mobile=p.mobile,
                    email=p.email,
                    qq=p.qq,
                ),
                p.name,
            )
            for p in plan.people
        ],
        Person,
        batch_size=ctx.batch,
        default_change_reason=ctx.change_reason,
    )
    for u in plan.units:
        units[u.name].head = people[u.head] if u.head is not None else None
    unit_list = [units[u.name] for u in plan.units]
    Unit.objects.bulk_update(unit_list, ["head"], batch_size=ctx.batch)
    Unit.history.bulk_history_create(
        unit_list, batch_size=ctx.batch, default_change_reason=ctx.change_reason
    )
    ctx.units, ctx.people = units, people


def write_cadre_levels(ctx: DemoContext) -> None:
    """The cadre levels of the unit heads (处级 for those who answer for the accounts, 科级
    for heads of sections and divisions, `school.CADRE_LEVELS`) through `person_update`, as
    the school admin records them: history, audit row and compliance re-check like any
    other edit. Only the heads: each call re-checks the person's records after the commit,
    and the rules ask about no one else's level; the others stay unrecorded."""
    actor = ctx.school_admin
    heads = sorted({u.head for u in ctx.plan.units if u.head is not None})
    for index in heads:
        level = ctx.plan.people[index].cadre_level
        if level:
            person_update(actor=actor, person=ctx.people[index], data={"cadre_level": level})
