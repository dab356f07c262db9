"""In-app inbox and e-mail for the approval workflow: a thin adapter over the notify app
(`beian.notify.services.notification_send`). `notify()` is called inside a service's
transaction and only *schedules* delivery: the inbox rows are written and the mails sent
after the transaction commits, so a rolled-back decision tells nobody anything."""

from __future__ import annotations

from collections.abc import Iterable

from beian.notify.channels import SUBJECT_PREFIX  # noqa: F401 - kept for old importers
from beian.notify.services import notification_send


def notify(recipients: Iterable, text: str, *, link: str = "", filing=None) -> None:
    """Tell each recipient once (in-app and by e-mail when they have an address), after
    the current transaction commits. The notification names the filing as its subject."""
    notification_send(
        recipients=recipients,
        text=text,
        link=link,
        subject=f"filing:{filing.pk}" if filing is not None and filing.pk else "",
        unit=getattr(filing, "owner_unit_id", None) if filing is not None else None,
        kind="filing",
    )
