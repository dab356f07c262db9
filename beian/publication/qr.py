"""QR codes: generated for a card (segno, SVG) and read from a visitor's screenshot
(zxing-cpp), the upload checked for size and type before any decoder sees it."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

# segno and zxing-cpp are imported where they are used: every process loads this module
# (URL configuration), few draw or read a QR code.

MAX_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 16_000_000  # a 4000 × 4000 phone screenshot; more is not a screenshot
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP", "BMP": "BMP"}


class QRError(ValueError):
    """A screenshot that cannot be read; the message says why, in Chinese."""


def qr_svg(data: str, *, scale: int = 4) -> bytes:
    """An SVG QR code of `data` (an account's address)."""
    import segno

    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return buffer.getvalue()


def read_qr(upload) -> str:
    """The text of the first QR code in an uploaded image. Refused before decoding: files
    over 4 MB, anything that is not a PNG / JPEG / GIF / WebP / BMP picture by its content,
    pictures over 16 megapixels."""
    if upload is None:
        raise QRError("请选择二维码截图")
    if upload.size > MAX_BYTES:
        raise QRError(f"图片“{upload.name}”超过 4 MB，请截取二维码部分后再上传")
    data = upload.read(MAX_BYTES + 1)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError):
        raise QRError(f"“{upload.name}”不是图片：请上传 PNG 或 JPG 格式的二维码截图") from None
    if kind not in FORMATS:
        raise QRError(f"不支持 {kind} 格式：请上传 PNG 或 JPG 格式的二维码截图")
    if width * height > MAX_PIXELS:
        raise QRError(f"图片尺寸 {width}×{height} 过大，请截取二维码部分后再上传")
    import zxingcpp

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            found = zxingcpp.read_barcodes(
                image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode
            )
    except (OSError, ValueError):
        raise QRError(f"图片“{upload.name}”已损坏，无法读取") from None
    for barcode in found:
        if barcode.text:
            return barcode.text.strip()
    raise QRError("图片中没有识别到二维码：请截取清晰、完整的二维码后再试")
