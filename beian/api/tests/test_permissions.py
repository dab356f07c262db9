"""Who gets what from each endpoint: anonymous 403, signed-in users their scope (the same as
the pages'), 404 for a record outside it as for an absent one, and no writes at all."""

import pytest
from django.urls import reverse

from .conftest import names

LISTS = [
    "api:account-list",
    "api:group-list",
    "api:unit-list",
    "api:person-list",
    "api:finding-list",
    "api:platform-list",
]
#: Each detail route with the cast's object of 计算机学院 and of 文学院.
DETAILS = {
    "api:account-detail": ("cs_account", "lit_account"),
    "api:group-detail": ("cs_group", "lit_group"),
    "api:unit-detail": ("cs", "lit"),
    "api:person-detail": ("cs_head", "lit_teacher"),
}
USERS = (
    "school_admin",
    "leader",
    "league_approver",
    "cs_unit_admin",
    "lit_unit_admin",
    "lit_operator",
    "auditor",
    "nobody",
)
#: Who sees the 计算机学院 object and who the 文学院 one (the operator is on the lit teams).
SEES_CS = {"school_admin", "leader", "auditor", "cs_unit_admin"}
SEES_LIT = {"school_admin", "leader", "auditor", "lit_unit_admin", "lit_operator"}


def _detail_url(cast, route, attr):
    return reverse(route, args=[getattr(cast, attr).pk])


@pytest.mark.django_db
def test_anonymous_gets_403_in_chinese_everywhere(cast, api):
    client = api()
    urls = [reverse(r) for r in [*LISTS, "api:schema"]]
    urls += [_detail_url(cast, route, cs) for route, (cs, _lit) in DETAILS.items()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "请先登录", "code": "not_authenticated"}, url


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(DETAILS))
def test_detail_is_404_out_of_scope_as_for_an_absent_record(cast, api, route):
    cs_attr, lit_attr = DETAILS[route]
    for username in USERS:
        client = api(getattr(cast, username))
        for attr, seers in ((cs_attr, SEES_CS), (lit_attr, SEES_LIT)):
            response = client.get(_detail_url(cast, route, attr))
            expected = 200 if username in seers else 404
            assert response.status_code == expected, (username, route, attr)
            if expected == 404:
                assert response.json() == {"detail": "未找到", "code": "not_found"}
        for absent in (reverse(route, args=[987654]), reverse(route, args=["abc"])):
            response = client.get(absent)
            assert response.status_code == 404
            assert response.json() == {"detail": "未找到", "code": "not_found"}


# What each user finds in each list (by name); global roles see all of these and more.
VISIBLE = {
    "api:account-list": {
        "cs_unit_admin": {"计算机学院团委", "软件工程系"},
        "lit_unit_admin": {"文学院微言"},
        "lit_operator": {"文学院微言"},
        "league_approver": set(),
        "nobody": set(),
    },
    "api:group-list": {
        "cs_unit_admin": {"计算机学院教职工群"},
        "lit_unit_admin": {"文学院2024级辅导员群"},
        "lit_operator": {"文学院2024级辅导员群"},
        "league_approver": set(),
        "nobody": set(),
    },
    "api:unit-list": {
        "cs_unit_admin": {"计算机学院", "软件工程系"},
        "lit_unit_admin": {"文学院"},
        "lit_operator": {"文学院"},
        "league_approver": {"校团委", "校学生会"},
        "nobody": set(),
    },
    "api:person-list": {
        "cs_unit_admin": {"张书记"},
        "lit_unit_admin": {"李老师", "王同学"},
        "lit_operator": {"李老师"},
        "league_approver": set(),
        "nobody": set(),
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(VISIBLE))
def test_lists_are_the_users_scope(cast, api, route):
    for username, expected in VISIBLE[route].items():
        response = api(getattr(cast, username)).get(reverse(route))
        assert response.status_code == 200
        assert names(response) == expected, username
    everything = set().union(*VISIBLE[route].values())
    for username in ("school_admin", "leader", "auditor"):
        assert names(api(getattr(cast, username)).get(reverse(route))) >= everything


@pytest.mark.django_db
def test_findings_list_is_the_users_scope(api):
    from beian.tests.matrix import World

    world = World()
    cast = world.cast

    def targets(user):
        rows = api(user).get(reverse("api:finding-list")).json()["results"]
        return {row["account"]["name"] for row in rows}

    assert targets(cast.school_admin) == {"计算机学院团委", "文学院微言"}
    assert targets(cast.auditor) == {"计算机学院团委", "文学院微言"}
    assert targets(cast.cs_unit_admin) == {"计算机学院团委"}
    assert targets(cast.lit_unit_admin) == {"文学院微言"}
    assert targets(cast.lit_operator) == {"文学院微言"}
    assert targets(cast.league_approver) == set()
    assert targets(cast.nobody) == set()


@pytest.mark.django_db
def test_the_platform_catalogue_is_the_same_for_every_signed_in_user(cast, api):
    counts = {
        username: api(getattr(cast, username)).get(reverse("api:platform-list")).json()["count"]
        for username in USERS
    }
    assert len(set(counts.values())) == 1 and counts["nobody"] > 10


# Secrets of the other side that a scoped user must never find in any list or search.
HIDDEN = {
    "cs_unit_admin": ["文学院微言", "文学院2024级辅导员群", "李老师", "13900001111", "ncwu_lit"],
    "lit_operator": ["计算机学院团委", "计算机学院教职工群", "张书记", "13812341234", "ncwu_cs"],
    "league_approver": ["文学院微言", "计算机学院团委", "张书记", "李老师"],
}
SEARCHES = [
    ("api:account-list", {}),
    ("api:account-list", {"q": "文学院"}),
    ("api:account-list", {"q": "ncwu"}),
    ("api:group-list", {"q": "群"}),
    ("api:unit-list", {}),
    ("api:person-list", {"q": "李"}),
    ("api:person-list", {"q": "139"}),
    ("api:finding-list", {"state": ""}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "query"), SEARCHES)
def test_lists_and_searches_leak_nothing_out_of_scope(api, route, query):
    from beian.tests.matrix import World

    world = World()
    for username, secrets in HIDDEN.items():
        response = api(getattr(world.cast, username)).get(reverse(route), query)
        assert response.status_code == 200
        body = response.content.decode()
        assert not [s for s in secrets if s in body], (username, route, query)
    # the probe can fail: the school admin does find them
    body = api(world.cast.school_admin).get(reverse("api:account-list")).content.decode()
    assert "文学院微言" in body and "计算机学院团委" in body


@pytest.mark.django_db
def test_unit_filter_outside_the_scope_is_refused_not_obeyed(cast, api):
    response = api(cast.cs_unit_admin).get(reverse("api:account-list"), {"unit": cast.lit.pk})
    assert response.status_code == 400
    assert "unit" in response.json()
    assert "文学院微言" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(cast, api, method):
    client = api(cast.school_admin)
    for url in [reverse("api:account-list"), _detail_url(cast, "api:account-detail", "cs_account")]:
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 405, (method, url)
        assert response.json()["code"] == "method_not_allowed"
        assert "不被允许" in response.json()["detail"]
    assert getattr(api(), method)(reverse("api:account-list")).status_code == 403


@pytest.mark.django_db
def test_lists_are_paginated(cast, api):
    client = api(cast.school_admin)
    body = client.get(reverse("api:platform-list"), {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 2 and body["next"] and body["previous"] is None
    page2 = client.get(body["next"]).json()
    assert page2["previous"] and {r["id"] for r in page2["results"]}.isdisjoint(
        {r["id"] for r in body["results"]}
    )
    capped = client.get(reverse("api:platform-list"), {"page_size": 1000}).json()
    assert len(capped["results"]) == min(capped["count"], 200)
    beyond = client.get(reverse("api:platform-list"), {"page": 999})
    assert beyond.status_code == 404 and beyond.json()["code"] == "not_found"


@pytest.mark.django_db
def test_answers_are_json_even_for_a_browser(cast, api):
    client = api(cast.school_admin)
    response = client.get(reverse("api:account-list"), HTTP_ACCEPT="text/html,*/*")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_the_error_handler_words_every_refusal_in_chinese():
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from rest_framework import exceptions

    from beian.api.exceptions import exception_handler

    def answer(exc):
        response = exception_handler(exc, {})
        return response.status_code, response.data

    assert answer(Http404()) == (404, {"detail": "未找到", "code": "not_found"})
    # (the view turns this 401 into 403: session authentication sends no challenge)
    assert answer(exceptions.NotAuthenticated())[1] == {
        "detail": "请先登录",
        "code": "not_authenticated",
    }
    denied = (403, {"detail": "没有权限", "code": "permission_denied"})
    assert answer(PermissionDenied()) == denied
    assert answer(exceptions.PermissionDenied()) == denied
    assert answer(exceptions.NotFound("无效页面。")) == (
        404,
        {"detail": "无效页面。", "code": "not_found"},
    )
    assert exception_handler(ValueError(), {}) is None
