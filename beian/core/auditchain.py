"""The hash chain of the audit log (tamper evidence).

Every row carries `seq` (its place in the chain), `prev_hash` (the previous row's hash) and
`row_hash` = HMAC-SHA256 over the canonical JSON of the row and `prev_hash`, keyed with
`BEIAN_AUDIT_KEY` from the environment (a secret kept outside the database; without it a
key derived from SECRET_KEY is used and `manage.py check --deploy` warns). Rows are appended
only by `append()`, which locks the chain head (`AuditChainHead`, SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions hold the write lock already).

`verify()` walks the rows in insertion order from the anchor (the newest archive, or the
start) and names the first row whose sequence, link or hash is wrong: a row inserted,
changed, deleted or moved behind the application's back.

Rows cut from the *end* of the log, with the head row rewound to match, leave a chain that
is intact as far as it goes. The witness catches that: the nightly check appends the
verified head (sequence, hash, time; signed with the same key) to `BEIAN_AUDIT_WITNESS`, a
file kept off the database host, and `verify()` requires every witnessed head to still be
in the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .models import AuditArchive, AuditChainHead, AuditEvent

logger = logging.getLogger("beian.audit")

#: No row younger than this can ever be archived or removed (网络安全法 Art. 21: ≥ 6 months).
MIN_ONLINE_DAYS = 184

HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "event",
    "success",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "detail",
)


def audit_key() -> bytes:
    key = getattr(settings, "BEIAN_AUDIT_KEY", "")
    if key:
        return key.encode()
    return hashlib.sha256(b"beian-audit-chain:" + settings.SECRET_KEY.encode()).digest()


@checks.register(checks.Tags.security, deploy=True)
def check_audit_key(app_configs=None, **kwargs):
    if getattr(settings, "BEIAN_AUDIT_KEY", ""):
        return []
    return [
        checks.Warning(
            "BEIAN_AUDIT_KEY is not set: the audit chain is keyed with a key derived from "
            "SECRET_KEY, which lives beside the database on the same host.",
            hint="Set BEIAN_AUDIT_KEY (32+ random bytes) and keep a copy off the host; "
            "see docs/operations.md.",
            id="beian.W101",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_audit_witness(app_configs=None, **kwargs):
    if getattr(settings, "BEIAN_AUDIT_WITNESS", ""):
        return []
    return [
        checks.Warning(
            "BEIAN_AUDIT_WITNESS is not set: rows deleted from the end of the audit log, "
            "with the chain head rewound, cannot be detected.",
            hint="Set BEIAN_AUDIT_WITNESS to a file on another host or append-only storage; "
            "see docs/operations.md.",
            id="beian.W102",
        )
    ]


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def plain_json(value):
    """The value as it reads back from a JSON column (dates as text, tuples as lists)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _at(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_facts(row) -> dict:
    """The hashed facts of a row (an AuditEvent or a dict read from an archive)."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    at = get("at")
    return {
        "seq": get("seq"),
        "at": at if isinstance(at, str) else _at(at),
        "actor_id": get("actor_id"),
        "actor_name": get("actor_name") or "",
        "event": get("event") or "",
        "success": bool(get("success")),
        "object_type": get("object_type") or "",
        "object_id": get("object_id") or "",
        "object_repr": get("object_repr") or "",
        "ip": get("ip") or None,
        "detail": get("detail") or {},
    }


def sign(payload: dict) -> str:
    return hmac.new(audit_key(), canonical(payload).encode(), hashlib.sha256).hexdigest()


def row_hash(facts: dict, prev_hash: str) -> str:
    return sign({**facts, "prev": prev_hash})


# --- Appending --------------------------------------------------------------------------


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # A fresh database (or one emptied by the test runner): start from the last row.
        last = AuditEvent.objects.exclude(seq=None).order_by("-seq").first()
        AuditChainHead.objects.get_or_create(
            pk=1,
            defaults={"seq": last.seq if last else 0, "hash": last.row_hash if last else ""},
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def append(**fields) -> AuditEvent:
    """Insert one audit row chained to the head, in the caller's transaction."""
    with transaction.atomic():
        head = _locked_head()
        row = AuditEvent(**fields)
        row.detail = plain_json(row.detail or {})
        row.seq = head.seq + 1
        row.prev_hash = head.hash
        row.row_hash = row_hash(row_facts(row), row.prev_hash)
        row._chained = True
        row.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(seq=row.seq, hash=row.row_hash)
    return row


# --- Verifying --------------------------------------------------------------------------


@dataclass
class Anchor:
    seq: int = 0
    hash: str = ""
    archive: AuditArchive | None = None


@dataclass
class Result:
    ok: bool
    rows: int
    message: str
    bad_id: int | None = None
    head_seq: int = 0
    head_hash: str = ""


def archive_seal(archive) -> str:
    get = archive.get if isinstance(archive, dict) else lambda name: getattr(archive, name)
    return sign(
        {
            "archive": 1,
            "first_seq": get("first_seq"),
            "last_seq": get("last_seq"),
            "prev_hash": get("prev_hash"),
            "last_hash": get("last_hash"),
            "rows": get("rows"),
            "file_sha256": get("file_sha256"),
        }
    )


def anchor(using: str = "default") -> Anchor | str:
    """Where the online chain starts: after the newest archive, or at the beginning. A
    string says why the anchor itself cannot be trusted."""
    archive = AuditArchive.objects.using(using).order_by("-last_seq").first()
    if archive is None:
        return Anchor()
    if not hmac.compare_digest(archive.seal, archive_seal(archive)):
        return f"归档记录 {archive.pk}（{archive.file_name}）的封存校验值不符"
    return Anchor(seq=archive.last_seq, hash=archive.last_hash, archive=archive)


def verify_rows(rows: Iterable, start: Anchor) -> Result:
    """Walk rows (in insertion order) from the anchor; stop at the first bad one."""
    expected_seq, prev, count = start.seq + 1, start.hash, 0
    for row in rows:
        get = row.get if isinstance(row, dict) else lambda name, row=row: getattr(row, name)
        ident = get("id")
        seq = get("seq")
        if seq != expected_seq:
            what = (
                "没有链序号（绕过审计服务写入）"
                if seq is None
                else f"链序号为 {seq}，应为 {expected_seq}（其前有行被删除、插入或调换）"
            )
            return Result(False, count, f"第一处异常：审计记录 id={ident}：{what}", ident)
        if get("prev_hash") != prev:
            return Result(
                False,
                count,
                f"第一处异常：审计记录 id={ident}（链序号 {seq}）：前一行校验值不符（链条断开）",
                ident,
            )
        if not hmac.compare_digest(get("row_hash") or "", row_hash(row_facts(row), prev)):
            return Result(
                False,
                count,
                f"第一处异常：审计记录 id={ident}（链序号 {seq}）：内容与校验值不符（被篡改或伪造）",
                ident,
            )
        prev, expected_seq, count = get("row_hash"), expected_seq + 1, count + 1
    return Result(True, count, "", None, expected_seq - 1, prev)


def _rows_in_order(using: str = "default") -> Iterator[AuditEvent]:
    return AuditEvent.objects.using(using).order_by("id").iterator(chunk_size=2000)


def verify(using: str = "default") -> Result:
    """Check the whole online chain and the head (of database `using`)."""
    start = anchor(using)
    if isinstance(start, str):
        return Result(False, 0, start)
    result = verify_rows(_rows_in_order(using), start)
    if not result.ok:
        return result
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (result.head_seq, result.head_hash):
        return Result(
            False,
            result.rows,
            f"链头为链序号 {head.seq}，但最后一行为链序号 {result.head_seq}"
            "（末尾的行被删除，或链头被改动）",
        )
    problem = witness_check(result, start, using)
    if problem:
        return Result(False, result.rows, problem, None, result.head_seq, result.head_hash)
    return result


# --- The witness: verified heads kept outside the database ---------------------------------


def witness_path() -> Path | None:
    path = getattr(settings, "BEIAN_AUDIT_WITNESS", "")
    return Path(path) if path else None


def _witness_mac(seq: int, head_hash: str, at: str) -> str:
    return sign({"witness": 1, "seq": seq, "hash": head_hash, "at": at})


def witness_record(result: Result, at: dt.datetime) -> bool:
    """Append a verified head to the witness file (and the `beian.audit` log, for hosts
    that forward it); False when no witness is configured or the chain did not verify."""
    path = witness_path()
    if path is None or not result.ok or not result.head_seq:
        return False
    stamp = _at(at)
    line = {
        "seq": result.head_seq,
        "hash": result.head_hash,
        "at": stamp,
        "mac": _witness_mac(result.head_seq, result.head_hash, stamp),
    }
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
    logger.info(
        "audit chain head witnessed: seq=%s hash=%s at=%s",
        *(line[k] for k in ("seq", "hash", "at")),
    )
    return True


def witness_check(result: Result, start: Anchor, using: str = "default") -> str:
    """Why the chain disagrees with its witness file, or "" (also when there is none)."""
    path = witness_path()
    if path is None or not path.exists():
        return ""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            entry = json.loads(text)
            seq, head_hash, at, mac = entry["seq"], entry["hash"], entry["at"], entry["mac"]
        except (ValueError, KeyError, TypeError):
            return f"见证文件 {path} 第 {number} 行无法读取（见证记录被改动）"
        if not hmac.compare_digest(str(mac), _witness_mac(seq, head_hash, at)):
            return f"见证文件 {path} 第 {number} 行的签名不符（见证记录被改动）"
        if seq > result.head_seq:
            return (
                f"链序号 {seq} 已于 {at} 经校验存在，但现在链头为链序号 {result.head_seq}"
                "（末尾的行被删除，且链头被改回）"
            )
        if seq > start.seq:
            stored = (
                AuditEvent.objects.using(using)
                .filter(seq=seq)
                .values_list("row_hash", flat=True)
                .first()
            )
            if stored != head_hash:
                return f"链序号 {seq} 的校验值与 {at} 的见证记录不符（该行被替换）"
    return ""


# --- The triggers that keep the log append-only -------------------------------------------
# UPDATE is always refused; DELETE only of rows older than MIN_ONLINE_DAYS and only while the
# archive command holds a permit (a row in core_auditdeletepermit, inside its transaction).

SQLITE_TRIGGERS = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    f"""CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       WHEN NOT (OLD."at" < strftime('%Y-%m-%d %H:%M:%f', 'now', '-{MIN_ONLINE_DAYS} days')
                 AND EXISTS (SELECT 1 FROM core_auditdeletepermit))
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",  # noqa: S608 - constant
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
]
POSTGRES_FUNCTION = f"""CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD."at" < now() - interval '{MIN_ONLINE_DAYS} days'
       AND EXISTS (SELECT 1 FROM core_auditdeletepermit) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit log is append-only';
END; $$ LANGUAGE plpgsql;"""  # noqa: S608 - a constant, no input


def triggers_off(cursor) -> None:
    """For the test runner's flush only (it empties every table between tests)."""
    if cursor.db.vendor == "postgresql":
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
    else:
        for sql in SQLITE_DROP:
            cursor.execute(sql)


def triggers_on(cursor) -> None:
    if cursor.db.vendor == "postgresql":
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
    else:
        for sql in SQLITE_TRIGGERS:
            cursor.execute(sql)
