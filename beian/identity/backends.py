"""Authentication backends of the three protocols. Each lets its library check the
credentials (a CAS ticket, an OIDC code, an LDAP bind) and then hands the vouched-for
username and attributes to `services.sign_in`, which provisions and syncs through the
users and orgs services instead of the libraries' own user creation."""

from __future__ import annotations

from django.conf import settings
from django_auth_ldap.backend import LDAPBackend as _LDAPBackend
from django_cas_ng.backends import CASBackend as _CASBackend
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .services import sign_in


class CASBackend(_CASBackend):
    """金智 (/authserver/, CAS 2) or Apereo (/cas/, CAS 3) — see sso_settings."""

    def authenticate(self, request, ticket, service):
        client = get_cas_client(service_url=service, request=request)
        username, attributes, _pgtiou = client.verify_ticket(ticket)
        attributes = dict(attributes or {})
        if settings.CAS_USERNAME_ATTRIBUTE != "cas:user":
            username = attributes.get(settings.CAS_USERNAME_ATTRIBUTE) or None
        if not username:
            return None
        user = sign_in(
            protocol="cas", username=str(username), attributes=attributes, request=request
        )
        return user if self.user_can_authenticate(user) else None


class OIDCBackend(OIDCAuthenticationBackend):
    """OpenID Connect: the ID token's claims merged with the userinfo endpoint's."""

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
