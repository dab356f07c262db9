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
    transaction has committed (never for a rollback). All the calls of one transaction are
    gathered into one re-check (a demo load or a filing that writes through several
    services re-checks each record once, not once per service call)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _recheck(_Pending(accounts, groups, people))
        return
    pending = getattr(connection, "_beian_recheck", None)
    # Django replaces its list of commit hooks at each commit and each (savepoint) rollback:
    # a pending batch is this transaction's only while that list is the one it was made for
    if pending is None or pending.hooks is not connection.run_on_commit:
        pending = _Pending()
        pending.hooks = connection.run_on_commit
        connection._beian_recheck = pending
    pending.add(accounts, groups, people)
    # each call registers the flush (so a savepoint's rollback or a test capturing the
    # callbacks of a block sees it), the first flush to run re-checks the whole batch and
    # the later ones find it empty
    transaction.on_commit(pending.flush, robust=True)


class _Pending:
    def __init__(self, accounts=(), groups=(), people=()):
        self.hooks: list | None = None
        self.accounts: set[int] = set()
        self.groups: set[int] = set()
        self.people: set[int] = set()
        self.add(accounts, groups, people)

    def add(self, account_ids, group_ids, person_ids) -> None:
        self.accounts |= set(account_ids)
        self.groups |= set(group_ids)
        self.people |= set(person_ids)

    def flush(self) -> None:
        batch = _Pending(self.accounts, self.groups, self.people)
        self.accounts, self.groups, self.people = set(), set(), set()
        _recheck(batch)


def _recheck(pending: _Pending) -> None:
    accounts, groups, people = (
        sorted(pending.accounts),
        sorted(pending.groups),
        sorted(pending.people),
    )
    if not (accounts or groups or people):
        return
    if len(accounts) + len(groups) > INLINE_RECHECK_MAX:
        _queue_recheck(accounts=accounts, groups=groups, people=people)
    else:
        scan_quietly(accounts=accounts, groups=groups, people=people)


def _queue_recheck(**kwargs) -> None:
    # looked up at call time, so that a test can stand in for the task
    tasks.recheck_records_task(**kwargs)
