"""The inbox rows survive the move from filings to notify (filings 0003)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("filings", "0002_step_acting_office"), ("notify", "0001_inbox_channels_reminders")]
AFTER = [("filings", "0003_notification_moved_to_notify")]


@pytest.mark.django_db(transaction=True)
def test_notifications_are_copied_with_their_ids_subject_and_unit():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Unit = old.get_model("orgs", "Unit")
    User = old.get_model("users", "User")
    Filing = old.get_model("filings", "Filing")
    OldNotification = old.get_model("filings", "Notification")
    unit = Unit.objects.create(name="文学院", kind="college")
    user = User.objects.create(username="reader")
    filing = Filing.objects.create(
        kind="new",
        status="draft",
        tier=2,
        owner_unit=unit,
        applicant=user,
        account_name="文学院微言",
    )
    with_filing = OldNotification.objects.create(recipient=user, text="待审批", filing=filing)
    plain = OldNotification.objects.create(recipient=user, text="普通", link="/")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("notify", "Notification")
    copied = new.objects.get(pk=with_filing.pk)
    assert copied.subject == f"filing:{filing.pk}" and copied.kind == "filing"
    assert copied.unit_id == unit.pk and copied.text == "待审批"
    assert copied.created_at == with_filing.created_at
    other = new.objects.get(pk=plain.pk)
    assert other.subject == "" and other.unit_id is None and other.link == "/"
    assert new.objects.create(recipient_id=user.pk, text="新").pk > plain.pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for the others
