"""Originals, byte-identical, by SHA-256: many to a pack file, ``ROOT/packs/<sha256 of the pack>.pack``,
found through an index, ``ROOT/packs/index.sqlite``; stores made before packs keep loose files,
``ROOT/ab/cd/<sha256>``, which are still read.

Why packs: creating a file per original (and a folder for about every other one) cost 0.3–0.7 ms of system
time each on a busy disk, as much as reading the e-mail; a pack is one file for a task's originals.

Custody: a pack is written under a temporary name and renamed, and its originals are listed in the index
by the ingest's writer before the rows naming them are committed, so a row never points to a missing
original, and an interrupted ingest leaves at most a pack no index lists, never a partial original under
a real hash. Every read checks the bytes against their SHA-256. The folder sits next to an SQLite store
(``<db>.records/``); for PostgreSQL, or to put it elsewhere, set ``VENDORSCOPE_RECORDS_DIR`` (or pass
``--records-dir``): ``config.Settings.records_root`` decides.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vendorscope.errors import NotFoundError, StoreError

PACKS = "packs"
INDEX = "index.sqlite"
RECENT = 65_536  # originals a process packed lately, remembered (about 10 MB) until the index lists them


@dataclass(frozen=True)
class Location:
    """Where one original lies: its bytes are ``length`` bytes at ``offset`` in the pack."""

    sha256: str
    pack: str
    offset: int
    length: int


class Originals:
    """Put originals in packs, get them by SHA-256 (from a pack, or a loose file of an older store)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.packs = root / PACKS
        self._index: sqlite3.Connection | None = None
        self._index_pid = 0  # a connection never crosses a fork: a worker opens its own
        self._lock = threading.Lock()
        self._count = itertools.count()
        self._recent: OrderedDict[str, Location] = OrderedDict()

    def path(self, sha256: str) -> Path:
        """Where an older store kept this original as a loose file."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def holds(self, sha256: str) -> bool:
        return self.locate(sha256) is not None or os.path.exists(self.path(sha256))

    def pack(self, originals: Iterable[tuple[str, bytes]]) -> list[Location]:
        """Where each of the originals (SHA-256, bytes) the index does not list yet lies, for :meth:`record`:
        those this process packed lately where they are, the others written into one new pack. A pack is
        named by its own SHA-256, so the same originals make the same pack."""
        new: dict[str, bytes] = {}
        again: dict[str, Location] = {}
        for sha256, data in originals:
            if not data or sha256 in new or sha256 in again:
                continue
            if sha256 in self._recent:  # in a pack of an earlier task, perhaps not listed yet: said again
                again[sha256] = self._recent[sha256]
            elif not self.holds(sha256):
                new[sha256] = data
        return [*again.values(), *self._write_pack(new)]

    def _write_pack(self, originals: dict[str, bytes]) -> list[Location]:
        if not originals:
            return []
        whole = hashlib.sha256()
        spans, offset = [], 0
        for sha256, data in originals.items():
            whole.update(data)
            spans.append((sha256, offset, len(data)))
            offset += len(data)
        name = whole.hexdigest()
        tmp = self.packs / f".tmp-{name}-{os.getpid()}-{next(self._count)}"
        try:
            self.packs.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # as mkstemp: originals are private
            with os.fdopen(fd, "wb") as handle:
                handle.writelines(originals.values())
            os.replace(tmp, self.packs / f"{name}.pack")
        except OSError as exc:
            raise StoreError(f"cannot write originals under {self.root}: {exc}") from exc
        locations = [Location(sha256, name, start, length) for sha256, start, length in spans]
        for location in locations:
            self._recent[location.sha256] = location
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return locations

    def sweep(self, age: float = 86_400.0) -> int:
        """Remove the temporary packs an interrupted ingest left (``.tmp-<pack>-<pid>-<n>``); returns how
        many. Safely: only those whose writing process is gone, or older than ``age`` seconds (a pack is
        written in well under that, and a process id may have been reused), never a live ingest's."""
        removed = 0
        try:
            leftovers = [entry for entry in os.scandir(self.packs) if entry.name.startswith(".tmp-")]
        except OSError:
            return 0  # no packs folder yet
        now = time.time()
        for entry in leftovers:
            pid = entry.name.split("-")[-2]
            try:
                if _alive(int(pid)) and now - entry.stat().st_mtime < age:
                    continue
                os.unlink(entry.path)
                removed += 1
            except (OSError, ValueError):
                continue  # gone meanwhile, or not a name of ours: left alone
        return removed

    def record(self, locations: Iterable[Location]) -> None:
        """List packed originals in the index (the ingest's writer, before it commits rows naming them). An
        original listed already keeps its first place."""
        rows = [(loc.sha256, loc.pack, loc.offset, loc.length) for loc in locations]
        if not rows:
            return
        with self._lock:
            index = self._connection(create=True)
            assert index is not None
            with index:
                index.executemany("INSERT OR IGNORE INTO originals VALUES (?, ?, ?, ?)", rows)

    def locate(self, sha256: str) -> Location | None:
        with self._lock:
            index = self._connection(create=False)
            if index is None:
                return None
            row = index.execute("SELECT pack, offset, length FROM originals WHERE sha256 = ?", (sha256,)).fetchone()
        return Location(sha256, *row) if row else None

    def get(self, sha256: str) -> bytes:
        found = self.locate(sha256)
        try:
            if found is None:
                data = self.path(sha256).read_bytes()
            else:
                with open(self.packs / f"{found.pack}.pack", "rb") as handle:
                    handle.seek(found.offset)
                    data = handle.read(found.length)
        except FileNotFoundError as exc:
            raise NotFoundError(f"original {sha256} is missing from {self.root}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError(f"original {sha256} under {self.root} does not match its SHA-256")
        return data

    def _connection(self, create: bool) -> sqlite3.Connection | None:
        """The index, opened once a process (None while there is none and ``create`` is false)."""
        if self._index is not None and self._index_pid == os.getpid():
            return self._index
        path = self.packs / INDEX
        if not create and not path.exists():
            return None
        try:
            self.packs.mkdir(parents=True, exist_ok=True)
            index = sqlite3.connect(path, timeout=60, check_same_thread=False)  # our lock serializes its use
            index.execute("PRAGMA journal_mode=WAL")  # workers read while the writer adds
            index.execute(
                "CREATE TABLE IF NOT EXISTS originals (sha256 TEXT PRIMARY KEY, pack TEXT NOT NULL, "
                "offset INTEGER NOT NULL, length INTEGER NOT NULL) WITHOUT ROWID"
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the index of originals under {self.root}: {exc}") from exc
        self._index, self._index_pid = index, os.getpid()
        return index


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (ours or another user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
