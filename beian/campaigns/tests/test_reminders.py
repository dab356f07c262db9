"""Campaign due points reach the notify app once each: opened, 7 days and 1 day before the
deadline, overdue; cancelled when the unit has submitted; a return is announced."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from beian.campaigns import reminders, services
from beian.campaigns.models import CampaignTask
from beian.filings.tests.factories import PDF
from beian.notify.models import Reminder

NOW = dt.datetime(2026, 4, 4, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def open_round(cast):
    campaign = services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={"title": "备案统计", "deadline": dt.date(2026, 4, 25)},
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    return campaign


def keys(task):
    prefix = f"campaign:{task.campaign_id}:task:{task.pk}:"
    return {
        r.key.removeprefix(prefix): r.state for r in Reminder.objects.filter(key__startswith=prefix)
    }


def test_opening_schedules_each_due_point_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_round(cast)
    lit = CampaignTask.objects.get(campaign=campaign, unit=cast.lit)
    assert keys(lit) == {
        "opened": "pending",
        "due-7d": "pending",
        "due-1d": "pending",
        "overdue": "pending",
    }
    seven = Reminder.objects.get(key__endswith=f"task:{lit.pk}:due-7d")
    assert seven.recipients == [cast.lit_unit_admin.pk]
    assert "距截止还有 7 天" in seven.text and seven.due_at.date() == dt.date(2026, 4, 18)
    count = Reminder.objects.count()
    reminders.campaign_due_points(NOW)
    reminders.campaign_due_points(NOW)
    assert Reminder.objects.count() == count  # the same keys: nothing twice


def test_a_submitted_task_is_not_chased_and_a_return_is_announced(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_round(cast)
    lit = CampaignTask.objects.get(campaign=campaign, unit=cast.lit)
    services.task_confirm_all_unchanged(actor=cast.lit_unit_admin, task=lit)
    services.task_scan_upload(
        actor=cast.lit_unit_admin,
        task=lit,
        upload=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )
    services.task_submit(actor=cast.lit_unit_admin, task=lit)
    reminders.campaign_due_points(NOW)
    assert keys(lit)["due-1d"] == "cancelled" and keys(lit)["overdue"] == "cancelled"
    with django_capture_on_commit_callbacks(execute=True):
        services.task_return(actor=cast.school_admin, task=lit, comment="请补充负责人电话")
    returned = Reminder.objects.get(key__endswith=f"task:{lit.pk}:returned-1")
    assert "请补充负责人电话" in returned.text
