"""The nightly roster pick-up: HR and student-affairs exports dropped into
`BEIAN_ROSTER_DROP_DIR` are imported at 01:30 as the service account named by
`BEIAN_ROSTER_DROP_USER`, with the import page's preview rules; a report goes to
`BEIAN_ROSTER_REPORT_TO` (comma-separated addresses). Nothing happens while the folder
is not configured."""

from __future__ import annotations

import os

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


def roster_drop_settings() -> tuple[str, str, list[str]]:
    folder = getattr(settings, "BEIAN_ROSTER_DROP_DIR", os.environ.get("BEIAN_ROSTER_DROP_DIR", ""))
    user = getattr(settings, "BEIAN_ROSTER_DROP_USER", os.environ.get("BEIAN_ROSTER_DROP_USER", ""))
    to = getattr(settings, "BEIAN_ROSTER_REPORT_TO", os.environ.get("BEIAN_ROSTER_REPORT_TO", ""))
    if isinstance(to, str):
        to = [a.strip() for a in to.split(",") if a.strip()]
    return folder, user, list(to)


def run_roster_drop() -> list[dict]:
    from beian.users.models import User

    from . import services

    folder, username, report_to = roster_drop_settings()
    if not folder or not username or not os.path.isdir(folder):
        return []
    actor = User.objects.filter(username=username, is_active=True).first()
    if actor is None:
        return []
    return services.roster_drop_process(folder=folder, actor=actor, report_to=report_to)


@db_periodic_task(crontab(hour="1", minute="30"))
@lock_task("roster-drop")
def roster_drop():
    run_roster_drop()
