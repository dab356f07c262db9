"""Prints the status codes every role gets on every probe of the permission matrix, in the
form of `EXPECTED` in beian/tests/test_permission_matrix.py. Use it when adding a route: read
the new rows (a 200 where 404 belongs is a leak), then copy them into EXPECTED.

    .venv/bin/python scripts/observe_matrix.py
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/matrix.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from beian.tests.matrix import PROBES, ROLES, World, run_probe  # noqa: E402

call_command("migrate", verbosity=0)
with transaction.atomic():
    world = World()
    print("# roles:", ", ".join(ROLES))
    print("EXPECTED = {")
    for probe in PROBES:
        codes = tuple(run_probe(world, probe, role) for role in ROLES)
        print(f"    {probe.key!r}: {codes},")
    print("}")
    transaction.set_rollback(True)
