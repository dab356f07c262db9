"""Checking uploaded scans by what they contain, not by what they are called."""

from __future__ import annotations

import hashlib
import zipfile
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


#: Office documents a notice may carry (blank forms to fill in), by the part that makes the
#: package a document or a workbook; the legacy binary formats by their OLE header and name.
OOXML_PARTS: tuple[tuple[str, str, str], ...] = (
    (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
)
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_EXTENSIONS = {"doc": "application/msword", "xls": "application/vnd.ms-excel"}


def sniff_document(upload, head: bytes) -> tuple[str, str] | None:
    """A Word or Excel file by content: an OOXML package whose parts say which, or a legacy
    OLE file whose name says .doc / .xls. None for anything else (a renamed ZIP, an EXE)."""
    name = (getattr(upload, "name", "") or "").lower()
    if head.startswith(OLE_HEADER):
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        return (OLE_EXTENSIONS[extension], extension) if extension in OLE_EXTENSIONS else None
    if not head.startswith(b"PK\x03\x04"):
        return None
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None  # not an Office package, or one with macros
    for part, content_type, extension in OOXML_PARTS:
        if part in names:
            return content_type, extension
    return None


def check_upload(upload, *, documents: bool = False) -> CheckedUpload:
    """Refuse a file that is empty, too large or not a PDF, JPEG or PNG by content (with
    `documents`, also a Word or Excel file: a notice's blank forms)."""
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
    if found is None and documents:
        found = sniff_document(upload, head)
    if found is None:
        raise ValidationError(
            _("只接受 PDF、JPG、PNG 或 Word、Excel 格式的文件（按文件内容判断，不看文件名）")
            if documents
            else _("只接受 PDF、JPG 或 PNG 格式的扫描件（按文件内容判断，不看文件名）"),
            code="file_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(found[0], found[1], size, digest.hexdigest())
