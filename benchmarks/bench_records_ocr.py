"""OCR benchmark: scanned pages (text drawn with Pillow, wrapped as one-page PDFs, English and Russian) ingested
with ``--ocr`` and, as the baseline in the same run, without it. Prints pages per second and whether every
scan about the vendor is found by the vendor search afterwards.

    .venv/bin/python benchmarks/bench_records_ocr.py                # 40 pages, 2 workers
    .venv/bin/python benchmarks/bench_records_ocr.py --pages 200 --workers 4

Needs Tesseract with English and Russian (Debian tesseract-ocr, tesseract-ocr-eng, tesseract-ocr-rus) and
DejaVu Sans (fonts-dejavu-core) to draw the pages.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import time
from io import BytesIO
from pathlib import Path

from vendorscope.records.extract.ocr import installed_languages
from vendorscope.records.search import Filters
from vendorscope.service import Service

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ENGLISH = ["Memorandum", "risk assessment of", "the file servers", "removal plan", "budget", "next quarter"]
RUSSIAN = ["Служебная записка", "оценка рисков", "удаление", "серверы филиала", "бюджет", "квартал"]


def page(rng: random.Random, number: int) -> bytes:
    """A one-page 150 dpi scan as a PDF; every third page names the vendor."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 30)
    words = RUSSIAN if number % 2 else ENGLISH
    lines = [" ".join(rng.choice(words) for _ in range(4)) for _ in range(30)]
    if number % 3 == 0:
        lines[5] = "Kaspersky Endpoint Security must be removed" if number % 2 == 0 else "Антивирус Касперского удалить"
    for n, line in enumerate(lines):
        draw.text((100, 100 + n * 50), line, fill=0, font=font)
    buffer = BytesIO()
    image.save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-output" / "records-ocr")
    args = parser.parse_args()
    if not {"eng", "rus"} <= installed_languages():
        raise SystemExit("Tesseract with English and Russian is needed (Debian tesseract-ocr-eng, tesseract-ocr-rus)")
    shutil.rmtree(args.out, ignore_errors=True)
    corpus = args.out / "scans"
    corpus.mkdir(parents=True)
    rng = random.Random(2017)
    for number in range(args.pages):
        (corpus / f"scan-{number:04d}.pdf").write_bytes(page(rng, number))
    expected = sum(1 for n in range(args.pages) if n % 3 == 0)
    for label, ocr in (("OCR off (baseline)", False), ("OCR on", True)):
        service = Service(str(args.out / f"{label.split()[1]}.db"))
        service.store  # noqa: B018 - migrate before timing
        start = time.perf_counter()
        service.records_ingest([corpus], "bench", workers=args.workers, records_dir=args.out / "o", ocr=ocr)
        seconds = time.perf_counter() - start
        found = len(service.records_vendor_search("kaspersky", Filters(limit=0)))
        print(
            f"{label}: {args.pages} scanned pages in {seconds:,.1f} s = {args.pages / seconds:,.2f} pages/s "
            f"({seconds / args.pages * 1000:,.0f} ms a page) with {args.workers} workers; "
            f"vendor search finds {found} of {expected} scans that name the vendor"
        )
        service.close()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
