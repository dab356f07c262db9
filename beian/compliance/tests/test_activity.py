"""Activity: the operator's report, and feed polling against a local HTTP server (no test
touches the internet)."""

import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from beian.compliance.activity import (
    BACKOFF_BASE,
    POLL_INTERVAL,
    HostThrottle,
    activity_report,
    make_client,
    newest_entry_date,
    poll_feeds,
)
from beian.compliance.engine import scan_all
from beian.compliance.models import FeedState, Finding
from beian.core.models import AuditEvent
from beian.registry.models import ActivityEvidence
from beian.testing import make_account

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>文学院</title><link>http://example.invalid/</link>
<item><title>新闻一</title><pubDate>Mon, 02 Jun 2025 09:00:00 +0800</pubDate></item>
<item><title>新闻二</title><pubDate>Sun, 15 Jun 2025 23:30:00 +0000</pubDate></item>
<item><title>旧闻</title><pubDate>Fri, 03 Jan 2025 08:00:00 +0800</pubDate></item>
</channel></rss>""".encode()

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>计算机学院</title><id>urn:x</id>
<updated>2025-05-01T00:00:00Z</updated>
<entry><title>a</title><id>urn:a</id><updated>2025-04-10T12:00:00+08:00</updated></entry>
<entry><title>b</title><id>urn:b</id><published>2025-05-01T08:00:00+08:00</published>
<updated>2025-05-02T08:00:00+08:00</updated></entry>
</feed>""".encode()

ETAG = '"v1"'
LAST_MODIFIED = "Sun, 15 Jun 2025 23:30:00 GMT"


class FeedServer:
    """A local HTTP server: /rss and /atom answer 304 to matching validators, /broken 500,
    /busy 429 with Retry-After, /html a web page, /slow waits longer than the client's
    timeout. Counts requests per path and keeps the headers each received."""

    def __init__(self):
        self.hits: Counter = Counter()
        self.headers: dict[str, list[dict]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path
                server.hits[path] += 1
                server.headers.setdefault(path, []).append(dict(self.headers))
                if path in ("/rss", "/atom"):
                    if (
                        self.headers.get("If-None-Match") == ETAG
                        or self.headers.get("If-Modified-Since") == LAST_MODIFIED
                    ):
                        self.send_response(304)
                        self.end_headers()
                        return
                    body = RSS if path == "/rss" else ATOM
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("ETag", ETAG)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif path == "/busy":
                    self.send_response(429)
                    self.send_header("Retry-After", "7200")
                    self.end_headers()
                elif path == "/html":
                    body = "<html><body>不是订阅源</body></html>".encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(body)
                elif path == "/slow":
                    time.sleep(1.0)
                    self.send_response(200)
                    self.end_headers()
                else:
                    self.send_response(500)
                    self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def quick(**kw):
    """Polls without waiting between requests (politeness is tested on its own)."""
    return poll_feeds(throttle=HostThrottle(interval=0), **kw)


def make_due():
    FeedState.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))


# --- the operator's report --------------------------------------------------------------


def test_operator_reports_the_last_post_date(cast):
    account = activity_report(
        actor=cast.lit_operator, account=cast.lit_account, on=date(2025, 5, 4)
    )
    account.refresh_from_db()
    assert account.last_post_date == date(2025, 5, 4)
    assert account.last_post_source == "operator"
    assert AuditEvent.objects.filter(event="update", object_id=str(account.pk)).exists()
    assert account.history.first().last_post_date == date(2025, 5, 4)


def test_report_checks_the_date_and_the_actor(cast):
    with pytest.raises(ValidationError):
        activity_report(
            actor=cast.lit_operator,
            account=cast.lit_account,
            on=timezone.localdate() + timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        activity_report(actor=cast.lit_operator, account=cast.lit_account, on=date(2019, 1, 1))
    with pytest.raises(PermissionDenied):
        activity_report(actor=cast.cs_unit_admin, account=cast.lit_account, on=date(2025, 5, 4))


@time_machine.travel("2025-06-30 10:00 +0800", tick=False)
def test_a_report_makes_the_findings_current_without_a_scan(
    cast, django_capture_on_commit_callbacks
):
    zombie = make_account(
        unit=cast.lit, last_post_date=date(2025, 1, 1), last_post_source="inspection"
    )
    scan_all()
    assert Finding.objects.get(rule="zombie_close", account=zombie).state == "open"
    unknown = Finding.objects.get(rule="activity_unknown", account=cast.lit_account)
    assert unknown.state == "open" and unknown.severity == "info"
    assert not Finding.objects.filter(rule__startswith="zombie_", account=cast.lit_account)

    with django_capture_on_commit_callbacks(execute=True):
        activity_report(actor=cast.school_admin, account=zombie, on=date(2025, 6, 29))
        activity_report(actor=cast.lit_operator, account=cast.lit_account, on=date(2025, 4, 20))
    assert Finding.objects.get(rule="zombie_close", account=zombie).state == "resolved"
    assert Finding.objects.get(rule="activity_unknown", account=cast.lit_account).state == (
        "resolved"
    )
    warn = Finding.objects.get(rule="zombie_warn", account=cast.lit_account)
    assert warn.message == "最近发布于 2025-04-20（来源：运营者填报），已 71 天未更新（阈值 60 天）"
    assert warn.state == "open"  # judged on real evidence now


# --- parsing ------------------------------------------------------------------------------


def test_newest_entry_date_of_rss_and_atom():
    assert newest_entry_date(RSS) == date(2025, 6, 16)  # 23:30 UTC is the 16th in Beijing
    assert newest_entry_date(ATOM) == date(2025, 5, 1)  # published beats updated
    feed_only = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><updated>2025-03-03T00:00:00Z</updated></feed>'
    )
    assert newest_entry_date(feed_only) == date(2025, 3, 3)


# --- polling ----------------------------------------------------------------------------------


def test_poll_sets_the_date_then_asks_conditionally(cast, server):
    account = make_account(
        unit=cast.lit, feed_url=f"{server.url}/rss", last_post_date=date(2025, 1, 1)
    )
    stats = quick()
    assert (stats.checked, stats.updated) == (1, 1)
    account.refresh_from_db()
    assert account.last_post_date == date(2025, 6, 16) and account.last_post_source == "feed"
    state = FeedState.objects.get(account=account)
    assert state.etag == ETAG and state.last_modified == LAST_MODIFIED
    assert state.last_status == 200 and state.failures == 0
    assert state.next_check_at - state.last_checked == POLL_INTERVAL

    assert quick().checked == 0  # not due yet
    make_due()
    stats = quick()
    assert (stats.checked, stats.not_modified, stats.updated) == (1, 1, 0)
    sent = server.headers["/rss"][-1]
    assert sent["If-None-Match"] == ETAG and sent["If-Modified-Since"] == LAST_MODIFIED
    assert "Beian" in sent["User-Agent"]
    assert server.hits["/rss"] == 2


def test_an_older_feed_date_does_not_replace_a_newer_one(cast, server):
    account = make_account(
        unit=cast.lit,
        feed_url=f"{server.url}/atom",
        last_post_date=date(2025, 6, 1),
        last_post_source="operator",
    )
    assert quick().updated == 0
    account.refresh_from_db()
    assert account.last_post_date == date(2025, 6, 1) and account.last_post_source == "operator"
    assert FeedState.objects.get(account=account).last_entry_date == date(2025, 5, 1)


def test_a_feed_claim_keeps_its_provenance_history_and_audit(cast, server):
    account = make_account(
        unit=cast.lit,
        feed_url=f"{server.url}/atom",
        last_post_date=date(2025, 6, 1),
        last_post_source="operator",
    )
    fresh = make_account(unit=cast.lit, feed_url=f"{server.url}/rss")
    quick()
    feed = ActivityEvidence.objects.get(account=account, source="feed")
    assert (feed.posted_on, feed.worth, feed.reference) == (date(2025, 5, 1), 3, account.feed_url)
    assert ActivityEvidence.objects.get(account=account, source="operator").posted_on == date(
        2025, 6, 1
    )
    fresh.refresh_from_db()
    assert (fresh.last_post_date, fresh.last_post_source) == (date(2025, 6, 16), "feed")
    assert fresh.history.first().history_change_reason == "最近发布日期（订阅源抓取）"
    event = AuditEvent.objects.get(detail__action="activity")
    assert event.actor is None and event.actor_name == "system:feed"
    assert event.detail["recorded"] == 2 and event.detail["accounts"] == [fresh.pk]


def test_a_failed_or_blocked_fetch_changes_nothing(cast, server):
    unknown = make_account(unit=cast.lit, feed_url=f"{server.url}/broken")
    long_ago = timezone.localdate() - timedelta(days=200)
    idle = make_account(
        unit=cast.lit,
        feed_url=f"{server.url}/html",  # an anti-bot page instead of the feed
        last_post_date=long_ago,
        last_post_source="operator",
    )
    assert quick().failed == 2
    for account in (unknown, idle):
        assert account.history.count() == 1  # the creation only
    assert not ActivityEvidence.objects.exists()
    assert not AuditEvent.objects.filter(detail__action="activity").exists()
    idle.refresh_from_db()
    assert (idle.last_post_date, idle.last_post_source) == (long_ago, "operator")

    scan_all()
    found = Finding.objects.get(rule="activity_unknown", account=unknown)
    assert found.message == (
        "尚无任何来源的最近发布日期；订阅源抓取失败（连续 1 次：服务器返回 HTTP 500）"
    )
    assert not Finding.objects.filter(rule__startswith="zombie_", account=unknown).exists()
    zombie = Finding.objects.get(rule="zombie_close", account=idle)
    assert "（来源：运营者填报），已 200 天未更新" in zombie.message


def test_errors_back_off_exponentially_and_success_resets(cast, server):
    account = make_account(unit=cast.lit, feed_url=f"{server.url}/broken")
    quick()
    state = FeedState.objects.get(account=account)
    assert state.failures == 1 and state.last_status == 500 and "500" in state.last_error
    assert state.next_check_at - state.last_checked == BACKOFF_BASE
    make_due()
    quick()
    state.refresh_from_db()
    assert state.failures == 2 and state.next_check_at - state.last_checked == BACKOFF_BASE * 2

    account.feed_url = f"{server.url}/rss"
    account.save()
    make_due()
    quick()
    state.refresh_from_db()
    assert state.failures == 0 and state.last_error == ""


def test_retry_after_is_honoured(cast, server):
    account = make_account(unit=cast.lit, feed_url=f"{server.url}/busy")
    quick()
    state = FeedState.objects.get(account=account)
    assert state.last_status == 429
    assert state.next_check_at - state.last_checked >= timedelta(hours=2)


def test_a_page_that_is_not_a_feed_is_an_error(cast, server):
    account = make_account(unit=cast.lit, feed_url=f"{server.url}/html")
    assert quick().failed == 1
    assert "RSS/Atom" in FeedState.objects.get(account=account).last_error


def test_timeouts_are_errors(cast, server):
    account = make_account(unit=cast.lit, feed_url=f"{server.url}/slow")
    with make_client(timeout=0.2) as client:
        assert quick(client=client).failed == 1
    assert FeedState.objects.get(account=account).last_error == "连接超时"


def test_closed_accounts_and_accounts_without_feed_are_not_polled(cast, server):
    make_account(
        unit=cast.lit,
        feed_url=f"{server.url}/rss",
        status="closed",
        closed_on=date(2025, 1, 1),
        closed_reason="停用",
    )
    assert quick().checked == 0
    assert server.hits["/rss"] == 0


def test_polling_resolves_a_zombie_finding(cast, server, django_capture_on_commit_callbacks):
    account = make_account(
        unit=cast.lit, feed_url=f"{server.url}/rss", last_post_date=date(2020, 1, 1)
    )
    scan_all()
    assert Finding.objects.get(rule="zombie_close", account=account).state == "open"
    recent = timezone.localdate() - timedelta(days=1)
    body = RSS.replace(b"Sun, 15 Jun 2025", recent.strftime("%a, %d %b %Y").encode())
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with (
        httpx.Client(transport=transport) as client,
        django_capture_on_commit_callbacks(execute=True),
    ):
        quick(client=client)
    assert Finding.objects.get(rule="zombie_close", account=account).state == "resolved"


# --- politeness ---------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_one_request_per_host_per_interval_and_a_budget_per_run():
    clock = FakeClock()
    throttle = HostThrottle(interval=2.0, limit=3, clock=clock, sleep=clock.sleep)
    assert throttle.allow("a.example") and throttle.allow("b.example")
    assert throttle.allow("a.example")
    assert clock.sleeps == [2.0]  # the second request to a.example waited
    clock.now += 5
    assert throttle.allow("a.example")
    assert clock.sleeps == [2.0]
    assert not throttle.allow("a.example")  # budget of 3 spent
    assert throttle.allow("b.example")


def test_poll_defers_feeds_beyond_the_host_budget(cast, server):
    for i in range(3):
        make_account(unit=cast.lit, feed_url=f"{server.url}/rss?{i}")
    stats = poll_feeds(throttle=HostThrottle(interval=0, limit=2))
    assert (stats.checked, stats.deferred) == (2, 1)
    assert FeedState.objects.count() == 2  # the third waits for the next run, still due
    assert poll_feeds(throttle=HostThrottle(interval=0)).checked == 1


def test_requests_to_one_host_are_spaced(cast, server):
    for i in range(3):
        make_account(unit=cast.lit, feed_url=f"{server.url}/rss?{i}")
    started = time.monotonic()
    poll_feeds(throttle=HostThrottle(interval=0.2))
    assert time.monotonic() - started >= 0.4


def test_poll_feeds_command(cast, capsys):
    call_command("poll_feeds")
    assert "抓取 0 个订阅源" in capsys.readouterr().out


def test_feed_dates_are_school_dates():
    moment = datetime(2025, 6, 15, 23, 30, tzinfo=timezone.get_fixed_timezone(0))
    assert timezone.localtime(moment).date() == date(2025, 6, 16)
