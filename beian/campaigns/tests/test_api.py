"""Campaigns and unit tasks in the REST API, scoped like the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from beian.campaigns import services
from beian.campaigns.choices import SheetCode

OPENED = dt.datetime(2026, 4, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(cast):
    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={
            "title": "2026年度新媒体清查",
            "deadline": dt.date(2026, 4, 25),
            "sheets": [SheetCode.ACCOUNTS_PDSU],
        },
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    return campaign


def test_a_unit_admin_reads_only_their_own_units_task(cast, client, campaign, clock):
    draft = services.campaign_copy(actor=cast.school_admin, source=campaign)
    client.force_login(cast.cs_unit_admin)
    tasks = client.get("/api/campaign-tasks/").json()["results"]
    assert [t["unit"]["name"] for t in tasks] == ["计算机学院"]
    task = tasks[0]
    assert task["state"] == "not_started" and task["state_display"] == "未开始"
    assert task["counts"]["total"] == 3 and task["counts"]["pending"] == 3
    assert task["late"] is False
    other = campaign.tasks.get(unit=cast.lit)
    assert client.get(f"/api/campaign-tasks/{other.pk}/").status_code == 404

    campaigns = client.get("/api/campaigns/").json()["results"]
    assert [c["id"] for c in campaigns] == [campaign.pk]  # not the school's draft
    assert client.get(f"/api/campaigns/{draft.pk}/").status_code == 404

    clock.move_to(dt.datetime(2026, 4, 26, 9, tzinfo=dt.UTC))
    client.force_login(cast.cs_unit_admin)  # the session has expired meanwhile
    assert client.get(f"/api/campaign-tasks/{task['id']}/").json()["late"] is True


def test_the_school_reads_every_task_and_filters_by_campaign_and_state(cast, client, campaign):
    client.force_login(cast.auditor)
    body = client.get("/api/campaign-tasks/", {"campaign": campaign.pk}).json()
    assert body["count"] == campaign.tasks.count() == 4
    assert client.get("/api/campaign-tasks/", {"state": "submitted"}).json()["count"] == 0
    detail = client.get(f"/api/campaigns/{campaign.pk}/").json()
    assert detail["status"] == "open" and detail["sheets"] == ["accounts-pdsu"]
