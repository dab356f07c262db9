"""Local development: `make run`."""

import os

from .base import *  # noqa: F403
from .base import DATA_DIR, env_bool

# The demo's school admin and auditor logins work with their password alone; enrolled users
# are still asked for their code. BEIAN_ENFORCE_2FA=1 shows the requirement (docs/security.md).
BEIAN_ENFORCE_2FA = env_bool("BEIAN_ENFORCE_2FA", False)

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
if not SECRET_KEY:  # noqa: F405
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()
