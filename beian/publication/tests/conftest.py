"""A published school: the Cast with registered accounts on several platforms, some
published (tiers 1–2), one tier-3 (not published), one closed, one personal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from beian.publication import services
from beian.registry.choices import AccountStatus, FilingState
from beian.registry.models import MediaAccount
from beian.testing import Cast, make_account


@dataclass
class Published:
    cast: Cast
    weibo: MediaAccount
    wechat: MediaAccount
    bilibili: MediaAccount
    douyin: MediaAccount
    site: MediaAccount
    hidden: MediaAccount  # filed, tier 3: not published
    closed: MediaAccount
    personal: MediaAccount


def filed(name, *, unit, number, tier=2, **kw) -> MediaAccount:
    return make_account(
        name,
        unit=unit,
        tier=tier,
        filing_state=FilingState.FILED,
        registration_number=number,
        **kw,
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(db) -> Published:
    cast = Cast()
    school = cast.school
    weibo = filed(
        "华北水利水电大学",
        unit=cast.propaganda,
        number="HS-2026-0001",
        tier=1,
        platform_code="weibo",
        external_id="https://weibo.com/u/1234567890",
        url="https://weibo.com/ncwu",
        verified=True,
    )
    wechat = filed(
        "华水计算机学院",
        unit=cast.cs,
        number="HS-2026-0002",
        platform_code="wechat_official",
        external_id="ncwu_jsj",
        url="https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA3NTk0NDQ2MA==#wechat_redirect",
    )
    bilibili = filed(
        "华水文学院",
        unit=cast.lit,
        number="HS-2026-0003",
        platform_code="bilibili",
        external_id="https://space.bilibili.com/4455667",
    )
    douyin = filed(
        "华水校团委",
        unit=cast.league,
        number="HS-2026-0004",
        platform_code="douyin",
        external_id="ncwu_tw",
        url="https://www.douyin.com/user/MS4wLjABAAAAx1y2z3",
    )
    site = filed(
        "计算机学院网站",
        unit=cast.cs,
        number="HS-2026-0005",
        platform_code="website_campus",
        external_id="https://cs.ncwu.edu.cn/",
    )
    hidden = filed(
        "软件工程系学生会",
        unit=cast.se,
        number="HS-2026-0006",
        tier=3,
        platform_code="wechat_official",
        external_id="ncwu_se_xsh",
    )
    closed = filed(
        "华水旧闻",
        unit=cast.propaganda,
        number="HS-2025-0009",
        platform_code="weibo",
        external_id="https://weibo.com/u/99887766",
        status=AccountStatus.CLOSED,
        closed_on=dt.date(2025, 6, 30),
        closed_reason="停止运营",
    )
    personal = filed(
        "李老师的华水日记",
        unit=cast.lit,
        number="HS-2026-0010",
        platform_code="weibo",
        external_id="https://weibo.com/u/5550001",
        is_personal=True,
        tier=2,
    )
    services.publication_settings_update(
        root=school,
        actor=cast.school_admin,
        directory=True,
        tiers=[1, 2],
        accounts_list=True,
        validity="public",
        report_hint="请致电党委宣传部 0371-00000000",
    )
    return Published(cast, weibo, wechat, bilibili, douyin, site, hidden, closed, personal)
