"""Token authentication for scripts and campus systems, beside the browser session.

`Authorization: Bearer bn_…` (or `Token bn_…`): the request runs as the token's owner,
with exactly the owner's roles and units. An unknown, revoked or expired token answers
401 with a Chinese message; a request without the header falls through to the session.
Token requests need no CSRF token (no cookie is involved) and never touch the session,
so the session middlewares (idle timeout, password change, second factor) do not apply.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from . import services

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`; `Token <token>` is accepted too."""

    keyword = "Bearer"

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in KEYWORDS:
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(
                _("Authorization 头格式应为“Bearer 令牌”"), code="authentication_failed"
            )
        try:
            secret = auth[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("令牌无效"), code="authentication_failed"
            ) from None
        token = services.token_authenticate(secret, request=request._request)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("令牌无效、已撤销或已过期"), code="authentication_failed"
            )
        return token.user, token


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (`BEIAN_API_TOKEN_RATE`, default 600 a minute); writes have a
    lower limit of their own (`BEIAN_API_WRITE_RATE`, default 60 a minute). Session
    requests are not limited here (the pages' own limits apply)."""

    scope = "api_token"

    def get_rate(self):
        from django.conf import settings

        return getattr(settings, "BEIAN_API_TOKEN_RATE", "600/m")

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "key_hash"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class TokenWriteRateThrottle(TokenRateThrottle):
    scope = "api_token_write"

    def get_rate(self):
        from django.conf import settings

        return getattr(settings, "BEIAN_API_WRITE_RATE", "60/m")

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
