"""API lists with 100,000 chat groups: server-side time of /api/groups/ (page of 50) and
the other lists for a school admin and a unit admin, by session and by token; and the
cost of token authentication per request (token minus session, on the cheapest endpoint).

Target (issue 13): list endpoints ≤ 200 ms server-side. Prints each figure and its ratio.
"""

import statistics
import time

from _setup import django_on_fresh_sqlite

N_GROUPS = 100_000
TARGET_MS = 200.0
RUNS = 7


def median_ms(client, url, **headers) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    django_on_fresh_sqlite("api")
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    from beian.api import services
    from beian.registry.models import ChatGroup, Platform
    from beian.testing import Cast

    settings.BEIAN_API_TOKEN_RATE = "1000000/m"
    with transaction.atomic():
        cast = Cast()
    units = [cast.cs, cast.se, cast.lit, cast.propaganda, cast.league, cast.union]
    platforms = list(Platform.objects.filter(for_groups=True))
    words = ["教职工", "辅导员", "班级", "科研", "教学", "通知", "实验室", "学生会", "迎新", "考研"]
    started = time.perf_counter()
    with transaction.atomic():
        batch = []
        for i in range(N_GROUPS):
            batch.append(
                ChatGroup(
                    name=f"{units[i % len(units)].name}{words[i % len(words)]}群{i}",
                    platform=platforms[i % len(platforms)],
                    owner_unit=units[i % len(units)],
                    member_count=5 + i % 400,
                    group_number=str(100000 + i),
                )
            )
            if len(batch) == 5000:
                ChatGroup.objects.bulk_create(batch)
                batch = []
        ChatGroup.objects.bulk_create(batch)
    print(f"loaded {ChatGroup.objects.count():,} groups in {time.perf_counter() - started:.1f} s")

    cases = [
        ("groups, first page", "/api/groups/"),
        ("groups, page 600", "/api/groups/?page=600"),
        ("groups, search 辅导员", "/api/groups/?q=辅导员"),
        ("groups, unit subtree", f"/api/groups/?unit={cast.cs.pk}"),
        ("accounts", "/api/accounts/"),
        ("units", "/api/units/"),
        ("people", "/api/people/"),
    ]
    worst = 0.0
    for who in (cast.school_admin, cast.cs_unit_admin):
        session = Client()
        session.force_login(who)
        _, secret = services.token_create(actor=who, name="bench")
        token = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for label, url in cases:
            for how, client in (("session", session), ("token", token)):
                ms = median_ms(client, url)
                worst = max(worst, ms)
                print(
                    f"{who.username:>14} {how:<7} {label:<24} {ms:7.1f} ms  "
                    f"(target {TARGET_MS:.0f} ms: {TARGET_MS / ms:.1f}x under)"
                )
    print(
        f"worst median: {worst:.1f} ms = {worst / TARGET_MS:.2f} of the {TARGET_MS:.0f} ms target"
    )

    # Token overhead: the platform catalogue (no unit query), many runs, session vs token.
    who = cast.auditor
    session = Client()
    session.force_login(who)
    _, secret = services.token_create(actor=who, name="overhead")
    token = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = "/api/platforms/?page_size=1"
    for client in (session, token):  # warm up (first use is audited)
        client.get(url)
    runs = 300
    per = {}
    for how, client in (("session", session), ("token", token)):
        t0 = time.perf_counter()
        for _ in range(runs):
            client.get(url)
        per[how] = (time.perf_counter() - t0) * 1000 / runs
    print(
        f"authentication per request: session {per['session']:.2f} ms, token {per['token']:.2f} ms, "
        f"token overhead {per['token'] - per['session']:+.2f} ms"
    )


if __name__ == "__main__":
    main()
