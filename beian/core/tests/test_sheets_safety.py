"""Upload safety: the type comes from the content, hostile files are refused early."""

import io
import time
import tracemalloc
import zipfile

import pytest

from beian.core.sheets import SheetError, SheetFormat, check_upload
from beian.core.sheets.safety import MAX_ZIP_ENTRIES

from . import sheet_fixtures as F

MB = 1024 * 1024


def refused(data, name="上传.xlsx", max_bytes=20 * MB) -> str:
    with pytest.raises(SheetError) as caught:
        check_upload(name, data, max_bytes)
    return caught.value.message_zh


# ------------------------------------------------------------------------ what it is


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: F.to_xlsx(F.pdsu_accounts()), SheetFormat.XLSX),
        (lambda: F.to_xls(F.pdsu_accounts()), SheetFormat.XLS),
        (lambda: F.to_ods(F.pdsu_accounts()), SheetFormat.ODS),
        (lambda: F.to_csv(F.pdsu_accounts(), "utf-8-sig"), SheetFormat.CSV),
        (lambda: F.to_csv(F.pdsu_accounts(), "utf-8"), SheetFormat.CSV),
        (lambda: F.to_csv(F.pdsu_accounts(), "gbk"), SheetFormat.CSV),
        (lambda: F.to_csv(F.pdsu_accounts(), "gb18030"), SheetFormat.CSV),
        (lambda: F.to_csv(F.pdsu_accounts(), "utf-16", delimiter="\t"), SheetFormat.CSV),
    ],
)
def test_format_comes_from_the_content(build, expected):
    assert check_upload("whatever.bin", build(), 20 * MB) is expected


def test_a_csv_named_xlsx_is_read_as_csv():
    assert check_upload("汇总表.xlsx", F.to_csv(F.pdsu_groups(), "gbk"), MB) is SheetFormat.CSV


def test_an_xlsx_named_csv_is_read_as_xlsx():
    assert check_upload("汇总表.csv", F.to_xlsx(F.pdsu_groups()), MB) is SheetFormat.XLSX


def test_a_file_object_is_checked_and_its_position_restored():
    stream = io.BytesIO(F.to_xlsx(F.pdsu_groups()))
    stream.seek(5)
    assert check_upload("附件3.xlsx", stream, MB) is SheetFormat.XLSX
    assert stream.tell() == 5


def test_size_cap_message_names_both_sizes():
    data = b"ab,c\r\n" * (3 * MB // 6)
    assert refused(data, max_bytes=2 * MB) == "文件过大：3 MB，上限 2 MB"
    assert refused(data + b"x" * (MB // 2), max_bytes=2 * MB) == "文件过大：3.5 MB，上限 2 MB"


# -------------------------------------------------------------------- hostile corpus


def test_empty_file():
    assert refused(b"") == "文件为空"
    assert refused(b"\xef\xbb\xbf  \r\n") == "文件为空"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (F.FAKE_PDF, "PDF 文档"),
        (b"%PDF-1.1\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "PDF 文档"),  # all ASCII
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG 图片"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG 图片"),
        (b"Rar!\x1a\x07\x01\x00", "RAR 压缩包"),
        (b"\x1f\x8b\x08\x00\x00\x00", "gzip 压缩包"),
    ],
)
def test_renamed_documents_and_images_are_refused(data, what):
    assert refused(data, name="汇总表.xlsx") == (
        f"文件“汇总表.xlsx”不是有效的 Excel 表格（.xlsx/.xls/.ods）或 CSV 文件（内容是{what}）"
    )


def test_binary_garbage_is_refused():
    assert refused(bytes(range(256)) * 40, name="a.xls").startswith("文件“a.xls”不是有效的")


def test_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(buffer.getvalue()).endswith("（内容是Word 文档）")


def test_a_plain_zip_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(buffer.getvalue()).endswith("（内容是ZIP 压缩包）")


def test_an_html_table_saved_as_xls_is_refused_with_advice():
    html = "<html><body><table><tr><td>序号</td></tr></table></body></html>".encode()
    assert "另存为” .xlsx" in refused(html, name="导出.xls")


def test_zip_bomb_is_refused_quickly_and_in_little_memory():
    bomb = F.zip_bomb()  # sheet1.xml inflates to 2 GB of zeros
    assert len(bomb) < 4 * MB
    tracemalloc.start()
    started = time.perf_counter()
    message = refused(bomb)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert message == "压缩包内容异常（可能是压缩炸弹），已拒绝"
    assert elapsed < 1.0
    assert peak < 16 * MB


def test_zip_bomb_with_lying_sizes_is_refused_while_inflating():
    # The headers announce 1 KB; the entry inflates to 2 GB. Inflation stops at 1 KB + 1.
    bomb = F.zip_bomb(declared=1024)
    started = time.perf_counter()
    assert refused(bomb) == "压缩包内容异常（可能是压缩炸弹），已拒绝"
    assert time.perf_counter() - started < 1.0


def test_too_much_declared_content_in_total_is_refused():
    parts = [F.RawEntry(f"xl/media/image{n}.png", b"x" * 2048, 0, 60 * MB) for n in range(4)]
    data = F.craft_zip([F.entry(n, d) for n, d in F.xlsx_parts(F.small_xlsx()).items()] + parts)
    assert refused(data) == "压缩包内容异常（可能是压缩炸弹），已拒绝"


def test_zip_with_ten_thousand_entries_is_refused():
    data = F.many_entries_zip(10_000)
    started = time.perf_counter()
    assert refused(data) == "压缩包内容异常（可能是压缩炸弹），已拒绝"
    assert time.perf_counter() - started < 1.0
    assert MAX_ZIP_ENTRIES < 10_000


def test_entity_bomb_in_sheet_xml_is_refused():
    assert refused(F.entity_bomb_xlsx()) == "文件中含有不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝"


def test_entity_declaration_after_a_long_prolog_is_still_found():
    message = refused(F.entity_bomb_xlsx(padding=3 * MB))
    assert message == "文件中含有不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝"


def test_doctype_in_content_types_or_shared_strings_is_refused():
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t>'
        b"</si></sst>"
    )
    assert "DOCTYPE" in refused(F.xlsx_with_part("xl/sharedStrings.xml", external))
    types = F.xlsx_parts(F.small_xlsx())["[Content_Types].xml"]
    evil = types.replace(b"?>", b'?><!DOCTYPE Types [<!ENTITY a "b">]>', 1)
    assert "DOCTYPE" in refused(F.xlsx_with_part("[Content_Types].xml", evil))


def test_utf16_xml_parts_are_refused():
    xml = '<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16")
    assert "DOCTYPE" in refused(F.xlsx_with_part("xl/worksheets/sheet1.xml", xml))


def test_a_comment_and_cdata_are_not_declarations():
    parts = F.xlsx_parts(F.small_xlsx())
    sheet = parts["xl/worksheets/sheet1.xml"].replace(b"<sheetData>", b"<!-- ok --><sheetData>")
    assert check_upload("a.xlsx", F.xlsx_with_part("xl/worksheets/sheet1.xml", sheet), MB) == "xlsx"


def test_a_corrupted_entry_is_refused():
    parts = F.xlsx_parts(F.small_xlsx())
    good = F.entry("xl/worksheets/sheet1.xml", parts["xl/worksheets/sheet1.xml"])
    bad = F.RawEntry(good.name, good.compressed, good.crc ^ 1, good.declared_size)
    assert refused(F.xlsx_with_part(good.name, bad)).startswith("文件已损坏")


def test_truncated_zip_is_refused():
    data = F.to_xlsx(F.pdsu_accounts())
    assert "不是有效的 Excel 表格" in refused(data[: len(data) // 2])


def test_password_protected_office_file_is_refused_with_advice():
    # Office wraps an encrypted .xlsx in an OLE2 file holding an "EncryptedPackage" stream.
    ole = F.ole2_with_streams(["EncryptionInfo", "EncryptedPackage"])
    assert refused(ole) == "文件设置了打开密码，请在 Excel 中取消密码后重新上传"


def test_a_word_97_document_is_refused():
    assert refused(F.ole2_with_streams(["WordDocument"])).endswith("（内容是Word 文档）")
