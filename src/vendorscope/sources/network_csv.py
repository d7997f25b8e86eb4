"""Network evidence as CSV: a header row with a client column and a domain or destination column.

Columns (case-insensitive, first match wins): client ``client``, ``client_ip``,
``src_ip``, ``source_ip``, ``src``; client name ``client_name``, ``hostname``;
target ``domain``, ``query``, ``qname``, ``destination``, ``dest_ip``, ``dst_ip``,
``dst``; optional ``port`` (``dst_port``, ``dest_port``), ``proto`` and time
(``time``, ``timestamp``, ``ts``: ISO 8601 or Unix seconds).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from vendorscope.sources.asset_csv import header_of, pick
from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.inventory_row import RowError, parse_time
from vendorscope.sources.netlog import Contacts, candidate_lines, decode

_CLIENT = ("client", "client_ip", "client_address", "src_ip", "source_ip", "source_address", "src")
_NAME = ("client_name", "client_host", "hostname")
_TARGET = ("domain", "query", "qname", "destination", "dest_ip", "dst_ip", "destination_ip", "dst")
_PORT = ("port", "dst_port", "dest_port", "destination_port")
_TIME = ("time", "timestamp", "ts", "datetime")


def _columns(header: list[str]) -> dict[str, int]:
    found = {
        "client": pick(header, *_CLIENT),
        "name": pick(header, *_NAME),
        "target": pick(header, *_TARGET),
        "port": pick(header, *_PORT),
        "proto": pick(header, "proto", "protocol"),
        "time": pick(header, *_TIME),
    }
    return {k: header.index(v) for k, v in found.items() if v}


def _needles(contacts: Contacts, target_column: str) -> tuple[bytes, ...] | None:
    """A name column needs the watched names; a destination column may hold names or addresses."""
    names = contacts.needles()
    if target_column.lower() in ("domain", "query", "qname") or names is None:
        return names
    addresses = contacts.needles(addresses=True)
    return None if addresses is None else (*names, *addresses)


class NetworkCsv:
    name = "network-csv"
    description = "network contacts as CSV (time, client, domain or destination)"

    def identify(self, filename: str, head: bytes) -> bool:
        columns = _columns(header_of(head))
        return "client" in columns and "target" in columns

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        header_line = stream.readline()
        header = header_of(header_line)
        columns = _columns(header)
        if "client" not in columns or "target" not in columns:
            yield Problem(1, "the header has no client column or no domain/destination column")
            return
        contacts = Contacts(hints)
        for number, raw in candidate_lines(stream, _needles(contacts, header[columns["target"]]), first_line=2):
            try:
                cells = next(csv.reader([decode(raw)]), [])
            except csv.Error as exc:
                yield Problem(number, f"bad CSV ({exc}); skipped")
                continue
            if not cells or raw.startswith(b"#"):
                continue
            if len(cells) != len(header):
                yield Problem(number, f"{len(cells)} columns where the header has {len(header)}; skipped")
                continue
            try:
                when = parse_time(cells[columns["time"]].strip()) if "time" in columns else None
            except RowError as exc:
                yield Problem(number, str(exc))
                continue
            port = cells[columns["port"]].strip() if "port" in columns else ""
            if port:
                proto = cells[columns["proto"]].strip().lower() if "proto" in columns else ""
                port = f"{port}/{proto or 'tcp'}"
            name = cells[columns["name"]].strip() if "name" in columns else ""
            contacts.add(cells[columns["client"]], cells[columns["target"]], port, when, number, name)
        yield from contacts.records()


FORMAT = NetworkCsv()
