"""Shared set-up for benchmarks: a fresh SQLite database in a temporary folder."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_on_fresh_sqlite(name: str) -> Path:
    """Points Django at a new SQLite file, migrates it, and returns its path."""
    sys.path.insert(0, str(ROOT))
    folder = Path(tempfile.mkdtemp(prefix=f"beian-bench-{name}-"))
    path = folder / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["BEIAN_DATA_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return path


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
