"""Shared machinery of network-log parsers: the raw-bytes fast path and per-log aggregation.

Logs are read in blocks; the catalogs' pattern (``Hints.contacts``) is searched
over each block, and only the lines around a hit are cut out and parsed, so
memory stays bounded and lines that cannot match cost no Python object.
Contacts are aggregated per (client, target, port) with first/last seen and a
count, and yielded at the end of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO

from vendorscope.sources.base import Hints, NetworkContact, Problem, Record

BLOCK = 4 * 1024 * 1024
MAX_LINE = 64 * 1024
MAX_CONTACTS = 500_000  # distinct (client, target, port) kept per file; more is reported, not kept


def candidate_lines(
    stream: IO[bytes], pattern: re.Pattern[bytes] | None, first_line: int = 1
) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every line the pattern hits (every line when it is None)."""
    number = first_line
    rest = b""
    while True:
        block = stream.read(BLOCK)
        if not block:
            break
        buffer = rest + block
        cut = buffer.rfind(b"\n") + 1
        if cut == 0 and len(buffer) < MAX_LINE:
            rest = buffer
            continue
        cut = cut or len(buffer)  # an overlong line without newline: take it as is
        yield from _lines_in(buffer, cut, pattern, number)
        number += buffer.count(b"\n", 0, cut)
        rest = buffer[cut:]
    if rest:
        yield from _lines_in(rest, len(rest), pattern, number)


def _lines_in(buffer: bytes, end: int, pattern: re.Pattern[bytes] | None, number: int) -> Iterator[tuple[int, bytes]]:
    if pattern is None:
        lines = buffer[:end].split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        for offset, line in enumerate(lines):
            yield number + offset, line.rstrip(b"\r")
        return
    counted = 0
    pos = 0
    while pos < end:
        found = pattern.search(buffer, pos, end)
        if found is None:
            return
        start = buffer.rfind(b"\n", 0, found.start()) + 1
        stop = buffer.find(b"\n", found.end(), end)
        stop = end if stop < 0 else stop
        number += buffer.count(b"\n", counted, start)
        counted = start
        yield number, buffer[start:stop].rstrip(b"\r")
        pos = stop + 1


class Contacts:
    """Aggregates contacts of one file; filters by the catalogs when ingest gave a filter."""

    def __init__(self, hints: Hints) -> None:
        self.filter = hints.contacts
        self.kept: dict[tuple[str, str, str], NetworkContact] = {}
        self.dropped = 0

    @property
    def pattern(self) -> re.Pattern[bytes] | None:
        return self.filter.pattern if self.filter is not None else None

    def add(self, client: str, target: str, port: str, when: datetime | None, line: int, client_name: str = "") -> None:
        client, target = client.strip(), target.strip().rstrip(".").lower()
        if not client or not target or target == "-" or client == "-":
            return
        if self.filter is not None and not self.filter.wants(target, port):
            return
        key = (client.lower(), target, port)
        seen = self.kept.get(key)
        if seen is None:
            if len(self.kept) >= MAX_CONTACTS:
                self.dropped += 1
                return
            self.kept[key] = NetworkContact(client, target, port, when, when, 1, client_name, line)
            return
        seen.count += 1
        if when is not None:
            seen.first_seen = when if seen.first_seen is None or when < seen.first_seen else seen.first_seen
            seen.last_seen = when if seen.last_seen is None or when > seen.last_seen else seen.last_seen

    def records(self) -> Iterator[Record]:
        if self.dropped:
            yield Problem(0, f"more than {MAX_CONTACTS:,} distinct contacts; {self.dropped:,} lines not kept")
        yield from self.kept.values()


def epoch(text: str | bytes | float) -> datetime | None:
    """Unix seconds (Zeek, Squid) as naive UTC; None when not a number."""
    try:
        return datetime.fromtimestamp(float(text), UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError, TypeError):
        return None


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
