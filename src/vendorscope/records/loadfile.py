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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

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
    """The rows of a DAT file as dicts keyed by its header (``iter_dat``), all at once: for a production's
    own load files, which ``verify`` reads whole."""
    check_dat(path)
    return list(iter_dat(path))


def check_dat(path: Path) -> int:
    """The number of rows of a DAT file, every line checked; ValueError names the first bad line. Run before
    ``iter_dat`` so that a DAT with a bad line is refused whole, before any row is used."""
    rows = 0
    lines = _dat_lines(path)
    header = next(lines, None)
    if header is not None:
        width = len(_dat_fields(header))
        for number, line in enumerate(lines, 2):
            values = len(_dat_fields(line))
            if values != width:
                raise ValueError(f"{path}: line {number} has {values} fields, the header {width}")
            rows += 1
    return rows


def iter_dat(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a DAT file as dicts keyed by its header, one line in memory at a time; the encoding from
    the byte-order mark (UTF-8, UTF-16 LE/BE), else UTF-8, else Windows-1252. Lines end at CRLF when the file
    has any (a bare LF is then part of a value), else at LF or CR. ® inside a value becomes a line break
    again. A line whose fields do not match the header's is skipped here: ``check_dat`` refuses the file."""
    lines = _dat_lines(path)
    first = next(lines, None)
    if first is None:
        return
    header = _dat_fields(first)
    for line in lines:
        values = _dat_fields(line)
        if len(values) == len(header):
            yield {k: v.replace(NEWLINE_IN_FIELD, "\n") for k, v in zip(header, values, strict=True)}


def _dat_lines(path: Path) -> Iterator[str]:
    crlf = _has_crlf(path)
    with open_load_file(path, newline="\r\n" if crlf else None) as text:
        for line in text:
            if not crlf:
                yield line.removesuffix("\n")
            elif line := line.removesuffix("\r\n"):  # empty lines between rows: none in a DAT, skipped
                yield line


def _has_crlf(path: Path) -> bool:
    with open_load_file(path, newline="") as text:
        last = ""
        while chunk := text.read(_CHUNK):
            if "\r\n" in chunk or (last == "\r" and chunk[0] == "\n"):
                return True
            last = chunk[-1]
    return False


def _dat_fields(line: str) -> list[str]:
    return [value.strip(QUOTE) for value in line.split(DELIMITER)]


_CHUNK = 1 << 20  # characters (or bytes) read at a time while looking at a whole load file


def open_load_file(path: Path, newline: str | None = "") -> TextIO:
    """A load file as text, streamed: the encoding from the byte-order mark (UTF-8, UTF-16 LE/BE), else UTF-8
    when the whole file decodes as UTF-8 (checked in one pass), else Windows-1252."""
    with path.open("rb") as raw:
        head = raw.read(3)
    if head.startswith(codecs.BOM_UTF8):
        return path.open(encoding="utf-8-sig", newline=newline)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return path.open(encoding="utf-16", newline=newline)
    if _is_utf8(path):
        return path.open(encoding="utf-8", newline=newline)
    return path.open(encoding="cp1252", errors="replace", newline=newline)


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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
