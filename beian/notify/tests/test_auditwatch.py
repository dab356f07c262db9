"""The nightly audit-chain check alerts the school admins (issue 9, finding 5)."""

import json

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


@pytest.mark.django_db
def test_rows_cut_from_the_end_with_the_head_rewound_are_found_by_the_witness(
    cast, settings, tmp_path, django_capture_on_commit_callbacks
):
    """An attacker with database access deletes the newest rows and sets the chain head
    back to the last row left: the chain is intact as far as it goes, but the head the
    nightly check wrote to the witness file (off the database) is gone."""
    settings.BEIAN_AUDIT_WITNESS = str(tmp_path / "audit-witness.log")
    rows = [audit(event="login", actor=cast.leader) for _ in range(5)]
    verify_audit_chain.call_local()  # night 1: witnesses rows[4]
    witnessed = json.loads((tmp_path / "audit-witness.log").read_text().splitlines()[-1])
    assert witnessed["seq"] == rows[4].seq and witnessed["hash"] == rows[4].row_hash
    assert auditchain.verify().ok
    with connection.cursor() as cursor:
        auditchain.triggers_off(cursor)
        cursor.execute("DELETE FROM core_auditevent WHERE id >= %s", [rows[3].pk])
        auditchain.triggers_on(cursor)
        cursor.execute(
            "UPDATE core_auditchainhead SET seq = %s, hash = %s WHERE id = 1",
            [rows[2].seq, rows[2].row_hash],
        )
    settings.BEIAN_AUDIT_WITNESS = ""
    assert auditchain.verify().ok  # without the witness the cut cannot be seen
    settings.BEIAN_AUDIT_WITNESS = str(tmp_path / "audit-witness.log")
    with django_capture_on_commit_callbacks(execute=True):
        verify_audit_chain.call_local()  # night 2
    reason = AuditEvent.objects.filter(event="audit_check").latest("id").detail["reason"]
    assert f"链序号 {rows[4].seq} 已于" in reason and "末尾的行被删除" in reason
    assert Notification.objects.filter(kind="audit_chain_broken").exists()


@pytest.mark.django_db
def test_a_forged_witness_line_is_found_and_an_intact_one_passes(cast, settings, tmp_path):
    witness = tmp_path / "audit-witness.log"
    settings.BEIAN_AUDIT_WITNESS = str(witness)
    for _ in range(3):
        audit(event="login", actor=cast.leader)
        verify_audit_chain.call_local()
    assert len(witness.read_text().splitlines()) == 3 and auditchain.verify().ok
    lines = witness.read_text().splitlines()
    forged = {**json.loads(lines[1]), "seq": 1}  # point a witnessed head at another row
    witness.write_text("\n".join([lines[0], json.dumps(forged), lines[2]]) + "\n")
    result = auditchain.verify()
    assert not result.ok and "第 2 行的签名不符" in result.message
