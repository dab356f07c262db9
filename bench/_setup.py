"""Shared set-up for benchmarks: a fresh SQLite database in a temporary folder, or the
PostgreSQL database DATABASE_URL names (`bash scripts/with-postgres.sh .venv/bin/python
bench/<name>.py`)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_on_fresh_sqlite(name: str) -> Path:
    """Points Django at a new SQLite file, migrates it, and returns its path.

    The migrations run in a child process (`manage.py migrate`), as they do in a
    deployment: a web or task process never runs them, so the memory they take (~30 MB of
    migration state) is not counted in the peak memory of the process measured."""
    folder = Path(tempfile.mkdtemp(prefix=f"beian-bench-{name}-"))
    path = folder / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["BEIAN_DATA_DIR"] = str(folder)
    _migrate_and_set_up()
    return path


def _migrate_and_set_up() -> None:
    """Migrate the database DATABASE_URL names in a child process, then set Django up here."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0", "--skip-checks"],
        cwd=ROOT,
        env=os.environ.copy(),
        check=True,
    )
    import django

    django.setup()


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def django_on_database(name: str) -> str:
    """PostgreSQL when DATABASE_URL names it (migrated in a child process, as in a
    deployment), else a fresh SQLite file; returns the database's vendor and version."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _migrate_and_set_up()
    else:
        django_on_fresh_sqlite(name)
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        return f"{connection.vendor} {cursor.fetchone()[0]}"
