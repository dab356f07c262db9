"""Archiving old audit rows (`manage.py audit_archive`) and checking an archive file offline
(`manage.py audit_verify --archive FILE`).

An archive is a gzip'd JSON-lines file: a header line (where the chain stood before its
first row), one line per row (every hashed fact, the links and the row's hash) and a trailer
(the last row's hash, the row count, the SHA-256 of the row lines and an HMAC seal over all
of it, keyed like the chain). A `FILE.sha256` beside it holds the SHA-256 of the whole file.
The rows leave the database only after the file is written, read back and verified, in the
same transaction that records the archive (`AuditArchive`, the new anchor of the chain); the
database's own triggers refuse to delete any row younger than 184 days.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from . import auditchain
from .auditchain import MIN_ONLINE_DAYS, Anchor, Result, canonical, sign
from .models import AuditArchive, AuditDeletePermit, AuditEvent

FORMAT = "beian-audit-archive/1"


def _line(value: dict) -> bytes:
    return (canonical(value) + "\n").encode()


def _row_record(row: AuditEvent) -> dict:
    return {
        "id": row.pk,
        **auditchain.row_facts(row),
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


def _trailer_seal(trailer: dict) -> str:
    return sign({"archive_file": FORMAT, **{k: v for k, v in trailer.items() if k != "seal"}})


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_file(path: Path, rows: list[AuditEvent], prev_hash: str) -> dict:
    """Write the archive of `rows` (consecutive links starting after `prev_hash`)."""
    first, last = rows[0], rows[-1]
    rows_digest = hashlib.sha256()
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(_line({"format": FORMAT, "first_seq": first.seq, "prev_hash": prev_hash}))
        for row in rows:
            line = _line(_row_record(row))
            rows_digest.update(line)
            gz.write(line)
        trailer = {
            "end": True,
            "first_seq": first.seq,
            "last_seq": last.seq,
            "prev_hash": prev_hash,
            "last_hash": last.row_hash,
            "rows": len(rows),
            "rows_sha256": rows_digest.hexdigest(),
        }
        trailer["seal"] = _trailer_seal(trailer)
        gz.write(_line(trailer))
        gz.flush()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    digest = file_sha256(path)
    Path(str(path) + ".sha256").write_text(f"{digest}  {path.name}\n")
    return {**trailer, "file_sha256": digest}


@dataclass
class ArchiveCheck(Result):
    first_seq: int = 0
    last_seq: int = 0
    prev_hash: str = ""


def verify_file(path: Path) -> ArchiveCheck:
    """Check an archive file without the database: every row's hash and link, the trailer's
    count, digest and seal, and the SHA-256 beside it when present."""

    def bad(message: str, rows: int = 0, ident=None) -> ArchiveCheck:
        return ArchiveCheck(False, rows, message, ident)

    path = Path(path)
    try:
        with gzip.open(path, "rb") as gz:
            lines = gz.read().splitlines(keepends=True)
    except (OSError, EOFError) as exc:
        return bad(f"无法读取归档文件 {path}：{exc}")
    if len(lines) < 2:
        return bad(f"归档文件 {path} 不完整")
    try:
        header = json.loads(lines[0])
        trailer = json.loads(lines[-1])
        records = [json.loads(line) for line in lines[1:-1]]
    except ValueError:
        return bad(f"归档文件 {path} 不是有效的 JSON 行格式")
    if header.get("format") != FORMAT or not trailer.get("end"):
        return bad(f"归档文件 {path} 缺少文件头或文件尾")
    start = Anchor(seq=header["first_seq"] - 1, hash=header.get("prev_hash", ""))
    result = auditchain.verify_rows(records, start)
    if not result.ok:
        return bad(result.message, result.rows, result.bad_id)
    digest = hashlib.sha256(b"".join(lines[1:-1])).hexdigest()
    expected = {
        "first_seq": header["first_seq"],
        "last_seq": result.head_seq,
        "prev_hash": header.get("prev_hash", ""),
        "last_hash": result.head_hash,
        "rows": result.rows,
        "rows_sha256": digest,
    }
    for key, value in expected.items():
        if trailer.get(key) != value:
            return bad(f"归档文件尾的 {key} 与文件内容不符（文件被截断或改动）", result.rows)
    if not hmac.compare_digest(str(trailer.get("seal", "")), _trailer_seal(trailer)):
        return bad("归档文件的封存校验值不符（文件被改动，或使用了不同的 BEIAN_AUDIT_KEY）")
    sidecar = Path(str(path) + ".sha256")
    if sidecar.exists():
        recorded = sidecar.read_text().split()[0] if sidecar.read_text().strip() else ""
        if recorded != file_sha256(path):
            return bad(f"归档文件的 SHA-256 与 {sidecar.name} 不符")
    return ArchiveCheck(
        True,
        result.rows,
        "",
        None,
        result.head_seq,
        result.head_hash,
        first_seq=header["first_seq"],
        last_seq=result.head_seq,
        prev_hash=header.get("prev_hash", ""),
    )


def cutoff(online_days: int, before: dt.datetime | None = None, now=None) -> dt.datetime:
    """The newest instant a row may be from to be archived: never later than the policy's
    online window, and never later than 184 days ago whatever the window or `before` say."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=max(online_days, MIN_ONLINE_DAYS))
    return min(before, limit) if before is not None else limit


def _database_now() -> dt.datetime:
    """The database's clock: its triggers judge a row's age by it, so the archive does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_TIMESTAMP")
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite answers text in UTC
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value


class ArchiveError(Exception):
    pass


def archive(*, out_dir: Path, online_days: int, before: dt.datetime | None = None):
    """Move the oldest rows (a run from the chain's start, all older than the cutoff) to a
    sealed file, then remove them. Returns the AuditArchive, or None when nothing is due."""
    limit = min(cutoff(online_days, before), cutoff(MIN_ONLINE_DAYS, now=_database_now()))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        auditchain._locked_head()  # no row is appended while we read and remove
        check = auditchain.verify()
        if not check.ok:
            raise ArchiveError(f"审计链校验未通过，不归档：{check.message}")
        start = auditchain.anchor()
        rows = []
        for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            if row.at >= limit:
                break
            rows.append(row)
        if not rows:
            return None
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        path = out_dir / f"audit-{rows[0].seq:09d}-{rows[-1].seq:09d}-{stamp}.jsonl.gz"
        facts = write_file(path, rows, start.hash)
        again = verify_file(path)
        if not again.ok or again.rows != len(rows):
            raise ArchiveError(f"归档文件写入后校验失败，未删除任何记录：{again.message}")
        record = AuditArchive(
            first_seq=rows[0].seq,
            last_seq=rows[-1].seq,
            prev_hash=start.hash,
            last_hash=rows[-1].row_hash,
            rows=len(rows),
            before=limit,
            file_name=path.name,
            file_sha256=facts["file_sha256"],
        )
        record.seal = auditchain.archive_seal(record)
        record.save()
        permit = AuditDeletePermit.objects.create()
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM core_auditevent WHERE seq >= %s AND seq <= %s AND at < %s",
                [rows[0].seq, rows[-1].seq, connection.ops.adapt_datetimefield_value(limit)],
            )
            deleted = cursor.rowcount
        permit.delete()
        if deleted != len(rows):
            raise ArchiveError(f"应删除 {len(rows)} 行，实际 {deleted} 行；已回滚")
    return record
