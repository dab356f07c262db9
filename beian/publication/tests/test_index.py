"""The directory's in-memory index answers what a plain scan of the published accounts
would: the same accounts, in the registry's order (unit, name, id), page after page, with
each filter; and a change of an account shows in the next search."""

from __future__ import annotations

import pytest

from beian.publication import selectors
from beian.publication.selectors import directory_search, publication_settings
from beian.registry.choices import AccountStatus
from beian.registry.models import MediaAccount
from beian.registry.services import account_update

from .conftest import filed

pytestmark = pytest.mark.django_db

PLATFORMS = ("weibo", "wechat_official", "bilibili", "douyin")


@pytest.fixture
def many(published):
    """Seventy more registered accounts, every fourth one not published (tier 3, personal
    or suspended), over four units and four platforms; most names share "学"."""
    cast = published.cast
    units = [cast.cs, cast.lit, cast.league, cast.propaganda]
    for i in range(70):
        hidden = i % 4 == 3
        filed(
            f"{'学习' if i % 5 else '青年'}之窗{i:02d}",
            unit=units[i % 4],
            number=f"HS-2026-{100 + i:04d}",
            platform_code=PLATFORMS[(i // 4) % 4],
            external_id=f"acct_{i:02d}",
            tier=3 if hidden and i % 3 == 0 else 2,
            is_personal=hidden and i % 3 == 1,
            status=AccountStatus.SUSPENDED if hidden and i % 3 == 2 else AccountStatus.ACTIVE,
        )
    return published


def expected(published, keep) -> list[str]:
    """The published accounts `keep` accepts, by a plain scan, in the registry's order."""
    settings = publication_settings()
    rows = selectors.published_accounts(settings).order_by("owner_unit_id", "name", "pk")
    return [a.name for a in rows.select_related("platform") if keep(a)]


def every_page(per_page=7, **query) -> list[str]:
    settings = publication_settings()
    names, page = [], 1
    while True:
        found = directory_search(settings, page=page, per_page=per_page, **query)
        assert len(found.cards) <= per_page
        names += [card["name"] for card in found.cards]
        if not found.has_more:
            return names
        assert len(found.cards) == per_page
        page += 1


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ({"text": "学"}, lambda a: "学" in a.name),
        ({"text": "之窗1"}, lambda a: "之窗1" in a.name),
        ({"text": "acct_0"}, lambda a: "acct_0" in a.external_id),
        ({"text": "xxzc"}, lambda a: a.name.startswith("学习之窗")),  # pinyin initials
        ({"text": "qingnian"}, lambda a: a.name.startswith("青年")),  # full pinyin
        ({"text": "B站"}, lambda a: a.platform.code == "bilibili"),
        ({"text": "B站 学习"}, lambda a: a.platform.code == "bilibili" and "学习" in a.name),
        ({"platform": "douyin"}, lambda a: a.platform.code == "douyin"),
        (
            {"text": "学", "platform": "weibo"},
            lambda a: "学" in a.name and a.platform.code == "weibo",
        ),
        ({}, lambda a: True),
    ],
    ids=[
        "common-char",
        "substring",
        "account-id",
        "initials",
        "pinyin",
        "platform-word",
        "platform-and-text",
        "platform",
        "text-and-platform",
        "everything",
    ],  # fmt: skip
)
def test_every_page_of_a_search_is_what_a_scan_finds(many, query, keep):
    want = expected(many, keep)
    assert want, "the fixture must have matches for every case"
    assert every_page(**query) == want


def test_the_unit_filter_takes_the_subtree(many):
    cast = many.cast
    want = expected(many, lambda a: a.owner_unit_id in {cast.cs.pk, cast.se.pk} and "学" in a.name)
    assert every_page(text="学", unit=cast.cs.pk) == want


def test_unpublished_accounts_are_never_listed(many):
    names = set(every_page(text="之窗"))
    hidden = MediaAccount.objects.filter(name__contains="之窗").exclude(
        pk__in=selectors.published_accounts(publication_settings())
    )
    assert hidden.count() > 10 and not names & {a.name for a in hidden}


def test_a_renamed_account_is_found_by_its_new_name_at_once(
    many, django_capture_on_commit_callbacks
):
    account = MediaAccount.objects.get(external_id="acct_04")
    assert every_page(text="海燕") == []
    with django_capture_on_commit_callbacks(execute=True):
        account_update(actor=many.cast.school_admin, account=account, data={"name": "海燕之窗"})
    assert every_page(text="海燕") == ["海燕之窗"]


def test_the_validity_check_follows_a_changed_account_id_at_once(
    client, published, django_capture_on_commit_callbacks
):
    url = "/api/v1/validity/"
    question = {"platform": "wechat_official", "id": "ncwu_jsj"}
    assert client.get(url, question).json()["valid"] is True
    with django_capture_on_commit_callbacks(execute=True):
        account_update(
            actor=published.cast.school_admin,
            account=published.wechat,
            data={"external_id": "ncwu_jsj2026"},
        )
    assert client.get(url, question).json()["status"] == "not_registered"
    moved = client.get(url, {"platform": "wechat_official", "id": "NCWU_JSJ2026"}).json()
    assert moved["valid"] is True and moved["registration_number"] == "HS-2026-0002"
