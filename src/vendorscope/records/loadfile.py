"""Reading production load files back: the Concordance DAT and the Opticon OPT, as review platforms read them.

One reader for everything that checks a production (``vendorscope verify``, the tests): what
``produce.py`` writes is what this reads. DAT: a header line, each value between þ (U+00FE), values
separated by ASCII 20, CRLF line ends. OPT: no header, ``image key,volume,image path,Y at a document's
first page,box,folder,page count``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

QUOTE = "\u00fe"
DELIMITER = "\x14"
_BATES = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


class LoadFileError(ValueError):
    """A load file that does not parse; the message names the line."""


@dataclass(frozen=True)
class DatFile:
    fields: list[str]
    rows: list[dict[str, str]]  # in file order; each row also knows its line number as "__line__"


@dataclass(frozen=True)
class OptRow:
    line: int
    image_key: str
    volume: str
    path: str
    document_break: bool
    pages: str


def read_dat(path: Path) -> DatFile:
    text = path.read_bytes().decode("utf-8-sig")
    lines = [line for line in text.split("\r\n") if line]
    if not lines:
        raise LoadFileError("empty DAT file (no header line)")
    fields = _dat_values(lines[0], 1)
    rows = []
    for number, line in enumerate(lines[1:], 2):
        values = _dat_values(line, number)
        if len(values) != len(fields):
            raise LoadFileError(f"line {number}: {len(values)} values for {len(fields)} fields")
        rows.append({"__line__": str(number), **dict(zip(fields, values, strict=True))})
    return DatFile(fields, rows)


def _dat_values(line: str, number: int) -> list[str]:
    values = line.split(DELIMITER)
    if not all(len(v) >= 2 and v[0] == QUOTE and v[-1] == QUOTE for v in values):
        raise LoadFileError(f"line {number}: values must be quoted with þ and separated by ASCII 20")
    return [v[1:-1] for v in values]


def read_opt(path: Path) -> list[OptRow]:
    rows = []
    for number, line in enumerate(path.read_bytes().decode("utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(",")
        if len(parts) < 4:
            raise LoadFileError(f"line {number}: expected 'key,volume,path,Y,box,folder,pages'")
        rows.append(OptRow(number, parts[0], parts[1], parts[2], parts[3].strip().upper() == "Y", _at(parts, 6)))
    return rows


def _at(parts: list[str], index: int) -> str:
    return parts[index].strip() if len(parts) > index else ""


def split_bates(value: str) -> tuple[str, int] | None:
    """``VS000000012`` → ("VS", 12); None when the value has no trailing number."""
    match = _BATES.match(value.strip())
    return (match["prefix"], int(match["number"])) if match else None


def relative_path(value: str) -> str:
    """A load file's path (Windows separators, relative to the volume) as a POSIX relative path."""
    return PureWindowsPath(value).as_posix().lstrip("/")
