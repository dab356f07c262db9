"""List pages with 100,000 chat groups: server-side time of the groups list for a school
admin and a unit admin, first page, a search, a filter and a sort.

Target (issue 2): under 300 ms server-side. Prints each figure and its ratio to the target.
"""

import statistics
import time

from _setup import django_on_fresh_sqlite

N_GROUPS = 100_000
TARGET_MS = 300.0


def main() -> None:
    django_on_fresh_sqlite("list")
    from django.db import transaction
    from django.test import Client

    from beian.core.text import pinyin_keys
    from beian.registry.models import ChatGroup, Platform
    from beian.testing import Cast

    with transaction.atomic():
        cast = Cast()
    units = [cast.cs, cast.se, cast.lit, cast.propaganda, cast.league, cast.union]
    platforms = list(Platform.objects.filter(for_groups=True))
    words = ["教职工", "辅导员", "班级", "科研", "教学", "通知", "实验室", "学生会", "迎新", "考研"]
    started = time.perf_counter()
    batch = []
    with transaction.atomic():
        for i in range(N_GROUPS):
            name = f"{units[i % len(units)].name}{words[i % len(words)]}群{i}"
            full, initials = pinyin_keys(name) if i < 2000 else ("", "")
            batch.append(
                ChatGroup(
                    name=name,
                    platform=platforms[i % len(platforms)],
                    owner_unit=units[i % len(units)],
                    member_count=5 + i % 400,
                    group_number=str(100000 + i),
                    name_pinyin=full,
                    name_initials=initials,
                )
            )
            if len(batch) == 5000:
                ChatGroup.objects.bulk_create(batch)
                batch = []
        ChatGroup.objects.bulk_create(batch)
    print(f"loaded {ChatGroup.objects.count():,} groups in {time.perf_counter() - started:.1f} s")

    cases = [
        ("first page", ""),
        ("search 辅导员", "?q=辅导员"),
        ("search group number", "?q=100123"),
        ("filter unit subtree", f"?unit={cast.cs.pk}"),
        ("filter min members + sort", "?min_members=200&sort=-member_count"),
        ("page 500", "?page=500"),
    ]
    worst = 0.0
    for who in (cast.school_admin, cast.cs_unit_admin):
        client = Client()
        client.force_login(who)
        for label, query in cases:
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                response = client.get(f"/registry/groups/{query}")
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (label, response.status_code)
            ms = statistics.median(times)
            worst = max(worst, ms)
            print(
                f"{who.username:>14} {label:<28} {ms:7.1f} ms  (target {TARGET_MS:.0f} ms: "
                f"{TARGET_MS / ms:.1f}x under)"
            )
    print(
        f"worst median: {worst:.1f} ms = {worst / TARGET_MS:.2f} of the {TARGET_MS:.0f} ms target"
    )


if __name__ == "__main__":
    main()
