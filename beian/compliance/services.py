"""Writes on findings: waiving and un-waiving (school admins), and asking for a full scan.
Each service checks the actor's right, works in one transaction and writes its audit row."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType

from .choices import FindingState
from .engine import current_breach
from .models import Finding

WAIVE_REASON_MAX = 500


def _record_detail(finding: Finding) -> dict:
    return {
        "rule": finding.rule,
        "account": finding.account_id,
        "group": finding.group_id,
    }


def finding_waive(*, finding: Finding, actor, reason: str) -> Finding:
    """A school admin accepts an open finding as it stands (e.g. an account kept on purpose),
    with a reason. The rule is first re-evaluated for the record (and that result kept even
    if the waiver is then refused), so the waiver holds the fingerprint of the data as it
    is now; the engine reopens the finding when that data changes, and resolves it when the
    record is fixed."""
    if not actor.is_school_admin:
        raise PermissionDenied
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("请填写豁免理由")})
    if len(reason) > WAIVE_REASON_MAX:
        raise ValidationError({"reason": _("豁免理由不能超过 %(n)s 字") % {"n": WAIVE_REASON_MAX}})
    with transaction.atomic():
        current_breach(finding)
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.state == FindingState.RESOLVED:
            raise ValidationError(_("记录已经整改，该问题已自动解决，无须豁免"))
        if finding.state != FindingState.OPEN:
            raise ValidationError(_("只有待整改的检查发现可以豁免"))
        finding.state = FindingState.WAIVED
        finding.waived_by = actor
        finding.waived_reason = reason
        finding.waived_at = timezone.now()
        finding.save(update_fields=["state", "waived_by", "waived_reason", "waived_at"])
        audit(
            event=AuditEventType.UPDATE,
            actor=actor,
            obj=finding,
            detail={"action": "waive", "reason": reason, **_record_detail(finding)},
        )
    return finding


@transaction.atomic
def finding_unwaive(*, finding: Finding, actor) -> Finding:
    """A school admin withdraws a waiver: the finding is open again (or resolved at once if
    the record no longer breaks the rule)."""
    if not actor.is_school_admin:
        raise PermissionDenied
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.state != FindingState.WAIVED:
        raise ValidationError(_("该检查发现未被豁免"))
    previous = finding.waived_reason
    finding.state = FindingState.OPEN
    finding.waived_by = None
    finding.waived_reason = ""
    finding.waived_at = None
    finding.save(update_fields=["state", "waived_by", "waived_reason", "waived_at"])
    current_breach(finding)
    finding.refresh_from_db()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=finding,
        detail={"action": "unwaive", "previous_reason": previous, **_record_detail(finding)},
    )
    return finding


def scan_request(*, actor) -> None:
    """A school admin asks for a full scan now: queued on the task queue (run inline when the
    queue is in immediate mode, as in tests)."""
    if not actor.is_school_admin:
        raise PermissionDenied
    from .tasks import scan_all_task

    audit(event=AuditEventType.OTHER, actor=actor, detail={"action": "compliance_scan"})
    transaction.on_commit(lambda: scan_all_task(actor.pk))
