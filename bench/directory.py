"""The public directory over 200,000 accounts (issue 12): search and "is this official?"
p95 server-side through Django's test client (middleware included, page cache off), each
held to 50 ms; the school admin's dashboard over the same accounts, uncached (300 ms; the
dashboard's own figures in `bench/dashboard.py`); then requests per second of the public
search against gunicorn with 2 workers on loopback, driven by a bounded asyncio httpx load
generator (16 in flight). SQLite by default; PostgreSQL with
`bash scripts/with-postgres.sh .venv/bin/python bench/directory.py`.

Accounts are bulk-inserted with their pinyin keys (as the registry's bulk upsert stores
them); 60 % are published (active, filed, tiers 1–2), the rest tier 3, personal, closed or
unfiled, so the check has unpublished records to step around.
"""

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _setup import ROOT, django_on_database

N_UNITS = 200
N_ACCOUNTS = 200_000
TARGET = 0.050
DASHBOARD_TARGET = 0.300
WORDS = ["新闻", "青年", "团委", "学生会", "招生", "就业", "图书馆", "校友", "研究生", "科协",
         "志愿者", "心理", "体育", "艺术团", "实验室", "书院", "国际", "后勤", "保卫", "信息"]  # fmt: skip
PLATFORMS = ["wechat_official", "weibo", "douyin", "bilibili", "website_campus", "xiaohongshu"]


def external_id(code: str, i: int) -> tuple[str, str]:
    if code == "weibo":
        return f"https://weibo.com/u/{5_000_000_000 + i}", ""
    if code == "bilibili":
        return f"https://space.bilibili.com/{10_000_000 + i}", ""
    if code == "douyin":
        return f"dy_{i}", f"https://www.douyin.com/user/MS4wLjABAAAA{i:08d}"
    if code == "website_campus":
        return f"https://site{i}.example.edu.cn/", ""
    return f"acct_{i}", ""


def load(cast):
    import datetime as dt

    from django.db import transaction

    from beian.core.fastpinyin import pinyin_keys_many
    from beian.registry.models import MediaAccount, Platform
    from beian.testing import make_unit

    with transaction.atomic():
        units = [make_unit(f"第{i:03d}学院", parent=cast.school) for i in range(N_UNITS)]
    platforms = {p.code: p for p in Platform.objects.filter(code__in=PLATFORMS)}
    names = [f"{units[i % N_UNITS].name}{WORDS[i % len(WORDS)]}{i}" for i in range(N_ACCOUNTS)]
    keys = pinyin_keys_many(names)
    accounts = []
    for i, name in enumerate(names):
        code = PLATFORMS[i % len(PLATFORMS)]
        ext, url = external_id(code, i)
        kind = i % 10
        accounts.append(
            MediaAccount(
                name=name,
                name_pinyin=keys[i][0],
                name_initials=keys[i][1],
                platform=platforms[code],
                owner_unit=units[i % N_UNITS],
                external_id=ext,
                url=url,
                tier=3 if kind == 6 else 1 + kind % 2,
                is_personal=kind == 7,
                status="closed" if kind == 8 else "active",
                closed_on=dt.date(2025, 6, 30) if kind == 8 else None,
                closed_reason="停止运营" if kind == 8 else "",
                filing_state="unfiled" if kind == 9 else "filed",
                registration_number="" if kind == 9 else f"HS-2026-{i:06d}",
                created_month=dt.date(2020, 1, 1),
            )
        )
    with transaction.atomic():
        MediaAccount.objects.bulk_create(accounts, batch_size=5000)
    return names


def p95(client, urls: list[str]) -> tuple[float, float]:
    times = []
    for url in urls:
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def line(label: str, median: float, p95_: float) -> str:
    ok = "ok" if p95_ <= TARGET else "MISSED"
    return f"{label:<40} median {median * 1000:6.1f} ms  p95 {p95_ * 1000:6.1f} ms  (target p95 {TARGET * 1000:.0f} ms) {ok}"


def dashboard_line(cast) -> str:
    """The school admin's 数据看板 over every account, computed on each request."""
    from django.core.cache import cache
    from django.test import Client

    from beian.dashboard import views

    views.CACHE_SECONDS = 0
    client = Client()
    client.force_login(cast.school_admin)
    client.get("/dashboard/")  # warm-up
    times = []
    for _ in range(5):
        cache.clear()
        t0 = time.perf_counter()
        response = client.get("/dashboard/")
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    median = statistics.median(times)
    ok = "ok" if median <= DASHBOARD_TARGET else "MISSED"
    return (
        f"{'dashboard, school admin (5 uncached)':<40} median {median * 1000:6.1f} ms  "
        f"(target {DASHBOARD_TARGET * 1000:.0f} ms: {median / DASHBOARD_TARGET:.2f} of it) {ok}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def hammer(base: str, paths: list[str], seconds: float, concurrency: int = 16):
    import httpx

    done, errors, latencies = 0, 0, []
    stop = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def worker(n: int):
            nonlocal done, errors
            k = n
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    response = await client.get(paths[k % len(paths)])
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                k += concurrency
                if response.status_code == 200:
                    done += 1
                else:
                    errors += 1

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return done, errors, latencies


def main() -> None:
    database = django_on_database("directory")
    from urllib.parse import quote

    from django.db import transaction
    from django.test import Client

    from beian.publication import services
    from beian.testing import Cast

    with transaction.atomic():
        cast = Cast()
        services.publication_settings_update(
            root=cast.school, actor=cast.school_admin, directory=True, validity="public"
        )
    t0 = time.perf_counter()
    names = load(cast)
    print(
        f"{database}: loaded {N_ACCOUNTS:,} accounts over {N_UNITS} units "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    rng = random.Random(12)
    client = Client()
    client.get("/directory/check/?q=华水")  # warm up: jieba and the name guard load once
    searches = [f"/directory/?q={quote(w)}" for w in WORDS]
    searches += [f"/directory/?q={quote(names[rng.randrange(N_ACCOUNTS)])}" for _ in range(40)]
    searches += [f"/directory/?q={quote(names[rng.randrange(N_ACCOUNTS)][:5])}" for _ in range(20)]
    searches += ["/directory/?q=dyyxx", "/directory/?platform=bilibili", "/directory/"] * 5
    checks = [f"/directory/check/?q={quote(names[rng.randrange(N_ACCOUNTS)])}" for _ in range(40)]
    checks += [f"/directory/check/?q={quote(f'https://m.weibo.cn/u/{5_000_000_000 + i}')}"
               for i in range(1, N_ACCOUNTS, 6 * 4001)]  # fmt: skip
    checks += [f"/directory/check/?q={quote(f'https://space.bilibili.com/{10_000_000 + i}')}"
               for i in range(3, N_ACCOUNTS, 6 * 4001)]  # fmt: skip
    checks += [f"/directory/check/?q={quote('滑水大学招生办')}", "/directory/check/?q=acct_12"] * 5
    validity = [f"/api/v1/validity/?url={quote(f'https://weibo.com/u/{5_000_000_000 + i}')}"
                for i in range(1, N_ACCOUNTS, 6 * 2001)]  # fmt: skip
    print(line(f"directory search ({len(searches)} requests)", *p95(client, searches)))
    print(line(f"is this official? ({len(checks)} requests)", *p95(client, checks)))
    print(line(f"validity endpoint ({len(validity)} requests)", *p95(client, validity)))
    print(dashboard_line(cast))

    port = free_port()
    env = dict(os.environ)  # the same database (DATABASE_URL, set by django_on_database)
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                import httpx

                if httpx.get(base + "/directory/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        asyncio.run(hammer(base, searches, 3))  # warm both workers
        seconds = 15
        done, errors, latencies = asyncio.run(hammer(base, searches, seconds))
        latencies.sort()
        print(
            f"public search, gunicorn 2 workers, 16 in flight, {seconds} s: "
            f"{done / seconds:.0f} requests/s ({done} ok, {errors} errors), "
            f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
