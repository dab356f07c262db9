"""Chains the rows already in the audit log (in insertion order) and the triggers of the
chained log: UPDATE refused; DELETE refused unless the row is older than 184 days and the
archive command holds its permit (see beian/core/auditchain.py)."""

from django.db import migrations


def chain_existing_rows(apps, schema_editor):
    from beian.core import auditchain

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        else:
            for sql in auditchain.SQLITE_DROP:
                cursor.execute(sql)
        prev, seq = "", 0
        for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            seq += 1
            row.seq = seq
            facts = auditchain.row_facts(row)
            digest = auditchain.row_hash(facts, prev)
            cursor.execute(
                "UPDATE core_auditevent SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
                [seq, prev, digest, row.pk],
            )
            prev = digest
        AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})
        if vendor == "postgresql":
            cursor.execute(auditchain.POSTGRES_FUNCTION)
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
        else:
            for sql in auditchain.SQLITE_TRIGGERS:
                cursor.execute(sql)


def unchain(apps, schema_editor):
    """Back to the unconditional triggers of 0003 (the chain columns go with 0004)."""
    import importlib

    old = importlib.import_module("beian.core.migrations.0003_auditevent_append_only")
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            for sql in old.POSTGRES_DOWN + old.POSTGRES_UP:
                cursor.execute(sql)
        else:
            for sql in old.SQLITE_DOWN + old.SQLITE_UP:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_chain")]

    operations = [migrations.RunPython(chain_existing_rows, unchain)]
