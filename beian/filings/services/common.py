"""What the workflow's services share: locking the request, checking the applicant, the
timeline entry written with its audit row in the caller's transaction, and the words and
link of the messages sent about a request."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.users.models import User

from ..models import Filing, FilingEvent


def lock(filing: Filing) -> Filing:
    """The request re-read under a row lock (`select_for_update`) for a transition."""
    return Filing.objects.select_for_update().get(pk=filing.pk)


def check_applicant(filing: Filing, actor: User) -> None:
    """Only the applicant edits, submits and withdraws their request."""
    if filing.applicant_id != actor.pk:
        raise PermissionDenied(_("只有申请人可以执行此操作"))


def record(
    filing: Filing,
    actor: User | None,
    action: str,
    event: str,
    *,
    step: str = "",
    comment: str = "",
    detail: dict | None = None,
) -> FilingEvent:
    """One timeline entry and one audit row, in the caller's transaction."""
    entry = FilingEvent.objects.create(
        filing=filing,
        actor=actor,
        action=action,
        round=filing.round,
        step=step,
        comment=comment,
        detail=detail or {},
    )
    audit(
        event=event,
        actor=actor,
        obj=filing,
        detail={
            "action": str(action),
            "status": str(filing.status),
            "round": filing.round,
            **({"step": step} if step else {}),
            **({"comment": comment} if comment else {}),
            **(detail or {}),
        },
    )
    return entry


def words(filing: Filing, **extra) -> dict[str, str]:
    """The words a message about the request is written with."""
    return {
        "kind": filing.get_kind_display(),
        "name": filing.account_name,
        "unit": str(filing.owner_unit),
        **{k: str(v) for k, v in extra.items()},
    }


def link(filing: Filing) -> str:
    """Where a message about the request points: its page."""
    return reverse("filings:detail", args=[filing.pk])
