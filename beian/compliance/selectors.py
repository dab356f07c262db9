"""Reads of findings: the scoped list with what a row shows, the counts of the overview (by
severity, by rule, by unit), a unit's to-do list and the last full scan. Everything starts
from `Finding.objects.visible_to(user)`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When

from .choices import SEVERITY_COLOUR, SEVERITY_RANK, FindingState, Severity
from .models import Finding, ScanRun
from .rules import RULES, Rule, UnitTree


def severity_rank():
    """SQL expression ranking severities, mildest 0 … serious 3 (for sorting)."""
    return Case(
        *(When(severity=s, then=Value(rank)) for s, rank in SEVERITY_RANK.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )


def finding_list(*, user) -> QuerySet[Finding]:
    """The findings a user may see, with what a list row or an export row shows."""
    return (
        Finding.objects.visible_to(user)
        .select_related("account__platform", "group__platform", "owner_unit", "waived_by")
        .annotate(severity_rank=severity_rank())
        .order_by("-severity_rank", "-last_seen", "-pk")
    )


def finding_for_detail() -> QuerySet[Finding]:
    return Finding.objects.select_related(
        "account__platform", "group__platform", "owner_unit", "waived_by"
    )


@dataclass
class RuleCount:
    rule: Rule | None
    code: str
    open: int = 0
    waived: int = 0

    @property
    def title(self) -> str:
        return str(self.rule.title) if self.rule else self.code

    @property
    def severity(self) -> str:
        return self.rule.severity if self.rule else ""


@dataclass
class UnitCount:
    unit_id: int
    name: str
    total: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)

    def severities(self) -> list[tuple[str, str, int]]:
        return [
            (s.label, SEVERITY_COLOUR[s], self.by_severity.get(s, 0)) for s in reversed(Severity)
        ]


@dataclass
class Summary:
    by_severity: list[tuple[str, str, str, int]]  # (code, label, colour, count of open)
    by_rule: list[RuleCount]
    by_unit: list[UnitCount]
    open_total: int
    waived_total: int


def summary(*, user, unit_limit: int = 20) -> Summary:
    """Counts of the user's current findings: open by severity, open and waived by rule, and
    the 二级单位 with the most open findings (open by severity each, their subtrees counted
    in). Aggregate queries only, whatever the number of findings."""
    current = Finding.objects.visible_to(user).current()
    per_rule = current.values("rule", "state", "severity").annotate(n=Count("pk"))
    severity_counts: dict[str, int] = defaultdict(int)
    rules: dict[str, RuleCount] = {}
    open_total = waived_total = 0
    for row in per_rule:
        count = rules.setdefault(row["rule"], RuleCount(RULES.get(row["rule"]), row["rule"]))
        if row["state"] == FindingState.OPEN:
            count.open += row["n"]
            severity_counts[row["severity"]] += row["n"]
            open_total += row["n"]
        else:
            count.waived += row["n"]
            waived_total += row["n"]
    by_rule = sorted(
        rules.values(), key=lambda c: (-SEVERITY_RANK.get(c.severity, -1), -c.open, c.code)
    )
    per_unit = (
        current.filter(state=FindingState.OPEN)
        .values("owner_unit_id", "severity")
        .annotate(n=Count("pk"))
    )
    tree = UnitTree()
    visible = None if user.sees_everything else set(user.scoped_unit_ids)
    units: dict[int, UnitCount] = {}
    for row in per_unit:
        # counted for its 二级单位 when the user may see that, else for the unit itself
        top = tree.second_level(row["owner_unit_id"])
        if top is None or (visible is not None and top.pk not in visible):
            top = tree.units[row["owner_unit_id"]]
        unit = units.setdefault(top.pk, UnitCount(top.pk, top.name))
        unit.by_severity[row["severity"]] = unit.by_severity.get(row["severity"], 0) + row["n"]
        unit.total += row["n"]
    top_units = sorted(
        units.values(),
        key=lambda u: tuple(-u.by_severity.get(s, 0) for s in reversed(Severity)) + (-u.total,),
    )[:unit_limit]
    return Summary(
        by_severity=[
            (s.value, s.label, SEVERITY_COLOUR[s], severity_counts.get(s, 0))
            for s in reversed(Severity)
        ],
        by_rule=by_rule,
        by_unit=top_units,
        open_total=open_total,
        waived_total=waived_total,
    )


@dataclass
class TodoItem:
    """One record of a unit's to-do list with its open findings, most severe first."""

    record: object
    kind: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_zombie(self) -> bool:
        return any(f.rule.startswith("zombie_") for f in self.findings)


def todo(*, user, unit_ids: list[int] | None = None, page=1, per_page: int = 20):
    """The records with open findings the user may see (inside `unit_ids` when given), the
    records with the most severe and most findings first, one page of them: (the page,
    its TodoItems). A fixed number of queries per page."""
    qs = Finding.objects.visible_to(user).open()
    if unit_ids is not None:
        qs = qs.filter(owner_unit_id__in=unit_ids)
    records = (
        qs.values("account_id", "group_id")
        .annotate(worst=Max(severity_rank()), n=Count("pk"))
        .order_by("-worst", "-n", "account_id", "group_id")
    )
    current = Paginator(records, per_page).get_page(page)
    keys = [(row["account_id"], row["group_id"]) for row in current.object_list]
    accounts = [a for a, _g in keys if a]
    groups = [g for _a, g in keys if g]
    findings = (
        qs.filter(Q(account_id__in=accounts) | Q(group_id__in=groups))
        .select_related("account__platform", "group__platform", "owner_unit")
        .annotate(severity_rank=severity_rank())
        .order_by("-severity_rank", "rule", "pk")
    )
    items: dict[tuple, TodoItem | None] = dict.fromkeys(keys)
    for finding in findings:
        key = (finding.account_id, finding.group_id)
        if items[key] is None:
            kind = "account" if finding.account_id else "group"
            items[key] = TodoItem(finding.target, kind)
        items[key].findings.append(finding)
    return current, [item for item in items.values() if item is not None]


def last_scan() -> ScanRun | None:
    return ScanRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()


def record_findings(record) -> QuerySet[Finding]:
    """Current findings of one account or group, most severe first (for its detail page)."""
    field_name = "account" if record._meta.model_name == "mediaaccount" else "group"
    return (
        Finding.objects.current()
        .filter(**{field_name: record})
        .annotate(severity_rank=severity_rank())
        .order_by("-severity_rank", "rule")
    )
