"""Media accounts: the school's own (tier 1), the official accounts of colleges, departments
and school-level organisations (tier 2), those of divisions, clubs, classes and league
branches (tier 3), personal accounts filed with the school, and a few closed or suspended
ones — each with a full team, audience, verification, filing state and last post.

Plan: `plan_accounts(b)`. Write: `write_accounts(ctx)` through the registry's bulk upsert
(history rows, audit row, compliance re-check after commit) under the demo's authority.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from beian.core.text import pinyin_keys
from beian.orgs.choices import PersonKind, UnitKind
from beian.registry.authority import Authority
from beian.registry.bulk import accounts_bulk_upsert
from beian.registry.choices import AccountStatus, ActivitySource, FilingState, TeamRole, Tier
from beian.registry.models import Platform
from beian.registry.spec import derive_tier

from .filings import assign_registration_number, roll_filing_state
from .plan import AccountPlan, Builder, UnitPlan, add_months, month, strip_school
from .school import (
    CLOSE_REASONS,
    CLOSE_REASONS_OTHER,
    CLUBS,
    COLLEGES,
    DEPARTMENTS,
    DIRECT_UNITS,
    DOMAIN,
    FREQUENCIES,
    LEAGUE,
    PLATFORM_SINCE,
    SCHOOL,
    SHORT,
    STUDENT_KINDS,
    VERIFIABLE,
)

if TYPE_CHECKING:
    from .context import DemoContext

# --- plan -----------------------------------------------------------------------------------


def plan_accounts(b: Builder) -> None:
    """Every account of the school, in a fixed order (the generator's stream depends on it)."""
    _school_accounts(b)
    _official_accounts(b)
    _tier3_accounts(b)
    _personal_accounts(b)
    _closed_and_suspended(b)


def plan_team(b: Builder, unit: str, *, reviewers: int = 3, advisor: bool = True) -> list:
    rng = b.rng
    owner = b.unit_by_name[unit]
    staff = [i for i in b.pool(unit) if i != owner.head]
    # The head of the second-level unit (the college, the department, the school) answers
    # for the account: the 处级 cadre seed 004 asks for. For a unit below it (a division, a
    # class, a club) that is not the unit's own head.
    first = b.head_of_top(unit)
    team: list[tuple[str, int]] = []
    if first is not None:
        team.append((TeamRole.FIRST_RESPONSIBLE, first))
    # Responsible, reviewers and staff operators are different people where the unit
    # is big enough (every pool holds at least five staff besides the head).
    order = rng.sample(staff, len(staff))
    team.append((TeamRole.RESPONSIBLE, order[0]))
    team += [(TeamRole.REVIEWER, person) for person in order[1 : 1 + reviewers]]
    rest = order[1 + reviewers :] or order[1:]
    if owner.kind in STUDENT_KINDS:
        students = b.pool(unit, PersonKind.STUDENT)
        picked = rng.sample(students, 3)
        team.append((TeamRole.STUDENT_LEAD, picked[0]))
        team += [(TeamRole.OPERATOR, p) for p in picked[1 : rng.randint(2, 3)]]
        if advisor:
            team.append((TeamRole.ADVISOR, rng.choice(staff)))
    else:
        team += [(TeamRole.OPERATOR, p) for p in rest[: rng.randint(1, 2)]]
    if first != owner.head and owner.head is not None:
        # Drawn from the second-level unit's staff, the first responsible may have been
        # given another place on the team too: the unit's own head takes it.
        team[1:] = [(role, owner.head if p == first else p) for role, p in team[1:]]
    return team


def _guiding_unit(b: Builder, unit: UnitPlan) -> str | None:
    """Student organisations are guided by the Youth League committee above them."""
    if unit.kind == UnitKind.SCHOOL_STUDENT_ORG and unit.name != LEAGUE:
        return LEAGUE
    if unit.kind in STUDENT_KINDS:
        league = f"{b.top_of[unit.name]}团委"
        if league in b.unit_by_name and league != unit.name:
            return league
    return None


def _external_id(b: Builder, platform: str, name: str) -> tuple[str, str]:
    """(account id or address, url) in the form the platform's address_pattern wants."""
    rng = b.rng
    slug = pinyin_keys(strip_school(name))[1][:12] or "ncwu"
    if platform == "wechat_official":
        if rng.random() < 0.25:
            while True:
                value = "gh_" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
                if b.unique(platform, value):
                    return value, ""
        base, n = f"ncwu_{slug}"[:18], 1  # 6–20 characters, a letter first
        value = base
        while not b.unique(platform, value):
            n += 1
            value = f"{base}{n}"
        return value, ""
    if platform == "weibo":
        value = "https://weibo.com/u/" + b.digits(platform, 1_000_000_000, 7_999_999_999)
        return value, value
    if platform == "bilibili":
        value = "https://space.bilibili.com/" + b.digits(platform, 10_000_000, 3_999_999_999)
        return value, value
    if platform in ("qq", "qzone", "qq_official"):
        value = b.digits("qq", 100_000_000, 3_999_999_999)
        b.unique(platform, value)
        url = f"https://user.qzone.qq.com/{value}" if platform == "qzone" else ""
        return value, url
    if platform in ("douyin", "kuaishou", "xiaohongshu"):
        return b.digits(platform, 100_000_000, 9_999_999_999), ""
    if platform == "wechat_channels":
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
        while True:
            value = "sph" + "".join(rng.choice(alphabet) for _ in range(7))
            if b.unique(platform, value):
                return value, ""
    if platform == "mini_program":
        while True:
            value = "wx" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
            if b.unique(platform, value):
                return value, ""
    if platform == "zhihu":
        value = f"https://www.zhihu.com/org/ncwu-{slug}"
        b.unique(platform, value)
        return value, value
    if platform == "toutiao":
        value = "https://www.toutiao.com/c/user/" + b.digits(platform, 10**10, 10**11)
        return value, value
    if platform == "website_campus":
        host = f"{slug}.{DOMAIN}"
        n = 1
        while not b.unique(platform, f"https://{host}"):
            n += 1
            host = f"{slug}{n}.{DOMAIN}"
        return f"https://{host}", f"https://{host}"
    if platform in ("radio", "app"):
        host = {"radio": f"https://radio.{DOMAIN}", "app": f"https://app.{DOMAIN}/download"}
        b.unique(platform, host[platform])
        return host[platform], host[platform]
    if platform == "journal":
        b.unique(platform, "CN41-1432/TV")
        return "CN41-1432/TV", ""
    # 人民号, 新华号 …: the account is known by its name.
    value, n = name, 1
    while not b.unique(platform, value):
        n += 1
        value = f"{name}{n}"
    return value, ""


def add_account(
    b: Builder,
    owner: str,
    platform: str,
    name: str,
    *,
    official: bool = False,
    tier: int | None = None,
    audience: tuple[int, int] | int | None = None,
    team: list | None = None,
    since: date | None = None,
    **kw,
) -> AccountPlan:
    rng = b.rng
    unit = b.unit_by_name[owner]
    default_tier = derive_tier(unit_kind=unit.kind, is_personal=bool(kw.get("is_personal")))
    tier = tier or default_tier
    external_id, url = _external_id(b, platform, name)
    first = max(month(PLATFORM_SINCE.get(platform, 2013), 1), since or month(2013, 1))
    created = b.rand_month(first, month(2025, 12))
    verified = platform in VERIFIABLE and (official or tier == Tier.ONE or rng.random() < 0.45)
    verified_month = (
        min(add_months(created, rng.randint(0, 18)), month(2025, 12)) if verified else None
    )
    if isinstance(audience, tuple):
        audience = rng.randint(*audience)
    if audience is None and platform not in ("website_campus", "website_external", "newspaper"):
        low, high = {1: (8_000, 60_000), 2: (800, 22_000), 3: (40, 6_000)}[tier]
        audience = rng.randint(low, high)
    filing = roll_filing_state(b, tier)
    filing = kw.pop("filing_state", filing)
    freshness = {1: (0, 2), 2: (0, 20), 3: (0, 45)}[tier]
    last_post = b.days_ago(*freshness)
    source = rng.choice(
        [
            ActivitySource.OPERATOR,
            ActivitySource.OPERATOR,
            ActivitySource.INSPECTION,
            ActivitySource.IMPORT,
        ]
    )
    feed_url = ""
    if platform == "website_campus" and rng.random() < 0.5:
        feed_url, source = f"{url}/rss.xml", ActivitySource.FEED
    frequency = rng.choice(FREQUENCIES[:3] if tier == Tier.ONE else FREQUENCIES)
    if team is None:
        team = plan_team(b, owner)
    account = AccountPlan(
        platform=platform,
        name=name,
        owner=owner,
        tier=tier,
        external_id=external_id,
        url=url,
        is_official=official,
        created_month=created,
        verified=verified,
        verified_month=verified_month,
        audience=audience,
        update_frequency=frequency,
        columns=_columns(unit.kind),
        introduction=f"{owner}{'官方' if official else ''}账号，发布{_columns(unit.kind).split('、')[0]}等信息。",
        filing_state=filing,
        last_post_date=last_post,
        last_post_source=source,
        feed_url=feed_url,
        team=team,
        guiding=_guiding_unit(b, unit),
    )
    if tier != default_tier and not kw.get("tier_override_reason"):
        account.tier_override_reason = "学校官方账号，由党委宣传部运营"
    for key, value in kw.items():
        setattr(account, key, value)
    assign_registration_number(b, account)
    b.accounts.append(account)
    return account


def _school_accounts(b: Builder) -> None:
    """Tier 1: the school's own accounts, run by the propaganda department."""
    rng = b.rng
    propaganda = b.unit_by_name["党委宣传部"]
    leader = b.tagged["leader"]
    staff = b.pool("党委宣传部")
    news_head = b.unit_by_name["新闻中心"].head
    reviewers = [staff[1], b.tagged["xcb_admin"]]
    editors = [i for i in staff if b.people[i].post in ("编辑", "记者")]
    outsourced = [i for i, p in enumerate(b.people) if p.kind == PersonKind.EXTERNAL]

    def school_team(*, external: bool = False, owner: str = SCHOOL):
        # The school's head answers for the school's accounts; the propaganda
        # department's head for those the department owns itb.
        if owner == SCHOOL:
            first, responsible, reviewer = (
                b.unit_by_name[SCHOOL].head,
                propaganda.head,
                news_head,
            )
        else:
            first, responsible, reviewer = propaganda.head, news_head, staff[2]
        team = [
            (TeamRole.SUPERVISOR, leader),
            (TeamRole.FIRST_RESPONSIBLE, first),
            (TeamRole.RESPONSIBLE, responsible),
        ]
        team += [(TeamRole.REVIEWER, r) for r in [*reviewers, reviewer]]
        team += [(TeamRole.OPERATOR, e) for e in rng.sample(editors, 2)]
        if external:
            team.append((TeamRole.OPERATOR, outsourced[0]))
        return team

    tier1 = [
        ("wechat_official", 426_000),
        ("weibo", 285_000),
        ("douyin", 356_000),
        ("wechat_channels", 98_000),
        ("bilibili", 72_000),
        ("kuaishou", 41_000),
        ("xiaohongshu", 53_000),
        ("zhihu", 18_000),
        ("toutiao", 67_000),
        ("renmin_hao", 12_000),
        ("xinhua_hao", 9_000),
    ]
    for platform, audience in tier1:
        account = add_account(
            b,
            SCHOOL,
            platform,
            SCHOOL,
            official=True,
            audience=audience,
            team=school_team(external=platform in ("douyin", "bilibili")),
            update_frequency="1次/日",
        )
        if platform == "wechat_official":
            account.external_id = "ncwu1951"
            account.created_month = month(2013, 9)
            account.verified_month = month(2014, 3)
        if platform == "weibo":
            account.external_id = account.url = "https://weibo.com/ncwu1951"
    add_account(
        b,
        SCHOOL,
        "website_campus",
        "华北水利水电大学官网",
        official=True,
        team=school_team(),
        url=f"https://www.{DOMAIN}",
        external_id=f"https://www.{DOMAIN}",
        feed_url=f"https://www.{DOMAIN}/rss.xml",
        last_post_source=ActivitySource.FEED,
    )
    add_account(
        b,
        "党委宣传部",
        "website_campus",
        "华水新闻网",
        tier=Tier.ONE,
        official=False,  # the department's own official site is 党委宣传部网站
        team=school_team(owner="党委宣传部"),
        url=f"https://news.{DOMAIN}",
        external_id=f"https://news.{DOMAIN}",
        feed_url=f"https://news.{DOMAIN}/rss.xml",
        last_post_source=ActivitySource.FEED,
    )
    add_account(
        b,
        "党委宣传部",
        "newspaper",
        "华北水利水电大学报",
        tier=Tier.ONE,
        official=True,
        team=school_team(owner="党委宣传部"),
        external_id="CN41-0817/(G)",
        update_frequency="2-3次/月",
        columns="要闻、综合新闻、校园文化、副刊",
    )
    add_account(
        b,
        SCHOOL,
        "website_campus",
        "NCWU English",
        official=False,
        team=school_team(),
        url=f"https://en.{DOMAIN}",
        external_id=f"https://en.{DOMAIN}",
        update_frequency="1次/周",
    )


def _official_accounts(b: Builder) -> None:
    """Tier 2: one official account per platform per unit."""
    rng = b.rng
    # Tier 2: the official accounts of colleges, departments, direct units and the
    # school-level student organisations; one per platform per unit.
    for college, _short, *_rest in COLLEGES:
        if college != "电力学院":  # its two official WeChat accounts are broken records
            add_account(b, college, "wechat_official", f"{SHORT}{college}", official=True)
        add_account(b, college, "website_campus", f"{college}网站", official=True)
        for platform, chance in (
            ("weibo", 0.7),
            ("douyin", 0.7),
            ("wechat_channels", 0.5),
            ("bilibili", 0.25),
            ("xiaohongshu", 0.25),
            ("kuaishou", 0.15),
            ("toutiao", 0.1),
            ("qq", 0.3),
            ("qzone", 0.3),
        ):
            roll = rng.random()
            if college == "马克思主义学院" and platform == "douyin":
                continue  # its unverified official Douyin account is a broken record
            if roll < chance:
                name = f"{SCHOOL}{college}" if platform == "weibo" else f"{SHORT}{college}"
                add_account(b, college, platform, name, official=True)
    departments = {
        "党委组织部": [("wechat_official", "华水组工")],
        "纪委办公室": [("wechat_official", "华水清风")],
        "学生工作部": [("wechat_official", "华水学工"), ("douyin", "华水学工")],
        "教务处": [("wechat_official", "华水教务")],
        "科技处": [("journal", "华北水利水电大学学报（自然科学版）")],
        "人事处": [("wechat_official", "华水人才招聘")],
        "招生就业处": [
            ("wechat_official", "华水招生"),
            ("douyin", "华水招生"),
            ("weibo", "华水招生"),
            ("wechat_channels", "华水招生"),
            ("xiaohongshu", "华水招生"),
            ("kuaishou", "华水招生"),
            ("bilibili", "华水招生"),
        ],
        "研究生院": [("wechat_official", "华水研究生"), ("weibo", "华水研究生")],
        "国际合作与交流处": [("wechat_official", "华水国际"), ("weibo", "NCWU International")],
        "后勤管理处": [("wechat_official", "华水后勤"), ("douyin", "华水后勤")],
        "保卫处": [("wechat_official", "华水平安"), ("weibo", "华水平安")],
        "图书馆": [
            ("wechat_official", "华水图书馆"),
            ("weibo", "华水图书馆"),
            ("douyin", "华水图书馆"),
        ],
        "信息化办公室": [
            ("wechat_official", "华水信息化"),
            ("app", "i华水"),
            ("mini_program", "华水校园服务"),
        ],
        "校医院": [("wechat_official", "华水校医院")],
        LEAGUE: [
            ("wechat_official", "华水青年"),
            ("weibo", "华水青年"),
            ("douyin", "华水青年"),
            ("bilibili", "华水青年"),
            ("wechat_channels", "华水青年"),
            ("qzone", "华水青年"),
            ("radio", "华水之声"),
        ],
        "校学生会": [
            ("wechat_official", "华水学生会"),
            ("weibo", "华水学生会"),
            ("douyin", "华水学生会"),
            ("qzone", "华水学生会"),
            ("bilibili", "华水学生会"),
            ("xiaohongshu", "华水学生会"),
        ],
        "学生社团联合会": [("wechat_official", "华水学社联"), ("qzone", "华水学社联")],
        "校研究生会": [("wechat_official", "华水研究生会"), ("qzone", "华水研究生会")],
        "校青年志愿者协会": [("wechat_official", "华水青协"), ("douyin", "华水青协")],
    }
    for owner, accounts in departments.items():
        for platform, name in accounts:
            add_account(b, owner, platform, name, official=platform != "journal")
    add_account(b, "招生就业处", "wechat_official", "华水就业", audience=(9_000, 30_000))
    for name, *_rest in DEPARTMENTS + DIRECT_UNITS:
        if name != "档案馆":  # 档案馆's accounts are among the broken records
            add_account(b, name, "website_campus", f"{name}网站", official=True)


def _tier3_accounts(b: Builder) -> None:
    rng = b.rng
    # Tier 3: sections, divisions, student organisations, classes, league branches.
    add_account(b, "心理健康教育中心", "wechat_official", "华水心理")
    add_account(b, "心理健康教育中心", "douyin", "华水心理")
    add_account(b, "学生资助管理中心", "wechat_official", "华水资助")
    add_account(b, "就业指导中心", "douyin", "华水就业指导")
    for club in CLUBS:
        for platform, chance in (
            ("wechat_official", 1),
            ("qzone", 0.6),
            ("douyin", 0.4),
            ("bilibili", 0.25),
            ("xiaohongshu", 0.15),
            ("wechat_channels", 0.1),
        ):
            if rng.random() < chance:
                add_account(
                    b,
                    "学生社团联合会",
                    platform,
                    f"{SHORT}{club}",
                    tier=Tier.THREE,
                    tier_override_reason="学生社团账号，按三级管理",
                )
    for college, short, _code, divisions, office, _courses in COLLEGES:
        for division, _abbr in divisions:
            if rng.random() < 0.6 or division == "软件工程系":
                add_account(b, division, "wechat_official", f"{college}{division}")
            if rng.random() < 0.5:
                add_account(b, division, "website_campus", f"{division}网站")
            if rng.random() < 0.15:
                add_account(b, division, "douyin", f"{SHORT}{division}")
        if rng.random() < 0.4:
            add_account(b, office, "wechat_official", office)
        youth = f"{college}团委"
        add_account(b, youth, "wechat_official", f"{SHORT}{short}青年")
        for platform, chance in (
            ("qzone", 0.6),
            ("douyin", 0.5),
            ("weibo", 0.3),
            ("wechat_channels", 0.3),
            ("bilibili", 0.15),
        ):
            if rng.random() < chance:
                add_account(b, youth, platform, f"{college}团委")
        union = f"{college}学生会"
        add_account(b, union, "wechat_official", union)
        for platform, chance in (("weibo", 0.3), ("douyin", 0.4), ("qzone", 0.6)):
            roll = rng.random()
            if college == "信息工程学院" and platform == "weibo":
                continue  # the broken tier-3 Weibo account stands in for it
            if roll < chance:
                add_account(b, union, platform, union)
        volunteers = f"{college}青年志愿者协会"
        if volunteers in b.unit_by_name:
            add_account(b, volunteers, "wechat_official", f"{college}青协")
            if rng.random() < 0.4:
                add_account(b, volunteers, "douyin", f"{college}青协")
        for unit in b.units:
            if unit.parent != college or unit.kind not in (
                UnitKind.CLASS,
                UnitKind.LEAGUE_BRANCH,
            ):
                continue
            since = month(2000 + int(re.search(r"(\d\d)01", unit.name).group(1)), 9)
            if unit.kind == UnitKind.CLASS:
                for platform, chance in (
                    ("qq", 0.6),
                    ("qzone", 0.7),
                    ("wechat_official", 0.4),
                ):
                    if rng.random() < chance:
                        add_account(
                            b,
                            unit.name,
                            platform,
                            f"{college}{unit.name}",
                            since=since,
                            audience=(25, 60),
                        )
            else:
                for platform, chance in (("wechat_official", 0.6), ("qzone", 0.35)):
                    if rng.random() < chance:
                        add_account(
                            b, unit.name, platform, unit.name, since=since, audience=(25, 80)
                        )


def _personal_accounts(b: Builder) -> None:
    rng = b.rng
    # Personal accounts that use the school's name, filed with the school.
    for college, name, platform in (
        ("数学与统计学院", "华水老师讲高数", "bilibili"),
        ("土木与交通学院", "华水结构力学课堂", "bilibili"),
        ("外国语学院", "华水英语角", "douyin"),
        ("信息工程学院", "华水程序员成长记", "zhihu"),
        ("水利学院", "华水水利人", "wechat_official"),
    ):
        teacher = rng.choice(b.pool(college))
        add_account(
            b,
            college,
            platform,
            name,
            is_personal=True,
            team=[
                (TeamRole.FIRST_RESPONSIBLE, b.unit_by_name[college].head),
                (TeamRole.RESPONSIBLE, teacher),
                (TeamRole.OPERATOR, teacher),
            ]
            + [(TeamRole.REVIEWER, r) for r in rng.sample(b.pool(college), 3)],
            filing_state=FilingState.FILED,
            audience=(300, 9_000),
        )


def _closed_and_suspended(b: Builder) -> None:
    rng = b.rng
    # A few closed and suspended accounts (not broken: closed properly, with reason).
    candidates = [
        a
        for a in b.accounts
        if a.tier == Tier.THREE
        and a.owner != "学生社团联合会"
        and a.filing_state == FilingState.FILED
    ]
    for account in rng.sample(candidates, 10):
        closed_on = b.rand_month(month(2024, 1), month(2025, 12)) + timedelta(
            days=rng.randint(0, 27)
        )
        account.status = AccountStatus.CLOSED
        account.closed_on = max(closed_on, account.created_month)
        kind = b.unit_by_name[account.owner].kind
        account.closed_reason = rng.choice(CLOSE_REASONS.get(kind, CLOSE_REASONS_OTHER))
        account.last_post_date = account.closed_on - timedelta(days=rng.randint(3, 60))
        account.last_post_source = ActivitySource.OPERATOR
    candidates = [a for a in candidates if a.status == AccountStatus.ACTIVE]
    for account in rng.sample(candidates, 3):
        account.status = AccountStatus.SUSPENDED
        account.last_post_date = b.days_ago(100, 150)
    for account in b.accounts:  # the last post never precedes the account
        if account.last_post_date and account.created_month:
            account.last_post_date = max(account.last_post_date, account.created_month)


def _columns(kind: str) -> str:
    if kind in STUDENT_KINDS:
        return "活动通知、青春风采、志愿服务、学习交流"
    if kind in (UnitKind.SCHOOL, UnitKind.COLLEGE):
        return "新闻动态、通知公告、学子风采、招生就业"
    return "工作动态、通知公告、办事指南、政策解读"


# --- write ----------------------------------------------------------------------------------


def distinct(pairs) -> list[tuple[str, int]]:
    """(role, person) pairs once each, in order."""
    return list(dict.fromkeys(pairs))


def write_accounts(ctx: DemoContext) -> None:
    """The accounts and their teams through the registry's one bulk write path (history
    rows, audit rows, compliance re-check after commit), under the demo's authority."""
    units, people = ctx.units, ctx.people
    platforms = dict(Platform.objects.values_list("code", "pk"))
    plan = ctx.plan.accounts
    ctx.accounts = accounts_bulk_upsert(
        actor=None,
        authority=Authority.demo(),
        create=[
            {
                "platform_id": platforms[a.platform],
                "name": a.name,
                "external_id": a.external_id,
                "url": a.url,
                "owner_unit_id": units[a.owner].pk,
                "guiding_unit_id": units[a.guiding].pk if a.guiding else None,
                "tier": a.tier,
                "tier_override_reason": a.tier_override_reason,
                "is_personal": a.is_personal,
                "is_official": a.is_official,
                "created_month": a.created_month,
                "verified": a.verified,
                "verified_month": a.verified_month,
                "audience": a.audience,
                "update_frequency": a.update_frequency,
                "columns": a.columns,
                "introduction": a.introduction,
                "status": a.status,
                "filing_state": a.filing_state,
                "registration_number": a.registration_number,
                "last_post_date": a.last_post_date,
                "last_post_source": a.last_post_source,
                "feed_url": a.feed_url,
                "closed_on": a.closed_on,
                "closed_reason": a.closed_reason,
            }
            for a in plan
        ],
        create_teams=[[(role, people[p].pk) for role, p in distinct(a.team)] for a in plan],
    ).created
