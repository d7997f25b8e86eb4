"""The one formula-safe cell rule for every table a spreadsheet may open (CSV files and the XLSX workbook).

Evidence is hostile: a host, organization or document name such as ``=HYPERLINK("http://x","click")`` runs as
a formula when a staffer opens the CSV in Excel or LibreOffice (CSV injection, OWASP). The OWASP rule: a text
cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a single quote in front, so the
spreadsheet shows it as text. Numbers we computed ourselves are left as they are (``-1`` is not a formula).
This module sits at the bottom of the layers: the CLI, the response package, the web export and the workbook
all call it, so the rule is written once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` fit for a spreadsheet cell: ``None`` becomes empty text, text that a spreadsheet would read as
    a formula gets a leading single quote, numbers and booleans pass through unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``; the header is ours and written as is."""

    def __init__(self, stream: IO[str], lineterminator: str = "\n") -> None:
        self._writer = csv.writer(stream, lineterminator=lineterminator)

    def header(self, columns: Sequence[str]) -> None:
        self._writer.writerow(columns)

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in cells])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for cells in rows:
            self.writerow(cells)


def write_rows(
    stream: IO[str], columns: Sequence[str], rows: Iterable[dict[str, Any]], lineterminator: str = "\n"
) -> None:
    """A header and one line per mapping, cells in ``columns`` order, every cell formula-safe."""
    writer = SafeWriter(stream, lineterminator)
    writer.header(columns)
    for row in rows:
        writer.writerow(row.get(column) for column in columns)
