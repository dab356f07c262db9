"""Re-checks of the records a write changed: the listener of `beian.core.hooks` (wired in
`apps.py`) hands the records here inside the write's transaction; they are re-checked once
the transaction has committed, never for a rollback.

Up to `INLINE_RECHECK_MAX` records are re-checked right after the commit, in the request
(`engine.scan_records`); more (a bulk import of 100,000 groups) go to the task queue
(`tasks.recheck_records_task`), so that the import answers without waiting. This module
sits above both the engine and the task module, which imports the engine: neither of them
imports it back.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from . import tasks
from .engine import scan_quietly

#: Up to this many changed records are re-checked right after the commit, in the request;
#: more (bulk imports) on the task queue.
INLINE_RECHECK_MAX = 5_000


def records_changed(
    *, accounts: Iterable[int] = (), groups: Iterable[int] = (), people: Iterable[int] = ()
) -> None:
    """Call it inside the write's transaction: the records are re-checked once the
    transaction has committed (never for a rollback)."""
    accounts, groups, people = list(accounts), list(groups), list(people)
    if len(accounts) + len(groups) > INLINE_RECHECK_MAX:
        transaction.on_commit(
            lambda: _queue_recheck(accounts=accounts, groups=groups, people=people), robust=True
        )
        return
    transaction.on_commit(
        lambda: scan_quietly(accounts=accounts, groups=groups, people=people), robust=True
    )


def _queue_recheck(**kwargs) -> None:
    # looked up at call time, so that a test can stand in for the task
    tasks.recheck_records_task(**kwargs)
