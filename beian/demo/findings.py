"""The deliberately broken records: accounts and groups made wrong on purpose, so that the
compliance checks and the name guard have something to find on the first screen — a zombie
account, one with no activity evidence, a student as first responsible, a 科级 first
responsible, two official accounts of one unit on one platform, a reviewer shortfall, an
unregistered large group, an expired temporary group … Each is listed in `DemoPlan.broken`
and in docs/demo.md; apart from them the demo is clean for each rule (the tests check it).

Plan only: `plan_broken_accounts(b)`, `plan_broken_groups(b)`; the records are written with
the others by `accounts.write_accounts` and `groups.write_groups`.
"""

from __future__ import annotations

from datetime import timedelta

from beian.orgs.choices import PersonKind, UnitKind
from beian.registry.choices import (
    AccountStatus,
    ActivitySource,
    FilingState,
    GroupPurpose,
    TeamRole,
)

from .accounts import add_account, plan_team
from .groups import add_group
from .plan import Builder, add_months, month
from .school import LEAGUE, SHORT


def plan_broken_accounts(b: Builder) -> None:
    """Accounts made wrong on purpose, one or two per rule (docs/demo.md)."""
    rng = b.rng
    broken = b.broke

    a = add_account(b, "外国语学院学生会", "wechat_official", "华水外语角")
    a.last_post_date, a.last_post_source = b.days_ago(250, 280), ActivitySource.INSPECTION
    broken("zombie", a, "运营中，最近发布在 250 天以前（僵尸号）")
    a = add_account(b, "机械设计制造及其自动化系", "douyin", "华水机械创新实验室")
    a.last_post_date, a.last_post_source = b.days_ago(400, 430), ActivitySource.OPERATOR
    broken("zombie", a, "运营中，最近发布在 400 天以前（僵尸号）")

    student = rng.choice(b.pool("数学与统计学院", PersonKind.STUDENT))
    a = add_account(b, "数学与统计学院团委", "douyin", "华水数学青年")
    a.team = [(r, student if r == TeamRole.FIRST_RESPONSIBLE else p) for r, p in a.team]
    broken("first_responsible_not_staff", a, "第一责任人是学生，不是单位负责人")

    a = add_account(b, "电力学院", "wechat_official", f"{SHORT}电力学院", official=True)
    other = add_account(b, "电力学院", "wechat_official", "电力学院青年", official=True)
    broken("duplicate_official", a, "电力学院有两个官方微信公众号（另一个：电力学院青年）")
    broken("duplicate_official", other, "电力学院有两个官方微信公众号（另一个：华水电力学院）")

    left = b.tagged["left_staff"]
    a = add_account(b, "档案馆", "wechat_official", "华水档案馆", official=True)
    a.team = [(r, left if r == TeamRole.RESPONSIBLE else p) for r, p in a.team]
    broken("member_not_in_post", a, "负责人已离职")
    add_account(b, "档案馆", "website_campus", "档案馆网站", official=True)

    a = add_account(
        b,
        "信息工程学院学生会",
        "weibo",
        "华水信息工程学院学生会",
        audience=56_800,
        filing_state=FilingState.UNFILED,
    )
    broken("audience_threshold_unfiled", a, "三级微博账号，粉丝 56,800（> 50,000），未在学校备案")

    personal_owner = "管理与经济学院"
    seller = rng.choice(b.pool(personal_owner, PersonKind.STUDENT))
    a = add_account(
        b,
        personal_owner,
        "wechat_official",
        "华水二手交易",
        is_personal=True,
        filing_state=FilingState.UNFILED,
        verified=False,
        verified_month=None,
        team=[(TeamRole.OPERATOR, seller)],
        audience=4_300,
    )
    broken(
        "personal_uses_school_name",
        a,
        "学生以个人名义开设，使用学校简称“华水”，未备案；只登记了运营者（无责任人、审核人）",
    )
    a = add_account(
        b,
        "学生工作部",
        "douyin",
        "滑水大学表白墙",
        is_personal=True,
        filing_state=FilingState.UNFILED,
        verified=False,
        verified_month=None,
        team=[],
        audience=12_400,
        introduction="网络巡查发现，开设人不明。",
    )
    broken("imitating_name", a, "谐音仿冒学校名称（滑水 ≈ 华水），未备案，无管理队伍")

    a = add_account(b, "信息工程学院青年志愿者协会", "qzone", "华水青协信息分队")
    a.team = [(r, p) for r, p in a.team if r != TeamRole.ADVISOR]
    broken("student_account_without_advisor", a, "学生组织账号，没有指导教师")

    a = add_account(
        b, "会计学系", "wechat_official", "华水会计人", team=plan_team(b, "会计学系", reviewers=2)
    )
    broken("too_few_reviewers", a, "内容审核人只有 2 人（应至少 3 人）")

    a = add_account(b, "马克思主义学院", "douyin", f"{SHORT}马克思主义学院", official=True)
    a.verified, a.verified_month = False, None
    broken("not_verified", a, "学院官方抖音号，未在平台认证")

    # Nobody has reported a post of this one: "unknown" (缺少发布记录), never a zombie.
    a = next(x for x in b.accounts if (x.platform, x.name) == ("bilibili", "华水天文协会"))
    a.last_post_date, a.last_post_source = None, ""
    broken("activity_unknown", a, "运营中，没有任何来源的最近发布日期（未知，不是僵尸号）")

    a = add_account(b, "科技处", "wechat_official", "华水科技", official=True)
    a.team = [(r, b.tagged["no_phone"] if r == TeamRole.RESPONSIBLE else p) for r, p in a.team]
    broken("missing_data", a, "负责人没有手机号码")

    first_outsourced = next(i for i, p in enumerate(b.people) if p.kind == PersonKind.EXTERNAL)
    for account in b.accounts:
        if any(p == first_outsourced for _, p in account.team):
            broken("member_not_in_post", account, "运营者为校外人员（合作公司外包运营）")


def plan_broken_groups(b: Builder) -> None:
    """Groups made wrong on purpose."""
    g = add_group(
        b,
        "水利学院",
        "水利学院2026级新生家长交流群",
        GroupPurpose.STUDENT_AFFAIRS,
        (120, 120),
        outside=0.8,
    )
    g.registered, g.platform, g.group_number = False, "wechat_group", ""
    g.created_month = month(2025, 8)
    b.broke("large_group_unregistered", g, "120 人（其中校外家长约 90 人），未报备")
    g = add_group(
        b, LEAGUE, "校运动会志愿者临时群", GroupPurpose.TEMPORARY, (60, 80), temporary=True
    )
    g.temporary_until = b.today - timedelta(days=45)
    g.created_month = add_months(month(g.temporary_until.year, g.temporary_until.month), -1)
    b.broke("temporary_group_expired", g, "临时群，截止日期已过 45 天，仍在使用")


def plan_first_responsible_not_cadre(b: Builder) -> None:
    """A division's account answered for by the division's own head, a 科级 系主任, rather
    than by the college's 处级 head (seed 004 §二, 第三条). Found once the policy asks for a
    处级 first responsible (`team.first_responsible_must_be_cadre = true`). Draws nothing from
    the generator: the account is one already planned, outside 信息工程学院 (whose accounts
    the `operator` login runs)."""
    account = next(
        a
        for a in b.accounts
        if b.unit_by_name[a.owner].kind == UnitKind.DIVISION
        and b.top_of[a.owner] != "信息工程学院"
        and a.status == AccountStatus.ACTIVE
        and a.platform == "wechat_official"
    )
    head = b.unit_by_name[account.owner].head
    college_head = b.head_of_top(account.owner)
    # The two swap places: the 系主任 answers for it, the college's head keeps any other
    # place the 系主任 had on the team (so that the team stays whole).
    swap = {head: college_head, college_head: head}
    account.team = [(role, swap.get(p, p)) for role, p in account.team]
    b.broke(
        "first_responsible_not_cadre",
        account,
        f"第一责任人为{account.owner}系主任（科级），不是学院的处级负责人",
    )
