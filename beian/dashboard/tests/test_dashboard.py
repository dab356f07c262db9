"""The dashboard (数据看板): its figures equal the registry's own counts, every bar links to
a list that shows exactly the records it counts, a unit admin sees only their subtree (on
the page and in the Excel download), and the page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from beian.compliance.models import Finding
from beian.core.models import AuditEvent
from beian.dashboard import charts, views
from beian.orgs.choices import UnitKind
from beian.registry.choices import AccountStatus
from beian.registry.models import MediaAccount
from beian.testing import make_account, make_group, make_person, make_unit

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    """Each request computes the dashboard afresh (the cache has its own test)."""
    monkeypatch.setattr(views, "CACHE_SECONDS", 0)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def table(chart) -> dict[str, list]:
    """{category: [values of the series…]} of a chart's table."""
    return {row[0][0]: [value for value, _url in row[1:]] for row in chart.rows}


def finding(record, *, rule="account_not_verified", severity="warning"):
    now = timezone.now()
    kind = "account" if isinstance(record, MediaAccount) else "group"
    return Finding.objects.create(
        rule=rule,
        severity=severity,
        owner_unit=record.owner_unit,
        message="测试",
        first_seen=now,
        last_seen=now,
        **{kind: record},
    )


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["table"].paginator.count


def every_link(chart):
    """(value, url) of every non-empty cell that links somewhere."""
    for row in chart.rows:
        for value, url in row[1:]:
            if url and value:
                yield value, url


# --- figures ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_counts_by_platform_and_unit_equal_the_registry(cast, frozen):
    make_account("学校官微", unit=cast.school, platform_code="weibo")
    make_account(
        "已注销号",
        unit=cast.lit,
        status=AccountStatus.CLOSED,
        closed_on=TODAY,
        closed_reason="合并",
    )
    board = charts.build(cast.school_admin)

    by_platform = table(board.chart("accounts-platform"))
    expected = Counter(MediaAccount.objects.values_list("platform__name", flat=True))
    assert {name: values[-1] for name, values in by_platform.items()} == dict(expected)
    assert by_platform["微信公众号"] == [2, 0, 1, 3]  # 运营中, 暂停更新, 已注销, 合计

    by_unit = table(board.chart("accounts-unit"))
    assert by_unit == {
        "文学院": [1, 0, 1, 2],
        "计算机学院": [2, 0, 0, 2],  # with 软件工程系 below it
        "华北水利水电大学（本级）": [1, 0, 0, 1],
    }
    assert (
        table(board.chart("accounts-tier"))["二级"][-1]
        == MediaAccount.objects.filter(tier=2).count()
    )
    assert table(board.chart("groups-unit")) == {"计算机学院": [1, 0, 1], "文学院": [1, 0, 1]}
    headline = {str(h.label): h.value for h in board.headlines}
    assert headline["新媒体账号"] == 5
    assert headline["即时群聊（在用）"] == 2


@pytest.mark.django_db
def test_every_bar_links_to_a_list_showing_exactly_what_it_counts(client, cast, frozen):
    make_account("学校官微", unit=cast.school, platform_code="weibo", audience=1200)
    make_account(
        "已注销号",
        unit=cast.se,
        status=AccountStatus.CLOSED,
        closed_on=TODAY - dt.timedelta(days=40),
        closed_reason="合并",
        created_month=None,
    )
    make_account("新开号", unit=cast.lit, created_month=dt.date(2026, 3, 1), audience=50)
    make_group("校外群", unit=cast.union, platform_code="qq_group")
    finding(cast.cs_account)
    finding(cast.lit_group, rule="group_outside_members", severity="attention")
    client.force_login(cast.school_admin)
    board = charts.build(cast.school_admin)
    checked = 0
    for slug in (
        "accounts-platform",
        "accounts-unit",
        "accounts-tier",
        "groups-platform",
        "groups-unit",
        "accounts-months",
    ):
        for value, url in every_link(board.chart(slug)):
            assert list_count(client, url) == value, (slug, url)
            checked += 1
    for slug in ("findings-rule", "findings-unit"):
        for value, url in every_link(board.chart(slug)):
            assert list_count(client, url) == value, (slug, url)
            checked += 1
    assert checked > 30


@pytest.mark.django_db
def test_openings_and_closings_per_month(cast, frozen):
    make_account("三月开设", unit=cast.cs, created_month=dt.date(2026, 3, 1))
    make_account("两年前开设", unit=cast.cs, created_month=dt.date(2024, 5, 1))  # off the chart
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=NOW.tzinfo), tick=False):
        make_account("无创建时间", unit=cast.cs, created_month=None)  # counts when entered
    make_account(
        "五月注销",
        unit=cast.lit,
        created_month=dt.date(2025, 7, 1),
        status=AccountStatus.CLOSED,
        closed_on=dt.date(2026, 5, 3),
        closed_reason="停用",
    )
    chart = charts.build(cast.school_admin).chart("accounts-months")
    assert chart.categories[0] == "2024-07" and chart.categories[-1] == "2026-06"
    months = table(chart)
    assert months["2026-03"] == [1, 0]
    assert months["2026-05"] == [1, 1]
    assert months["2025-07"] == [1, 0]
    assert sum(v[0] for v in months.values()) == 3


@pytest.mark.django_db
def test_activity_freshness_per_unit_is_ranked(client, cast, frozen):
    for days in (3, 20):
        make_account(unit=cast.lit, last_post_date=TODAY - dt.timedelta(days=days))
    make_account(unit=cast.lit, last_post_date=TODAY - dt.timedelta(days=60))
    make_account(unit=cast.cs, last_post_date=TODAY - dt.timedelta(days=80))
    make_account(unit=cast.cs, last_post_date=TODAY - dt.timedelta(days=200))
    make_account(  # suspended accounts are not counted
        unit=cast.cs, status=AccountStatus.SUSPENDED, last_post_date=TODAY
    )
    chart = charts.build(cast.school_admin).chart("freshness-unit")
    # 文学院: 4 active (文学院微言 has no date), 2 within 30 days, 3 within 90
    # 计算机学院: 4 active (two of the cast, no dates), 0 within 30, 1 within 90
    assert chart.categories == ["文学院", "计算机学院"]
    assert table(chart)["文学院"] == [50.0, 75.0, 4, 2, 3, 1]
    assert table(chart)["计算机学院"] == [0.0, 25.0, 4, 0, 1, 3]
    client.force_login(cast.school_admin)
    lit = chart.series[1].urls[0]
    assert "posted=90" in lit
    assert list_count(client, lit) == 3


@pytest.mark.django_db
def test_rounds_show_each_units_task_state(cast, frozen):
    from beian.campaigns import services as campaigns

    campaign = campaigns.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={"title": "新媒体清查", "deadline": TODAY + dt.timedelta(days=30)},
    )
    campaigns.campaign_open(actor=cast.school_admin, campaign=campaign)
    school = table(charts.build(cast.school_admin).chart("rounds"))
    assert school["新媒体清查"] == [campaign.tasks.count(), 0, 0, 0, 0, campaign.tasks.count()]
    cs = table(charts.build(cast.cs_unit_admin).chart("rounds"))
    assert cs["新媒体清查"] == [1, 0, 0, 0, 0, 1]  # its own task: 未开始


# --- scope -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_unit_admin_sees_only_their_subtree(client, cast, frozen):
    finding(cast.lit_account)
    finding(cast.se_account)
    board = charts.build(cast.cs_unit_admin)
    assert board.scope_label == "计算机学院"
    assert table(board.chart("accounts-unit")) == {
        "计算机学院（本级）": [1, 0, 0, 1],
        "软件工程系": [1, 0, 0, 1],
    }
    assert table(board.chart("findings-unit")) == {"软件工程系": [0, 1, 0, 0, 1]}
    client.force_login(cast.cs_unit_admin)
    page = client.get(reverse("dashboard")).content.decode()
    assert "软件工程系" in page
    for secret in ("文学院", "校团委", "华北水利水电大学（本级）"):
        assert secret not in page.split('id="id_unit"')[1], secret
    assert "整改待办" in page  # a unit's dashboard has its to-do list
    assert client.get(reverse("dashboard"), {"unit": cast.lit.pk}).status_code == 404
    narrowed = client.get(reverse("dashboard"), {"unit": cast.se.pk})
    assert narrowed.context["board"].scope_label == "软件工程系"
    assert table(narrowed.context["board"].chart("accounts-unit")) == {
        "软件工程系（本级）": [1, 0, 0, 1]
    }


@pytest.mark.django_db
def test_an_operator_sees_their_own_records(client, cast, frozen):
    board = charts.build(cast.lit_operator)
    assert table(board.chart("accounts-platform")) == {"微信公众号": [1, 0, 0, 1]}
    assert board.scope_label == "我参与管理的账号和群聊"


@pytest.mark.django_db
def test_the_school_admin_opens_a_units_dashboard(client, cast, frozen):
    client.force_login(cast.school_admin)
    response = client.get(reverse("dashboard"), {"unit": cast.cs.pk})
    board = response.context["board"]
    assert table(board.chart("accounts-platform")) == {
        "微信公众号": [1, 0, 0, 1],
        "抖音": [1, 0, 0, 1],
    }
    assert response.context["todo_page"] is not None
    # every link keeps the unit
    for _value, url in every_link(board.chart("accounts-platform")):
        assert f"unit={cast.cs.pk}" in url


@pytest.mark.django_db
def test_who_may_open_the_dashboard(client, cast):
    url = reverse("dashboard")
    assert client.get(url).status_code == 302
    client.force_login(cast.nobody)
    assert client.get(url).status_code == 403
    for user in (cast.school_admin, cast.leader, cast.auditor, cast.lit_operator):
        client.force_login(user)
        assert client.get(url).status_code == 200


# --- Excel download ------------------------------------------------------------------------


def workbook_rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.django_db
def test_a_charts_table_downloads_as_excel_scoped_and_audited(client, cast, frozen):
    evil = make_unit('=HYPERLINK("http://x")', kind=UnitKind.DEPARTMENT, parent=cast.school)
    make_account("恶意单位号", unit=evil)
    client.force_login(cast.school_admin)
    response = client.get(reverse("dashboard_export", args=["accounts-unit"]))
    assert response.status_code == 200
    rows = workbook_rows(response)
    assert rows[0][0] == "新媒体账号：按单位（全校）"
    header = rows[2]
    assert list(header) == ["单位", "运营中", "暂停更新", "已注销", "合计"]
    body = {row[0]: list(row[1:]) for row in rows[3:]}
    assert body["计算机学院"] == [2, 0, 0, 2]
    assert body['\'=HYPERLINK("http://x")'] == [1, 0, 0, 1]  # neutralised, not a formula
    event = AuditEvent.objects.filter(event="export").latest("pk")
    assert event.detail["chart"] == "accounts-unit" and event.detail["rows"] == 3

    client.force_login(cast.cs_unit_admin)
    rows = workbook_rows(client.get(reverse("dashboard_export", args=["accounts-unit"])))
    assert rows[0][0] == "新媒体账号：按单位（计算机学院）"
    assert {row[0] for row in rows[3:]} == {"计算机学院（本级）", "软件工程系"}
    assert client.get(reverse("dashboard_export", args=["nothing"])).status_code == 404
    assert (
        client.get(reverse("dashboard_export", args=["accounts-unit"]), {"unit": cast.lit.pk})
    ).status_code == 404


@pytest.mark.django_db
def test_shares_download_as_percentages(client, cast, frozen):
    make_account(unit=cast.lit, last_post_date=TODAY)
    client.force_login(cast.school_admin)
    rows = workbook_rows(client.get(reverse("dashboard_export", args=["freshness-unit"])))
    assert rows[2][:3] == ("单位", "30 天内有发布", "90 天内有发布")
    assert rows[3][:3] == ("文学院", "50.0%", "50.0%")


# --- cost --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_costs_a_fixed_number_of_queries(client, cast, frozen):
    client.force_login(cast.school_admin)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("dashboard"))
    for i in range(8):
        unit = make_unit(f"学院{i}", parent=cast.school)
        sub = make_unit(f"学院{i}系", kind=UnitKind.DIVISION, parent=unit)
        make_person(unit=sub)
        finding(make_account(unit=sub, last_post_date=TODAY, audience=10))
        make_group(unit=unit)
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("dashboard"))
    assert len(table(response.context["board"].chart("accounts-unit"))) == 10
    assert len(after) == len(before)
    assert len(after) <= 20, [q["sql"][:100] for q in after.captured_queries]


@pytest.mark.django_db
def test_a_dashboard_is_kept_a_minute_per_scope(client, cast, frozen, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(views, "CACHE_SECONDS", 60)
    client.force_login(cast.school_admin)
    client.get(reverse("dashboard"))
    make_account("新号", unit=cast.cs)
    with CaptureQueriesContext(connection) as cached:
        response = client.get(reverse("dashboard"))
    assert response.context["board"].headlines[0].value == 3  # computed a minute ago
    assert len(cached) < 12
    client.force_login(cast.leader)  # the same scope: the whole school
    assert client.get(reverse("dashboard")).context["board"].headlines[0].value == 3
    client.force_login(cast.cs_unit_admin)  # another scope
    assert client.get(reverse("dashboard")).context["board"].headlines[0].value == 3
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        client.force_login(cast.school_admin)
        assert client.get(reverse("dashboard")).context["board"].headlines[0].value == 4
    cache.clear()


@pytest.mark.django_db
def test_a_bad_month_in_the_account_list_is_named(client, cast):
    client.force_login(cast.school_admin)
    response = client.get(reverse("registry:account_list"), {"opened_month": "2026-13"})
    assert response.status_code == 200
    assert "请按“年-月”填写月份，如 2026-03" in response.content.decode()
