import pytest
from django.db import DatabaseError, connection, transaction

from beian.core.audit import audit
from beian.core.models import AuditEvent


@pytest.mark.django_db
def test_database_refuses_update_and_delete_of_audit_rows(cast):
    event = audit(event="other", actor=cast.school_admin)
    for sql in (
        "UPDATE core_auditevent SET success = %s WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        params = [False, event.pk] if sql.startswith("UPDATE") else [event.pk]
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    event.refresh_from_db()
    assert event.success is True
    assert AuditEvent.objects.filter(pk=event.pk).exists()
