"""Backup and restore (`manage.py backup OUT`, `manage.py restore IN`).

A backup is one `.tar` file:

- `db.sqlite3` (SQLite: the online backup API, a consistent copy while the site runs) or
  `db.dump` (PostgreSQL: `pg_dump` custom format, taken in an exported snapshot);
- `media/…`: the uploaded files;
- `manifest.json`: when, which database, the audit chain head *in the same snapshot as the
  database*, and the size and SHA-256 of every other member.

`restore` checks every checksum first, refuses a database that already has tables (or a
MEDIA_ROOT with files), loads the database and the files, then verifies the audit chain and
that its head is the one the manifest recorded.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = "beian-backup/1"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: p.parts[-3])
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if not path:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（scripts/system-deps.sh）")
    return path


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "localhost", "-U", db.get("USER") or "postgres"]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _head_of(cursor) -> dict:
    cursor.execute("SELECT seq, hash FROM core_auditchainhead WHERE id = 1")
    row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}


def _dump_sqlite(alias: str, target: Path) -> dict:
    connection = connections[alias]
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        connection.connection.backup(dest)  # the online backup API: one consistent copy
    finally:
        dest.close()
    copy = sqlite3.connect(target)
    try:
        return _head_of(copy.cursor())
    finally:
        copy.close()


def _dump_postgres(alias: str, target: Path) -> dict:
    """pg_dump in a snapshot exported by a REPEATABLE READ transaction, which also reads the
    chain head: the head recorded is the head of the dumped data."""
    connection = connections[alias]
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            head = _head_of(cursor)
            db = connection.settings_dict
            args, env = _pg_env(db)
            result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [_pg_bin("pg_dump"), *args, "-Fc", f"--snapshot={snapshot}", "-f", str(target)]
                + [db["NAME"]],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        raw.rollback()
    finally:
        raw.close()
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
    return head


def backup(out: Path, *, alias: str = "default", media_root: Path | None = None) -> dict:
    """Write the backup file; returns its manifest."""
    out = Path(out)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = connections[alias].vendor
    with tempfile.TemporaryDirectory(prefix="beian-backup-") as tmp:
        tmp = Path(tmp)
        if vendor == "sqlite":
            db_name = "db.sqlite3"
            head = _dump_sqlite(alias, tmp / db_name)
        elif vendor == "postgresql":
            db_name = "db.dump"
            head = _dump_postgres(alias, tmp / db_name)
        else:
            raise BackupError(f"不支持的数据库：{vendor}")
        files = {db_name: tmp / db_name}
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    files["media/" + path.relative_to(media_root).as_posix()] = path
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "database_file": db_name,
            "audit_head": head,
            "files": {
                name: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for name, path in files.items()
            },
        }
        part = out.with_name(out.name + ".part")
        with tarfile.open(part, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name, path in files.items():
                tar.add(path, arcname=name, recursive=False)
        os.replace(part, out)
    return manifest


# --- restore ------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    """The manifest, after checking every member against it (size and SHA-256)."""
    with tarfile.open(path, "r") as tar:
        try:
            manifest = json.load(tar.extractfile("manifest.json"))
        except KeyError:
            raise BackupError(f"{path} 不是 Beian 备份（缺少 manifest.json）") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path} 的格式 {manifest.get('format')} 无法识别")
        seen = set()
        for member in tar.getmembers():
            if member.name == "manifest.json":
                continue
            expected = manifest["files"].get(member.name)
            if expected is None or not member.isfile():
                raise BackupError(f"备份中有清单之外的条目：{member.name}")
            digest = hashlib.sha256()
            fh = tar.extractfile(member)
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
            if digest.hexdigest() != expected["sha256"] or member.size != expected["size"]:
                raise BackupError(f"备份条目 {member.name} 的校验值不符（文件损坏或被改动）")
            seen.add(member.name)
        missing = set(manifest["files"]) - seen
        if missing:
            raise BackupError(f"备份缺少条目：{'、'.join(sorted(missing))}")
    return manifest


def _refuse_non_empty(alias: str, media_root: Path) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"目标数据库不是空的（已有 {len(tables)} 张表）：restore 只恢复到全新的空数据库，"
            "以免覆盖现有数据。"
        )
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"上传文件目录 {media_root} 不是空的：restore 只恢复到空目录。")


def restore(path: Path, *, alias: str = "default", media_root: Path | None = None) -> dict:
    path = Path(path)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest = read_manifest(path)
    connection = connections[alias]
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"备份来自 {manifest['database']}，而目标数据库是 {connection.vendor}；"
            "请在同类数据库上恢复。"
        )
    _refuse_non_empty(alias, media_root)
    with tempfile.TemporaryDirectory(prefix="beian-restore-") as tmp, tarfile.open(path) as tar:
        tmp = Path(tmp)
        db_file = manifest["database_file"]
        tar.extract(db_file, tmp, filter="data")
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(tmp / db_file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            db = connection.settings_dict
            args, env = _pg_env(db)
            connection.close()
            result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [_pg_bin("pg_restore"), *args, "--no-owner", "--exit-on-error", "-d", db["NAME"]]
                + [str(tmp / db_file)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")
        for name in manifest["files"]:
            if not name.startswith("media/"):
                continue
            relative = PurePosixPath(name).relative_to("media")
            if ".." in relative.parts:
                raise BackupError(f"备份条目路径不安全：{name}")
            target = media_root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(name) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    return manifest
