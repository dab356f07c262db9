import importlib

import pytest
from django.db import connections

_APPEND_ONLY = importlib.import_module("beian.core.migrations.0003_auditevent_append_only")


def _allow_next_flush(connection) -> None:
    """Let the test runner's next flush empty the audit log: the database refuses
    DELETE / TRUNCATE there (append-only triggers), so a transactional test that wrote
    audit rows could not be cleaned up. The triggers are off only while the flush runs."""
    ops = connection.ops
    original = ops.execute_sql_flush

    def execute_sql_flush(sql_list):
        vendor = connection.vendor
        try:
            with connection.cursor() as cursor:
                if vendor == "postgresql":
                    cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
                elif vendor == "sqlite":
                    for sql in _APPEND_ONLY.SQLITE_DOWN:
                        cursor.execute(sql)
            original(sql_list)
        finally:
            with connection.cursor() as cursor:
                if vendor == "postgresql":
                    cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
                elif vendor == "sqlite":
                    for sql in _APPEND_ONLY.SQLITE_UP:
                        cursor.execute(sql)
            del ops.execute_sql_flush

    ops.execute_sql_flush = execute_sql_flush


@pytest.fixture
def allow_audit_flush(db):
    """For `django_db(transaction=True)` tests: request it before other fixtures so that
    it is torn down just before pytest-django flushes the database."""
    yield
    for connection in connections.all(initialized_only=True):
        _allow_next_flush(connection)


@pytest.fixture
def seeded_platforms(db):
    """The platform catalogue, seeded again: a transactional test that ran before this
    one flushed the rows the data migration had written."""
    from django.apps import apps

    seed = importlib.import_module("beian.registry.migrations.0003_seed_platforms").seed
    seed(apps, None)
