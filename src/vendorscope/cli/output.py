"""Every command prints through here: one console, one ``--format table|json|csv`` option, one CSV writer.

Tables are for people (Rich), JSON for programs (orjson, indented), CSV for spreadsheets — every CSV cell goes
through the formula-safe rule of ``vendorscope.safe_csv``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import orjson
import typer

from vendorscope.safe_csv import write_rows

if TYPE_CHECKING:
    from rich.console import Console


class _Console:
    """A Rich console made on first use: `--format json|csv` and `--help` never import Rich's renderer."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console: Console = _Console()  # type: ignore[assignment]
errors: Console = _Console(stderr=True, soft_wrap=True)  # type: ignore[assignment]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table | json | csv")]


# Every C0 control but tab and newline, DEL and the C1 controls: evidence text may carry terminal escapes.
_CONTROLS = dict.fromkeys([*range(0, 9), *range(11, 32), *range(127, 160)])


def _line(stream: TextIO, text: str) -> None:
    """One line as it is, control characters removed; no Rich, so plain output never loads the renderer."""
    line = text.translate(_CONTROLS) + "\n"
    try:
        stream.write(line)
    except UnicodeEncodeError:  # a terminal that cannot show the name: escape it rather than fail
        encoding = stream.encoding or "ascii"
        stream.write(line.encode(encoding, "backslashreplace").decode(encoding))


def say(text: str) -> None:
    """One line for people: no markup, no emoji codes, no terminal escapes (text from evidence is shown as it is)."""
    _line(sys.stdout, text)


def note(text: str) -> None:
    """A line about the run, not its result (which store was read): on stderr."""
    _line(sys.stderr, text)


def error(text: str) -> None:
    _line(sys.stderr, f"error: {text}")


def write_json(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    write_rows(sys.stdout, columns, ({c: text(row.get(c)) for c in columns} for row in rows))


def text(value: Any) -> Any:
    """A value as one cell: lists joined with '; ' (evidence as field=value (rule)), numbers kept as numbers."""
    if isinstance(value, list):
        return "; ".join(f"{v['field']}={v['value']} ({v['rule']})" if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def emit(
    rows: list[dict[str, Any]],
    columns: Sequence[str],
    format: Format,
    title: str,
    table_row: Callable[[dict[str, Any]], Sequence[str]] | None = None,
    headers: Sequence[str] | None = None,
) -> None:
    """Rows in the chosen format. The table shows ``columns`` (or ``headers`` filled by ``table_row``)."""
    if format is Format.json:
        write_json(rows)
    elif format is Format.csv:
        write_csv(rows, columns)
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table(*(headers or columns), title=title)
        for row in rows:
            cells = table_row(row) if table_row else [_plain(row.get(c)) for c in columns]
            table.add_row(*(Text(cell) for cell in cells))  # evidence text is never Rich markup
        console.print(table)


def _plain(value: Any) -> str:
    value = text(value)
    return "" if value is None else str(value)
