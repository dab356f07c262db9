"""The inspection API: rounds and grades, scoped like the pages."""

import datetime as dt

import pytest
import time_machine

from beian.inspections import services
from beian.registry.choices import FilingState
from beian.registry.models import MediaAccount


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_grades_are_scoped_and_carry_no_personal_data(cast, client):
    MediaAccount.objects.update(filing_state=FilingState.FILED)
    inspection = services.inspection_open(actor=cast.school_admin, owner_unit=cast.school)
    client.force_login(cast.school_admin)
    data = client.get("/api/inspection-grades/").json()
    assert data["count"] == 3
    assert client.get(f"/api/inspections/{inspection.pk}/").json()["year"] == 2026
    client.force_login(cast.lit_unit_admin)
    data = client.get("/api/inspection-grades/").json()
    assert [r["account_name"] for r in data["results"]] == ["文学院微言"]
    assert "李老师" not in str(data)
    client.force_login(cast.nobody)
    assert client.get("/api/inspections/").json()["count"] == 0
