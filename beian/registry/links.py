"""Links → canonical account ids: the URL forms of each platform of the catalogue.

People paste whatever address their phone shows: ``weibo.com/u/123``, ``m.weibo.cn/u/123``,
``weibo.com/xcb``, a WeChat article (``mp.weixin.qq.com/s?__biz=…``), a Bilibili space, a
Douyin profile, a campus web page. `parse_link()` maps such a link to the platform code
and the id that identifies the account on that platform (:class:`LinkKey`), so that a
pasted link finds the registered account whatever form was registered.

`account_keys()` gives the same keys for a registered account, from its 账号或网址 and its
访问链接 (a WeChat account is registered by its 微信号; its profile link carries the
``__biz`` that every article link repeats). Short links (``b23.tv``, ``v.douyin.com``,
``xhslink.com``, ``t.cn``…) redirect on the platform's servers: they cannot be resolved
without asking the platform, which Beian never does for a visitor's input, so
`parse_link()` says so (``short=True``) instead of guessing.

A plain module of values (no database): the publication app and the registry's search
both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

#: Platform codes of web sites: a site is identified by its host name.
WEBSITE_CODES = ("website_campus", "website_external")


@dataclass(frozen=True)
class LinkKey:
    """What a link says: the platform (catalogue code; "" when only the host is known),
    the canonical id on it (`key`, compared exactly), the part to look for in stored
    addresses (`needle`, a substring of any stored form) and, for a short link that
    cannot be resolved offline, `short=True` with the platform's name in `note`."""

    platform: str
    key: str
    needle: str
    short: bool = False
    note: str = ""


# host suffix → (platform code, note) of short-link services that only the platform resolves
SHORT_HOSTS = {
    "b23.tv": ("bilibili", "哔哩哔哩短链接"),
    "v.douyin.com": ("douyin", "抖音分享短链接"),
    "xhslink.com": ("xiaohongshu", "小红书分享短链接"),
    "v.kuaishou.com": ("kuaishou", "快手分享短链接"),
    "t.cn": ("weibo", "微博短链接"),
    "url.cn": ("", "腾讯短链接"),
    "m.toutiao.com/is": ("toutiao", "今日头条分享短链接"),
}

_URL_RE = re.compile(r"^(https?://)?([-a-z0-9]+\.)+[a-z]{2,}(:\d+)?([/?#].*)?$", re.IGNORECASE)


def looks_like_link(text: str) -> bool:
    """Whether what a visitor typed is an address (scheme optional) rather than a name."""
    text = (text or "").strip()
    if " " in text or not text.isascii():
        return False
    return bool(_URL_RE.match(text)) and "." in text.split("/")[0 if "://" not in text else 2]


def _split(text: str):
    text = text.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    path = unquote(parts.path or "")
    segments = [s for s in path.split("/") if s]
    return host, segments, parse_qs(parts.query), parts.fragment


def _first(query: dict, *names: str) -> str:
    for name in names:
        for value in query.get(name, ()):
            if value.strip():
                return value.strip()
    return ""


def _after(segments: list[str], *heads: str) -> str:
    """The segment after the first of `heads` found in the path ("user" in /user/<id>)."""
    for i, segment in enumerate(segments[:-1]):
        if segment.lower() in heads:
            return segments[i + 1]
    return ""


def parse_link(text: str) -> LinkKey | None:
    """The platform and canonical id a link names, or None when it is not a link."""
    if not looks_like_link(text):
        return None
    host, segments, query, fragment = _split(text)
    if not host:
        return None
    first = segments[0] if segments else ""
    for short_host, (platform, note) in SHORT_HOSTS.items():
        short_host, _slash, short_path = short_host.partition("/")
        if (host == short_host or host.endswith("." + short_host)) and (
            not short_path or first == short_path
        ):
            return LinkKey(platform, "", "", short=True, note=note)

    # 新浪微博: weibo.com/u/<uid>, weibo.com/<uid>, weibo.com/<name>, m.weibo.cn/u/<uid>,
    # m.weibo.cn/profile/<uid>, weibo.cn/u/<uid>
    if host in ("weibo.com", "m.weibo.cn", "weibo.cn", "m.weibo.com"):
        uid = _after(segments, "u", "profile")
        if not uid and first.isdigit():
            uid = first
        if uid.isdigit():
            return LinkKey("weibo", f"u/{uid}", uid)
        if first.lower() == "n" and len(segments) > 1:
            first = segments[1]
        if first and first.lower() not in ("u", "p", "profile", "detail", "status"):
            name = first.lower()
            return LinkKey("weibo", f"n/{name}", name)
        return None
    # 微信公众号: mp.weixin.qq.com/s?__biz=<biz>&mid=…, …/mp/profile_ext?__biz=<biz>
    if host == "mp.weixin.qq.com":
        biz = _first(query, "__biz")
        if biz:
            return LinkKey("wechat_official", f"biz/{biz}", biz)
        return None
    # 哔哩哔哩: space.bilibili.com/<mid>, m.bilibili.com/space/<mid>
    if host == "space.bilibili.com" and first.isdigit():
        return LinkKey("bilibili", first, first)
    if host in ("m.bilibili.com", "bilibili.com"):
        mid = _after(segments, "space")
        if mid.isdigit():
            return LinkKey("bilibili", mid, mid)
        return None
    # 抖音: douyin.com/user/<sec_uid>, iesdouyin.com/share/user/<sec_uid>
    if host in ("douyin.com", "iesdouyin.com", "m.douyin.com"):
        uid = _after(segments, "user")
        if uid:
            return LinkKey("douyin", uid, uid)
        return None
    # 小红书: xiaohongshu.com/user/profile/<id>
    if host in ("xiaohongshu.com", "m.xiaohongshu.com"):
        uid = _after(segments, "profile")
        if uid:
            return LinkKey("xiaohongshu", uid, uid)
        return None
    # 知乎: zhihu.com/people/<id>, zhihu.com/org/<id>
    if host in ("zhihu.com", "m.zhihu.com"):
        uid = _after(segments, "people", "org")
        if uid:
            return LinkKey("zhihu", uid.lower(), uid)
        return None
    # 快手: kuaishou.com/profile/<id>, live.kuaishou.com/u/<id>
    if host in ("kuaishou.com", "live.kuaishou.com", "m.kuaishou.com"):
        uid = _after(segments, "profile", "u")
        if uid:
            return LinkKey("kuaishou", uid, uid)
        return None
    # 今日头条: toutiao.com/c/user/<id>/, toutiao.com/c/user/token/<token>/
    if host in ("toutiao.com", "m.toutiao.com"):
        uid = _after(segments, "token") or _after(segments, "user")
        if uid:
            return LinkKey("toutiao", uid, uid)
        return None
    # 百度贴吧: tieba.baidu.com/f?kw=<name>
    if host == "tieba.baidu.com":
        kw = _first(query, "kw")
        if kw:
            return LinkKey("tieba", kw.lower(), kw)
        return None
    # any other address: a web site, known by its host name
    return LinkKey("", f"host/{host}", host)


def account_keys(platform_code: str, external_id: str, url: str) -> set[str]:
    """The canonical keys a registered account answers to: its id as typed (lower-case),
    and the keys of its 账号或网址 and 访问链接 when those are links of its platform (or,
    for any platform, a web address: a site is its host)."""
    keys = set()
    external_id = (external_id or "").strip()
    if external_id and not looks_like_link(external_id):
        keys.add(f"id/{external_id.lower()}")
    for value in (external_id, url):
        found = parse_link(value or "")
        if found is None or found.short or not found.key:
            continue
        if found.platform in ("", platform_code) or platform_code in WEBSITE_CODES:
            keys.add(found.key)
    return keys


def link_matches(found: LinkKey, platform_code: str, external_id: str, url: str) -> bool:
    """Whether a registered account (its platform code, 账号或网址, 访问链接) is the one a
    parsed link names."""
    if found.short or not found.key:
        return False
    if found.platform and found.platform != platform_code:
        return False
    return found.key in account_keys(platform_code, external_id, url)
