from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beian.core.models import AuditEvent
from beian.registry.choices import AccountStatus, GroupStatus
from beian.registry.models import ChatGroup, MediaAccount
from beian.testing import make_account, make_group, platform

pytestmark = pytest.mark.django_db

ACCOUNTS = reverse("registry:account_list")
GROUPS = reverse("registry:group_list")


def login(client, user):
    client.force_login(user)
    return client


def listed(response) -> list[str]:
    return sorted(row.record.name for row in response.context["table"].page.object_list)


def team_post(rows=(), initial=0, prefix="team"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(max(len(rows), 1)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (role, person) in enumerate(rows):
        data[f"{prefix}-{i}-role"] = role
        data[f"{prefix}-{i}-person"] = str(person.pk) if person else ""
    return data


def account_post(unit, team=(), **kw):
    data = {
        "platform": str(platform("wechat_official").pk),
        "name": "计算机学院研究生会",
        "external_id": "ncwu_cs_yjs",
        "owner_unit": str(unit.pk),
        "status": "active",
        "created_month": "2021-09",
        "audience": "1.2万",
        **team_post(team),
    }
    data.update(kw)
    return data


def group_post(unit, team=(), **kw):
    data = {
        "platform": str(platform("qq_group").pk),
        "name": "计算机学院研究生工作群",
        "group_number": "99887766",
        "purpose": "work",
        "owner_unit": str(unit.pk),
        "status": "active",
        "member_count": "40",
        "outside_member_count": "0",
        **team_post(team),
    }
    data.update(kw)
    return data


# --- lists: scope, search, filters, sorting, query count ---------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, cast):
    for url in (ACCOUNTS, GROUPS, reverse("registry:account_detail", args=[cast.cs_account.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_list_shows_only_the_users_scope(client, cast):
    response = login(client, cast.cs_unit_admin).get(ACCOUNTS)
    assert response.status_code == 200
    assert listed(response) == ["计算机学院团委", "软件工程系"]
    assert "文学院微言" not in response.content.decode()
    response = client.get(GROUPS)
    assert listed(response) == ["计算机学院教职工群"]


def test_list_offers_create_only_to_those_who_may(client, cast):
    create = reverse("registry:account_create")
    assert create in login(client, cast.cs_unit_admin).get(ACCOUNTS).content.decode()
    assert create not in login(client, cast.auditor).get(ACCOUNTS).content.decode()


def test_list_pages_show_no_personal_data(client, cast):
    content = login(client, cast.school_admin).get(ACCOUNTS).content.decode()
    assert "13812341234" not in content and "138****1234" not in content


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("计算机", ["计算机学院团委"]),
        ("ncwu_lit", ["文学院微言"]),
        ("jsjxytw", ["计算机学院团委"]),
        ("計算機", ["计算机学院团委"]),
    ],
)
def test_search(client, cast, q, found):
    response = login(client, cast.school_admin).get(ACCOUNTS, {"q": q})
    assert listed(response) == found


def test_search_stays_inside_the_scope(client, cast):
    response = login(client, cast.cs_unit_admin).get(ACCOUNTS, {"q": "ncwu_lit"})
    assert listed(response) == []


def test_filter_by_unit_subtree_platform_tier_and_status(client, cast):
    make_account("文学院抖音", unit=cast.lit, platform_code="douyin", status="suspended")
    login(client, cast.school_admin)
    assert listed(client.get(ACCOUNTS, {"unit": cast.cs.pk})) == ["计算机学院团委", "软件工程系"]
    assert listed(client.get(ACCOUNTS, {"platform": platform("douyin").pk})) == [
        "文学院抖音",
        "软件工程系",
    ]
    assert listed(client.get(ACCOUNTS, {"tier": 3})) == ["软件工程系"]
    assert listed(client.get(ACCOUNTS, {"status": "suspended"})) == ["文学院抖音"]
    assert listed(client.get(ACCOUNTS, {"is_official": "yes"})) == ["计算机学院团委"]


def test_unit_filter_offers_only_units_in_scope(client, cast):
    response = login(client, cast.cs_unit_admin).get(ACCOUNTS, {"unit": cast.lit.pk})
    form = response.context["filter"].form
    assert set(form.fields["unit"].queryset) == {cast.cs, cast.se}
    assert "unit" in form.errors
    assert set(form.fields["platform"].queryset.values_list("for_groups", flat=True)) == {False}


def test_group_filters(client, cast):
    make_group("文学院临时群", unit=cast.lit, is_temporary=True, temporary_until=date(2030, 1, 1))
    make_group(
        "文学院家长群",
        unit=cast.lit,
        member_count=300,
        has_outside_members=True,
        outside_member_count=250,
    )
    login(client, cast.school_admin)
    assert listed(client.get(GROUPS, {"is_temporary": "yes"})) == ["文学院临时群"]
    assert listed(client.get(GROUPS, {"has_outside_members": "yes"})) == ["文学院家长群"]
    assert listed(client.get(GROUPS, {"min_members": 100})) == ["文学院家长群"]
    assert listed(client.get(GROUPS, {"unit": cast.cs.pk})) == ["计算机学院教职工群"]


def test_sorting_by_column_headers(client, cast):
    make_account("大号", unit=cast.cs, platform_code="weibo", audience=90000)
    make_account("小号", unit=cast.cs, platform_code="kuaishou", audience=10)
    login(client, cast.school_admin)

    def order(sort):
        response = client.get(ACCOUNTS, {"sort": sort})
        return [row.record.name for row in response.context["table"].page.object_list]

    by_audience = order("-audience")
    assert by_audience[:2] == ["大号", "小号"]
    assert order("name") == list(reversed(order("-name")))
    assert order("owner_unit")[0] in {"计算机学院团委", "大号", "小号"}


def _add_accounts(cast, count):
    start = MediaAccount.objects.count()
    for i in range(count):
        make_account(f"账号{start + i}", unit=cast.cs if i % 2 else cast.se, platform_code="douyin")


def _add_groups(cast, count):
    start = ChatGroup.objects.count()
    for i in range(count):
        make_group(f"群{start + i}", unit=cast.cs if i % 2 else cast.se)


@pytest.mark.parametrize(("url", "add"), [(ACCOUNTS, _add_accounts), (GROUPS, _add_groups)])
def test_list_query_count_does_not_grow_with_the_page(
    client, cast, django_assert_num_queries, url, add
):
    login(client, cast.cs_unit_admin)
    add(cast, 10)
    with CaptureQueriesContext(connection) as ten_rows:
        response = client.get(url, {"per_page": 100})
    assert len(response.context["table"].page.object_list) >= 10
    add(cast, 90)
    with django_assert_num_queries(len(ten_rows.captured_queries)):
        response = client.get(url, {"per_page": 100})
    assert len(response.context["table"].page.object_list) == 100


# --- the permission matrix -----------------------------------------------------------

# Every registry page, for a record of 计算机学院: who gets what on GET.
# Anonymous users go to the login page; out of scope is 404; in scope but not allowed, 403.
MATRIX_ROUTES = {
    "account_list": None,
    "account_create": None,
    "account_detail": "cs_account",
    "account_edit": "cs_account",
    "account_close": "cs_account",
    "account_tier": "cs_account",
    "group_list": None,
    "group_create": None,
    "group_detail": "cs_group",
    "group_edit": "cs_group",
    "group_dissolve": "cs_group",
}
MATRIX = {
    #                 list create detail edit close tier
    "school_admin": (200, 200, 200, 200, 200, 200),
    "cs_unit_admin": (200, 200, 200, 200, 200, 403),
    "lit_unit_admin": (200, 200, 404, 404, 404, 404),
    "lit_operator": (200, 403, 404, 404, 404, 404),
    "auditor": (200, 403, 200, 403, 403, 403),
    "leader": (200, 403, 200, 403, 403, 403),
    "nobody": (200, 403, 404, 404, 404, 404),
}
_COLUMN = {
    "list": 0,
    "create": 1,
    "detail": 2,
    "edit": 3,
    "close": 4,
    "dissolve": 4,
    "tier": 5,
}


@pytest.mark.parametrize("route", sorted(MATRIX_ROUTES))
def test_permission_matrix(client, cast, route):
    attr = MATRIX_ROUTES[route]
    args = [getattr(cast, attr).pk] if attr else []
    url = reverse(f"registry:{route}", args=args)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    expected = {who: codes[_COLUMN[route.split("_", 1)[1]]] for who, codes in MATRIX.items()}
    got = {who: login(client, getattr(cast, who)).get(url).status_code for who in MATRIX}
    assert got == expected


# --- detail pages --------------------------------------------------------------------


def test_detail_is_404_out_of_scope_and_for_absent_records(client, cast):
    login(client, cast.cs_unit_admin)
    assert (
        client.get(reverse("registry:account_detail", args=[cast.lit_account.pk])).status_code
        == 404
    )
    assert client.get(reverse("registry:account_detail", args=[999999])).status_code == 404
    assert client.get(reverse("registry:group_detail", args=[cast.lit_group.pk])).status_code == 404
    response = client.get(reverse("registry:account_detail", args=[cast.cs_account.pk]))
    assert response.status_code == 200
    assert "计算机学院团委" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("leader", "138****1234"),
        ("auditor", "138****1234"),
        ("school_admin", "13812341234"),
        ("cs_unit_admin", "13812341234"),
    ],
)
def test_team_mobile_is_masked_for_roles_that_do_not_need_it(client, cast, who, shown):
    url = reverse("registry:account_detail", args=[cast.cs_account.pk])
    content = login(client, getattr(cast, who)).get(url).content.decode()
    assert shown in content
    hidden = "13812341234" if shown != "13812341234" else "138****1234"
    assert hidden not in content


def test_operator_sees_their_own_team_in_full(client, cast):
    url = reverse("registry:account_detail", args=[cast.lit_account.pk])
    content = login(client, cast.lit_operator).get(url).content.decode()
    assert "13900001111" in content and "li@ncwu.edu.cn" in content


def test_detail_shows_buttons_only_to_those_who_may(client, cast):
    url = reverse("registry:account_detail", args=[cast.cs_account.pk])
    edit = reverse("registry:account_edit", args=[cast.cs_account.pk])
    close = reverse("registry:account_close", args=[cast.cs_account.pk])
    tier = reverse("registry:account_tier", args=[cast.cs_account.pk])
    content = login(client, cast.auditor).get(url).content.decode()
    assert edit not in content and close not in content and tier not in content
    content = login(client, cast.cs_unit_admin).get(url).content.decode()
    assert edit in content and close in content and tier not in content
    content = login(client, cast.school_admin).get(url).content.decode()
    assert edit in content and close in content and tier in content
    lit = reverse("registry:account_detail", args=[cast.lit_account.pk])
    content = login(client, cast.lit_operator).get(lit).content.decode()
    assert reverse("registry:account_edit", args=[cast.lit_account.pk]) in content
    assert reverse("registry:account_close", args=[cast.lit_account.pk]) not in content


def test_detail_shows_the_history_incl_the_team(client, cast):
    login(client, cast.cs_unit_admin)
    client.post(
        reverse("registry:account_edit", args=[cast.cs_account.pk]),
        account_post(
            cast.cs,
            team=[("first_responsible", cast.cs_head), ("reviewer", cast.cs_head)],
            name="计算机学院青年",
            external_id="ncwu_cs",
            **{"team-INITIAL_FORMS": "1"},
        ),
    )
    response = client.get(reverse("registry:account_detail", args=[cast.cs_account.pk]))
    history = response.context["history"]
    changes = [(c.label, c.old, c.new) for entry in history for c in entry.changes]
    assert ("账号名称", "计算机学院团委", "计算机学院青年") in changes
    assert ("管理队伍", "—", "内容审核人：张书记") in changes


# --- create --------------------------------------------------------------------------


def test_create_an_account_with_a_team(client, cast):
    login(client, cast.cs_unit_admin)
    assert client.get(reverse("registry:account_create")).status_code == 200
    response = client.post(
        reverse("registry:account_create"),
        account_post(cast.cs, team=[("first_responsible", cast.cs_head), ("", None)]),
    )
    account = MediaAccount.objects.get(name="计算机学院研究生会")
    assert response.status_code == 302
    assert response.url == reverse("registry:account_detail", args=[account.pk])
    assert (account.tier, account.audience, account.created_month) == (2, 12000, date(2021, 9, 1))
    assert account.created_by == cast.cs_unit_admin
    assert [(m.role, m.person) for m in account.members.all()] == [
        ("first_responsible", cast.cs_head)
    ]
    assert AuditEvent.objects.filter(event="create", object_id=str(account.pk)).count() == 1


def test_create_form_offers_only_writable_units_and_account_platforms(client, cast):
    response = login(client, cast.cs_unit_admin).get(reverse("registry:account_create"))
    form = response.context["form"]
    assert set(form.fields["owner_unit"].queryset) == {cast.cs, cast.se}
    assert not form.fields["platform"].queryset.filter(for_groups=True).exists()
    assert "filing_state" not in form.fields
    assert "registration_number" not in form.fields
    people = response.context["team"].forms[0].fields["person"].queryset
    assert cast.cs_head in people and cast.lit_teacher not in people


def test_unit_admin_cannot_create_for_another_unit_by_a_direct_post(client, cast):
    login(client, cast.cs_unit_admin)
    response = client.post(reverse("registry:account_create"), account_post(cast.lit))
    assert response.status_code == 200
    assert "owner_unit" in response.context["form"].errors
    assert not MediaAccount.objects.filter(name="计算机学院研究生会").exists()


@pytest.mark.parametrize("who", ["auditor", "leader", "lit_operator", "nobody"])
def test_users_without_a_unit_to_administer_cannot_open_the_create_form(client, cast, who):
    login(client, getattr(cast, who))
    assert client.get(reverse("registry:account_create")).status_code == 403
    assert (
        client.post(reverse("registry:account_create"), account_post(cast.lit)).status_code == 403
    )
    assert client.get(reverse("registry:group_create")).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"verified": "on"}, "verified_month", "已认证的账号请填写认证时间"),
        ({"created_month": "2999-01"}, "created_month", "年月不能晚于本月"),
        ({"audience": "-5"}, "audience", "人数不能为负数"),
        ({"url": "not a url"}, "url", None),
        ({"external_id": "ncwu_cs"}, "external_id", "该平台下已存在相同账号"),
    ],
)
def test_create_form_validation(client, cast, overrides, field, message):
    login(client, cast.cs_unit_admin)
    response = client.post(reverse("registry:account_create"), account_post(cast.cs, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    if field:
        assert field in form.errors
    if message:
        assert message in response.content.decode()
    assert not MediaAccount.objects.filter(name="计算机学院研究生会").exists()


def test_a_person_twice_in_one_role_is_a_clear_error(client, cast):
    login(client, cast.cs_unit_admin)
    response = client.post(
        reverse("registry:account_create"),
        account_post(cast.cs, team=[("operator", cast.cs_head), ("operator", cast.cs_head)]),
    )
    assert response.status_code == 200
    assert "张书记 在“运营者”中重复出现" in response.content.decode()
    assert not MediaAccount.objects.filter(name="计算机学院研究生会").exists()


def test_a_team_row_needs_both_role_and_person(client, cast):
    login(client, cast.cs_unit_admin)
    response = client.post(
        reverse("registry:account_create"), account_post(cast.cs, team=[("", cast.cs_head)])
    )
    assert response.status_code == 200
    assert "请选择职能" in response.content.decode()


def test_create_a_group_with_admins(client, cast):
    login(client, cast.cs_unit_admin)
    response = client.post(
        reverse("registry:group_create"),
        group_post(cast.cs, team=[("admin", cast.cs_head)], creator=str(cast.cs_head.pk)),
    )
    group = ChatGroup.objects.get(name="计算机学院研究生工作群")
    assert response.status_code == 302
    assert group.creator == cast.cs_head
    assert group.members.get().person == cast.cs_head


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"is_temporary": "on"}, "temporary_until"),
        ({"has_outside_members": "on", "outside_member_count": "41"}, "outside_member_count"),
        ({"member_count": "-1"}, "member_count"),
        ({"platform": "wechat_official"}, "platform"),
    ],
)
def test_group_form_validation(client, cast, overrides, field):
    if overrides.get("platform"):
        overrides["platform"] = str(platform(overrides["platform"]).pk)
    login(client, cast.cs_unit_admin)
    response = client.post(reverse("registry:group_create"), group_post(cast.cs, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert not form.non_field_errors()  # constraint messages are shown on the field
    assert not ChatGroup.objects.filter(name="计算机学院研究生工作群").exists()


# --- edit ----------------------------------------------------------------------------


def test_edit_an_account(client, cast):
    login(client, cast.cs_unit_admin)
    url = reverse("registry:account_edit", args=[cast.cs_account.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["team"].initial == [
        {"role": "first_responsible", "person": cast.cs_head.pk}
    ]
    response = client.post(
        url,
        account_post(
            cast.se,
            team=[("first_responsible", cast.cs_head)],
            name="软件工程系团总支",
            external_id="ncwu_cs",
            **{"team-INITIAL_FORMS": "1"},
        ),
    )
    assert response.status_code == 302
    cast.cs_account.refresh_from_db()
    assert (cast.cs_account.name, cast.cs_account.owner_unit, cast.cs_account.tier) == (
        "软件工程系团总支",
        cast.se,
        3,
    )


def test_edit_removes_a_member_with_the_delete_box(client, cast):
    login(client, cast.cs_unit_admin)
    url = reverse("registry:account_edit", args=[cast.cs_account.pk])
    data = account_post(
        cast.cs,
        team=[("first_responsible", cast.cs_head)],
        name="计算机学院团委",
        external_id="ncwu_cs",
        **{"team-INITIAL_FORMS": "1", "team-0-DELETE": "on"},
    )
    assert client.post(url, data).status_code == 302
    assert not cast.cs_account.members.exists()


def test_edit_permissions(client, cast):
    url = reverse("registry:account_edit", args=[cast.cs_account.pk])
    assert login(client, cast.auditor).get(url).status_code == 403
    assert login(client, cast.leader).post(url, account_post(cast.cs)).status_code == 403
    assert login(client, cast.lit_unit_admin).get(url).status_code == 404
    assert login(client, cast.lit_operator).get(url).status_code == 404


def test_operator_edit_form_keeps_the_unit_fixed(client, cast):
    login(client, cast.lit_operator)
    url = reverse("registry:account_edit", args=[cast.lit_account.pk])
    response = client.get(url)
    form = response.context["form"]
    assert form.fields["owner_unit"].disabled and form.fields["is_personal"].disabled
    data = account_post(
        cast.cs,  # tries to move it: a disabled field keeps its value
        team=[("operator", cast.lit_teacher), ("student_lead", cast.lit_student)],
        name="文学院微言",
        external_id="ncwu_lit",
        update_frequency="1次/周",
        **{"team-INITIAL_FORMS": "2"},
    )
    assert client.post(url, data).status_code == 302
    cast.lit_account.refresh_from_db()
    assert cast.lit_account.owner_unit == cast.lit
    assert cast.lit_account.update_frequency == "1次/周"
    # 王同学 stays on the team although the operator cannot look students up
    assert cast.lit_account.members.count() == 2


# --- close, dissolve, tier -----------------------------------------------------------


def test_close_an_account(client, cast):
    login(client, cast.cs_unit_admin)
    url = reverse("registry:account_close", args=[cast.cs_account.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"on": date.today().isoformat(), "reason": "停止运营"})
    assert response.status_code == 200  # not confirmed
    cast.cs_account.refresh_from_db()
    assert cast.cs_account.status == AccountStatus.ACTIVE
    response = client.post(
        url, {"on": date.today().isoformat(), "reason": "停止运营", "confirm": "on"}
    )
    assert response.status_code == 302
    cast.cs_account.refresh_from_db()
    assert (cast.cs_account.status, cast.cs_account.closed_reason) == ("closed", "停止运营")
    detail = client.get(reverse("registry:account_detail", args=[cast.cs_account.pk]))
    content = detail.content.decode()
    assert "停止运营" in content
    assert reverse("registry:account_edit", args=[cast.cs_account.pk]) not in content
    edit = client.get(reverse("registry:account_edit", args=[cast.cs_account.pk]))
    assert edit.status_code == 302


def test_close_permissions(client, cast):
    url = reverse("registry:account_close", args=[cast.lit_account.pk])
    assert login(client, cast.lit_operator).get(url).status_code == 403
    assert login(client, cast.auditor).get(url).status_code == 403
    assert login(client, cast.cs_unit_admin).get(url).status_code == 404


def test_dissolve_a_group(client, cast):
    login(client, cast.lit_unit_admin)
    url = reverse("registry:group_dissolve", args=[cast.lit_group.pk])
    response = client.post(
        url, {"on": date.today().isoformat(), "reason": "学生毕业", "confirm": "on"}
    )
    assert response.status_code == 302
    cast.lit_group.refresh_from_db()
    assert cast.lit_group.status == GroupStatus.DISSOLVED
    assert (
        login(client, cast.lit_operator)
        .get(reverse("registry:group_dissolve", args=[cast.cs_group.pk]))
        .status_code
        == 404
    )


def test_tier_override_by_the_school_admin(client, cast):
    url = reverse("registry:account_tier", args=[cast.cs_account.pk])
    assert login(client, cast.cs_unit_admin).get(url).status_code == 403
    login(client, cast.school_admin)
    response = client.post(url, {"tier": "1", "tier_override_reason": ""})
    assert response.status_code == 200
    assert "tier_override_reason" in response.context["form"].errors
    response = client.post(url, {"tier": "1", "tier_override_reason": "代表学校发声"})
    assert response.status_code == 302
    cast.cs_account.refresh_from_db()
    assert (cast.cs_account.tier, cast.cs_account.tier_override_reason) == (1, "代表学校发声")
