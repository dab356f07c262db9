"""Tamper evidence of the audit log (issue 9, finding 5): the hash chain, `audit_verify`,
the archive and the database triggers. Runs on SQLite and PostgreSQL."""

import datetime as dt
import gzip
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from beian.core import auditarchive, auditchain
from beian.core.audit import audit
from beian.core.models import AuditArchive, AuditChainHead, AuditDeletePermit, AuditEvent
from beian.core.policy import PolicyError, policy_from_toml


def _rows(cast, n=5):
    return [
        audit(event="update", actor=cast.school_admin, detail={"i": i, "name": f"账号{i}"})
        for i in range(n)
    ]


def _verify_fails() -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    assert info.value.returncode == 1
    return str(info.value)


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _without_triggers(sql, params=()):
    """What an attacker with database access does: drop the triggers, write, put them back."""
    with connection.cursor() as cursor:
        auditchain.triggers_off(cursor)
        try:
            cursor.execute(sql, params)
        finally:
            auditchain.triggers_on(cursor)


def _db_now() -> dt.datetime:
    """The database's clock (the triggers use it), which the test clock does not move."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_TIMESTAMP")
        value = cursor.fetchone()[0]
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value


@pytest.mark.django_db
def test_untouched_log_verifies(cast, capsys):
    _rows(cast)
    call_command("audit_verify")
    assert "审计链完整" in capsys.readouterr().out
    rows = list(AuditEvent.objects.order_by("id"))
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + len(rows)))
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].row_hash)


@pytest.mark.django_db
def test_forged_insert_is_found(cast):
    rows = _rows(cast)
    # Back-dated, in another actor's name, with plausible chain columns copied from a row.
    _raw(
        "INSERT INTO core_auditevent (at, actor_id, actor_name, event, success, object_type,"
        " object_id, object_repr, ip, detail, seq, prev_hash, row_hash)"
        " VALUES (%s, %s, %s, 'update', %s, '', '', '', NULL, %s, %s, %s, %s)",
        [
            timezone.now() - dt.timedelta(days=30),
            cast.leader.pk,
            cast.leader.username,
            True,
            "{}",
            rows[-1].seq + 1,
            rows[-1].row_hash,
            "0" * 64,
        ],
    )
    forged = AuditEvent.objects.order_by("-id").first()
    message = _verify_fails()
    assert f"id={forged.pk}" in message


@pytest.mark.django_db
def test_forged_insert_without_chain_columns_is_found(cast):
    _rows(cast)
    _raw(
        "INSERT INTO core_auditevent (at, actor_name, event, success, object_type, object_id,"
        " object_repr, detail, prev_hash, row_hash)"
        " VALUES (%s, 'leader', 'login', %s, '', '', '', '{}', '', '')",
        [timezone.now(), True],
    )
    forged = AuditEvent.objects.order_by("-id").first()
    assert f"id={forged.pk}" in _verify_fails()


@pytest.mark.django_db
def test_update_with_the_trigger_dropped_is_found(cast):
    rows = _rows(cast)
    _without_triggers(
        "UPDATE core_auditevent SET actor_name = 'someone_else' WHERE id = %s", [rows[2].pk]
    )
    message = _verify_fails()
    assert f"id={rows[2].pk}" in message and "篡改" in message


@pytest.mark.django_db
def test_delete_with_the_trigger_dropped_is_found(cast):
    rows = _rows(cast)
    _without_triggers("DELETE FROM core_auditevent WHERE id = %s", [rows[1].pk])
    assert f"id={rows[2].pk}" in _verify_fails()


@pytest.mark.django_db
def test_deleting_the_newest_rows_is_found(cast):
    rows = _rows(cast)
    _without_triggers("DELETE FROM core_auditevent WHERE id >= %s", [rows[3].pk])
    assert "链头" in _verify_fails()


@pytest.mark.django_db
def test_two_rows_swapped_are_found(cast):
    rows = _rows(cast)
    a, b = rows[1], rows[2]
    # Swap what the rows say, then their chain columns (seq is unique, hence -seq between).
    for target, source in ((a, b), (b, a)):
        _without_triggers(
            "UPDATE core_auditevent SET at = %s, actor_name = %s, detail = %s, seq = -seq"
            " WHERE id = %s",
            [source.at, source.actor_name, json.dumps(source.detail), target.pk],
        )
    for target, source in ((a, b), (b, a)):
        _without_triggers(
            "UPDATE core_auditevent SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
            [source.seq, source.prev_hash, source.row_hash, target.pk],
        )
    assert f"id={a.pk}" in _verify_fails()


@pytest.mark.django_db
def test_rows_get_in_only_through_the_audit_service(cast):
    with pytest.raises(ValueError):
        AuditEvent.objects.create(event="login", actor_name="x")
    with pytest.raises(ValueError):
        AuditEvent.objects.bulk_create([AuditEvent(event="login")])
    row = audit(event="login", actor=cast.leader)
    with pytest.raises(ValueError):
        AuditEvent.objects.filter(pk=row.pk).update(success=False)
    with pytest.raises(ValueError):
        AuditEvent.objects.filter(pk=row.pk).delete()


@pytest.mark.django_db
def test_database_refuses_delete_of_young_rows_even_with_a_permit(cast):
    # Young by the database's clock, which the triggers read (the test clock may be moved).
    row = auditchain.append(at=_db_now(), event="login", actor_name="leader")
    AuditDeletePermit.objects.create()
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("DELETE FROM core_auditevent WHERE id = %s", [row.pk])
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_policy_refuses_an_online_window_under_184_days():
    with pytest.raises(PolicyError) as info:
        policy_from_toml("[audit]\nonline_days = 90\n")
    assert "online_days" in str(info.value) and "184" in str(info.value)
    assert policy_from_toml("[audit]\nonline_days = 200\n").audit.online_days == 200


def _old_and_new_rows(cast):
    now = min(_db_now(), timezone.now())
    old = [
        auditchain.append(at=now - dt.timedelta(days=600 - i), event="update", actor_name=f"old{i}")
        for i in range(4)
    ]
    young = [
        auditchain.append(at=now - dt.timedelta(days=100), event="update", actor_name="young"),
        audit(event="login", actor=cast.leader),
    ]
    return old, young


@pytest.mark.django_db(transaction=True)
def test_archive_moves_old_rows_to_a_sealed_file_and_the_chain_still_verifies(
    cast, tmp_path, capsys
):
    old, young = _old_and_new_rows(cast)
    call_command("audit_archive", "--out", str(tmp_path))
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in young]).count() == 2
    record = AuditArchive.objects.get()
    assert (record.first_seq, record.last_seq, record.rows) == (old[0].seq, old[-1].seq, 4)
    files = sorted(tmp_path.glob("*.jsonl.gz"))
    assert len(files) == 1 and (tmp_path / (files[0].name + ".sha256")).exists()
    capsys.readouterr()
    call_command("audit_verify")
    call_command("audit_verify", "--archive", str(files[0]))
    assert "归档完整，4 行" in capsys.readouterr().out
    # The chain goes on from the anchor.
    audit(event="logout", actor=cast.leader)
    call_command("audit_verify")
    # Rows younger than the window stay, however the command is asked.
    call_command("audit_archive", "--out", str(tmp_path), "--before", "2999-01-01")
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in young]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_changed_archive_file_or_anchor_is_found(cast, tmp_path):
    _old_and_new_rows(cast)
    call_command("audit_archive", "--out", str(tmp_path))
    path = next(tmp_path.glob("*.jsonl.gz"))
    lines = gzip.decompress(path.read_bytes()).splitlines()
    row = json.loads(lines[2])
    row["actor_name"] = "forged"
    lines[2] = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    forged = tmp_path / "forged.jsonl.gz"
    forged.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    with pytest.raises(CommandError) as info:
        call_command("audit_verify", "--archive", str(forged))
    assert f"id={row['id']}" in str(info.value)
    # Removing the anchor (to hide the archived range) breaks the online chain.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditarchive")
    assert "链序号" in _verify_fails()


@pytest.mark.django_db(transaction=True)
def test_archive_refuses_to_run_on_a_broken_chain(cast, tmp_path):
    old, _ = _old_and_new_rows(cast)
    _without_triggers("UPDATE core_auditevent SET actor_name = 'x' WHERE id = %s", [old[1].pk])
    with pytest.raises(CommandError):
        call_command("audit_archive", "--out", str(tmp_path))
    assert AuditEvent.objects.filter(pk=old[0].pk).exists()
    assert not list(tmp_path.glob("*.gz"))


def test_cutoff_never_reaches_into_the_last_184_days():
    now = timezone.now()
    assert auditarchive.cutoff(400, now, now=now) == now - dt.timedelta(days=400)
    assert auditarchive.cutoff(10, now, now=now) == now - dt.timedelta(days=184)
    early = now - dt.timedelta(days=1000)
    assert auditarchive.cutoff(400, early, now=now) == early


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_unbroken_chain(cast):
    """Appends from several threads at once are serialised on the chain head: no fork, no
    duplicate sequence number, nothing lost."""
    import threading
    import time

    from django.db import OperationalError, connections

    errors, per_thread = [], 10

    def write(n):
        try:
            done = 0
            while done < per_thread:
                try:
                    audit(event="other", actor_name=f"w{n}", detail={"i": done})
                    done += 1
                except OperationalError:  # SQLite busy: try again, as a request would
                    time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    before = AuditEvent.objects.count()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert AuditEvent.objects.count() == before + 4 * per_thread
    result = auditchain.verify()
    assert result.ok, result.message
