# The in-app inbox moved to the notify app (beian/notify/models.py). Its rows are copied
# with their ids (links to /notify/<id>/open/ keep working), the filing becomes the
# generic subject "filing:<id>" and the filing's owner unit the notification's unit.

from django.core.management.color import no_style
from django.db import migrations


def copy_notifications(apps, schema_editor):
    old = apps.get_model("filings", "Notification")
    new = apps.get_model("notify", "Notification")
    filing = apps.get_model("filings", "Filing")
    connection = schema_editor.connection
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(new._meta.db_table)} "  # noqa: S608 - table names only
            "(id, recipient_id, text, link, kind, subject, unit_id, created_at, read_at) "
            "SELECT n.id, n.recipient_id, n.text, n.link, "
            "CASE WHEN n.filing_id IS NULL THEN '' ELSE 'filing' END, "
            "CASE WHEN n.filing_id IS NULL THEN '' ELSE 'filing:' || CAST(n.filing_id AS VARCHAR(20)) END, "
            "f.owner_unit_id, n.created_at, n.read_at "
            f"FROM {q(old._meta.db_table)} n "
            f"LEFT JOIN {q(filing._meta.db_table)} f ON f.id = n.filing_id"
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), [new]):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0002_step_acting_office"),
        ("notify", "0001_inbox_channels_reminders"),
    ]

    operations = [
        migrations.RunPython(copy_notifications, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(
            name="Notification",
        ),
    ]
