"""Closing a filed account follows the policy (issue 8): the direct 注销 button and "已注销"
in a sheet's 备注 open a closing request where the policy routes closing through approval;
an account that was never filed is closed at once, with the authority recorded."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from beian.core.models import AuditEvent
from beian.filings.choices import FilingKind, FilingStatus
from beian.filings.models import Filing
from beian.registry import services
from beian.registry.choices import AccountStatus, FilingState
from beian.registry.models import MediaAccount
from beian.testing import make_account
from beian.transfer import services as transfer
from beian.transfer.tests.conftest import ACCOUNT_HEADER, row, warnings, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    """Closing dates are checked against today: the same day on every run."""
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        yield


def filed(account: MediaAccount) -> MediaAccount:
    MediaAccount.objects.filter(pk=account.pk).update(
        filing_state=FilingState.FILED, registration_number=f"BA-2025-{account.pk:04d}"
    )
    account.refresh_from_db()
    return account


def closing_event(account: MediaAccount) -> AuditEvent:
    return AuditEvent.objects.get(
        event="close", object_type="registry.MediaAccount", object_id=str(account.pk)
    )


# --- the button -----------------------------------------------------------------------------


def test_the_close_button_of_a_filed_tier2_account_opens_the_closing_request(client, cast):
    account = filed(cast.cs_account)
    client.force_login(cast.cs_unit_admin)
    response = client.get(reverse("registry:account_close", args=[account.pk]))
    assert response.status_code == 302
    assert response.url == reverse("filings:closing_account", args=[account.pk])
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "已备案（二级）" in message and "注销须经审批" in message
    assert "二级单位负责人 → 党委宣传部" in message  # the tier-2 closing chain, no leader
    # a forged POST is refused as well, and the account stays as it was
    response = client.post(
        reverse("registry:account_close", args=[account.pk]),
        {"on": "2026-03-09", "reason": "停止运营", "confirm": "on"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_the_service_refuses_to_close_a_filed_account_directly(cast):
    account = filed(cast.cs_account)
    with pytest.raises(services.ClosingNeedsApproval) as refused:
        services.account_close(
            actor=cast.school_admin, account=account, on=date(2026, 3, 9), reason="停止运营"
        )
    assert "请提交注销申请" in refused.value.messages[0]
    assert MediaAccount.objects.get(pk=account.pk).status == AccountStatus.ACTIVE


def test_the_close_button_of_an_unfiled_account_closes_it_at_once(client, cast):
    account = cast.se_account  # never filed
    client.force_login(cast.cs_unit_admin)
    response = client.get(reverse("registry:account_close", args=[account.pk]))
    assert response.status_code == 200
    response = client.post(
        reverse("registry:account_close", args=[account.pk]),
        {"on": "2026-03-09", "reason": "停止运营", "confirm": "on"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSED
    event = closing_event(account)
    assert event.detail["authority"] == {"kind": "direct"}


def test_an_approved_closing_request_closes_the_filed_account(cast):
    from beian.filings.services import closing_request_create, filing_approve
    from beian.filings.workflow import step_recipients
    from beian.testing import make_user

    make_user("cs_head_user", person=cast.cs_head, name="张书记")
    account = filed(cast.cs_account)
    filing = closing_request_create(
        actor=cast.cs_unit_admin, account=account, reason="停止运营", closing_on=date(2026, 3, 9)
    )
    while filing.status == FilingStatus.PENDING:
        approver = step_recipients(filing)[0]
        filing = filing_approve(filing=filing, actor=approver, comment="同意")
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSED and account.closed_reason == "停止运营"
    event = closing_event(account)
    assert event.detail["authority"] == {"kind": "filing", "ref": str(filing.pk)}


# --- the sheet ------------------------------------------------------------------------------

HEADER = [*ACCOUNT_HEADER, "备注"]


def sheet_row(account_name: str, external_id: str, unit: str, remark: str) -> list:
    return [1, unit, "", "微信公众号", account_name, external_id, "", "", "", "", "", "", "", "",
            remark]  # fmt: skip


def test_a_sheet_saying_closed_opens_a_closing_request_for_a_filed_account(cast):
    account = filed(cast.cs_account)
    data = xlsx(
        HEADER, [sheet_row("计算机学院团委", "ncwu_cs", "计算机学院", "已注销（停止运营）")]
    )
    plan = transfer.import_preview(
        actor=cast.school_admin, kind="accounts", file_name="a.xlsx", data=data
    )
    assert row(plan, 2).status == "update"
    assert any("注销须经审批" in w and "提交注销申请" in w for w in warnings(plan, 2))
    outcome = transfer.import_commit(
        actor=cast.school_admin, kind="accounts", file_name="a.xlsx", data=data
    )
    assert outcome.written["closing_requests"] == 1
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE  # not closed before the approval
    request = Filing.objects.get(account=account, kind=FilingKind.CLOSING)
    assert request.status == FilingStatus.PENDING and request.reason == "已注销（停止运营）"
    assert request.applicant == cast.school_admin
    # the same sheet again: the request in progress is not submitted twice
    plan = transfer.import_preview(
        actor=cast.school_admin, kind="accounts", file_name="a.xlsx", data=data
    )
    assert any("已有正在办理的注销申请" in w for w in warnings(plan, 2))
    transfer.import_commit(actor=cast.school_admin, kind="accounts", file_name="a.xlsx", data=data)
    assert Filing.objects.filter(account=account, kind=FilingKind.CLOSING).count() == 1


def test_a_sheet_saying_closed_closes_an_unfiled_account_with_the_import_as_authority(cast):
    account = make_account("软工系公众号", unit=cast.se, external_id="ncwu_se")
    data = xlsx(HEADER, [sheet_row("软工系公众号", "ncwu_se", "软件工程系", "已注销")])
    outcome = transfer.import_commit(
        actor=cast.cs_unit_admin, kind="accounts", file_name="清查表.xlsx", data=data
    )
    assert outcome.written["closing_requests"] == 0
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSED
    assert account.closed_on == date(2026, 3, 10) and account.closed_reason == "已注销"
    assert account.history.first().history_change_reason.startswith("表格导入（清查表.xlsx）")
    event = closing_event(account)
    assert event.detail["authority"]["kind"] == "import"
    assert not Filing.objects.filter(account=account).exists()
