"""Accounts found running without a filing during the round become late filings (补办) in
one batch; the approvers then approve them together."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from beian.campaigns import late_filings, services
from beian.campaigns.choices import SheetCode
from beian.campaigns.models import CampaignTask
from beian.filings import bulk as filings_bulk
from beian.filings.choices import FilingKind, FilingStatus
from beian.filings.models import Filing
from beian.filings.selectors import filings_waiting_for
from beian.registry.choices import FilingState
from beian.testing import make_account

OPENED = dt.datetime(2026, 4, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lit_task(cast):
    complete = {
        "columns": "学院新闻",
        "update_frequency": "每周 2 次",
        "introduction": "文学院学生会公众号",
    }
    cast.extra = make_account(
        "文学院学生会", unit=cast.lit, external_id="ncwu_lit_su", **complete,
        team=[("first_responsible", cast.lit_teacher), ("operator", cast.lit_student)],
    )  # fmt: skip
    cast.filed = make_account(
        "文学院已备案", unit=cast.lit, external_id="ncwu_lit_ok", filing_state=FilingState.FILED
    )
    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={
            "title": "清查",
            "deadline": dt.date(2026, 4, 25),
            "sheets": [SheetCode.ACCOUNTS_PDSU],
        },
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    return CampaignTask.objects.get(campaign=campaign, unit=cast.lit)


def test_unfiled_accounts_of_the_task_become_late_filings_in_one_batch(cast, lit_task):
    candidates = {a.name for a in late_filings.unfiled_accounts(lit_task, user=cast.lit_unit_admin)}
    assert candidates == {"文学院微言", "文学院学生会"}  # not the filed one

    batch = late_filings.task_late_filings_open(
        actor=cast.lit_unit_admin, task=lit_task, pledge_accepted=True
    )
    created = {f.account.name for f in batch.created}
    refused = {a.name for a, _reasons in batch.refused}
    assert created | refused == candidates and "文学院学生会" in created
    for filing in batch.created:
        assert filing.kind == FilingKind.LATE and filing.status == FilingStatus.PENDING
        filing.account.refresh_from_db()
        assert filing.account.filing_state == FilingState.PENDING
    for _account, reasons in batch.refused:
        assert reasons and all(isinstance(r, str) and r for r in reasons)

    # A second batch finds nothing new for the accounts already in the workflow.
    again = late_filings.task_late_filings_open(
        actor=cast.lit_unit_admin, task=lit_task, pledge_accepted=True
    )
    assert {f.account.name for f in again.created} == set()

    # The approver of the first step approves the whole batch at once from 待我审批.
    choices = [(f.pk, f.round, f.current_position) for f in batch.created]
    approver = next(
        user
        for user in cast.users.values()
        if set(filings_waiting_for(user).values_list("pk", flat=True)) >= {c[0] for c in choices}
    )
    assert filings_bulk.filings_approve(actor=approver, choices=choices) == len(choices)
    assert not Filing.objects.filter(pk__in=[c[0] for c in choices], current_position=0).exists()


def test_only_the_units_admin_or_the_school_opens_the_batch(cast, lit_task, client):
    with pytest.raises(PermissionDenied):
        late_filings.task_late_filings_open(actor=cast.lit_operator, task=lit_task)
    url = reverse("campaigns:task_late_filings", args=[lit_task.pk])
    client.force_login(cast.lit_unit_admin)
    page = client.get(url).content.decode()
    assert "文学院学生会" in page and "文学院已备案" not in page
    refused = client.post(url, {}, follow=True).content.decode()
    assert "请阅读并接受" in refused and not Filing.objects.exists()
    done = client.post(url, {"pledge": "1"}, follow=True).content.decode()
    assert "已为" in done and Filing.objects.filter(kind=FilingKind.LATE).exists()
