"""Checking uploaded scans by what they contain, not by what they are called."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Leading bytes of the accepted formats, with the type and extension they stand for.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str


def sniff(head: bytes) -> tuple[str, str] | None:
    """The (content type, extension) the first bytes show, or None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def check_upload(upload) -> CheckedUpload:
    """Refuse a file that is empty, too large or not a PDF, JPEG or PNG by content."""
    limit = settings.BEIAN_UPLOAD_MAX_BYTES
    size = upload.size
    if not size:
        raise ValidationError(_("文件是空的"), code="empty")
    if size > limit:
        raise ValidationError(
            _("文件过大（%(size).1f MB），不能超过 %(limit).0f MB")
            % {"size": size / 1048576, "limit": limit / 1048576},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    found = sniff(head)
    if found is None:
        raise ValidationError(
            _("只接受 PDF、JPG 或 PNG 格式的扫描件（按文件内容判断，不看文件名）"),
            code="file_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(found[0], found[1], size, digest.hexdigest())
