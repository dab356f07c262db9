"""Periodic work of the reminder layer (huey; the worker runs `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .auditwatch import check_audit_chain
from .delivery import send_due as _send_due


@db_periodic_task(crontab(minute="*/3"))
def send_due():
    """Every three minutes: let the providers schedule their due points, then send what is
    due, one digest per unit per channel (see beian/notify/delivery.py)."""
    return _send_due()


@db_periodic_task(crontab(hour="3", minute="20"))
def verify_audit_chain():
    """Nightly: check the audit log's hash chain; alert the school admins when it is broken
    (beian/notify/auditwatch.py)."""
    return check_audit_chain().ok
