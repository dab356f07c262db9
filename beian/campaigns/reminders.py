"""Campaign reminders: campaign opened, 7 days and 1 day before the deadline, overdue,
returned. Delivered through `beian.notify` when that app is installed; without it the
announcements are dropped (the board still shows who is late)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def announce(event: str, **ids: int) -> None:
    """Called after the commit of the service that caused `event`."""
    logger.debug("campaign event %s %s", event, ids)
