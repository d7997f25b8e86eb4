"""Parsing files in a second process while the first one writes: ingest uses both cores.

The worker only parses (no database), so it imports little; records come back
as lists per file. Only files small enough to hold in memory are parsed ahead;
big ones stream in the main process, in bounded memory.
"""

from __future__ import annotations

import dataclasses
import lzma
import multiprocessing
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import IO

from vendorscope import sources
from vendorscope.errors import TooLargeError
from vendorscope.sources.base import Hints, Item, Observation, Problem, Record
from vendorscope.sources.limits import Limits
from vendorscope.sources.reader import GZIP_MAGIC, XZ_MAGIC, bounded, open_binary

AHEAD_MAX_BYTES = 32 * 1024 * 1024  # per file, as stored (gzip counts ×8)
AHEAD_MIN_TOTAL = 8 * 1024 * 1024  # below this, starting a process costs more than it saves
AHEAD_WINDOW = 2  # files parsed ahead of the writer
AHEAD_PARSED_BYTES = 4 * AHEAD_MAX_BYTES  # decompressed: past this the writer streams the file instead
AHEAD_PARSED_ITEMS = 500_000


def read_records(
    format_name: str, path: str, hints: Hints, opener: Callable[[], IO[bytes]] | None = None
) -> Iterator[Record]:
    """An input's records; a stream that breaks (truncated gzip, I/O error) ends with one Problem.

    ``path`` names the input in messages; ``opener`` gives its content (default: the file at ``path``).
    """
    fmt = sources.by_name(format_name)
    assert fmt is not None, format_name
    limits = hints.limits
    count = items = 0
    with bounded(
        (opener or (lambda: open_binary(Path(path))))(), limits.max_bytes, path, limits.bytes_message()
    ) as stream:
        records = fmt.parse(stream, path, hints)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except TooLargeError:
                break  # stream.raw.tripped says so below
            except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                yield Problem(0, f"truncated or corrupt data ({reason}); kept the {count} records before it")
                return
            if not isinstance(record, Problem):
                count += 1
                items += _items(record)
                if items > limits.max_items:
                    yield Problem(0, limits.items_message(), fatal=True)
                    return
            if stream.raw.tripped:
                break
            if isinstance(record, Problem) and ("\n" in record.message or "\r" in record.message):
                record = Problem(record.line, " ".join(record.message.split()), record.fatal)  # one line, always
            yield record
        if stream.raw.tripped:
            yield Problem(0, stream.raw.tripped, fatal=True)


def _items(record: Record) -> int:
    """What a record adds to the input's item count: its items, or one (a network contact, a registry row)."""
    if isinstance(record, Observation):
        return len(record.items) + len(record.removed)
    return 1


def parse_whole(format_name: str, path: str, hints: Hints) -> list[Record] | None:
    """A file's records, held in memory, with equal items made one object (pickling sends each distinct item once);
    None when it holds more than a parse-ahead should (the writer then streams it itself, under the file's own
    limits): a small gzip can hide GiBs."""
    limits = hints.limits
    ahead = Limits(min(limits.max_bytes, AHEAD_PARSED_BYTES), min(limits.max_items, AHEAD_PARSED_ITEMS))
    records = list(read_records(format_name, path, dataclasses.replace(hints, limits=ahead)))
    if records and isinstance(records[-1], Problem) and records[-1].fatal and ahead != limits:
        return None
    same: dict[Item, Item] = {}
    for record in records:
        if isinstance(record, Observation):
            record.items = [same.setdefault(item, item) for item in record.items]
            record.removed = [same.setdefault(item, item) for item in record.removed]
    return records


def ahead_size(path: Path) -> int:
    """The memory a file may take once parsed, roughly: its size, or 8× when compressed (gzip, xz)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        magic = handle.read(6)
    return size * 8 if magic.startswith(GZIP_MAGIC) or magic == XZ_MAGIC else size


class ReadAhead:
    """Submits files to one parsing process, a few ahead of the writer."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self._futures: dict[str, Future[list[Record]]] = {}

    def submit(self, format_name: str, path: Path, hints: Hints) -> None:
        key = str(path)
        if key not in self._futures:
            self._futures[key] = self._pool.submit(parse_whole, format_name, key, hints)

    def take(self, path: Path) -> list[Record] | None:
        """The file's parsed records; None when it was not parsed ahead (or too big to be): stream it."""
        future = self._futures.pop(str(path), None)
        return future.result() if future is not None else None

    def close(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
