"""The machinery of public pages: per-IP rate limits and a page cache, both in Django's cache.

Every public page is the same for everyone (no login, no personal data, no CSRF token in
the page), so a rendered page is cached by its full path for
`BEIAN_PUBLIC_CACHE_SECONDS` and sent with `Cache-Control: public`. Each client address
(`beian.core.audit.client_ip`: the connection's peer, or the right-most untrusted
X-Forwarded-For hop behind the school's proxy) may make `BEIAN_PUBLIC_RATE` requests
("60/m") to these pages; over that it gets 429 with a Chinese page and `Retry-After`.
The counters live in the configured cache: one per process with the default local-memory
cache, shared between workers with Redis or Memcached (docs/publication.md).
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

from beian.core.audit import client_ip

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/m" → (60, 60): requests and the window in seconds."""
    count, _slash, period = (rate or "60/m").partition("/")
    return int(count), _PERIODS[(period or "m")[0]]


def over_limit(request, scope: str, rate: str | None = None) -> int:
    """Count this request against the client's window; the seconds to wait when over the
    limit, else 0."""
    limit, window = parse_rate(rate or settings.BEIAN_PUBLIC_RATE)
    now = int(time.time())
    slot = now // window
    key = f"pub-rate:{scope}:{client_ip(request) or '-'}:{slot}"
    if cache.add(key, 1, window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window + 1)
            count = 1
    if count > limit:
        return window - now % window or 1
    return 0


def too_many(request, wait: int) -> HttpResponse:
    body = render_to_string("publication/429.html", {"wait": wait}, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait)
    return response


def public_page(scope: str = "page", *, cache_seconds: bool = True):
    """Decorate a public GET view: rate limit per client address, then serve the cached page
    if there is one, else render it and keep it (200 answers only)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            wait = over_limit(request, scope)
            if wait:
                return too_many(request, wait)
            seconds = settings.BEIAN_PUBLIC_CACHE_SECONDS if cache_seconds else 0
            key = None
            if seconds and request.method == "GET":
                path = request.get_full_path().encode()
                key = f"pub-page:{hashlib.sha256(path).hexdigest()}"
                hit = cache.get(key)
                if hit is not None:
                    content, content_type = hit
                    return _with_headers(HttpResponse(content, content_type=content_type), seconds)
            response = view(request, *args, **kwargs)
            if key and response.status_code == 200 and not getattr(response, "streaming", False):
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            if request.method == "GET" and response.status_code == 200:
                _with_headers(response, seconds)
            return response

        return wrapped

    return decorate


def _with_headers(response, seconds: int):
    response["Cache-Control"] = f"public, max-age={seconds}" if seconds else "no-cache"
    return response
