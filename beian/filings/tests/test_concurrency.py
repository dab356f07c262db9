"""Registration numbers stay unique and gapless when approvals race."""

import threading

import pytest
from django.db import connection, connections

from beian.filings import services
from beian.filings.models import Filing, RegistrationCounter

from .factories import apply_new, approve_all, today

APPROVALS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_final_approvals_take_gapless_numbers(cast):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises writers (IMMEDIATE transactions), so "
            "threads cannot race; sequential gaplessness is tested in test_services"
        )
    filings = [
        approve_all(
            apply_new(cast.lit_operator, cast.lit, f"并发号{i}", external_id=f"ncwu_race_{i}"),
            cast.lit_unit_admin,
            cast.school_admin,
        )
        for i in range(APPROVALS)
    ]
    barrier = threading.Barrier(APPROVALS)
    errors = []

    def approve(filing):
        try:
            barrier.wait(timeout=30)
            services.filing_approve(filing=filing, actor=cast.leader)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(f,)) for f in filings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    year = today().year
    numbers = sorted(
        Filing.objects.exclude(registration_number="").values_list("registration_number", flat=True)
    )
    assert numbers == [f"HS-{year}-{n:04d}" for n in range(1, APPROVALS + 1)]
    assert RegistrationCounter.objects.get(year=year).last == APPROVALS
