"""Authentication backends of the three protocols. Each lets its library check the
credentials (a CAS ticket, an OIDC code, an LDAP bind) and then hands the vouched-for
username and attributes to `services.sign_in`, which provisions and syncs through the
users and orgs services instead of the libraries' own user creation."""

from __future__ import annotations

import logging
from xml.etree import ElementTree

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend as _LDAPBackend
from django_cas_ng.backends import CASBackend as _CASBackend
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .services import REFUSAL_ATTRIBUTE, SignInRefused, sign_in

logger = logging.getLogger(__name__)


class CASBackend(_CASBackend):
    """金智 (/authserver/, CAS 2) or Apereo (/cas/, CAS 3) — see sso_settings."""

    def authenticate(self, request, ticket, service):
        client = get_cas_client(service_url=service, request=request)
        try:
            username, attributes, _pgtiou = client.verify_ticket(ticket)
        except (requests.RequestException, ElementTree.ParseError, ValueError) as exc:
            logger.warning("CAS ticket validation at %s failed: %r", client.server_url, exc)
            _refuse_unreadable(request, client.server_url, exc)
        attributes = dict(attributes or {})
        if settings.CAS_USERNAME_ATTRIBUTE != "cas:user":
            username = attributes.get(settings.CAS_USERNAME_ATTRIBUTE) or None
        if not username:
            return None
        user = sign_in(
            protocol="cas", username=str(username), attributes=attributes, request=request
        )
        return user if self.user_can_authenticate(user) else None


def _refuse_unreadable(request, server: str, exc: Exception):
    message = _(
        "统一身份认证服务器没有给出可识别的应答（%(server)s），暂时无法登录。"
        "请稍后再试，或使用本系统账号登录；如持续出现，请联系网络信息中心。"
    ) % {"server": server}
    if request is not None:
        setattr(request, REFUSAL_ATTRIBUTE, {"message": message, "flagged": False})
    raise SignInRefused(message) from exc


class OIDCBackend(OIDCAuthenticationBackend):
    """OpenID Connect: the ID token's claims merged with the userinfo endpoint's."""

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            logger.warning("OpenID Connect sign-in failed: %r", exc)
            _refuse_unreadable(request, settings.OIDC_OP_TOKEN_ENDPOINT, exc)

    def get_or_create_user(self, access_token, id_token, payload):
        claims = dict(payload or {})
        claims.update(self.get_userinfo(access_token, id_token, payload) or {})
        username = claims.get(settings.BEIAN_OIDC_USERNAME_CLAIM)
        if not username:
            return None
        return sign_in(
            protocol="oidc", username=str(username), attributes=claims, request=self.request
        )


class LDAPBackend(_LDAPBackend):
    """A bind with the password typed into Beian's own login form; the directory entry's
    attributes are synced. django-auth-ldap's user creation is bypassed: the user it gets
    back is already saved (built=False) and AUTH_LDAP_ALWAYS_UPDATE_USER is off."""

    def get_or_build_user(self, username, ldap_user):
        user = sign_in(
            protocol="ldap",
            username=username,
            attributes=dict(ldap_user.attrs),
            request=getattr(ldap_user, "_request", None),
        )
        if user is None:
            raise ldap_user.AuthenticationFailed("identity not usable")
        return user, False
