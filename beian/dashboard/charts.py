"""The dashboard (数据看板): the user's scope — the whole school for the school admin, the
leader and the auditor; a unit admin's subtree; an operator's own records — in charts, each
with the table it is drawn from and, on every bar, the link to the filtered list it counts.

Every figure is counted inside `visible_to(user)` (narrowed to one unit's subtree when the
page asks for it) with a fixed handful of aggregate queries, however many units and
records there are: one grouped query over the accounts gives the charts by platform, tier,
unit and status, the audience and the activity freshness; one over the groups; two for the
months; one over the open findings; two for the rounds. Units are rolled up in memory
from one read of the unit tree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connections
from django.db.models import Count, Q, Sum
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.campaigns.choices import CampaignStatus, TaskState
from beian.campaigns.models import Campaign, CampaignTask
from beian.compliance.choices import SEVERITY_RANK, FindingState, Severity
from beian.compliance.models import Finding
from beian.compliance.rules import RULES
from beian.orgs.models import Unit
from beian.registry.choices import AccountStatus, GroupStatus, Tier
from beian.registry.models import ChatGroup, MediaAccount, Platform

#: Activity windows of the freshness chart, in days (the account list's `posted` filter
#: offers the same two).
FRESH_DAYS = (30, 90)
#: Months on the openings and closings chart, the current month included.
MONTHS = 24
#: Bars on a chart by unit (the table beside it lists every unit).
UNIT_BARS = 20
#: Rounds on the progress chart (open ones first, then the latest finished).
ROUNDS = 5

#: ECharts colours of the categories that recur (Tabler's palette).
COLOURS = {
    "active": "#2fb344",
    "suspended": "#f59f00",
    "closed": "#9ba9be",
    "dissolved": "#9ba9be",
    Severity.SERIOUS: "#d63939",
    Severity.WARNING: "#f76707",
    Severity.ATTENTION: "#f59f00",
    Severity.INFO: "#4299e1",
    TaskState.NOT_STARTED: "#9ba9be",
    TaskState.IN_PROGRESS: "#4299e1",
    TaskState.SUBMITTED: "#ae3ec9",
    TaskState.RETURNED: "#f76707",
    TaskState.CONFIRMED: "#2fb344",
    "opened": "#206bc4",
    "fresh30": "#2fb344",
    "fresh90": "#74b816",
}


@dataclass
class Series:
    """One series of a chart: a value and the link to its filtered list per category."""

    key: str
    label: str
    values: list[float] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    colour: str = ""


@dataclass
class Chart:
    """A chart and the table it is drawn from. `kind`: "bar" (vertical), "hbar"
    (horizontal, for long category names) or "line"; `percent`: values are shares;
    `extra` adds columns to the table only (label, values per category)."""

    slug: str
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    category_urls: list[str] = field(default_factory=list)
    stacked: bool = False
    percent: bool = False
    total: bool = True
    note: str = ""
    category_label: str = ""
    extra: list[tuple[str, list]] = field(default_factory=list)
    bars_shown: int | None = None  # the chart draws only the first n categories

    @property
    def height(self) -> int:
        """Pixels the chart takes: a horizontal bar chart grows with its bars."""
        if self.kind != "hbar":
            return 300
        shown = min(len(self.categories), self.bars_shown or len(self.categories))
        per_bar = 28 if self.stacked or len(self.series) == 1 else 40
        return max(180, per_bar * shown + 90)

    @property
    def is_empty(self) -> bool:
        if not self.categories:
            return True
        return not self.percent and not any(any(s.values) for s in self.series)

    @property
    def header(self) -> list[str]:
        labels = [self.category_label] + [s.label for s in self.series]
        if self.total and not self.percent:
            labels.append(_("合计"))
        return labels + [label for label, _values in self.extra]

    @property
    def rows(self) -> list[list[tuple]]:
        """The table: per category, (value, link) cells: the category, each series, the
        total (when summed), the extra columns."""
        out = []
        for i, category in enumerate(self.categories):
            url = self.category_urls[i] if self.category_urls else ""
            row = [(category, url)]
            row += [(s.values[i], s.urls[i] if s.urls else "") for s in self.series]
            if self.total and not self.percent:
                row.append((sum(s.values[i] for s in self.series), url))
            row += [(values[i], "") for _label, values in self.extra]
            out.append(row)
        return out

    def sheet_rows(self) -> list[list]:
        """The table's values for the Excel download (shares as "12.5%")."""
        rows = []
        for row in self.rows:
            cells = []
            for index, (value, _url) in enumerate(row):
                is_share = self.percent and 0 < index <= len(self.series)
                cells.append(f"{value:.1f}%" if is_share else value)
            rows.append(cells)
        return rows

    def spec(self) -> dict:
        """What static/js/dashboard.js needs to draw the chart (passed by json_script)."""
        shown = self.bars_shown or len(self.categories)
        return {
            "slug": self.slug,
            "kind": self.kind,
            "stacked": self.stacked,
            "percent": self.percent,
            "categories": self.categories[:shown],
            "series": [
                {
                    "name": s.label,
                    "values": s.values[:shown],
                    "urls": s.urls[:shown],
                    "colour": s.colour,
                }
                for s in self.series
            ],
        }


@dataclass
class Headline:
    label: str
    value: int | str
    url: str = ""
    hint: str = ""

    @property
    def display(self) -> str:
        return f"{self.value:,}" if isinstance(self.value, int) else str(self.value)


@dataclass
class Dashboard:
    scope_label: str
    unit: Unit | None
    headlines: list[Headline]
    charts: list[Chart]
    today: dt.date

    def chart(self, slug: str) -> Chart | None:
        return next((c for c in self.charts if c.slug == slug), None)

    @property
    def specs(self) -> list[dict]:
        return [c.spec() for c in self.charts if not c.is_empty]


# --- units: which bar a record counts for ----------------------------------------------------


class UnitBuckets:
    """Rolls units up to the bars of the charts by unit. The scope's root (the school, the
    chosen unit, a unit admin's unit) is broken down into its children, the root's own
    records forming a bar "（本级）"; several roots (a user with two subtrees) are bars
    themselves. Units outside any root (an operator's records) count for themselves."""

    def __init__(self, user, unit: Unit | None):
        rows = Unit.objects.values_list("pk", "parent_id", "name")
        self.parent = {pk: parent for pk, parent, _name in rows}
        self.names = {pk: name for pk, _parent, name in rows}
        if unit is not None:
            roots = [unit.pk]
        elif user.sees_everything:
            roots = [pk for pk, parent in self.parent.items() if parent is None]
        else:
            scoped = user.scoped_unit_ids
            roots = sorted(pk for pk in scoped if self.parent.get(pk) not in scoped)
        self.root = roots[0] if len(roots) == 1 else None
        if self.root is not None:
            self.bars = {pk for pk, parent in self.parent.items() if parent == self.root}
            self.bars.add(self.root)
        else:
            self.bars = set(roots)
        if user.sees_everything:
            self.linkable = None  # every unit
        else:
            self.linkable = set(user.scoped_unit_ids)
            if user.person_id and user.person is not None:
                self.linkable.add(user.person.unit_id)
        self._memo: dict[int, int] = {}

    def bar(self, unit_id: int) -> int:
        """The bar a record of `unit_id` counts for."""
        if unit_id in self._memo:
            return self._memo[unit_id]
        found, seen, current = unit_id, set(), unit_id
        while current is not None and current not in seen:
            if current in self.bars:
                found = current
                break
            seen.add(current)
            current = self.parent.get(current)
        self._memo[unit_id] = found
        return found

    def label(self, bar: int) -> str:
        name = self.names.get(bar, "")
        return _("%(name)s（本级）") % {"name": name} if bar == self.root else name

    def filter(self, bar: int) -> dict[str, str]:
        """The list filter of a bar: the unit and its subtree, or the root's own records."""
        if self.linkable is not None and bar not in self.linkable:
            return {}
        if bar == self.root:
            return {"unit": str(bar), "unit_only": "yes"}
        return {"unit": str(bar)}


# --- the dashboard ---------------------------------------------------------------------------


_PATHS: dict[tuple[str, str], str] = {}


def _path(name: str) -> str:
    """`reverse(name)`, once per list and script prefix (a dashboard links thousands of
    cells to a handful of lists)."""
    key = (name, get_script_prefix())
    if key not in _PATHS:
        _PATHS[key] = reverse(name)
    return _PATHS[key]


#: Values a query string carries as they are (what `urlencode` leaves unquoted).
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def _url(name: str, params: dict | None = None, **more) -> str:
    query = {**(params or {}), **{k: v for k, v in more.items() if v not in (None, "")}}
    if not query:
        return _path(name)
    # ids, statuses and months, thousands of times a page: joined as they are, which is
    # what `urlencode` gives for them at a fraction of its cost; anything else is quoted
    pairs = [(key, str(value)) for key, value in query.items()]
    if all(_PLAIN.fullmatch(value) for _key, value in pairs):
        return f"{_path(name)}?{'&'.join(f'{key}={value}' for key, value in pairs)}"
    return f"{_path(name)}?{urlencode(query)}"


def _tuples(queryset) -> list[tuple]:
    """The rows of a `values_list()` queryset as the database returns them: a grouped
    count over 200,000 accounts gives some 10,000 rows, and the ORM's per-value converters
    (counts and sums are integers already) cost more than reading them."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _status_series(statuses, counts: dict, keys: list, url_for) -> list[Series]:
    return [
        Series(
            key=s.value,
            label=str(s.label),
            values=[counts.get((k, s.value), 0) for k in keys],
            urls=[url_for(k, s.value) for k in keys],
            colour=COLOURS.get(s.value, ""),
        )
        for s in statuses
    ]


def _ranked(keys, totals: dict) -> list:
    return sorted(keys, key=lambda k: (-totals.get(k, 0), str(k)))


def build(user, *, unit: Unit | None = None, today: dt.date | None = None) -> Dashboard:
    """The dashboard of `user`'s scope, or of `unit`'s subtree within it (the caller checks
    that the user may see `unit`)."""
    today = today or timezone.localdate()
    subtree = Unit.objects.subtree_ids([unit.pk]) if unit is not None else None
    scope = {"unit": str(unit.pk)} if unit is not None else {}

    accounts = MediaAccount.objects.visible_to(user)
    groups = ChatGroup.objects.visible_to(user)
    findings = Finding.objects.visible_to(user).filter(state=FindingState.OPEN)
    tasks = CampaignTask.objects.visible_to(user)
    if subtree is not None:
        accounts = accounts.filter(owner_unit_id__in=subtree)
        groups = groups.filter(owner_unit_id__in=subtree)
        findings = findings.filter(owner_unit_id__in=subtree)
        tasks = tasks.filter(unit_id__in=subtree)

    buckets = UnitBuckets(user, unit)
    catalogue = list(Platform.objects.values_list("pk", "name"))  # in the catalogue's order
    platforms = dict(catalogue)
    platform_order = {pk: i for i, (pk, _name) in enumerate(catalogue)}

    # 1. accounts, grouped by unit, platform, tier and status: counts, audience, freshness
    fresh = {
        f"fresh{days}": Count("pk", filter=Q(last_post_date__gte=today - dt.timedelta(days=days)))
        for days in FRESH_DAYS
    }
    # Grouped in the order of the registry's dashboard index (owner unit, status, platform,
    # tier; last post date and audience in it too), so SQLite reads that index alone from
    # start to end and groups without a sort; rows as tuples (no dicts, no instances).
    account_rows = (
        accounts.order_by()
        .values_list("owner_unit_id", "status", "platform_id", "tier")
        .annotate(n=Count("pk"), audience_sum=Sum("audience"), reported=Count("audience"), **fresh)
    )
    by_platform: dict = defaultdict(int)
    by_tier: dict = defaultdict(int)
    by_unit: dict = defaultdict(int)
    audience: dict = defaultdict(int)
    audience_accounts: dict = defaultdict(int)
    audience_reported: dict = defaultdict(int)
    freshness: dict = defaultdict(lambda: defaultdict(int))
    closed, active_status = AccountStatus.CLOSED.value, AccountStatus.ACTIVE.value
    for (
        unit_id,
        status,
        platform_id,
        tier,
        n,
        audience_sum,
        reported,
        *fresh_counts,
    ) in _tuples(account_rows):
        bar = buckets.bar(unit_id)
        by_platform[(platform_id, status)] += n
        by_tier[(tier, status)] += n
        by_unit[(bar, status)] += n
        if status != closed:
            audience[platform_id] += audience_sum or 0
            audience_accounts[platform_id] += n
            audience_reported[platform_id] += reported
        if status == active_status:
            unit_fresh = freshness[bar]
            unit_fresh["active"] += n
            for days, count in zip(FRESH_DAYS, fresh_counts, strict=True):
                unit_fresh[days] += count

    account_list = "registry:account_list"
    group_list = "registry:group_list"
    finding_list = "compliance:finding_list"
    charts: list[Chart] = []

    # accounts by platform
    totals = defaultdict(int)
    for (key, _status), n in by_platform.items():
        totals[key] += n
    keys = sorted(totals, key=lambda k: (-totals[k], platform_order.get(k, 0)))
    charts.append(
        Chart(
            slug="accounts-platform",
            title=_("新媒体账号：按平台"),
            kind="hbar",
            categories=[platforms.get(k, "") for k in keys],
            category_urls=[_url(account_list, scope, platform=k) for k in keys],
            series=_status_series(
                AccountStatus,
                by_platform,
                keys,
                lambda k, s: _url(account_list, scope, platform=k, status=s),
            ),
            stacked=True,
            category_label=_("平台"),
        )
    )
    # accounts by unit
    charts.append(_by_unit_chart(
        slug="accounts-unit",
        title=_("新媒体账号：按单位"),
        counts=by_unit,
        statuses=AccountStatus,
        buckets=buckets,
        list_name=account_list,
    ))  # fmt: skip
    # accounts by tier
    tiers = [t.value for t in Tier]
    charts.append(
        Chart(
            slug="accounts-tier",
            title=_("新媒体账号：按分级"),
            kind="bar",
            categories=[str(t.label) for t in Tier],
            category_urls=[_url(account_list, scope, tier=t) for t in tiers],
            series=_status_series(
                AccountStatus,
                by_tier,
                tiers,
                lambda t, s: _url(account_list, scope, tier=t, status=s),
            ),
            stacked=True,
            category_label=_("分级"),
        )
    )
    # audience by platform (accounts not closed)
    keys = sorted(
        (k for k in audience_accounts if audience[k]), key=lambda k: (-audience[k], str(k))
    )
    charts.append(
        Chart(
            slug="audience-platform",
            title=_("受众（关注人数）：按平台"),
            kind="hbar",
            categories=[platforms.get(k, "") for k in keys],
            category_urls=[_url(account_list, scope, platform=k) for k in keys],
            series=[
                Series(
                    "audience",
                    _("关注人数"),
                    [audience[k] for k in keys],
                    [
                        _url(account_list, scope, platform=k, status=AccountStatus.ACTIVE)
                        for k in keys
                    ],
                    "#206bc4",
                )
            ],  # fmt: skip
            total=False,
            category_label=_("平台"),
            note=_("运营中和暂停更新的账号所填报的关注人数之和"),
            extra=[
                (_("账号数"), [audience_accounts[k] for k in keys]),
                (_("已填报关注人数的账号"), [audience_reported[k] for k in keys]),
            ],
        )
    )

    # 2. groups by unit, platform and status
    group_rows = (
        groups.order_by().values("owner_unit_id", "platform_id", "status").annotate(n=Count("pk"))
    )
    g_platform: dict = defaultdict(int)
    g_unit: dict = defaultdict(int)
    for row in group_rows:
        g_platform[(row["platform_id"], row["status"])] += row["n"]
        g_unit[(buckets.bar(row["owner_unit_id"]), row["status"])] += row["n"]
    totals = defaultdict(int)
    for (key, _status), n in g_platform.items():
        totals[key] += n
    keys = sorted(totals, key=lambda k: (-totals[k], platform_order.get(k, 0)))
    charts.append(
        Chart(
            slug="groups-platform",
            title=_("即时群聊：按平台"),
            kind="hbar",
            categories=[platforms.get(k, "") for k in keys],
            category_urls=[_url(group_list, scope, platform=k) for k in keys],
            series=_status_series(
                GroupStatus,
                g_platform,
                keys,
                lambda k, s: _url(group_list, scope, platform=k, status=s),
            ),
            stacked=True,
            category_label=_("平台"),
        )
    )
    charts.append(_by_unit_chart(
        slug="groups-unit",
        title=_("即时群聊：按单位"),
        counts=g_unit,
        statuses=GroupStatus,
        buckets=buckets,
        list_name=group_list,
    ))  # fmt: skip

    # 3. accounts opened and closed per month
    charts.append(_months_chart(accounts, today=today, scope=scope))

    # 4. open findings by rule and by unit
    finding_rows = (
        findings.order_by().values("rule", "severity", "owner_unit_id").annotate(n=Count("pk"))
    )
    f_rule: dict = defaultdict(int)
    f_unit: dict = defaultdict(int)
    rule_severity: dict = {}
    for row in finding_rows:
        f_rule[(row["rule"], row["severity"])] += row["n"]
        f_unit[(buckets.bar(row["owner_unit_id"]), row["severity"])] += row["n"]
        rule_severity[row["rule"]] = row["severity"]
    severities = list(reversed(Severity))
    totals = defaultdict(int)
    for (key, _severity), n in f_rule.items():
        totals[key] += n
    keys = sorted(
        totals, key=lambda k: (-SEVERITY_RANK.get(rule_severity.get(k), -1), -totals[k], k)
    )
    charts.append(
        Chart(
            slug="findings-rule",
            title=_("待整改问题：按规则"),
            kind="hbar",
            categories=[str(RULES[k].title) if k in RULES else k for k in keys],
            category_urls=[_url(finding_list, scope, rule=k, state="open") for k in keys],
            series=[
                Series(
                    s.value,
                    str(s.label),
                    [f_rule.get((k, s.value), 0) for k in keys],
                    [_url(finding_list, scope, rule=k, severity=s, state="open") for k in keys],
                    COLOURS[s],
                )
                for s in severities
            ],
            stacked=True,
            category_label=_("规则"),
        )
    )
    totals = defaultdict(int)
    for (key, _severity), n in f_unit.items():
        totals[key] += n
    keys = _ranked(totals, totals)
    charts.append(
        Chart(
            slug="findings-unit",
            title=_("待整改问题：按单位"),
            kind="hbar",
            categories=[buckets.label(k) for k in keys],
            category_urls=[_unit_url(finding_list, buckets, k, state="open") for k in keys],
            series=[
                Series(
                    s.value,
                    str(s.label),
                    [f_unit.get((k, s.value), 0) for k in keys],
                    [_unit_url(finding_list, buckets, k, severity=s, state="open") for k in keys],
                    COLOURS[s],
                )
                for s in severities
            ],
            stacked=True,
            category_label=_("单位"),
            bars_shown=UNIT_BARS,
        )
    )

    # 5. activity freshness per unit, ranked
    charts.append(_freshness_chart(freshness, buckets))

    # 6. rounds (清查 / 备案统计): tasks by state; the annual inspection's parts
    charts.append(_rounds_chart(user, tasks))
    inspection = _inspection_chart(user, subtree)
    if inspection is not None:
        charts.append(inspection)

    active = sum(n for (_k, s), n in by_platform.items() if s == AccountStatus.ACTIVE)
    fresh_all = sum(f[FRESH_DAYS[-1]] for f in freshness.values())
    headlines = [
        Headline(
            _("新媒体账号"),
            sum(by_platform.values()),
            _url(account_list, scope),
            _("其中运营中 %(n)s 个") % {"n": active},
        ),
        Headline(
            _("即时群聊（在用）"),
            sum(n for (_k, s), n in g_platform.items() if s == GroupStatus.ACTIVE),
            _url(group_list, scope, status=GroupStatus.ACTIVE),
        ),
        Headline(_("关注人数合计"), sum(audience.values()), _url(account_list, scope)),
        Headline(_("待整改问题"), sum(f_unit.values()), _url(finding_list, scope, state="open")),
        Headline(
            _("%(days)s 天内有发布") % {"days": FRESH_DAYS[-1]},
            f"{100 * fresh_all / active:.0f}%" if active else "—",
            _url(account_list, scope, status=AccountStatus.ACTIVE, posted=FRESH_DAYS[-1]),
            _("运营中账号中的占比"),
        ),
    ]
    if unit is not None:
        scope_label = unit.name
    elif user.sees_everything:
        scope_label = _("全校")
    elif buckets.root is not None:
        scope_label = buckets.names.get(buckets.root, "")
    elif user.scoped_unit_ids:
        scope_label = "、".join(sorted(buckets.names.get(b, "") for b in buckets.bars))
    else:
        scope_label = _("我参与管理的账号和群聊")
    return Dashboard(
        scope_label=scope_label, unit=unit, headlines=headlines, charts=charts, today=today
    )


def _unit_url(list_name: str, buckets: UnitBuckets, bar: int, **params) -> str:
    unit_filter = buckets.filter(bar)
    if not unit_filter:
        return ""
    return _url(list_name, unit_filter, **params)


def _by_unit_chart(*, slug, title, counts, statuses, buckets, list_name) -> Chart:
    totals = defaultdict(int)
    for (key, _status), n in counts.items():
        totals[key] += n
    keys = _ranked(totals, totals)
    return Chart(
        slug=slug,
        title=title,
        kind="hbar",
        categories=[buckets.label(k) for k in keys],
        category_urls=[_unit_url(list_name, buckets, k) for k in keys],
        series=[
            Series(
                s.value,
                str(s.label),
                [counts.get((k, s.value), 0) for k in keys],
                [_unit_url(list_name, buckets, k, status=s.value) for k in keys],
                COLOURS.get(s.value, ""),
            )
            for s in statuses
        ],
        stacked=True,
        category_label=_("单位"),
        bars_shown=UNIT_BARS,
    )


def _months_chart(accounts, *, today: dt.date, scope: dict) -> Chart:
    """Accounts opened (创建时间, else the day entered in Beian) and closed per month, over
    the last MONTHS months."""
    start = _month_start(today, MONTHS - 1)
    months = [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    tz = timezone.get_current_timezone()
    # Grouped by the day and truncated here: SQLite's date truncation is a Python function
    # called on every row, five times slower than these plain scans.
    opened: dict = defaultdict(int)
    days = (
        accounts.filter(created_month__gte=start, created_month__lte=today)
        .order_by()
        .values_list("created_month")
        .annotate(n=Count("pk"))
    )
    for day, n in days:
        opened[day.replace(day=1)] += n
    bounds = [dt.datetime.combine(m, dt.time.min, tzinfo=tz) for m in months]
    bounds.append(dt.datetime.combine(_month_start(today, -1), dt.time.min, tzinfo=tz))
    entered = accounts.filter(created_month__isnull=True, created_at__gte=bounds[0]).aggregate(
        **{
            f"m{i}": Count("pk", filter=Q(created_at__gte=bounds[i], created_at__lt=bounds[i + 1]))
            for i in range(len(months))
        }
    )
    for i, month in enumerate(months):
        opened[month] += entered[f"m{i}"]
    closed: dict = defaultdict(int)
    days = (
        accounts.filter(status=AccountStatus.CLOSED, closed_on__gte=start, closed_on__lte=today)
        .order_by()
        .values_list("closed_on")
        .annotate(n=Count("pk"))
    )
    for day, n in days:
        closed[day.replace(day=1)] += n
    labels = [f"{m:%Y-%m}" for m in months]
    account_list = "registry:account_list"
    return Chart(
        slug="accounts-months",
        title=_("账号开设与注销：近 %(n)s 个月") % {"n": MONTHS},
        kind="bar",
        categories=labels,
        series=[
            Series(
                "opened",
                _("开设"),
                [opened.get(m, 0) for m in months],
                [_url(account_list, scope, opened_month=label) for label in labels],
                COLOURS["opened"],
            ),
            Series(
                "closed",
                _("注销"),
                [closed.get(m, 0) for m in months],
                [
                    _url(account_list, scope, status=AccountStatus.CLOSED, closed_month=label)
                    for label in labels
                ],
                "#d63939",
            ),
        ],
        total=False,
        category_label=_("月份"),
        note=_("开设按账号的创建时间（未填写的按录入本系统的日期），注销按注销日期"),
    )


def _freshness_chart(freshness: dict, buckets: UnitBuckets) -> Chart:
    """Share of each unit's active accounts whose last known post is at most 30 / 90 days
    old, ranked best first."""

    def share(bar, days):
        active = freshness[bar]["active"]
        return round(100 * freshness[bar][days] / active, 1) if active else 0.0

    keys = sorted(
        (k for k in freshness if freshness[k]["active"]),
        key=lambda k: (-share(k, FRESH_DAYS[0]), -share(k, FRESH_DAYS[-1]), buckets.label(k)),
    )
    account_list = "registry:account_list"
    active = AccountStatus.ACTIVE
    return Chart(
        slug="freshness-unit",
        title=_("账号活跃度：按单位排名"),
        kind="hbar",
        categories=[buckets.label(k) for k in keys],
        category_urls=[_unit_url(account_list, buckets, k, status=active) for k in keys],
        series=[
            Series(
                f"fresh{days}",
                _("%(days)s 天内有发布") % {"days": days},
                [share(k, days) for k in keys],
                [_unit_url(account_list, buckets, k, status=active, posted=days) for k in keys],
                COLOURS[f"fresh{days}"],
            )
            for days in FRESH_DAYS
        ],
        percent=True,
        category_label=_("单位"),
        note=_("运营中账号里，最近一次发布（订阅源、年检、填报或导入的记录）在期限内的占比"),
        extra=[
            (_("运营中账号"), [freshness[k]["active"] for k in keys]),
            *(
                (
                    _("%(days)s 天内有发布（个）") % {"days": days},
                    [freshness[k][days] for k in keys],
                )
                for days in FRESH_DAYS
            ),
            (
                _("%(days)s 天内无发布（个）") % {"days": FRESH_DAYS[-1]},
                [freshness[k]["active"] - freshness[k][FRESH_DAYS[-1]] for k in keys],
            ),
        ],
        bars_shown=UNIT_BARS,
    )


def _rounds_chart(user, tasks) -> Chart:
    """The latest rounds the user takes part in: their units' tasks by state."""
    campaigns = list(
        Campaign.objects.visible_to(user)
        .exclude(status=CampaignStatus.DRAFT)
        .filter(pk__in=tasks.values("campaign_id"))
        .order_by("-status", "-deadline", "-pk")  # "open" > "closed": open rounds first
        .values_list("pk", "title", "status")[:ROUNDS]
    )
    ids = [pk for pk, _title, _status in campaigns]
    counts = {
        (campaign_id, state): n
        for campaign_id, state, n in tasks.filter(campaign_id__in=ids)
        .order_by()
        .values_list("campaign_id", "state")
        .annotate(n=Count("pk"))
    }

    def link(pk, state=None):
        if user.sees_everything:
            url = reverse("campaigns:campaign_board", args=[pk])
            return f"{url}?{urlencode({'state': state})}" if state else url
        return reverse("campaigns:campaign_detail", args=[pk])

    labels = []
    for _pk, title, status in campaigns:
        labels.append(
            title if status == CampaignStatus.OPEN else _("%(t)s（已结束）") % {"t": title}
        )
    return Chart(
        slug="rounds",
        title=_("填报任务/清查进度：各单位任务状态"),
        kind="hbar",
        categories=labels,
        category_urls=[link(pk) for pk in ids],
        series=[
            Series(
                s.value,
                str(s.label),
                [counts.get((pk, s.value), 0) for pk in ids],
                [link(pk, s.value) for pk in ids],
                COLOURS[s],
            )
            for s in TaskState
        ],
        stacked=True,
        category_label=_("任务"),
    )


def _inspection_chart(user, subtree: list[int] | None) -> Chart | None:
    """The open annual inspection (年检): each unit's forms by progress. None when the
    inspections app is not installed or has no open round the user takes part in."""
    from django.apps import apps

    if not apps.is_installed("beian.inspections"):
        return None
    try:
        from beian.inspections import selectors as inspections
        from beian.inspections.choices import FormState

        current = inspections.current_inspection(user)
        if current is None:
            return None
        parts = inspections.part_progress(user, current)
    except (ImportError, AttributeError):  # an older or newer inspections app
        return None
    if subtree is not None:
        parts = [p for p in parts if p.unit_id in set(subtree)]
    parts.sort(key=lambda p: (-(p.total - p.filled), p.unit.name))
    urls = [reverse("inspections:part_detail", args=[p.pk]) for p in parts]
    pending = [p.total - p.filled for p in parts]
    rectifying = [p.rectifying for p in parts]
    done = [p.filled - p.rectifying for p in parts]
    return Chart(
        slug="inspection",
        title=_("年检进度：%(title)s") % {"title": current},
        kind="hbar",
        categories=[p.unit.name for p in parts],
        category_urls=urls,
        series=[
            Series("pending", str(FormState.PENDING.label), pending, urls, "#9ba9be"),
            Series("rectifying", str(FormState.RECTIFYING.label), rectifying, urls, "#f76707"),
            Series("done", _("已填写"), done, urls, "#2fb344"),
        ],
        stacked=True,
        category_label=_("单位"),
        note=_("每个单位的年检表：待填写、整改中、已填写（含待评定和已评定）"),
        bars_shown=UNIT_BARS,
    )
