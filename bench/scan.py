"""Full compliance scan at a province's scale: 200,000 accounts and 1,000,000 chat groups
(with ~640,000 team memberships, 100,000 group admins, 50,000 people, ~1,000 units) in a
fresh SQLite file, then `scan_all()` three times: the first scan creates every finding, the
second is the steady state of a nightly run, the third runs a day later, when every
zombie message changes. The data is a stress case: about 44 % of the records break a rule
(e.g. last post dates spread over 400 days, so most accounts are zombies).

Targets (issue 5): a full scan under 60 s and under 1 GB of memory. The scan runs in a
child process so that its peak memory (ru_maxrss) is its own, not the data generator's.
Prints each figure and its ratio to the target.
"""

import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from _setup import django_on_fresh_sqlite

N_ACCOUNTS = 200_000
N_GROUPS = 1_000_000
N_PEOPLE = 50_000
COLLEGES = 60
SUB_UNITS = 16
BATCH = 50_000
TARGET_SECONDS = 60.0
TARGET_MB = 1024.0


def insert(cursor, model, rows, fields):
    """Raw multi-row insert of `rows` (tuples in the order of `fields`); every other column
    gets its model default."""
    columns, defaults = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.name not in fields:
            continue
        columns.append(f.column)
        if f.name in fields or f.attname in fields:
            defaults.append(None)
        else:
            default = f.get_default()
            defaults.append(default if default is not None or f.null else "")
    index = {name: i for i, name in enumerate(fields)}
    positions = [
        index.get(f.name, index.get(f.attname))
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.name not in fields)
    ]
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    cursor.executemany(
        sql,
        [
            tuple(row[p] if p is not None else d for p, d in zip(positions, defaults, strict=True))
            for row in rows
        ],
    )


def generate() -> Path:
    path = django_on_fresh_sqlite("scan")
    from django.db import connection, transaction
    from django.utils import timezone

    from beian.orgs.models import Institution, Person, Unit
    from beian.registry.models import (
        AccountMember,
        ChatGroup,
        GroupMember,
        MediaAccount,
        Platform,
    )

    rng = random.Random(20250630)
    now = timezone.now()
    today = timezone.localdate()
    started = time.perf_counter()
    Institution.objects.create(
        full_name="华北水利水电大学",
        short_names=["华水", "华北水院"],
        initials=["NCWU"],
        domains=["ncwu.edu.cn"],
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # units: the school, colleges and departments, and below each of them sub-units
        school = Unit.objects.create(name="华北水利水电大学", kind="school")
        kinds = ["college", "department", "school_student_org"]
        sub_kinds = ["division", "teaching_office", "student_org", "class", "league_branch"]
        rows, pk = [], school.pk
        second = []
        for c in range(COLLEGES):
            pk += 1
            second.append(pk)
            rows.append((pk, now, now, f"学院{c:02d}", kinds[c % 3], school.pk, True))
            parent = pk
            for s in range(SUB_UNITS):
                pk += 1
                rows.append(
                    (pk, now, now, f"学院{c:02d}单位{s:02d}", sub_kinds[s % 5], parent, True)
                )
        fields = ("id", "created_at", "updated_at", "name", "kind", "parent", "is_active")
        insert(cursor, Unit, rows, fields)
        units = [row[0] for row in rows]
        unit_kind = {row[0]: row[4] for row in rows}

        rows = []
        for i in range(N_PEOPLE):
            kind = "staff" if i % 5 < 3 else "student"
            status = "in_post" if i % 20 else ("left" if kind == "staff" else "graduated")
            mobile = "" if i % 25 == 0 else f"138{i:08d}"
            rows.append(
                (
                    i + 1,
                    now,
                    now,
                    f"人员{i}",
                    f"N{i:07d}",
                    kind,
                    units[i % len(units)],
                    status,
                    mobile,
                )
            )
        fields = (
            "id",
            "created_at",
            "updated_at",
            "name",
            "number",
            "kind",
            "unit",
            "status",
            "mobile",
        )
        insert(cursor, Person, rows, fields)
        staff = [r[0] for r in rows if r[5] == "staff" and r[7] == "in_post"]
        everyone = [r[0] for r in rows]
        heads = {u: staff[i] for i, u in enumerate(second)}
        cursor.executemany(
            "UPDATE orgs_unit SET head_id = %s WHERE id = %s", [(h, u) for u, h in heads.items()]
        )
        parent_of = dict(Unit.objects.values_list("pk", "parent_id"))

        platforms = list(Platform.objects.filter(for_groups=False).values_list("pk", "code"))
        group_platforms = list(
            Platform.objects.filter(for_groups=True).values_list("pk", flat=True)
        )

        # accounts, in batches (the generator's memory stays small)
        fields = (
            "id",
            "created_at",
            "updated_at",
            "platform",
            "name",
            "external_id",
            "owner_unit",
            "tier",
            "is_personal",
            "is_official",
            "created_month",
            "verified",
            "audience",
            "status",
            "filing_state",
            "registration_number",
            "last_post_date",
        )
        official_taken = set()
        for start in range(0, N_ACCOUNTS, BATCH):
            rows, members = [], []
            for i in range(start, min(start + BATCH, N_ACCOUNTS)):
                unit = units[rng.randrange(len(units))]
                platform, code = platforms[i % len(platforms)]
                personal = i % 33 == 0
                tier = 3 if personal or unit not in heads else 2
                official = not personal and (unit, platform) not in official_taken or i % 997 == 0
                official_taken.add((unit, platform))
                name = f"华水考研{i}" if personal and i % 2 else f"单位{unit}账号{i}"
                if i % 1000 == 7:
                    name = f"滑水大学表白墙{i}"
                filed = i % 10 != 0 and not name.startswith(("华水", "滑水"))
                last_post = None if i % 11 == 0 else today - timedelta(days=rng.randrange(400))
                rows.append(
                    (
                        i + 1,
                        now,
                        now,
                        platform,
                        name,
                        f"id{i:07d}",
                        unit,
                        tier,
                        personal,
                        official,
                        date(2015 + i % 11, 1 + i % 12, 1),
                        i % 4 != 0,
                        rng.randrange(120_000),
                        "active" if i % 50 else "suspended",
                        "filed" if filed else "unfiled",
                        f"HS-{i:07d}" if filed else "",
                        last_post,
                    )
                )
                top = unit if unit in heads else parent_of[unit]
                head = heads.get(top, staff[0])
                first = head if i % 10 else staff[i % len(staff)]
                members += [
                    (i + 1, "first_responsible", first),
                    (i + 1, "reviewer", everyone[(i * 7) % len(everyone)]),
                    (i + 1, "operator", everyone[(i * 13) % len(everyone)]),
                ]
                if unit_kind[unit] in ("student_org", "class", "league_branch") and i % 3:
                    members.append((i + 1, "advisor", staff[(i * 3) % len(staff)]))
            insert(cursor, MediaAccount, rows, fields)
            insert(cursor, AccountMember, members, ("record", "role", "person"))

        fields = (
            "id",
            "created_at",
            "updated_at",
            "platform",
            "name",
            "group_number",
            "owner_unit",
            "creator",
            "member_count",
            "has_outside_members",
            "outside_member_count",
            "created_month",
            "is_temporary",
            "temporary_until",
            "status",
            "registered",
        )
        for start in range(0, N_GROUPS, BATCH):
            rows, admins = [], []
            for i in range(start, min(start + BATCH, N_GROUPS)):
                members = 3 + rng.randrange(500)
                outside = i % 33 == 0
                temporary = i % 20 == 0
                rows.append(
                    (
                        i + 1,
                        now,
                        now,
                        group_platforms[i % len(group_platforms)],
                        f"工作群{i}",
                        str(100_000 + i),
                        units[i % len(units)],
                        everyone[i % len(everyone)],
                        members,
                        outside,
                        min(members, 3) if outside else 0,
                        date(2018 + i % 8, 1 + i % 12, 1),
                        temporary,
                        today + timedelta(days=rng.randrange(-200, 200)) if temporary else None,
                        "active",
                        i % 10 != 0,
                    )
                )
                if i % 10 == 0:
                    admins.append((i + 1, "admin", everyone[(i * 11) % len(everyone)]))
            insert(cursor, ChatGroup, rows, fields)
            insert(cursor, GroupMember, admins, ("record", "role", "person"))
    print(
        f"generated {N_ACCOUNTS:,} accounts, {N_GROUPS:,} groups, {N_PEOPLE:,} people, "
        f"{len(units):,} units in {time.perf_counter() - started:.1f} s "
        f"(generator peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )
    connection.close()
    return path


def scan(path: str) -> None:
    """In the child process: two full scans of the generated database."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["BEIAN_DATA_DIR"] = str(Path(path).parent)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from beian.compliance.engine import scan_all
    from beian.compliance.models import Finding

    runs = (
        ("first full scan (creates every finding)", timezone.now()),
        ("second full scan (steady state)", timezone.now()),
        (
            "full scan a day later (every zombie message changes)",
            timezone.now() + timedelta(days=1),
        ),
    )
    for label, now in runs:
        started = time.perf_counter()
        run = scan_all(now=now)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{label}: {run.records:,} records, {seconds:.1f} s "
            f"({seconds / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:.0f} s target), "
            f"created {run.created:,}, resolved {run.resolved:,}; peak memory {peak:.0f} MB "
            f"({peak / TARGET_MB:.2f} of the {TARGET_MB:.0f} MB target)"
        )
    counts = Finding.objects.values("rule").annotate(n=Count("pk")).order_by("-n")
    print("findings: " + ", ".join(f"{c['rule']} {c['n']:,}" for c in counts))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--scan":
        scan(sys.argv[2])
        return
    path = generate()
    subprocess.run([sys.executable, __file__, "--scan", str(path)], check=True)


if __name__ == "__main__":
    main()
