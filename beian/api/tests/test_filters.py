"""The lists take the pages' filters (the apps' FilterSets) as query parameters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from beian.compliance.models import Finding
from beian.testing import make_account, make_group, platform

from .conftest import names

ACCOUNTS = reverse("api:account-list")
GROUPS = reverse("api:group-list")


@pytest.fixture
def admin(cast, api):
    return api(cast.school_admin)


@pytest.mark.django_db
def test_account_filters(cast, admin):
    make_account("华水青年", unit=cast.lit, verified=True, audience=5000)
    assert names(admin.get(ACCOUNTS, {"unit": cast.cs.pk})) == {"计算机学院团委", "软件工程系"}
    assert names(admin.get(ACCOUNTS, {"unit": cast.se.pk})) == {"软件工程系"}
    douyin = platform("douyin").pk
    assert names(admin.get(ACCOUNTS, {"platform": douyin})) == {"软件工程系"}
    assert names(admin.get(ACCOUNTS, {"unit": cast.lit.pk, "q": "华水"})) == {"华水青年"}
    assert names(admin.get(ACCOUNTS, {"q": "hsqn"})) == {"华水青年"}  # pinyin initials
    assert names(admin.get(ACCOUNTS, {"q": "華水"})) == {"华水青年"}  # Traditional input
    assert names(admin.get(ACCOUNTS, {"q": "ncwu_lit"})) == {"文学院微言"}  # the account id
    assert names(admin.get(ACCOUNTS, {"verified": "yes"})) == {"华水青年"}
    assert names(admin.get(ACCOUNTS, {"is_official": "yes"})) == {"计算机学院团委"}
    assert names(admin.get(ACCOUNTS, {"tier": 3})) == {"软件工程系"}
    assert names(admin.get(ACCOUNTS, {"status": "closed"})) == set()
    assert admin.get(ACCOUNTS, {"filing_state": "unfiled"}).json()["count"] == 4


@pytest.mark.django_db
def test_group_filters(cast, admin):
    make_group(
        "大群", unit=cast.cs, member_count=400, has_outside_members=True, outside_member_count=3
    )
    assert names(admin.get(GROUPS, {"min_members": 100})) == {"大群"}
    assert names(admin.get(GROUPS, {"has_outside_members": "yes"})) == {"大群"}
    assert names(admin.get(GROUPS, {"unit": cast.lit.pk})) == {"文学院2024级辅导员群"}
    assert names(admin.get(GROUPS, {"q": "辅导员"})) == {"文学院2024级辅导员群"}
    qq = platform("qq_group").pk
    assert names(admin.get(GROUPS, {"platform": qq})) == set()


@pytest.mark.django_db
def test_unit_and_people_filters(cast, admin):
    units = reverse("api:unit-list")
    assert names(admin.get(units, {"unit": cast.cs.pk})) == {"计算机学院", "软件工程系"}
    assert names(admin.get(units, {"q": "计院"})) == {"计算机学院"}  # short name
    assert names(admin.get(units, {"kind": "school_student_org"})) == {"校团委", "校学生会"}
    people = reverse("api:person-list")
    assert names(admin.get(people, {"unit": cast.lit.pk})) == {"李老师", "王同学"}
    assert names(admin.get(people, {"kind": "student"})) == {"王同学"}
    assert names(admin.get(people, {"q": "zsj"})) == {"张书记"}


@pytest.mark.django_db
def test_finding_filters_default_to_open_like_the_page(cast, admin):
    now = timezone.now()
    common = {"rule": "account_not_verified", "first_seen": now, "last_seen": now}
    Finding.objects.create(
        account=cast.cs_account, owner_unit=cast.cs, severity="warning", message="未认证", **common
    )
    Finding.objects.create(
        account=cast.lit_account,
        owner_unit=cast.lit,
        severity="info",
        message="未认证",
        state="resolved",
        resolved_at=now,
        **common,
    )
    url = reverse("api:finding-list")

    def targets(query):
        return {row["account"]["name"] for row in admin.get(url, query).json()["results"]}

    assert targets({}) == {"计算机学院团委"}
    assert targets({"state": ""}) == {"计算机学院团委", "文学院微言"}
    assert targets({"state": "resolved"}) == {"文学院微言"}
    assert targets({"state": "", "severity": "info"}) == {"文学院微言"}
    assert targets({"state": "", "unit": cast.lit.pk}) == {"文学院微言"}
    assert targets({"target": "group"}) == set()
    row = admin.get(url).json()["results"][0]
    assert row["target_kind"] == "account" and row["group"] is None
    assert row["severity_display"] == "警告" and row["state_display"] == "待整改"
    assert row["owner_unit"] == {"id": cast.cs.pk, "name": "计算机学院"}


@pytest.mark.django_db
def test_platform_filters(cast, admin):
    url = reverse("api:platform-list")
    groups = admin.get(url, {"for_groups": "true", "page_size": 200}).json()["results"]
    assert groups and all(p["for_groups"] for p in groups)
    assert "wechat_group" in {p["code"] for p in groups}


@pytest.mark.django_db
def test_invalid_filters_answer_400_with_the_field(cast, admin):
    response = admin.get(ACCOUNTS, {"tier": 9})
    assert response.status_code == 400 and list(response.json()) == ["tier"]
    response = admin.get(GROUPS, {"min_members": -1})
    assert response.status_code == 400 and list(response.json()) == ["min_members"]
