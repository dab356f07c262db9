"""Numbers on the home page come from the policy in force: the idle-account threshold
([zombie] close_after_days) and the annual inspection ([inspection] enabled, month)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from beian.core.policy import Policy, reset_policy_cache
from beian.dashboard.selectors import home_overview, inspection_calendar
from beian.registry.choices import FilingState
from beian.testing import make_account

TODAY = date(2026, 6, 1)


def _idle(overview) -> tuple[str, int]:
    item = overview.attention[-1]
    return str(item.label), item.value


def _zombie(days: int) -> Policy:
    return replace(Policy(), zombie=replace(Policy().zombie, close_after_days=days))


@pytest.fixture
def policy_file(tmp_path, settings):
    def use(text: str):
        path = tmp_path / "policy.toml"
        path.write_text(text, encoding="utf-8")
        settings.BEIAN_POLICY_FILE = str(path)
        reset_policy_cache()

    yield use
    reset_policy_cache()


@pytest.mark.django_db
def test_idle_accounts_are_counted_on_the_zombie_threshold_of_the_policy(cast):
    for days in (89, 90, 120, 200):
        make_account(
            f"{days}天",
            unit=cast.cs,
            last_post_date=TODAY - timedelta(days=days),
            filing_state=FilingState.FILED,
        )
    # 90 days is a zombie for the rule (idle >= close_after_days), and so for the page
    assert _idle(home_overview(cast.school_admin, today=TODAY)) == ("90 天未更新的运营中账号", 3)
    half_year = home_overview(cast.school_admin, today=TODAY, policy=_zombie(180))
    assert _idle(half_year) == ("180 天未更新的运营中账号", 1)


@pytest.mark.django_db
@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_the_page_shows_the_numbers_of_the_policy_file(client, cast, policy_file):
    client.force_login(cast.school_admin)
    page = client.get(reverse("home")).content.decode()
    assert "90 天未更新的运营中账号" in page
    assert "180 天" not in page
    assert "每年 12 月开展；下次年检 2026 年 12 月，还有 183 天。" in page

    policy_file(
        "[zombie]\nwarn_after_days = 150\nclose_after_days = 180\n[inspection]\nmonth = 11\n"
    )
    page = client.get(reverse("home")).content.decode()
    assert "180 天未更新的运营中账号" in page
    assert "每年 11 月开展；下次年检 2026 年 11 月" in page

    policy_file("[inspection]\nenabled = false\n")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="inspection"' not in page


@pytest.mark.django_db
@time_machine.travel("2026-12-05 10:00 +0800", tick=False)
def test_in_the_inspection_month_the_page_says_it_is_open(client, cast):
    client.force_login(cast.cs_unit_admin)
    page = client.get(reverse("home")).content.decode()
    assert "本月为年度年检月" in page


@pytest.mark.parametrize(
    ("today", "opens_on", "is_open", "days_left"),
    [
        (date(2026, 6, 1), date(2026, 12, 1), False, 183),
        (date(2026, 12, 31), date(2026, 12, 1), True, 0),
        (date(2027, 1, 10), date(2027, 12, 1), False, 325),
    ],
)
def test_inspection_calendar(today, opens_on, is_open, days_left):
    found = inspection_calendar(Policy(), today)
    assert (found.month, found.opens_on, found.is_open, found.days_left) == (
        12,
        opens_on,
        is_open,
        days_left,
    )
    off = replace(Policy(), inspection=replace(Policy().inspection, enabled=False))
    assert inspection_calendar(off, today) is None
