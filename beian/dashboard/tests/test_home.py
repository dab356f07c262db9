from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beian.core.policy import Policy
from beian.dashboard.selectors import home_overview
from beian.registry.choices import AccountStatus, FilingState
from beian.testing import make_account, make_group, make_person, make_unit

TODAY = date(2026, 6, 1)
#: Days without a post after which the home page counts an account as idle (the policy's
#: zombie.close_after_days; 90 by default).
STALE_AFTER_DAYS = Policy().zombie.close_after_days


def _attention(overview) -> dict[str, int]:
    return {item.label: item.value for item in overview.attention}


def _figures(figures) -> dict[str, int]:
    return {str(f.label): f.value for f in figures}


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    [
        "school_admin",
        "leader",
        "league_approver",
        "cs_unit_admin",
        "lit_unit_admin",
        "lit_operator",
        "auditor",
        "nobody",
    ],
)
def test_every_signed_in_user_gets_a_home_page(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_user_without_role_is_told_to_ask_for_one(client, cast):
    client.force_login(cast.nobody)
    response = client.get(reverse("home"))
    content = response.content.decode()
    assert "尚未分配角色" in content
    assert "宣传部" in content
    assert "需要关注" not in content
    assert response.context["overview"].has_role is False


@pytest.mark.django_db
def test_roles_are_shown(client, cast):
    client.force_login(cast.cs_unit_admin)
    content = client.get(reverse("home")).content.decode()
    assert "二级单位管理员（计算机学院）" in content


@pytest.mark.django_db
def test_numbers_are_counted_within_the_scope(cast):
    school = home_overview(cast.school_admin, today=TODAY)
    assert school.accounts_total == 3
    assert school.units == 7
    assert school.people == 3
    assert _figures(school.groups)["在用"] == 2

    cs = home_overview(cast.cs_unit_admin, today=TODAY)
    assert cs.accounts_total == 2  # 计算机学院 and its 软件工程系
    assert _figures(cs.accounts_by_status) == {"运营中": 2, "暂停更新": 0, "已注销": 0}
    assert _figures(cs.accounts_by_tier) == {"一级": 0, "二级": 1, "三级": 1}
    assert _figures(cs.groups)["在用"] == 1
    assert (cs.units, cs.people) == (2, 1)

    operator = home_overview(cast.lit_operator, today=TODAY)
    assert operator.accounts_total == 1  # the account whose team they are on
    assert operator.people == 1  # themself


@pytest.mark.django_db
def test_what_needs_attention(cast):
    long_ago = TODAY - timedelta(days=STALE_AFTER_DAYS + 1)
    make_account("旧号", unit=cast.cs, last_post_date=long_ago, filing_state=FilingState.FILED)
    make_account("新号", unit=cast.cs, last_post_date=TODAY, filing_state=FilingState.FILED)
    make_account(
        "已注销号",
        unit=cast.cs,
        status=AccountStatus.CLOSED,
        closed_on=TODAY,
        closed_reason="合并",
        last_post_date=long_ago,
    )
    make_group("校外群", unit=cast.cs, has_outside_members=True, outside_member_count=3)
    make_group(
        "过期临时群", unit=cast.cs, is_temporary=True, temporary_until=TODAY - timedelta(days=1)
    )
    make_group("未到期临时群", unit=cast.cs, is_temporary=True, temporary_until=TODAY)
    make_group("文学院校外群", unit=cast.lit, has_outside_members=True, outside_member_count=1)

    cs = _attention(home_overview(cast.cs_unit_admin, today=TODAY))
    assert cs == {
        "未备案的运营中账号": 2,  # 计算机学院团委 and 软件工程系 (the closed one does not count)
        "缺少第一责任人的运营中账号": 3,  # all active but 计算机学院团委
        "有校外人员的在用群聊": 1,
        "已过截止日期的临时群": 1,
        f"{STALE_AFTER_DAYS} 天未更新的运营中账号": 1,
    }
    school = _attention(home_overview(cast.school_admin, today=TODAY))
    assert school["有校外人员的在用群聊"] == 2
    assert school["未备案的运营中账号"] == 3


@pytest.mark.django_db
def test_attention_links_go_to_the_filtered_registry_lists(client, cast):
    client.force_login(cast.school_admin)
    content = client.get(reverse("home")).content.decode()
    accounts = reverse("registry:account_list")
    assert f"{accounts}?status=active&amp;filing_state=unfiled" in content
    assert f"{accounts}?status=active" in content
    assert f"{accounts}?tier=2" in content
    groups = reverse("registry:group_list")
    make_group("校外群", unit=cast.cs, has_outside_members=True, outside_member_count=3)
    content = client.get(reverse("home")).content.decode()
    assert f"{groups}?status=active&amp;has_outside_members=yes" in content
    # the registry list understands these parameters
    response = client.get(groups, {"status": "active", "has_outside_members": "yes"})
    assert [g.name for g in response.context["table"].data] == ["校外群"]
    response = client.get(accounts, {"status": "active", "filing_state": "unfiled"})
    assert response.context["table"].paginator.count == 3


@pytest.mark.django_db
def test_home_costs_a_fixed_number_of_queries(client, cast):
    client.force_login(cast.cs_unit_admin)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    for i in range(10):
        unit = make_unit(f"系{i}", kind="division", parent=cast.cs)
        make_person(unit=unit)
        make_account(unit=unit, last_post_date=TODAY)
        make_group(unit=unit, has_outside_members=True, outside_member_count=1)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("home"))
    assert len(after) == len(before)
    assert len(after) <= 18, [q["sql"][:80] for q in after.captured_queries]
