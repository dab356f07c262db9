"""Uploaded sheets kept between the preview and the commit, on the server, tied to the
session and the user that uploaded them.

Each upload gets a random token and a private folder (mode 0700) holding the file as
uploaded, the preview (rows, messages) and the fingerprint of each row. The session lists
the tokens it owns; a token of another session or user is "not found". The commit reads
the same bytes again, so it writes exactly the file that was previewed; the folder is
removed after the commit, on cancel, and when it is older than `MAX_AGE` (checked on
every upload). Nothing of the upload is ever served back as is.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

SESSION_KEY = "transfer_uploads"
MAX_AGE = 2 * 3600  # seconds
MAX_PER_SESSION = 5
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def root() -> Path:
    folder = Path(
        getattr(settings, "BEIAN_IMPORT_TMP_DIR", "") or Path(settings.DATA_DIR) / "tmp-imports"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


@dataclass
class Upload:
    token: str
    folder: Path
    meta: dict[str, Any]

    @property
    def data(self) -> bytes:
        return (self.folder / "upload.bin").read_bytes()

    @property
    def file_name(self) -> str:
        return self.meta["file_name"]

    def plan_dict(self) -> dict[str, Any]:
        return json.loads((self.folder / "plan.json").read_text("utf-8"))

    def digests(self) -> dict[int, str]:
        raw = json.loads((self.folder / "digests.json").read_text("utf-8"))
        return {int(k): v for k, v in raw.items()}

    def save_plan(self, plan) -> None:
        _write(self.folder / "plan.json", json.dumps(plan.as_dict(), ensure_ascii=False))
        _write(self.folder / "digests.json", json.dumps(plan.digests()))
        self.meta["drop"] = list(plan.dropped)
        self.meta["errors"] = plan.error_rows()
        _write(self.folder / "meta.json", json.dumps(self.meta, ensure_ascii=False))


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, "utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def purge_stale(now: float | None = None) -> None:
    now = now or time.time()
    for folder in root().iterdir():
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > MAX_AGE:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def create(request, *, data: bytes, file_name: str, kind: str, unit_id: int | None) -> Upload:
    purge_stale()
    token = secrets.token_urlsafe(16)
    folder = root() / token
    folder.mkdir(mode=0o700)
    path = folder / "upload.bin"
    path.write_bytes(data)
    os.chmod(path, 0o600)
    meta = {
        "user_id": request.user.pk,
        "file_name": file_name,
        "kind": kind,
        "unit_id": unit_id,
        "created": time.time(),
        "drop": [],
    }
    _write(folder / "meta.json", json.dumps(meta, ensure_ascii=False))
    tokens = [t for t in request.session.get(SESSION_KEY, []) if t != token]
    tokens.append(token)
    for old in tokens[:-MAX_PER_SESSION]:
        shutil.rmtree(root() / old, ignore_errors=True)
    request.session[SESSION_KEY] = tokens[-MAX_PER_SESSION:]
    return Upload(token=token, folder=folder, meta=meta)


def get(request, token: str) -> Upload | None:
    """The upload if this session and user own it and it still exists."""
    if not _TOKEN.match(token or "") or token not in request.session.get(SESSION_KEY, []):
        return None
    folder = root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != request.user.pk:
        return None
    if time.time() - meta.get("created", 0) > MAX_AGE:
        discard(request, token)
        return None
    return Upload(token=token, folder=folder, meta=meta)


def discard(request, token: str) -> None:
    if _TOKEN.match(token or ""):
        shutil.rmtree(root() / token, ignore_errors=True)
    tokens = request.session.get(SESSION_KEY, [])
    if token in tokens:
        request.session[SESSION_KEY] = [t for t in tokens if t != token]
