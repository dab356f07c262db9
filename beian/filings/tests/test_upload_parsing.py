"""Attachments are validated by parsing, not by their first bytes (issue 9, finding 9)."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from beian.filings.tests.factories import PDF, PNG
from beian.filings.uploads import check_upload


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refused(name: str, data: bytes, *, documents: bool = False) -> str:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, data), documents=documents)
    return " ".join(caught.value.messages)


def exe(size: int = 1024) -> bytes:
    """A minimal Windows program: DOS header pointing at a PE header."""
    dos = bytearray(b"MZ" + b"\0" * 62)
    dos[60:64] = struct.pack("<I", 64)
    return bytes(dos) + b"PE\0\0" + b"\x4c\x01" + b"\0" * (size - 70)


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, format="JPEG")
    return out.getvalue()


def docx(main_type: str | None = None) -> bytes:
    main_type = main_type or (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document><w:body/></w:document>")
    return out.getvalue()


def test_real_pdf_png_and_jpeg_are_accepted():
    assert check_upload(upload("a.pdf", PDF)).extension == "pdf"
    assert check_upload(upload("a.png", PNG)).extension == "png"
    assert check_upload(upload("a.jpg", jpeg())).extension == "jpg"


def test_pdf_header_followed_by_an_executable_is_refused():
    """Finding 9: "%PDF-" + EXE bytes passed the first-bytes check; it is not a PDF."""
    message = refused("scan.pdf", b"%PDF-1.7\n" + exe())
    assert "PDF" in message or "可执行程序" in message


def test_a_real_pdf_with_an_executable_appended_is_refused():
    """Finding 9: a valid PDF with a program glued after its end."""
    assert "可执行程序" in refused("scan.pdf", PDF + exe())
    assert "结尾之后" in refused("scan.pdf", PDF + b"PK\x03\x04" + b"\0" * 64)


def test_a_real_pdf_with_an_executable_inside_is_refused():
    """Finding 9: a program hidden before the end marker (a PDF comment is free text)."""
    at = PDF.rfind(b"%%EOF")
    sneaky = PDF[:at] + b"%" + exe() + b"\n" + PDF[at:]
    assert "可执行程序" in refused("scan.pdf", sneaky)


def test_a_pdf_html_polyglot_is_refused():
    """Finding 9: a file that is a PDF to a PDF reader and a web page to a browser."""
    page = b"<html><body><script>alert(document.cookie)</script></body></html>"
    polyglot = PDF[:9] + b"%" + page + b"\n" + PDF[9:]
    assert "网页" in refused("scan.pdf", polyglot)
    assert refused("scan.pdf", PDF + page)


def test_a_pdf_with_javascript_is_refused():
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    assert "脚本" in refused("scan.pdf", out.getvalue())


def test_a_broken_pdf_is_refused():
    assert "PDF" in refused("scan.pdf", b"%PDF-1.4\n" + b"0" * 64 + b"\n%%EOF\n")


def test_images_are_decoded_and_polyglots_refused():
    """Finding 9: an image must decode; a PNG with data after its end, or an image carrying
    a web page or a program, is refused."""
    assert "损坏" in refused("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert "损坏" in refused("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    assert "结尾之后" in refused("a.png", PNG + b"<?php system($_GET['c']); ?>")
    assert "网页" in refused("a.png", PNG + b"<html>")
    assert "网页" in refused("a.jpg", jpeg() + b"<script>alert(1)</script>")
    assert "可执行程序" in refused("a.jpg", jpeg() + exe())


def test_word_files_are_checked_as_packages_with_the_right_main_part():
    assert check_upload(upload("表.docx", docx()), documents=True).extension == "docx"
    wrong = docx("application/xml")
    assert "不符" in refused("表.docx", wrong, documents=True)


def test_documents_carrying_a_web_page_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/afchunk.htm", "<html><script>alert(1)</script></html>")
    assert "网页" in refused("表.docx", out.getvalue(), documents=True)
