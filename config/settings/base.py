"""Settings shared by every environment. Behaviour is switched by environment variables
(12-factor); secrets only ever come from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("BEIAN_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "huey.contrib.djhuey",
    "rest_framework",
    "drf_spectacular",
    "django_cas_ng",
    "beian.core",
    "beian.users",
    "beian.notify",
    "beian.orgs",
    "beian.registry",
    "beian.identity",
    "beian.filings",
    "beian.inspections",
    "beian.compliance",
    "beian.transfer",
    "beian.campaigns",
    "beian.api",
    "beian.dashboard",
    "beian.publication",
    "beian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "beian.core.request_limits.RequestSizeLimitMiddleware",  # before anything reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "beian.core.middleware.SessionLifetimeMiddleware",
    "beian.core.accessaudit.AccessAuditMiddleware",  # refusals, downloads, record views
    "django_otp.middleware.OTPMiddleware",
    "beian.users.middleware.AccountSecurityMiddleware",  # 2FA and forced password change
    "beian.notify.alerts.DeniedBurstMiddleware",  # alerts on bursts of 403/404
    "django.contrib.messages.middleware.MessageMiddleware",
    "beian.identity.middleware.IdentityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "beian.core.context_processors.site",
            ],
        },
    },
]

# --- Database: DATABASE_URL, default a SQLite file under data/ -------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'beian.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue: huey on SQLite by default, Redis when HUEY_REDIS_URL is set -----------
HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL", "")
if HUEY_REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "beian",
        "url": HUEY_REDIS_URL,
        "immediate": env_bool("HUEY_IMMEDIATE", False),
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "beian",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
    }

# --- Auth and security (等保 level 2) ----------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "beian.users.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "beian.users.validators.CharacterClassValidator"},
    {"NAME": "beian.users.validators.NotUsernameValidator"},
]
# The school's sign-on (CAS / OpenID Connect / LDAP) from BEIAN_CAS_* / BEIAN_OIDC_* /
# BEIAN_LDAP_* (docs/identity.md); its backends come after the local ones.
from beian.identity.sso_settings import sso_settings  # noqa: E402

globals().update(sso_settings(os.environ))
AUTHENTICATION_BACKENDS += BEIAN_SSO_BACKENDS  # noqa: F821

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours: 30 minutes
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # exactly 30 minutes after the 5th failure
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Second factor (django-otp): TOTP with one-time recovery codes, docs/security.md. The roles
# that must use it are the policy's ([auth] require_2fa_roles); BEIAN_ENFORCE_2FA=0 stops
# requiring it (development and the demo, see dev.py; the test suite) — enrolled users are
# still asked for their code.
BEIAN_ENFORCE_2FA = env_bool("BEIAN_ENFORCE_2FA", True)
OTP_TOTP_ISSUER = "新媒体备案"
# Alerts to the school admins (beian/notify/alerts.py): this many 403/404 answers to one
# address or user within the window is a burst; one alert per address or user per quiet time.
BEIAN_DENIED_BURST = int(os.environ.get("BEIAN_DENIED_BURST", "20"))
BEIAN_DENIED_WINDOW_SECONDS = 5 * 60
BEIAN_ALERT_QUIET_SECONDS = 30 * 60

SESSION_COOKIE_AGE = 30 * 60  # idle timeout: every request renews it
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_MAX_SECONDS = int(os.environ.get("BEIAN_SESSION_MAX_HOURS", "12")) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "beian.core.errors.csrf_failure"  # Chinese page in the site layout
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Audit trail (docs/operations.md) ----------------------------------------------------
# Reverse proxies whose X-Forwarded-For is believed (CIDRs, comma-separated); empty: none, the
# audit IP is the connection's peer. The chain key is a secret kept outside the database.
BEIAN_TRUSTED_PROXIES = env_list("BEIAN_TRUSTED_PROXIES")
BEIAN_AUDIT_KEY = os.environ.get("BEIAN_AUDIT_KEY", "")
# The witness file: the nightly check appends the verified chain head to it, so rows cut
# from the end of the log are found. Put it on another host or append-only storage (docs/
# operations.md); empty: no witness (check --deploy warns, beian.W102).
BEIAN_AUDIT_WITNESS = os.environ.get("BEIAN_AUDIT_WITNESS", "")

# --- Upload limits ------------------------------------------------------------------------
BEIAN_UPLOAD_MAX_BYTES = int(os.environ.get("BEIAN_UPLOAD_MAX_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A whole request body (checked from Content-Length before it is read, beian/core/request_limits.py):
# one upload plus room for the form; BEIAN_REQUEST_LIMITS overrides it per route name.
BEIAN_REQUEST_MAX_BYTES = BEIAN_UPLOAD_MAX_BYTES + 1024 * 1024
BEIAN_REQUEST_LIMITS: dict[str, int] = {}
# Kept files are served by permission-checked views; "nginx" (X-Accel-Redirect) or "apache"
# (X-Sendfile) lets the web server send the bytes (docs/operations.md, Serving uploaded files).
BEIAN_SENDFILE = os.environ.get("BEIAN_SENDFILE", "none")
BEIAN_SENDFILE_NGINX_PREFIX = os.environ.get("BEIAN_SENDFILE_NGINX_PREFIX", "/protected-media/")

# --- Feeds: polled on the public internet only (see beian/compliance/activity.py) --------
BEIAN_FEEDS_ALLOW_PRIVATE = env_bool("BEIAN_FEEDS_ALLOW_PRIVATE", False)

# --- Printed forms: layout of the 备案表 (hnwu = 湖南女子学院 附件1, pdsu = 平顶山学院 附件1) --
BEIAN_FILING_FORM_LAYOUT = os.environ.get("BEIAN_FILING_FORM_LAYOUT", "hnwu")

# --- Policy file ---------------------------------------------------------------------------
BEIAN_POLICY_FILE = os.environ.get("BEIAN_POLICY_FILE", "")

# --- E-mail: SMTP from the environment, console in development ---------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "beian@localhost")

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_PAGE_RANGE = 7

REST_FRAMEWORK = {
    # The browser session, and the API tokens (`Authorization: Bearer bn_…`) on every API
    # view, the apps' own included (e.g. /api/v1/validity/); requests by token are limited
    # per token (BEIAN_API_TOKEN_RATE, writes BEIAN_API_WRITE_RATE).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "beian.api.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "beian.api.authentication.TokenRateThrottle",
        "beian.api.authentication.TokenWriteRateThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {"TITLE": "Beian API", "VERSION": "1"}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Public pages (/directory/, /api/v1/validity/): per-IP limits, page cache -------------
BEIAN_PUBLIC_RATE = os.environ.get("BEIAN_PUBLIC_RATE", "60/m")
BEIAN_VALIDITY_RATE = os.environ.get("BEIAN_VALIDITY_RATE", "120/m")
BEIAN_PUBLIC_CACHE_SECONDS = int(os.environ.get("BEIAN_PUBLIC_CACHE_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BEIAN_LOG_LEVEL", "WARNING")},
}

# Lockout is per username only: a campus sits behind a few NAT addresses, and locking an
# address would lock out a whole college after five typos by strangers.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
