"""Settings of the school's sign-on (统一身份认证), read from the environment by
config/settings/base.py. Imports nothing of Django's models: it runs while settings load.

One function per protocol turns BEIAN_* variables into the settings of the library that
speaks it (django-cas-ng, mozilla-django-oidc, django-auth-ldap) and names the backend to
add. docs/identity.md lists every variable with a 金智 and an Apereo example."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

CAS_BACKEND = "beian.identity.backends.CASBackend"
OIDC_BACKEND = "beian.identity.backends.OIDCBackend"
LDAP_BACKEND = "beian.identity.backends.LDAPBackend"

#: The two CAS server families Chinese universities run, by the path their URLs start with
#: and the protocol version their serviceValidate speaks.
CAS_FAMILIES = {
    # 金智教育 (Wisedu) 统一身份认证: /authserver/login, /authserver/serviceValidate (CAS 2).
    "jinzhi": {"path": "/authserver/", "version": "2"},
    # Apereo CAS: /cas/login, /cas/p3/serviceValidate (CAS 3 attributes).
    "apereo": {"path": "/cas/", "version": "3"},
}


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def cas_family(server_url: str, family: str = "") -> str:
    """The family named, else guessed from the URL's path (…/authserver → 金智)."""
    if family:
        if family not in CAS_FAMILIES:
            raise ValueError(f"BEIAN_CAS_FAMILY={family!r}: use jinzhi or apereo")
        return family
    path = urlsplit(server_url).path.rstrip("/")
    return "jinzhi" if path.endswith("/authserver") else "apereo"


def cas_server_url(server_url: str, family: str) -> str:
    """The base django-cas-ng joins "login", "serviceValidate" or "p3/serviceValidate" to:
    it must end with a slash (urljoin drops a last segment without one), and a bare host
    gets the family's path (https://authserver.x.edu.cn → …/authserver/)."""
    parts = urlsplit(server_url.strip())
    path = parts.path
    if path in ("", "/"):
        path = CAS_FAMILIES[family]["path"]
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def cas_settings(env: Mapping[str, str]) -> dict:
    url = env.get("BEIAN_CAS_SERVER_URL", "").strip()
    if not url:
        return {}
    family = cas_family(url, env.get("BEIAN_CAS_FAMILY", "").strip())
    version = env.get("BEIAN_CAS_VERSION", "").strip() or CAS_FAMILIES[family]["version"]
    if version not in {"1", "2", "3", "CAS_2_SAML_1_0"}:
        raise ValueError(f"BEIAN_CAS_VERSION={version!r}: use 2, 3 or CAS_2_SAML_1_0")
    values = {
        "CAS_SERVER_URL": cas_server_url(url, family),
        "CAS_VERSION": version,
        "BEIAN_CAS_FAMILY": family,
        "CAS_USERNAME_ATTRIBUTE": env.get("BEIAN_CAS_USERNAME_ATTRIBUTE", "cas:user"),
        "CAS_VERIFY_SSL_CERTIFICATE": _flag(env, "BEIAN_CAS_VERIFY_SSL", True),
        "CAS_LOGOUT_COMPLETELY": True,
        "CAS_LOGIN_MSG": None,
        "CAS_LOGGED_MSG": None,
        "CAS_REDIRECT_URL": "/",
        "CAS_LOGOUT_NEXT_PAGE": "/login/",
        "CAS_CHECK_NEXT": True,
        "CAS_RETRY_LOGIN": False,
    }
    root = env.get("BEIAN_CAS_ROOT_URL", "").strip()
    if root:
        values["CAS_ROOT_PROXIED_AS"] = root.rstrip("/")
    return values


def oidc_settings(env: Mapping[str, str]) -> dict:
    client_id = env.get("BEIAN_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        return {}
    return {
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": env.get("BEIAN_OIDC_CLIENT_SECRET", ""),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env.get("BEIAN_OIDC_AUTHORIZATION_ENDPOINT", ""),
        "OIDC_OP_TOKEN_ENDPOINT": env.get("BEIAN_OIDC_TOKEN_ENDPOINT", ""),
        "OIDC_OP_USER_ENDPOINT": env.get("BEIAN_OIDC_USERINFO_ENDPOINT", ""),
        "OIDC_OP_JWKS_ENDPOINT": env.get("BEIAN_OIDC_JWKS_ENDPOINT", "") or None,
        "OIDC_OP_LOGOUT_ENDPOINT": env.get("BEIAN_OIDC_LOGOUT_ENDPOINT", ""),
        "OIDC_RP_SIGN_ALGO": env.get("BEIAN_OIDC_SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": env.get("BEIAN_OIDC_SCOPES", "openid profile email"),
        "OIDC_VERIFY_SSL": _flag(env, "BEIAN_OIDC_VERIFY_SSL", True),
        "OIDC_USE_PKCE": _flag(env, "BEIAN_OIDC_USE_PKCE", True),
        "OIDC_TIMEOUT": 10,
        "BEIAN_OIDC_USERNAME_CLAIM": env.get("BEIAN_OIDC_USERNAME_CLAIM", "sub"),
        "LOGIN_REDIRECT_URL_FAILURE": "/login/",
    }


def ldap_settings(env: Mapping[str, str]) -> dict:
    uri = env.get("BEIAN_LDAP_SERVER_URI", "").strip()
    if not uri:
        return {}
    import ldap
    from django_auth_ldap.config import LDAPSearch

    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": env.get("BEIAN_LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": env.get("BEIAN_LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": _flag(env, "BEIAN_LDAP_START_TLS", False),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            env.get("BEIAN_LDAP_USER_SEARCH_BASE", ""),
            ldap.SCOPE_SUBTREE,
            env.get("BEIAN_LDAP_USER_FILTER", "(uid=%(user)s)"),
        ),
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: 5},
    }


def sso_settings(env: Mapping[str, str] | None = None) -> dict:
    """All sign-on settings from the environment: the libraries' settings, the backends to
    add after the local ones (BEIAN_SSO_BACKENDS) and which protocol the login page's button
    starts (BEIAN_SSO_PROTOCOL: cas or oidc; LDAP signs in through the password form)."""
    env = os.environ if env is None else env
    values: dict = {}
    backends: list[str] = []
    for read, backend in (
        (cas_settings, CAS_BACKEND),
        (oidc_settings, OIDC_BACKEND),
        (ldap_settings, LDAP_BACKEND),
    ):
        found = read(env)
        if found:
            values.update(found)
            backends.append(backend)
    protocol = env.get("BEIAN_SSO_PROTOCOL", "").strip()
    if not protocol:
        protocol = (
            "cas" if "CAS_SERVER_URL" in values else "oidc" if "OIDC_RP_CLIENT_ID" in values else ""
        )
    values["BEIAN_SSO_PROTOCOL"] = protocol
    values["BEIAN_SSO_LABEL"] = env.get("BEIAN_SSO_LABEL", "").strip()
    values["BEIAN_SSO_BACKENDS"] = backends
    return values
