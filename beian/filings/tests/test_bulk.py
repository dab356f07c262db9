"""Bulk approval from 待我审批: one comment, each request still approved, audited and
numbered by itself; all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from beian.core.models import AuditEvent
from beian.filings import bulk
from beian.filings.choices import FilingStatus
from beian.filings.models import Filing, FilingEvent
from beian.filings.tests.factories import apply_new, approve_all


def choice(filing: Filing) -> tuple[int, int, int]:
    filing.refresh_from_db()
    return (filing.pk, filing.round, filing.current_position)


def test_bulk_approval_moves_each_request_and_numbers_those_that_finish(cast):
    first = apply_new(cast.lit_operator, cast.lit, "文学院一号", external_id="ncwu_lit_1")
    second = apply_new(cast.lit_operator, cast.lit, "文学院二号", external_id="ncwu_lit_2")
    for filing in (first, second):
        approve_all(filing, cast.lit_unit_admin, cast.school_admin)
    audits = AuditEvent.objects.count()

    n = bulk.filings_approve(
        actor=cast.leader, choices=[choice(first), choice(second)], comment="同意，批量审批"
    )
    assert n == 2
    for filing in (first, second):
        filing.refresh_from_db()
        assert filing.status == FilingStatus.APPROVED and filing.registration_number
        assert FilingEvent.objects.filter(filing=filing, comment="同意，批量审批").exists()
    assert first.registration_number != second.registration_number
    assert AuditEvent.objects.count() > audits + 1


def test_one_refusal_rolls_back_the_whole_selection(cast):
    mine = apply_new(cast.lit_operator, cast.lit, "文学院一号", external_id="ncwu_lit_1")
    other = apply_new(cast.cs_unit_admin, cast.cs, "计院新号", external_id="ncwu_cs_9")
    # 文学院 admin decides the first step of 文学院's request, not of 计算机学院's.
    with pytest.raises(ValidationError, match="《计院新号》"):
        bulk.filings_approve(
            actor=cast.lit_unit_admin, choices=[choice(mine), choice(other)], comment="同意"
        )
    mine.refresh_from_db()
    assert mine.current_position == 0 and mine.status == FilingStatus.PENDING
    assert not FilingEvent.objects.filter(filing=mine, comment="同意").exists()


def test_a_stale_step_is_refused(cast):
    filing = apply_new(cast.lit_operator, cast.lit, "文学院一号", external_id="ncwu_lit_1")
    stale = choice(filing)
    approve_all(filing, cast.lit_unit_admin)
    with pytest.raises(ValidationError, match="《文学院一号》"):
        bulk.filings_approve(actor=cast.school_admin, choices=[stale])


def test_the_bulk_page_lists_the_waiting_requests_and_approves_the_chosen(cast, client):
    filing = apply_new(cast.lit_operator, cast.lit, "文学院一号", external_id="ncwu_lit_1")
    client.force_login(cast.lit_unit_admin)
    url = reverse("filings:waiting_bulk")
    page = client.get(url).content.decode()
    pk, round_no, position = choice(filing)
    value = f"{pk}:{round_no}:{position}"
    assert value in page and "同意所选" in page
    response = client.post(url, {"filings": [value], "comment": "同意"}, follow=True)
    assert "已同意 1 项申请" in response.content.decode()
    filing.refresh_from_db()
    assert filing.current_position == 1
    refused = client.post(url, {"filings": [value], "comment": "同意"}, follow=True)
    assert "本次所选均未审批" in refused.content.decode()
