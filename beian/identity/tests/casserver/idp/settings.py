"""Settings of the test identity provider (not part of Beian)."""

import os
import re

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "idp-test-only"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mama_cas",
    "oauth2_provider",
    "idp",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "idp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("IDP_DB", os.path.join(BASE_DIR, "idp.sqlite3")),
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
AUTHENTICATION_BACKENDS = ["idp.backends.PeopleBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Beian runs on the same host (another port): cookies must not share names with it.
SESSION_COOKIE_NAME = "idp_session"
CSRF_COOKIE_NAME = "idp_csrftoken"
LOGIN_URL = "/accounts/login/"

BEIAN_URL = os.environ.get("IDP_BEIAN_URL", "http://127.0.0.1")
MAMA_CAS_LOGIN_TEMPLATE = "idp/cas_login.html"
MAMA_CAS_FOLLOW_LOGOUT_URL = True
MAMA_CAS_SERVICES = [
    {
        "SERVICE": "^" + re.escape(BEIAN_URL) + "/",
        "CALLBACKS": ["idp.people.cas_attributes"],
        "LOGOUT_ALLOW": True,
    }
]
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ.get("IDP_RSA_KEY", ""),
    "OAUTH2_VALIDATOR_CLASS": "idp.people.ClaimsValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail"},
    "PKCE_REQUIRED": True,
}
OIDC_CLIENT_ID = "beian"
OIDC_CLIENT_SECRET = "beian-oidc-test-secret"  # noqa: S105
