"""The rule engine: evaluates the rules over the registry and reconciles their breaches with
the stored findings.

- a new breach creates an open finding;
- a breach that is still there refreshes the finding's `last_seen`, message and owner unit;
- a finding whose breach has gone is resolved (`resolved_at`);
- a resolved finding whose record breaks the rule again is reopened: the same row, open
  again, `first_seen` restarting at this episode and `times_opened` counting episodes;
- a waived finding stays waived while the breach's fingerprint (the hash of the data the
  rule reads) is unchanged, and reopens when the record changed.

Work is done per rule and per chunk of records (a primary-key range of `CHUNK_SIZE` in a
full scan), with a fixed number of queries per chunk: memory stays bounded and the number
of queries does not grow with the number of records in a chunk.

Entry points: `scan_all()` (nightly, `manage.py scan`, the "scan now" button) and
`scan_records(accounts=…, groups=…, people=…)` (after records were saved, through
`recheck.records_changed`, the listener of the registry's write hook).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from beian.core.policy import get_policy
from beian.registry.models import AccountMember, ChatGroup, GroupMember, MediaAccount

from .choices import CURRENT_STATES, FindingState, TargetKind
from .models import Finding, ScanRun
from .rules import RULES, Breach, Chunk, Rule, ScanContext

logger = logging.getLogger(__name__)

#: Records per chunk of a full scan (a primary-key range of this width).
CHUNK_SIZE = 20_000
#: Records per chunk of a scan of given records (an `IN (...)` list of ids).
ID_CHUNK_SIZE = 5_000
#: Ids per `IN (...)` list.
BATCH_SIZE = 500


@dataclass
class ScanStats:
    records: int = 0
    created: int = 0
    reopened: int = 0
    resolved: int = 0

    def add(self, other: ScanStats) -> None:
        self.created += other.created
        self.reopened += other.reopened
        self.resolved += other.resolved


def fingerprint(evidence: str) -> str:
    return hashlib.blake2b(evidence.encode(), digest_size=16).hexdigest()


def _batches(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Scans --------------------------------------------------------------------------------------


def scan_all(*, actor=None, rules: Iterable[str] | None = None, now=None) -> ScanRun:
    """Full scan of the registry: every enabled rule over every record. Findings of rules
    that are disabled by the policy (or no longer exist) are resolved. Recorded as a
    ScanRun."""
    now = now or timezone.now()
    run = ScanRun.objects.create(started_at=now, triggered_by=actor)
    try:
        stats = _scan(rules=rules, accounts=None, groups=None, now=now)
    except Exception as exc:
        ScanRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), error=repr(exc))
        raise
    run.finished_at = timezone.now()
    run.records = stats.records
    run.created, run.reopened, run.resolved = stats.created, stats.reopened, stats.resolved
    run.save(update_fields=["finished_at", "records", "created", "reopened", "resolved"])
    return run


def scan_records(
    *,
    accounts: Iterable[int] = (),
    groups: Iterable[int] = (),
    people: Iterable[int] = (),
    rules: Iterable[str] | None = None,
    now=None,
) -> ScanStats:
    """Re-evaluate the rules for some records only: the given accounts and groups, and the
    accounts and groups whose team includes (or which were created by) the given people."""
    accounts, groups = set(accounts), set(groups)
    people = sorted(set(people))
    if people:
        accounts |= set(
            AccountMember.objects.filter(person_id__in=people).values_list("record_id", flat=True)
        )
        groups |= set(
            GroupMember.objects.filter(person_id__in=people).values_list("record_id", flat=True)
        )
        groups |= set(ChatGroup.objects.filter(creator_id__in=people).values_list("pk", flat=True))
    if not accounts and not groups:
        return ScanStats()
    return _scan(rules=rules, accounts=sorted(accounts), groups=sorted(groups), now=now)


def scan_quietly(**kwargs) -> None:
    """A failed re-check must not fail the user's save: it is logged, and the nightly scan
    catches up."""
    try:
        scan_records(**kwargs)
    except Exception:
        logger.exception("compliance re-check of saved records failed")


def _scan(*, rules, accounts, groups, now) -> ScanStats:
    now = now or timezone.now()
    policy = get_policy()
    ctx = ScanContext(policy=policy, today=timezone.localdate(now))
    wanted = set(rules) if rules is not None else None
    stats = ScanStats()
    full = accounts is None and groups is None
    for target, model, ids in (
        (TargetKind.ACCOUNT, MediaAccount, accounts),
        (TargetKind.GROUP, ChatGroup, groups),
    ):
        if not full and not ids:
            continue
        selected = [
            r for r in RULES.values() if r.target == target and (wanted is None or r.code in wanted)
        ]
        enabled = [r for r in selected if r.enabled(policy)]
        if full:
            chunks = list(_ranges(model))
            stats.records += model.objects.count()
        else:
            chunks = [Chunk(ids=tuple(batch)) for batch in _batches(ids, ID_CHUNK_SIZE)]
            stats.records += len(ids)
        # Findings of rules switched off by the policy (or removed from the code) resolve.
        inactive = (
            Finding.objects.current()
            .filter(**{f"{target}__isnull": False})
            .exclude(rule__in=[r.code for r in enabled])
        )
        if wanted is not None:
            inactive = inactive.filter(rule__in=sorted(wanted))
        if full:
            stats.resolved += inactive.update(state=FindingState.RESOLVED, resolved_at=now)
        for chunk in chunks:
            for rule in enabled:
                scope = chunk if chunk.ids is None else Chunk(ids=tuple(rule.expand(chunk.ids)))
                stats.add(_run_rule(rule, ctx, scope, now))
            ctx.forget_chunk()
            if not full:
                stats.resolved += inactive.filter(chunk.q(f"{target}_id")).update(
                    state=FindingState.RESOLVED, resolved_at=now
                )
    return stats


def _ranges(model) -> Iterator[Chunk]:
    bounds = model.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return
    for lo in range(bounds["lo"], bounds["hi"] + 1, CHUNK_SIZE):
        yield Chunk(lo=lo, hi=lo + CHUNK_SIZE)


# --- Reconciliation -----------------------------------------------------------------------------


def _run_rule(rule: Rule, ctx: ScanContext, chunk: Chunk, now) -> ScanStats:
    breaches = rule.evaluate(ctx, chunk)
    try:
        with transaction.atomic():
            return _reconcile(rule, chunk, breaches, now)
    except IntegrityError:
        # A concurrent scan created some of the same findings first: read them and retry.
        with transaction.atomic():
            return _reconcile(rule, chunk, breaches, now)


def _reconcile(rule: Rule, chunk: Chunk, breaches: dict[int, Breach], now) -> ScanStats:
    stats = ScanStats()
    target_field = f"{rule.target}_id"
    in_chunk = Finding.objects.filter(chunk.q(target_field), rule=rule.code)
    existing: dict[int, tuple] = {}
    rows = in_chunk.order_by("pk").values_list(
        "pk",
        target_field,
        "state",
        "fingerprint",
        "message",
        "owner_unit_id",
        "severity",
    )
    for row in rows:
        # One row per record: the current one if any, else the latest resolved one.
        if row[1] not in existing or row[2] in CURRENT_STATES:
            existing[row[1]] = row

    db_now = _db_datetime(now)
    to_create, changed, reopened, lapsed = [], [], [], []
    for record_id, breach in breaches.items():
        fp = fingerprint(breach.evidence)
        message = breach.message[:500]
        row = existing.pop(record_id, None)
        if row is None:
            to_create.append(
                (rule.code, rule.severity, record_id, breach.unit_id, message, fp, db_now, db_now)
            )
            continue
        pk, _target, state, old_fp, old_message, unit_id, severity = row
        values = (message, fp, breach.unit_id, rule.severity)
        if state == FindingState.RESOLVED:  # broken again: a new episode
            reopened.append((*values, db_now, db_now, pk))
        elif state == FindingState.WAIVED and fp != old_fp:  # the episode goes on, unwaived
            lapsed.append((*values, db_now, pk))
        elif (old_message, unit_id, severity) != (message, breach.unit_id, rule.severity) or (
            state == FindingState.OPEN and fp != old_fp
        ):
            changed.append((*values, pk))
    to_resolve = [row[0] for row in existing.values() if row[2] in CURRENT_STATES]

    for batch in _batches(to_resolve):
        Finding.objects.filter(pk__in=batch).update(state=FindingState.RESOLVED, resolved_at=now)
    _insert(to_create, target_field)
    _update(reopened, _REOPEN_SET)
    _update(lapsed, _LAPSED_SET)
    _update(changed, _CHANGED_SET)
    # Everything still current in this chunk is breached now: seen now.
    if breaches:
        in_chunk.filter(state__in=CURRENT_STATES).exclude(last_seen=now).update(last_seen=now)
    stats.created, stats.resolved = len(to_create), len(to_resolve)
    stats.reopened = len(reopened) + len(lapsed)
    return stats


# Raw multi-row writes (executemany through Django's connection). A first scan writes
# hundreds of thousands of findings and a day later every zombie message changes:
# bulk_create / bulk_update build a model instance and per-row CASE expressions and were
# 4-5 times slower here (bench/scan.py). Values are prepared once (`_db_datetime`).

_CHANGED_SET = "message = %s, fingerprint = %s, owner_unit_id = %s, severity = %s"
_UNWAIVED = "waived_by_id = NULL, waived_reason = '', waived_at = NULL"
_REOPEN_SET = (
    f"{_CHANGED_SET}, state = '{FindingState.OPEN.value}', first_seen = %s, last_seen = %s,"
    f" resolved_at = NULL, times_opened = times_opened + 1, {_UNWAIVED}"
)
_LAPSED_SET = f"{_CHANGED_SET}, state = '{FindingState.OPEN.value}', last_seen = %s, {_UNWAIVED}"


def _db_datetime(value):
    return Finding._meta.get_field("last_seen").get_db_prep_save(value, connection)


def _insert(rows: list[tuple], target_field: str) -> None:
    """rows: (rule, severity, record id, owner unit id, message, fingerprint, first_seen,
    last_seen) of new open findings."""
    if not rows:
        return
    table = connection.ops.quote_name(Finding._meta.db_table)
    # table, columns and constants come from the code; values are parameters
    columns = f"rule, severity, {target_field}, owner_unit_id, message, fingerprint"
    sql = (
        f"INSERT INTO {table} ({columns}, first_seen, last_seen, state, times_opened,"  # noqa: S608
        f" waived_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{FindingState.OPEN.value}', 1, '')"
    )
    with connection.cursor() as cursor:
        for batch in _batches(rows, 5000):
            cursor.executemany(sql, batch)


def _update(rows: list[tuple], assignments: str) -> None:
    """rows: the values of `assignments` followed by the finding's id."""
    if not rows:
        return
    table = connection.ops.quote_name(Finding._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 -- as in _insert
    with connection.cursor() as cursor:
        for batch in _batches(rows, 5000):
            cursor.executemany(sql, batch)


def current_breach(finding: Finding, *, now=None) -> Breach | None:
    """Re-evaluate the finding's rule for its record alone (bounded queries) and
    reconcile: the breach as it stands now, or None when the record no longer breaks it."""
    rule = RULES.get(finding.rule)
    if rule is None:
        return None
    record_id = finding.account_id or finding.group_id
    now = now or timezone.now()
    ctx = ScanContext(policy=get_policy(), today=timezone.localdate(now))
    chunk = Chunk(ids=(record_id,))
    breach = rule.evaluate(ctx, chunk).get(record_id) if rule.enabled(ctx.policy) else None
    _reconcile(rule, chunk, {record_id: breach} if breach else {}, now)
    return breach
