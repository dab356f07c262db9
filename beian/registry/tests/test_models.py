import pytest
from django.core.exceptions import ValidationError

from beian.registry.models import ChatGroup, MediaAccount
from beian.registry.tables import format_audience
from beian.testing import make_account, make_group, platform

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_scope_of_accounts_per_role(cast):
    everything = names(MediaAccount.objects.all())
    assert names(MediaAccount.objects.visible_to(cast.school_admin)) == everything
    assert names(MediaAccount.objects.visible_to(cast.auditor)) == everything
    assert names(MediaAccount.objects.visible_to(cast.cs_unit_admin)) == [
        "计算机学院团委",
        "软件工程系",
    ]
    assert names(MediaAccount.objects.visible_to(cast.lit_operator)) == ["文学院微言"]
    assert names(MediaAccount.objects.visible_to(cast.nobody)) == []


def test_editable_accounts_per_role(cast):
    assert names(MediaAccount.objects.editable_by(cast.auditor)) == []
    assert names(MediaAccount.objects.editable_by(cast.leader)) == []
    assert names(MediaAccount.objects.editable_by(cast.lit_operator)) == ["文学院微言"]
    assert names(MediaAccount.objects.editable_by(cast.cs_unit_admin)) == [
        "计算机学院团委",
        "软件工程系",
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("计算机", ["计算机学院团委"]),
        ("計算機", ["计算机学院团委"]),  # Traditional input
        ("jsjxy", ["计算机学院团委"]),  # pinyin initials
        ("jisuanji", ["计算机学院团委"]),  # full pinyin
        ("ncwu_lit", ["文学院微言"]),  # account id
        ("  ", ["文学院微言", "计算机学院团委", "软件工程系"]),
    ],
)
def test_account_search(cast, text, found):
    assert names(MediaAccount.objects.search(text)) == sorted(found)


def test_group_search_by_number_and_traditional_name(cast):
    make_group("軟件工程系教師群", unit=cast.se, group_number="55667788")
    assert names(ChatGroup.objects.search("55667788")) == ["軟件工程系教師群"]
    assert names(ChatGroup.objects.search("教职工")) == ["计算机学院教职工群"]


def test_account_clean_refuses_group_platforms_and_bad_ids(cast):
    account = MediaAccount(
        platform=platform("qq_group"), name="x", owner_unit=cast.cs, tier=2, external_id="1"
    )
    with pytest.raises(ValidationError) as exc:
        account.full_clean()
    assert "platform" in exc.value.error_dict
    account = make_account("微博号", unit=cast.cs, platform_code="weibo")
    account.external_id = "not a weibo address"
    with pytest.raises(ValidationError) as exc:
        account.full_clean()
    assert "不符合新浪微博的账号格式" in str(exc.value)


def test_derived_tier(cast):
    assert make_account(unit=cast.school).derived_tier == 1
    assert make_account(unit=cast.cs).derived_tier == 2
    assert make_account(unit=cast.union).derived_tier == 2  # school-level student organisation
    assert make_account(unit=cast.se).derived_tier == 3
    assert make_account(unit=cast.cs, is_personal=True).derived_tier == 3


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (0, "0"), (9999, "9999"), (10000, "1万"), (12345, "1.2万"), (125000, "12.5万")],
)
def test_format_audience(value, text):
    assert format_audience(value) == text
