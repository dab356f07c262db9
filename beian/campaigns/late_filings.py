"""Round-generated filings: the accounts a unit's task lists that run without a filing
(未备案, or 审批中 with no open request — imported records, for instance) become late
filings (补办备案) in one batch, through the filings' own `filing_create`, each sent to its
first approver. The approvers then decide them together in 待我审批 (批量审批).

Each account's request is created in its own savepoint: an account whose record lacks
what a filing needs (its columns, its introduction, a first responsible …) is listed with
the filing's own Chinese message and left for the unit to file by hand, while the others
go ahead. Nothing else is written: the filings service keeps the history, the audit rows
and the account's 备案状态; the batch itself is one audit row on the task.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.filings.choices import FilingKind, FilingStatus
from beian.filings.models import Filing
from beian.filings.selectors import responsible_of, team_rows_of
from beian.filings.services import filing_create
from beian.registry.choices import AccountStatus, FilingState
from beian.registry.models import MediaAccount

from .models import CampaignTask, TaskItem

OPEN_FILING = (FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED)


@dataclass
class LateFilingBatch:
    created: list[Filing] = field(default_factory=list)
    refused: list[tuple[MediaAccount, list[str]]] = field(default_factory=list)


def unfiled_accounts(task: CampaignTask, *, user):
    """The task's accounts running without a filing that the user may file for."""
    open_filings = Filing.objects.filter(account_id=OuterRef("pk"), status__in=OPEN_FILING)
    in_task = TaskItem.objects.filter(task=task, account__isnull=False).values("account_id")
    return (
        MediaAccount.objects.editable_by(user)
        .filter(pk__in=in_task)
        .exclude(status=AccountStatus.CLOSED)
        .exclude(filing_state=FilingState.FILED)
        .exclude(Exists(open_filings))
        .select_related("platform", "owner_unit", "guiding_unit")
        .order_by("name", "pk")
    )


def late_fields(account: MediaAccount) -> dict:
    """The late filing's form values, from the account as registered (as the 补办 form
    starts from)."""
    return {
        "account_name": account.name,
        "external_id": account.external_id,
        "url": account.url,
        "guiding_unit": account.guiding_unit,
        "created_month": account.created_month,
        "verified": account.verified,
        "verified_month": account.verified_month,
        "columns": account.columns,
        "update_frequency": account.update_frequency,
        "introduction": account.introduction,
        **responsible_of(account),
    }


def task_late_filings_open(
    *, actor, task: CampaignTask, pledge_accepted: bool = False
) -> LateFilingBatch:
    """Open a late filing (补办) for every account of the task running without one. The
    task's unit admin (or the school admin) applies; `pledge_accepted`: the applicant
    accepted the pledge (承诺书) on the page, for every request of the batch."""
    if not CampaignTask.objects.answerable_by(actor).filter(pk=task.pk).exists():
        raise PermissionDenied(_("只有本单位管理员或学校管理员可以批量补办备案"))
    batch = LateFilingBatch()
    with transaction.atomic():
        for account in unfiled_accounts(task, user=actor):
            try:
                with transaction.atomic():
                    filing = filing_create(
                        actor=actor,
                        kind=FilingKind.LATE,
                        account=account,
                        fields=late_fields(account),
                        team=team_rows_of(account),
                        pledge_accepted=pledge_accepted,
                        submit=True,
                    )
            except (ValidationError, PermissionDenied) as exc:
                messages = getattr(exc, "messages", None) or [str(exc)]
                batch.refused.append((account, messages))
            else:
                batch.created.append(filing)
        if batch.created or batch.refused:
            audit(
                event=AuditEventType.CREATE,
                actor=actor,
                obj=task,
                detail={
                    "action": "late_filings",
                    "created": [f.pk for f in batch.created],
                    "refused": [a.pk for a, _m in batch.refused],
                },
            )
    return batch
