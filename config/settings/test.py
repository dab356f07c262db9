"""Test settings: fast hashing, tasks run inline, mail kept in memory."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}  # noqa: F405
ALLOWED_HOSTS = ["*"]
BEIAN_FEEDS_ALLOW_PRIVATE = True  # the tests serve their feeds on 127.0.0.1
BEIAN_NOTIFY_ALLOW_PRIVATE = True  # the tests run their robot webhooks on 127.0.0.1
BEIAN_ENFORCE_2FA = False  # tests that need the 2FA requirement turn it on themselves
BEIAN_PUBLIC_RATE = "100000/m"  # the rate-limit tests set their own low limit
BEIAN_VALIDITY_RATE = "100000/m"
BEIAN_PUBLIC_CACHE_SECONDS = 0  # tests that cache set it themselves
