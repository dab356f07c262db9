"""Checking uploaded scans by what they contain, not by what they are called: the first
bytes name the format, a parser of that format must read the file, and nothing of another
format (a program, a web page) may ride along (docs/uploads.md)."""

from __future__ import annotations

import hashlib
import io
import re
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


# --- validation by parsing (issue 9, finding 9) -------------------------------------------
# The first bytes only say what a file claims to be: "%PDF-" followed by an EXE, or a PDF
# that is also an HTML page, passed that test. Each file is now opened by a parser of its
# format, and refused when it carries another format inside.

MAX_IMAGE_PIXELS = 60_000_000  # a 600 dpi A3 scan is ~70 MP in colour; 60 MP is plenty
MAX_PDF_TRAILER = 1024  # bytes allowed after the last %%EOF (whitespace, NULs only)
# Tags of a web page, anywhere in the file (four letters or more: a chance match inside
# compressed data is negligible), and a few shorter ones in the first 4 KB only.
_HTML = re.compile(
    rb"<\s*(?:html|script|body|iframe|object|embed|!doctype\s+html|meta\s+http-equiv)\b",
    re.IGNORECASE,
)
_HTML_HEAD = re.compile(rb"<\s*(?:svg|img|form)\b[^>]{0,200}>", re.IGNORECASE)
HEAD_BYTES = 4096
# PDF names of active content, long enough not to occur by chance in compressed data; the
# short ones (/JS, /AA, /OpenAction under a page) are looked for in the parsed objects.
_PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia|SubmitForm|ImportData)(?![A-Za-z])"
)
_PDF_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"}
_OOXML_MAIN_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


def _refuse(message: str, code: str = "file_content") -> ValidationError:
    return ValidationError(message, code=code)


def _has_executable(data: bytes) -> bool:
    """An embedded Windows (MZ … PE) or Linux (ELF) program anywhere in the file."""
    if b"\x7fELF\x02\x01\x01" in data or b"\x7fELF\x01\x01\x01" in data:
        return True
    if b"This program cannot be run in DOS mode" in data:
        return True
    start = data.find(b"MZ")
    while start != -1:
        header = data[start + 60 : start + 64]
        if len(header) == 4:
            offset = int.from_bytes(header, "little")
            if 0 < offset < 4096 and data[start + offset : start + offset + 4] == b"PE\0\0":
                return True
        start = data.find(b"MZ", start + 2)
    return False


def _check_no_foreign_content(data: bytes) -> None:
    if _has_executable(data):
        raise _refuse(_("文件中夹带了可执行程序，已拒绝"))
    if _HTML.search(data) or _HTML_HEAD.search(data[:HEAD_BYTES]):
        raise _refuse(_("文件中夹带了网页（HTML/脚本）内容，已拒绝"))


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    end = data.rfind(b"%%EOF")
    if end < 0:
        raise _refuse(_("PDF 文件不完整（缺少文件结尾），请重新导出后上传"))
    trailer = data[end + 5 :]
    if len(trailer) > MAX_PDF_TRAILER or trailer.strip(b" \t\r\n\0"):
        raise _refuse(_("PDF 文件结尾之后还附加了其他内容，已拒绝"))
    if _PDF_ACTIVE.search(data):
        raise _refuse(_("PDF 中含有脚本、嵌入文件或表单提交等动态内容，请打印为普通 PDF 后上传"))
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse(_("PDF 设置了打开密码，请取消密码后上传"))
        pages = len(reader.pages)
        root = reader.trailer["/Root"].get_object()
        if _pdf_is_active(root, reader.pages):
            raise _refuse(_("PDF 中含有脚本、自动执行的动作或嵌入文件，请打印为普通 PDF 后上传"))
        for page in reader.pages:
            page.get_contents()
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise _refuse(
            _("PDF 文件已损坏或格式不规范，无法读取；请用 PDF 阅读器“另存为”或重新扫描后上传")
        ) from exc
    if pages < 1:
        raise _refuse(_("PDF 文件没有任何页面"))


def _pdf_is_active(root, pages) -> bool:
    """Actions run on opening (the catalog's /OpenAction, /AA), document-level scripts or
    embedded files (/Names), an XFA form, and pages or annotations that launch, submit or
    script (/AA, /A with /S of an active kind, file attachments)."""
    if "/OpenAction" in root or "/AA" in root:
        return True
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names or "/EmbeddedFiles" in names:
        return True
    form = root.get("/AcroForm")
    if form is not None and "/XFA" in form.get_object():
        return True
    for page in pages:
        if "/AA" in page:
            return True
        for annotation in page.get("/Annots") or ():
            annotation = annotation.get_object()
            if annotation.get("/Subtype") in ("/FileAttachment", "/RichMedia", "/Movie"):
                return True
            action = annotation.get("/A")
            action = action.get_object() if action is not None else {}
            if action.get("/S") in _PDF_ACTIONS or "/JS" in action or "/AA" in annotation:
                return True
    return False


def _check_image(data: bytes, expected: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if (image.format or "").upper() != expected:
                raise _refuse(_("图片内容与格式不符"))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _refuse(
                    _("图片过大（%(w)s×%(h)s 像素），请缩小后上传") % {"w": width, "h": height}
                )
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise _refuse(_("图片文件已损坏，无法读取，请重新扫描或导出后上传")) from exc
    if expected == "PNG":
        end = data.rfind(b"IEND")
        if end < 0 or data[end + 8 :].strip(b" \t\r\n\0"):
            raise _refuse(_("图片结尾之后还附加了其他内容，已拒绝"))


def _check_ooxml(data: bytes, extension: str) -> None:
    """A Word / Excel package whose [Content_Types].xml declares that main part (the zip
    itself already checked against bombs and DTDs by the sheet safety checks)."""
    from defusedxml import ElementTree

    from beian.core.sheets import SheetError
    from beian.core.sheets.safety import _check_zip

    try:
        _check_zip("", io.BytesIO(data)) if extension == "xlsx" else _check_docx_zip(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml")
        root = ElementTree.fromstring(types)
    except SheetError as exc:
        raise _refuse(exc.message_zh) from exc
    except Exception as exc:  # zipfile and defusedxml raise several types: all mean refuse
        raise _refuse(_("文件已损坏或不是有效的 Word/Excel 文件")) from exc
    declared = {
        (element.get("ContentType") or "").lower()
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] == "Override"
    }
    if _OOXML_MAIN_TYPES[extension] not in declared:
        raise _refuse(_("文件内容与 Word/Excel 格式不符"))


def _check_docx_zip(data: bytes) -> None:
    """The sheet safety zip checks (entry count, sizes, ratio, CRC, no DTD), which apply to
    any OOXML package; they only name the format at the end, which a .docx is not."""
    from beian.core.sheets import SheetError
    from beian.core.sheets.safety import (
        MAX_ZIP_ENTRIES,
        MSG_BOMB,
        _check_declared_sizes,
        _eocd_entry_count,
        _verify_entry,
    )

    stream = io.BytesIO(data)
    count = _eocd_entry_count(stream, len(data))
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise SheetError(MSG_BOMB)
    with zipfile.ZipFile(stream) as archive:
        entries = archive.infolist()
        _check_declared_sizes(entries)
        for info in entries:
            _verify_entry(stream, info)


def validate_content(data: bytes, content_type: str, extension: str) -> None:
    """Open the file with a parser of the format its first bytes claim, and refuse it when
    the parser cannot read it or it carries a program or a web page as well."""
    _check_no_foreign_content(data)
    if extension == "pdf":
        _check_pdf(data)
    elif extension in ("jpg", "png"):
        _check_image(data, "JPEG" if extension == "jpg" else "PNG")
    elif extension in _OOXML_MAIN_TYPES:
        _check_ooxml(data, extension)


def check_upload(upload, *, documents: bool = False) -> CheckedUpload:
    """Refuse a file that is empty, too large or not a PDF, JPEG or PNG by content (with
    `documents`, also a Word or Excel file: a notice's blank forms); the file is parsed as
    that format (`validate_content`), so a polyglot or a renamed program is refused."""
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
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    validate_content(data, found[0], found[1])
    return CheckedUpload(found[0], found[1], size, hashlib.sha256(data).hexdigest())
