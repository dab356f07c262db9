"""Periodic work of the approval workflow (huey; the worker runs `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="8", minute="30"))
def remind_filings():
    """Every morning: remind approvers of steps that have waited, and applicants of
    change reports whose deadline is near (see `services.reminders_send`)."""
    return services.reminders_send()
