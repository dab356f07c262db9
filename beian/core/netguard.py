"""Outbound HTTP to addresses given by users (feed URLs): only to the public internet, and
to the very address that was checked (issue 9, finding 7).

Checking a host name and then letting the HTTP client resolve it again is a race that DNS
rebinding wins: the first answer is public, the second 127.0.0.1. `PinnedTransport`
resolves each request's host once, checks every address the name resolves to
(`is_public_address`), and connects to the checked address itself, with the name kept in
the Host header and in TLS (SNI and certificate check). A redirect is a new request through
the same transport, so its target is resolved and checked again.

`is_public_address` refuses what `ipaddress` calls private, loopback, link-local, reserved,
multicast or unspecified, and also IPv6 forms that carry an IPv4 address inside: IPv4-mapped
(``::ffff:127.0.0.1``), IPv4-compatible (``::7f00:1``), NAT64 (``64:ff9b::/96``,
``64:ff9b:1::/48``), 6to4 (``2002::/16``), Teredo and ISATAP, when the inner address is not
public. Host names that are IPv4 addresses in another notation (``2130706433``,
``0x7f.1``, ``0177.0.0.1``, ``127.1``) are read as the address they stand for.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable

import httpx
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NUMERIC_HOST = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+)){0,3}$")


class AddressRefused(Exception):
    """The host resolves to an address that is not on the public internet (or not at all)."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def ip_literal(host: str) -> IPAddress | None:
    """The address a host part of a URL stands for when it is an IP address in any notation
    (bracketed IPv6, dotted, decimal, octal, hex, shortened IPv4), else None."""
    host = (host or "").strip().strip("[]")
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    inner: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        inner.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        inner.append(address.sixtofour)
    if address.teredo is not None:
        inner.extend(address.teredo)
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in network for network in _NAT64):
        inner.append(low32)
    if (int(address) >> 32) & 0xFFFFFFFF in (0x00005EFE, 0x02005EFE):  # ISATAP
        inner.append(low32)
    return inner


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet only (see the module's notes)."""
    if address.version == 6:
        if address in _IPV4_COMPATIBLE:  # ::a.b.c.d (deprecated), ::1 and :: included
            return False
        if any(address in network for network in _NAT64):  # judged by the IPv4 inside
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(not is_public_address(inner) for inner in _embedded_ipv4(address)):
            return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def checked_address(
    host: str, port: int, *, resolver: Resolver = system_resolver, allow_private: bool = False
) -> IPAddress:
    """The address to connect to for `host`: resolved once; every address the name has must
    be public (unless `allow_private`), and the first one is used."""
    literal = ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            answers = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise AddressRefused(_("无法解析域名“%(host)s”") % {"host": host}) from exc
        addresses = []
        for answer in answers:
            try:
                addresses.append(ipaddress.ip_address(str(answer).split("%", 1)[0]))
            except ValueError as exc:
                raise AddressRefused(_("域名解析结果无效")) from exc
        if not addresses:
            raise AddressRefused(_("无法解析域名“%(host)s”") % {"host": host})
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise AddressRefused(
                    _("地址指向本机或内网地址（%(ip)s），已拒绝") % {"ip": address}
                )
    return addresses[0]


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport that connects to the address it checked (see the module's
    notes). No connection is kept alive: a kept connection would be reused for another
    name that resolves to the same address, with the first name's TLS session."""

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        allow_private: bool = False,
        inner: httpx.BaseTransport | None = None,
    ):
        self.resolver = resolver
        self.allow_private = allow_private
        self.inner = inner or httpx.HTTPTransport(
            limits=httpx.Limits(max_keepalive_connections=0), retries=0
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise AddressRefused(_("地址须以 http:// 或 https:// 开头"))
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        address = checked_address(
            host, port, resolver=self.resolver, allow_private=self.allow_private
        )
        extensions = dict(request.extensions)
        if url.scheme == "https" and ip_literal(host) is None:
            extensions["sni_hostname"] = host
        pinned = httpx.Request(
            request.method,
            url.copy_with(host=str(address)),
            headers=request.headers,  # keeps Host: the name, not the address
            stream=request.stream,
            extensions=extensions,
        )
        return self.inner.handle_request(pinned)

    def close(self) -> None:
        self.inner.close()
