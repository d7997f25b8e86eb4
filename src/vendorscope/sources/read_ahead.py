"""Parsing files in a second process while the first one writes: ingest uses both cores.

The worker only parses (no database), so it imports little; records come back
as lists per file. Only files small enough to hold in memory are parsed ahead;
big ones stream in the main process, in bounded memory.

Items cross between the processes once per run, not once per row: the worker numbers every distinct
item it meets (its *book*) and sends an observation's items as an array of those numbers
(``KeyedObservation``), with the items it had not sent before. The writer turns a number into a title
id by one list index, so its per-row work is set and list operations, not hashing 9-field tuples.
"""

from __future__ import annotations

import dataclasses
import lzma
import multiprocessing
import os
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from vendorscope import sources
from vendorscope.errors import TooLargeError
from vendorscope.sources.base import Hints, Item, Observation, Problem, Record
from vendorscope.sources.limits import Limits
from vendorscope.sources.reader import GZIP_MAGIC, XZ_MAGIC, bounded, open_binary
from vendorscope.sources.worker_life import end_with_parent

AHEAD_MAX_BYTES = 32 * 1024 * 1024  # per file, as stored (gzip counts ×8)
AHEAD_MIN_TOTAL = 8 * 1024 * 1024  # below this, starting a process costs more than it saves
AHEAD_WINDOW = 2  # batches of files parsed ahead of the writer, at least ...
AHEAD_WINDOW_BYTES = 32 * 1024 * 1024  # ... and more while they are this small together (``ahead_size``)
AHEAD_BATCH_BYTES = 1024 * 1024  # small files go to the worker together: one task per batch, not per file
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


def parse_whole(format_name: str, path: str, hints: Hints, share: bool = True) -> list[Record] | None:
    """A file's records, held in memory, with equal items made one object (pickling sends each distinct item once);
    None when it holds more than a parse-ahead should (the writer then streams it itself, under the file's own
    limits): a small gzip can hide GiBs."""
    limits = hints.limits
    ahead = Limits(min(limits.max_bytes, AHEAD_PARSED_BYTES), min(limits.max_items, AHEAD_PARSED_ITEMS))
    records = list(read_records(format_name, path, dataclasses.replace(hints, limits=ahead)))
    if records and isinstance(records[-1], Problem) and records[-1].fatal and ahead != limits:
        return None
    if not share:
        return records
    same: dict[Item, Item] = {}
    for record in records:
        if isinstance(record, Observation):
            record.items = [same.setdefault(item, item) for item in record.items]
            record.removed = [same.setdefault(item, item) for item in record.removed]
    return records


@dataclass(slots=True)
class KeyedObservation(Observation):
    """An observation whose items travel as numbers in the parsing worker's book (``items``/``removed`` empty)."""

    added_keys: array = field(default_factory=lambda: array("i"))  # type: ignore[type-arg]
    removed_keys: array = field(default_factory=lambda: array("i"))  # type: ignore[type-arg]
    sources: tuple[str, ...] = ()  # the sources of its added items
    removed_sources: tuple[str, ...] = ()  # and of its removed ones
    book: Any = None  # the writer's TitleBook for the worker that numbered it, set on arrival


@dataclass
class KeyedFile:
    """A file parsed ahead: its records, and the items its worker numbered for the first time while parsing it."""

    worker: int
    first_key: int  # the number of new_items[0]
    new_items: list[Item]
    records: list[Record]


class _Book(dict[Item, int]):
    """The worker's numbering of distinct items; an item met for the first time is numbered and noted as new."""

    def __init__(self) -> None:
        super().__init__()
        self.new: list[Item] = []

    def __missing__(self, item: Item) -> int:
        key = self[item] = len(self)
        self.new.append(item)
        return key


_BOOK = _Book()  # one per worker process, for its whole life
_SOURCE = itemgetter(3)  # Item.source


def parse_keyed(format_name: str, path: str, hints: Hints) -> KeyedFile | None:
    """``parse_whole`` with observations as KeyedObservation: each distinct item is sent once per worker."""
    records = parse_whole(format_name, path, hints, share=False)
    if records is None:
        return None
    book = _BOOK
    first, book.new = len(book), []
    number = book.__getitem__
    for index, record in enumerate(records):
        if type(record) is Observation:
            items, removed = record.items, record.removed
            records[index] = KeyedObservation(
                record.host,
                seen_at=record.seen_at,
                complete_sources=record.complete_sources,
                method=record.method,
                line=record.line,
                host_facts=record.host_facts,
                added_keys=array("i", map(number, items)),
                removed_keys=array("i", map(number, removed)),
                sources=tuple(set(map(_SOURCE, items))),
                removed_sources=tuple(set(map(_SOURCE, removed))),
            )
    return KeyedFile(os.getpid(), first, book.new, records)


def parse_keyed_batch(files: list[tuple[str, str]], hints: Hints) -> list[KeyedFile | None]:
    """``parse_keyed`` for each (format, path), in order: one task for many small files."""
    return [parse_keyed(format_name, path, hints) for format_name, path in files]


def ahead_size(path: Path) -> int:
    """The memory a file may take once parsed, roughly: its size, or 8× when compressed (gzip, xz)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        magic = handle.read(6)
    return size * 8 if magic.startswith(GZIP_MAGIC) or magic == XZ_MAGIC else size


class TitleBook:
    """The writer's copy of one worker's book: item by number, and the title id of each once resolved.

    ``title_ids`` is the store's (a rollback may undo titles inserted in it): the writer clears it when its
    caches' ``generation`` moves on, and resolves the items again.
    """

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.title_ids: list[int] = []
        self.generation = -1

    def add(self, first_key: int, new_items: list[Item]) -> None:
        if first_key != len(self.items):
            raise RuntimeError(f"parse-ahead results out of order (key {first_key}, expected {len(self.items)})")
        self.items.extend(new_items)


class ReadAhead:
    """Parses files in a worker process a few batches ahead of the writer; results are taken in the order added.

    Files are added as the writer's side learns of them (hashed, detected, not yet in the store) and go to the
    worker in batches of up to ``AHEAD_BATCH_BYTES``; ``AHEAD_WINDOW`` batches beyond the one being taken are
    handed over at a time, more while they are ``AHEAD_WINDOW_BYTES`` together, so parsed files waiting in memory
    stay bounded. The pool starts its process
    when started (``start``, before the writer's own preparations, so that the two overlap) or at the first batch.
    ``hints`` (the catalogs' network filter among them) must be set before the first file is added.
    """

    def __init__(self, workers: int = 1) -> None:
        self.hints = Hints()
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._filling: list[tuple[str, str]] = []  # the batch being filled
        self._filled = 0  # its bytes
        self._sealed: deque[list[tuple[str, str]]] = deque()  # full batches not handed over yet
        self._batch_of: dict[str, list[tuple[str, str]]] = {}  # a file added and not handed over: its batch
        self._futures: dict[str, tuple[Future[list[KeyedFile | None]], int]] = {}  # handed over: its batch, where
        self._untaken: dict[int, int] = {}  # a batch handed over (by its future's id) -> its files not taken yet
        self._sizes: dict[int, int] = {}  # a batch not handed over yet (by its list's id) -> its files' ahead_size
        self._handed: dict[int, int] = {}  # a batch handed over and not taken whole (by its future's id) -> its size
        self._ahead = 0  # their sizes together
        self.books: dict[int, TitleBook] = {}

    def start(self) -> None:
        """Start the worker process now: it takes about a second to import what it parses with."""
        self._submit([])

    def add(self, format_name: str, path: Path, size: int) -> None:
        """Parse this file ahead; take its records with ``take``, after those of the files added before it."""
        key = str(path)
        if key in self._futures or key in self._batch_of:
            return
        if self._filling and self._filled + size > AHEAD_BATCH_BYTES:
            self._seal()
        self._filling.append((format_name, key))
        self._batch_of[key] = self._filling
        self._filled += size
        self._sizes[id(self._filling)] = self._filled
        if self._filled >= AHEAD_BATCH_BYTES:
            self._seal()
        self._hand_over()

    def wanting(self) -> bool:
        """Whether the worker could take more than what was added: add files now to keep it busy."""
        return not self._sealed and self._room(0)

    def ready(self, path: Path) -> bool:
        """Whether taking this file's records would not wait (true for a file not parsed ahead)."""
        key = str(path)
        if key in self._batch_of:
            self._submit_through(key)
        found = self._futures.get(key)
        return found is None or found[0].done()

    def take(self, path: Path) -> list[Record] | None:
        """The file's parsed records; None when it was not parsed ahead (or too big to be): stream it."""
        key = str(path)
        if key in self._batch_of:
            self._submit_through(key)
        found = self._futures.pop(key, None)
        if found is None:
            return None
        future, index = found
        self._untaken[id(future)] -= 1
        if not self._untaken[id(future)]:
            del self._untaken[id(future)]
            self._ahead -= self._handed.pop(id(future))
            self._hand_over()
        parsed = future.result()[index]
        if parsed is None:
            return None
        book = self.books.setdefault(parsed.worker, TitleBook())
        book.add(parsed.first_key, parsed.new_items)
        for record in parsed.records:
            if type(record) is KeyedObservation:
                record.book = book
        return parsed.records

    def close(self) -> None:
        for future, _index in self._futures.values():
            future.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _seal(self) -> None:
        if self._filling:
            self._sealed.append(self._filling)
        self._filling, self._filled = [], 0

    def _submit_through(self, key: str) -> None:
        """Hand over every batch up to the one holding ``key``, window or not: the writer waits for it."""
        batch = self._batch_of[key]
        if batch is self._filling:
            self._seal()
        while key in self._batch_of:
            self._submit(self._sealed.popleft())

    def _hand_over(self) -> None:
        while self._sealed and self._room(self._sizes[id(self._sealed[0])]):
            self._submit(self._sealed.popleft())

    def _room(self, size: int) -> bool:
        """Whether a batch of ``size`` may go to the worker now: ``AHEAD_WINDOW`` batches beyond the one being
        taken always may, more while their sizes stay within ``AHEAD_WINDOW_BYTES`` (a run of small files: the
        worker then gets ahead of a slower writer, and has the next large files parsed when the writer comes to
        them)."""
        return len(self._untaken) <= AHEAD_WINDOW or self._ahead + size <= AHEAD_WINDOW_BYTES

    def _submit(self, batch: list[tuple[str, str]]) -> None:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=end_with_parent,
                initargs=(os.getpid(),),
            )
        future = self._pool.submit(parse_keyed_batch, batch, self.hints)
        if not batch:
            return  # start: the worker spawned and importing, nothing to take
        self._untaken[id(future)] = len(batch)
        self._handed[id(future)] = size = self._sizes.pop(id(batch))
        self._ahead += size
        for index, (_format, key) in enumerate(batch):
            del self._batch_of[key]
            self._futures[key] = (future, index)
