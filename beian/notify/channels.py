"""Talking to each kind of channel: the platforms' real JSON payloads, their signatures,
the webhook address check, and one `send()` that raises `SendError` on any failure.

- WeCom (企业微信) group robot: POST {"msgtype": "markdown", "markdown": {"content": …}};
  the answer {"errcode": 0} means sent.
- DingTalk (钉钉) robot: POST {"msgtype": "markdown", "markdown": {"title", "text"}}; with a
  secret (加签) the URL gets `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of
  "<timestamp>\\n<secret>" keyed by the secret>`; {"errcode": 0} means sent.
- Feishu (飞书) bot: POST {"msg_type": "text", "content": {"text": …}}; with a secret the
  body carries "timestamp" (seconds) and "sign" = base64(HMAC-SHA256 keyed by
  "<timestamp>\\n<secret>" over an empty message); {"code": 0} means sent.
- E-mail: one mail to the channel's addresses, or to the unit's admins.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import socket
import time
import urllib.parse
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .choices import ChannelKind

TIMEOUT = 10.0
SUBJECT_PREFIX = "【新媒体备案】"


class SendError(Exception):
    """A channel did not take the message; the text is shown on the channel page."""


@dataclass(frozen=True)
class Digest:
    """What one message says: a title and its lines (each a reminder's text and link)."""

    title: str
    lines: list[dict]

    def markdown(self) -> str:
        items = [f"### {self.title}"]
        for line in self.lines:
            link = absolute(line.get("link", ""))
            items.append(f"- [{line['text']}]({link})" if link else f"- {line['text']}")
        return "\n".join(items)

    def plain(self) -> str:
        items = [self.title]
        for line in self.lines:
            link = absolute(line.get("link", ""))
            items.append(f"· {line['text']}" + (f"\n  {link}" if link else ""))
        return "\n".join(items)


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    base = getattr(settings, "BEIAN_SITE_URL", "").rstrip("/")
    return f"{base}{link}" if base else link


# --- signatures ----------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's `sign` parameter, already URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's `sign` body field: the string to sign is the HMAC key, the message empty."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


# --- payloads ------------------------------------------------------------------------------


def build_request(kind: str, url: str, secret: str, digest: Digest) -> tuple[str, dict]:
    """The URL to post to and the JSON body, per platform."""
    if kind == ChannelKind.WECOM:
        return url, {"msgtype": "markdown", "markdown": {"content": digest.markdown()}}
    if kind == ChannelKind.DINGTALK:
        body = {
            "msgtype": "markdown",
            "markdown": {"title": digest.title, "text": digest.markdown()},
        }
        if secret:
            timestamp = int(time.time() * 1000)
            separator = "&" if "?" in url else "?"
            url = f"{url}{separator}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
        return url, body
    if kind == ChannelKind.FEISHU:
        body: dict = {"msg_type": "text", "content": {"text": digest.plain()}}
        if secret:
            timestamp = int(time.time())
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return url, body
    raise ValueError(kind)


# --- address check ---------------------------------------------------------------------------


def check_webhook_url(url: str) -> None:
    """Refuse anything but http(s), and (unless BEIAN_NOTIFY_ALLOW_PRIVATE) addresses on this
    machine or the campus network: a webhook must not become a way to probe the intranet."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValidationError(
            _("Webhook 地址须以 http:// 或 https:// 开头：%(url)s") % {"url": url[:80]},
            code="scheme",
        )
    if getattr(settings, "BEIAN_NOTIFY_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(
            _("无法解析 Webhook 地址的主机名：%(host)s") % {"host": parsed.hostname},
            code="dns",
        ) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValidationError(
                _("Webhook 地址指向本机或内网地址（%(ip)s），已拒绝") % {"ip": address},
                code="private",
            )


# --- sending -----------------------------------------------------------------------------------


def send(channel, digest: Digest, *, email_to: list[str] | None = None) -> None:
    """Deliver one digest on one channel, or raise SendError saying why not."""
    if channel.kind == ChannelKind.EMAIL:
        _send_mail(digest, email_to or [])
        return
    try:
        check_webhook_url(channel.webhook_url)
    except ValidationError as exc:
        raise SendError(" ".join(exc.messages)) from exc
    url, body = build_request(channel.kind, channel.webhook_url, channel.secret, digest)
    try:
        response = httpx.post(url, json=body, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise SendError(_("连接失败：%(error)s") % {"error": type(exc).__name__}) from exc
    if response.status_code != 200:
        raise SendError(_("HTTP %(code)s") % {"code": response.status_code})
    try:
        answer = response.json()
    except ValueError as exc:
        raise SendError(_("平台返回的不是 JSON")) from exc
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0"):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise SendError(_("平台拒绝：%(code)s %(message)s") % {"code": code, "message": message})


def _send_mail(digest: Digest, to: list[str]) -> None:
    if not to:
        raise SendError(_("没有收件人：请填写收件人地址，或为单位设置有电子邮箱的管理员"))
    try:
        send_mail(SUBJECT_PREFIX + digest.title[:60], digest.plain(), None, to)
    except Exception as exc:  # noqa: BLE001 - any mail failure is a retryable send error
        raise SendError(_("邮件发送失败：%(error)s") % {"error": type(exc).__name__}) from exc
