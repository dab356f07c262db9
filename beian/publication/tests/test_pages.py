"""The public pages and the validity endpoint: what they show, to whom, and what they never
show (personal data, unpublished records); rate limits, cache, the settings page."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from beian.core.models import AuditEvent
from beian.orgs.models import Person
from beian.publication.models import PublicationSettings
from beian.registry.models import AccountMember

pytestmark = pytest.mark.django_db


def test_directory_lists_published_accounts_only(client, published):
    body = client.get(reverse("publication:directory")).content.decode()
    for shown in ("华北水利水电大学", "华水计算机学院", "华水文学院", "计算机学院网站"):
        assert shown in body
    for hidden in ("软件工程系学生会", "李老师的华水日记", "华水旧闻"):
        assert hidden not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "计算机"}, {"华水计算机学院", "计算机学院网站"}),
        ({"q": "華水文學院"}, {"华水文学院"}),  # Traditional input
        ({"q": "hsjsj"}, {"华水计算机学院"}),  # pinyin initials
        ({"q": "ncwu_tw"}, {"华水校团委"}),  # account id
        ({"platform": "bilibili"}, {"华水文学院"}),
        ({"q": "B站"}, {"华水文学院"}),  # a platform by its shorthand
    ],
)
def test_directory_search(client, published, params, expected):
    response = client.get(reverse("publication:directory"), params)
    assert {c["name"] for c in response.context["result"].cards} == expected


def test_directory_by_unit_takes_its_subtree(client, published):
    cast = published.cast
    response = client.get(reverse("publication:directory"), {"unit": cast.cs.pk})
    assert {c["name"] for c in response.context["result"].cards} == {
        "华水计算机学院",
        "计算机学院网站",
    }


def test_card_qr_badge_and_widget(client, published):
    pk = published.weibo.pk
    card = client.get(reverse("publication:card", args=[pk]))
    assert card.status_code == 200 and "HS-2026-0001" in card.content.decode()
    qr = client.get(reverse("publication:card_qr", args=[pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    badge = client.get(reverse("publication:badge", args=[pk]))
    assert "本账号已在学校备案 · 编号 HS-2026-0001" in badge.content.decode()
    widget = client.get(reverse("publication:widget", args=[pk]))
    assert "X-Frame-Options" not in widget
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert client.get(reverse("publication:card", args=[pk]))["X-Frame-Options"] == "DENY"
    for hidden in (published.hidden, published.personal, published.closed):
        for route in ("publication:card", "publication:badge", "publication:widget"):
            assert client.get(reverse(route, args=[hidden.pk])).status_code == 404


def test_published_accounts_list_page_print_and_excel(client, published):
    page = client.get(reverse("publication:accounts_list")).content.decode()
    assert "华水计算机学院" in page and "软件工程系学生会" not in page
    assert client.get(reverse("publication:accounts_list_file", args=["print"])).status_code == 200
    xlsx = client.get(reverse("publication:accounts_list_file", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "华水计算机学院" in names and "软件工程系学生会" not in names
    assert client.get(reverse("publication:accounts_list_file", args=["pdf"])).status_code == 404


def test_lists_are_off_until_the_school_switches_them_on(client, published):
    PublicationSettings.objects.all().delete()  # back to the policy: everything off
    assert client.get(reverse("publication:directory")).status_code == 404
    assert client.get(reverse("publication:accounts_list")).status_code == 404
    assert client.get(reverse("publication:card", args=[published.weibo.pk])).status_code == 404


def test_a_campaign_bulletin_is_public_only_when_switched_on(client, published):
    from beian.campaigns import services as campaigns

    cast = published.cast
    import datetime as dt

    campaign = campaigns.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={"title": "2026年新媒体清查", "deadline": timezone.localdate() + dt.timedelta(days=9)},
    )
    campaigns.campaign_open(actor=cast.school_admin, campaign=campaign)
    url = reverse("publication:bulletin", args=[campaign.pk])
    assert client.get(url).status_code == 404
    from beian.publication import services

    services.publication_settings_update(
        root=cast.school, actor=cast.school_admin, campaigns=[campaign]
    )
    response = client.get(url)
    assert response.status_code == 200
    assert "关于2026年新媒体清查完成情况的通报" in response.content.decode()
    xlsx = client.get(reverse("publication:bulletin_file", args=[campaign.pk, "xlsx"]))
    assert xlsx.status_code == 200


MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_anonymous_scan_of_every_public_page_finds_no_personal_data(client, published):
    cast = published.cast
    AccountMember.objects.create(record=published.weibo, role="operator", person=cast.lit_teacher)
    from beian.inspections import services as inspections

    # a published inspection round (every form 未参检 once it is closed)
    round_ = inspections.inspection_open(actor=cast.school_admin, owner_unit=cast.school)
    inspections.inspection_close(actor=cast.school_admin, inspection=round_)
    inspections.inspection_publish(actor=cast.school_admin, inspection=round_, published=True)
    people = list(Person.objects.all())
    urls = [
        reverse("publication:inspection_results", args=[round_.pk]),
        reverse("publication:inspection_results_file", args=[round_.pk, "print"]),
        reverse("publication:directory"),
        reverse("publication:directory") + "?q=华水",
        reverse("publication:check") + "?q=华水",
        reverse("publication:check") + "?q=李老师的华水日记",
        reverse("publication:published"),
        reverse("publication:accounts_list"),
        reverse("publication:accounts_list_file", args=["print"]),
        reverse("validity") + "?url=https://weibo.com/u/1234567890",
    ]
    for account in (published.weibo, published.wechat, published.site):
        for route in ("card", "badge", "widget", "card_qr"):
            urls.append(reverse(f"publication:{route}", args=[account.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not MOBILE.search(body), url
        assert not [e for e in EMAIL.findall(body) if not e.endswith(".svg")], url
        for person in people:
            assert person.name not in body.replace("李老师的华水日记", ""), (url, person.name)
            if person.qq:
                assert not re.search(rf"(?<!\d){person.qq}(?!\d)", body), url


def test_validity_endpoint(client, published):
    url = reverse("validity")
    ok = client.get(url, {"url": "https://m.weibo.cn/u/1234567890"}).json()
    assert ok["valid"] is True and ok["registration_number"] == "HS-2026-0001"
    assert ok["unit"] == "党委宣传部"
    by_id = client.get(url, {"platform": "wechat_official", "id": "NCWU_JSJ"}).json()
    assert by_id["valid"] and by_id["registration_number"] == "HS-2026-0002"
    closed = client.get(url, {"url": "https://weibo.com/u/99887766"}).json()
    assert closed == {**closed, "valid": False, "status": "closed", "closed_on": "2025-06-30"}
    # public mode: an unpublished account is not revealed
    hidden = client.get(url, {"platform": "wechat_official", "id": "ncwu_se_xsh"}).json()
    assert hidden["status"] == "not_registered" and hidden["registration_number"] == ""
    short = client.get(url, {"url": "https://b23.tv/abc"}).json()
    assert short["status"] == "unresolvable_short_link"
    assert client.get(url).status_code == 400
    # a NUL character (PostgreSQL refuses it in a query) is a malformed question, not a 500
    assert client.get(url, {"platform": "weibo\x00", "id": "0"}).status_code == 400


def test_validity_by_token_only_and_signed_in_callers_see_every_registered_account(
    client, published
):
    from beian.publication import services

    cast = published.cast
    services.publication_settings_update(
        root=cast.school, actor=cast.school_admin, validity="token"
    )
    url = reverse("validity")
    assert client.get(url, {"platform": "wechat_official", "id": "ncwu_jsj"}).status_code in (
        401,
        403,
    )
    client.force_login(cast.auditor)
    hidden = client.get(url, {"platform": "wechat_official", "id": "ncwu_se_xsh"}).json()
    assert hidden["valid"] and hidden["registration_number"] == "HS-2026-0006"


def test_validity_is_in_the_openapi_schema(client, published):
    client.force_login(published.cast.school_admin)
    schema = client.get(reverse("api:schema"), {"format": "json"}).content.decode()
    assert "/api/v1/validity/" in schema and "HS-2025-0009" in schema


def test_rate_limit_per_address(client, published, settings):
    settings.BEIAN_PUBLIC_RATE = "3/m"
    url = reverse("publication:directory")
    codes = [client.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client.get(url, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200
    settings.BEIAN_VALIDITY_RATE = "2/m"
    api = reverse("validity")
    codes = [client.get(api, {"url": "weibo.com/u/1"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_public_pages_are_cached_and_say_so(client, published, settings):
    settings.BEIAN_PUBLIC_CACHE_SECONDS = 60
    url = reverse("publication:directory")
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=60"
    assert "csrf" not in first.content.decode().lower()
    published.wechat.name = "改名后的账号"
    published.wechat.save()
    again = client.get(url)
    assert again.content == first.content  # served from the cache


def test_settings_page_school_admin_only_and_audited(client, published):
    cast = published.cast
    url = reverse("publication:settings")
    client.force_login(cast.cs_unit_admin)
    assert client.get(url).status_code == 403
    client.force_login(cast.school_admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"directory": "on", "validity": "public", "tiers": []})
    assert response.status_code == 400
    assert "至少选择一个公开的分级" in response.content.decode()
    response = client.post(url, {"directory": "on", "validity": "token", "tiers": ["1", "2", "3"]})
    assert response.status_code == 302
    row = PublicationSettings.objects.get(root=cast.school)
    assert row.tiers == [1, 2, 3] and row.validity == "token" and not row.accounts_list
    event = (
        AuditEvent.objects.filter(object_type="publication.PublicationSettings")
        .order_by("pk")
        .last()
    )
    assert "tiers" in event.detail["changed"]
