"""Upload safety: decide what an uploaded file really is, from its bytes, before any parser
touches it.

`check_upload(name, data, max_bytes)` returns the `SheetFormat` or raises `SheetError`:

- the size is capped first (`max_bytes`, the caller's setting);
- the type comes from the content, never from the name: a zip container is an .xlsx when
  its ``[Content_Types].xml`` declares a spreadsheet main part and an .ods when its
  ``mimetype`` entry says so; an OLE2 compound file (``D0 CF 11 E0``) is a legacy .xls;
  anything else must be text (UTF-8 with or without BOM, GB18030/GBK, or UTF-16 with a
  BOM) and is read as CSV. A .xlsx *name* with CSV *content* is therefore read as CSV;
  a renamed PDF, image, Word document or archive is refused;
- a zip container is checked before it is parsed: number of entries, total declared
  uncompressed size, compression ratio of each large entry, and then every entry is
  inflated once, streaming, in bounded memory, to verify that it inflates to no more than
  it declares (a lying header is a classic zip-bomb trick), that its CRC is right, and
  that no XML part carries a DOCTYPE / ENTITY declaration (entity bombs, external
  entities). Nothing that parses XML runs before these checks pass.

The limits are module constants; docs/sheets.md explains each.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import struct
import zipfile
import zlib
from enum import StrEnum
from typing import IO

from defusedxml import ElementTree as SafeElementTree

from .errors import SheetError

MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Entries that inflate to less than this are not ratio-checked: tiny XML parts (styles,
# empty sheets) legitimately compress very well and cannot hurt (the total is capped).
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_SMALL_PART_BYTES = 1024 * 1024  # [Content_Types].xml, mimetype

_READ_CHUNK = 256 * 1024
_INFLATE_CHUNK = 1024 * 1024

MSG_NOT_A_SHEET = "文件不是有效的 Excel 表格（.xlsx/.xls/.ods）或 CSV 文件"
MSG_BOMB = "压缩包内容异常（可能是压缩炸弹），已拒绝"
MSG_XML_DTD = "文件中含有不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝"
MSG_PROTECTED = "文件设置了打开密码，请在 Excel 中取消密码后重新上传"
MSG_EMPTY = "文件为空"
MSG_CORRUPT = "文件已损坏，无法读取，请在 Excel 中打开后重新保存再上传"


class SheetFormat(StrEnum):
    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"


_SPREADSHEET_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
)

# Magic numbers of things people upload by mistake; named in the refusal.
_KNOWN_MAGIC = (
    (b"%PDF", "PDF 文档"),
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"BZh", "bzip2 压缩包"),
    (b"{\\rtf", "RTF 文档"),
    (b"\x7fELF", "程序文件"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# `<!` followed by a letter is a markup declaration (DOCTYPE, ENTITY, ELEMENT, ATTLIST,
# NOTATION); comments (`<!--`) and CDATA (`<![CDATA[`) do not match.
_DECLARATION = re.compile(rb"<![A-Za-z]")
_XML_NAMES = (".xml", ".rels", ".vml")


def _not_a_sheet(name: str, what: str | None = None) -> SheetError:
    shown = f"“{name}”" if name else ""
    detail = f"（内容是{what}）" if what else ""
    return SheetError(f"文件{shown}不是有效的 Excel 表格（.xlsx/.xls/.ods）或 CSV 文件{detail}")


def _display_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if len(name) <= 80 else name[:79] + "…"


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"


def check_upload(name: str, data: bytes | IO[bytes], max_bytes: int) -> SheetFormat:
    """Decide what `data` is (`SheetFormat`) or raise `SheetError` with a Chinese message.

    `data` is the file's bytes or a binary, seekable file object (e.g. Django's
    `UploadedFile`), read from its start whatever its position, which is restored.
    `name` is used in messages only.
    """
    shown = _display_name(name)
    stream, close = _as_stream(data)
    position = stream.tell()
    try:
        size = stream.seek(0, os.SEEK_END)
        if size > max_bytes:
            raise SheetError(f"文件过大：{_megabytes(size)} MB，上限 {_megabytes(max_bytes)} MB")
        if size == 0:
            raise SheetError(MSG_EMPTY)
        stream.seek(0)
        head = stream.read(8)
        stream.seek(0)
        if head.startswith(_ZIP_MAGIC):
            return _check_zip(shown, stream)
        if head.startswith(_OLE2_MAGIC):
            return _check_ole2(shown, stream.read(size))
        return _check_text(shown, stream.read(size))
    finally:
        if close:
            stream.close()
        else:
            stream.seek(position)


def _as_stream(data) -> tuple[IO[bytes], bool]:
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(data), True
    if hasattr(data, "read") and hasattr(data, "seek"):
        return data, False
    raise TypeError("check_upload() needs bytes or a binary file object")


# ---------------------------------------------------------------------------------- zip


def _eocd_entry_count(stream: IO[bytes], size: int) -> int | None:
    """Number of entries the end-of-central-directory record announces, read before
    `zipfile` builds one object per entry (a 20 MB central directory is ~300,000)."""
    tail_size = min(size, 22 + 65535)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    total = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    return None if total == 0xFFFF else total


def _check_zip(name: str, stream: IO[bytes]) -> SheetFormat:
    size = stream.seek(0, os.SEEK_END)
    count = _eocd_entry_count(stream, size)
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise SheetError(MSG_BOMB)
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_a_sheet(name) from exc
    with archive:
        entries = archive.infolist()
        _check_declared_sizes(entries)
        names = {info.filename: info for info in entries}
        fmt = _zip_format(name, archive, names)
        for info in entries:
            _verify_entry(stream, info)
    return fmt


def _check_declared_sizes(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SheetError(MSG_BOMB)
    total = 0
    for info in entries:
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SheetError(MSG_BOMB)
        if info.file_size >= RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise SheetError(MSG_BOMB)
        if info.flag_bits & 0x1:
            raise SheetError(MSG_PROTECTED)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SheetError(MSG_CORRUPT)


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_SMALL_PART_BYTES:
        raise SheetError(MSG_BOMB)
    try:
        data = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise SheetError(MSG_CORRUPT) from exc
    if _DECLARATION.search(data):
        raise SheetError(MSG_XML_DTD)
    return data


def _zip_format(name: str, archive: zipfile.ZipFile, names: dict) -> SheetFormat:
    if "mimetype" in names:
        mimetype = _read_small(archive, names["mimetype"]).strip().decode("ascii", "replace")
        if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
            return SheetFormat.ODS
        if mimetype.startswith("application/vnd.oasis.opendocument.text"):
            raise _not_a_sheet(name, "ODF 文字文档")
        raise _not_a_sheet(name, "其他 OpenDocument 文档")
    if "[Content_Types].xml" not in names:
        raise _not_a_sheet(name, "ZIP 压缩包")
    raw = _read_small(archive, names["[Content_Types].xml"])
    try:
        root = SafeElementTree.fromstring(raw)
    except Exception as exc:  # defusedxml raises several types; all mean "refuse"
        raise SheetError(MSG_CORRUPT) from exc
    types = {
        (element.get("ContentType") or "").lower()
        for element in root.iter()
        if element.tag.endswith("}Override") or element.tag == "Override"
    }
    if types.intersection(_SPREADSHEET_MAIN_TYPES):
        return SheetFormat.XLSX
    joined = " ".join(types)
    if "ms-excel.sheet.binary" in joined:
        raise SheetError("不支持 .xlsb 格式，请在 Excel 中“另存为” .xlsx 后重新上传")
    if "wordprocessingml" in joined:
        raise _not_a_sheet(name, "Word 文档")
    if "presentationml" in joined:
        raise _not_a_sheet(name, "PowerPoint 演示文稿")
    raise _not_a_sheet(name)


def _verify_entry(stream: IO[bytes], info: zipfile.ZipInfo) -> None:
    """Inflate one entry from its raw bytes, streaming, and refuse it if it inflates to
    more than its header declares, fails its CRC, or (an XML part) declares a DTD."""
    stream.seek(info.header_offset)
    header = stream.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise SheetError(MSG_CORRUPT)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    stream.seek(info.header_offset + 30 + name_length + extra_length)

    is_xml = info.filename.lower().endswith(_XML_NAMES)
    decided = is_xml
    limit = info.file_size
    produced = 0
    crc = 0
    carry = b""
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    remaining = info.compress_size

    def consume(out: bytes) -> None:
        nonlocal produced, crc, carry, is_xml, decided
        if not out:
            return
        produced += len(out)
        if produced > limit:
            raise SheetError(MSG_BOMB)
        crc = zlib.crc32(out, crc)
        if not decided:
            first = out.lstrip(b" \t\r\n")[:2]
            if first:
                decided = True
                is_xml = first[:1] == b"<" or first in (b"\xef\xbb", b"\xff\xfe", b"\xfe\xff")
        if is_xml:
            if produced == len(out) and (
                out.startswith((b"\xff\xfe", b"\xfe\xff")) or out[:2] in (b"<\x00", b"\x00<")
            ):
                raise SheetError(
                    MSG_XML_DTD
                )  # UTF-16 XML: cannot be scanned, Excel never writes it
            if _DECLARATION.search(carry + out):
                raise SheetError(MSG_XML_DTD)
            carry = out[-8:]

    try:
        while remaining > 0:
            chunk = stream.read(min(_READ_CHUNK, remaining))
            if not chunk:
                raise SheetError(MSG_CORRUPT)
            remaining -= len(chunk)
            if inflater is None:
                consume(chunk)
                continue
            while chunk:
                consume(inflater.decompress(chunk, _INFLATE_CHUNK))
                chunk = inflater.unconsumed_tail
                if inflater.eof:
                    break
            if inflater.eof:
                break
        if inflater is not None:
            if not inflater.eof:
                raise SheetError(MSG_CORRUPT)
            consume(inflater.flush())
    except zlib.error as exc:
        raise SheetError(MSG_CORRUPT) from exc
    if produced != limit or crc != info.CRC:
        raise SheetError(MSG_CORRUPT)


# --------------------------------------------------------------------------------- OLE2


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _check_ole2(name: str, data: bytes) -> SheetFormat:
    """An OLE2 compound file is a legacy .xls, a .doc / .ppt, or a password-protected
    .xlsx (Office wraps encrypted OOXML in OLE2). The directory names are UTF-16 strings;
    calamine is the final judge when it opens the workbook."""
    if _utf16("EncryptedPackage") in data:
        raise SheetError(MSG_PROTECTED)
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return SheetFormat.XLS
    if _utf16("WordDocument") in data:
        raise _not_a_sheet(name, "Word 文档")
    if _utf16("PowerPoint Document") in data:
        raise _not_a_sheet(name, "PowerPoint 演示文稿")
    raise _not_a_sheet(name)


# --------------------------------------------------------------------------------- text

_CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_TEXT_PROBE = 64 * 1024
_CONTROL_CHARS = re.compile("[\x01-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


def decode_text(data: bytes) -> str | None:
    """The text of a CSV file: UTF-16 when it starts with a UTF-16 BOM, else UTF-8 (BOM
    optional), else GB18030 (a superset of GBK and GB2312); None if none of them fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in _CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _decode_probe(data: bytes) -> str | None:
    """decode_text() of the first 64 KB, not choking on a character cut at the end."""
    probe = data[:_TEXT_PROBE]
    if probe.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = _CSV_ENCODINGS
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            return decoder.decode(probe, final=len(probe) == len(data))
        except UnicodeDecodeError:
            continue
    return None


def _check_text(name: str, data: bytes) -> SheetFormat:
    for magic, what in _KNOWN_MAGIC:
        if data.startswith(magic):
            raise _not_a_sheet(name, what)
    text = _decode_probe(data)
    if text is None:
        raise _not_a_sheet(name)
    if "\x00" in text:
        raise _not_a_sheet(name)
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(2, len(text) // 1000):
        raise _not_a_sheet(name)
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped and (len(data) <= _TEXT_PROBE or not data.strip(b" \t\r\n\xef\xbb\xbf")):
        raise SheetError(MSG_EMPTY)
    if stripped.startswith("<"):
        raise SheetError(
            f"文件{f'“{name}”' if name else ''}的内容是网页（HTML）或 XML，"
            "不是真正的 Excel 表格（某些系统导出的 .xls 就是这样），"
            "请用 Excel 打开后“另存为” .xlsx 再上传"
        )
    return SheetFormat.CSV
