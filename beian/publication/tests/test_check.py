""" "Is this official?": by part of a name, by id, by every URL form of the platform, by a
QR screenshot; closed accounts, imitations, unpublished accounts, equal queries."""

from __future__ import annotations

import io

import pytest
import segno
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beian.publication import selectors, services

pytestmark = pytest.mark.django_db


def ask(client, q: str):
    response = client.get(reverse("publication:check"), {"q": q})
    assert response.status_code == 200
    return response


def answer_of(response) -> str:
    return response.context["answer"].kind


def test_part_of_a_name_finds_the_official_account(client, published):
    response = ask(client, "计算机")
    assert answer_of(response) == "official"
    names = [c["name"] for c in response.context["answer"].official]
    assert "华水计算机学院" in names and "计算机学院网站" in names
    assert "HS-2026-0002" in response.content.decode()


def test_traditional_and_pinyin_input(client, published):
    assert answer_of(ask(client, "華水計算機學院")) == "official"
    assert [c["name"] for c in ask(client, "華水文學院").context["answer"].official] == [
        "华水文学院"
    ]
    assert answer_of(ask(client, "hsjsj")) == "official"


def test_by_account_id_and_registration_number(client, published):
    assert ask(client, "ncwu_jsj").context["answer"].official[0]["pk"] == published.wechat.pk
    assert ask(client, "HS-2026-0004").context["answer"].official[0]["pk"] == published.douyin.pk


@pytest.mark.parametrize(
    "link",
    [
        "https://weibo.com/u/1234567890",
        "weibo.com/u/1234567890",
        "https://m.weibo.cn/u/1234567890",
        "https://m.weibo.cn/profile/1234567890",
        "https://weibo.com/1234567890?refer_flag=1001030103_",
        "https://weibo.com/ncwu",
        "http://www.weibo.com/NCWU",
    ],
)
def test_every_weibo_url_form(client, published, link):
    answer = ask(client, link).context["answer"]
    assert answer.kind == "official", link
    assert [c["pk"] for c in answer.official] == [published.weibo.pk]


@pytest.mark.parametrize(
    ("link", "account"),
    [
        ("https://space.bilibili.com/4455667", "bilibili"),
        ("https://space.bilibili.com/4455667/dynamic?spm_id_from=333", "bilibili"),
        ("https://m.bilibili.com/space/4455667", "bilibili"),
        ("https://www.douyin.com/user/MS4wLjABAAAAx1y2z3?from_tab_name=main", "douyin"),
        ("https://www.iesdouyin.com/share/user/MS4wLjABAAAAx1y2z3", "douyin"),
        (
            "https://mp.weixin.qq.com/s?__biz=MzA3NTk0NDQ2MA==&mid=2650&idx=1&sn=abc",
            "wechat",
        ),
        ("https://mp.weixin.qq.com/s?__biz=MzA3NTk0NDQ2MA%3D%3D&mid=1", "wechat"),
        ("https://cs.ncwu.edu.cn/info/1021/5566.htm", "site"),
        ("cs.ncwu.edu.cn", "site"),
    ],
)
def test_url_forms_of_other_platforms(client, published, link, account):
    answer = ask(client, link).context["answer"]
    assert answer.kind == "official", link
    assert [c["pk"] for c in answer.official] == [getattr(published, account).pk]


@pytest.mark.parametrize("link", ["https://b23.tv/xYz12", "https://v.douyin.com/iRNBho6/"])
def test_short_links_are_named_not_guessed(client, published, link):
    response = ask(client, link)
    assert answer_of(response) == "short_link"
    assert "短链接" in response.content.decode()


def test_a_link_of_another_account_is_not_official(client, published):
    assert answer_of(ask(client, "https://weibo.com/u/1111111")) == "not_registered"
    assert answer_of(ask(client, "https://space.bilibili.com/4455")) == "not_registered"


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=6)
    return out.getvalue()


def test_a_qr_screenshot_is_read_and_answered_at_a_permanent_url(client, published):
    upload = SimpleUploadedFile("shot.png", qr_png("https://m.weibo.cn/u/1234567890"))
    response = client.post(reverse("publication:check_qr"), {"image": upload})
    assert response.status_code == 302
    assert response.url.startswith(reverse("publication:check") + "?q=")
    answer = client.get(response.url).context["answer"]
    assert answer.kind == "official"
    assert answer.official[0]["pk"] == published.weibo.pk


def test_a_bad_upload_is_refused_before_decoding(client, published):
    for name, data, words in [
        ("notes.png", b"not an image at all", "不是图片"),
        ("blank.png", _blank_png(), "没有识别到二维码"),
    ]:
        response = client.post(
            reverse("publication:check_qr"), {"image": SimpleUploadedFile(name, data)}
        )
        assert response.status_code == 400
        assert words in response.content.decode()
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (4 * 1024 * 1024 + 10))
    response = client.post(reverse("publication:check_qr"), {"image": big})
    assert response.status_code == 400
    assert "超过 4 MB" in response.content.decode()


def _blank_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, format="PNG")
    return out.getvalue()


def test_a_closed_account_answers_closed_on_its_date(client, published):
    response = ask(client, "华水旧闻")
    assert answer_of(response) == "closed"
    assert "2025年6月30日" in response.content.decode()
    assert answer_of(ask(client, "https://weibo.com/u/99887766")) == "closed"


def test_an_imitation_says_so_and_how_to_report(client, published):
    response = ask(client, "华水大学招生办")
    body = response.content.decode()
    assert answer_of(response) == "not_registered"
    assert response.context["answer"].imitation
    assert "使用了学校名称" in body or "仿冒学校名称" in body
    assert "0371-00000000" in body  # the school's report hint
    response = ask(client, "滑水大学")
    assert answer_of(response) == "not_registered"
    assert response.context["answer"].verdict.name_class == "imitates"
    assert "仿冒学校名称" in response.content.decode()


def test_an_unpublished_account_is_not_revealed(client, published):
    for q in ("软件工程系学生会", "软件工程", "ncwu_se_xsh", "HS-2026-0006", "李老师的华水日记"):
        response = ask(client, q)
        assert answer_of(response) in ("not_registered",), q
        body = response.content.decode().replace(q, "")  # the question is echoed
        assert "HS-2026-0006" not in body and "HS-2026-0010" not in body
        assert not response.context["answer"].official


def test_exact_name_confirms_an_unpublished_account_when_the_school_allows(client, published):
    services.publication_settings_update(
        root=published.cast.school,
        actor=published.cast.school_admin,
        confirm_exact_unpublished=True,
    )
    assert answer_of(ask(client, "软件工程系学生会")) == "confirmed"
    assert answer_of(ask(client, "ncwu_se_xsh")) == "confirmed"
    assert answer_of(ask(client, "软件工程")) == "not_registered"  # a part is not enough
    assert "HS-2026-0006" not in ask(client, "软件工程系学生会").content.decode()


def test_the_same_queries_whether_or_not_an_unpublished_record_matches(published):
    settings = selectors.publication_settings()

    def queries(q):
        with CaptureQueriesContext(connection) as ctx:
            selectors.check_account(settings, q)
        return [_shape(query["sql"]) for query in ctx.captured_queries]

    for warm in (False, True):  # with the search index built by this very question, or before
        if not warm:
            cache.clear()  # drops the index's version token: the next question rebuilds it
        miss = queries("不存在的账号名称")  # matches nothing at all
        if not warm:
            cache.clear()
        hidden = queries("软件工程系学生会")  # matches an unpublished record
        assert len(miss) == len(hidden)
        assert miss == hidden


def _shape(sql: str) -> str:
    """The query without its literal values."""
    import re

    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def test_directory_off_answers_nothing(client, published):
    services.publication_settings_update(
        root=published.cast.school, actor=published.cast.school_admin, directory=False
    )
    response = client.get(reverse("publication:check"), {"q": "华水计算机学院"})
    assert response.status_code == 404
    assert "暂未开放" in response.content.decode()
