"""Images and scans (PNG, JPEG, TIFF, GIF, BMP, WebP): documents of kind ``image``, never text.

Their words are in the pixels: with OCR on (``records ingest --ocr``) the text is read by Tesseract
(``ocr.py``) and marked as OCR text; without it the image is kept and listed as not read, so a scan is
never silently counted as examined.
"""

from __future__ import annotations

from io import BytesIO

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.model import Doc, Limits

_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp")


def extract_image(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    from PIL import Image

    doc = Doc(filename, "image", data)
    with Image.open(BytesIO(data)) as image:
        image.verify()  # a truncated or corrupt image is an error here, not in OCR
    if not limits.ocr:
        doc.error = "image: no text without OCR (records ingest --ocr)"
        return [doc]
    from vendorscope.records.extract.ocr import ocr_image_bytes

    doc.text, note = ocr_image_bytes(data, limits)
    doc.ocr = True
    if note:
        doc.add_error(note)
    return [doc]


def identify(head: bytes, name: str) -> int:
    if head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return CONTENT
    if head.startswith(b"BM") and extension(name) == ".bmp":
        return CONTENT
    return NAME if extension(name) in _EXTENSIONS else NO


FORMAT = DocumentFormat(
    "image",
    identify,
    extract_image,
    description="image or scan (PNG, JPEG, TIFF…; OCR)",
    magic=(*_MAGIC, b"RIFF", b"BM"),
    extensions=_EXTENSIONS,
)
