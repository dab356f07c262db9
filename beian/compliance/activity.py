"""Activity: when did an account last post? (docs/compliance.md, Activity)

Every date is a claim written through the registry's one write path,
`beian.registry.activity` (evidence row per source with its worth, the account's summary
`last_post_date` / `last_post_source` with a history row, an audit row, a compliance
re-check after commit); the precedence rule is described there and in docs/compliance.md.
Here are the two sources that live in compliance:

- the operator reports it (`activity_report`, source "operator", worth REPORTED);
- the account's RSS / Atom feed (`MediaAccount.feed_url`), polled politely by `poll_feeds`
  (source "feed", worth CHECKED):

  * conditional requests: the ETag and Last-Modified of the last answer are sent back as
    If-None-Match / If-Modified-Since, and a 304 costs the server nothing;
  * one request per host at a time, at least `HOST_INTERVAL` seconds apart, and at most
    `MAX_PER_HOST` requests per host in one run (the rest wait for the next run);
  * short timeouts, at most `MAX_BYTES` read, at most 3 redirects, each followed by hand;
  * only public addresses, and the very address that was checked (`beian.core.netguard`:
    a pinned transport, so DNS rebinding reaches nothing; IPv6-mapped, NAT64 and numeric
    forms of private addresses are refused);
  * a feed is checked again after `POLL_INTERVAL`; after a failure (network error, 4xx/5xx,
    not a feed) after `BACKOFF_BASE` doubled for each consecutive failure, at most
    `BACKOFF_MAX`; a Retry-After header is honoured;
  * the newest entry's date (published, else updated; else the feed's own date) is the
    feed's claim; a failed or blocked fetch, or a feed without dates, claims nothing: the
    account keeps what it had ("unknown" stays unknown, never "zombie").

The annual inspection (campaigns) and the importers record their dates through the same
registry services (`account_activity_record`, `account_last_post_dates_import`).
"""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.netguard import (
    AddressRefused,
    PinnedTransport,
    Resolver,
    checked_address,
    system_resolver,
)
from beian.registry.activity import (
    ActivityClaim,
    account_activity_record,
    account_activity_record_many,
)
from beian.registry.choices import AccountStatus, ActivitySource
from beian.registry.models import MediaAccount

from .models import FeedState

logger = logging.getLogger(__name__)

POLL_INTERVAL = timedelta(hours=12)
BACKOFF_BASE = timedelta(minutes=30)
BACKOFF_MAX = timedelta(days=7)
HOST_INTERVAL = 2.0  # seconds between two requests to one host
MAX_PER_HOST = 200  # requests to one host in one run
MAX_PER_RUN = 2000  # feeds checked in one run
FLUSH_EVERY = 100  # feeds whose state and claims are written in one transaction
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "Beian-feed-checker/1.0 (university new-media registry; polite polling)"


# --- Reported by the operator ---------------------------------------------------------------


def activity_report(*, actor, account: MediaAccount, on: date) -> MediaAccount:
    """An operator (or a unit or school admin) reports the account's last post date: the
    operator's claim replaces the operator's previous one (a correction), never another
    source's. The date may not be in the future nor before the account was created."""
    return account_activity_record(
        actor=actor, account=account, on=on, source=ActivitySource.OPERATOR
    )


# --- Polled from feeds --------------------------------------------------------------------------


@dataclass
class PollStats:
    checked: int = 0
    not_modified: int = 0
    updated: int = 0
    failed: int = 0
    deferred: int = 0
    updated_accounts: list[int] = field(default_factory=list)


class HostThrottle:
    """At most one request per host every `interval` seconds, and `limit` per run."""

    def __init__(
        self,
        interval: float = HOST_INTERVAL,
        limit: int = MAX_PER_HOST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval, self.limit = interval, limit
        self.clock, self.sleep = clock, sleep
        self.last: dict[str, float] = {}
        self.count: dict[str, int] = {}

    def allow(self, host: str) -> bool:
        """Wait until the host may be asked again; False when its budget is spent."""
        if self.count.get(host, 0) >= self.limit:
            return False
        if host in self.last:
            wait = self.last[host] + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self.last[host] = self.clock()
        self.count[host] = self.count.get(host, 0) + 1
        return True


def due_feeds(now: datetime):
    """Accounts with a feed that are due: never checked, or their next check has come."""
    return (
        MediaAccount.objects.exclude(feed_url="")
        .exclude(status=AccountStatus.CLOSED)
        .filter(
            Q(feed_state__isnull=True)
            | Q(feed_state__next_check_at__isnull=True)
            | Q(feed_state__next_check_at__lte=now)
        )
        .select_related("feed_state")
        .order_by("feed_state__next_check_at", "pk")
    )


def poll_feeds(
    *,
    now: datetime | None = None,
    client: httpx.Client | None = None,
    throttle: HostThrottle | None = None,
    limit: int = MAX_PER_RUN,
) -> PollStats:
    """Check the due feeds once each (see the module's notes on politeness). Every
    `FLUSH_EVERY` feeds, the feeds' states and the dates they claim are written together in
    one transaction (through the registry's bulk activity service), so a run that stops
    half-way never keeps a validator (ETag) without the date read with it; the accounts
    whose last post date moved are re-checked after each commit."""
    stats = PollStats()
    throttle = throttle or HostThrottle()
    own_client = client is None
    client = client or make_client()
    pending: list[tuple[FeedState, ActivityClaim | None]] = []
    try:
        for account in due_feeds(now or timezone.now())[:limit]:
            host = (urlsplit(account.feed_url).hostname or "").lower()
            if not throttle.allow(host):
                stats.deferred += 1
                continue
            pending.append(_check_feed(client, account, stats))
            if len(pending) >= FLUSH_EVERY:
                _flush(pending, stats)
    finally:
        try:
            _flush(pending, stats)
        finally:
            if own_client:
                client.close()
    return stats


@transaction.atomic
def _flush(pending: list[tuple[FeedState, ActivityClaim | None]], stats: PollStats) -> None:
    """Write the checked feeds' states and their claims (feeds that failed claim nothing)."""
    claims = [claim for _state, claim in pending if claim is not None]
    for state, _claim in pending:
        state.save()
    pending.clear()
    if claims:
        outcome = account_activity_record_many(
            actor=None, source=ActivitySource.FEED, claims=claims
        )
        stats.updated += len(outcome.changed_accounts)
        stats.updated_accounts += outcome.changed_accounts


_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FeedError(Exception):
    def __init__(
        self, message: str, status: int | None = None, retry_after: timedelta | None = None
    ):
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


def _check_feed(
    client: httpx.Client, account: MediaAccount, stats: PollStats
) -> tuple[FeedState, ActivityClaim | None]:
    """Fetch one feed: its new state (not saved yet) and the date it claims, if any. A
    failure (network, HTTP error, blocked, not a feed) claims nothing and backs off."""
    state = getattr(account, "feed_state", None) or FeedState(account=account)
    claim = None
    stats.checked += 1
    now = timezone.now()
    state.last_checked = now
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        status, response_headers, body = _fetch(client, account.feed_url, headers)
        state.last_status = status
        if status == 304:
            stats.not_modified += 1
        else:
            newest = newest_entry_date(body)
            state.etag = response_headers.get("etag", "")[:255]
            state.last_modified = response_headers.get("last-modified", "")[:64]
            state.last_entry_date = newest
            if newest is not None:
                claim = ActivityClaim(account.pk, newest, account.feed_url[:255])
        state.failures = 0
        state.last_error = ""
        state.next_check_at = now + POLL_INTERVAL
    except FeedError as exc:
        stats.failed += 1
        state.failures += 1
        state.last_status = exc.status
        state.last_error = str(exc)[:255]
        delay = min(BACKOFF_BASE * 2 ** (state.failures - 1), BACKOFF_MAX)
        if exc.retry_after:
            delay = min(max(delay, exc.retry_after), BACKOFF_MAX)
        state.next_check_at = now + delay
        logger.info("feed of account %s failed (%s): %s", account.pk, state.failures, exc)
    return state, claim


def _allow_private() -> bool:
    return bool(getattr(settings, "BEIAN_FEEDS_ALLOW_PRIVATE", False))


def make_client(*, timeout=TIMEOUT, resolver: Resolver = system_resolver) -> httpx.Client:
    """The poller's HTTP client: every request (redirects are new requests) resolves its
    host once, checks each address and connects to the checked one (`PinnedTransport`), so
    a name that rebinds to 127.0.0.1 between the check and the connection reaches nothing.
    `BEIAN_FEEDS_ALLOW_PRIVATE` lifts the address check (not the pinning) for a deployment
    whose feed gateway is internal, and for tests."""
    return httpx.Client(
        transport=PinnedTransport(resolver=resolver, allow_private=_allow_private()),
        timeout=timeout,
        follow_redirects=False,  # followed in _fetch, each hop checked again
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
    )


def refuse_private_address(url: str, *, resolver: Resolver = system_resolver) -> None:
    """Feeds are fetched from the public internet only: an address that resolves to this
    machine or the campus network (loopback, private, link-local, reserved, and the IPv6
    and numeric forms that hide them) is refused, so a feed URL cannot be used to probe
    internal services. The poller itself checks in its transport, on the address it then
    connects to; this is the same check for a URL on its own."""
    parts = urlsplit(url)
    try:
        checked_address(
            parts.hostname or "",
            parts.port or 443,
            resolver=resolver,
            allow_private=_allow_private(),
        )
    except AddressRefused as exc:
        raise FeedError(_("订阅源%(reason)s") % {"reason": exc}) from exc


_REDIRECTS = (301, 302, 303, 307, 308)


def _fetch(client: httpx.Client, url: str, headers: dict) -> tuple[int, httpx.Headers, bytes]:
    """GET the feed, following at most MAX_REDIRECTS redirects by hand: each hop must be
    http(s) and goes through the client's transport, which checks its address again."""
    for _hop in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise FeedError(_("订阅源地址须以 http:// 或 https:// 开头"))
        location = _fetch_once(client, url, headers)
        if isinstance(location, tuple):
            return location
        url = urljoin(url, location)
    raise FeedError(_("重定向次数过多"))


def _fetch_once(client: httpx.Client, url: str, headers: dict):
    """(status, headers, body), or the Location of a redirect."""
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code in _REDIRECTS and response.headers.get("location"):
                return response.headers["location"]
            if response.status_code == 304:
                return 304, response.headers, b""
            if response.status_code >= 400:
                raise FeedError(
                    _("服务器返回 HTTP %(status)s") % {"status": response.status_code},
                    response.status_code,
                    _retry_after(response.headers.get("retry-after")),
                )
            body = bytearray()
            for part in response.iter_bytes():
                body += part
                if len(body) > MAX_BYTES:
                    raise FeedError(_("订阅源超过 %(mb)s MB") % {"mb": MAX_BYTES // 1024 // 1024})
            return response.status_code, response.headers, bytes(body)
    except FeedError:
        raise
    except AddressRefused as exc:
        raise FeedError(_("订阅源%(reason)s") % {"reason": exc}) from exc
    except httpx.TimeoutException as exc:
        raise FeedError(_("连接超时")) from exc
    except httpx.TooManyRedirects as exc:
        raise FeedError(_("重定向次数过多")) from exc
    except httpx.HTTPError as exc:
        raise FeedError(_("无法连接：%(error)s") % {"error": type(exc).__name__}) from exc


def _retry_after(value: str | None) -> timedelta | None:
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - timezone.now(), timedelta(0))


def newest_entry_date(body: bytes) -> date | None:
    """The local (school time zone) date of the newest entry of an RSS / Atom document: an
    entry's published date, else its updated date; the feed's own date when no entry has
    one. FeedError when the document is not a feed."""
    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries and not parsed.feed:
        raise FeedError(_("内容不是 RSS/Atom 订阅源"))
    if not parsed.version and not parsed.entries:
        raise FeedError(_("内容不是 RSS/Atom 订阅源"))
    stamps = [
        entry.get("published_parsed") or entry.get("updated_parsed") for entry in parsed.entries
    ]
    stamps = [s for s in stamps if s]
    if not stamps:
        own = parsed.feed.get("updated_parsed") or parsed.feed.get("published_parsed")
        stamps = [own] if own else []
    if not stamps:
        return None
    newest = max(calendar.timegm(s) for s in stamps)
    moment = datetime.fromtimestamp(newest, tz=UTC)
    # A date in the future (a wrong clock on the feed) is not believed beyond today.
    return min(timezone.localtime(moment).date(), timezone.localdate())
