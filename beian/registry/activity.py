"""Activity evidence: the one write path for an account's last post date (docs/compliance.md#activity).

Dates come from four sources, each with a default worth (`ActivityWorth`):

    operator    运营者填报   REPORTED  a named person's statement, audited
    inspection  年检         CHECKED   the annual inspection (REPORTED until graded)
    feed        订阅源抓取   CHECKED   the newest entry of the account's RSS / Atom feed
    import      表格导入     DECLARED  a cell of an imported sheet

The precedence rule (docs/compliance.md, "Activity evidence"):

1. Each source keeps its own claim: one `ActivityEvidence` row per account and source.
   A source's new claim replaces its previous one, also with an earlier date (a person
   corrects a typo, a newer sheet corrects an older one). Another source's claim is never
   touched, so a newer date from a weaker source cannot erase what a stronger one said.
2. The account's `last_post_date` / `last_post_source` summarise the claims: the newest
   date wins (any credible sign of life counts against "zombie"); on the same date the
   stronger worth names the source; then the latest recorded.
3. A date already on the account that no claim backs (written before evidence rows existed,
   or by an edit form) is adopted first as the claim of its own source (without a source:
   an import, the weakest), so that a weaker or older claim cannot make it vanish.
4. A failed or blocked fetch is no claim: callers record only dates they have read.

Services (`<entity>_<verb>(*, actor, ...)`, one transaction each): `account_activity_record`
for one claim, `account_activity_record_many` for feed polling and imports, and
`account_last_post_dates_import` for an import column. Each writes the evidence rows, the
account's summary with a history row (bulk), an audit row, and announces the accounts
whose summary moved (`beian.core.hooks.records_changed`), so compliance re-checks them
after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from beian.core.audit import audit, changed_fields
from beian.core.choices import AuditEventType
from beian.core.hooks import records_changed

from .choices import AccountStatus, ActivitySource, ActivityWorth
from .models import ActivityEvidence, MediaAccount

#: What a source's date is worth unless the caller says otherwise.
DEFAULT_WORTH = {
    ActivitySource.OPERATOR: ActivityWorth.REPORTED,
    ActivitySource.INSPECTION: ActivityWorth.CHECKED,
    ActivitySource.FEED: ActivityWorth.CHECKED,
    ActivitySource.IMPORT: ActivityWorth.DECLARED,
}
#: Sources the system records without a person acting (the feed poller).
SYSTEM_SOURCES = frozenset({ActivitySource.FEED})
#: Sources whose dates are observed, not typed: not held to the typed creation month.
OBSERVED_SOURCES = frozenset({ActivitySource.FEED})
#: Accounts per batch of the bulk service (one `IN (...)` list).
BATCH_SIZE = 500
#: Account ids listed in the audit row of a bulk write.
AUDIT_IDS = 500

_SUMMARY = ("last_post_date", "last_post_source")
_EVIDENCE_FIELDS = ["posted_on", "worth", "recorded_at", "recorded_by", "reference"]


@dataclass(frozen=True)
class ActivityClaim:
    """One source's statement that an account last posted `on`. `label` says where the
    claim came from for error messages (e.g. "第 5 行")."""

    account_id: int
    on: date
    reference: str = ""
    label: str = ""


@dataclass
class ActivityOutcome:
    recorded: int = 0  # claims written (new or different from the source's standing claim)
    unchanged: int = 0  # claims equal to the source's standing claim
    skipped: list[int] = field(default_factory=list)  # closed accounts
    changed_accounts: list[int] = field(default_factory=list)  # summary moved


# --- the rule ----------------------------------------------------------------------------


def strongest(claims: Iterable[ActivityEvidence]) -> ActivityEvidence | None:
    """The claim that names the account's last post: the newest date; on the same date the
    higher worth; then the latest recorded."""
    return max(claims, key=lambda c: (c.posted_on, c.worth, c.recorded_at), default=None)


def last_post_date_error(
    on: date | None, *, created_month: date | None, source: str, today: date | None = None
) -> str:
    """Why a claimed date cannot be right ("" when it can): a date in the future, or (for
    typed sources) before the account's creation month. Importers call it in their preview
    so that a cell's error reads the same as the service's."""
    if on is None:
        return _("请填写最近发布日期")
    today = today or timezone.localdate()
    if on > today:
        return _("最近发布日期 %(date)s 不能晚于今天") % {"date": on.isoformat()}
    if source not in OBSERVED_SOURCES and created_month and on < created_month.replace(day=1):
        return _("最近发布日期 %(date)s 不能早于账号创建时间 %(month)s") % {
            "date": on.isoformat(),
            "month": created_month.strftime("%Y-%m"),
        }
    return ""


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def account_activity_record(
    *,
    actor,
    account: MediaAccount,
    on: date,
    source: str,
    worth: int | None = None,
    reference: str = "",
) -> MediaAccount:
    """Record one source's claim of the account's last post date (an operator's report, an
    inspection answer). The actor must be allowed to edit the account; a closed account
    takes no claims. Returns the account with its summary as now stored."""
    source, worth = _check_source(actor, source, worth)
    row = (
        _accounts(actor)
        .select_for_update(of=("self",))
        .filter(pk=account.pk)
        .values("pk", "name", "status", "created_month", *_SUMMARY)
        .first()
    )
    if row is None:
        raise PermissionDenied(_("您无权修改该账号"))
    if row["status"] == AccountStatus.CLOSED:
        raise ValidationError(_("已注销的账号不能登记最近发布日期"))
    error = last_post_date_error(on, created_month=row["created_month"], source=source)
    if error:
        raise ValidationError({"on": error})
    claim = ActivityClaim(account.pk, on, reference[:255])
    outcome = _record(actor=actor, source=source, worth=worth, rows=[row], claims=[claim])
    account = MediaAccount.objects.select_related("platform", "owner_unit").get(pk=account.pk)
    if outcome.recorded:
        after = {name: getattr(account, name) for name in _SUMMARY}
        audit(
            event=AuditEventType.UPDATE,
            actor=actor,
            obj=account,
            detail={
                "action": "activity",
                "source": source,
                "worth": int(worth),
                "on": on.isoformat(),
                "reference": reference[:255],
                "changes": changed_fields({k: row[k] for k in _SUMMARY}, after),
            },
        )
    return account


@transaction.atomic
def account_activity_record_many(
    *,
    actor,
    source: str,
    claims: Iterable[ActivityClaim],
    worth: int | None = None,
) -> ActivityOutcome:
    """Record many claims of one source (feed polling, an import column) all or nothing:
    set-based, a fixed number of queries per batch of accounts, one audit row for the whole
    write. The feed poller acts without an actor; anyone else must be allowed to edit every
    account named. Claims for closed accounts are skipped; a wrong date refuses the whole
    write with a message naming each claim. Of several claims for one account the last
    counts."""
    source, worth = _check_source(actor, source, worth)
    latest: dict[int, ActivityClaim] = {}
    for claim in claims:
        latest[claim.account_id] = claim
    outcome = ActivityOutcome()
    ids = sorted(latest)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        rows = list(
            _accounts(actor)
            .select_for_update(of=("self",))
            .filter(pk__in=batch)
            .values("pk", "name", "status", "created_month", *_SUMMARY)
        )
        if len(rows) != len(batch):
            missing = sorted(set(batch) - {r["pk"] for r in rows})
            raise PermissionDenied(
                _("您无权修改这些账号（或账号不存在）：%(ids)s")
                % {"ids": "、".join(str(pk) for pk in missing[:10])}
            )
        errors = []
        live = []
        for row in rows:
            if row["status"] == AccountStatus.CLOSED:
                outcome.skipped.append(row["pk"])
                continue
            claim = latest[row["pk"]]
            error = last_post_date_error(
                claim.on, created_month=row["created_month"], source=source
            )
            if error:
                errors.append(f"{claim.label}账号“{row['name']}”：{error}")
            live.append(row)
        if errors:
            raise ValidationError(errors)
        done = _record(
            actor=actor,
            source=source,
            worth=worth,
            rows=live,
            claims=[latest[row["pk"]] for row in live],
        )
        outcome.recorded += done.recorded
        outcome.unchanged += done.unchanged
        outcome.changed_accounts += done.changed_accounts
    if outcome.recorded:
        audit(
            event=AuditEventType.UPDATE,
            actor=actor,
            actor_name="" if actor is not None else f"system:{source}",
            detail={
                "action": "activity",
                "source": source,
                "worth": int(worth),
                "claims": len(ids),
                "recorded": outcome.recorded,
                "skipped": len(outcome.skipped),
                "summary_changed": len(outcome.changed_accounts),
                "accounts": outcome.changed_accounts[:AUDIT_IDS],
            },
        )
    return outcome


def account_last_post_dates_import(
    *, actor, dates: Iterable[tuple[int, date, str]], reference: str = ""
) -> ActivityOutcome:
    """For the importers: an import column of last post dates, as (account id, date, row
    label such as "第 5 行") for the accounts the import just wrote. Worth DECLARED; the
    reference names the file (e.g. "新媒体账号信息汇总表.xlsx")."""
    claims = [
        ActivityClaim(pk, on, f"{reference} {label}".strip()[:255], label)
        for pk, on, label in dates
        if on is not None
    ]
    return account_activity_record_many(actor=actor, source=ActivitySource.IMPORT, claims=claims)


# --- helpers ------------------------------------------------------------------------------


def _check_source(actor, source: str, worth: int | None) -> tuple[str, ActivityWorth]:
    try:
        source = ActivitySource(source)
    except ValueError as exc:
        raise ValueError(f"unknown activity source: {source!r}") from exc
    if actor is None and source not in SYSTEM_SOURCES:
        raise PermissionDenied(_("请登录后再登记最近发布日期"))
    return source, ActivityWorth(worth if worth is not None else DEFAULT_WORTH[source])


def _accounts(actor):
    """The accounts the actor may write claims for (all of them for the system). Callers
    lock the rows they read, so two claims for one account are weighed one after the
    other."""
    if actor is None:
        return MediaAccount.objects.all()
    return MediaAccount.objects.editable_by(actor)


def _record(*, actor, source, worth, rows: list[dict], claims: list[ActivityClaim]):
    """Write the claims of one batch (rows: the accounts' current summaries) and the
    summaries that move, with their history rows; announce the moved accounts."""
    outcome = ActivityOutcome()
    if not rows:
        return outcome
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    ids = [row["pk"] for row in rows]
    standing: dict[int, dict[str, ActivityEvidence]] = {pk: {} for pk in ids}
    for evidence in ActivityEvidence.objects.filter(account_id__in=ids):
        standing[evidence.account_id][evidence.source] = evidence
    new: dict[tuple[int, str], ActivityEvidence] = {}
    changed: dict[tuple[int, str], ActivityEvidence] = {}
    summaries: dict[int, tuple[date, str]] = {}

    for row, claim in zip(rows, claims, strict=True):
        pk, claims_of = row["pk"], standing[row["pk"]]
        # 3. adopt a date on the account that no claim backs
        put = _Put(claims_of, new, changed, pk)
        if row["last_post_date"] is not None:
            own = row["last_post_source"] or ActivitySource.IMPORT
            held = claims_of.get(own)
            if held is None or held.posted_on != row["last_post_date"]:
                put(own, row["last_post_date"], DEFAULT_WORTH[ActivitySource(own)], _before(now))
        # 1. the source's new claim replaces its previous one
        held = claims_of.get(source)
        if held is not None and (held.posted_on, held.worth) == (claim.on, worth):
            outcome.unchanged += 1
        else:
            put(source, claim.on, worth, now, user, claim.reference)
            outcome.recorded += 1
        # 2. the summary
        best = strongest(claims_of.values())
        if (best.posted_on, best.source) != (row["last_post_date"], row["last_post_source"]):
            summaries[pk] = (best.posted_on, best.source)

    ActivityEvidence.objects.bulk_create(list(new.values()), batch_size=BATCH_SIZE)
    ActivityEvidence.objects.bulk_update(
        list(changed.values()), _EVIDENCE_FIELDS, batch_size=BATCH_SIZE
    )
    if summaries:
        accounts = list(MediaAccount.objects.filter(pk__in=sorted(summaries)))
        for account in accounts:
            account.last_post_date, account.last_post_source = summaries[account.pk]
            account.updated_at = now
        bulk_update_with_history(
            accounts,
            MediaAccount,
            [*_SUMMARY, "updated_at"],
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=_("最近发布日期（%(source)s）")
            % {"source": ActivitySource(source).label},
            default_date=now,
        )
        outcome.changed_accounts = sorted(summaries)
        records_changed(accounts=outcome.changed_accounts)
    return outcome


@dataclass
class _Put:
    """Sets one account's claims: a new row, or a change of the source's standing row."""

    claims_of: dict[str, ActivityEvidence]
    new: dict[tuple[int, str], ActivityEvidence]
    changed: dict[tuple[int, str], ActivityEvidence]
    pk: int

    def __call__(self, source, on, worth, when, user=None, reference=None) -> None:
        held = self.claims_of.get(source)
        if held is None:
            held = ActivityEvidence(account_id=self.pk, source=source)
            self.new[self.pk, source] = held
        elif held.pk is not None:
            self.changed[self.pk, source] = held
        held.posted_on, held.worth, held.recorded_at = on, int(worth), when
        held.recorded_by = user
        held.reference = _("账号原有记录") if reference is None else reference
        self.claims_of[source] = held


def _before(now: datetime) -> datetime:
    """An adopted claim was there before the claim being recorded (ties go to the new)."""
    return now - timedelta(microseconds=1)
