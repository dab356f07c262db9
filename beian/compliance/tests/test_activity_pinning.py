"""Feed polling connects to the address it checked (issue 9, finding 7): DNS rebinding,
IPv6 forms and numeric forms of loopback and private addresses, redirects to them. Local
servers only: a "public" server on 127.0.0.2 (the tests declare that one address public)
and an "internal" one on 127.0.0.1 that must never be reached."""

from __future__ import annotations

import ipaddress
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from beian.compliance.activity import FeedError, make_client, poll_feeds, refuse_private_address
from beian.compliance.models import FeedState
from beian.compliance.tests.test_activity import RSS
from beian.core import netguard
from beian.core.netguard import AddressRefused, checked_address, is_public_address
from beian.testing import make_account

PRETEND_PUBLIC = ipaddress.ip_address("127.0.0.2")


class Server:
    def __init__(self, host: str, port: int = 0):
        self.hits: Counter = Counter()
        self.hosts: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits[self.path] += 1
                server.hosts.append(self.headers.get("Host", ""))
                if self.path.startswith("/go?to="):
                    self.send_response(302)
                    self.send_header("Location", self.path.split("=", 1)[1])
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(RSS)))
                self.end_headers()
                self.wfile.write(RSS)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers(settings, monkeypatch):
    """(public, internal) on the same port of 127.0.0.2 and 127.0.0.1; the address check is
    on (as in production), with 127.0.0.2 counted as public."""
    settings.BEIAN_FEEDS_ALLOW_PRIVATE = False
    real = netguard.is_public_address
    monkeypatch.setattr(netguard, "is_public_address", lambda a: a == PRETEND_PUBLIC or real(a))
    public = Server("127.0.0.2")
    internal = Server("127.0.0.1", public.port)
    yield public, internal
    public.close()
    internal.close()


class RebindingResolver:
    """Answers the public address the first time a name is asked, loopback afterwards; and
    `internal.example` is always loopback."""

    def __init__(self):
        self.calls: Counter = Counter()

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls[host] += 1
        if host == "internal.example" or self.calls[host] > 1:
            return ["127.0.0.1"]
        return [str(PRETEND_PUBLIC)]


@pytest.mark.parametrize(
    "host",
    [
        "[::7f00:1]",  # IPv4-compatible ::127.0.0.1
        "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
        "[64:ff9b::a00:1]",  # NAT64 of 10.0.0.1
        "[64:ff9b:1::a9fe:a9fe]",  # local-use NAT64 of 169.254.169.254
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:7f00:1]",
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[2002:c0a8:101::1]",  # 6to4 of 192.168.1.1
        "[fe80::1]",
        "[fc00::1]",
        "[::]",
        "2130706433",  # 127.0.0.1 in decimal
        "0x7f.1",
        "0x7f000001",
        "0177.0.0.1",
        "127.1",
        "017700000001",
        "0",
        "169.254.169.254",
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",
    ],
)
def test_hidden_forms_of_private_addresses_are_refused(settings, host):
    """Finding 7: `[::7f00:1]` and `[64:ff9b::7f00:1]` passed the old check; every IPv6
    and numeric form of a loopback, private or link-local address is refused."""
    settings.BEIAN_FEEDS_ALLOW_PRIVATE = False
    with pytest.raises(FeedError, match="本机或内网"):
        refuse_private_address(f"http://{host}/feed.xml")


def test_public_addresses_pass_including_nat64_of_a_public_one():
    for literal in ("8.8.8.8", "[2001:4860:4860::8888]", "[64:ff9b::808:808]"):
        assert is_public_address(checked_address(literal, 80))


def test_a_name_with_one_private_address_among_public_ones_is_refused():
    with pytest.raises(AddressRefused):
        checked_address("mixed.example", 80, resolver=lambda h, p: ["8.8.8.8", "10.0.0.1"])


@pytest.mark.django_db
def test_dns_rebinding_reaches_only_the_checked_address(servers, cast):
    """Finding 7: the name is resolved once, to the address that is checked and connected
    to; the rebinding answer (127.0.0.1) is never asked for, the internal server never hit,
    and the request carries the feed's host name."""
    public, internal = servers
    resolver = RebindingResolver()
    account = make_account(unit=cast.lit, feed_url=f"http://feeds.example:{public.port}/rss")
    with make_client(resolver=resolver) as client:
        stats = poll_feeds(client=client)
    assert stats.failed == 0 and stats.updated == 1
    assert resolver.calls["feeds.example"] == 1
    assert public.hits["/rss"] == 1 and sum(internal.hits.values()) == 0
    assert public.hosts == [f"feeds.example:{public.port}"]
    account.refresh_from_db()
    assert account.last_post_date is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["http://internal.example:{port}/secret", "http://[::ffff:127.0.0.1]:{port}/secret"]
)
def test_a_redirect_to_an_internal_address_is_checked_again_and_refused(servers, cast, target):
    """Finding 7: redirects are followed by hand and each hop's address is checked."""
    public, internal = servers
    target = target.format(port=public.port)
    account = make_account(unit=cast.lit, feed_url=f"http://127.0.0.2:{public.port}/go?to={target}")
    with make_client(resolver=RebindingResolver()) as client:
        stats = poll_feeds(client=client)
    assert stats.failed == 1
    assert sum(internal.hits.values()) == 0
    assert "本机或内网" in FeedState.objects.get(account=account).last_error


@pytest.mark.django_db
def test_a_redirect_to_a_public_address_is_followed(servers, cast):
    public, _internal = servers
    account = make_account(unit=cast.lit, feed_url=f"http://127.0.0.2:{public.port}/go?to=/rss")
    with make_client(resolver=RebindingResolver()) as client:
        assert poll_feeds(client=client).updated == 1
    assert public.hits["/rss"] == 1
    account.refresh_from_db()
    assert account.last_post_date is not None
