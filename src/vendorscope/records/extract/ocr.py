"""OCR of scans and images with Tesseract (through pytesseract), English and Russian by default.

Tesseract is a system program (Debian ``tesseract-ocr``, ``tesseract-ocr-rus``); without it, or without a
language asked for, the document says so and is listed as not (fully) read — never as examined. Each page
image is bounded (``MAX_PIXELS``) so a decompression-bomb image cannot exhaust memory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from functools import cache
from io import BytesIO
from typing import Any

from vendorscope.records.model import Limits

MAX_PIXELS = 60_000_000  # about A3 at 600 dpi; larger page images are scaled down before OCR
OCR_TIMEOUT = 300  # seconds per page image


@cache
def installed_languages() -> frozenset[str]:
    """Tesseract's installed languages; empty when Tesseract is missing."""
    if shutil.which("tesseract") is None:
        return frozenset()
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError, RuntimeError):
        return frozenset()


def languages(limits: Limits) -> tuple[str | None, str | None]:
    """(the ``lang`` argument to use, a note on what is missing); ``None`` language: OCR cannot run."""
    have = installed_languages()
    if not have:
        return None, "OCR not possible: Tesseract (Debian tesseract-ocr) is not installed"
    wanted = [lang for lang in limits.ocr_languages.split("+") if lang]
    usable = [lang for lang in wanted if lang in have]
    missing = [lang for lang in wanted if lang not in have]
    note = f"OCR without language(s) {', '.join(missing)} (not installed)" if missing else None
    return ("+".join(usable) or None), note


def ocr_images(images: Iterable[Any], limits: Limits) -> tuple[str, str | None]:
    """The text of page images (PIL images), pages separated by form feeds, and a note if any."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # parallel across workers, not inside Tesseract: no oversubscription
    lang, note = languages(limits)
    if lang is None:
        return "", note
    pages = []
    for image in images:
        try:
            pages.append(pytesseract.image_to_string(_bounded(image), lang=lang, timeout=OCR_TIMEOUT))
        except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
            note = "; ".join(filter(None, [note, f"OCR failed on a page: {type(exc).__name__}"]))
    return "\n\f".join(p.strip() for p in pages), note


def ocr_image_bytes(data: bytes, limits: Limits) -> tuple[str, str | None]:
    """OCR of an image file; every frame of a multi-page TIFF."""
    from itertools import islice

    from PIL import Image, ImageSequence

    with Image.open(BytesIO(data)) as image:
        frames = [frame.copy() for frame in islice(ImageSequence.Iterator(image), limits.max_ocr_pages)]
    return ocr_images(frames, limits)


def _bounded(image: Any) -> Any:
    """The image converted for Tesseract and scaled below ``MAX_PIXELS``."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
        image = image.resize((max(1, int(width * scale)), max(1, int(height * scale))))
    return image.convert("L") if image.mode not in ("L", "RGB") else image
