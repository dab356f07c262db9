"""The change rules (变更, issue 5: "a change not reported in time"): changes of a registered
account seen in the registry's history that no change report covers, and change reports
that came in late.

Both read the filings app's models (`Filing`, its events); filings sits below compliance in
the layers (docs/architecture.md). They import them inside the rule functions, never at
module import, so that importing `beian.compliance` does not import `beian.filings`.

`change_not_reported` reads, per chunk and whatever the number of accounts, four queries:

1. the registered (filed, not closed) accounts of the chunk, with their name and filing
   state just before the history window (`HISTORY_WINDOW_DAYS`);
2. their history rows (django-simple-history) inside the window: name, filing state;
3. their team history rows inside the window: members added (+) or removed (-) in the
   watched roles;
4. per account, when its last approved filing or change report took effect (the decision,
   and the `applied` / `registered` timeline entry written after the registry was
   changed) and the latest day a submitted change report covers (reported on, or taking
   effect on).

A history row is *settled* when it was written up to the end of the last approval (this
includes the rows the approval itself wrote: the filings service changes the registry in
the approving transaction and records the `applied` entry afterwards), or on or before the
latest day a change report covers. Becoming registered (filing state turning to 已备案:
a filing, an import, the school admin) settles the account as it is, including team rows
written within `REGISTRATION_GRACE` of it (the team of a new record is written right after
the record). What changed after the settled rows is compared with the settled state: a
rename back, or a member added and removed again, is no change.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beian.registry.choices import AccountStatus, FilingState, TeamRole
from beian.registry.models import AccountMember, MediaAccount

from ..choices import Severity, TargetKind
from .base import Breach, Rule, evidence, register
from .common import RESPONSIBLE_ROLES, ROLE_LABELS, live_accounts

#: How far back the registry's history is read. A change older than this is no longer
#: reported (its finding resolves): keeps every scan bounded.
HISTORY_WINDOW_DAYS = 400
#: Team rows written this soon after an account became registered belong to the
#: registration (a new record's team is written right after it).
REGISTRATION_GRACE = timedelta(minutes=1)
#: Registry rows written this soon after an approval belong to it even when its timeline
#: lacks the `applied` / `registered` entry (older data).
APPROVAL_GRACE = timedelta(minutes=1)
#: A late change report stays a finding this long after it was reported.
LATE_REPORT_DAYS = 365

#: Roles whose changes must be reported: the responsible people (责任人) and the team that
#: runs the account (管理员, 运营者, 审核人) — the seeds' 管理队伍 / 管理人员 / 后台管理人员.
WATCHED_ROLES = (*RESPONSIBLE_ROLES, TeamRole.ADMIN, TeamRole.OPERATOR, TeamRole.REVIEWER)
ROLE_ORDER = {role: i for i, role in enumerate(TeamRole)}

#: Short labels of the change kinds for messages (the policy's labels carry explanations).
KIND_LABELS = {
    "name": "账号名称",
    "responsible": "责任人",
    "team": "管理队伍",
    "operation": "维护方式",
}


class _Row(NamedTuple):
    """One history row of an account (`member` False) or of its team (`member` True)."""

    at: datetime
    member: bool
    history_id: int
    name: str = ""  # account: its name; member: the person's name
    filing_state: str = ""
    sign: str = ""  # member: "+" added, "-" removed
    role: str = ""
    person_id: int = 0


def _window_start(today: date) -> datetime:
    start = datetime.combine(today - timedelta(days=HISTORY_WINDOW_DAYS), time.min)
    return timezone.make_aware(start)


@register
class ChangeNotReported(Rule):
    code = "change_not_reported"
    title = _("变更未按时报备")
    explanation = _(
        "已备案账号的名称、责任人或管理队伍（管理员、运营者、审核人）发生了变更，"
        "超过规定期限仍未提交变更报备。请尽快提交变更报备（可补报，将标记为逾期报备）。"
    )
    severity = Severity.WARNING
    target = TargetKind.ACCOUNT
    source = "seed 000 备注2（一周内）、001 §二（3日内）、004 第六条（5个工作日内）"

    def parameters(self, policy):
        return {"changes.report_within": str(policy.changes.report_within)}

    def evaluate(self, ctx, chunk):
        since = _window_start(ctx.today)
        history = MediaAccount.history.model
        before = history.objects.filter(id=OuterRef("pk"), history_date__lt=since).order_by(
            "-history_date", "-history_id"
        )
        filed = live_accounts().filter(chunk.q(), filing_state=FilingState.FILED)
        accounts = {
            pk: (unit_id, base_name, base_state)
            for pk, unit_id, base_name, base_state in filed.annotate(
                base_name=Subquery(before.values("name")[:1]),
                base_state=Subquery(before.values("filing_state")[:1]),
            ).values_list("pk", "owner_unit_id", "base_name", "base_state")
        }
        if not accounts:
            return {}
        filed_ids = filed.values("pk")

        rows: dict[int, list[_Row]] = defaultdict(list)
        account_rows = (
            history.objects.filter(chunk.q("id"), id__in=filed_ids, history_date__gte=since)
            .order_by()
            .values_list("id", "history_date", "history_id", "name", "filing_state")
        )
        for pk, at, history_id, name, state in account_rows:
            rows[pk].append(_Row(at, False, history_id, name, state))
        member_rows = (
            AccountMember.history.model.objects.filter(
                chunk.q("record_id"),
                record_id__in=filed_ids,
                history_date__gte=since,
                history_type__in=["+", "-"],
                role__in=list(WATCHED_ROLES),
            )
            .order_by()
            .values_list(
                "record_id",
                "history_date",
                "history_id",
                "person__name",
                "history_type",
                "role",
                "person_id",
            )
        )
        for pk, at, history_id, name, sign, role, person_id in member_rows:
            rows[pk].append(_Row(at, True, history_id, name or "", "", sign, role, person_id))

        settled = _settled(chunk, set(rows))
        deadline_text = gettext("%(date)s %(what)s，应于 %(deadline)s 前报备变更")
        ending = gettext("，尚未报备")
        found = {}
        for pk, account_history in rows.items():
            if pk not in accounts:
                continue
            unit_id, base_name, base_state = accounts[pk]
            until, report_day = settled.get(pk, (None, None))
            changes = _unsettled_changes(
                sorted(account_history), base_name, base_state, until, report_day
            )
            overdue: dict[date, list[tuple]] = defaultdict(list)
            for change in changes:
                if ctx.policy.is_late(change[0], ctx.today):
                    overdue[change[0]].append(change)
            if not overdue:
                continue
            clauses = []
            for day in sorted(overdue):
                clauses.append(
                    deadline_text
                    % {
                        "date": day.isoformat(),
                        "what": _describe(overdue[day]),
                        "deadline": ctx.policy.deadline(day).isoformat(),
                    }
                )
            proof = evidence(*sorted(_proof(c) for day in overdue for c in overdue[day]))
            found[pk] = Breach(unit_id, "；".join(clauses) + ending, proof)
        return found


def _settled(chunk, account_ids: set[int]) -> dict[int, tuple[datetime | None, date | None]]:
    """{account id: (registry rows up to this moment are settled by an approval, rows of
    this day and before are covered by a submitted change report)} — one query."""
    from beian.filings.choices import EventAction, FilingKind, FilingStatus
    from beian.filings.models import Filing

    if not account_ids:
        return {}
    approved = Q(
        status=FilingStatus.APPROVED,
        kind__in=[FilingKind.NEW, FilingKind.LATE, FilingKind.CHANGE],
    )
    reported = Q(
        kind=FilingKind.CHANGE,
        status__in=[FilingStatus.PENDING, FilingStatus.RETURNED, FilingStatus.APPROVED],
        reported_on__isnull=False,
    )
    applied = approved & Q(events__action__in=[EventAction.APPLIED, EventAction.REGISTERED])
    rows = (
        Filing.objects.filter(chunk.q("account_id"), approved | reported)
        .order_by()
        .values("account_id")
        .annotate(
            decided=Max("decided_at", filter=approved),
            applied=Max("events__at", filter=applied),
            reported=Max("reported_on", filter=reported),
            effective=Max("effective_on", filter=reported),
        )
        .values_list("account_id", "decided", "applied", "reported", "effective")
    )
    found = {}
    for pk, decided, applied_at, reported_on, effective_on in rows:
        if pk not in account_ids:
            continue
        ends = [t for t in (decided and decided + APPROVAL_GRACE, applied_at) if t]
        days = [d for d in (reported_on, effective_on) if d]
        found[pk] = (max(ends) if ends else None, max(days) if days else None)
    return found


def _unsettled_changes(
    rows: list[_Row],
    base_name: str | None,
    base_state: str | None,
    until: datetime | None,
    report_day: date | None,
) -> list[tuple]:
    """The changes after the settled rows, as (day, "name", old, new) and
    (day, "team", sign, role, person id, person name), netted against the settled state."""
    registered = base_state == FilingState.FILED
    name = settled_name = base_name
    renamed_on: date | None = None
    team: dict[tuple[str, int], tuple[date, str, str]] = {}

    def settle(row: _Row) -> None:
        nonlocal name, settled_name, renamed_on
        name = settled_name = row.name
        renamed_on = None
        team.clear()

    for row in rows:
        day = timezone.localdate(row.at)
        is_settled = (until is not None and row.at <= until) or (
            report_day is not None and day <= report_day
        )
        if not row.member:
            if row.filing_state != FilingState.FILED:
                registered = False
                settle(row)
            elif not registered:  # registered now: the account as it is is the reference
                registered = True
                settle(row)
                grace = row.at + REGISTRATION_GRACE
                until = grace if until is None else max(until, grace)
            elif is_settled:
                settle(row)
            elif row.name != name:
                if renamed_on is None:
                    renamed_on = day
                name = row.name
                if name == settled_name:
                    renamed_on = None
            continue
        if not registered or is_settled:
            continue
        key = (row.role, row.person_id)
        if key in team and team[key][1] != row.sign:
            del team[key]  # added then removed, or removed then added again
        elif key not in team:
            team[key] = (day, row.sign, row.name)

    changes: list[tuple] = []
    if renamed_on is not None and name != settled_name:
        changes.append((renamed_on, "name", settled_name or "", name or ""))
    for (role, person_id), (day, sign, person_name) in team.items():
        changes.append((day, "team", sign, role, person_id, person_name))
    return changes


def _describe(changes: list[tuple]) -> str:
    """What changed on one day, in Chinese: the name, then the team role by role."""
    parts = []
    by_role: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for change in sorted(changes, key=lambda c: (c[1], *map(str, c[2:]))):
        if change[1] == "name":
            parts.append(
                gettext("账号名称由“%(old)s”改为“%(new)s”") % {"old": change[2], "new": change[3]}
            )
        else:
            _day, _kind, sign, role, _person_id, person_name = change
            by_role[role][0 if sign == "-" else 1].append(person_name)
    for role in sorted(by_role, key=lambda r: ROLE_ORDER.get(r, 99)):
        removed, added = by_role[role]
        label = ROLE_LABELS.get(role, role)
        if removed and added:
            text = gettext("%(role)s由 %(old)s 改为 %(new)s") % {
                "role": label,
                "old": "、".join(removed),
                "new": "、".join(added),
            }
        elif added:
            text = gettext("增加%(role)s %(who)s") % {"role": label, "who": "、".join(added)}
        else:
            text = gettext("移除%(role)s %(who)s") % {"role": label, "who": "、".join(removed)}
        parts.append(text)
    return "，".join(parts)


def _proof(change: tuple) -> str:
    if change[1] == "name":
        return f"name:{change[0]}:{change[2]}>{change[3]}"
    day, _kind, sign, role, person_id, _name = change
    return f"team:{day}:{sign}{role}:{person_id}"


@register
class ChangeReportedLate(Rule):
    code = "change_reported_late"
    title = _("变更逾期报备")
    explanation = _(
        "账号的变更超过规定期限才报备。今后请在变更后按期报备；该提示在报备一年后自动解除。"
    )
    severity = Severity.ATTENTION
    target = TargetKind.ACCOUNT
    source = "seed 000 备注2（一周内）、001 §二（3日内）、004 第六条（5个工作日内）"

    def evaluate(self, ctx, chunk):
        from beian.filings.choices import FilingKind, FilingStatus
        from beian.filings.models import Filing

        rows = (
            Filing.objects.filter(
                chunk.q("account_id"),
                kind=FilingKind.CHANGE,
                status__in=[FilingStatus.PENDING, FilingStatus.RETURNED, FilingStatus.APPROVED],
                reported_late=True,
                reported_on__gt=ctx.today - timedelta(days=LATE_REPORT_DAYS),
            )
            .exclude(account__status=AccountStatus.CLOSED)
            .order_by("account_id", "-reported_on", "-pk")
            .values_list(
                "account_id",
                "account__owner_unit_id",
                "pk",
                "change_kinds",
                "effective_on",
                "reported_on",
                "report_deadline",
            )
        )
        template = gettext(
            "%(kinds)s变更于 %(effective)s 生效，应于 %(deadline)s 前报备，"
            "%(reported)s 才报备，逾期 %(days)s 天"
        )
        reports: dict[int, list[tuple]] = defaultdict(list)
        units = {}
        for pk, unit_id, *report in rows:
            units[pk] = unit_id
            reports[pk].append(report)
        found = {}
        for pk, late in reports.items():
            texts = []
            for _filing, kinds, effective, reported, deadline in late:
                texts.append(
                    template
                    % {
                        "kinds": "、".join(KIND_LABELS.get(k, k) for k in kinds or ()),
                        "effective": effective.isoformat() if effective else "—",
                        "deadline": deadline.isoformat() if deadline else "—",
                        "reported": reported.isoformat(),
                        "days": (reported - deadline).days if deadline else "—",
                    }
                )
            proof = evidence(*(f"{r[0]}:{r[3]}" for r in late))
            found[pk] = Breach(units[pk], "；".join(texts), proof)
        return found
