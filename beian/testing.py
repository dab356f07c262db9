"""Test support: small `make_*` factories and a named cast of users, so tests read like
stories. Imported by `beian/conftest.py` (fixtures) and by benchmarks."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date

from beian.orgs.choices import PersonKind, UnitKind
from beian.orgs.models import Institution, Person, Unit
from beian.registry.models import (
    AccountMember,
    ChatGroup,
    GroupMember,
    MediaAccount,
    Platform,
)
from beian.users.choices import Role
from beian.users.models import RoleAssignment, User

_seq = itertools.count(1)
PASSWORD = "Beian-Test-2026!"  # noqa: S105


def make_institution(**kw) -> Institution:
    defaults = {
        "full_name": "华北水利水电大学",
        "short_names": ["华水", "华北水院"],
        "english_name": "North China University of Water Resources and Electric Power",
        "initials": ["NCWU"],
        "domains": ["ncwu.edu.cn"],
        "registration_prefix": "HS",
    }
    defaults.update(kw)
    return Institution.objects.create(**defaults)


def make_unit(name: str | None = None, *, kind=UnitKind.COLLEGE, parent=None, **kw) -> Unit:
    return Unit.objects.create(name=name or f"单位{next(_seq)}", kind=kind, parent=parent, **kw)


def make_person(name: str | None = None, *, unit: Unit, kind=PersonKind.STAFF, **kw) -> Person:
    n = next(_seq)
    kw.setdefault("number", f"T{n:06d}")
    return Person.objects.create(name=name or f"人员{n}", unit=unit, kind=kind, **kw)


def make_user(
    username: str, *, role: str | None = None, unit: Unit | None = None, person=None, **kw
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, person=person, display_name=kw.pop("name", ""), **kw
    )
    if role:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def platform(code: str) -> Platform:
    return Platform.objects.get(code=code)


def make_account(
    name: str | None = None, *, unit: Unit, platform_code: str = "wechat_official", **kw
) -> MediaAccount:
    team = kw.pop("team", [])
    kw.setdefault("tier", 3 if kw.get("is_personal") else unit.default_tier)
    kw.setdefault("created_month", date(2020, 3, 1))
    account = MediaAccount.objects.create(
        name=name or f"账号{next(_seq)}", owner_unit=unit, platform=platform(platform_code), **kw
    )
    for role, person in team:
        AccountMember.objects.create(record=account, role=role, person=person)
    return account


def make_group(
    name: str | None = None, *, unit: Unit, platform_code: str = "wechat_group", **kw
) -> ChatGroup:
    admins = kw.pop("admins", [])
    kw.setdefault("member_count", 20)
    group = ChatGroup.objects.create(
        name=name or f"工作群{next(_seq)}", owner_unit=unit, platform=platform(platform_code), **kw
    )
    for person in admins:
        GroupMember.objects.create(record=group, role="admin", person=person)
    return group


class Cast:
    """A small school with one user per role, in scope and out of scope:

    华北水利水电大学 (root)
      ├─ 计算机学院 (college) ── 软件工程系 (division)
      ├─ 文学院 (college)
      ├─ 党委宣传部 (department)
      └─ 校团委 (school student org) ── 校学生会 (school student org)
    """

    def __init__(self):
        self.institution = make_institution()
        self.school = make_unit("华北水利水电大学", kind=UnitKind.SCHOOL)
        self.cs = make_unit("计算机学院", parent=self.school, short_name="计院")
        self.se = make_unit("软件工程系", kind=UnitKind.DIVISION, parent=self.cs)
        self.lit = make_unit("文学院", parent=self.school)
        self.propaganda = make_unit("党委宣传部", kind=UnitKind.DEPARTMENT, parent=self.school)
        self.league = make_unit("校团委", kind=UnitKind.SCHOOL_STUDENT_ORG, parent=self.school)
        self.union = make_unit("校学生会", kind=UnitKind.SCHOOL_STUDENT_ORG, parent=self.league)

        self.cs_head = make_person("张书记", unit=self.cs, post="党委书记", mobile="13812341234")
        self.cs.head = self.cs_head
        self.cs.save()
        self.lit_teacher = make_person(
            "李老师", unit=self.lit, mobile="13900001111", qq="12345678", email="li@ncwu.edu.cn"
        )
        self.lit_student = make_person("王同学", unit=self.lit, kind=PersonKind.STUDENT)

        self.school_admin = make_user("school_admin", role=Role.SCHOOL_ADMIN, name="宣传部管理员")
        self.leader = make_user("leader", role=Role.LEADER, name="主管校领导")
        self.league_approver = make_user(
            "league_approver", role=Role.LEAGUE_APPROVER, unit=self.league, name="团委老师"
        )
        self.cs_unit_admin = make_user(
            "cs_unit_admin", role=Role.UNIT_ADMIN, unit=self.cs, name="计院管理员"
        )
        self.lit_unit_admin = make_user(
            "lit_unit_admin", role=Role.UNIT_ADMIN, unit=self.lit, name="文院管理员"
        )
        self.lit_operator = make_user(
            "lit_operator", role=Role.OPERATOR, person=self.lit_teacher, name="李老师"
        )
        self.auditor = make_user("auditor", role=Role.AUDITOR, name="审计员")
        self.nobody = make_user("nobody", name="无角色用户")

        self.cs_account = make_account(
            "计算机学院团委",
            unit=self.cs,
            external_id="ncwu_cs",
            is_official=True,
            team=[("first_responsible", self.cs_head)],
        )
        self.se_account = make_account("软件工程系", unit=self.se, platform_code="douyin")
        self.lit_account = make_account(
            "文学院微言",
            unit=self.lit,
            external_id="ncwu_lit",
            team=[("operator", self.lit_teacher), ("student_lead", self.lit_student)],
        )
        self.cs_group = make_group("计算机学院教职工群", unit=self.cs, group_number="")
        self.lit_group = make_group(
            "文学院2024级辅导员群", unit=self.lit, admins=[self.lit_teacher]
        )

    @property
    def users(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in (
                "school_admin",
                "leader",
                "league_approver",
                "cs_unit_admin",
                "lit_unit_admin",
                "lit_operator",
                "auditor",
                "nobody",
            )
        }


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Logs in through the real login form of the live server behind `page`."""
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@contextmanager
def connection_kept():
    """Call the WSGI application directly (not through Django's test client) without its
    request signals closing the test's database connection: on PostgreSQL the connection is
    inside the test's transaction and cannot reopen, so every later request would answer 500.
    Django's test client disconnects the same receiver."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
