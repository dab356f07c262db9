"""The annual inspection at a university's size (issue 11): opening a round over 100 units
and 3,000 registered accounts (one form each, pre-filled from the registry and the team),
and the school's grading page (100 forms a page, filtered to 待评定), each printed against
its target: open <= 5 s; grading page <= 300 ms server-side (median of 5 requests through
Django's test client, no network). Every form is then set to 待评定 directly in the
database, as if the units had submitted, so the grading page has work to do.
"""

import statistics
import time

from _setup import django_on_fresh_sqlite

N_UNITS = 100
N_ACCOUNTS = 3_000
TARGETS = {"open": 5.0, "grading": 0.300, "results": 0.300}


def line(label: str, seconds: float, target: float) -> str:
    ok = "ok" if seconds <= target else "MISSED"
    unit, value, goal = (
        ("ms", seconds * 1000, target * 1000) if target < 1 else ("s", seconds, target)
    )
    return (
        f"{label:<44} {value:8.1f} {unit}  (target {goal:.0f} {unit}: "
        f"{seconds / target:.2f} of it) {ok}"
    )


def median_get(client, url: str, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    django_on_fresh_sqlite("inspection")
    import datetime as dt

    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from beian.inspections import services
    from beian.inspections.models import InspectionForm
    from beian.registry.models import AccountMember, MediaAccount, Platform
    from beian.testing import Cast, make_person, make_unit

    with transaction.atomic():
        cast = Cast()
        units = [make_unit(f"第{i:03d}学院", parent=cast.school) for i in range(N_UNITS)]
        people = [make_person(f"运营者{i}", unit=units[i % N_UNITS]) for i in range(300)]
        platforms = list(Platform.objects.filter(for_groups=False))
        MediaAccount.objects.bulk_create(
            [
                MediaAccount(
                    name=f"{units[i % N_UNITS].name}账号{i}",
                    platform=platforms[i % len(platforms)],
                    owner_unit=units[i % N_UNITS],
                    external_id=f"bench_{i}",
                    tier=2,
                    filing_state="filed",
                    audience=1000 + i,
                    created_month=dt.date(2020, 1 + i % 12, 1),
                    last_post_date=dt.date(2026, 1 + i % 11, 1),
                )
                for i in range(N_ACCOUNTS)
            ],
            batch_size=2000,
        )
        accounts = list(MediaAccount.objects.filter(external_id__startswith="bench_"))
        AccountMember.objects.bulk_create(
            [AccountMember(record=a, role="operator", person=people[i % 300]) for i, a in enumerate(accounts)],
            batch_size=2000,
        )  # fmt: skip
    n = MediaAccount.objects.filter(filing_state="filed").count()

    t0 = time.perf_counter()
    inspection = services.inspection_open(actor=cast.school_admin, owner_unit=cast.school)
    opened = time.perf_counter() - t0
    forms = InspectionForm.objects.filter(inspection=inspection).count()
    print(f"inspection of {n} registered accounts: {forms} forms, {inspection.parts.count()} parts")
    print(line("open (forms, parts, history, audit)", opened, TARGETS["open"]))

    InspectionForm.objects.filter(inspection=inspection).update(
        state="submitted", posts_this_year=10, had_violations=False, was_punished=False,
        had_complaints=False, content_review=True, self_assessment="正常",
    )  # fmt: skip
    client = Client()
    client.force_login(cast.school_admin)
    grading = median_get(client, reverse("inspections:grading", args=[inspection.pk]))
    print(line("grading page (待评定, 100 a page)", grading, TARGETS["grading"]))
    results = median_get(client, reverse("inspections:inspection_results", args=[inspection.pk]))
    print(line("results page (counts by unit, 100 a page)", results, TARGETS["results"]))


if __name__ == "__main__":
    main()
