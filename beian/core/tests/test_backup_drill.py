"""The restore drill (issue 9, finding 5): back up a populated site while writes go on in
another thread, restore into a fresh database (a SQLite file / a second PostgreSQL database)
and an empty media folder, and find 0 rows differing and a valid audit chain."""

import tarfile
import threading
import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections

from beian.core import auditchain, backup
from beian.core.audit import audit
from beian.filings.tests.factories import apply_new
from beian.testing import make_person


def _table_rows(conn, table):
    with conn.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
        return {tuple(map(repr, row)) for row in cursor.fetchall()}


class Writer(threading.Thread):
    """Appends audit rows and people for as long as it runs (retrying when SQLite is busy)."""

    def __init__(self, cast):
        super().__init__(daemon=True)
        self.cast, self.stop, self.writes, self.error = cast, threading.Event(), 0, None

    def run(self):
        try:
            while not self.stop.is_set():
                try:
                    make_person(f"并发{self.writes}", unit=self.cast.lit)
                    audit(event="other", actor=self.cast.school_admin, detail={"n": self.writes})
                    self.writes += 1
                except OperationalError:
                    time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connections.close_all()


@pytest.fixture
def restored_alias(tmp_path):
    """A second, empty database of the same kind, as the alias "restored"."""
    alias = "restored"
    settings_dict = dict(connections.databases["default"])
    created = None
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        created = f"beian_restored_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {created}")
        settings_dict["NAME"] = created
    connections.databases[alias] = settings_dict
    connections[alias].connect()  # opened here: the test runner lets only its own aliases open
    yield alias
    connections[alias].close()
    del connections[alias]
    del connections.databases[alias]
    if created:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {created}")


@pytest.mark.django_db(transaction=True)
def test_backup_under_load_restores_with_no_row_differing(cast, tmp_path, settings, restored_alias):
    media = tmp_path / "media"
    (media / "filings").mkdir(parents=True)
    (media / "filings" / "scan.pdf").write_bytes(b"%PDF-1.4 stamped scan")
    settings.MEDIA_ROOT = media
    for i in range(3):
        apply_new(cast.lit_operator, cast.lit, name=f"文学院号{i}")
    writer = Writer(cast)
    writer.start()
    time.sleep(0.3)
    try:
        manifest = backup.backup(tmp_path / "site.tar")
        time.sleep(0.2)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None and writer.writes > 0
    assert set(manifest["files"]) == {manifest["database_file"], "media/filings/scan.pdf"}

    restored_media = tmp_path / "restored-media"
    backup.restore(tmp_path / "site.tar", alias=restored_alias, media_root=restored_media)
    assert (restored_media / "filings" / "scan.pdf").read_bytes() == b"%PDF-1.4 stamped scan"
    if connections[restored_alias].connection is None:
        connections[restored_alias].connect()  # pg_restore ran with Django's connection closed

    source, target = connections["default"], connections[restored_alias]
    with source.cursor() as cursor:
        tables = source.introspection.table_names(cursor)
    with target.cursor() as cursor:
        assert sorted(target.introspection.table_names(cursor)) == sorted(tables)
    written_after = {"core_auditevent", "orgs_person", "orgs_historicalperson"}
    differing = 0
    for table in tables:
        if table == "core_auditchainhead":
            continue  # moved on since: checked against the manifest below
        before, after = _table_rows(source, table), _table_rows(target, table)
        differing += len(after - before)  # a restored row that the site never had
        if table not in written_after:
            differing += len(before - after)  # a row lost
    assert differing == 0
    result = auditchain.verify(using=restored_alias)
    assert result.ok, result.message
    assert (result.head_seq, result.head_hash) == (
        manifest["audit_head"]["seq"],
        manifest["audit_head"]["hash"],
    )
    assert auditchain.verify().ok  # and the live site's chain is intact too


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", str(tmp_path / "site.tar"))
    with pytest.raises(CommandError) as info:
        call_command("restore", str(tmp_path / "site.tar"))
    assert "不是空的" in str(info.value)


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_written(cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    manifest = backup.backup(tmp_path / "site.tar")
    with tarfile.open(tmp_path / "site.tar") as tar:
        offset = tar.getmember(manifest["database_file"]).offset_data
    data = bytearray((tmp_path / "site.tar").read_bytes())
    data[offset + 100] ^= 0xFF  # one byte of the database inside the backup
    (tmp_path / "bad.tar").write_bytes(bytes(data))
    with pytest.raises(backup.BackupError):
        backup.read_manifest(tmp_path / "bad.tar")
