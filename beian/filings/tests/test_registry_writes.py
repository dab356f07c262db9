"""What an approved request does to the registry goes through the registry's services
(issue 8, "One write path"): the records' findings are current as soon as the approval
commits — no scan needed — and the history and the audit row name the filing."""

from __future__ import annotations

import pytest

from beian.compliance.engine import scan_all
from beian.compliance.models import Finding
from beian.core.models import AuditEvent
from beian.filings import services
from beian.filings.choices import FilingKind
from beian.registry.choices import FilingState
from beian.testing import make_account

from .factories import approve_all, new_fields, team

pytestmark = pytest.mark.django_db


def state(rule: str, **record) -> str | None:
    finding = Finding.objects.filter(rule=rule, **record).first()
    return finding.state if finding else None


def test_approving_a_group_filing_resolves_its_finding_without_a_scan(
    cast, django_capture_on_commit_callbacks
):
    group = cast.lit_group  # 20 members, not registered
    scan_all()
    assert state("group_unregistered", group=group) == "open"
    with django_capture_on_commit_callbacks(execute=True):
        filing = services.filing_create(
            actor=cast.lit_operator,
            kind=FilingKind.GROUP,
            group=group,
            fields={"responsible_name": "李老师", "introduction": "辅导员工作群"},
            pledge_accepted=True,
        )
        approve_all(filing, cast.lit_unit_admin)
    assert state("group_unregistered", group=group) == "resolved"
    group.refresh_from_db()
    assert group.history.first().history_change_reason == f"备案审批（{filing.pk}）"


def test_approving_a_late_filing_resolves_the_threshold_finding_without_a_scan(
    cast, django_capture_on_commit_callbacks
):
    # a tier-3 official account above the audience threshold, never filed with the school
    account = make_account("软工系微讯", unit=cast.se, external_id="ncwu_se", audience=20_000)
    scan_all()
    assert state("tier3_above_threshold_not_filed", account=account) == "open"
    with django_capture_on_commit_callbacks(execute=True):
        filing = services.filing_create(
            actor=cast.cs_unit_admin,
            kind=FilingKind.LATE,
            account=account,
            fields=new_fields(cast.se, account.name, goes_live_on=None, external_id="ncwu_se"),
            team=team(),
            pledge_accepted=True,
        )
        while filing.status == "pending":
            from beian.filings.workflow import step_recipients

            filing = services.filing_approve(
                filing=filing, actor=step_recipients(filing)[0], comment="同意"
            )
    account.refresh_from_db()
    assert account.filing_state == FilingState.FILED
    assert state("tier3_above_threshold_not_filed", account=account) == "resolved"
    updates = AuditEvent.objects.filter(
        object_type="registry.MediaAccount", object_id=str(account.pk), event="update"
    )
    authorities = [e.detail.get("authority", {}) for e in updates]
    assert {"kind": "filing", "ref": str(filing.pk), "number": filing.registration_number} in (
        authorities
    )
