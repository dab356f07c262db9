"""The list search finds records by the platform as people write it: "B站" lists the
哔哩哔哩 accounts, "B站 团委" those of them named 团委, "企微" the 企业微信 groups."""

import pytest
from django.urls import reverse

from beian.testing import make_account, make_group

from .test_views import listed, login

pytestmark = pytest.mark.django_db

ACCOUNTS = reverse("registry:account_list")
GROUPS = reverse("registry:group_list")


@pytest.fixture
def videos(cast):
    make_account("计算机学院团委B站", unit=cast.cs, platform_code="bilibili")
    make_account("文学院影像", unit=cast.lit, platform_code="bilibili")
    make_group("计院企业微信通知群", unit=cast.cs, platform_code="wecom_group")


@pytest.mark.parametrize("q", ["B站", "b站", "Ｂ站", "bilibili", "嗶哩嗶哩", "哔哩哔哩"])
def test_searching_a_platform_alias_lists_its_accounts(client, cast, videos, q):
    response = login(client, cast.school_admin).get(ACCOUNTS, {"q": q})
    assert sorted(listed(response)) == ["文学院影像", "计算机学院团委B站"]


def test_alias_and_words_narrow_to_that_platform(client, cast, videos):
    response = login(client, cast.school_admin).get(ACCOUNTS, {"q": "B站 文学院"})
    assert listed(response) == ["文学院影像"]


def test_alias_search_stays_inside_the_scope(client, cast, videos):
    response = login(client, cast.cs_unit_admin).get(ACCOUNTS, {"q": "B站"})
    assert listed(response) == ["计算机学院团委B站"]


def test_group_search_takes_group_platform_aliases(client, cast, videos):
    response = login(client, cast.school_admin).get(GROUPS, {"q": "企微"})
    assert listed(response) == ["计院企业微信通知群"]
