"""In-app inbox and e-mail. `notify()` is called inside a service's transaction and only
*schedules* delivery: the inbox rows are written and the mails sent after the transaction
commits (`transaction.on_commit`), so a rolled-back decision tells nobody anything."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【新媒体备案】"


def notify(recipients: Iterable, text: str, *, link: str = "", filing=None) -> None:
    """Tell each recipient once (in-app and by e-mail when they have an address), after
    the current transaction commits."""
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "is_active", True)}
    if not users:
        return
    filing_id = filing.pk if filing is not None else None
    people = list(users.values())
    transaction.on_commit(lambda: deliver(people, text, link=link, filing_id=filing_id))


def deliver(users: list, text: str, *, link: str = "", filing_id: int | None = None) -> None:
    """Write the inbox rows and send the mails (runs after commit)."""
    Notification.objects.bulk_create(
        [Notification(recipient=u, text=text[:500], link=link, filing_id=filing_id) for u in users]
    )
    base = getattr(settings, "BEIAN_SITE_URL", "").rstrip("/")
    body = text + (f"\n\n{base}{link}" if link else "")
    for user in users:
        if not user.email:
            continue
        try:
            send_mail(SUBJECT_PREFIX + text[:60], body, None, [user.email])
        except Exception:  # noqa: BLE001 - a mail server outage must not undo the decision
            logger.exception("could not mail %s", user.email)
