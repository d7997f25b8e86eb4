"""Shared machinery of network-log parsers: the raw-bytes fast path and per-log aggregation.

Logs are read in blocks; the catalogs' pattern (``Hints.contacts``) is searched
over each block, and only the lines around a hit are cut out and parsed, so
memory stays bounded and lines that cannot match cost no Python object.
Contacts are aggregated per (client, target, port) with first/last seen and a
count, and yielded at the end of the file.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from typing import IO

from vendorscope.sources.base import Hints, NetworkContact, Problem, Record

BLOCK = 4 * 1024 * 1024
MAX_LINE = 64 * 1024
MAX_CONTACTS = 500_000  # distinct (client, target, port) kept per file; more is reported, not kept


def candidate_lines(
    stream: IO[bytes], needles: tuple[bytes, ...] | None, first_line: int = 1, headers: bool = False
) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every line containing a needle (case-insensitive; every line when None).

    ``headers`` also yields lines starting with ``#`` (Zeek's headers). Each byte is
    lower-cased, searched and counted once, in C; only hit lines are cut out.
    """
    number = first_line
    rest = b""
    while True:
        block = stream.read(BLOCK)
        if not block:
            break
        buffer = rest + block if rest else block
        cut = buffer.rfind(b"\n") + 1
        if cut == 0 and len(buffer) < MAX_LINE:
            rest = buffer
            continue
        cut = cut or len(buffer)  # an overlong line without newline: take it as is
        number = yield from _lines_in(buffer, cut, needles, number, headers)
        rest = buffer[cut:]
    if rest:
        yield from _lines_in(rest, len(rest), needles, number, headers)


def _lines_in(
    buffer: bytes, end: int, needles: tuple[bytes, ...] | None, number: int, headers: bool
) -> Generator[tuple[int, bytes], None, int]:
    """Yields the hit lines of ``buffer[:end]``; returns the line number after it."""
    if needles is None:
        lines = buffer[:end].split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        for offset, line in enumerate(lines):
            yield number + offset, line.rstrip(b"\r")
        return number + buffer.count(b"\n", 0, end)
    stops = _hit_lines(buffer, end, needles, headers)
    counted = 0
    for start in sorted(stops):
        number += buffer.count(b"\n", counted, start)
        counted = start
        yield number, buffer[start : stops[start]].rstrip(b"\r")
    return number + buffer.count(b"\n", counted, end)


def _hit_lines(view: bytes, end: int, needles: tuple[bytes, ...], headers: bool) -> dict[int, int]:
    """Start → end of each line holding a needle: bytes.find over the lower-cased block, no per-line work."""
    low = view.lower()
    stops: dict[int, int] = {}
    searches = [*needles, b"\n#"] if headers else list(needles)
    if headers and view.startswith(b"#"):
        stops[0] = _end(view, 0, end)
    for needle in searches:
        pos = low.find(needle, 0, end)
        while pos >= 0:
            start = pos + 1 if needle.startswith(b"\n") else view.rfind(b"\n", 0, pos) + 1
            stop = _end(view, start, end)
            stops[start] = stop
            pos = low.find(needle, stop, end)
    return stops


def _end(view: bytes, start: int, end: int) -> int:
    stop = view.find(b"\n", start, end)
    return end if stop < 0 else stop


class Contacts:
    """Aggregates contacts of one file; filters by the catalogs when ingest gave a filter."""

    def __init__(self, hints: Hints) -> None:
        self.filter = hints.contacts
        self.kept: dict[tuple[str, str, str], NetworkContact] = {}
        self.dropped = 0

    def needles(self, addresses: bool = False) -> tuple[bytes, ...] | None:
        """What lines must contain: watched names, or (connection logs) watched ports and address prefixes."""
        if self.filter is None:
            return None
        return self.filter.address_needles if addresses else self.filter.name_needles

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
