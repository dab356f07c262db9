"""The dashboard (数据看板) over 200,000 accounts (issue 12): 120 二级单位 with a sub-unit
each, 200,000 accounts over every platform (some closed, most with an audience and a last
post date), 20,000 groups and 10,000 open findings.

Target: the dashboard page <= 300 ms server-side (median of 5 requests through Django's
test client, no network, after one warm-up request), computed on every request: the cache
is cleared before each request, so every figure is the honest uncached one. Measured for
the school admin (the whole school), the school admin's view of one college (`?unit=`),
a unit admin (a college's subtree) and one chart's Excel download; then, for comparison,
as served within the minute a computed dashboard is kept
(`beian.dashboard.views.CACHE_SECONDS`).

SQLite by default (a fresh file); PostgreSQL when DATABASE_URL names one, e.g.
`bash scripts/with-postgres.sh .venv/bin/python bench/dashboard.py`.
"""

import statistics
import time

from _setup import django_on_database

N_UNITS = 120
N_ACCOUNTS = 200_000
N_GROUPS = 20_000
N_FINDINGS = 10_000
TARGET = 0.300


def line(label: str, seconds: float, target: float) -> str:
    ok = "ok" if seconds <= target else "MISSED"
    return (
        f"{label:<52} {seconds * 1000:8.1f} ms  (target {target * 1000:.0f} ms: "
        f"{seconds / target:.2f} of it) {ok}"
    )


def median_get(client, url: str, n: int = 5, *, uncached: bool = True) -> float:
    from django.core.cache import cache

    client.get(url)  # warm-up
    times = []
    for _ in range(n):
        if uncached:
            cache.clear()  # nothing kept from the warm-up or the previous request
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def load(cast):
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from beian.compliance.models import Finding
    from beian.orgs.choices import UnitKind
    from beian.registry.models import ChatGroup, MediaAccount, Platform
    from beian.testing import make_unit

    today = timezone.localdate()
    with transaction.atomic():
        colleges = [make_unit(f"第{i:03d}学院", parent=cast.school) for i in range(N_UNITS)]
        subs = [make_unit(f"{c.name}一系", kind=UnitKind.DIVISION, parent=c) for c in colleges]
    units = colleges + subs
    account_platforms = list(Platform.objects.filter(for_groups=False))
    group_platforms = list(Platform.objects.filter(for_groups=True))
    accounts = []
    for i in range(N_ACCOUNTS):
        unit = units[i % len(units)]
        closed = i % 25 == 0
        accounts.append(
            MediaAccount(
                name=f"{unit.name}账号{i}",
                platform=account_platforms[i % len(account_platforms)],
                owner_unit=unit,
                external_id=f"bench_{i}",
                tier=unit.default_tier,
                created_month=dt.date(2019 + i % 8, 1 + i % 12, 1) if i % 10 else None,
                audience=(i * 37) % 50_000 if i % 3 else None,
                last_post_date=today - dt.timedelta(days=i % 200) if i % 7 else None,
                status="closed" if closed else ("suspended" if i % 41 == 0 else "active"),
                closed_on=today - dt.timedelta(days=i % 700) if closed else None,
                closed_reason="合并" if closed else "",
            )
        )
    groups = [
        ChatGroup(
            name=f"工作群{i}",
            platform=group_platforms[i % len(group_platforms)],
            owner_unit=units[i % len(units)],
            member_count=20 + i % 300,
            group_number=str(300000 + i),
            status="active",
        )
        for i in range(N_GROUPS)
    ]
    with transaction.atomic():
        MediaAccount.objects.bulk_create(accounts, batch_size=5000)
        ChatGroup.objects.bulk_create(groups, batch_size=5000)
        now = timezone.now()
        rules = ["account_not_verified", "account_unfiled", "zombie_account"]
        findings = [
            Finding(
                rule=rules[n % len(rules)],
                severity=("warning", "attention", "serious")[n % 3],
                account_id=pk,
                owner_unit_id=unit_id,
                message="bench",
                fingerprint=f"{pk:032d}",
                first_seen=now,
                last_seen=now,
            )
            for n, (pk, unit_id) in enumerate(
                MediaAccount.objects.filter(external_id__startswith="bench_")
                .order_by("pk")
                .values_list("pk", "owner_unit_id")[:N_FINDINGS]
            )
        ]
        Finding.objects.bulk_create(findings, batch_size=5000)
    return colleges[0]


def main() -> None:
    database = django_on_database("dashboard")
    from django.test import Client
    from django.urls import reverse

    from beian.testing import Cast, make_user
    from beian.users.choices import Role

    cast = Cast()
    t0 = time.perf_counter()
    college = load(cast)
    print(
        f"{database}: loaded {N_ACCOUNTS:,} accounts, {N_GROUPS:,} groups, "
        f"{N_FINDINGS:,} findings, {2 * N_UNITS} units in {time.perf_counter() - t0:.1f} s"
    )
    unit_admin = make_user("bench_unit_admin", role=Role.UNIT_ADMIN, unit=college)
    from beian.dashboard import views

    url = reverse("dashboard")
    pages = (
        ("school admin, whole school", cast.school_admin, url),
        ("school admin, one college (?unit=)", cast.school_admin, f"{url}?unit={college.pk}"),
        ("unit admin, own college", unit_admin, url),
        ("Excel of one chart, school", cast.school_admin,
         reverse("dashboard_export", args=["accounts-unit"])),
    )  # fmt: skip
    computed = []
    for cache_seconds, how in ((0, "uncached"), (60, "kept a minute")):
        views.CACHE_SECONDS = cache_seconds
        for label, user, page in pages:
            client = Client()
            client.force_login(user)
            seconds = median_get(client, page, uncached=not cache_seconds)
            if not cache_seconds:
                computed.append(seconds)
            print(line(f"{label} ({how})", seconds, TARGET))
    worst = max(computed)
    print(f"worst uncached page / target: {worst * 1000:.1f} ms / {TARGET * 1000:.0f} ms = "
          f"{worst / TARGET:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
