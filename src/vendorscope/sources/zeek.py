"""Zeek dns.log and conn.log, as TSV (``#fields`` header) or JSON lines.

dns.log: the client (``id.orig_h``) asked for ``query``. conn.log: the client
connected to ``id.resp_h`` on ``id.resp_p``/``proto``. Other Zeek logs are
read and ignored. Header lines may repeat (concatenated or rotated logs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.inventory_row import RowError, parse_time
from vendorscope.sources.netlog import Contacts, candidate_lines, decode, epoch
from vendorscope.sources.reader import first_line, peek

_DNS = ("ts", "id.orig_h", "query")
_CONN = ("ts", "id.orig_h", "id.resp_h", "id.resp_p", "proto")


class Zeek:
    name = "zeek"
    description = "Zeek dns.log / conn.log (TSV or JSON lines)"

    def identify(self, filename: str, head: bytes) -> bool:
        line = first_line(head)
        if line.startswith(b"#separator") or line.startswith(b"#fields"):
            named = b"#path\t" in head
            return b"#path\tdns" in head or b"#path\tconn" in head or (not named and b"id.orig_h" in head)
        # conn.log lines have "proto"; http.log and ssl.log lines have id.resp_p too, but are zeek-devices'.
        return line.startswith(b"{") and b'"id.orig_h"' in line and (b'"query"' in line or b'"proto"' in line)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        contacts = Contacts(hints)
        state = _Tsv()
        for number, raw in candidate_lines(stream, contacts.needles(_is_conn(peek(stream))), headers=True):
            if raw.startswith(b"#"):
                state.header(raw)
            elif raw.startswith(b"{"):
                problem = _json_line(raw, number, contacts)
                if problem:
                    yield problem
            elif raw.strip():
                problem = state.row(raw, number, contacts)
                if problem:
                    yield problem
        yield from contacts.records()


class ZeekHeader:
    """A Zeek TSV log's current header: separator, fields and log path (headers repeat in concatenated logs).

    Shared by the network-log reader here and the device reader (``zeek_devices``).
    """

    def __init__(self) -> None:
        self.separator = b"\t"
        self.fields: list[str] = []
        self.path = ""

    def header(self, raw: bytes) -> None:
        key, _, value = raw.partition(b" " if raw.startswith(b"#separator") else b"\t")
        if key == b"#separator":
            # a separator that is not one latin-1 byte sequence, or none at all, falls back to the tab (fuzzing)
            separator = value.strip().decode("unicode_escape", errors="replace").encode("latin-1", errors="replace")
            self.separator = separator or b"\t"
        elif key == b"#fields":
            self.fields = decode(value).split(decode(self.separator))
            self.fields_changed()
        elif key == b"#path":
            self.path = decode(value).strip()
            self.fields_changed()

    def fields_changed(self) -> None:
        """Called when #fields or #path changes; a subclass re-derives what it keeps from them."""

    def cells(self, raw: bytes, number: int) -> list[bytes] | Problem:
        if not self.fields:
            return Problem(number, "data before any #fields header; skipped")
        cells = raw.split(self.separator)
        if len(cells) != len(self.fields):
            return Problem(number, f"{len(cells)} columns where #fields has {len(self.fields)}; skipped")
        return cells


class _Tsv(ZeekHeader):
    """The header of a dns.log or conn.log: which columns hold what, and which log this is."""

    def __init__(self) -> None:
        super().__init__()
        self.where: dict[str, int] = {}
        self.kind = ""

    def _kind(self) -> str:
        if all(f in self.where for f in _DNS) and self.path != "conn":
            return "dns"
        return "conn" if all(f in self.where for f in _CONN) else ""

    def fields_changed(self) -> None:
        self.where = {name: i for i, name in enumerate(self.fields)}
        self.kind = self._kind() if self.fields else ""

    def row(self, raw: bytes, number: int, contacts: Contacts) -> Problem | None:
        cells = self.cells(raw, number)
        if isinstance(cells, Problem):
            return cells
        at = self.where
        when = epoch(cells[at["ts"]]) if self.kind else None
        if self.kind == "dns":
            contacts.add(decode(cells[at["id.orig_h"]]), decode(cells[at["query"]]), "", when, number)
        elif self.kind == "conn":
            port = f"{decode(cells[at['id.resp_p']])}/{decode(cells[at['proto']])}"
            contacts.add(decode(cells[at["id.orig_h"]]), decode(cells[at["id.resp_h"]]), port, when, number)
        return None


def _is_conn(head: bytes) -> bool:
    """A conn.log is filtered by ports and addresses, a dns.log by names."""
    return b"#path\tconn" in head or (b'"id.resp_p"' in head and b'"query"' not in head)


def _json_line(raw: bytes, number: int, contacts: Contacts) -> Problem | None:
    try:
        row: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Problem(number, f"not valid JSON ({exc}); skipped")
    if not isinstance(row, dict):
        return Problem(number, "not a JSON object; skipped")
    when = _json_time(row.get("ts"))
    client = row.get("id.orig_h")
    if not isinstance(client, str):
        return None
    if isinstance(row.get("query"), str):
        contacts.add(client, row["query"], "", when, number)
    elif isinstance(row.get("id.resp_h"), str) and row.get("id.resp_p") is not None:
        contacts.add(client, row["id.resp_h"], f"{row['id.resp_p']}/{row.get('proto', '')}", when, number)
    return None


def _json_time(value: object) -> Any:
    if isinstance(value, int | float):
        return epoch(value)
    try:
        return parse_time(value) if isinstance(value, str) else None
    except RowError:
        return None


FORMAT = Zeek()
