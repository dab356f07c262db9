"""The dashboard's grouped aggregates (one grouped query over the registry's covering
index, rolled up to units in memory) give the same numbers as counting every account one
by one in Python: by platform, unit, tier and status, the audience, the activity
freshness and the months, for the whole school, a unit admin's subtree and a chosen unit."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
import time_machine

from beian.dashboard import charts
from beian.registry.choices import AccountStatus
from beian.registry.models import MediaAccount
from beian.testing import make_account

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()
PLATFORMS = ("wechat_official", "weibo", "douyin", "bilibili")


def table(chart) -> dict[str, list]:
    return {row[0][0]: [value for value, _url in row[1:]] for row in chart.rows}


@pytest.fixture
def varied(cast):
    """Some forty accounts over every unit, platform, status, tier, audience, last post
    and month (a few without a created month: they count in the month entered)."""
    units = [cast.school, cast.cs, cast.se, cast.lit, cast.propaganda, cast.league, cast.union]
    with time_machine.travel(NOW, tick=False):
        for i in range(42):
            status = (AccountStatus.ACTIVE, AccountStatus.SUSPENDED, AccountStatus.CLOSED)[
                (i // 2) % 3
            ]
            closed = status == AccountStatus.CLOSED
            make_account(
                f"核对账号{i}",
                unit=units[i % len(units)],
                platform_code=PLATFORMS[i % len(PLATFORMS)],
                tier=1 + i % 3,
                status=status,
                audience=(i * 137) % 5000 if i % 4 else None,
                last_post_date=TODAY - dt.timedelta(days=(i * 11) % 150) if i % 5 else None,
                created_month=dt.date(2024 + i % 3, 1 + i % 12, 1) if i % 6 else None,
                closed_on=TODAY - dt.timedelta(days=(i * 23) % 500) if closed else None,
                closed_reason="合并" if closed else "",
            )
    return cast


def naive(accounts, bar_of) -> dict:
    """Every figure counted account by account."""
    by_platform, by_unit, by_tier = Counter(), Counter(), Counter()
    audience, fresh = Counter(), defaultdict(Counter)
    opened, closed = Counter(), Counter()
    for a in accounts:
        by_platform[(a.platform.name, a.status)] += 1
        by_unit[(bar_of(a.owner_unit), a.status)] += 1
        by_tier[(a.tier, a.status)] += 1
        if a.status != AccountStatus.CLOSED:
            audience[a.platform.name] += a.audience or 0
        if a.status == AccountStatus.ACTIVE:
            f = fresh[bar_of(a.owner_unit)]
            f["active"] += 1
            for days in charts.FRESH_DAYS:
                if a.last_post_date and a.last_post_date >= TODAY - dt.timedelta(days=days):
                    f[days] += 1
        month = a.created_month or a.created_at.astimezone(NOW.tzinfo).date()
        opened[f"{month:%Y-%m}"] += 1
        if a.status == AccountStatus.CLOSED and a.closed_on:
            closed[f"{a.closed_on:%Y-%m}"] += 1
    return {
        "platform": by_platform,
        "unit": by_unit,
        "tier": by_tier,
        "audience": audience,
        "fresh": fresh,
        "opened": opened,
        "closed": closed,
    }


def assert_board_equals_naive(board, accounts, bar_of):
    expected = naive(accounts, bar_of)
    statuses = [s.value for s in AccountStatus]
    for slug, key in (("accounts-platform", "platform"), ("accounts-unit", "unit")):
        got = table(board.chart(slug))
        want = {
            name: [expected[key][(name, s)] for s in statuses]
            for name in {name for name, _s in expected[key]}
        }
        assert {k: v[:-1] for k, v in got.items()} == want, slug
        assert all(v[-1] == sum(v[:-1]) for v in got.values())
    tiers = table(board.chart("accounts-tier"))
    assert [v[:-1] for v in tiers.values()] == [
        [expected["tier"][(t, s)] for s in statuses] for t in (1, 2, 3)
    ]
    audience = {k: v[0] for k, v in table(board.chart("audience-platform")).items()}
    assert audience == {k: n for k, n in expected["audience"].items() if n}
    fresh = table(board.chart("freshness-unit"))
    assert {k: v[2:5] for k, v in fresh.items()} == {
        bar: [f["active"], f[30], f[90]] for bar, f in expected["fresh"].items() if f["active"]
    }
    months = table(board.chart("accounts-months"))
    assert {k: v[0] for k, v in months.items() if v[0]} == {
        k: n for k, n in expected["opened"].items() if k in months
    }
    assert {k: v[1] for k, v in months.items() if v[1]} == {
        k: n for k, n in expected["closed"].items() if k in months
    }
    headline = {str(h.label): h.value for h in board.headlines}
    assert headline["新媒体账号"] == len(accounts)


def bar_under(root):
    """The bar of a unit on a dashboard rooted at `root`: the root's child it lies under,
    or the root itself as "（本级）"."""

    def bar_of(unit):
        chain = [unit]
        while chain[-1].parent_id is not None and chain[-1].pk != root.pk:
            chain.append(chain[-1].parent)
        if unit.pk == root.pk:
            return f"{root.name}（本级）"
        return chain[-2].name

    return bar_of


@pytest.mark.django_db
def test_the_school_dashboard_equals_a_naive_count(varied):
    with time_machine.travel(NOW, tick=False):
        board = charts.build(varied.school_admin)
    accounts = list(MediaAccount.objects.select_related("platform", "owner_unit"))
    assert len(accounts) > 40
    assert_board_equals_naive(board, accounts, bar_under(varied.school))


@pytest.mark.django_db
def test_a_unit_admins_and_a_chosen_units_dashboard_equal_a_naive_count(varied):
    in_cs = list(
        MediaAccount.objects.filter(owner_unit__in=[varied.cs, varied.se]).select_related(
            "platform", "owner_unit"
        )
    )
    with time_machine.travel(NOW, tick=False):
        board = charts.build(varied.cs_unit_admin)
    assert_board_equals_naive(board, in_cs, bar_under(varied.cs))
    in_league = list(
        MediaAccount.objects.filter(owner_unit__in=[varied.league, varied.union]).select_related(
            "platform", "owner_unit"
        )
    )
    with time_machine.travel(NOW, tick=False):
        board = charts.build(varied.school_admin, unit=varied.league)
    assert_board_equals_naive(board, in_league, bar_under(varied.league))
