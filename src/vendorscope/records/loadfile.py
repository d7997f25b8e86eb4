"""Concordance DAT and Opticon OPT load files: written for a production, read back (to check a production,
or to re-ingest one received from someone else).

DAT: each value between þ (U+00FE), separated by ASCII 20 (DC4), CRLF line ends, the first line names the
fields; a line break inside a value is ® (U+00AE). UTF-8 with a byte-order mark by default (Relativity
reads the encoding from it), UTF-16 LE with its mark as an option. OPT: one line per page image,
``BATES,VOLUME,PATH,DOCBREAK,FOLDERBREAK,BOXBREAK,PAGES`` (DOCBREAK ``Y`` and PAGES on a document's first
page). Both formats are simple enough that a library would add nothing; they are parsed here by hand, with
the same rules as written.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

QUOTE = "\u00fe"  # þ
DELIMITER = "\x14"  # ASCII 20
NEWLINE_IN_FIELD = "\u00ae"  # ®, Concordance's stand-in for a line break inside a field
ENCODINGS = {"utf-8": ("utf-8", codecs.BOM_UTF8), "utf-16": ("utf-16-le", codecs.BOM_UTF16_LE)}


@dataclass(frozen=True)
class OptLine:
    """One page image of an OPT file."""

    bates: str
    volume: str
    path: str
    document_break: bool
    pages: int | None


def dat_line(values: Sequence[str]) -> str:
    """One Concordance line: each value between þ, separated by ASCII 20, CRLF at the end."""
    return DELIMITER.join(f"{QUOTE}{_dat_value(v)}{QUOTE}" for v in values) + "\r\n"


def _dat_value(value: str) -> str:
    clean = value.replace(QUOTE, "").replace(DELIMITER, " ")
    return clean.replace("\r\n", NEWLINE_IN_FIELD).replace("\n", NEWLINE_IN_FIELD).replace("\r", NEWLINE_IN_FIELD)


def dat_bytes(fields: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8") -> bytes:
    """A whole DAT file: header line and rows, with the encoding's byte-order mark."""
    codec, bom = ENCODINGS[encoding]
    text = dat_line(fields) + "".join(dat_line(row) for row in rows)
    return bom + text.encode(codec)


def read_dat(path: Path) -> list[dict[str, str]]:
    """The rows of a DAT file as dicts keyed by its header; the encoding from the byte-order mark (UTF-8,
    UTF-16 LE/BE), else UTF-8, else Windows-1252. ® inside a value becomes a line break again."""
    text = decode_load_file(path.read_bytes())
    lines = [line for line in text.split("\r\n") if line] if "\r\n" in text else text.splitlines()
    if not lines:
        return []
    header = _dat_fields(lines[0])
    rows = []
    for number, line in enumerate(lines[1:], 2):
        values = _dat_fields(line)
        if len(values) != len(header):
            raise ValueError(f"{path}: line {number} has {len(values)} fields, the header {len(header)}")
        rows.append({k: v.replace(NEWLINE_IN_FIELD, "\n") for k, v in zip(header, values, strict=True)})
    return rows


def _dat_fields(line: str) -> list[str]:
    return [value.strip(QUOTE) for value in line.split(DELIMITER)]


def decode_load_file(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def opt_bytes(lines: Sequence[OptLine]) -> bytes:
    """An OPT file (plain ASCII paths and numbers; UTF-8 without a mark), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        pages = str(line.pages) if line.pages is not None else ""
        writer.writerow([line.bates, line.volume, line.path, "Y" if line.document_break else "", "", "", pages])
    return buffer.getvalue().encode("utf-8")


def read_opt(path: Path) -> list[OptLine]:
    text = decode_load_file(path.read_bytes())
    out = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row:
            continue
        if len(row) < 4:
            raise ValueError(f"{path}: line {number} has {len(row)} fields, an OPT line at least 4")
        pages = row[6] if len(row) > 6 else ""
        out.append(OptLine(row[0], row[1], row[2], row[3].upper() == "Y", int(pages) if pages.isdigit() else None))
    return out
