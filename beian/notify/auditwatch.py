"""The nightly check of the audit chain (issue 9): `auditchain.verify()` on the task queue,
an audit row with the result, and, when the chain is broken, an in-app alert (and e-mail)
to every active school admin naming the first bad row. It lives here, above core and users,
because core knows neither users' roles nor the inbox."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core import auditchain
from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.users.choices import Role
from beian.users.models import User

from .services import notification_send

ALERT_KIND = "audit_chain_broken"


def check_audit_chain() -> auditchain.Result:
    result = auditchain.verify()
    auditchain.witness_record(result, timezone.now())  # a verified head, kept off the database
    audit(
        event=AuditEventType.AUDIT_CHECK,
        success=result.ok,
        actor_name="system",
        detail={"rows": result.rows, **({"reason": result.message} if not result.ok else {})},
    )
    if not result.ok:
        admins = User.objects.filter(is_active=True, roles__role=Role.SCHOOL_ADMIN).distinct()
        notification_send(
            recipients=list(admins),
            text=_(
                "审计日志防篡改校验未通过：%(reason)s。请立即核查数据库访问记录，并用最近的备份比对。"
            )
            % {"reason": result.message},
            link=reverse("core:audit_list"),
            subject=_("审计日志校验"),
            kind=ALERT_KIND,
        )
    return result
