"""CSV files with a header row, read as dicts with their line numbers: the shared base of the registry formats.

Headers are compared loosely (case, spaces, ``-`` and ``/`` become ``_``), so "Part/SKU Number" and
"part_sku_number" are one column. Bad rows become problems naming their line; the rest is read.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import IO

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.reader import decoded_lines, first_line

MAX_CELL = 4096
_SEPARATORS = re.compile(r"[\s\-/]+")


def column(name: str) -> str:
    """A header cell as a comparable column name."""
    return _SEPARATORS.sub("_", name.strip().lower()).strip("_")


def header_of(head: bytes) -> list[str]:
    """The normalized columns of the first line of a file head ([] when it is not CSV text)."""
    try:
        text = first_line(head).decode("utf-8")
    except UnicodeDecodeError:
        return []
    return [column(cell) for cell in next(csv.reader([text]), [])]


def has_header(head: bytes, required: Iterable[str], allowed: Iterable[str] | None = None) -> bool:
    """Whether the head's header has every required column (and, when given, only allowed ones)."""
    columns = header_of(head)
    if not columns or not set(required) <= set(columns):
        return False
    return allowed is None or set(columns) <= set(allowed) | {""}


def rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]] | Problem]:
    """(line, {column: stripped value}) per non-blank row, or a Problem for a row that cannot be read."""
    undecodable: set[int] = set()
    reader = csv.reader(decoded_lines(stream, undecodable))
    try:
        header = [column(cell) for cell in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield Problem(1, f"unreadable header ({exc})")
        return
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(reader.line_num, f"bad CSV ({exc})")
            continue
        line = reader.line_num
        if line in undecodable:
            yield Problem(line, "not UTF-8; row skipped")
        elif not any(cell.strip() for cell in cells):
            continue
        elif len(cells) != len(header):
            yield Problem(line, f"{len(cells)} columns where the header has {len(header)}")
        elif any(len(cell) > MAX_CELL for cell in cells):
            yield Problem(line, f"a value is longer than {MAX_CELL} characters")
        else:
            yield line, {name: cell.strip() for name, cell in zip(header, cells, strict=True) if name}


class CsvRecords:
    """A header-detected CSV format whose every row becomes one record: subclasses say how, in ``record``."""

    name = ""
    description = ""
    required: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None  # None: any other column is ignored

    def identify(self, filename: str, head: bytes) -> bool:
        return has_header(head, self.required, self.allowed)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        for row in rows(stream):
            yield row if isinstance(row, Problem) else self.record(*row)

    def record(self, line: int, cells: dict[str, str]) -> Record:
        """The row's record, or a Problem naming the line."""
        raise NotImplementedError
