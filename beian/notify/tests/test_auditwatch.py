"""The nightly audit-chain check alerts the school admins (issue 9, finding 5)."""

import pytest
from django.db import connection

from beian.core import auditchain
from beian.core.audit import audit
from beian.core.models import AuditEvent
from beian.notify.models import Notification
from beian.notify.tasks import verify_audit_chain


@pytest.mark.django_db
def test_an_intact_chain_is_recorded_and_nobody_is_alerted(cast):
    audit(event="login", actor=cast.leader)
    verify_audit_chain.call_local()
    row = AuditEvent.objects.filter(event="audit_check").latest("id")
    assert row.success is True
    assert not Notification.objects.filter(kind="audit_chain_broken").exists()


@pytest.mark.django_db
def test_a_broken_chain_alerts_every_school_admin(cast, django_capture_on_commit_callbacks):
    rows = [audit(event="login", actor=cast.leader) for _ in range(3)]
    with connection.cursor() as cursor:
        auditchain.triggers_off(cursor)
        cursor.execute(
            "UPDATE core_auditevent SET actor_name = 'nobody' WHERE id = %s", [rows[1].pk]
        )
        auditchain.triggers_on(cursor)
    with django_capture_on_commit_callbacks(execute=True):
        verify_audit_chain.call_local()
    row = AuditEvent.objects.filter(event="audit_check").latest("id")
    assert row.success is False and f"id={rows[1].pk}" in row.detail["reason"]
    alert = Notification.objects.get(kind="audit_chain_broken")
    assert alert.recipient == cast.school_admin
    assert f"id={rows[1].pk}" in alert.text
